using System.Globalization;
using Ical.Net;
using Ical.Net.CalendarComponents;
using Ical.Net.DataTypes;
using Ical.Net.Evaluation;
using IcalOccurrence = Ical.Net.DataTypes.Occurrence;

namespace Perennial.Activities;

/// <summary>One dated instance of a schedule: its local start in the schedule's zone, and the instant.</summary>
public readonly record struct ScheduledInstance(DateTime Local, DateTimeOffset Utc)
{
    /// <summary>The recurrence key an <see cref="Occurrence"/> made from this instance carries.</summary>
    public string Key => Local.ToString("yyyyMMdd'T'HHmmss", CultureInfo.InvariantCulture);
}

/// <summary>
/// An RFC 5545 schedule: RRULE, DTSTART (local) and its IANA time zone, and EXDATEs. Expansion is
/// done by Ical.Net; this type only validates input and adapts the results.
/// </summary>
public sealed record ActivitySchedule(string Rrule, DateTime DtStart, string TimeZone, IReadOnlyList<string> ExceptionDates)
{
    public const string ExceptionDateFormat = "yyyy-MM-dd'T'HH:mm:ss";

    /// <summary>
    /// Evaluation steps in a row that may yield nothing before expansion gives up. Without a bound a
    /// rule that can never match (FREQ=YEARLY;BYMONTH=2;BYMONTHDAY=30) makes Ical.Net walk to the
    /// year 9999 and throw. 100,000 empty steps is 270 years of a daily rule; only sparse sub-daily
    /// rules (say FREQ=SECONDLY;BYMONTH=1) reach it, and those stop early rather than tie up a request.
    /// </summary>
    public const int MaxEmptySteps = 100_000;

    private static readonly EvaluationOptions Bounded = new() { MaxUnmatchedIncrementsLimit = MaxEmptySteps };

    /// <summary>
    /// True when DTSTART is an RFC 5545 DATE rather than a DATE-TIME: instances are whole days (their
    /// local start is midnight) and BYHOUR, BYMINUTE and BYSECOND do not apply. Activities always
    /// have a due time and leave this false; whole-day calendars and the RFC 5545 vectors use it.
    /// </summary>
    public bool AllDay { get; init; }

    /// <summary>The problems with this schedule, each naming its field; empty when it is usable.</summary>
    public IReadOnlyList<(string Field, string Message)> Validate()
    {
        var errors = new List<(string, string)>();
        var rule = Normalise(Rrule);
        if (rule.Length == 0)
        {
            errors.Add(("rrule", "A recurrence rule is required, e.g. FREQ=MONTHLY;BYMONTHDAY=1."));
        }
        else if (rule.Length > Activity.RruleMaxLength)
        {
            errors.Add(("rrule", $"The recurrence rule is longer than {Activity.RruleMaxLength} characters."));
        }
        else
        {
            try
            {
                if (NotAllowed(new RecurrencePattern(rule)) is string problem)
                {
                    errors.Add(("rrule", $"The recurrence rule is not valid RFC 5545: {problem}"));
                }
            }
            catch (ArgumentException e)
            {
                errors.Add(("rrule", $"The recurrence rule is not valid RFC 5545: {FirstSentence(e.Message)}"));
            }
        }

        if (!IsKnownTimeZone(TimeZone))
        {
            errors.Add(("timeZone", $"'{TimeZone}' is not a known IANA time zone (e.g. Europe/London, America/New_York, UTC)."));
        }
        else if (errors.Count == 0 && Next(DtStart, 1).Count == 0)
        {
            errors.Add(("rrule", "The recurrence rule gives no dates from the start date on (e.g. 30 February, or UNTIL before the start)."));
        }

        foreach (var date in ExceptionDates)
        {
            if (!TryParseLocal(date, out _))
            {
                errors.Add(("exceptionDates", $"'{date}' is not a local date-time like 2026-12-25T09:00:00."));
            }
        }

        return errors;
    }

    /// <summary>Throws <see cref="Common.UseCaseException"/> naming the first problem.</summary>
    public void EnsureValid()
    {
        var errors = Validate();
        if (errors.Count > 0)
        {
            throw Common.UseCaseException.Invalid(errors[0].Field, errors[0].Message);
        }
    }

    /// <summary>
    /// Instances whose local start is in [<paramref name="fromLocal"/>, <paramref name="toLocal"/>), in
    /// order. Expansion ends early, without an error, when the rule stops matching for
    /// <see cref="MaxEmptySteps"/> steps or runs past the last representable date.
    /// </summary>
    public IEnumerable<ScheduledInstance> Expand(DateTime fromLocal, DateTime toLocal, int max = 10_000)
    {
        var ev = ToEvent();
        var from = AllDay
            ? new CalDateTime(DateOnly.FromDateTime(fromLocal))
            : new CalDateTime(DateTime.SpecifyKind(fromLocal, DateTimeKind.Unspecified), TimeZone);
        var count = 0;

        // From DTSTART on, let Ical.Net start at DTSTART itself: given a start equal to DTSTART,
        // Ical.Net 5.2.4 loses an instance of week-numbered rules whose week began the year before
        // (FREQ=YEARLY;BYWEEKNO=53 from 2 January 2016).
        using var occurrences = ev.GetOccurrences(fromLocal <= DtStart ? null : from, Bounded).GetEnumerator();
        while (count < max && TryMoveNext(occurrences, out var occurrence))
        {
            var start = occurrence.Period.StartTime;
            var local = DateTime.SpecifyKind(start.Value, DateTimeKind.Unspecified);
            if (local >= toLocal)
            {
                yield break;
            }

            if (local < fromLocal)
            {
                continue;
            }

            count++;
            // A DATE has no zone of its own; its instant is the start of that day in the schedule's zone.
            var utc = start.HasTime ? start.AsUtc : new CalDateTime(local, TimeZone).AsUtc;
            yield return new ScheduledInstance(local, new DateTimeOffset(utc, TimeSpan.Zero));
        }
    }

    /// <summary>The next <paramref name="count"/> instances on or after <paramref name="fromLocal"/>.</summary>
    public IReadOnlyList<ScheduledInstance> Next(DateTime fromLocal, int count) =>
        [.. Expand(fromLocal, DateTime.MaxValue.AddYears(-1), count)];

    /// <summary>This schedule as an Ical.Net event, ready for expansion or for a calendar file.</summary>
    public CalendarEvent ToEvent()
    {
        var ev = new CalendarEvent
        {
            DtStart = AllDay
                ? new CalDateTime(DateOnly.FromDateTime(DtStart))
                : new CalDateTime(DateTime.SpecifyKind(DtStart, DateTimeKind.Unspecified), TimeZone),
            RecurrenceRule = new RecurrencePattern(Normalise(Rrule)),
        };
        foreach (var date in ExceptionDates)
        {
            if (TryParseLocal(date, out var local))
            {
                ev.ExceptionDates.Add(AllDay ? new CalDateTime(DateOnly.FromDateTime(local)) : new CalDateTime(local, TimeZone));
            }
        }

        return ev;
    }

    /// <summary>Strips a leading "RRULE:" and surrounding blanks; upper-cases the rule.</summary>
    public static string Normalise(string? rrule)
    {
        var rule = (rrule ?? "").Trim();
        if (rule.StartsWith("RRULE:", StringComparison.OrdinalIgnoreCase))
        {
            rule = rule[6..].Trim();
        }

        return rule.ToUpperInvariant();
    }

    public static bool TryParseLocal(string text, out DateTime local)
    {
        string[] formats = [ExceptionDateFormat, "yyyy-MM-dd'T'HH:mm", "yyyyMMdd'T'HHmmss", "yyyy-MM-dd"];
        var ok = DateTime.TryParseExact(text?.Trim(), formats, CultureInfo.InvariantCulture, DateTimeStyles.None, out local);
        local = DateTime.SpecifyKind(local, DateTimeKind.Unspecified);
        return ok;
    }

    public static bool IsKnownTimeZone(string? id)
    {
        if (string.IsNullOrWhiteSpace(id) || id.Length > 64)
        {
            return false;
        }

        try
        {
            _ = new CalDateTime(new DateTime(2026, 1, 1, 0, 0, 0, DateTimeKind.Unspecified), id).AsUtc;
            return TimeZoneInfo.TryFindSystemTimeZoneById(id, out _);
        }
        catch (ArgumentException)
        {
            return false;
        }
    }

    /// <summary>
    /// A wall-clock time in <paramref name="timeZone"/> as an instant. A time in a spring-forward gap
    /// is read with the offset in force before the gap, so it moves forward by the gap's length
    /// (01:30 on the day London's clocks go forward is 02:30 BST), as RFC 5545 says; an ambiguous time
    /// is the first of the two.
    /// </summary>
    public static ScheduledInstance ResolveWallClock(DateTime local, string timeZone)
    {
        var zone = TimeZoneInfo.FindSystemTimeZoneById(timeZone);
        var wall = DateTime.SpecifyKind(local, DateTimeKind.Unspecified);
        if (zone.IsInvalidTime(wall))
        {
            var before = zone.GetUtcOffset(wall.AddDays(-1));
            var instant = new DateTimeOffset(wall - before, TimeSpan.Zero);
            return new ScheduledInstance(DateTime.SpecifyKind(TimeZoneInfo.ConvertTime(instant, zone).DateTime, DateTimeKind.Unspecified), instant);
        }

        var offset = zone.IsAmbiguousTime(wall) ? zone.GetAmbiguousTimeOffsets(wall).Max() : zone.GetUtcOffset(wall);
        return new ScheduledInstance(wall, new DateTimeOffset(wall - offset, TimeSpan.Zero));
    }

    /// <summary>The local time now in <paramref name="timeZone"/>.</summary>
    public static DateTime LocalNow(DateTimeOffset now, string timeZone) =>
        DateTime.SpecifyKind(TimeZoneInfo.ConvertTime(now, TimeZoneInfo.FindSystemTimeZoneById(timeZone)).DateTime, DateTimeKind.Unspecified);

    /// <summary>
    /// Rule parts RFC 5545 (3.3.10) does not allow with the rule's frequency. Ical.Net accepts them
    /// and silently ignores them (FREQ=MONTHLY;BYYEARDAY=100 falls on the 1st of every month), so
    /// they are refused rather than giving dates nobody asked for.
    /// </summary>
    private static string? NotAllowed(RecurrencePattern pattern)
    {
        var frequency = pattern.Frequency;
        if (pattern.ByWeekNo.Count > 0 && frequency != FrequencyType.Yearly)
        {
            return "BYWEEKNO is only allowed with FREQ=YEARLY.";
        }

        if (pattern.ByYearDay.Count > 0 && frequency is FrequencyType.Daily or FrequencyType.Weekly or FrequencyType.Monthly)
        {
            return "BYYEARDAY is not allowed with FREQ=DAILY, WEEKLY or MONTHLY.";
        }

        if (pattern.ByMonthDay.Count > 0 && frequency == FrequencyType.Weekly)
        {
            return "BYMONTHDAY is not allowed with FREQ=WEEKLY.";
        }

        if (pattern.ByDay.Any(d => d.Offset is not null)
            && (frequency is not (FrequencyType.Monthly or FrequencyType.Yearly) || (frequency == FrequencyType.Yearly && pattern.ByWeekNo.Count > 0)))
        {
            return "a numbered BYDAY (such as 1MO or -1FR) is only allowed with FREQ=MONTHLY, or FREQ=YEARLY without BYWEEKNO.";
        }

        var hasOtherBy = pattern.BySecond.Count + pattern.ByMinute.Count + pattern.ByHour.Count + pattern.ByDay.Count
            + pattern.ByMonthDay.Count + pattern.ByYearDay.Count + pattern.ByWeekNo.Count + pattern.ByMonth.Count > 0;
        return pattern.BySetPosition.Count > 0 && !hasOtherBy ? "BYSETPOS needs another BY... rule part to pick from." : null;
    }

    private static bool TryMoveNext(IEnumerator<IcalOccurrence> occurrences, [System.Diagnostics.CodeAnalysis.NotNullWhen(true)] out IcalOccurrence? occurrence)
    {
        try
        {
            if (occurrences.MoveNext())
            {
                occurrence = occurrences.Current;
                return true;
            }
        }
        catch (EvaluationException)
        {
            // Too many empty steps, or past 9999-12-31: the schedule has no further instances we can name.
        }

        occurrence = null;
        return false;
    }

    private static string FirstSentence(string message)
    {
        var cut = message.IndexOf(" (Parameter", StringComparison.Ordinal);
        return cut > 0 ? message[..cut] : message;
    }
}

using System.Globalization;
using Ical.Net.CalendarComponents;
using Ical.Net.DataTypes;

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
                _ = new RecurrencePattern(rule);
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

    /// <summary>Instances whose local start is in [<paramref name="fromLocal"/>, <paramref name="toLocal"/>), in order.</summary>
    public IEnumerable<ScheduledInstance> Expand(DateTime fromLocal, DateTime toLocal, int max = 10_000)
    {
        var ev = ToEvent();
        var from = new CalDateTime(DateTime.SpecifyKind(fromLocal, DateTimeKind.Unspecified), TimeZone);
        var count = 0;
        foreach (var occurrence in ev.GetOccurrences(from))
        {
            var start = occurrence.Period.StartTime;
            var local = DateTime.SpecifyKind(start.Value, DateTimeKind.Unspecified);
            if (local >= toLocal || count >= max)
            {
                yield break;
            }

            if (local < fromLocal)
            {
                continue;
            }

            count++;
            yield return new ScheduledInstance(local, new DateTimeOffset(start.AsUtc, TimeSpan.Zero));
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
            DtStart = new CalDateTime(DateTime.SpecifyKind(DtStart, DateTimeKind.Unspecified), TimeZone),
            RecurrenceRule = new RecurrencePattern(Normalise(Rrule)),
        };
        foreach (var date in ExceptionDates)
        {
            if (TryParseLocal(date, out var local))
            {
                ev.ExceptionDates.Add(new CalDateTime(local, TimeZone));
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

    /// <summary>The local time now in <paramref name="timeZone"/>.</summary>
    public static DateTime LocalNow(DateTimeOffset now, string timeZone) =>
        DateTime.SpecifyKind(TimeZoneInfo.ConvertTime(now, TimeZoneInfo.FindSystemTimeZoneById(timeZone)).DateTime, DateTimeKind.Unspecified);

    private static string FirstSentence(string message)
    {
        var cut = message.IndexOf(" (Parameter", StringComparison.Ordinal);
        return cut > 0 ? message[..cut] : message;
    }
}

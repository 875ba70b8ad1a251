using System.Globalization;
using System.Text.RegularExpressions;
using Perennial.Activities;
using Quartz;

namespace Perennial.Evidence.Collectors;

/// <summary>
/// When a collector runs: an RFC 5545 RRULE from a local start (expanded by Ical.Net through
/// <see cref="ActivitySchedule"/>), or a cron expression (Quartz's <see cref="CronExpression"/>), both
/// read in an IANA time zone.
/// </summary>
public sealed partial record CollectorSchedule(string? Rrule, string? Cron, DateTime DtStart, string TimeZone)
{
    /// <summary>The scheduler looks for due collectors once a minute; runs closer together than that cannot happen.</summary>
    public static readonly TimeSpan MinimumInterval = TimeSpan.FromMinutes(1);

    private static readonly CultureInfo Culture = CultureInfo.InvariantCulture;

    public bool IsCron => !string.IsNullOrWhiteSpace(Cron);

    /// <summary>The problems with this schedule, each naming its field; empty when it is usable.</summary>
    public IReadOnlyList<(string Field, string Message)> Validate(DateTimeOffset now)
    {
        var hasRule = !string.IsNullOrWhiteSpace(Rrule);
        if (hasRule == IsCron)
        {
            return [("schedule", "Give either rrule (e.g. FREQ=DAILY;BYHOUR=2) or cron (e.g. 0 2 * * *), not both and not neither.")];
        }

        if (!ActivitySchedule.IsKnownTimeZone(TimeZone))
        {
            return [("timeZone", $"'{TimeZone}' is not a known IANA time zone (e.g. Europe/London, America/New_York, UTC).")];
        }

        if (hasRule)
        {
            var errors = new ActivitySchedule(Rrule!, DtStart, TimeZone, []).Validate();
            if (errors.Count > 0)
            {
                return errors;
            }
        }
        else
        {
            if (Cron!.Trim().Length > Collector.CronMaxLength)
            {
                return [("cron", $"The cron expression is longer than {Collector.CronMaxLength} characters.")];
            }

            if (ToQuartz(Cron, out var problem) is null)
            {
                return [("cron", problem!)];
            }
        }

        var next = Upcoming(now, 2);
        if (next.Count == 0)
        {
            return [(hasRule ? "rrule" : "cron", "The schedule gives no future run.")];
        }

        if (next.Count == 2 && next[1] - next[0] < MinimumInterval)
        {
            return [(hasRule ? "rrule" : "cron", "The schedule runs more often than once a minute; collectors run at most every minute.")];
        }

        return [];
    }

    /// <summary>The first run strictly after <paramref name="after"/>; null when the schedule has ended.</summary>
    public DateTimeOffset? NextAfter(DateTimeOffset after) => Upcoming(after, 1) is [var first, ..] ? first : null;

    /// <summary>The next <paramref name="count"/> runs strictly after <paramref name="after"/>.</summary>
    public IReadOnlyList<DateTimeOffset> Upcoming(DateTimeOffset after, int count)
    {
        var runs = new List<DateTimeOffset>(count);
        if (IsCron)
        {
            if (ToQuartz(Cron, out _) is not { } expression)
            {
                return runs;
            }

            var cron = new CronExpression(expression, TimeZoneInfo.FindSystemTimeZoneById(TimeZone));
            var from = after;
            while (runs.Count < count && cron.GetNextValidTimeAfter(from) is { } next)
            {
                runs.Add(next.ToUniversalTime());
                from = next;
            }

            return runs;
        }

        var schedule = new ActivitySchedule(Rrule ?? "", DtStart, TimeZone, []);
        var local = ActivitySchedule.LocalNow(after, TimeZone);
        // Ask from the current local minute and skip what is not strictly later: a zone's
        // repeated hour can put an instance's local time before "now" while its instant is after.
        foreach (var instance in schedule.Expand(local.AddHours(-1), DateTime.MaxValue.AddYears(-1), count + 200))
        {
            if (instance.Utc > after)
            {
                runs.Add(instance.Utc);
                if (runs.Count == count)
                {
                    break;
                }
            }
        }

        return runs;
    }

    /// <summary>The schedule in words, e.g. "Daily at 02:00 (Europe/London)" or "cron 0 2 * * * (UTC)".</summary>
    public string Describe()
    {
        if (IsCron)
        {
            return $"cron {Cron!.Trim()} ({TimeZone})";
        }

        var words = ScheduleWords.Describe(Rrule, DateOnly.FromDateTime(DtStart));
        var coarse = words.StartsWith("Every", StringComparison.Ordinal) && (words.Contains("minute", StringComparison.Ordinal) || words.Contains("hour", StringComparison.Ordinal));
        return coarse || words.StartsWith("Hourly", StringComparison.Ordinal)
            ? $"{words} ({TimeZone})"
            : $"{words} at {DtStart.ToString("HH:mm", Culture)} ({TimeZone})";
    }

    /// <summary>
    /// A cron expression in Quartz's form. Five fields are classic cron (minute hour day month
    /// weekday, Sunday 0 or 7); six or seven are Quartz's own, with seconds first.
    /// </summary>
    public static string? ToQuartz(string? cron, out string? problem)
    {
        problem = null;
        var fields = (cron ?? "").Split([' ', '\t'], StringSplitOptions.RemoveEmptyEntries);
        string expression;
        if (fields.Length == 5)
        {
            var (minute, hour, dayOfMonth, month, dayOfWeek) = (fields[0], fields[1], fields[2], fields[3], fields[4]);
            // Quartz numbers weekdays 1 (Sunday) to 7 and wants '?' in one of the two day fields.
            dayOfWeek = WeekdayNumber().Replace(dayOfWeek, m => ((int.Parse(m.Value, Culture) % 7) + 1).ToString(Culture));
            if (dayOfWeek == "*")
            {
                dayOfWeek = "?";
            }
            else if (dayOfMonth == "*")
            {
                dayOfMonth = "?";
            }
            else
            {
                problem = "The cron expression restricts both the day of the month and the weekday; restrict one and leave the other '*'.";
                return null;
            }

            expression = $"0 {minute} {hour} {dayOfMonth} {month} {dayOfWeek}";
        }
        else if (fields.Length is 6 or 7)
        {
            expression = string.Join(' ', fields);
        }
        else
        {
            problem = "A cron expression has 5 fields (minute hour day-of-month month day-of-week), e.g. '0 2 * * *' for 02:00 every day.";
            return null;
        }

        try
        {
            _ = new CronExpression(expression);
            return expression;
        }
        catch (FormatException e)
        {
            problem = $"The cron expression is not valid: {e.Message}";
            return null;
        }
    }

    [GeneratedRegex("[0-9]+")]
    private static partial Regex WeekdayNumber();
}

using System.Globalization;
using Ical.Net;
using Ical.Net.DataTypes;

namespace Perennial.Activities;

/// <summary>The plain schedule choices the forms offer, each turned into an RRULE.</summary>
public static class SchedulePresets
{
    public const string Monthly = "monthly";
    public const string Quarterly = "quarterly";
    public const string HalfYearly = "half-yearly";
    public const string Yearly = "yearly";
    public const string LastWorkingDayOfQuarter = "last-working-day-of-quarter";
    public const string Custom = "custom";

    public static readonly IReadOnlyList<(string Key, string Label)> All =
    [
        (Monthly, "Monthly"),
        (Quarterly, "Quarterly"),
        (HalfYearly, "Every 6 months"),
        (Yearly, "Yearly"),
        (LastWorkingDayOfQuarter, "Last working day of each quarter"),
        (Custom, "Custom rule (RRULE)"),
    ];

    /// <summary>The RRULE for a preset starting on <paramref name="start"/>; null for custom or unknown keys.</summary>
    public static string? Rule(string? preset, DateOnly start)
    {
        // From the 29th on, "the same day each month" would skip short months; use the last day instead.
        var lastDay = start.Day > 28 ? ";BYMONTHDAY=-1" : "";
        return preset switch
        {
            Monthly => "FREQ=MONTHLY" + lastDay,
            Quarterly => "FREQ=MONTHLY;INTERVAL=3" + lastDay,
            HalfYearly => "FREQ=MONTHLY;INTERVAL=6" + lastDay,
            Yearly => "FREQ=YEARLY",
            LastWorkingDayOfQuarter => "FREQ=MONTHLY;BYMONTH=3,6,9,12;BYDAY=MO,TU,WE,TH,FR;BYSETPOS=-1",
            _ => null,
        };
    }

    /// <summary>Which preset a rule is, if it is one (for showing the form).</summary>
    public static string Recognise(string? rrule, DateOnly start)
    {
        var rule = ActivitySchedule.Normalise(rrule);
        foreach (var (key, _) in All)
        {
            if (key != Custom && Rule(key, start) == rule)
            {
                return key;
            }
        }

        return Custom;
    }
}

/// <summary>Describes a recurrence rule in words ("Every 3 months on the last day").</summary>
public static class ScheduleWords
{
    private static readonly CultureInfo En = CultureInfo.GetCultureInfo("en-GB");

    public static string Describe(string? rrule, DateOnly start)
    {
        RecurrencePattern pattern;
        try
        {
            pattern = new RecurrencePattern(ActivitySchedule.Normalise(rrule));
        }
        catch (ArgumentException)
        {
            return "Invalid rule";
        }

        var interval = Math.Max(1, pattern.Interval);
        var text = pattern.Frequency switch
        {
            FrequencyType.Daily => interval == 1 ? "Daily" : $"Every {interval} days",
            FrequencyType.Weekly => (interval == 1 ? "Weekly" : $"Every {interval} weeks") + OnWeekdays(pattern, start),
            FrequencyType.Monthly => Monthly(pattern, interval, start),
            FrequencyType.Yearly => (interval == 1 ? "Yearly" : $"Every {interval} years") + OnYearDay(pattern, start),
            FrequencyType.Hourly => interval == 1 ? "Hourly" : $"Every {interval} hours",
            FrequencyType.Minutely => interval == 1 ? "Every minute" : $"Every {interval} minutes",
            _ => "Custom rule",
        };

        if (pattern.Count is int count)
        {
            text += count == 1 ? ", once" : $", {count} times";
        }
        else if (pattern.Until is { } until)
        {
            text += $", until {until.Date.ToString("d MMM yyyy", En)}";
        }

        return text;
    }

    private static string Monthly(RecurrencePattern pattern, int interval, DateOnly start)
    {
        var quarterMonths = pattern.ByMonth.Count == 4 && pattern.ByMonth.Order().SequenceEqual([3, 6, 9, 12]);
        var head = quarterMonths && interval == 1 ? "Quarterly (Mar, Jun, Sep, Dec)"
            : pattern.ByMonth.Count > 0 ? (interval == 1 ? "Monthly" : $"Every {interval} months") + " in " + string.Join(", ", pattern.ByMonth.Order().Select(MonthName))
            : interval switch
            {
                1 => "Monthly",
                3 => "Quarterly",
                6 => "Every 6 months",
                12 => "Yearly",
                _ => $"Every {interval} months",
            };

        var workdays = pattern.ByDay.Count == 5 && pattern.ByDay.All(d => d.Offset is null && d.DayOfWeek is >= DayOfWeek.Monday and <= DayOfWeek.Friday);
        if (workdays && pattern.BySetPosition.Count == 1)
        {
            return head + " on the " + Ordinal(pattern.BySetPosition[0]) + " working day";
        }

        if (pattern.ByMonthDay.Count > 0)
        {
            return head + " on " + string.Join(", ", pattern.ByMonthDay.Select(d => d == -1 ? "the last day" : d < 0 ? $"the {Ordinal(d)} day" : $"day {d}"));
        }

        if (pattern.ByDay.Count > 0)
        {
            var days = pattern.ByDay.Select(d => (d.Offset is int o ? Ordinal(o) + " " : "") + d.DayOfWeek.ToString());
            var set = pattern.BySetPosition.Count == 1 ? " (the " + Ordinal(pattern.BySetPosition[0]) + " match)" : "";
            return head + " on the " + string.Join(", ", days) + set;
        }

        return head + $" on day {start.Day}";
    }

    private static string OnWeekdays(RecurrencePattern pattern, DateOnly start) =>
        pattern.ByDay.Count == 0 ? $" on {start.DayOfWeek}" : " on " + string.Join(", ", pattern.ByDay.Select(d => d.DayOfWeek.ToString()));

    private static string OnYearDay(RecurrencePattern pattern, DateOnly start)
    {
        if (pattern.ByMonth.Count == 0 && pattern.ByMonthDay.Count == 0 && pattern.ByDay.Count == 0)
        {
            return " on " + start.ToString("d MMMM", En);
        }

        var months = pattern.ByMonth.Count > 0 ? " in " + string.Join(", ", pattern.ByMonth.Order().Select(MonthName)) : "";
        var days = pattern.ByMonthDay.Count > 0 ? " on " + string.Join(", ", pattern.ByMonthDay.Select(d => d == -1 ? "the last day" : $"day {d}")) : "";
        return months + days;
    }

    private static string MonthName(int month) => En.DateTimeFormat.GetAbbreviatedMonthName(month);

    private static string Ordinal(int n) => n switch
    {
        -1 => "last",
        -2 => "second-to-last",
        < 0 => $"{-n}th-from-last",
        1 => "first",
        2 => "second",
        3 => "third",
        _ => $"{n}th",
    };
}

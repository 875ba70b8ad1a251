using System.Globalization;

namespace Perennial.Reminders;

public enum ReminderStage
{
    /// <summary>Some days before the due date (the activity's lead times).</summary>
    Lead = 1,

    /// <summary>On the due date.</summary>
    Due = 2,

    /// <summary>From the day after the due date, again every week while the occurrence is open.</summary>
    Overdue = 3,
}

/// <summary>One reminder an occurrence gets: its kind name (lead-14, due, overdue-0, …) and the local day it belongs to.</summary>
public readonly record struct ReminderKind(ReminderStage Stage, int Number, DateOnly Day)
{
    /// <summary>lead-N (N days before due), due, overdue-K (K weeks after the first overdue day).</summary>
    public string Name => Stage switch
    {
        ReminderStage.Lead => "lead-" + Number.ToString(CultureInfo.InvariantCulture),
        ReminderStage.Due => "due",
        _ => "overdue-" + Number.ToString(CultureInfo.InvariantCulture),
    };
}

/// <summary>
/// Which reminder an open occurrence is owed on a given day. Days are local dates in the activity's
/// time zone: lead-N on due − N, due on the due date, overdue-0 the day after, overdue-1 a week
/// later, and so on. Only the latest kind whose day has come counts, so a sweep after a gap (or an
/// occurrence created late) never sends a reminder that a later one has made stale.
/// </summary>
public static class ReminderKinds
{
    public const string Digest = "digest";

    /// <summary>The audit forecast sent to each owner before an external audit.</summary>
    public const string ReadinessDigest = "readiness-digest";

    /// <summary>Days before an external audit that owners get the forecast.</summary>
    public static IReadOnlyList<int> ReadinessDigestDays { get; } = [30, 14, 7];
    public const int DaysBetweenEscalations = 7;

    /// <summary>The latest kind whose day is on or before <paramref name="today"/>; null when none has come yet.</summary>
    public static ReminderKind? Latest(DateOnly dueDate, IReadOnlyList<int> leadDays, DateOnly today)
    {
        ArgumentNullException.ThrowIfNull(leadDays);
        if (today > dueDate)
        {
            var weeks = (today.DayNumber - dueDate.DayNumber - 1) / DaysBetweenEscalations;
            return new ReminderKind(ReminderStage.Overdue, weeks, dueDate.AddDays(1 + (weeks * DaysBetweenEscalations)));
        }

        if (today == dueDate)
        {
            return new ReminderKind(ReminderStage.Due, 0, dueDate);
        }

        // The smallest lead time whose day has come is the most recent one.
        var daysBefore = dueDate.DayNumber - today.DayNumber;
        var lead = leadDays.Where(n => n > 0 && n >= daysBefore).DefaultIfEmpty(0).Min();
        return lead == 0 ? null : new ReminderKind(ReminderStage.Lead, lead, dueDate.AddDays(-lead));
    }

    /// <summary>True for the kinds that go to the escalation contact and that muting cannot stop (also action:overdue-N, check:overdue-N).</summary>
    public static bool IsEscalation(string kind) =>
        kind.StartsWith("overdue-", StringComparison.Ordinal) || kind.Contains(":overdue-", StringComparison.Ordinal);

    /// <summary>The ISO 8601 week a day belongs to, e.g. 2026-W12: the digest is sent once per week.</summary>
    public static string IsoWeek(DateOnly day)
    {
        var date = day.ToDateTime(TimeOnly.MinValue);
        return string.Create(CultureInfo.InvariantCulture, $"{ISOWeek.GetYear(date)}-W{ISOWeek.GetWeekOfYear(date):00}");
    }
}

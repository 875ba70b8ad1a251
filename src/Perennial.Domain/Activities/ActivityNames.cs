using System.Globalization;
using Perennial.Common;

namespace Perennial.Activities;

/// <summary>The names scripts and exports use for activity and occurrence values, and local date-time text.</summary>
public static class ActivityNames
{
    public const string LocalFormat = "yyyy-MM-dd'T'HH:mm:ss";
    public const string StatusNames = "upcoming, due-soon, overdue, completed-on-time, completed-late, skipped";

    public static string ToName(OccurrenceStatus status) => status switch
    {
        OccurrenceStatus.Upcoming => "upcoming",
        OccurrenceStatus.DueSoon => "due-soon",
        OccurrenceStatus.Overdue => "overdue",
        OccurrenceStatus.CompletedOnTime => "completed-on-time",
        OccurrenceStatus.CompletedLate => "completed-late",
        OccurrenceStatus.Skipped => "skipped",
        _ => throw new ArgumentOutOfRangeException(nameof(status)),
    };

    public static string ToLabel(OccurrenceStatus status) => status switch
    {
        OccurrenceStatus.Upcoming => "Upcoming",
        OccurrenceStatus.DueSoon => "Due soon",
        OccurrenceStatus.Overdue => "Overdue",
        OccurrenceStatus.CompletedOnTime => "Completed on time",
        OccurrenceStatus.CompletedLate => "Completed late",
        OccurrenceStatus.Skipped => "Skipped",
        _ => throw new ArgumentOutOfRangeException(nameof(status)),
    };

    public static OccurrenceStatus ParseStatus(string text, string field)
    {
        var name = (text ?? "").Trim();
        foreach (var status in Enum.GetValues<OccurrenceStatus>())
        {
            if (string.Equals(ToName(status), name, StringComparison.OrdinalIgnoreCase))
            {
                return status;
            }
        }

        throw UseCaseException.Invalid(field, $"{field} must be one of {StatusNames}.");
    }

    public static string ToName(ActivityState state) => state.ToString().ToLowerInvariant();

    public static ActivityState ParseState(string text, string field) => text.Trim().ToLowerInvariant() switch
    {
        "active" => ActivityState.Active,
        "paused" => ActivityState.Paused,
        "retired" => ActivityState.Retired,
        _ => throw UseCaseException.Invalid(field, $"{field} must be one of active, paused, retired."),
    };

    public static string ToName(ScheduleSource source) => source == ScheduleSource.CertificationCycle ? "certification-cycle" : "rule";

    public static ScheduleSource ParseSource(string text) => text.Trim().ToLowerInvariant() switch
    {
        "rule" or "rrule" => ScheduleSource.Rule,
        "certification-cycle" or "cycle" => ScheduleSource.CertificationCycle,
        _ => throw UseCaseException.Invalid("scheduleSource", "scheduleSource must be rule or certification-cycle."),
    };

    public static string FormatLocal(DateTime local) => local.ToString(LocalFormat, CultureInfo.InvariantCulture);

    /// <summary>Parses a local date-time (2026-03-31T09:00[:00], or a date for 09:00); an offset or Z is refused because the zone is given separately.</summary>
    public static DateTime ParseLocal(string? text, string field)
    {
        var value = (text ?? "").Trim();
        if (value.Length == 0)
        {
            throw UseCaseException.Invalid(field, $"{field} is required, as a local date-time like 2026-03-31T09:00:00.");
        }

        if (value.EndsWith('Z') || (value.Length > 19 && (value[19..].Contains('+', StringComparison.Ordinal) || value[19..].Contains('-', StringComparison.Ordinal))))
        {
            throw UseCaseException.Invalid(field, $"{field} is a local date-time without offset (the time zone is given separately), e.g. 2026-03-31T09:00:00.");
        }

        if (DateOnly.TryParseExact(value, "yyyy-MM-dd", CultureInfo.InvariantCulture, DateTimeStyles.None, out var date))
        {
            return date.ToDateTime(ActivityDefaults.DueTime);
        }

        string[] formats = [LocalFormat, "yyyy-MM-dd'T'HH:mm", "yyyyMMdd'T'HHmmss"];
        return DateTime.TryParseExact(value, formats, CultureInfo.InvariantCulture, DateTimeStyles.None, out var local)
            ? DateTime.SpecifyKind(local, DateTimeKind.Unspecified)
            : throw UseCaseException.Invalid(field, $"'{value}' is not a local date-time like 2026-03-31T09:00:00.");
    }

    /// <summary>Reads ?from=&amp;to= dates (a date-time's date part is used); defaults to the current calendar year.</summary>
    public static (DateOnly From, DateOnly To) ReadRange(string? from, string? to, TimeProvider time)
    {
        ArgumentNullException.ThrowIfNull(time);
        var today = DateOnly.FromDateTime(time.GetUtcNow().UtcDateTime);
        var start = from is null ? new DateOnly(today.Year, 1, 1) : ParseDate(from, "from");
        var end = to is null ? new DateOnly(start.Year, 12, 31) : ParseDate(to, "to");
        if (end < start)
        {
            throw UseCaseException.Invalid("to", "'to' must not be before 'from'.");
        }

        return (start, end);
    }

    public static DateOnly ParseDate(string text, string field)
    {
        var value = (text ?? "").Trim();
        if (DateOnly.TryParseExact(value, "yyyy-MM-dd", CultureInfo.InvariantCulture, DateTimeStyles.None, out var date))
        {
            return date;
        }

        if (DateTimeOffset.TryParse(value, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out var instant) && value.Length >= 10)
        {
            return DateOnly.FromDateTime(instant.DateTime);
        }

        throw UseCaseException.Invalid(field, $"'{Shorten(value)}' is not a date like 2026-03-31.");
    }

    private static string Shorten(string text) => text.Length > 40 ? text[..40] + "…" : text;
}

using System.Globalization;
using Microsoft.AspNetCore.Mvc.ModelBinding;
using Microsoft.EntityFrameworkCore;
using Perennial.Activities;
using Perennial.Common;
using Perennial.Data;
using Perennial.Organisations;
using Perennial.Paging;

namespace Perennial.Pages.O.Activities;

/// <summary>
/// An activity's fields as the new and edit forms post them. Everything arrives as text so that a
/// bad value is refused with a message naming its field rather than silently becoming null.
/// </summary>
public sealed class ActivityForm
{
    public string? Title { get; set; }
    public string? Description { get; set; }
    public Guid? OwnerUserId { get; set; }
    public Guid? DeputyUserId { get; set; }
    public Guid? EscalationUserId { get; set; }
    public string? Schedule { get; set; } = SchedulePresets.Quarterly;
    public string? Rrule { get; set; }
    public string? StartDate { get; set; }
    public string? StartTime { get; set; } = "09:00";
    public string? TimeZone { get; set; } = "UTC";

    /// <summary>An IANA id typed by hand; when given it wins over the list.</summary>
    public string? TimeZoneOther { get; set; }

    /// <summary>Excluded dates or date-times, one per line (or separated by commas).</summary>
    public string? ExceptionDates { get; set; }
    public string? GraceDays { get; set; } = ActivityDefaults.GraceDays.ToString(CultureInfo.InvariantCulture);
    public string? ReminderLeadDays { get; set; } = string.Join(", ", ActivityDefaults.ReminderLeadDays);

    /// <summary>One evidence item per line.</summary>
    public string? EvidenceRequired { get; set; }

    /// <summary>Days after its period that evidence stays fresh; empty for no requirement.</summary>
    public string? EvidenceFreshnessDays { get; set; }
    public List<Guid> ControlIds { get; set; } = [];
    public List<Guid> FrameworkIds { get; set; } = [];
    public string? State { get; set; } = "active";

    public string EffectiveTimeZone => string.IsNullOrWhiteSpace(TimeZoneOther) ? (TimeZone ?? "").Trim() : TimeZoneOther.Trim();

    public bool IsCustom => Schedule == SchedulePresets.Custom;

    /// <summary>DTSTART as the form gives it; throws naming the field.</summary>
    public DateTime DtStart()
    {
        var date = (StartDate ?? "").Trim();
        if (!DateOnly.TryParseExact(date, "yyyy-MM-dd", CultureInfo.InvariantCulture, DateTimeStyles.None, out var day))
        {
            throw UseCaseException.Invalid("startDate", date.Length == 0 ? "A start date is required." : $"'{Shorten(date)}' is not a date like 2026-03-31.");
        }

        var timeText = (StartTime ?? "").Trim();
        var time = ActivityDefaults.DueTime;
        if (timeText.Length > 0 && !TimeOnly.TryParseExact(timeText, ["HH:mm", "HH:mm:ss"], CultureInfo.InvariantCulture, DateTimeStyles.None, out time))
        {
            throw UseCaseException.Invalid("startTime", $"'{Shorten(timeText)}' is not a time like 09:00.");
        }

        return day.ToDateTime(time, DateTimeKind.Unspecified);
    }

    /// <summary>The RRULE the schedule choice stands for; throws naming the field.</summary>
    public string ResolveRule(DateOnly start)
    {
        if (IsCustom)
        {
            return string.IsNullOrWhiteSpace(Rrule)
                ? throw UseCaseException.Invalid("rrule", "Type a recurrence rule, e.g. FREQ=MONTHLY;BYMONTHDAY=1, or choose one of the plain schedules.")
                : Rrule;
        }

        return SchedulePresets.Rule(Schedule, start) ?? throw UseCaseException.Invalid("schedule", "Choose how often the activity recurs.");
    }

    public IReadOnlyList<string> ExceptionDateList() => Lines(ExceptionDates, splitCommas: true);

    /// <summary>The schedule as the form describes it, for the preview.</summary>
    public ActivitySchedule ToSchedule()
    {
        var start = DtStart();
        return new ActivitySchedule(ResolveRule(DateOnly.FromDateTime(start)), start, EffectiveTimeZone, ExceptionDateList());
    }

    /// <summary>The use case's input. Cycle-driven activities keep their schedule source and start.</summary>
    public ActivityInput ToInput(Activity? current)
    {
        var source = current?.ScheduleSource ?? ScheduleSource.Rule;
        var title = Title ?? "";
        if (OwnerUserId is not Guid owner)
        {
            throw UseCaseException.Invalid("ownerUserId", "Choose the activity's owner.");
        }

        DateTime start;
        string? rule;
        if (source == ScheduleSource.CertificationCycle)
        {
            start = current!.DtStart;
            rule = null;
        }
        else
        {
            start = DtStart();
            rule = ResolveRule(DateOnly.FromDateTime(start));
        }

        int grace;
        var graceText = (GraceDays ?? "").Trim();
        if (graceText.Length == 0)
        {
            grace = ActivityDefaults.GraceDays;
        }
        else if (!int.TryParse(graceText, NumberStyles.Integer, CultureInfo.InvariantCulture, out grace))
        {
            throw UseCaseException.Invalid("graceDays", $"The grace period is a whole number of days, not '{Shorten(graceText)}'.");
        }

        var leads = new List<int>();
        foreach (var text in Lines(ReminderLeadDays, splitCommas: true))
        {
            if (!int.TryParse(text, NumberStyles.Integer, CultureInfo.InvariantCulture, out var days))
            {
                throw UseCaseException.Invalid("reminderLeadDays", $"Reminder lead times are whole numbers of days separated by commas, like 14, 3; '{Shorten(text)}' is not.");
            }

            leads.Add(days);
        }

        int? freshness = null;
        var freshnessText = (EvidenceFreshnessDays ?? "").Trim();
        if (freshnessText.Length > 0)
        {
            freshness = int.TryParse(freshnessText, NumberStyles.Integer, CultureInfo.InvariantCulture, out var days) ? days
                : throw UseCaseException.Invalid("evidenceFreshnessDays", $"How recent evidence must be is a whole number of days, not '{Shorten(freshnessText)}'.");
        }

        return new ActivityInput(
            title, Description, owner, DeputyUserId, EscalationUserId, rule, start,
            source == ScheduleSource.CertificationCycle && string.IsNullOrWhiteSpace(EffectiveTimeZone) ? current!.TimeZone : EffectiveTimeZone,
            ExceptionDateList(), grace, leads, Lines(EvidenceRequired, splitCommas: false), ControlIds, FrameworkIds,
            ActivityNames.ParseState(State ?? "", "state"), source, current?.TemplateKey, freshness);
    }

    public static ActivityForm From(Activity activity)
    {
        ArgumentNullException.ThrowIfNull(activity);
        return new ActivityForm
        {
            Title = activity.Title,
            Description = activity.Description,
            OwnerUserId = activity.OwnerUserId,
            DeputyUserId = activity.DeputyUserId,
            EscalationUserId = activity.EscalationUserId,
            Schedule = SchedulePresets.Recognise(activity.Rrule, activity.StartDate),
            Rrule = activity.Rrule,
            StartDate = activity.StartDate.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture),
            StartTime = activity.StartTime.ToString("HH:mm", CultureInfo.InvariantCulture),
            TimeZone = activity.TimeZone,
            ExceptionDates = string.Join('\n', activity.ExceptionDates),
            GraceDays = activity.GraceDays.ToString(CultureInfo.InvariantCulture),
            ReminderLeadDays = string.Join(", ", activity.ReminderLeadDays),
            EvidenceRequired = string.Join('\n', activity.EvidenceRequired),
            EvidenceFreshnessDays = activity.EvidenceFreshnessDays?.ToString(CultureInfo.InvariantCulture),
            ControlIds = [.. activity.Controls.Select(c => c.ControlId)],
            FrameworkIds = [.. activity.Frameworks.Select(f => f.FrameworkId)],
            State = ActivityNames.ToName(activity.State),
        };
    }

    private static List<string> Lines(string? text, bool splitCommas)
    {
        char[] separators = splitCommas ? ['\n', '\r', ','] : ['\n', '\r'];
        return [.. (text ?? "").Split(separators, StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)];
    }

    private static string Shorten(string text) => text.Length > 40 ? text[..40] + "…" : text;
}

/// <summary>The time zones the forms list; any other IANA id can be typed.</summary>
public static class TimeZones
{
    public static readonly IReadOnlyList<string> Common =
    [
        "UTC",
        "Europe/London", "Europe/Dublin", "Europe/Lisbon", "Europe/Paris", "Europe/Brussels", "Europe/Amsterdam",
        "Europe/Luxembourg", "Europe/Berlin", "Europe/Zurich", "Europe/Vienna", "Europe/Madrid", "Europe/Rome",
        "Europe/Copenhagen", "Europe/Oslo", "Europe/Stockholm", "Europe/Helsinki", "Europe/Warsaw", "Europe/Prague",
        "Europe/Budapest", "Europe/Bucharest", "Europe/Athens", "Europe/Istanbul", "Europe/Kyiv",
        "Africa/Casablanca", "Africa/Lagos", "Africa/Johannesburg", "Africa/Nairobi",
        "Asia/Dubai", "Asia/Karachi", "Asia/Kolkata", "Asia/Bangkok", "Asia/Singapore", "Asia/Hong_Kong",
        "Asia/Shanghai", "Asia/Tokyo", "Asia/Seoul",
        "Australia/Perth", "Australia/Brisbane", "Australia/Sydney", "Australia/Melbourne", "Pacific/Auckland",
        "America/St_Johns", "America/Halifax", "America/Toronto", "America/New_York", "America/Chicago",
        "America/Denver", "America/Phoenix", "America/Los_Angeles", "America/Vancouver", "America/Anchorage",
        "Pacific/Honolulu", "America/Mexico_City", "America/Bogota", "America/Lima", "America/Santiago",
        "America/Sao_Paulo", "America/Argentina/Buenos_Aires",
    ];
}

/// <summary>The time zone picker: a list of common zones and a text field for any other IANA id.</summary>
public sealed record TimeZoneFieldModel(string Id, string Prefix, string? Value);

/// <summary>What the activity forms offer: members who can own activities, the organisation's controls and frameworks.</summary>
public sealed record ActivityFormOptions(
    IReadOnlyList<MemberSummary> People,
    IReadOnlyList<ControlChoice> Controls,
    IReadOnlyList<(Guid Id, string Name)> Frameworks)
{
    public static async Task<ActivityFormOptions> LoadAsync(Guid organisationId, OrganisationService organisations, PerennialDbContext db, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(organisations);
        ArgumentNullException.ThrowIfNull(db);
        var members = (await organisations.ListMembersAsync(organisationId, new PageRequest(1, PageRequest.MaxPageSize), ct)).Items;
        var people = members.Where(m => m.Active && m.Role >= OrgRole.Contributor).OrderBy(m => m.DisplayName, StringComparer.CurrentCultureIgnoreCase).ToList();
        var controls = await db.Controls.AsNoTracking()
            .Where(c => c.OrganisationId == organisationId && c.Kind != Perennial.Frameworks.ControlKind.Enhancement)
            .OrderBy(c => c.Framework!.Name).ThenBy(c => c.SortOrder)
            .Select(c => new ControlChoice(c.Id, c.FrameworkId, c.Framework!.Name, c.Identifier, c.LicensedTitle ?? c.Title))
            .ToListAsync(ct);
        var frameworks = (await db.Frameworks.AsNoTracking().Where(f => f.OrganisationId == organisationId).OrderBy(f => f.Name)
            .Select(f => new { f.Id, f.Name }).ToListAsync(ct)).Select(f => (f.Id, f.Name)).ToList();
        return new ActivityFormOptions(people, controls, frameworks);
    }
}

public sealed record ControlChoice(Guid Id, Guid FrameworkId, string FrameworkName, string Identifier, string Title);

/// <summary>What the shared activity fields render: the form, its choices, and the dates previewed for it.</summary>
public sealed record ActivityFormView(ActivityForm Form, ActivityFormOptions Options, bool CycleDriven, IReadOnlyList<string>? PreviewDates, string? PreviewWords);

/// <summary>Maps a use case's field name to the form field it came from, so the error sits beside it.</summary>
public static class FormErrors
{
    public static string Key(string? field) => field switch
    {
        null or "" => string.Empty,
        "dtStart" => "Form.StartDate",
        _ => $"Form.{char.ToUpperInvariant(field[0])}{field[1..]}",
    };

    /// <summary>The error messages recorded for one form field (e.g. "Rrule").</summary>
    public static IReadOnlyList<string> For(ModelStateDictionary state, string property)
    {
        ArgumentNullException.ThrowIfNull(state);
        return state.TryGetValue($"Form.{property}", out var entry) ? [.. entry.Errors.Select(e => e.ErrorMessage)] : [];
    }
}

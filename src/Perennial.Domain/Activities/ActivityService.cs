using System.Globalization;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Storage;
using Perennial.Common;
using Perennial.Data;
using Perennial.Organisations;
using Perennial.Paging;

namespace Perennial.Activities;

/// <summary>The editable fields of an activity. Null lists keep their defaults on create.</summary>
public sealed record ActivityInput(
    string Title,
    string? Description,
    Guid OwnerUserId,
    Guid? DeputyUserId,
    Guid? EscalationUserId,
    string? Rrule,
    DateTime DtStart,
    string TimeZone,
    IReadOnlyList<string>? ExceptionDates = null,
    int? GraceDays = null,
    IReadOnlyList<int>? ReminderLeadDays = null,
    IReadOnlyList<string>? EvidenceRequired = null,
    IReadOnlyList<Guid>? ControlIds = null,
    IReadOnlyList<Guid>? FrameworkIds = null,
    ActivityState State = ActivityState.Active,
    ScheduleSource ScheduleSource = ScheduleSource.Rule,
    string? TemplateKey = null,
    int? EvidenceFreshnessDays = null);

public sealed record ActivityQuery(Guid? OwnerUserId = null, Guid? ControlId = null, Guid? FrameworkId = null, ActivityState? State = null, string? Search = null);

/// <summary>
/// Activities and the occurrences their schedules produce. Occurrences are kept as rows up to a
/// horizon (<see cref="HorizonMonths"/> ahead) that the daily maintenance job moves forward.
/// </summary>
public sealed class ActivityService(PerennialDbContext db, TimeProvider time)
{
    /// <summary>How far ahead occurrences exist as rows: a whole three-year certification cycle and a bit.</summary>
    public const int HorizonMonths = 39;

    public async Task<Paged<Activity>> ListAsync(Guid organisationId, ActivityQuery query, PageRequest page, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(query);
        var activities = Filter(organisationId, query);
        return await activities
            .Include(a => a.Owner).Include(a => a.Deputy)
            .Include(a => a.Controls).Include(a => a.Frameworks)
            .OrderBy(a => a.Title).ThenBy(a => a.Reference)
            .AsNoTracking().AsSplitQuery()
            .ToPagedAsync(page, ct);
    }

    public IQueryable<Activity> Filter(Guid organisationId, ActivityQuery query)
    {
        ArgumentNullException.ThrowIfNull(query);
        var activities = db.Activities.Where(a => a.OrganisationId == organisationId);
        if (query.OwnerUserId is Guid owner)
        {
            activities = activities.Where(a => a.OwnerUserId == owner || a.DeputyUserId == owner);
        }

        if (query.ControlId is Guid control)
        {
            activities = activities.Where(a => a.Controls.Any(c => c.ControlId == control));
        }

        if (query.FrameworkId is Guid framework)
        {
            activities = activities.Where(a => a.Frameworks.Any(f => f.FrameworkId == framework)
                || a.Controls.Any(c => db.Controls.Any(k => k.Id == c.ControlId && k.FrameworkId == framework)));
        }

        if (query.State is ActivityState state)
        {
            activities = activities.Where(a => a.State == state);
        }

        if (!string.IsNullOrWhiteSpace(query.Search))
        {
            var term = query.Search.Trim().ToLowerInvariant();
#pragma warning disable CA1862 // ToLower().Contains translates to SQL on both providers.
            activities = activities.Where(a => a.Title.ToLower().Contains(term) || a.Reference.ToLower().Contains(term));
#pragma warning restore CA1862
        }

        return activities;
    }

    public async Task<Activity> GetAsync(Guid organisationId, Guid id, CancellationToken ct) =>
        await db.Activities
            .Include(a => a.Owner).Include(a => a.Deputy).Include(a => a.Escalation)
            .Include(a => a.Controls).Include(a => a.Frameworks)
            .AsSplitQuery()
            .FirstOrDefaultAsync(a => a.OrganisationId == organisationId && a.Id == id, ct)
        ?? throw UseCaseException.NotFound("No such activity in this organisation.");

    /// <summary>Creates an activity with the next reference (ACT-001, …) and its occurrences from today (or from DTSTART when <paramref name="includePast"/>).</summary>
    public async Task<Activity> CreateAsync(Guid organisationId, ActivityInput input, CancellationToken ct, bool includePast = false)
    {
        ArgumentNullException.ThrowIfNull(input);
        var clean = await ValidateAsync(organisationId, input, ct);
        await using var transaction = await BeginAsync(ct);
        await db.LockAsync($"activities:{organisationId}", ct);
        var number = await db.Activities.CountAsync(a => a.OrganisationId == organisationId, ct) + 1;
        var activity = new Activity
        {
            Id = Guid.NewGuid(),
            OrganisationId = organisationId,
            Reference = Reference(number),
            CreatedAt = time.GetUtcNow(),
            ScheduleChangedAt = time.GetUtcNow(),
        };
        while (await db.Activities.AnyAsync(a => a.OrganisationId == organisationId && a.Reference == activity.Reference, ct))
        {
            activity.Reference = Reference(++number);
        }

        Apply(activity, clean);
        db.Activities.Add(activity);
        await db.SaveChangesAsync(ct);
        await MaterialiseAsync(activity, includePast ? activity.StartDate : null, ct);
        await CommitAsync(transaction, ct);
        return activity;
    }

    /// <summary>Updates an activity. A schedule change moves future open occurrences only; past ones keep their dates and evidence.</summary>
    public async Task<Activity> UpdateAsync(Guid organisationId, Guid id, ActivityInput input, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(input);
        var clean = await ValidateAsync(organisationId, input, ct);
        var activity = await GetAsync(organisationId, id, ct);
        if (activity.TemplateKey is not null && clean.TemplateKey is null)
        {
            clean = clean with { TemplateKey = activity.TemplateKey };
        }

        var scheduleBefore = (activity.Rrule, activity.DtStart, activity.TimeZone, string.Join(',', activity.ExceptionDates), activity.State, activity.ScheduleSource);
        await using var transaction = await BeginAsync(ct);
        Apply(activity, clean);
        var scheduleAfter = (activity.Rrule, activity.DtStart, activity.TimeZone, string.Join(',', activity.ExceptionDates), activity.State, activity.ScheduleSource);
        if (scheduleBefore != scheduleAfter)
        {
            activity.ScheduleChangedAt = time.GetUtcNow();
        }

        await db.SaveChangesAsync(ct);
        if (scheduleBefore != scheduleAfter)
        {
            await MaterialiseAsync(activity, null, ct);
        }

        await CommitAsync(transaction, ct);
        return activity;
    }

    /// <summary>Pauses, resumes or retires an activity. Paused and retired activities have no future occurrences.</summary>
    public async Task<Activity> SetStateAsync(Guid organisationId, Guid id, ActivityState state, CancellationToken ct)
    {
        var activity = await GetAsync(organisationId, id, ct);
        if (activity.State == state)
        {
            return activity;
        }

        await using var transaction = await BeginAsync(ct);
        activity.State = state;
        activity.ScheduleChangedAt = time.GetUtcNow();
        await db.SaveChangesAsync(ct);
        await MaterialiseAsync(activity, null, ct);
        await CommitAsync(transaction, ct);
        return activity;
    }

    /// <summary>
    /// Deletes an activity that has no history yet (no occurrence completed, skipped, annotated or
    /// with evidence or a nonconformity). One with history is retired instead, so its record stays.
    /// </summary>
    public async Task DeleteAsync(Guid organisationId, Guid id, CancellationToken ct)
    {
        var activity = await GetAsync(organisationId, id, ct);
        var occurrences = await db.Occurrences.Where(o => o.ActivityId == id).Include(o => o.Evidence).ToListAsync(ct);
        if (occurrences.Any(o => o.State != OccurrenceState.Open || o.Evidence.Count > 0 || o.NonconformityId is not null || !string.IsNullOrEmpty(o.Notes))
            || await db.EvidenceItemLinks.AnyAsync(l => l.ActivityId == id, ct))
        {
            throw UseCaseException.Conflict("state", $"{activity.Reference} has a history (completed or skipped occurrences, or evidence); retire it instead (state: retired) so the record stays.");
        }

        await using var transaction = await BeginAsync(ct);
        db.Occurrences.RemoveRange(occurrences);
        db.Activities.Remove(activity);
        await db.SaveChangesAsync(ct);
        await CommitAsync(transaction, ct);
    }

    /// <summary>The next dates a schedule would produce, for the form's preview; validation errors throw.</summary>
    public IReadOnlyList<ScheduledInstance> Preview(ActivitySchedule schedule, int count = 5)
    {
        ArgumentNullException.ThrowIfNull(schedule);
        schedule.EnsureValid();
        var from = ActivitySchedule.LocalNow(time.GetUtcNow(), schedule.TimeZone).Date;
        return schedule.Next(from < schedule.DtStart ? schedule.DtStart : from, count);
    }

    /// <summary>
    /// Creates one activity per template, owned by <paramref name="ownerUserId"/>, each starting on
    /// its first natural date on or after <paramref name="startDate"/>. Templates the organisation
    /// already uses are skipped. Returns the new activities.
    /// </summary>
    public async Task<IReadOnlyList<Activity>> CreateFromTemplatesAsync(
        Guid organisationId, IReadOnlyList<string> templateKeys, Guid ownerUserId, DateOnly startDate, string timeZone, CancellationToken ct, bool includePast = false)
    {
        ArgumentNullException.ThrowIfNull(templateKeys);
        if (templateKeys.Count == 0)
        {
            throw UseCaseException.Invalid("templates", "Choose at least one template.");
        }

        var templates = new List<ActivityTemplate>();
        foreach (var key in templateKeys.Distinct(StringComparer.OrdinalIgnoreCase))
        {
            templates.Add(ActivityTemplates.Find(key) ?? throw UseCaseException.Invalid("templates", $"'{key}' is not a template. Known: {string.Join(", ", ActivityTemplates.All.Select(t => t.Key))}."));
        }

        var used = await db.Activities.Where(a => a.OrganisationId == organisationId && a.TemplateKey != null && a.State != ActivityState.Retired)
            .Select(a => a.TemplateKey!).ToListAsync(ct);
        var controls = await db.Controls.Where(c => c.OrganisationId == organisationId && c.Framework!.Key == Frameworks.Framework.IsoKey)
            .Select(c => new { c.Id, c.Identifier, c.FrameworkId }).ToListAsync(ct);
        await using var transaction = await BeginAsync(ct);
        var created = new List<Activity>();
        foreach (var template in templates.Where(t => !used.Contains(t.Key, StringComparer.OrdinalIgnoreCase)))
        {
            var linked = controls.Where(c => template.Controls.Contains(c.Identifier)).ToList();
            var input = new ActivityInput(
                template.Title, template.Procedure, ownerUserId, null, null,
                SchedulePresets.Rule(template.Preset, startDate),
                startDate.ToDateTime(ActivityDefaults.DueTime), timeZone,
                EvidenceRequired: template.Evidence,
                ControlIds: [.. linked.Select(c => c.Id)],
                FrameworkIds: [.. linked.Select(c => c.FrameworkId).Distinct()],
                ScheduleSource: template.Source,
                TemplateKey: template.Key,
                EvidenceFreshnessDays: template.EvidenceFreshnessDays);
            created.Add(await CreateAsync(organisationId, input, ct, includePast));
        }

        await CommitAsync(transaction, ct);
        return created;
    }

    /// <summary>Moves every active activity's horizon forward (daily job); returns the number of occurrences added.</summary>
    public async Task<int> ExtendHorizonsAsync(CancellationToken ct)
    {
        var ids = await db.Activities.Where(a => a.State == ActivityState.Active).Select(a => a.Id).ToListAsync(ct);
        var added = 0;
        foreach (var id in ids)
        {
            await using var transaction = await BeginAsync(ct);
            var activity = await db.Activities.FirstAsync(a => a.Id == id, ct);
            added += await MaterialiseAsync(activity, null, ct);
            await CommitAsync(transaction, ct);
            db.ChangeTracker.Clear();
        }

        return added;
    }

    /// <summary>Re-reads the certification cycles' audit dates into the cycle-driven activities of an organisation.</summary>
    public async Task SyncCycleActivitiesAsync(Guid organisationId, CancellationToken ct)
    {
        var activities = await db.Activities
            .Where(a => a.OrganisationId == organisationId && a.ScheduleSource == ScheduleSource.CertificationCycle)
            .ToListAsync(ct);
        foreach (var activity in activities)
        {
            await MaterialiseAsync(activity, null, ct);
        }
    }

    /// <summary>
    /// Makes the activity's open occurrences from <paramref name="fromDate"/> (default: today in its
    /// zone) to the horizon match its schedule: adds missing ones, moves open ones whose instant
    /// changed, and removes untouched open ones the schedule no longer has. Completed, skipped,
    /// moved-by-hand and annotated occurrences are left as they are.
    /// </summary>
    public async Task<int> MaterialiseAsync(Activity activity, DateOnly? fromDate, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(activity);
        var now = time.GetUtcNow();
        var today = DateOnly.FromDateTime(ActivitySchedule.LocalNow(now, activity.TimeZone));
        var from = fromDate ?? today;
        var horizon = new DateOnly(today.Year, today.Month, 1).AddMonths(HorizonMonths);

        var wanted = activity.State != ActivityState.Active ? []
            : activity.ScheduleSource == ScheduleSource.CertificationCycle ? await CycleInstancesAsync(activity, from, horizon, ct)
            : activity.Schedule.Expand(from.ToDateTime(TimeOnly.MinValue), horizon.ToDateTime(TimeOnly.MinValue))
                .Select(i => (i.Key, Instance: i, AuditId: (Guid?)null)).ToList();

        var existing = await db.Occurrences.Where(o => o.ActivityId == activity.Id).Include(o => o.Evidence).ToListAsync(ct);
        var byKey = existing.ToDictionary(o => o.RecurrenceKey, StringComparer.Ordinal);
        var wantedKeys = new HashSet<string>(wanted.Select(w => w.Key), StringComparer.Ordinal);
        var added = 0;
        foreach (var (key, instance, auditId) in wanted)
        {
            if (byKey.TryGetValue(key, out var occurrence))
            {
                if (occurrence.State == OccurrenceState.Open && !occurrence.Rescheduled && (occurrence.Due != instance.Local || occurrence.DueAt != instance.Utc))
                {
                    SetDue(occurrence, instance);
                    occurrence.Sequence++;
                    occurrence.UpdatedAt = now;
                }

                continue;
            }

            var created = new Occurrence
            {
                Id = Guid.NewGuid(),
                OrganisationId = activity.OrganisationId,
                ActivityId = activity.Id,
                RecurrenceKey = key,
                ExternalAuditId = auditId,
                UpdatedAt = now,
            };
            SetDue(created, instance);
            db.Occurrences.Add(created);
            added++;
        }

        foreach (var stale in existing.Where(o => o.DueDate >= from && o.State == OccurrenceState.Open && !o.Rescheduled
            && o.Evidence.Count == 0 && string.IsNullOrEmpty(o.Notes) && o.NonconformityId is null && !wantedKeys.Contains(o.RecurrenceKey)))
        {
            db.Occurrences.Remove(stale);
        }

        await db.SaveChangesAsync(ct);
        return added;
    }

    private async Task<List<(string Key, ScheduledInstance Instance, Guid? AuditId)>> CycleInstancesAsync(Activity activity, DateOnly from, DateOnly horizon, CancellationToken ct)
    {
        var audits = await db.ExternalAudits.Where(a => a.OrganisationId == activity.OrganisationId && a.PlannedDate >= from && a.PlannedDate < horizon)
            .Select(a => new { a.Id, a.PlannedDate }).ToListAsync(ct);
        return [.. audits.Select(a => ("audit:" + a.Id.ToString("N"),
            ActivitySchedule.ResolveWallClock(a.PlannedDate.ToDateTime(activity.StartTime, DateTimeKind.Unspecified), activity.TimeZone), (Guid?)a.Id))];
    }

    private static void SetDue(Occurrence occurrence, ScheduledInstance instance)
    {
        occurrence.DueDate = DateOnly.FromDateTime(instance.Local);
        occurrence.DueTime = TimeOnly.FromDateTime(instance.Local);
        occurrence.DueAt = instance.Utc;
    }

    private async Task<ActivityInput> ValidateAsync(Guid organisationId, ActivityInput input, CancellationToken ct)
    {
        var title = (input.Title ?? "").Trim();
        if (title.Length == 0)
        {
            throw UseCaseException.Invalid("title", "A title is required.");
        }

        if (title.Length > Activity.TitleMaxLength)
        {
            throw UseCaseException.Invalid("title", $"The title is longer than {Activity.TitleMaxLength} characters.");
        }

        var description = string.IsNullOrWhiteSpace(input.Description) ? null : input.Description.Trim();
        if (description?.Length > Activity.DescriptionMaxLength)
        {
            throw UseCaseException.Invalid("description", $"The procedure is longer than {Activity.DescriptionMaxLength} characters.");
        }

        if (!ActivitySchedule.IsKnownTimeZone(input.TimeZone))
        {
            throw UseCaseException.Invalid("timeZone", $"'{input.TimeZone}' is not a known IANA time zone (e.g. Europe/London, America/New_York, UTC).");
        }

        if (input.DtStart.Year is < 2000 or > 2100)
        {
            throw UseCaseException.Invalid("dtStart", "The start date must be between the years 2000 and 2100.");
        }

        var exceptions = (input.ExceptionDates ?? []).Select(d => d?.Trim() ?? "").Where(d => d.Length > 0).ToList();
        var normalisedExceptions = new List<string>();
        foreach (var text in exceptions)
        {
            if (!ActivitySchedule.TryParseLocal(text, out var local))
            {
                throw UseCaseException.Invalid("exceptionDates", $"'{text}' is not a local date-time like 2026-12-25T09:00:00.");
            }

            // A bare date excludes that day's instance at the activity's time.
            if (text.Length == 10)
            {
                local = local.Date + input.DtStart.TimeOfDay;
            }

            normalisedExceptions.Add(local.ToString(ActivitySchedule.ExceptionDateFormat, CultureInfo.InvariantCulture));
        }

        string? rrule = null;
        if (input.ScheduleSource == ScheduleSource.Rule)
        {
            rrule = ActivitySchedule.Normalise(input.Rrule);
            new ActivitySchedule(rrule, input.DtStart, input.TimeZone, normalisedExceptions).EnsureValid();
        }

        var grace = input.GraceDays ?? ActivityDefaults.GraceDays;
        if (grace is < 0 or > 365)
        {
            throw UseCaseException.Invalid("graceDays", "The grace period must be between 0 and 365 days.");
        }

        var leads = (input.ReminderLeadDays ?? ActivityDefaults.ReminderLeadDays).Distinct().OrderDescending().ToList();
        if (leads.Count > Activity.MaxLeadTimes || leads.Any(d => d is < 1 or > 365))
        {
            throw UseCaseException.Invalid("reminderLeadDays", $"Give up to {Activity.MaxLeadTimes} reminder lead times, each between 1 and 365 days before due.");
        }

        var evidence = (input.EvidenceRequired ?? []).Select(e => e?.Trim() ?? "").Where(e => e.Length > 0).Distinct(StringComparer.OrdinalIgnoreCase).ToList();
        if (evidence.Count > Activity.MaxEvidenceItems || evidence.Any(e => e.Length > Activity.EvidenceLabelMaxLength))
        {
            throw UseCaseException.Invalid("evidenceRequired", $"Name up to {Activity.MaxEvidenceItems} evidence items, each up to {Activity.EvidenceLabelMaxLength} characters.");
        }

        Evidence.EvidenceTimeline.CheckFreshness(input.EvidenceFreshnessDays);

        var today = DateOnly.FromDateTime(time.GetUtcNow().UtcDateTime);
        await CheckMemberAsync(organisationId, input.OwnerUserId, "ownerUserId", "owner", OrgRole.Contributor, today, ct);
        if (input.DeputyUserId is Guid deputy)
        {
            if (deputy == input.OwnerUserId)
            {
                throw UseCaseException.Invalid("deputyUserId", "The deputy must be someone other than the owner.");
            }

            await CheckMemberAsync(organisationId, deputy, "deputyUserId", "deputy", OrgRole.Contributor, today, ct);
        }

        if (input.EscalationUserId is Guid escalation)
        {
            await CheckMemberAsync(organisationId, escalation, "escalationUserId", "escalation contact", OrgRole.Contributor, today, ct);
        }

        var controlIds = (input.ControlIds ?? []).Distinct().ToList();
        if (controlIds.Count > 0 && await db.Controls.CountAsync(c => c.OrganisationId == organisationId && controlIds.Contains(c.Id), ct) != controlIds.Count)
        {
            throw UseCaseException.Invalid("controlIds", "One or more linked controls do not exist in this organisation.");
        }

        var frameworkIds = (input.FrameworkIds ?? []).Distinct().ToList();
        if (frameworkIds.Count > 0 && await db.Frameworks.CountAsync(f => f.OrganisationId == organisationId && frameworkIds.Contains(f.Id), ct) != frameworkIds.Count)
        {
            throw UseCaseException.Invalid("frameworkIds", "One or more linked frameworks do not exist in this organisation.");
        }

        if (!Enum.IsDefined(input.State))
        {
            throw UseCaseException.Invalid("state", "The state must be active, paused or retired.");
        }

        return input with
        {
            Title = title,
            Description = description,
            Rrule = rrule,
            DtStart = new DateTime(input.DtStart.Year, input.DtStart.Month, input.DtStart.Day, input.DtStart.Hour, input.DtStart.Minute, input.DtStart.Second, DateTimeKind.Unspecified),
            ExceptionDates = normalisedExceptions,
            GraceDays = grace,
            ReminderLeadDays = leads,
            EvidenceRequired = evidence,
            ControlIds = controlIds,
            FrameworkIds = frameworkIds,
        };
    }

    /// <summary>Finds a current member by e-mail address or user id; throws naming <paramref name="field"/> otherwise.</summary>
    public async Task<Guid> ResolveMemberAsync(Guid organisationId, string emailOrId, string field, CancellationToken ct)
    {
        var text = (emailOrId ?? "").Trim();
        var today = DateOnly.FromDateTime(time.GetUtcNow().UtcDateTime);
        var normalised = text.ToUpperInvariant();
        var members = db.Memberships.ActiveOn(today).Where(m => m.OrganisationId == organisationId);
        Guid? found = Guid.TryParse(text, out var id)
            ? await members.Where(m => m.UserId == id).Select(m => (Guid?)m.UserId).FirstOrDefaultAsync(ct)
            : await members.Where(m => m.User!.NormalizedEmail == normalised).Select(m => (Guid?)m.UserId).FirstOrDefaultAsync(ct);
        return found ?? throw UseCaseException.Invalid(field, $"'{text}' is not a current member of this organisation.");
    }

    private async Task CheckMemberAsync(Guid organisationId, Guid userId, string field, string what, OrgRole minimum, DateOnly today, CancellationToken ct)
    {
        var role = await db.Memberships.ActiveOn(today)
            .Where(m => m.OrganisationId == organisationId && m.UserId == userId)
            .Select(m => (OrgRole?)m.Role).FirstOrDefaultAsync(ct);
        if (role is null)
        {
            throw UseCaseException.Invalid(field, $"The {what} must be a current member of this organisation.");
        }

        if (role < minimum)
        {
            throw UseCaseException.Invalid(field, $"The {what} must be a contributor, manager or admin; auditors only read.");
        }
    }

    private static void Apply(Activity activity, ActivityInput clean)
    {
        activity.Title = clean.Title;
        activity.Description = clean.Description;
        activity.OwnerUserId = clean.OwnerUserId;
        activity.DeputyUserId = clean.DeputyUserId;
        activity.EscalationUserId = clean.EscalationUserId;
        activity.ScheduleSource = clean.ScheduleSource;
        activity.Rrule = clean.Rrule;
        activity.StartDate = DateOnly.FromDateTime(clean.DtStart);
        activity.StartTime = TimeOnly.FromDateTime(clean.DtStart);
        activity.TimeZone = clean.TimeZone;
        activity.ExceptionDates = [.. clean.ExceptionDates!];
        activity.GraceDays = clean.GraceDays!.Value;
        activity.ReminderLeadDays = [.. clean.ReminderLeadDays!];
        activity.EvidenceRequired = [.. clean.EvidenceRequired!];
        activity.EvidenceFreshnessDays = clean.EvidenceFreshnessDays;
        activity.State = clean.State;
        activity.TemplateKey = clean.TemplateKey;
        var controls = clean.ControlIds!;
        activity.Controls.RemoveAll(c => !controls.Contains(c.ControlId));
        foreach (var id in controls.Where(id => activity.Controls.All(c => c.ControlId != id)))
        {
            activity.Controls.Add(new ActivityControl { ActivityId = activity.Id, ControlId = id });
        }

        var frameworks = clean.FrameworkIds!;
        activity.Frameworks.RemoveAll(f => !frameworks.Contains(f.FrameworkId));
        foreach (var id in frameworks.Where(id => activity.Frameworks.All(f => f.FrameworkId != id)))
        {
            activity.Frameworks.Add(new ActivityFramework { ActivityId = activity.Id, FrameworkId = id });
        }
    }

    private static string Reference(int number) => $"ACT-{number:000}";

    private async Task<IDbContextTransaction?> BeginAsync(CancellationToken ct) =>
        db.Database.CurrentTransaction is null ? await db.Database.BeginTransactionAsync(ct) : null;

    private static async Task CommitAsync(IDbContextTransaction? transaction, CancellationToken ct)
    {
        if (transaction is not null)
        {
            await transaction.CommitAsync(ct);
        }
    }
}

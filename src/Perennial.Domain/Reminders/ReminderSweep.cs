using System.Globalization;
using Microsoft.EntityFrameworkCore;
using Perennial.Activities;
using Perennial.Certification;
using Perennial.Data;
using Perennial.InternalAudits;
using Perennial.Nonconformities;
using Perennial.Organisations;

namespace Perennial.Reminders;

public sealed record SweepResult(int NonconformitiesRaised, int Queued);

/// <summary>
/// Decides which reminders are owed at an instant and queues them in the outbox: lead-time
/// reminders and the due-today notice to the owner (the deputy gets the due notice too), weekly
/// escalations of overdue occurrences with a copy to the owner, the same events in the
/// organisation's chat channels, and Monday digests for those who asked. Each message has a dedup
/// key, so running the sweep again, or on two instances at once, queues nothing twice.
/// </summary>
public sealed class ReminderSweep(
    PerennialDbContext db, NonconformityService nonconformities, NonconformityWorkflow workflow, NotificationSettingsService settings, ReminderMessages messages,
    Readiness.ReadinessService readiness)
{
    /// <summary>How far ahead the weekly digest looks.</summary>
    public const int DigestDays = 30;

    private const int KeyChunk = 500;

    /// <summary>The audit forecast goes out in the rounds from 06:00 to 09:00 UTC.</summary>
    private const int ReadinessDigestFromHour = 6;
    private const int ReadinessDigestToHour = 9;

    /// <summary>Days before its date that a corrective action or effectiveness check is first reminded of.</summary>
    private static readonly int[] ObligationLeadDays = [7];

    /// <summary>A management review is announced two weeks and one day ahead.</summary>
    private static readonly int[] ReviewLeadDays = [14, 1];

    public async Task<SweepResult> RunAsync(DateTimeOffset now, CancellationToken ct)
    {
        var raised = await nonconformities.RaiseForMissedAsync(now, ct);
        raised += await nonconformities.SyncFindingsAsync(now, ct);
        await workflow.StartDueChecksAsync(ct);
        var obligations = await LoadObligationsAsync(now, ct);
        var context = await LoadContextAsync(now, obligations, ct);
        var intents = new List<Intent>();
        await PlanRemindersAsync(context, intents, ct);
        PlanObligationReminders(context, obligations, intents);
        await PlanDigestsAsync(context, intents, ct);
        await PlanReadinessDigestsAsync(context, intents, ct);

        var existing = await ExistingKeysAsync(intents.Select(i => i.Key).ToList(), ct);
        var fresh = new List<OutboxMessage>();
        foreach (var intent in intents.Where(i => !existing.Contains(i.Key)).DistinctBy(i => i.Key))
        {
            if (await intent.Build() is { } message)
            {
                fresh.Add(message);
            }
        }

        var queued = await new OutboxWriter(db).InsertNewAsync(fresh, ct);
        return new SweepResult(raised, queued);
    }

    /// <summary>A message that may be owed: its dedup key, and how to write it if it is not queued yet.</summary>
    private sealed record Intent(string Key, Func<Task<OutboxMessage?>> Build);

    private sealed record ActivityFacts(
        Guid Id, Guid OrganisationId, string Reference, string Title, string? Description, List<string> EvidenceRequired,
        List<int> ReminderLeadDays, string TimeZone, Guid OwnerUserId, Guid? DeputyUserId, Guid? EscalationUserId);

    /// <summary>An open corrective action, or the pending effectiveness check of a round (Id is the round's).</summary>
    private sealed record Obligation(Guid Id, Guid OrganisationId, Guid RecordId, ObligationKind Kind, string Title, string RecordReference, string RecordTitle, DateOnly DueOn, Guid? OwnerUserId)
    {
        /// <summary>People told before and on the day beside the owner (a review's attendees).</summary>
        public IReadOnlyList<Guid> Also { get; init; } = [];

        /// <summary>Part of the dedup key when an obligation reopens (a request the auditor asked again): its reminders start afresh.</summary>
        public string Round { get; init; } = "";
    }

    private sealed record MemberFacts(Guid OrganisationId, Guid UserId, OrgRole Role, DateOnly? ExpiresOn, Guid? ManagerUserId, bool MuteEmail, bool WeeklyDigest);

    private sealed record Person(Guid Id, string? Email, string Name);

    private sealed class Context
    {
        public required DateTimeOffset Now { get; init; }
        public required DateOnly UtcToday { get; init; }
        public required Dictionary<Guid, ActivityFacts> Activities { get; init; }
        public required Dictionary<Guid, (string Slug, string Name)> Organisations { get; init; }
        public required Dictionary<(Guid Org, Guid User), MemberFacts> Members { get; init; }
        public required Dictionary<Guid, Person> People { get; init; }
        public required Dictionary<Guid, Guid?> DefaultEscalation { get; init; }
        public required Dictionary<Guid, IReadOnlyList<OutboxChannel>> ChatChannels { get; init; }

        /// <summary>The auditors of each open internal audit's calendar activity, by activity.</summary>
        public required ILookup<Guid, Guid> Auditors { get; init; }
        public Dictionary<string, DateOnly> TodayByZone { get; } = new(StringComparer.Ordinal);

        public DateOnly Today(string zone)
        {
            if (!TodayByZone.TryGetValue(zone, out var today))
            {
                today = DateOnly.FromDateTime(ActivitySchedule.LocalNow(Now, zone));
                TodayByZone[zone] = today;
            }

            return today;
        }

        public MemberFacts? Member(Guid organisationId, Guid userId) => Members.GetValueOrDefault((organisationId, userId));

        public bool IsCurrentMember(Guid organisationId, Guid userId) =>
            Member(organisationId, userId) is { } m && (m.ExpiresOn is null || m.ExpiresOn >= UtcToday);
    }

    /// <summary>
    /// Open corrective actions, pending effectiveness checks, open management review decisions,
    /// scheduled management reviews and auditors' requests waiting for an answer, whose first reminder
    /// day has come. The check is for the nonconformity's owner unless they own one of the round's
    /// actions; then (or when it has no owner) it goes to the ISMS managers who own none. A review is
    /// the chair's, its attendees told beside them. A request is its assignee's, reminded afresh in
    /// each round the auditor opens by asking again.
    /// </summary>
    private async Task<List<Obligation>> LoadObligationsAsync(DateTimeOffset now, CancellationToken ct)
    {
        var until = DateOnly.FromDateTime(now.UtcDateTime).AddDays(ObligationLeadDays.Max() + 1);
        var obligations = await (
                from a in db.CorrectiveActions.AsNoTracking()
                join n in db.Nonconformities on a.NonconformityId equals n.Id
                where a.Status == CorrectiveActionStatus.Open && n.Status != NonconformityStatus.Closed && a.DueOn <= until
                select new Obligation(a.Id, a.OrganisationId, n.Id, ObligationKind.CorrectiveAction, a.Title, n.Reference, n.Title, a.DueOn, a.OwnerUserId))
            .ToListAsync(ct);
        var checks = await (
                from r in db.NonconformityRounds.AsNoTracking()
                join n in db.Nonconformities on r.NonconformityId equals n.Id
                where r.Number == n.CurrentRound && r.CheckResult == null && r.CheckDueOn != null && r.CheckDueOn <= until
                    && (n.Status == NonconformityStatus.Done || n.Status == NonconformityStatus.Checking)
                select new { r.Id, n.OrganisationId, NonconformityId = n.Id, n.Reference, n.Title, Due = r.CheckDueOn!.Value, n.OwnerUserId, r.Number })
            .ToListAsync(ct);
        if (checks.Count > 0)
        {
            var ids = checks.Select(c => c.NonconformityId).ToList();
            var actionOwners = await db.CorrectiveActions.AsNoTracking().Where(a => ids.Contains(a.NonconformityId) && a.Status != CorrectiveActionStatus.Cancelled)
                .Select(a => new { a.NonconformityId, a.Round, a.OwnerUserId }).ToListAsync(ct);
            foreach (var c in checks)
            {
                var owners = actionOwners.Where(a => a.NonconformityId == c.NonconformityId && a.Round == c.Number).Select(a => a.OwnerUserId).ToHashSet();
                var checker = c.OwnerUserId is Guid owner && !owners.Contains(owner) ? owner : (Guid?)null;
                obligations.Add(new Obligation(c.Id, c.OrganisationId, c.NonconformityId, ObligationKind.EffectivenessCheck, $"Round {c.Number}", c.Reference, c.Title, c.Due, checker));
            }
        }

        var decisions = await (
                from d in db.ReviewDecisions.AsNoTracking()
                join r in db.ManagementReviews on d.ReviewId equals r.Id
                where d.Status == ManagementReviews.DecisionStatus.Open && d.DueOn <= until
                select new Obligation(d.Id, d.OrganisationId, r.Id, ObligationKind.ReviewDecision, d.Title, r.Reference, r.Title, d.DueOn, d.OwnerUserId))
            .ToListAsync(ct);
        obligations.AddRange(decisions);
        var reviewUntil = DateOnly.FromDateTime(now.UtcDateTime).AddDays(ReviewLeadDays.Max() + 1);
        var reviews = await db.ManagementReviews.AsNoTracking().Include(r => r.Attendees)
            .Where(r => r.Status == ManagementReviews.ReviewStatus.Scheduled && r.ScheduledOn <= reviewUntil)
            .ToListAsync(ct);
        obligations.AddRange(reviews.Select(r => new Obligation(r.Id, r.OrganisationId, r.Id, ObligationKind.ReviewMeeting, r.Title, r.Reference, r.Title, r.ScheduledOn, r.ChairUserId)
        {
            Also = [.. r.Attendees.Select(a => a.UserId)],
        }));
        var requests = await db.AuditRequests.AsNoTracking()
            .Where(r => r.Status == AuditorWorkspace.AuditRequestStatus.Open && r.DueOn <= until)
            .Select(r => new { r.Id, r.OrganisationId, r.Reference, r.Text, r.DueOn, r.AssigneeUserId, r.Round })
            .ToListAsync(ct);
        obligations.AddRange(requests.Select(r => new Obligation(r.Id, r.OrganisationId, r.Id, ObligationKind.AuditRequest, ObligationCalendar.Headline(r.Text), r.Reference, r.Text, r.DueOn, r.AssigneeUserId)
        {
            Round = r.Round > 1 ? string.Create(CultureInfo.InvariantCulture, $":round-{r.Round}") : "",
        }));
        return obligations;
    }

    private async Task<Context> LoadContextAsync(DateTimeOffset now, List<Obligation> obligations, CancellationToken ct)
    {
        var activities = await db.Activities.AsNoTracking().Where(a => a.State == ActivityState.Active)
            .Select(a => new ActivityFacts(a.Id, a.OrganisationId, a.Reference, a.Title, a.Description, a.EvidenceRequired,
                a.ReminderLeadDays, a.TimeZone, a.OwnerUserId, a.DeputyUserId, a.EscalationUserId))
            .ToDictionaryAsync(a => a.Id, ct);
        var organisationIds = activities.Values.Select(a => a.OrganisationId).Concat(obligations.Select(o => o.OrganisationId)).Distinct().ToList();
        var organisations = await db.Organisations.AsNoTracking().Where(o => organisationIds.Contains(o.Id))
            .ToDictionaryAsync(o => o.Id, o => (o.Slug, o.Name), ct);
        var members = await db.Memberships.AsNoTracking().Where(m => organisationIds.Contains(m.OrganisationId))
            .Select(m => new MemberFacts(m.OrganisationId, m.UserId, m.Role, m.ExpiresOn, m.ManagerUserId, m.MuteEmail, m.WeeklyDigest))
            .ToListAsync(ct);
        var escalation = await db.NotificationSettings.AsNoTracking().Where(s => organisationIds.Contains(s.OrganisationId))
            .ToDictionaryAsync(s => s.OrganisationId, s => s.DefaultEscalationUserId, ct);
        var userIds = members.Select(m => m.UserId)
            .Concat(activities.Values.SelectMany(a => new[] { a.OwnerUserId, a.DeputyUserId ?? a.OwnerUserId, a.EscalationUserId ?? a.OwnerUserId }))
            .Concat(obligations.Where(o => o.OwnerUserId is not null).Select(o => o.OwnerUserId!.Value))
            .Distinct().ToList();
        var people = await db.Users.AsNoTracking().Where(u => userIds.Contains(u.Id))
            .Select(u => new Person(u.Id, u.Email, u.DisplayName)).ToDictionaryAsync(u => u.Id, ct);
        return new Context
        {
            Now = now,
            UtcToday = DateOnly.FromDateTime(now.UtcDateTime),
            Activities = activities,
            Organisations = organisations,
            Members = members.ToDictionary(m => (m.OrganisationId, m.UserId)),
            People = people,
            DefaultEscalation = escalation,
            ChatChannels = await settings.ChatChannelsAsync(organisationIds, ct),
            Auditors = (await (
                    from x in db.InternalAuditAuditors.AsNoTracking()
                    join a in db.InternalAudits on x.InternalAuditId equals a.Id
                    where a.ActivityId != null && (a.Status == InternalAuditStatus.Planned || a.Status == InternalAuditStatus.InProgress)
                    select new { ActivityId = a.ActivityId!.Value, x.UserId })
                .ToListAsync(ct)).ToLookup(x => x.ActivityId, x => x.UserId),
        };
    }

    private async Task PlanRemindersAsync(Context context, List<Intent> intents, CancellationToken ct)
    {
        if (context.Activities.Count == 0)
        {
            return;
        }

        // Coarse window in SQL: every open occurrence already due, and those within the longest lead
        // time (plus a day either side for time zones); the exact day is decided per zone below.
        var maxLead = context.Activities.Values.SelectMany(a => a.ReminderLeadDays).DefaultIfEmpty(0).Max();
        var until = context.Now.AddDays(maxLead + 2);
        var occurrences = await db.Occurrences.AsNoTracking()
            .Where(o => o.State == OccurrenceState.Open && o.DueAt < until && o.Activity!.State == ActivityState.Active)
            .Select(o => new { o.Id, o.ActivityId, o.DueDate, o.DueTime })
            .ToListAsync(ct);

        foreach (var occurrence in occurrences)
        {
            if (!context.Activities.TryGetValue(occurrence.ActivityId, out var activity))
            {
                continue;
            }

            var today = context.Today(activity.TimeZone);
            if (ReminderKinds.Latest(occurrence.DueDate, activity.ReminderLeadDays, today) is not { } kind)
            {
                continue;
            }

            var facts = Facts(context, activity, occurrence.Id, occurrence.DueDate, occurrence.DueTime);
            var keyStem = string.Create(CultureInfo.InvariantCulture, $"{occurrence.Id:N}:{occurrence.DueDate:yyyyMMdd}:{kind.Name}");
            var org = activity.OrganisationId;
            string? escalatedTo = null;

            if (kind.Stage == ReminderStage.Overdue)
            {
                var (contacts, reason) = EscalationContacts(context, activity);
                escalatedTo = contacts.Count == 0 ? null : string.Join(", ", contacts.Select(c => Name(context, c)));
                foreach (var contact in contacts)
                {
                    AddEmail(context, intents, keyStem, org, occurrence.Id, kind, contact, facts, today, ReminderAudience.Escalation, reason, null);
                }

                if (!contacts.Contains(activity.OwnerUserId))
                {
                    // The owner's copy is part of the escalation: muting does not stop it.
                    AddEmail(context, intents, keyStem, org, occurrence.Id, kind, activity.OwnerUserId, facts, today, ReminderAudience.OwnerCopy, null, escalatedTo);
                }
            }
            else
            {
                if (context.Member(org, activity.OwnerUserId)?.MuteEmail != true)
                {
                    AddEmail(context, intents, keyStem, org, occurrence.Id, kind, activity.OwnerUserId, facts, today, ReminderAudience.Owner, null, null);
                }

                if (kind.Stage == ReminderStage.Due && activity.DeputyUserId is Guid deputy && context.Member(org, deputy)?.MuteEmail != true)
                {
                    AddEmail(context, intents, keyStem, org, occurrence.Id, kind, deputy, facts, today, ReminderAudience.Deputy, null, null);
                }

                // An internal audit's auditors hear of it like its owner, even those from outside who cannot own it.
                foreach (var auditor in context.Auditors[activity.Id].Where(u => u != activity.OwnerUserId && u != activity.DeputyUserId))
                {
                    if (context.IsCurrentMember(org, auditor) && context.Member(org, auditor)?.MuteEmail != true)
                    {
                        AddEmail(context, intents, keyStem, org, occurrence.Id, kind, auditor, facts, today, ReminderAudience.Auditor, null, null);
                    }
                }
            }

            foreach (var channel in context.ChatChannels.GetValueOrDefault(org) ?? [])
            {
                var key = $"{keyStem}:{channel.ToString().ToLowerInvariant()}";
                var to = escalatedTo;
                intents.Add(new Intent(key, () =>
                {
                    var (subject, text) = messages.Chat(facts, kind, today, channel, to);
                    return Task.FromResult<OutboxMessage?>(NewMessage(context, org, occurrence.Id, null, kind.Name, key, channel, "", subject, text, null));
                }));
            }
        }
    }

    /// <summary>
    /// Corrective actions and effectiveness checks get the reminders an occurrence gets, on UTC days:
    /// a week before, on the day, and from the day after weekly to the escalation contact (the
    /// owner's line manager, else the organisation's default contact, else the ISMS managers) with a
    /// copy to the owner. A check nobody is named for goes to the ISMS managers who own none of its actions.
    /// </summary>
    private void PlanObligationReminders(Context context, List<Obligation> obligations, List<Intent> intents)
    {
        var today = context.Today("UTC");
        foreach (var obligation in obligations)
        {
            if (ReminderKinds.Latest(obligation.DueOn, obligation.Kind == ObligationKind.ReviewMeeting ? ReviewLeadDays : ObligationLeadDays, today) is not { } kind)
            {
                continue;
            }

            var org = obligation.OrganisationId;
            var (slug, orgName) = context.Organisations.GetValueOrDefault(org);
            var responsible = obligation.OwnerUserId is Guid owner ? [owner] : Managers(context, org);
            var facts = new ObligationFacts(obligation.RecordId, slug ?? "", orgName ?? "", obligation.Kind, obligation.Title,
                obligation.RecordReference, obligation.RecordTitle, obligation.DueOn,
                obligation.OwnerUserId is Guid named ? Name(context, named) : "the ISMS managers");
            var kindName = facts.KindPrefix + kind.Name;
            var keyStem = string.Create(CultureInfo.InvariantCulture, $"{facts.KindPrefix}{obligation.Id:N}{obligation.Round}:{obligation.DueOn:yyyyMMdd}:{kind.Name}");
            string? escalatedTo = null;
            if (kind.Stage == ReminderStage.Overdue)
            {
                var (contacts, reason) = obligation.OwnerUserId is Guid o ? EscalationContacts(context, org, o) : ([], "");
                escalatedTo = contacts.Count == 0 ? null : string.Join(", ", contacts.Select(c => Name(context, c)));
                foreach (var contact in contacts)
                {
                    AddObligationEmail(context, intents, org, keyStem, kindName, facts, kind, today, contact, ReminderAudience.Escalation, reason, null);
                }

                foreach (var person in responsible.Where(p => !contacts.Contains(p)))
                {
                    AddObligationEmail(context, intents, org, keyStem, kindName, facts, kind, today, person, ReminderAudience.OwnerCopy, null, escalatedTo);
                }
            }
            else
            {
                foreach (var person in responsible.Concat(obligation.Also.Where(a => !responsible.Contains(a) && context.IsCurrentMember(org, a))).Where(p => context.Member(org, p)?.MuteEmail != true))
                {
                    AddObligationEmail(context, intents, org, keyStem, kindName, facts, kind, today, person, ReminderAudience.Owner, null, null);
                }
            }

            foreach (var channel in context.ChatChannels.GetValueOrDefault(org) ?? [])
            {
                var key = $"{keyStem}:{channel.ToString().ToLowerInvariant()}";
                var to = escalatedTo;
                intents.Add(new Intent(key, () =>
                {
                    var (subject, text) = messages.ObligationChat(facts, kind, today, channel, to);
                    return Task.FromResult<OutboxMessage?>(NewMessage(context, org, null, null, kindName, key, channel, "", subject, text, null));
                }));
            }
        }
    }

    private void AddObligationEmail(
        Context context, List<Intent> intents, Guid org, string keyStem, string kindName, ObligationFacts facts, ReminderKind kind, DateOnly today,
        Guid userId, ReminderAudience audience, string? reason, string? escalatedTo)
    {
        if (!context.People.TryGetValue(userId, out var person) || string.IsNullOrWhiteSpace(person.Email))
        {
            return;
        }

        var key = string.Create(CultureInfo.InvariantCulture, $"{keyStem}:email:{userId:N}");
        intents.Add(new Intent(key, () =>
        {
            var email = messages.ObligationEmail(facts, kind, today, audience, Name(context, userId), reason, escalatedTo);
            return Task.FromResult<OutboxMessage?>(NewMessage(context, org, null, userId, kindName, key, OutboxChannel.Email, person.Email!, email.Subject, email.Text, email.Html));
        }));
    }

    private void AddEmail(
        Context context, List<Intent> intents, string keyStem, Guid organisationId, Guid occurrenceId, ReminderKind kind, Guid userId,
        OccurrenceFacts facts, DateOnly today, ReminderAudience audience, string? reason, string? escalatedTo)
    {
        if (!context.People.TryGetValue(userId, out var person) || string.IsNullOrWhiteSpace(person.Email))
        {
            return;
        }

        var key = string.Create(CultureInfo.InvariantCulture, $"{keyStem}:email:{userId:N}");
        intents.Add(new Intent(key, () =>
        {
            var email = messages.Email(facts, kind, today, audience, Name(context, userId), reason, escalatedTo);
            return Task.FromResult<OutboxMessage?>(NewMessage(context, organisationId, occurrenceId, userId, kind.Name, key, OutboxChannel.Email, person.Email!, email.Subject, email.Text, email.Html));
        }));
    }

    /// <summary>
    /// Who hears about an overdue occurrence: the activity's escalation contact, else the owner's
    /// line manager, else the organisation's default contact, else every current ISMS manager and
    /// admin. A named contact who is no longer a member is passed over.
    /// </summary>
    private static (IReadOnlyList<Guid> Contacts, string Reason) EscalationContacts(Context context, ActivityFacts activity)
    {
        if (activity.EscalationUserId is Guid named && context.IsCurrentMember(activity.OrganisationId, named))
        {
            return ([named], $"the escalation contact named on {activity.Reference}");
        }

        return EscalationContacts(context, activity.OrganisationId, activity.OwnerUserId);
    }

    /// <summary>Without a named contact: the owner's line manager, else the organisation's default contact, else every current ISMS manager and admin.</summary>
    private static (IReadOnlyList<Guid> Contacts, string Reason) EscalationContacts(Context context, Guid org, Guid ownerUserId)
    {
        var orgName = context.Organisations.GetValueOrDefault(org).Name ?? "the organisation";
        if (context.Member(org, ownerUserId)?.ManagerUserId is Guid manager && context.IsCurrentMember(org, manager))
        {
            return ([manager], $"the line manager of {Name(context, ownerUserId)}");
        }

        if (context.DefaultEscalation.GetValueOrDefault(org) is Guid fallback && context.IsCurrentMember(org, fallback))
        {
            return ([fallback], $"the default escalation contact of {orgName}");
        }

        return (Managers(context, org), $"an ISMS manager or admin of {orgName} (no other escalation contact is set)");
    }

    private static List<Guid> Managers(Context context, Guid org) =>
        context.Members.Values
            .Where(m => m.OrganisationId == org && m.Role >= OrgRole.Manager && (m.ExpiresOn is null || m.ExpiresOn >= context.UtcToday))
            .Select(m => m.UserId).OrderBy(id => Name(context, id), StringComparer.OrdinalIgnoreCase).ToList();

    private async Task PlanDigestsAsync(Context context, List<Intent> intents, CancellationToken ct)
    {
        var subscribers = context.Members.Values
            .Where(m => m.WeeklyDigest && !m.MuteEmail && (m.ExpiresOn is null || m.ExpiresOn >= context.UtcToday))
            .ToList();
        foreach (var member in subscribers)
        {
            // People have no time zone of their own: the digest follows the zone of most of their activities.
            var zone = context.Activities.Values
                .Where(a => a.OrganisationId == member.OrganisationId && (a.OwnerUserId == member.UserId || a.DeputyUserId == member.UserId))
                .GroupBy(a => a.TimeZone, StringComparer.Ordinal)
                .OrderByDescending(g => g.Count()).ThenBy(g => g.Key, StringComparer.Ordinal)
                .Select(g => g.Key).FirstOrDefault() ?? "UTC";
            var today = context.Today(zone);
            if (today.DayOfWeek != DayOfWeek.Monday || !context.People.TryGetValue(member.UserId, out var person) || string.IsNullOrWhiteSpace(person.Email)
                || !context.Organisations.TryGetValue(member.OrganisationId, out var org))
            {
                continue;
            }

            var key = string.Create(CultureInfo.InvariantCulture, $"digest:{member.OrganisationId:N}:{member.UserId:N}:{ReminderKinds.IsoWeek(today)}");
            intents.Add(new Intent(key, async () =>
            {
                var last = today.AddDays(DigestDays);
                var rows = await db.Occurrences.AsNoTracking()
                    .Where(o => o.OrganisationId == member.OrganisationId && o.State == OccurrenceState.Open && o.DueDate <= last
                        && o.Activity!.State == ActivityState.Active
                        && (o.Activity.OwnerUserId == member.UserId || o.Activity.DeputyUserId == member.UserId))
                    .OrderBy(o => o.DueAt)
                    .Select(o => new { o.Id, o.ActivityId, o.DueDate, o.DueTime })
                    .ToListAsync(ct);
                var lines = rows.Where(r => context.Activities.ContainsKey(r.ActivityId))
                    .Select(r => (r.DueDate, Line: new DigestLine(
                        Facts(context, context.Activities[r.ActivityId], r.Id, r.DueDate, r.DueTime),
                        context.Activities[r.ActivityId].OwnerUserId != member.UserId)))
                    .ToList();
                if (lines.Count == 0)
                {
                    return null;
                }

                var email = messages.Digest(org.Name, org.Slug, Name(context, member.UserId), today, DigestDays,
                    [.. lines.Where(l => l.DueDate < today).Select(l => l.Line)],
                    [.. lines.Where(l => l.DueDate >= today).Select(l => l.Line)]);
                return NewMessage(context, member.OrganisationId, null, member.UserId, ReminderKinds.Digest, key, OutboxChannel.Email, person.Email!, email.Subject, email.Text, email.Html);
            }));
        }
    }

    /// <summary>
    /// The audit forecast, 30, 14 and 7 days before each external audit not yet held (only the latest
    /// stage owed, when a day was missed): each owner who is a current member gets their own items with
    /// the date to do each by; ISMS managers also get the items nobody (or no current member) owns.
    /// Those who turned the forecast or all reminder e-mails off get nothing.
    /// </summary>
    private async Task PlanReadinessDigestsAsync(Context context, List<Intent> intents, CancellationToken ct)
    {
        // Only the morning rounds compute it: a forecast for someone with nothing to do leaves no key,
        // and computing it in every five-minute round for a month would be waste.
        if (context.Now.UtcDateTime.Hour is < ReadinessDigestFromHour or >= ReadinessDigestToHour)
        {
            return;
        }

        var today = context.UtcToday;
        var last = today.AddDays(ReminderKinds.ReadinessDigestDays.Max());
        var audits = await (
                from a in db.ExternalAudits.AsNoTracking()
                join c in db.CertificationCycles on a.CycleId equals c.Id
                join o in db.Organisations on a.OrganisationId equals o.Id
                where a.HeldOn == null && a.PlannedDate > today && a.PlannedDate <= last
                orderby a.PlannedDate
                select new { a.Id, a.OrganisationId, a.Kind, a.PlannedDate, c.Number, o.Slug, o.Name })
            .ToListAsync(ct);
        foreach (var audit in audits)
        {
            var days = audit.PlannedDate.DayNumber - today.DayNumber;
            var stage = ReminderKinds.ReadinessDigestDays.Where(d => d >= days).Min();
            var members = await db.Memberships.AsNoTracking()
                .Where(m => m.OrganisationId == audit.OrganisationId && (m.ExpiresOn == null || m.ExpiresOn >= today))
                .Select(m => new { m.UserId, m.Role, m.MuteEmail, m.ReadinessDigest, m.User!.Email, m.User.DisplayName })
                .ToListAsync(ct);
            var recipients = members.Where(m => m.ReadinessDigest && !m.MuteEmail && !string.IsNullOrWhiteSpace(m.Email))
                .Select(m => (m.UserId, m.Role, Email: m.Email!, Name: NotificationSettingsService.NameOf(m.DisplayName, m.Email),
                    Key: string.Create(CultureInfo.InvariantCulture, $"readiness:{audit.Id:N}:{stage}:{m.UserId:N}")))
                .ToList();
            var existing = await ExistingKeysAsync([.. recipients.Select(r => r.Key)], ct);
            recipients.RemoveAll(r => existing.Contains(r.Key));
            if (recipients.Count == 0)
            {
                continue;
            }

            var report = await readiness.ComputeAsync(audit.OrganisationId, new Readiness.ReadinessQuery(ExternalAuditId: audit.Id), context.Now, ct);
            var current = members.Select(m => m.UserId).ToHashSet();
            var todo = report.Forecast.Where(g => g.Fixable).OrderBy(g => g.DoBy).ThenBy(g => g.Name, StringComparer.Ordinal).ToList();
            var unowned = todo.Where(g => g.OwnerUserId is not { } owner || !current.Contains(owner)).ToList();
            var label = $"{audit.Kind.ToLabel()} (certification cycle {audit.Number})";
            foreach (var r in recipients)
            {
                var mine = todo.Where(g => g.OwnerUserId == r.UserId).ToList();
                var theirs = r.Role >= OrgRole.Manager ? unowned : [];
                if (mine.Count == 0 && theirs.Count == 0)
                {
                    continue;
                }

                var email = messages.ReadinessDigest(audit.Name, audit.Slug, r.Name, label, audit.PlannedDate, today, mine, theirs);
                var message = NewMessage(context, audit.OrganisationId, null, r.UserId, ReminderKinds.ReadinessDigest, r.Key, OutboxChannel.Email, r.Email, email.Subject, email.Text, email.Html);
                intents.Add(new Intent(r.Key, () => Task.FromResult<OutboxMessage?>(message)));
            }
        }
    }

    private async Task<HashSet<string>> ExistingKeysAsync(List<string> keys, CancellationToken ct)
    {
        var existing = new HashSet<string>(StringComparer.Ordinal);
        foreach (var chunk in keys.Distinct(StringComparer.Ordinal).Chunk(KeyChunk))
        {
            existing.UnionWith(await db.Outbox.AsNoTracking().Where(m => chunk.Contains(m.DedupKey)).Select(m => m.DedupKey).ToListAsync(ct));
        }

        return existing;
    }

    private static OccurrenceFacts Facts(Context context, ActivityFacts activity, Guid occurrenceId, DateOnly dueDate, TimeOnly dueTime)
    {
        var (slug, name) = context.Organisations.GetValueOrDefault(activity.OrganisationId);
        return new OccurrenceFacts(occurrenceId, slug ?? "", name ?? "", activity.Reference, activity.Title, activity.Description,
            activity.EvidenceRequired, dueDate, dueTime, activity.TimeZone, Name(context, activity.OwnerUserId),
            activity.DeputyUserId is Guid deputy ? Name(context, deputy) : null);
    }

    private static string Name(Context context, Guid userId) =>
        context.People.TryGetValue(userId, out var p) ? NotificationSettingsService.NameOf(p.Name, p.Email) : "someone no longer known";

    private static OutboxMessage NewMessage(
        Context context, Guid organisationId, Guid? occurrenceId, Guid? userId, string kind, string key, OutboxChannel channel,
        string recipient, string subject, string text, string? html) => new()
        {
            Id = Guid.NewGuid(),
            OrganisationId = organisationId,
            OccurrenceId = occurrenceId,
            UserId = userId,
            Kind = kind,
            DedupKey = key,
            Channel = channel,
            Recipient = recipient,
            Subject = subject,
            TextBody = text,
            HtmlBody = html,
            CreatedAt = context.Now,
            NextAttemptAt = context.Now,
        };
}

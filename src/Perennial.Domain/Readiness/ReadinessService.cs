using Microsoft.EntityFrameworkCore;
using Perennial.Activities;
using Perennial.Certification;
using Perennial.Common;
using Perennial.Data;
using Perennial.Evidence;
using Perennial.Frameworks;

namespace Perennial.Readiness;

/// <summary>Which audit to get ready for: an external audit, or a day (and optionally where its period starts).</summary>
public sealed record ReadinessQuery(DateOnly? AuditDate = null, DateOnly? PeriodFrom = null, Guid? ExternalAuditId = null);

/// <summary>The audit day and period readiness works on, and how they were chosen.</summary>
public sealed record AuditWindow(DateOnly AuditDate, DateOnly PeriodFrom, string Source, Guid? ExternalAuditId);

/// <summary>
/// What an auditor would find missing on an audit day, today and (if nothing changes) on the day
/// itself. Every rule is in <see cref="ReadinessEvaluator"/>; this class chooses the audit, loads the
/// records once and reads them twice.
/// </summary>
public sealed class ReadinessService(PerennialDbContext db)
{
    /// <summary>The audit window in force when none is named: the next external audit not yet held.</summary>
    public async Task<AuditWindow> WindowAsync(Guid organisationId, ReadinessQuery query, DateOnly today, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(query);
        var audits = await (
                from a in db.ExternalAudits.AsNoTracking()
                join c in db.CertificationCycles on a.CycleId equals c.Id
                where a.OrganisationId == organisationId
                select new { a.Id, a.Kind, a.PlannedDate, a.HeldOn, c.Number, c.IssueDate, c.ExpiryDate, c.Stage2AuditDate })
            .ToListAsync(ct);
        var cycles = await db.CertificationCycles.AsNoTracking().Where(c => c.OrganisationId == organisationId)
            .Select(c => new { c.Number, c.IssueDate, c.ExpiryDate, c.Stage2AuditDate }).ToListAsync(ct);

        DateOnly auditDate;
        string source;
        Guid? auditId = null;
        if (query.ExternalAuditId is { } id)
        {
            var audit = audits.FirstOrDefault(a => a.Id == id) ?? throw UseCaseException.NotFound("No such external audit in this organisation.");
            auditDate = audit.HeldOn ?? audit.PlannedDate;
            source = $"{audit.Kind.ToLabel()} of certification cycle {audit.Number}";
            auditId = id;
        }
        else if (query.AuditDate is { } date)
        {
            auditDate = date;
            var match = audits.FirstOrDefault(a => (a.HeldOn ?? a.PlannedDate) == date);
            source = match is null ? "The audit date asked for" : $"{match.Kind.ToLabel()} of certification cycle {match.Number}";
            auditId = match?.Id;
        }
        else
        {
            var next = audits.Where(a => a.HeldOn is null && a.PlannedDate >= today).OrderBy(a => a.PlannedDate).FirstOrDefault()
                ?? throw UseCaseException.Invalid("auditDate", "No external audit is planned after today: give auditDate (YYYY-MM-DD), or plan the cycle's audits under Audits.");
            auditDate = next.PlannedDate;
            source = $"The next external audit: {next.Kind.ToLabel()} of certification cycle {next.Number}";
            auditId = next.Id;
        }

        DateOnly from;
        if (query.PeriodFrom is { } asked)
        {
            from = asked;
        }
        else
        {
            // Since the audit before it; for the first audit of a cycle, since the certification decision; else a year.
            var previous = audits.Where(a => (a.HeldOn ?? a.PlannedDate) < auditDate).Select(a => a.HeldOn ?? a.PlannedDate).DefaultIfEmpty().Max();
            var cycle = cycles.FirstOrDefault(c => c.IssueDate <= auditDate && auditDate <= c.ExpiryDate);
            from = previous != default && (cycle is null || previous >= cycle.IssueDate) ? previous.AddDays(1)
                : cycle is not null ? cycle.IssueDate
                : auditDate.AddYears(-1).AddDays(1);
        }

        if (from > auditDate)
        {
            throw UseCaseException.Invalid("periodFrom", $"periodFrom ({ReadinessReport.Day(from)}) is after the audit date ({ReadinessReport.Day(auditDate)}).");
        }

        if (auditDate.DayNumber - from.DayNumber + 1 > EvidenceTimeline.MaxDays)
        {
            throw UseCaseException.Invalid("periodFrom", $"The audit period is longer than {EvidenceTimeline.MaxDays} days; give a later periodFrom.");
        }

        return new AuditWindow(auditDate, from, source, auditId);
    }

    /// <summary>The audit window, or null when there is none to find (no audit planned and no day given, or a bad one).</summary>
    public async Task<AuditWindow?> WindowOrNoneAsync(Guid organisationId, ReadinessQuery query, DateOnly today, CancellationToken ct)
    {
        try
        {
            return await WindowAsync(organisationId, query, today, ct);
        }
        catch (UseCaseException e) when (e.Kind == UseCaseErrorKind.Validation)
        {
            return null;
        }
    }

    /// <summary>Readiness as if the present were <paramref name="now"/>.</summary>
    public async Task<ReadinessReport> ComputeAsync(Guid organisationId, ReadinessQuery query, DateTimeOffset now, CancellationToken ct)
    {
        var today = DateOnly.FromDateTime(now.UtcDateTime);
        var window = await WindowAsync(organisationId, query, today, ct);
        var data = await LoadAsync(organisationId, window, today, ct);

        // Today's gaps, as seen today (or on the audit day, for an audit in the past); the forecast as seen on the audit day.
        var current = ReadinessEvaluator.Evaluate(data, today < window.AuditDate ? today : window.AuditDate);
        var forecast = ReadinessEvaluator.Evaluate(data, window.AuditDate);
        return new ReadinessReport(window.AuditDate, window.PeriodFrom, window.Source, window.ExternalAuditId, now, today,
            ReadinessEvaluator.Score(current.Checks, data), [.. current.Gaps.Select(g => g with { DoBy = null })],
            ReadinessEvaluator.Score(forecast.Checks, data), forecast.Gaps);
    }

    /// <summary>
    /// The evidence timeline of every Annex A control over the audit window as seen on
    /// <paramref name="today"/>, by the timeline's rules, read in one pass for all controls.
    /// </summary>
    public async Task<IReadOnlyDictionary<Guid, ControlTimeline>> TimelinesAsync(Guid organisationId, AuditWindow window, DateOnly today, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(window);
        var activityControls = await db.ActivityControls.AsNoTracking()
            .Join(db.Activities.Where(a => a.OrganisationId == organisationId), ac => ac.ActivityId, a => a.Id, (ac, a) => new { ac.ActivityId, ac.ControlId })
            .ToListAsync(ct);
        var activities = await db.Activities.AsNoTracking().Where(a => a.OrganisationId == organisationId && a.State != ActivityState.Retired)
            .Select(a => new { a.Id, a.EvidenceFreshnessDays, a.Rrule, a.ScheduleSource }).ToListAsync(ct);
        var controls = await LoadControlsAsync(organisationId, window.PeriodFrom, window.AuditDate,
            [.. activities.Select(a => (a.Id, a.EvidenceFreshnessDays, a.ScheduleSource == ScheduleSource.Rule ? a.Rrule : null))],
            [.. activityControls.Select(x => (x.ActivityId, x.ControlId))], ct);
        return controls.ToDictionary(c => c.Id, c => EvidenceTimeline.Compute(c.Id, c.Spans, window.PeriodFrom, window.AuditDate, today, window.Source));
    }

    private async Task<ReadinessData> LoadAsync(Guid organisationId, AuditWindow window, DateOnly today, CancellationToken ct)
    {
        var (from, audit) = (window.PeriodFrom, window.AuditDate);

        var members = await db.Memberships.AsNoTracking().Where(m => m.OrganisationId == organisationId)
            .Select(m => new { m.UserId, m.User!.DisplayName, m.ExpiresOn }).ToListAsync(ct);

        var activityControls = await (
                from ac in db.ActivityControls.AsNoTracking()
                join c in db.Controls on ac.ControlId equals c.Id
                where c.OrganisationId == organisationId
                select new { ac.ActivityId, ac.ControlId, c.Identifier })
            .ToListAsync(ct);
        var controlsOf = activityControls.GroupBy(x => x.ActivityId).ToDictionary(g => g.Key, g => (IReadOnlyList<string>)[.. g.Select(x => x.Identifier).Distinct().Order(StringComparer.Ordinal)]);
        var rawActivities = await db.Activities.AsNoTracking()
            .Where(a => a.OrganisationId == organisationId && a.State != ActivityState.Retired)
            .Select(a => new { a.Id, a.Reference, a.Title, a.OwnerUserId, a.DeputyUserId, a.State, a.TimeZone, a.EvidenceFreshnessDays, a.Rrule, a.ScheduleSource })
            .ToListAsync(ct);
        var activities = rawActivities.Select(a => new ActivityRow(a.Id, a.Reference, a.Title, a.OwnerUserId, a.DeputyUserId, a.State, controlsOf.GetValueOrDefault(a.Id, []))).ToList();
        var zones = rawActivities.ToDictionary(a => a.Id, a => a.TimeZone);

        var rawOccurrences = await db.Occurrences.AsNoTracking()
            .Where(o => o.OrganisationId == organisationId && o.DueDate >= from && o.DueDate <= audit)
            .Select(o => new { o.Id, o.ActivityId, o.DueDate, o.State, o.CompletedAt })
            .ToListAsync(ct);
        var occurrences = rawOccurrences
            .Where(o => zones.ContainsKey(o.ActivityId))
            .Select(o => new OccurrenceRow(o.Id, o.ActivityId, o.DueDate, o.State,
                o.CompletedAt is { } at ? DateOnly.FromDateTime(ActivitySchedule.LocalNow(at, zones[o.ActivityId])) : null))
            .ToList();

        var soaVersion = await db.SoaVersions.AsNoTracking().Where(v => v.OrganisationId == organisationId && v.PublishedAt != null)
            .OrderByDescending(v => v.Number).Select(v => new { v.Id, v.Number, v.PublishedAt }).FirstOrDefaultAsync(ct);
        SoaRow? soa = null;
        if (soaVersion is not null)
        {
            var applicable = await db.SoaRows.AsNoTracking().Where(r => r.SoaVersionId == soaVersion.Id && r.Applicable == true).Select(r => r.ControlIdentifier).ToListAsync(ct);
            soa = new SoaRow(soaVersion.Id, soaVersion.Number, DateOnly.FromDateTime(soaVersion.PublishedAt!.Value.UtcDateTime), applicable.ToHashSet(StringComparer.Ordinal));
        }

        var controls = await LoadControlsAsync(organisationId, from, audit, rawActivities.Select(a => (a.Id, a.EvidenceFreshnessDays, a.ScheduleSource == ScheduleSource.Rule ? a.Rrule : null)).ToList(), activityControls.Select(x => (x.ActivityId, x.ControlId)).ToList(), ct);

        var scope = await db.ScopeVersions.AsNoTracking().Where(s => s.OrganisationId == organisationId)
            .OrderByDescending(s => s.Number).Select(s => new { s.Id, s.Number, s.CreatedAt }).FirstOrDefaultAsync(ct);

        var risks = await db.Risks.AsNoTracking().Where(r => r.OrganisationId == organisationId && r.Status == Risks.RiskStatus.Open)
            .Select(r => new RiskRow(r.Id, r.Reference, r.Title, r.NextReviewOn, r.OwnerUserId, r.ReviewTrigger)).ToListAsync(ct);
        var context = (await db.ContextEntries.AsNoTracking()
                .Where(e => e.OrganisationId == organisationId && e.Status == OrganisationContext.ContextStatus.Active)
                .Select(e => new { e.Id, e.Reference, e.Title, e.NextReviewOn, e.OwnerUserId }).ToListAsync(ct))
            .Select(e => new NamedDated(e.Id, e.Reference, e.Title, e.NextReviewOn, e.OwnerUserId, $"context/{e.Id}", true)).ToList();
        var tasks = await db.ChangeTasks.AsNoTracking()
            .Where(t => t.OrganisationId == organisationId && (t.Status == Changes.ChangeTaskStatus.Open || t.DueOn >= from))
            .Join(db.Changes, t => t.ChangeId, c => c.Id, (t, c) => new ChangeTaskRow(t.Id, t.ChangeId, c.Reference, t.Kind, t.Title, t.DueOn, t.OwnerUserId, t.Status == Changes.ChangeTaskStatus.Open))
            .ToListAsync(ct);

        var nonconformities = await db.Nonconformities.AsNoTracking()
            .Where(n => n.OrganisationId == organisationId && (n.Status != Nonconformities.NonconformityStatus.Closed || n.DueOn >= from))
            .Select(n => new { n.Id, n.Reference, n.Title, n.DueOn, n.OwnerUserId, n.Status, n.AuditFindingId, n.CurrentRound })
            .ToListAsync(ct);
        var ncIds = nonconformities.Select(n => n.Id).ToList();
        var ncById = nonconformities.ToDictionary(n => n.Id);
        var actions = (await db.CorrectiveActions.AsNoTracking()
                .Where(a => a.OrganisationId == organisationId && a.Status != Nonconformities.CorrectiveActionStatus.Cancelled && (a.Status == Nonconformities.CorrectiveActionStatus.Open || a.DueOn >= from))
                .Join(db.Nonconformities, a => a.NonconformityId, n => n.Id, (a, n) => new { a.Id, a.NonconformityId, n.Reference, a.Title, a.DueOn, a.OwnerUserId, a.Status })
                .ToListAsync(ct))
            .Select(a => new ActionRow(a.Id, a.NonconformityId, a.Reference, a.Title, a.DueOn, a.OwnerUserId, a.Status == Nonconformities.CorrectiveActionStatus.Open)).ToList();
        var checks = (await db.NonconformityRounds.AsNoTracking()
                .Where(r => r.OrganisationId == organisationId && r.CheckDueOn != null)
                .Select(r => new { r.NonconformityId, r.Number, r.CheckDueOn, r.CheckResult }).ToListAsync(ct))
            .Where(r => ncById.ContainsKey(r.NonconformityId))
            .Select(r =>
            {
                var n = ncById[r.NonconformityId];
                return new CheckRow(r.NonconformityId, n.Reference, n.Title, r.Number, r.CheckDueOn!.Value, n.OwnerUserId,
                    r.CheckResult is null && n.Status != Nonconformities.NonconformityStatus.Closed && r.Number == n.CurrentRound);
            })
            .Where(c => c.Open || c.DueOn >= from)
            .ToList();
        var ncDeadlines = nonconformities.Where(n => n.DueOn is not null && n.AuditFindingId is null)
            .Select(n => new NamedDated(n.Id, n.Reference, n.Title, n.DueOn!.Value, n.OwnerUserId, $"nonconformities/{n.Id}", n.Status != Nonconformities.NonconformityStatus.Closed))
            .ToList();
        var findingNc = nonconformities.Where(n => n.AuditFindingId is not null).ToDictionary(n => n.AuditFindingId!.Value, n => n);
        var auditFindings = (await db.AuditFindings.AsNoTracking()
                .Where(f => f.OrganisationId == organisationId && f.ClosureDeadline != null && (f.ClosedOn == null || f.ClosureDeadline >= from))
                .Select(f => new { f.Id, f.Reference, f.Description, f.ClosureDeadline, f.ClosedOn, f.ControlIdentifier }).ToListAsync(ct))
            .Select(f =>
            {
                var nc = findingNc.GetValueOrDefault(f.Id);
                return new NamedDated(f.Id, f.Reference, Shorten(f.Description), f.ClosureDeadline!.Value, nc?.OwnerUserId,
                    nc is null ? "audits" : $"nonconformities/{nc.Id}", f.ClosedOn is null, f.ControlIdentifier);
            })
            .ToList();

        var coverage = await LoadCoverageAsync(organisationId, audit, ct);

        var reviews = (await db.ManagementReviews.AsNoTracking()
                .Where(r => r.OrganisationId == organisationId && r.Status != ManagementReviews.ReviewStatus.Cancelled)
                .Select(r => new { r.Id, r.Reference, r.Status, r.ScheduledOn, r.HeldAt, r.ChairUserId }).ToListAsync(ct))
            .Select(r => new ReviewRow(r.Id, r.Reference, r.Status, r.ScheduledOn, r.HeldAt is { } at ? DateOnly.FromDateTime(at.UtcDateTime) : null, r.ChairUserId))
            .ToList();
        var decisions = await db.ReviewDecisions.AsNoTracking()
            .Where(d => d.OrganisationId == organisationId && d.Status != ManagementReviews.DecisionStatus.Cancelled && (d.Status == ManagementReviews.DecisionStatus.Open || d.DueOn >= from))
            .Select(d => new DecisionRow(d.Id, d.ReviewId, d.Reference, d.Title, d.DueOn, d.OwnerUserId, d.Status == ManagementReviews.DecisionStatus.Open))
            .ToListAsync(ct);

        var accessReviews = await db.AccessReviews.AsNoTracking()
            .Where(r => r.OrganisationId == organisationId && (r.State == AccessReviews.AccessReviewState.Open || r.Occurrence!.DueDate >= from))
            .Select(r => new AccessReviewRow(r.Id, r.System, r.Occurrence!.DueDate, r.ReviewerUserId, r.State == AccessReviews.AccessReviewState.Open))
            .ToListAsync(ct);
        var scanner = (await db.Findings.AsNoTracking()
                .Where(f => f.OrganisationId == organisationId && f.DueOn != null && (f.FixedAt == null || f.DueOn >= from))
                .Select(f => new
                {
                    f.Id,
                    f.RuleId,
                    f.Title,
                    f.Severity,
                    f.Target,
                    f.DueOn,
                    f.FixedAt,
                    Owner = db.Activities.Where(a => a.Id == f.ActivityId).Select(a => (Guid?)a.OwnerUserId).FirstOrDefault(),
                })
                .ToListAsync(ct))
            .Select(f => new NamedDated(f.Id, f.RuleId, f.Title, f.DueOn!.Value, f.Owner, "findings/deadlines", f.FixedAt is null,
                $"{f.Severity.ToString().ToLowerInvariant()} on {f.Target}"))
            .ToList();
        var collectors = await db.Collectors.AsNoTracking()
            .Where(c => c.OrganisationId == organisationId && c.Enabled)
            .Select(c => new CollectorRow(c.Id, c.Name, c.OwnerUserId, c.LastSummary, c.LastRunAt,
                c.LastOutcome == Evidence.Collectors.CollectorRunOutcome.Failed || c.LastOutcome == Evidence.Collectors.CollectorRunOutcome.TimedOut))
            .ToListAsync(ct);

        var mentioned = activities.SelectMany(a => new[] { (Guid?)a.OwnerUserId, a.DeputyUserId })
            .Concat(risks.Select(r => r.OwnerUserId)).Concat(controls.Select(c => c.OwnerUserId))
            .OfType<Guid>().Where(g => !members.Any(m => m.UserId == g)).Distinct().ToList();
        var names = members.ToDictionary(m => m.UserId, m => m.DisplayName);
        if (mentioned.Count > 0)
        {
            foreach (var u in await db.Users.AsNoTracking().Where(u => mentioned.Contains(u.Id)).Select(u => new { u.Id, u.DisplayName }).ToListAsync(ct))
            {
                names[u.Id] = u.DisplayName;
            }
        }

        return new ReadinessData
        {
            PeriodFrom = from,
            AuditDate = audit,
            Today = today,
            FrameworkKey = Framework.IsoKey,
            Members = members.ToDictionary(m => m.UserId, m => (m.DisplayName, m.ExpiresOn)),
            Names = names,
            Activities = activities,
            Occurrences = occurrences,
            Controls = controls,
            Soa = soa,
            Scope = scope is null ? null : (scope.Id, scope.Number, DateOnly.FromDateTime(scope.CreatedAt.UtcDateTime)),
            Risks = risks,
            ContextEntries = context,
            ChangeTasks = tasks,
            CorrectiveActions = actions,
            EffectivenessChecks = checks,
            Nonconformities = ncDeadlines,
            AuditFindings = auditFindings,
            Coverage = coverage,
            ManagementReviews = reviews,
            Decisions = decisions,
            AccessReviews = accessReviews,
            ScannerFindings = scanner,
            Collectors = collectors,
        };
    }

    /// <summary>
    /// The ISO/IEC 27001 Annex A controls with their evidence spans over the period, following the
    /// evidence timeline's rules (<see cref="EvidenceTimeline"/>), read in one query for all controls.
    /// Spans carry no titles: readiness only counts days, and reading every title took a sixth of its time on SQLite.
    /// </summary>
    private async Task<List<ControlRow>> LoadControlsAsync(
        Guid organisationId, DateOnly from, DateOnly audit, IReadOnlyList<(Guid Id, int? Freshness, string? Rrule)> activities,
        IReadOnlyList<(Guid ActivityId, Guid ControlId)> activityControls, CancellationToken ct)
    {
        var controls = await db.Controls.AsNoTracking()
            .Where(c => c.OrganisationId == organisationId && c.Framework!.Key == Framework.IsoKey && c.Kind == ControlKind.Control)
            .Select(c => new { c.Id, c.Identifier, c.Title, c.OwnerUserId, c.EvidenceFreshnessDays })
            .ToListAsync(ct);
        var reach = activities.ToDictionary(a => a.Id, a => (a.Freshness, a.Rrule));

        // An item that ended long before the period may still reach into it: go back as far as the longest reach.
        var longest = controls.Select(c => c.EvidenceFreshnessDays ?? 0)
            .Concat(activities.Select(a => EvidenceTimeline.Extend(from, a.Freshness, a.Rrule) is { } to ? to.DayNumber - from.DayNumber : 0))
            .DefaultIfEmpty(0).Max();
        var earliest = from.AddDays(-longest);
        var links = await (
                from l in db.EvidenceItemLinks.AsNoTracking()
                join e in db.EvidenceItems on l.EvidenceItemId equals e.Id
                where e.OrganisationId == organisationId && e.PeriodTo >= earliest && e.PeriodFrom <= audit && (l.ControlId != null || l.ActivityId != null)
                select new { e.Id, e.PeriodFrom, e.PeriodTo, l.ControlId, l.ActivityId })
            .ToListAsync(ct);

        var activitiesOf = activityControls.GroupBy(x => x.ControlId).ToDictionary(g => g.Key, g => g.Select(x => x.ActivityId).ToHashSet());
        var controlsOfActivity = activityControls.GroupBy(x => x.ActivityId).ToDictionary(g => g.Key, g => g.Select(x => x.ControlId).ToList());
        var byItem = links.GroupBy(l => l.Id).Select(g => new
        {
            g.First().Id,
            g.First().PeriodFrom,
            g.First().PeriodTo,
            Controls = g.Where(l => l.ControlId != null).Select(l => l.ControlId!.Value).ToHashSet(),
            Activities = g.Where(l => l.ActivityId != null).Select(l => l.ActivityId!.Value).ToHashSet(),
        }).ToList();
        var byControl = new Dictionary<Guid, List<EvidenceSpan>>();
        var controlIds = controls.ToDictionary(c => c.Id);
        foreach (var item in byItem)
        {
            var targets = new HashSet<Guid>(item.Controls);
            foreach (var activityId in item.Activities)
            {
                if (controlsOfActivity.TryGetValue(activityId, out var operated))
                {
                    targets.UnionWith(operated);
                }
            }

            foreach (var controlId in targets)
            {
                if (!controlIds.TryGetValue(controlId, out var control))
                {
                    continue;
                }

                DateOnly coversTo;
                if (control.EvidenceFreshnessDays is { } days)
                {
                    coversTo = item.PeriodTo.AddDays(days);
                }
                else
                {
                    coversTo = item.PeriodTo;
                    var operating = activitiesOf.GetValueOrDefault(controlId);
                    foreach (var activityId in item.Activities)
                    {
                        if (operating is not null && operating.Contains(activityId) && reach.TryGetValue(activityId, out var r)
                            && EvidenceTimeline.Extend(item.PeriodTo, r.Freshness, r.Rrule) is { } extended && extended > coversTo)
                        {
                            coversTo = extended;
                        }
                    }
                }

                if (!byControl.TryGetValue(controlId, out var spans))
                {
                    byControl[controlId] = spans = [];
                }

                spans.Add(new EvidenceSpan(item.Id, "", EvidenceStatus.Current, item.PeriodFrom, item.PeriodTo, coversTo));
            }
        }

        return [.. controls.Select(c => new ControlRow(c.Id, c.Identifier, c.Title, c.OwnerUserId, byControl.GetValueOrDefault(c.Id) ?? []))];
    }

    private async Task<CoverageData> LoadCoverageAsync(Guid organisationId, DateOnly audit, CancellationToken ct)
    {
        var cycles = await db.CertificationCycles.AsNoTracking().Where(c => c.OrganisationId == organisationId)
            .Select(c => new { c.Id, c.Number, c.IsCurrent, c.IssueDate, c.ExpiryDate }).ToListAsync(ct);
        var cycle = cycles.FirstOrDefault(c => c.IssueDate <= audit && audit <= c.ExpiryDate) ?? cycles.FirstOrDefault(c => c.IsCurrent);
        var cycleId = cycle?.Id;
        var audits = await db.InternalAudits.AsNoTracking()
            .Where(a => a.OrganisationId == organisationId && a.CycleId == cycleId && a.Status != InternalAudits.InternalAuditStatus.Cancelled)
            .Select(a => new { a.Id, a.Reference, a.Status, a.PlannedEnd, a.SignedOffAt, a.LeadAuditorUserId, Scope = a.Scope.Select(s => s.Identifier).ToList() })
            .ToListAsync(ct);
        return new CoverageData(cycle?.Number, [.. audits.Select(a => new CoverageAuditRow(a.Id, a.Reference, a.Status, a.PlannedEnd,
            a.SignedOffAt is { } at ? DateOnly.FromDateTime(at.UtcDateTime) : null, a.LeadAuditorUserId, a.Scope.ToHashSet(StringComparer.Ordinal)))]);
    }

    private static string Shorten(string text) => text.Length <= 120 ? text : string.Concat(text.AsSpan(0, 117), "…");
}

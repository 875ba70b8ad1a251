using System.Globalization;
using Microsoft.EntityFrameworkCore;
using Perennial.Certification;
using Perennial.Changes;
using Perennial.Data;
using Perennial.Improvements;
using Perennial.Incidents;
using Perennial.InternalAudits;
using Perennial.Measurement;
using Perennial.Nonconformities;
using Perennial.OrganisationContext;
using Perennial.Risks;

namespace Perennial.ManagementReviews;

/// <summary>A record behind a section's figures; <see cref="Path"/> is relative to the organisation's pages.</summary>
public sealed record PackRecord(string Type, Guid Id, string Reference, string Title, string? Status, string? Detail, string Path);

/// <summary>
/// One input of the review (9.3.2 a … g, or "incidents" and "changes"), filled from the records of the
/// period: figures by name, the records behind them, and a plain statement when there is nothing.
/// </summary>
public sealed record PackSection(string Input, string Title, string Summary, bool Empty, IReadOnlyDictionary<string, double?> Figures, IReadOnlyList<PackRecord> Records);

/// <summary>The review pack: every required input for the period, and the incidents and changes of the period beside them.</summary>
public sealed record ReviewPackModel(
    Guid ReviewId, string Reference, string Title, string OrganisationName, DateTimeOffset PeriodFrom, DateTimeOffset PeriodTo, DateTimeOffset BuiltAt, bool Frozen,
    IReadOnlyList<PackSection> Sections, IReadOnlyList<PackSection> Also);

/// <summary>
/// Builds a management review's pack from the data: the period runs from the previous held review
/// (or the first review's stated start) to the moment the review is held, or now while it is not.
/// </summary>
public sealed class ReviewPackBuilder(PerennialDbContext db, BuiltInMeasures builtIns, ContextRegister context)
{
    public static readonly IReadOnlyList<string> Inputs = ["a", "b", "c", "d1", "d2", "d3", "d4", "e", "f", "g"];

    /// <summary>Headings written for this product: what each input of 9.3.2 covers.</summary>
    public static string Heading(string input) => input switch
    {
        "a" => "(a) Actions from previous management reviews",
        "b" => "(b) Changes in external and internal issues",
        "c" => "(c) Changes in interested parties' needs and expectations",
        "d1" => "(d1) Nonconformities and corrective actions",
        "d2" => "(d2) Monitoring and measurement results",
        "d3" => "(d3) Audit results",
        "d4" => "(d4) Fulfilment of security objectives",
        "e" => "(e) Feedback from interested parties",
        "f" => "(f) Risk assessment and risk treatment plan",
        "g" => "(g) Opportunities for continual improvement",
        "incidents" => "Incidents of the period",
        "changes" => "Changes that touched the ISMS",
        "general" => "General",
        _ => input,
    };

    /// <summary>The period of a review: from the previous held review, else its stated start or a year before its date; to its holding, else <paramref name="now"/>.</summary>
    public async Task<(DateTimeOffset From, DateTimeOffset To)> PeriodAsync(ManagementReview review, DateTimeOffset now, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(review);
        var to = review.HeldAt ?? now;
        var previous = await db.ManagementReviews.AsNoTracking()
            .Where(r => r.OrganisationId == review.OrganisationId && r.Id != review.Id && r.Status == ReviewStatus.Held && r.HeldAt < to)
            .MaxAsync(r => r.HeldAt, ct);
        var from = previous ?? new DateTimeOffset((review.FirstPeriodFrom ?? review.ScheduledOn.AddYears(-1)).ToDateTime(TimeOnly.MinValue), TimeSpan.Zero);
        return (from < to ? from : to, to);
    }

    public async Task<ReviewPackModel> BuildAsync(ManagementReview review, DateTimeOffset now, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(review);
        var (from, to) = await PeriodAsync(review, now, ct);
        var org = review.OrganisationId;
        var organisationName = await db.Organisations.AsNoTracking().Where(o => o.Id == org).Select(o => o.Name).FirstAsync(ct);
        var day = DateOnly.FromDateTime(to.UtcDateTime);
        var fromDay = DateOnly.FromDateTime(from.UtcDateTime);
        var sections = new List<PackSection>
        {
            await PreviousActionsAsync(review, from, to, day, ct),
        };
        var changes = (await context.ChangesAsync(org, from, to, ct)).ToList();
        sections.Add(ContextSection("b", changes.Where(c => c.Kind != ContextKind.InterestedParty).ToList(), "issue"));
        sections.Add(ContextSection("c", changes.Where(c => c.Kind == ContextKind.InterestedParty).ToList(), "interested party"));
        sections.Add(await NonconformitiesAsync(org, from, to, day, ct));
        sections.Add(await MeasuresAsync(org, fromDay, day, ct));
        sections.Add(await AuditsAsync(org, from, to, fromDay, day, ct));
        sections.Add(await ObjectivesAsync(org, day, ct));
        sections.Add(await FeedbackAsync(org, from, to, ct));
        sections.Add(await RisksAsync(org, from, to, day, ct));
        sections.Add(await ImprovementsAsync(org, from, to, ct));
        var also = new List<PackSection> { await IncidentsAsync(org, fromDay, day, ct), await ChangesAsync(org, from, to, ct) };
        return new ReviewPackModel(review.Id, review.Reference, review.Title, organisationName, from, to, now, review.Status == ReviewStatus.Held, sections, also);
    }

    private async Task<PackSection> PreviousActionsAsync(ManagementReview review, DateTimeOffset start, DateTimeOffset end, DateOnly day, CancellationToken ct)
    {
        // Decisions of reviews held before this one that were still open when its period began, or closed since.
        var rows = await (
                from d in db.ReviewDecisions.AsNoTracking()
                join r in db.ManagementReviews on d.ReviewId equals r.Id
                where d.OrganisationId == review.OrganisationId && r.Id != review.Id && r.Status == ReviewStatus.Held && r.HeldAt <= start
                    && (d.ClosedAt == null || d.ClosedAt > start)
                orderby r.HeldAt, d.Reference
                select new { d.Id, d.ReviewId, d.Reference, d.Title, d.Status, d.ClosedAt, d.DueOn, ReviewReference = r.Reference })
            .ToListAsync(ct);
        var records = new List<PackRecord>();
        int done = 0, open = 0, overdue = 0, cancelled = 0;
        foreach (var d in rows)
        {
            var status = d.ClosedAt is { } closed && closed <= end ? d.Status : DecisionStatus.Open;
            var late = status == DecisionStatus.Open && d.DueOn < day;
            switch (status)
            {
                case DecisionStatus.Done: done++; break;
                case DecisionStatus.Cancelled: cancelled++; break;
                default: open++; overdue += late ? 1 : 0; break;
            }

            var word = status switch { DecisionStatus.Done => "done", DecisionStatus.Cancelled => "cancelled", _ => late ? "overdue" : "open" };
            records.Add(new PackRecord("decision", d.Id, d.Reference, d.Title, word, $"from {d.ReviewReference}, due {D(d.DueOn)}", $"management-reviews/{d.ReviewId}"));
        }

        var summary = rows.Count == 0
            ? "No earlier review left actions open at the start of the period."
            : $"{Count(rows.Count, "action")} from earlier reviews: {done} done, {open} open ({overdue} overdue), {cancelled} cancelled.";
        return Section("a", summary, rows.Count == 0, new() { ["total"] = rows.Count, ["done"] = done, ["open"] = open, ["overdue"] = overdue, ["cancelled"] = cancelled }, records);
    }

    private static PackSection ContextSection(string input, List<ContextChange> changes, string what)
    {
        var records = changes.GroupBy(c => c.EntryId).Select(g =>
        {
            var last = g.OrderBy(c => c.Number).Last();
            var reasons = string.Join("; ", g.OrderBy(c => c.Number).Select(c => $"{D(DateOnly.FromDateTime(c.At.UtcDateTime))} {c.Reason}"));
            return new PackRecord("context", g.Key, last.Reference, last.Title, ContextNames.Name(last.Kind), reasons, $"context/{g.Key}");
        }).OrderBy(r => r.Reference, StringComparer.Ordinal).ToList();
        var added = changes.Count(c => c.Reason == "created");
        var retired = changes.Count(c => c.Reason.StartsWith("retired", StringComparison.Ordinal));
        var reviewed = changes.Count(c => c.Reason.StartsWith("reviewed", StringComparison.Ordinal));
        var summary = changes.Count == 0
            ? $"No {what} was added, changed, reviewed or retired in the period."
            : $"{Count(records.Count, what == "issue" ? "issue" : "interested party", what == "issue" ? "issues" : "interested parties")} changed: {added} added, {retired} retired, {reviewed} reviews, {changes.Count - added - retired - reviewed} edits.";
        return Section(input, summary, changes.Count == 0,
            new() { ["changes"] = changes.Count, ["entries"] = records.Count, ["added"] = added, ["retired"] = retired, ["reviewed"] = reviewed }, records);
    }

    private async Task<PackSection> NonconformitiesAsync(Guid org, DateTimeOffset from, DateTimeOffset to, DateOnly day, CancellationToken ct)
    {
        var ncs = await db.Nonconformities.AsNoTracking()
            .Where(n => n.OrganisationId == org && ((n.RaisedAt > from && n.RaisedAt <= to) || (n.ClosedAt > from && n.ClosedAt <= to)))
            .Select(n => new { n.Id, n.Reference, n.Title, n.Severity, n.RaisedAt, n.ClosedAt, n.Status })
            .ToListAsync(ct);
        var openAtEnd = await db.Nonconformities.AsNoTracking().CountAsync(n => n.OrganisationId == org && n.RaisedAt <= to && (n.ClosedAt == null || n.ClosedAt > to), ct);
        var openAtStart = await db.Nonconformities.AsNoTracking().CountAsync(n => n.OrganisationId == org && n.RaisedAt <= from && (n.ClosedAt == null || n.ClosedAt > from), ct);
        var fromDay = DateOnly.FromDateTime(from.UtcDateTime);
        var actionsDone = await db.CorrectiveActions.AsNoTracking().CountAsync(a => a.OrganisationId == org && a.Status == CorrectiveActionStatus.Done && a.DoneOn > fromDay && a.DoneOn <= day, ct);
        var actionsOverdue = await db.CorrectiveActions.AsNoTracking().CountAsync(a => a.OrganisationId == org && a.Status != CorrectiveActionStatus.Cancelled && a.CreatedAt <= to
            && a.DueOn < day && (a.DoneOn == null || a.DoneOn > day), ct);
        var raised = ncs.Where(n => n.RaisedAt > from && n.RaisedAt <= to).ToList();
        var closed = ncs.Count(n => n.ClosedAt > from && n.ClosedAt <= to);
        var records = ncs.OrderBy(n => n.RaisedAt).Select(n => new PackRecord("nonconformity", n.Id, n.Reference, n.Title, NonconformityNames.Name(n.Status),
            $"{(n.Severity == NonconformitySeverity.Major ? "major" : "minor")}, raised {D(DateOnly.FromDateTime(n.RaisedAt.UtcDateTime))}"
            + (n.ClosedAt is { } c ? $", closed {D(DateOnly.FromDateTime(c.UtcDateTime))}" : ""), $"nonconformities/{n.Id}")).ToList();
        var trend = openAtEnd > openAtStart ? "up" : openAtEnd < openAtStart ? "down" : "level";
        var empty = ncs.Count == 0 && openAtEnd == 0 && actionsDone == 0 && actionsOverdue == 0;
        var summary = empty
            ? "No nonconformity was open, raised or closed in the period."
            : $"{Count(raised.Count, "nonconformity", "nonconformities")} raised ({raised.Count(n => n.Severity == NonconformitySeverity.Major)} major), {closed} closed; "
              + $"open went from {openAtStart} to {openAtEnd} ({trend}). {Count(actionsDone, "corrective action")} done in the period, {actionsOverdue} overdue at its end.";
        return Section("d1", summary, empty, new()
        {
            ["raised"] = raised.Count,
            ["raisedMajor"] = raised.Count(n => n.Severity == NonconformitySeverity.Major),
            ["closed"] = closed,
            ["openAtStart"] = openAtStart,
            ["openAtEnd"] = openAtEnd,
            ["actionsDone"] = actionsDone,
            ["actionsOverdue"] = actionsOverdue,
        }, records);
    }

    private async Task<PackSection> MeasuresAsync(Guid org, DateOnly fromDay, DateOnly day, CancellationToken ct)
    {
        var measures = await db.Measures.AsNoTracking().Where(m => m.OrganisationId == org && m.Active).OrderBy(m => m.Reference).ToListAsync(ct);
        var ids = measures.Select(m => m.Id).ToList();
        var values = await db.MeasureValues.AsNoTracking()
            .Where(v => ids.Contains(v.MeasureId) && v.On <= day && v.On >= fromDay.AddDays(-1) && v.Value != null)
            .Select(v => new { v.MeasureId, v.On, v.Value })
            .ToListAsync(ct);
        var byMeasure = values.ToLookup(v => v.MeasureId);
        var records = new List<PackRecord>();
        int met = 0, warning = 0, missed = 0, noData = 0;
        foreach (var m in measures)
        {
            var series = byMeasure[m.Id].OrderBy(v => v.On).ToList();
            var last = series.LastOrDefault();
            var first = series.FirstOrDefault();
            var rating = MeasureService.Rate(m, last?.Value);
            switch (rating)
            {
                case MeasureRating.Met: met++; break;
                case MeasureRating.Warning: warning++; break;
                case MeasureRating.Missed: missed++; break;
                case MeasureRating.NoData: noData++; break;
                default: break;
            }

            var detail = last is null
                ? "no value in the period"
                : $"{MeasureNames.Format(last.Value, m.Unit)} on {D(last.On)}"
                  + (first is not null && first.On != last.On ? $" (from {MeasureNames.Format(first.Value, m.Unit)} on {D(first.On)})" : "")
                  + (m.Target is { } t ? $", target {MeasureNames.Format(t, m.Unit)}" : "");
            records.Add(new PackRecord("measure", m.Id, m.Reference, m.Name, MeasureNames.Name(rating), detail, $"measures/{m.Id}"));
        }

        var empty = measures.Count == 0 || noData == measures.Count;
        var summary = measures.Count == 0
            ? "No measure is defined."
            : empty ? "No measure has a value in the period."
            : $"{Count(measures.Count, "measure")}: {met} on target, {warning} warning, {missed} off target, {noData} without a value in the period.";
        return Section("d2", summary, empty, new() { ["measures"] = measures.Count, ["met"] = met, ["warning"] = warning, ["missed"] = missed, ["noData"] = noData }, records);
    }

    private async Task<PackSection> AuditsAsync(Guid org, DateTimeOffset from, DateTimeOffset to, DateOnly fromDay, DateOnly day, CancellationToken ct)
    {
        var internals = await db.InternalAudits.AsNoTracking()
            .Where(a => a.OrganisationId == org && a.SignedOffAt > from && a.SignedOffAt <= to)
            .Select(a => new { a.Id, a.Reference, a.Title, a.SignedOffAt })
            .ToListAsync(ct);
        var internalIds = internals.Select(a => a.Id).ToList();
        var results = await db.ChecklistItems.AsNoTracking().Where(i => internalIds.Contains(i.InternalAuditId) && i.Result != null)
            .Select(i => new { i.InternalAuditId, Result = i.Result!.Value }).ToListAsync(ct);
        var externals = await db.ExternalAudits.AsNoTracking()
            .Where(a => a.OrganisationId == org && a.HeldOn > fromDay && a.HeldOn <= day)
            .Select(a => new { a.Id, a.Kind, a.HeldOn, a.CycleId, Findings = a.Findings.Select(f => f.Kind).ToList() })
            .ToListAsync(ct);
        var records = new List<PackRecord>();
        foreach (var a in internals.OrderBy(a => a.SignedOffAt))
        {
            var mine = results.Where(r => r.InternalAuditId == a.Id).ToList();
            var minor = mine.Count(r => r.Result == ChecklistResult.MinorNonconformity);
            var major = mine.Count(r => r.Result == ChecklistResult.MajorNonconformity);
            records.Add(new PackRecord("internal-audit", a.Id, a.Reference, a.Title, "reported",
                $"signed off {D(DateOnly.FromDateTime(a.SignedOffAt!.Value.UtcDateTime))}: {mine.Count(r => r.Result == ChecklistResult.Conforming)} conforming, {minor} minor, {major} major, "
                + $"{mine.Count(r => r.Result == ChecklistResult.Observation)} observations, {mine.Count(r => r.Result == ChecklistResult.Improvement)} improvements",
                $"internal-audits/{a.Id}"));
        }

        foreach (var a in externals.OrderBy(a => a.HeldOn))
        {
            records.Add(new PackRecord("external-audit", a.Id, CycleName(a.Kind), $"{CycleName(a.Kind)} audit", "held",
                $"held {D(a.HeldOn!.Value)}: {a.Findings.Count(f => f == FindingKind.MajorNonconformity)} major, {a.Findings.Count(f => f == FindingKind.MinorNonconformity)} minor, "
                + $"{a.Findings.Count(f => f == FindingKind.Observation)} observations, {a.Findings.Count(f => f == FindingKind.OpportunityForImprovement)} opportunities",
                "calendar/cycle"));
        }

        var internalNcs = results.Count(r => r.Result is ChecklistResult.MinorNonconformity or ChecklistResult.MajorNonconformity);
        var externalNcs = externals.Sum(a => a.Findings.Count(f => f is FindingKind.MajorNonconformity or FindingKind.MinorNonconformity));
        var empty = records.Count == 0;
        var summary = empty
            ? "No internal audit was reported and no external audit was held in the period."
            : $"{Count(internals.Count, "internal audit")} reported ({internalNcs} nonconformities found), {Count(externals.Count, "external audit")} held ({externalNcs} nonconformities found).";
        return Section("d3", summary, empty, new()
        {
            ["internalAudits"] = internals.Count,
            ["internalNonconformities"] = internalNcs,
            ["externalAudits"] = externals.Count,
            ["externalNonconformities"] = externalNcs,
        }, records);
    }

    private async Task<PackSection> ObjectivesAsync(Guid org, DateOnly day, CancellationToken ct)
    {
        var objectives = await db.Objectives.AsNoTracking().Where(o => o.OrganisationId == org && o.Status != ObjectiveStatus.Withdrawn).OrderBy(o => o.Reference).ToListAsync(ct);
        var measureIds = objectives.Select(o => o.MeasureId).OfType<Guid>().Distinct().ToList();
        var measures = await db.Measures.AsNoTracking().Where(m => measureIds.Contains(m.Id)).ToDictionaryAsync(m => m.Id, ct);
        var latest = (await db.MeasureValues.AsNoTracking().Where(v => measureIds.Contains(v.MeasureId) && v.On <= day && v.Value != null)
                .GroupBy(v => v.MeasureId).Select(g => new { MeasureId = g.Key, On = g.Max(v => v.On) }).ToListAsync(ct))
            .ToDictionary(v => v.MeasureId, v => v.On);
        var days = latest.Values.Distinct().ToList();
        var values = await db.MeasureValues.AsNoTracking().Where(v => measureIds.Contains(v.MeasureId) && days.Contains(v.On))
            .Select(v => new { v.MeasureId, v.On, v.Value }).ToListAsync(ct);
        var records = new List<PackRecord>();
        int onTarget = 0, offTarget = 0, achieved = 0, notAchieved = 0;
        foreach (var o in objectives)
        {
            var measure = o.MeasureId is { } mid ? measures.GetValueOrDefault(mid) : null;
            var value = measure is not null && latest.TryGetValue(measure.Id, out var on) ? values.FirstOrDefault(v => v.MeasureId == measure.Id && v.On == on)?.Value : null;
            var target = o.Target ?? measure?.Target;
            var rating = measure is null ? MeasureRating.NoData : MeasureService.Rate(value, target, o.Target is null ? measure.Threshold : null, measure.Direction);
            string status;
            switch (o.Status)
            {
                case ObjectiveStatus.Achieved: achieved++; status = "achieved"; break;
                case ObjectiveStatus.NotAchieved: notAchieved++; status = "not-achieved"; break;
                default:
                    status = rating switch { MeasureRating.Met => "on-target", MeasureRating.NoData or MeasureRating.NoTarget => "no-data", _ => "off-target" };
                    onTarget += rating == MeasureRating.Met ? 1 : 0;
                    offTarget += rating is MeasureRating.Warning or MeasureRating.Missed ? 1 : 0;
                    break;
            }

            var unit = measure?.Unit ?? "";
            records.Add(new PackRecord("objective", o.Id, o.Reference, o.Title, status,
                $"due {D(o.DueOn)}" + (measure is null ? ", no measure" : $", {measure.Reference} at {MeasureNames.Format(value, unit)}") + (target is { } t ? $", target {MeasureNames.Format(t, unit)}" : ""),
                $"objectives/{o.Id}"));
        }

        var empty = objectives.Count == 0;
        var summary = empty
            ? "No security objective is set."
            : $"{Count(objectives.Count, "objective")}: {onTarget} on target, {offTarget} off target, {achieved} achieved, {notAchieved} not achieved.";
        return Section("d4", summary, empty, new()
        {
            ["objectives"] = objectives.Count,
            ["onTarget"] = onTarget,
            ["offTarget"] = offTarget,
            ["achieved"] = achieved,
            ["notAchieved"] = notAchieved,
        }, records);
    }

    private async Task<PackSection> FeedbackAsync(Guid org, DateTimeOffset from, DateTimeOffset to, CancellationToken ct)
    {
        // What interested parties said: the certification body's findings and the notes of interested-party reviews.
        var fromDay = DateOnly.FromDateTime(from.UtcDateTime);
        var toDay = DateOnly.FromDateTime(to.UtcDateTime);
        var findings = await (
                from f in db.AuditFindings.AsNoTracking()
                join a in db.ExternalAudits on f.ExternalAuditId equals a.Id
                where f.OrganisationId == org && a.HeldOn > fromDay && a.HeldOn <= toDay
                select new { f.Id, f.Reference, f.Description, f.Kind })
            .ToListAsync(ct);
        var notes = await db.ContextRevisions.AsNoTracking()
            .Where(r => r.OrganisationId == org && r.Kind == ContextKind.InterestedParty && r.At > from && r.At <= to && r.Reason.StartsWith("reviewed: "))
            .Select(r => new { r.ContextEntryId, r.Reference, r.Title, r.Reason, r.At })
            .ToListAsync(ct);
        var records = findings.OrderBy(f => f.Reference, StringComparer.Ordinal)
            .Select(f => new PackRecord("audit-finding", f.Id, f.Reference, Truncate(f.Description), FindingName(f.Kind), "certification body", "calendar/cycle"))
            .Concat(notes.OrderBy(n => n.At).Select(n => new PackRecord("context", n.ContextEntryId, n.Reference, n.Title, "reviewed", n.Reason["reviewed: ".Length..], $"context/{n.ContextEntryId}")))
            .ToList();
        var empty = records.Count == 0;
        var summary = empty
            ? "No feedback from interested parties was recorded in the period: no certification-body finding and no interested-party review with a note."
            : $"{Count(findings.Count, "certification-body finding")} and {Count(notes.Count, "interested-party review note")} in the period.";
        return Section("e", summary, empty, new() { ["certificationFindings"] = findings.Count, ["partyNotes"] = notes.Count }, records);
    }

    private async Task<PackSection> RisksAsync(Guid org, DateTimeOffset from, DateTimeOffset to, DateOnly day, CancellationToken ct)
    {
        var revisions = await db.RiskRevisions.AsNoTracking()
            .Where(r => r.OrganisationId == org && r.ValidFrom > from && r.ValidFrom <= to)
            .Select(r => new { r.RiskId, r.Reference, r.Title, r.Number, r.Reason, r.ResidualLevel, r.Status })
            .ToListAsync(ct);
        var fromDay = DateOnly.FromDateTime(from.UtcDateTime);
        var reviews = await db.RiskReviews.AsNoTracking().CountAsync(r => r.OrganisationId == org && r.ReviewedOn > fromDay && r.ReviewedOn <= day, ct);
        var above = await builtIns.ComputeAsync(org, BuiltInMeasures.RisksAboveThreshold, MeasureFrequency.Monthly, day, ct);
        var progress = await builtIns.ComputeAsync(org, BuiltInMeasures.TreatmentPlanProgress, MeasureFrequency.Monthly, day, ct);
        var actionsOverdue = await (
                from a in db.RiskActions.AsNoTracking()
                join r in db.Risks on a.RiskId equals r.Id
                where a.OrganisationId == org && r.Status == RiskStatus.Open && a.Status != ActionStatus.Done && a.DueOn < day
                select a.Id)
            .CountAsync(ct);
        var records = revisions.GroupBy(r => r.RiskId).Select(g =>
        {
            var last = g.OrderBy(r => r.Number).Last();
            var created = g.Any(r => r.Number == 1);
            return new PackRecord("risk", g.Key, last.Reference, last.Title, created ? "new" : "revised",
                $"{Count(g.Count(), "revision")}, residual {last.ResidualLevel}: {string.Join("; ", g.OrderBy(r => r.Number).Select(r => r.Reason).Distinct().Take(3))}", $"risks/{g.Key}");
        }).OrderBy(r => r.Reference, StringComparer.Ordinal).ToList();
        var created = records.Count(r => r.Status == "new");
        var empty = revisions.Count == 0 && reviews == 0 && above.Value is null or 0 && progress.Value is null;
        var summary = empty
            ? "No risk was assessed, revised or reviewed in the period, and the treatment plan has no action."
            : $"{Count(created, "new risk")} and {Count(records.Count - created, "revised risk")} in the period, {Count(reviews, "review")}; "
              + $"{above.Value ?? 0} open risks above the acceptance threshold at its end; treatment plan {(progress.Value is { } p ? $"{p.ToString("0.#", CultureInfo.InvariantCulture)} % done" : "without actions")}, {actionsOverdue} actions overdue.";
        return Section("f", summary, empty, new()
        {
            ["newRisks"] = created,
            ["revisedRisks"] = records.Count - created,
            ["revisions"] = revisions.Count,
            ["reviews"] = reviews,
            ["aboveThreshold"] = above.Value,
            ["treatmentProgress"] = progress.Value,
            ["treatmentActionsOverdue"] = actionsOverdue,
        }, records);
    }

    private async Task<PackSection> ImprovementsAsync(Guid org, DateTimeOffset from, DateTimeOffset to, CancellationToken ct)
    {
        var rows = await db.Improvements.AsNoTracking()
            .Where(i => i.OrganisationId == org && ((i.RaisedAt > from && i.RaisedAt <= to) || (i.RaisedAt <= to && (i.Status == ImprovementStatus.Open || i.Status == ImprovementStatus.InProgress))))
            .Select(i => new { i.Id, i.Reference, i.Title, i.Status, i.RaisedAt })
            .ToListAsync(ct);
        var raised = rows.Count(i => i.RaisedAt > from);
        var open = rows.Count(i => i.Status is ImprovementStatus.Open or ImprovementStatus.InProgress);
        var records = rows.OrderBy(i => i.Reference, StringComparer.Ordinal)
            .Select(i => new PackRecord("improvement", i.Id, i.Reference, i.Title, i.Status.ToString().ToLowerInvariant(), $"raised {D(DateOnly.FromDateTime(i.RaisedAt.UtcDateTime))}", "improvements"))
            .ToList();
        var empty = rows.Count == 0;
        var summary = empty
            ? "No opportunity for improvement was raised in the period and none is open."
            : $"{Count(raised, "opportunity", "opportunities")} raised in the period; {open} open or in progress.";
        return Section("g", summary, empty, new() { ["raised"] = raised, ["open"] = open }, records);
    }

    private async Task<PackSection> IncidentsAsync(Guid org, DateOnly fromDay, DateOnly day, CancellationToken ct)
    {
        var rows = await db.Incidents.AsNoTracking().Where(i => i.OrganisationId == org && i.OccurredOn > fromDay && i.OccurredOn <= day)
            .OrderBy(i => i.OccurredOn).Select(i => new { i.Id, i.Reference, i.Title, i.Severity, i.Status, i.OccurredOn, i.LessonsLearned }).ToListAsync(ct);
        var records = rows.Select(i => new PackRecord("incident", i.Id, i.Reference, i.Title, i.Status == IncidentStatus.Resolved ? "resolved" : "open",
            $"{i.Severity.ToString().ToLowerInvariant()}, {D(i.OccurredOn)}{(i.LessonsLearned is null ? "" : ", lessons recorded")}", $"changes/incidents/{i.Id}")).ToList();
        var empty = rows.Count == 0;
        var summary = empty
            ? "No incident occurred in the period."
            : $"{Count(rows.Count, "incident")}: {rows.Count(i => i.Severity >= IncidentSeverity.High)} high or critical, {rows.Count(i => i.Status == IncidentStatus.Open)} still open.";
        return Section("incidents", summary, empty, new()
        {
            ["incidents"] = rows.Count,
            ["highOrCritical"] = rows.Count(i => i.Severity >= IncidentSeverity.High),
            ["open"] = rows.Count(i => i.Status == IncidentStatus.Open),
        }, records);
    }

    private async Task<PackSection> ChangesAsync(Guid org, DateTimeOffset from, DateTimeOffset to, CancellationToken ct)
    {
        var fromDay = DateOnly.FromDateTime(from.UtcDateTime);
        var toDay = DateOnly.FromDateTime(to.UtcDateTime);
        var rows = await db.Changes.AsNoTracking()
            .Where(c => c.OrganisationId == org && ((c.CreatedAt > from && c.CreatedAt <= to) || (c.ClosedOn > fromDay && c.ClosedOn <= toDay))
                && (c.AffectsScope == true || c.AddsAssetsOrProcessing == true || c.AffectsSupplier == true || c.AffectsAccess == true
                    || c.AffectsLegalRequirements == true || c.AffectsSoaControl == true))
            .OrderBy(c => c.CreatedAt).Select(c => new { c.Id, c.Reference, c.Title, c.Status, c.AffectsScope, c.AffectsSoaControl }).ToListAsync(ct);
        var records = rows.Select(c => new PackRecord("change", c.Id, c.Reference, c.Title, c.Status.ToName(),
            c.AffectsScope == true ? "touches the scope" : c.AffectsSoaControl == true ? "touches a control of the SoA" : "touches the ISMS", $"changes/{c.Id}")).ToList();
        var empty = rows.Count == 0;
        var summary = empty ? "No change that touched the ISMS was raised or closed in the period." : $"{Count(rows.Count, "change")} touching the ISMS raised or closed in the period.";
        return Section("changes", summary, empty, new() { ["changes"] = rows.Count, ["scopeChanges"] = rows.Count(c => c.AffectsScope == true) }, records);
    }

    private static PackSection Section(string input, string summary, bool empty, Dictionary<string, double?> figures, IReadOnlyList<PackRecord> records) =>
        new(input, Heading(input), summary, empty, figures, records);

    private static string CycleName(ExternalAuditKind kind) => kind switch
    {
        ExternalAuditKind.Surveillance1 => "First surveillance",
        ExternalAuditKind.Surveillance2 => "Second surveillance",
        _ => "Recertification",
    };

    private static string FindingName(FindingKind kind) => kind switch
    {
        FindingKind.MajorNonconformity => "major",
        FindingKind.MinorNonconformity => "minor",
        FindingKind.Observation => "observation",
        _ => "opportunity",
    };

    private static string Truncate(string text) => text.Length > 120 ? text[..117] + "…" : text;

    private static string Count(int n, string one, string? many = null) => string.Create(CultureInfo.InvariantCulture, $"{n} {(n == 1 ? one : many ?? one + "s")}");

    private static string D(DateOnly d) => d.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture);
}

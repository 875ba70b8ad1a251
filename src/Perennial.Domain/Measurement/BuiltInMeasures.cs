using System.Globalization;
using Microsoft.EntityFrameworkCore;
using Perennial.Activities;
using Perennial.Data;
using Perennial.Frameworks;
using Perennial.Nonconformities;
using Perennial.Risks;

namespace Perennial.Measurement;

/// <summary>What a built-in measure is and how Perennial computes it; the words are shown on the measure's page.</summary>
public sealed record BuiltInMeasure(
    string Key, string Name, string Description, string Method, string Unit, MeasureDirection Direction, double Target, double Threshold);

/// <summary>A computed value and the figures behind it; a null value means the period held nothing to measure.</summary>
public sealed record MeasureResult(double? Value, string Detail);

/// <summary>
/// The measures Perennial computes from its own records, each for a day D: rates look back over the
/// measure's period (D minus one week, month, quarter or year, exclusive, to D inclusive); counts and
/// ages are the state at the end of D (UTC).
/// </summary>
public sealed class BuiltInMeasures(PerennialDbContext db)
{
    public const string OccurrencesOnTime = "occurrences-on-time";
    public const string ControlsWithFreshEvidence = "controls-fresh-evidence";
    public const string OpenNonconformities = "open-nonconformities";
    public const string NonconformityMeanAge = "nonconformity-mean-age";
    public const string OverdueCorrectiveActions = "overdue-corrective-actions";
    public const string DaysToCloseNonconformity = "nonconformity-days-to-close";
    public const string RisksAboveThreshold = "risks-above-threshold";
    public const string TreatmentPlanProgress = "treatment-plan-progress";
    public const string FindingsRemediatedOnTime = "findings-remediated-on-time";
    public const string AccessReviewsOnTime = "access-reviews-on-time";
    public const string Incidents = "incidents";

    public static readonly IReadOnlyList<BuiltInMeasure> All =
    [
        new(OccurrencesOnTime, "Recurring activities completed on time",
            "The share of the activity occurrences due in the period that were completed by their due date.",
            "Occurrences due in the period, skipped ones left out, one still open on its due day not yet counted; on time when completed no later than the due day in the activity's time zone.",
            "%", MeasureDirection.HigherIsBetter, 95, 85),
        new(ControlsWithFreshEvidence, "Controls with fresh evidence",
            "The share of applicable controls with evidence recorded for the period.",
            "Controls other than clauses and those marked not applicable; fresh when evidence linked to the control or to one of its activities covers a day within the control's freshness period (or the measure's period) up to the day measured.",
            "%", MeasureDirection.HigherIsBetter, 90, 75),
        new(OpenNonconformities, "Open nonconformities",
            "How many nonconformities are open at the end of the day.",
            "Nonconformities raised by the end of the day and not closed by then.",
            "count", MeasureDirection.LowerIsBetter, 5, 10),
        new(NonconformityMeanAge, "Mean age of open nonconformities",
            "How long, on average, the open nonconformities have been open.",
            "Days from the day each open nonconformity was raised to the day measured, averaged.",
            "days", MeasureDirection.LowerIsBetter, 45, 90),
        new(OverdueCorrectiveActions, "Overdue corrective actions",
            "How many corrective actions are past their due date and not done.",
            "Corrective actions, cancelled ones left out, due before the day measured and not done by its end.",
            "count", MeasureDirection.LowerIsBetter, 0, 3),
        new(DaysToCloseNonconformity, "Days to close a nonconformity",
            "How long the nonconformities closed in the period took, on average, from raising to closing.",
            "Nonconformities closed in the period; days from the day raised to the day closed, averaged.",
            "days", MeasureDirection.LowerIsBetter, 60, 90),
        new(RisksAboveThreshold, "Risks above the acceptance threshold",
            "How many open risks carry a residual score above their method's acceptance threshold.",
            "Each risk as its revision stood at the end of the day: open, with residual likelihood times impact above the acceptance threshold of the risk's method.",
            "count", MeasureDirection.LowerIsBetter, 0, 5),
        new(TreatmentPlanProgress, "Risk treatment plan progress",
            "The share of the risk treatment plan's actions that are done.",
            "Actions of open risks; done when completed by the day measured.",
            "%", MeasureDirection.HigherIsBetter, 80, 50),
        new(FindingsRemediatedOnTime, "Scanner findings remediated within their deadline",
            "The share of the scanner findings whose remediation deadline fell in the period that were fixed by it.",
            "Findings with a deadline in the period; on time when a later scan no longer showed them by the deadline day (UTC).",
            "%", MeasureDirection.HigherIsBetter, 90, 75),
        new(AccessReviewsOnTime, "Access reviews signed off on time",
            "The share of the access reviews due in the period that were signed off by their due date.",
            "Access reviews whose occurrence fell due in the period, one still open on its due day not yet counted; on time when signed off no later than the due day in the activity's time zone.",
            "%", MeasureDirection.HigherIsBetter, 100, 90),
        new(Incidents, "Security incidents",
            "How many information security incidents occurred in the period, and how many of them were high or critical.",
            "Incidents recorded with a date of occurrence in the period, whatever their status.",
            "count", MeasureDirection.LowerIsBetter, 2, 5),
    ];

    public static BuiltInMeasure? Find(string? key) => All.FirstOrDefault(m => m.Key == key);

    /// <summary>The first day after the period that ends on <paramref name="day"/> begins, exclusive: values look at (start, day].</summary>
    public static DateOnly PeriodStart(MeasureFrequency frequency, DateOnly day) => frequency switch
    {
        MeasureFrequency.Weekly => day.AddDays(-7),
        MeasureFrequency.Quarterly => day.AddMonths(-3),
        MeasureFrequency.Yearly => day.AddMonths(-12),
        _ => day.AddMonths(-1),
    };

    /// <summary>The first instant after <paramref name="day"/> (UTC).</summary>
    public static DateTimeOffset EndOf(DateOnly day) => new(day.AddDays(1).ToDateTime(TimeOnly.MinValue), TimeSpan.Zero);

    public Task<MeasureResult> ComputeAsync(Guid organisationId, string key, MeasureFrequency frequency, DateOnly day, CancellationToken ct)
    {
        var start = PeriodStart(frequency, day);
        return key switch
        {
            OccurrencesOnTime => OccurrencesOnTimeAsync(organisationId, start, day, ct),
            ControlsWithFreshEvidence => ControlsWithFreshEvidenceAsync(organisationId, start, day, ct),
            OpenNonconformities => OpenNonconformitiesAsync(organisationId, day, ct),
            NonconformityMeanAge => NonconformityMeanAgeAsync(organisationId, day, ct),
            OverdueCorrectiveActions => OverdueCorrectiveActionsAsync(organisationId, day, ct),
            DaysToCloseNonconformity => DaysToCloseAsync(organisationId, start, day, ct),
            RisksAboveThreshold => RisksAboveThresholdAsync(organisationId, day, ct),
            TreatmentPlanProgress => TreatmentPlanProgressAsync(organisationId, day, ct),
            FindingsRemediatedOnTime => FindingsOnTimeAsync(organisationId, start, day, ct),
            AccessReviewsOnTime => AccessReviewsOnTimeAsync(organisationId, start, day, ct),
            Incidents => IncidentsAsync(organisationId, start, day, ct),
            _ => throw new ArgumentOutOfRangeException(nameof(key), key, "No such built-in measure."),
        };
    }

    private async Task<MeasureResult> OccurrencesOnTimeAsync(Guid organisationId, DateOnly start, DateOnly day, CancellationToken ct)
    {
        var rows = await (
                from o in db.Occurrences.AsNoTracking()
                join a in db.Activities on o.ActivityId equals a.Id
                where o.OrganisationId == organisationId && o.DueDate > start && o.DueDate <= day && o.State != OccurrenceState.Skipped
                    && !(o.State == OccurrenceState.Open && o.DueDate == day)
                select new { o.DueDate, o.State, o.CompletedAt, a.TimeZone })
            .ToListAsync(ct);
        var onTime = rows.Count(r => r.State == OccurrenceState.Completed && r.CompletedAt is { } at && LocalDay(at, r.TimeZone) <= r.DueDate);
        return Share(onTime, rows.Count, "occurrences due in the period completed on time", "No occurrence fell due in the period.");
    }

    private async Task<MeasureResult> ControlsWithFreshEvidenceAsync(Guid organisationId, DateOnly start, DateOnly day, CancellationToken ct)
    {
        var controls = await db.Controls.AsNoTracking()
            .Where(c => c.OrganisationId == organisationId && c.Kind == ControlKind.Control && c.Status != ImplementationStatus.NotApplicable)
            .Select(c => new { c.Id, c.EvidenceFreshnessDays })
            .ToListAsync(ct);
        if (controls.Count == 0)
        {
            return new MeasureResult(null, "No applicable control.");
        }

        var end = EndOf(day);
        var evidence = db.EvidenceItems.AsNoTracking().Where(e => e.OrganisationId == organisationId && e.RecordedAt < end && e.PeriodFrom <= day);
        var direct = await (
                from l in db.EvidenceItemLinks
                join e in evidence on l.EvidenceItemId equals e.Id
                where l.ControlId != null
                group e.PeriodTo by l.ControlId!.Value into g
                select new { ControlId = g.Key, Newest = g.Max() })
            .ToListAsync(ct);
        var viaActivities = await (
                from l in db.EvidenceItemLinks
                join e in evidence on l.EvidenceItemId equals e.Id
                join ac in db.ActivityControls on l.ActivityId equals ac.ActivityId
                group e.PeriodTo by ac.ControlId into g
                select new { ControlId = g.Key, Newest = g.Max() })
            .ToListAsync(ct);
        var newest = new Dictionary<Guid, DateOnly>();
        foreach (var row in direct.Concat(viaActivities))
        {
            if (!newest.TryGetValue(row.ControlId, out var seen) || row.Newest > seen)
            {
                newest[row.ControlId] = row.Newest;
            }
        }

        var periodDays = day.DayNumber - start.DayNumber;
        var fresh = controls.Count(c => newest.TryGetValue(c.Id, out var to) && to > day.AddDays(-(c.EvidenceFreshnessDays ?? periodDays)));
        return Share(fresh, controls.Count, "applicable controls with fresh evidence", "");
    }

    private async Task<MeasureResult> OpenNonconformitiesAsync(Guid organisationId, DateOnly day, CancellationToken ct)
    {
        var end = EndOf(day);
        var count = await db.Nonconformities.AsNoTracking()
            .CountAsync(n => n.OrganisationId == organisationId && n.RaisedAt < end && (n.ClosedAt == null || n.ClosedAt >= end), ct);
        return new MeasureResult(count, Plural(count, "nonconformity", "nonconformities") + " open");
    }

    private async Task<MeasureResult> NonconformityMeanAgeAsync(Guid organisationId, DateOnly day, CancellationToken ct)
    {
        var end = EndOf(day);
        var raised = await db.Nonconformities.AsNoTracking()
            .Where(n => n.OrganisationId == organisationId && n.RaisedAt < end && (n.ClosedAt == null || n.ClosedAt >= end))
            .Select(n => n.RaisedAt).ToListAsync(ct);
        if (raised.Count == 0)
        {
            return new MeasureResult(null, "No nonconformity open.");
        }

        var mean = raised.Average(r => (double)(day.DayNumber - UtcDay(r).DayNumber));
        return new MeasureResult(Math.Round(mean, 1), $"mean over {Plural(raised.Count, "open nonconformity", "open nonconformities")}");
    }

    private async Task<MeasureResult> OverdueCorrectiveActionsAsync(Guid organisationId, DateOnly day, CancellationToken ct)
    {
        var end = EndOf(day);
        var count = await db.CorrectiveActions.AsNoTracking()
            .CountAsync(a => a.OrganisationId == organisationId && a.Status != CorrectiveActionStatus.Cancelled && a.CreatedAt < end && a.DueOn < day
                && (a.DoneOn == null || a.DoneOn > day), ct);
        return new MeasureResult(count, Plural(count, "corrective action", "corrective actions") + " overdue");
    }

    private async Task<MeasureResult> DaysToCloseAsync(Guid organisationId, DateOnly start, DateOnly day, CancellationToken ct)
    {
        var from = EndOf(start);
        var end = EndOf(day);
        var closed = await db.Nonconformities.AsNoTracking()
            .Where(n => n.OrganisationId == organisationId && n.ClosedAt >= from && n.ClosedAt < end)
            .Select(n => new { n.RaisedAt, ClosedAt = n.ClosedAt!.Value }).ToListAsync(ct);
        if (closed.Count == 0)
        {
            return new MeasureResult(null, "No nonconformity was closed in the period.");
        }

        var mean = closed.Average(n => (double)(UtcDay(n.ClosedAt).DayNumber - UtcDay(n.RaisedAt).DayNumber));
        return new MeasureResult(Math.Round(mean, 1), $"mean over {Plural(closed.Count, "nonconformity", "nonconformities")} closed in the period");
    }

    private async Task<MeasureResult> RisksAboveThresholdAsync(Guid organisationId, DateOnly day, CancellationToken ct)
    {
        var end = EndOf(day);
        var rows = await (
                from v in db.RiskRevisions.AsNoTracking()
                join r in db.Risks on v.RiskId equals r.Id
                join m in db.RiskMethods on r.MethodId equals m.Id
                where v.OrganisationId == organisationId && v.ValidFrom < end && (v.ValidTo == null || v.ValidTo >= end) && v.Status == RiskStatus.Open
                select new { v.ResidualLikelihood, v.ResidualImpact, m.AcceptanceThreshold })
            .ToListAsync(ct);
        var count = rows.Count(r => RiskMatrix.NeedsAcceptance(RiskMatrix.Score(r.ResidualLikelihood, r.ResidualImpact), r.AcceptanceThreshold));
        return new MeasureResult(count, $"{count} of {Plural(rows.Count, "open risk", "open risks")} above the threshold");
    }

    private async Task<MeasureResult> TreatmentPlanProgressAsync(Guid organisationId, DateOnly day, CancellationToken ct)
    {
        var actions = await (
                from a in db.RiskActions.AsNoTracking()
                join r in db.Risks on a.RiskId equals r.Id
                where a.OrganisationId == organisationId && r.Status == RiskStatus.Open
                select new { a.Status, a.CompletedOn })
            .ToListAsync(ct);
        var done = actions.Count(a => a.Status == ActionStatus.Done && (a.CompletedOn is null || a.CompletedOn <= day));
        return Share(done, actions.Count, "treatment actions done", "The risk treatment plan has no action.");
    }

    private async Task<MeasureResult> FindingsOnTimeAsync(Guid organisationId, DateOnly start, DateOnly day, CancellationToken ct)
    {
        var findings = await db.Findings.AsNoTracking()
            .Where(f => f.OrganisationId == organisationId && f.DueOn > start && f.DueOn <= day)
            .Select(f => new { DueOn = f.DueOn!.Value, f.FixedAt }).ToListAsync(ct);
        var onTime = findings.Count(f => f.FixedAt is { } at && UtcDay(at) <= f.DueOn);
        return Share(onTime, findings.Count, "findings due in the period remediated by their deadline", "No finding's deadline fell in the period.");
    }

    private async Task<MeasureResult> AccessReviewsOnTimeAsync(Guid organisationId, DateOnly start, DateOnly day, CancellationToken ct)
    {
        var rows = await (
                from r in db.AccessReviews.AsNoTracking()
                join o in db.Occurrences on r.OccurrenceId equals o.Id
                join a in db.Activities on o.ActivityId equals a.Id
                where r.OrganisationId == organisationId && o.DueDate > start && o.DueDate <= day && !(r.SignedOffAt == null && o.DueDate == day)
                select new { o.DueDate, r.SignedOffAt, a.TimeZone })
            .ToListAsync(ct);
        var onTime = rows.Count(r => r.SignedOffAt is { } at && LocalDay(at, r.TimeZone) <= r.DueDate);
        return Share(onTime, rows.Count, "access reviews due in the period signed off on time", "No access review fell due in the period.");
    }

    private async Task<MeasureResult> IncidentsAsync(Guid organisationId, DateOnly start, DateOnly day, CancellationToken ct)
    {
        var severities = await db.Incidents.AsNoTracking().Where(i => i.OrganisationId == organisationId && i.OccurredOn > start && i.OccurredOn <= day)
            .Select(i => i.Severity).ToListAsync(ct);
        var serious = severities.Count(s => s >= Perennial.Incidents.IncidentSeverity.High);
        return new MeasureResult(severities.Count, string.Create(CultureInfo.InvariantCulture, $"{Plural(severities.Count, "incident", "incidents")} in the period, {serious} high or critical"));
    }

    private static MeasureResult Share(int part, int whole, string what, string none) =>
        whole == 0
            ? new MeasureResult(null, none.Length == 0 ? "Nothing to measure." : none)
            : new MeasureResult(Math.Round(100.0 * part / whole, 2), string.Create(CultureInfo.InvariantCulture, $"{part} of {whole} {what}"));

    private static string Plural(int count, string one, string many) => string.Create(CultureInfo.InvariantCulture, $"{count} {(count == 1 ? one : many)}");

    private static DateOnly UtcDay(DateTimeOffset at) => DateOnly.FromDateTime(at.UtcDateTime);

    private static DateOnly LocalDay(DateTimeOffset at, string timeZone) => DateOnly.FromDateTime(ActivitySchedule.LocalNow(at, timeZone));
}

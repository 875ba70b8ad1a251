using System.Globalization;
using Microsoft.EntityFrameworkCore;
using Perennial.Activities;
using Perennial.Common;
using Perennial.Data;

namespace Perennial.Evidence;

/// <summary>How much of a timeline slot the evidence covers (days after today are not counted).</summary>
public enum SlotCoverage
{
    Covered = 1,
    Partial = 2,
    Gap = 3,

    /// <summary>The slot lies wholly after today: nothing can be missing yet.</summary>
    Future = 4,
}

/// <summary>One evidence item on a timeline: the period it covers and how far its coverage reaches.</summary>
public sealed record EvidenceSpan(Guid ItemId, string Title, EvidenceStatus Status, DateOnly PeriodFrom, DateOnly PeriodTo, DateOnly CoversTo);

/// <summary>A month (or week) of the timeline.</summary>
public sealed record TimelineSlot(DateOnly From, DateOnly To, string Label, SlotCoverage Coverage, int CoveredDays, int CountedDays, int Items);

/// <summary>Days in a row with no evidence.</summary>
public sealed record CoverageGap(DateOnly From, DateOnly To)
{
    public int Days => To.DayNumber - From.DayNumber + 1;

    /// <summary>"No evidence from 1 Apr to 30 Jun 2026", or "on 5 Apr 2026" for one day.</summary>
    public string Words => EvidenceTimeline.DescribeGap(From, To);
}

/// <summary>The evidence for a control across a period, by month (or week for short periods), with its gaps.</summary>
public sealed record ControlTimeline(
    Guid ControlId, DateOnly From, DateOnly To, DateOnly Today, string PeriodSource, string SlotUnit, int? FreshnessDays,
    IReadOnlyList<TimelineSlot> Slots, IReadOnlyList<CoverageGap> Gaps, IReadOnlyList<EvidenceSpan> Items);

/// <summary>The newest current evidence for an activity or control, and whether it is still fresh.</summary>
public sealed record LatestEvidence(Guid? ItemId, string? Title, DateOnly? PeriodTo, DateTimeOffset? CollectedAt, int? FreshnessDays, bool Stale)
{
    /// <summary>The last day the evidence counts as fresh; null without a requirement or evidence.</summary>
    public DateOnly? FreshUntil => PeriodTo is { } to && FreshnessDays is { } days ? to.AddDays(days) : null;

    /// <summary>A freshness requirement exists and nothing current answers it.</summary>
    public bool Missing => FreshnessDays is not null && ItemId is null;
}

/// <summary>
/// Freshness, staleness and the control evidence timeline, computed from recorded evidence items.
/// <para>
/// Rules. An item is <em>stale</em> when its period ended more than N days ago (N: the activity's or
/// control's <c>EvidenceFreshnessDays</c>) and no newer current item exists for the same activity or
/// control. On a control's timeline an item covers its period, extended by the control's freshness
/// requirement; without one, by the freshness of the linked activity the item belongs to; without
/// that, by one interval of the activity's schedule when it is a plain FREQ/INTERVAL rule (daily,
/// weekly, monthly, yearly); otherwise the period alone. Superseded and expired items still count for
/// the period they covered: a newer version does not undo the fact that the control operated then.
/// </para>
/// </summary>
public sealed class EvidenceTimeline(PerennialDbContext db, TimeProvider time, EvidenceService evidence)
{
    /// <summary>Periods longer than this are refused (two certification cycles).</summary>
    public const int MaxDays = 6 * 366;

    /// <summary>Periods up to this many days are shown by week, longer ones by month.</summary>
    public const int WeeklyUpToDays = 92;

    public DateOnly Today => DateOnly.FromDateTime(time.GetUtcNow().UtcDateTime);

    /// <summary>
    /// The audit period: the year of the current certification cycle that contains today (from the
    /// issue date's anniversary, up to the expiry date), or the last 12 months when no cycle covers today.
    /// </summary>
    public async Task<(DateOnly From, DateOnly To, string Source)> AuditPeriodAsync(Guid organisationId, CancellationToken ct)
    {
        var today = Today;
        var cycle = await db.CertificationCycles.AsNoTracking()
            .Where(c => c.OrganisationId == organisationId && c.IsCurrent)
            .Select(c => new { c.Number, c.IssueDate, c.ExpiryDate }).FirstOrDefaultAsync(ct);
        if (cycle is not null && cycle.IssueDate <= today && today <= cycle.ExpiryDate)
        {
            var year = 0;
            while (cycle.IssueDate.AddYears(year + 1) <= today)
            {
                year++;
            }

            var from = cycle.IssueDate.AddYears(year);
            var to = Min(from.AddYears(1).AddDays(-1), cycle.ExpiryDate);
            return (from, to, $"Year {year + 1} of certification cycle {cycle.Number}");
        }

        return (today.AddYears(-1).AddDays(1), today, "The last 12 months (no current certification cycle covers today)");
    }

    /// <summary>The control's evidence timeline over [from, to] (default: the audit period).</summary>
    public async Task<ControlTimeline> ForControlAsync(Guid organisationId, Guid controlId, DateOnly? from, DateOnly? to, CancellationToken ct)
    {
        var control = await db.Controls.AsNoTracking().Where(c => c.Id == controlId && c.OrganisationId == organisationId)
            .Select(c => new { c.Id, c.EvidenceFreshnessDays }).SingleOrDefaultAsync(ct)
            ?? throw UseCaseException.NotFound("No such control in this organisation.");

        var period = await AuditPeriodAsync(organisationId, ct);
        var start = from ?? period.From;
        var end = to ?? period.To;
        var source = from is null && to is null ? period.Source : "The dates asked for";
        if (start > end)
        {
            throw UseCaseException.Invalid("from", $"from ({start:yyyy-MM-dd}) is after to ({end:yyyy-MM-dd}).");
        }

        if (end.DayNumber - start.DayNumber + 1 > MaxDays)
        {
            throw UseCaseException.Invalid("to", $"The period is longer than {MaxDays} days; ask for at most six years.");
        }

        var today = Today;
        var items = await evidence.Filter(organisationId, new EvidenceQuery(ControlId: controlId), today)
            .Select(e => new
            {
                e.Id,
                e.Title,
                e.PeriodFrom,
                e.PeriodTo,
                e.SupersededById,
                e.RetainUntil,
                Activities = e.Links.Where(l => l.ActivityId != null).Select(l => l.ActivityId!.Value).ToList(),
                Direct = e.Links.Any(l => l.ControlId == controlId),
            })
            .ToListAsync(ct);

        // The activities operating this control, with how far one item of theirs reaches.
        var activities = await db.ActivityControls.AsNoTracking().Where(ac => ac.ControlId == controlId)
            .Join(db.Activities, ac => ac.ActivityId, a => a.Id, (ac, a) => new { a.Id, a.EvidenceFreshnessDays, a.Rrule, a.ScheduleSource })
            .ToListAsync(ct);
        var reach = activities.ToDictionary(a => a.Id, a => (a.EvidenceFreshnessDays, a.ScheduleSource == ScheduleSource.Rule ? a.Rrule : null));

        var spans = items.Select(i =>
        {
            DateOnly coversTo;
            if (control.EvidenceFreshnessDays is { } days)
            {
                coversTo = i.PeriodTo.AddDays(days);
            }
            else
            {
                coversTo = i.PeriodTo;
                foreach (var activityId in i.Activities)
                {
                    if (reach.TryGetValue(activityId, out var r) && Extend(i.PeriodTo, r.EvidenceFreshnessDays, r.Item2) is { } extended && extended > coversTo)
                    {
                        coversTo = extended;
                    }
                }
            }

            var status = i.SupersededById is not null ? EvidenceStatus.Superseded
                : i.RetainUntil is { } until && until < today ? EvidenceStatus.Expired : EvidenceStatus.Current;
            return new EvidenceSpan(i.Id, i.Title, status, i.PeriodFrom, i.PeriodTo, coversTo);
        }).OrderBy(s => s.PeriodFrom).ThenBy(s => s.PeriodTo).ToList();

        return Compute(controlId, spans, start, end, today, source, control.EvidenceFreshnessDays);
    }

    /// <summary>Slots and gaps for spans over [from, to], as seen on <paramref name="today"/>.</summary>
    public static ControlTimeline Compute(
        Guid controlId, IReadOnlyList<EvidenceSpan> spans, DateOnly from, DateOnly to, DateOnly today, string periodSource = "", int? freshnessDays = null)
    {
        ArgumentNullException.ThrowIfNull(spans);
        var length = to.DayNumber - from.DayNumber + 1;
        var covered = new bool[length];
        foreach (var span in spans)
        {
            var first = Math.Max(span.PeriodFrom.DayNumber, from.DayNumber);
            var last = Math.Min(span.CoversTo.DayNumber, to.DayNumber);
            for (var d = first; d <= last; d++)
            {
                covered[d - from.DayNumber] = true;
            }
        }

        var weekly = length <= WeeklyUpToDays;
        var slots = new List<TimelineSlot>();
        var slotFrom = from;
        while (slotFrom <= to)
        {
            var slotTo = weekly ? slotFrom.AddDays(6) : new DateOnly(slotFrom.Year, slotFrom.Month, 1).AddMonths(1).AddDays(-1);
            slotTo = Min(slotTo, to);
            var countedTo = Min(slotTo, today);
            var counted = Math.Max(0, countedTo.DayNumber - slotFrom.DayNumber + 1);
            var coveredDays = 0;
            for (var d = slotFrom.DayNumber; d <= countedTo.DayNumber; d++)
            {
                coveredDays += covered[d - from.DayNumber] ? 1 : 0;
            }

            var coverage = counted == 0 ? SlotCoverage.Future
                : coveredDays == counted ? SlotCoverage.Covered
                : coveredDays == 0 ? SlotCoverage.Gap
                : SlotCoverage.Partial;
            var (sf, st) = (slotFrom, slotTo);
            var itemCount = spans.Count(s => s.PeriodFrom <= st && s.CoversTo >= sf);
            var label = weekly
                ? slotFrom.ToString("d MMM", CultureInfo.InvariantCulture)
                : slotFrom.ToString("MMM yyyy", CultureInfo.InvariantCulture);
            slots.Add(new TimelineSlot(slotFrom, slotTo, label, coverage, coveredDays, counted, itemCount));
            slotFrom = slotTo.AddDays(1);
        }

        var gaps = new List<CoverageGap>();
        var lastCounted = Min(to, today);
        DateOnly? gapStart = null;
        for (var day = from; day <= lastCounted; day = day.AddDays(1))
        {
            var isCovered = covered[day.DayNumber - from.DayNumber];
            if (!isCovered && gapStart is null)
            {
                gapStart = day;
            }
            else if (isCovered && gapStart is { } started)
            {
                gaps.Add(new CoverageGap(started, day.AddDays(-1)));
                gapStart = null;
            }
        }

        if (gapStart is { } open && lastCounted >= from)
        {
            gaps.Add(new CoverageGap(open, lastCounted));
        }

        return new ControlTimeline(controlId, from, to, today, periodSource, weekly ? "week" : "month", freshnessDays, slots, gaps, spans);
    }

    /// <summary>How far one item of an activity reaches: its freshness, else one interval of a plain schedule.</summary>
    public static DateOnly? Extend(DateOnly periodTo, int? freshnessDays, string? rrule)
    {
        if (freshnessDays is { } days)
        {
            return periodTo.AddDays(days);
        }

        if (string.IsNullOrWhiteSpace(rrule))
        {
            return null;
        }

        string? frequency = null;
        var interval = 1;
        foreach (var part in rrule.Split(';', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
        {
            var pair = part.Split('=', 2);
            if (pair.Length != 2)
            {
                return null;
            }

            switch (pair[0].ToUpperInvariant())
            {
                case "FREQ":
                    frequency = pair[1].ToUpperInvariant();
                    break;
                case "INTERVAL" when int.TryParse(pair[1], NumberStyles.None, CultureInfo.InvariantCulture, out var n) && n is > 0 and < 1000:
                    interval = n;
                    break;
                case "INTERVAL":
                    return null;
                default:
                    // BYDAY, BYMONTHDAY, … only choose the day within the interval; COUNT/UNTIL end the series.
                    break;
            }
        }

        return frequency switch
        {
            "DAILY" => periodTo.AddDays(interval),
            "WEEKLY" => periodTo.AddDays(7 * interval),
            "MONTHLY" => periodTo.AddMonths(interval),
            "YEARLY" => periodTo.AddYears(interval),
            _ => null,
        };
    }

    /// <summary>The newest current item for an activity, and whether it meets the activity's freshness requirement.</summary>
    public async Task<LatestEvidence> LatestForActivityAsync(Guid organisationId, Guid activityId, CancellationToken ct)
    {
        var freshness = await db.Activities.AsNoTracking().Where(a => a.Id == activityId && a.OrganisationId == organisationId)
            .Select(a => a.EvidenceFreshnessDays).SingleOrDefaultAsync(ct);
        return await LatestAsync(organisationId, new EvidenceQuery(ActivityId: activityId, Status: EvidenceStatus.Current), freshness, ct);
    }

    /// <summary>The newest current item for a control (direct or through its activities), against the control's requirement.</summary>
    public async Task<LatestEvidence> LatestForControlAsync(Guid organisationId, Guid controlId, CancellationToken ct)
    {
        var freshness = await db.Controls.AsNoTracking().Where(c => c.Id == controlId && c.OrganisationId == organisationId)
            .Select(c => c.EvidenceFreshnessDays).SingleOrDefaultAsync(ct);
        return await LatestAsync(organisationId, new EvidenceQuery(ControlId: controlId, Status: EvidenceStatus.Current), freshness, ct);
    }

    /// <summary>
    /// Which of <paramref name="items"/> are stale: current, the newest for an activity or control they
    /// are linked to that has a freshness requirement, and older than that requirement allows.
    /// </summary>
    public async Task<IReadOnlySet<Guid>> StaleAmongAsync(Guid organisationId, IReadOnlyList<EvidenceItem> items, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(items);
        var today = Today;
        var current = items.Where(i => i.StatusOn(today) == EvidenceStatus.Current).ToList();
        var activityIds = current.SelectMany(i => i.Links).Where(l => l.ActivityId != null).Select(l => l.ActivityId!.Value).Distinct().ToList();
        var controlIds = current.SelectMany(i => i.Links).Where(l => l.ControlId != null).Select(l => l.ControlId!.Value).Distinct().ToList();
        var activityFreshness = await db.Activities.AsNoTracking().Where(a => a.OrganisationId == organisationId && activityIds.Contains(a.Id) && a.EvidenceFreshnessDays != null)
            .ToDictionaryAsync(a => a.Id, a => a.EvidenceFreshnessDays!.Value, ct);
        var controlFreshness = await db.Controls.AsNoTracking().Where(c => c.OrganisationId == organisationId && controlIds.Contains(c.Id) && c.EvidenceFreshnessDays != null)
            .ToDictionaryAsync(c => c.Id, c => c.EvidenceFreshnessDays!.Value, ct);

        var newest = new Dictionary<Guid, DateOnly?>();
        async Task<DateOnly?> NewestAsync(Guid target, EvidenceQuery query)
        {
            if (!newest.TryGetValue(target, out var value))
            {
                value = await evidence.Filter(organisationId, query, today).MaxAsync(e => (DateOnly?)e.PeriodTo, ct);
                newest[target] = value;
            }

            return value;
        }

        var stale = new HashSet<Guid>();
        foreach (var item in current)
        {
            foreach (var link in item.Links)
            {
                int days;
                DateOnly? latest;
                if (link.ActivityId is { } aid && activityFreshness.TryGetValue(aid, out days))
                {
                    latest = await NewestAsync(aid, new EvidenceQuery(ActivityId: aid, Status: EvidenceStatus.Current));
                }
                else if (link.ControlId is { } cid && controlFreshness.TryGetValue(cid, out days))
                {
                    latest = await NewestAsync(cid, new EvidenceQuery(ControlId: cid, Status: EvidenceStatus.Current));
                }
                else
                {
                    continue;
                }

                if (item.PeriodTo >= (latest ?? item.PeriodTo) && item.IsStaleOn(today, days))
                {
                    stale.Add(item.Id);
                }
            }
        }

        return stale;
    }

    /// <summary>Refuses a freshness requirement outside 1 to 3660 days, naming <paramref name="field"/>; null means none.</summary>
    public static void CheckFreshness(int? days, string field = "evidenceFreshnessDays")
    {
        if (days is < 1 or > Activity.MaxEvidenceFreshnessDays)
        {
            throw UseCaseException.Invalid(field, $"{field} must be between 1 and {Activity.MaxEvidenceFreshnessDays} days, or empty for no requirement.");
        }
    }

    /// <summary>Sets how recent a control's evidence must be (null: no requirement).</summary>
    public async Task SetControlFreshnessAsync(Guid organisationId, Guid controlId, int? days, CancellationToken ct)
    {
        CheckFreshness(days);
        var control = await db.Controls.SingleOrDefaultAsync(c => c.Id == controlId && c.OrganisationId == organisationId, ct)
            ?? throw UseCaseException.NotFound("No such control in this organisation.");
        if (control.EvidenceFreshnessDays != days)
        {
            control.EvidenceFreshnessDays = days;
            await db.SaveChangesAsync(ct);
        }
    }

    /// <summary>"No evidence from 1 Apr to 30 Jun 2026"; the year is repeated only when it changes.</summary>
    public static string DescribeGap(DateOnly from, DateOnly to)
    {
        var c = CultureInfo.InvariantCulture;
        if (from == to)
        {
            return $"No evidence on {from.ToString("d MMM yyyy", c)}";
        }

        var first = from.Year == to.Year ? from.ToString("d MMM", c) : from.ToString("d MMM yyyy", c);
        return $"No evidence from {first} to {to.ToString("d MMM yyyy", c)}";
    }

    private async Task<LatestEvidence> LatestAsync(Guid organisationId, EvidenceQuery query, int? freshness, CancellationToken ct)
    {
        var today = Today;
        var latest = await evidence.Filter(organisationId, query, today)
            .OrderByDescending(e => e.PeriodTo).ThenByDescending(e => e.RecordedAt)
            .Select(e => new { e.Id, e.Title, e.PeriodTo, e.CollectedAt }).FirstOrDefaultAsync(ct);
        return latest is null
            ? new LatestEvidence(null, null, null, null, freshness, false)
            : new LatestEvidence(latest.Id, latest.Title, latest.PeriodTo, latest.CollectedAt, freshness,
                freshness is { } days && latest.PeriodTo.AddDays(days) < today);
    }

    private static DateOnly Min(DateOnly a, DateOnly b) => a < b ? a : b;
}

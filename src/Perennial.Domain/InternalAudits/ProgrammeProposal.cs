using Microsoft.EntityFrameworkCore;
using Perennial.Data;
using Perennial.Frameworks;
using Perennial.Risks;

namespace Perennial.InternalAudits;

/// <summary>Why a clause or control deserves an earlier, closer look.</summary>
public sealed record Signal(string Identifier, int Weight, string Reason);

/// <summary>
/// What makes a clause or control higher-risk for the programme and for sampling: an open risk it
/// treats whose residual score is above the organisation's acceptance threshold (weight 2), and a
/// nonconformity or adverse internal audit result recorded on it (weight 1).
/// </summary>
public sealed class AuditSignals(PerennialDbContext db)
{
    public async Task<Dictionary<string, List<Signal>>> ForAsync(Guid organisationId, IReadOnlyCollection<string> identifiers, DateTimeOffset since, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(identifiers);
        var wanted = identifiers.ToList();
        var signals = new List<Signal>();
        var threshold = await db.RiskMethods.Where(m => m.OrganisationId == organisationId && m.IsCurrent).Select(m => (int?)m.AcceptanceThreshold).FirstOrDefaultAsync(ct);
        if (threshold is { } t)
        {
            var risks = await (from rc in db.RiskControls
                               join r in db.Risks on rc.RiskId equals r.Id
                               join c in db.Controls on rc.ControlId equals c.Id
                               where c.OrganisationId == organisationId && c.Framework!.Key == Framework.IsoKey && wanted.Contains(c.Identifier)
                                   && r.Status != RiskStatus.Closed && r.ResidualScore > t
                               orderby r.Reference
                               select new { c.Identifier, r.Reference, r.ResidualScore }).ToListAsync(ct);
            signals.AddRange(risks.Select(r => new Signal(r.Identifier, 2, $"risk {r.Reference} is above the acceptance threshold ({r.ResidualScore} > {t})")));
        }

        var ncs = await db.Nonconformities.Where(n => n.OrganisationId == organisationId && n.Identifier != null && wanted.Contains(n.Identifier) && n.RaisedAt >= since)
            .OrderBy(n => n.Reference).Select(n => new { n.Identifier, n.Reference }).ToListAsync(ct);
        signals.AddRange(ncs.Select(n => new Signal(n.Identifier!, 1, $"nonconformity {n.Reference} was raised on it")));

        var adverse = await db.ChecklistItems.Where(i => i.OrganisationId == organisationId && wanted.Contains(i.Identifier) && i.RecordedAt >= since
                && i.NonconformityId == null && i.Result == ChecklistResult.Observation)
            .Join(db.InternalAudits, i => i.InternalAuditId, a => a.Id, (i, a) => new { i.Identifier, a.Reference }).ToListAsync(ct);
        signals.AddRange(adverse.Select(a => new Signal(a.Identifier, 1, $"audit {a.Reference} recorded an observation on it")));

        return signals.GroupBy(s => s.Identifier, StringComparer.Ordinal).ToDictionary(g => g.Key, g => g.ToList(), StringComparer.Ordinal);
    }
}

public sealed record ProposedItem(string Identifier, string Reason);

/// <summary>An audit of the proposal: one already planned (with its id) that gains scope items, or a new one.</summary>
public sealed record ProposedAudit(Guid? AuditId, string? Reference, string Title, DateOnly PlannedStart, DateOnly PlannedEnd, IReadOnlyList<string> Scope, IReadOnlyList<ProposedItem> Added);

public sealed record ProgrammeProposalResult(int? CycleNumber, DateOnly Deadline, string DeadlineReason, IReadOnlyList<string> Gaps, IReadOnlyList<ProposedAudit> Audits);

/// <summary>
/// Proposes how to close the programme's coverage gaps before the next external audit: the
/// uncovered clauses and controls are spread over the internal audits still to come (two new ones
/// when none is planned), the higher-risk ones in the earliest audit and, when weighty, once more in
/// the last. Nothing is saved: the manager edits the proposal and plans or updates each audit.
/// </summary>
public sealed class ProgrammeProposal(PerennialDbContext db, InternalAuditCoverage coverage, AuditSignals signals, TimeProvider time)
{
    public async Task<ProgrammeProposalResult> ProposeAsync(Guid organisationId, int? cycleNumber, CancellationToken ct)
    {
        var matrix = await coverage.ForCycleAsync(organisationId, cycleNumber, ct);
        var today = DateOnly.FromDateTime(time.GetUtcNow().UtcDateTime);
        var cycle = matrix.CycleNumber is { } n
            ? await db.CertificationCycles.AsNoTracking().Include(c => c.Audits).FirstAsync(c => c.OrganisationId == organisationId && c.Number == n, ct)
            : null;
        var external = cycle?.Audits.Where(a => a.HeldOn == null && a.PlannedDate > today).OrderBy(a => a.PlannedDate).FirstOrDefault();
        var (deadline, reason) = external is not null ? (external.PlannedDate, $"the {Words(external.Kind)} audit planned for {external.PlannedDate:yyyy-MM-dd}")
            : cycle is not null && cycle.ExpiryDate > today ? (cycle.ExpiryDate, $"the certificate's expiry on {cycle.ExpiryDate:yyyy-MM-dd}")
            : (today.AddYears(1), "a year from today");

        var gaps = matrix.Gaps.Select(g => g.Identifier).ToList();
        var planned = await db.InternalAudits.AsNoTracking().Include(a => a.Scope)
            .Where(a => a.OrganisationId == organisationId && a.Status == InternalAuditStatus.Planned && a.PlannedStart >= today && a.PlannedStart < deadline)
            .ToListAsync(ct);
        planned = [.. planned.Where(a => matrix.Audits.Any(m => m.Id == a.Id)).OrderBy(a => a.PlannedStart).ThenBy(a => a.Reference, StringComparer.Ordinal)];
        var slots = planned.Select(a => new Slot(a.Id, a.Reference, a.Title, a.PlannedStart, a.PlannedEnd, [.. a.Scope.OrderBy(s => s.SortOrder).Select(s => s.Identifier)])).ToList();
        if (slots.Count == 0 && gaps.Count > 0)
        {
            var span = deadline.DayNumber - today.DayNumber;
            var first = today.AddDays(Math.Min(14, Math.Max(1, span / 4)));
            slots.Add(new Slot(null, null, "Internal audit (proposed)", first, first.AddDays(2), []));
            if (span >= 90)
            {
                var second = deadline.AddDays(-30);
                slots.Add(new Slot(null, null, "Internal audit (proposed)", second, second.AddDays(2), []));
            }
        }

        var weights = await signals.ForAsync(organisationId, gaps, new DateTimeOffset(today.AddYears(-3).ToDateTime(TimeOnly.MinValue), TimeSpan.Zero), ct);
        int Weight(string id) => weights.TryGetValue(id, out var list) ? list.Sum(s => s.Weight) : 0;
        string Why(string id) => weights.TryGetValue(id, out var list) ? $"not covered yet; {string.Join("; ", list.Select(s => s.Reason))}" : "not covered yet";

        if (slots.Count > 0)
        {
            var ordered = gaps.Select((id, i) => (id, i)).OrderByDescending(x => Weight(x.id)).ThenBy(x => x.i).Select(x => x.id).ToList();
            foreach (var id in ordered)
            {
                var weight = Weight(id);
                if (weight > 0)
                {
                    slots[0].Added.Add(new ProposedItem(id, Why(id)));
                    if (weight >= 2 && slots.Count > 1)
                    {
                        slots[^1].Added.Add(new ProposedItem(id, $"{Why(id)}; looked at again before the external audit"));
                    }

                    continue;
                }

                // Spread the rest evenly, starting after the earliest audit, which already takes the weighty items.
                var slot = slots.Count == 1 ? slots[0] : slots.OrderBy(s => s.Scope.Count + s.Added.Count).ThenBy(s => slots.IndexOf(s) == 0 ? 1 : 0).First();
                slot.Added.Add(new ProposedItem(id, Why(id)));
            }
        }

        return new ProgrammeProposalResult(matrix.CycleNumber, deadline, reason, gaps,
            [.. slots.Where(s => s.Added.Count > 0).Select(s => new ProposedAudit(s.AuditId, s.Reference, s.Title, s.Start, s.End, s.Scope, s.Added))]);
    }

    private static string Words(Certification.ExternalAuditKind kind) => kind switch
    {
        Certification.ExternalAuditKind.Surveillance1 => "first surveillance",
        Certification.ExternalAuditKind.Surveillance2 => "second surveillance",
        _ => "recertification",
    };

    private sealed record Slot(Guid? AuditId, string? Reference, string Title, DateOnly Start, DateOnly End, List<string> Scope)
    {
        public List<ProposedItem> Added { get; } = [];
    }
}

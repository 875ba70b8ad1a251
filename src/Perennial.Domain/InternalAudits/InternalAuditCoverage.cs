using Microsoft.EntityFrameworkCore;
using Perennial.Common;
using Perennial.Data;

namespace Perennial.InternalAudits;

/// <summary>One clause or applicable control and the audits of the cycle (planned, running or reported) that cover it.</summary>
public sealed record CoverageItem(string Identifier, ScopeItemKind Kind, string Title, IReadOnlyList<Guid> AuditIds)
{
    public bool Covered => AuditIds.Count > 0;
}

/// <summary>Coverage within one year of the cycle, counting the audits planned to start in it.</summary>
public sealed record CoverageYear(int Year, DateOnly From, DateOnly To, int Covered, int Total)
{
    public double Coverage => Total == 0 ? 1 : (double)Covered / Total;
}

public sealed record CoverageAudit(Guid Id, string Reference, string Title, DateOnly PlannedStart, InternalAuditStatus Status);

/// <summary>
/// The coverage matrix of one cycle's programme: every management-system clause and every control
/// the current published SoA marks applicable, against the audits that cover it.
/// </summary>
public sealed record CoverageMatrix(
    int? CycleNumber, DateOnly? CycleFrom, DateOnly? CycleTo, int? SoaVersion, IReadOnlyList<CoverageItem> Items,
    IReadOnlyList<CoverageYear> Years, IReadOnlyList<CoverageAudit> Audits)
{
    public int Covered => Items.Count(i => i.Covered);
    public double Coverage => Items.Count == 0 ? 1 : (double)Covered / Items.Count;
    public IEnumerable<CoverageItem> Gaps => Items.Where(i => !i.Covered);
}

public sealed class InternalAuditCoverage(PerennialDbContext db)
{
    /// <summary>
    /// The matrix of cycle <paramref name="cycleNumber"/>, or of the current cycle; an organisation
    /// without a cycle sees its programme before certification (audits in no cycle).
    /// </summary>
    public async Task<CoverageMatrix> ForCycleAsync(Guid organisationId, int? cycleNumber, CancellationToken ct)
    {
        var cycles = db.CertificationCycles.AsNoTracking().Where(c => c.OrganisationId == organisationId);
        var cycle = cycleNumber is { } n
            ? await cycles.FirstOrDefaultAsync(c => c.Number == n, ct) ?? throw UseCaseException.Invalid("cycle", $"This organisation has no certification cycle {n}.")
            : await cycles.FirstOrDefaultAsync(c => c.IsCurrent, ct);
        var cycleId = cycle?.Id;

        var soa = await db.SoaVersions.AsNoTracking().Where(v => v.OrganisationId == organisationId && v.PublishedAt != null)
            .OrderByDescending(v => v.Number).Select(v => new { v.Id, v.Number }).FirstOrDefaultAsync(ct);
        var applicable = soa is null
            ? []
            : (await db.SoaRows.AsNoTracking().Where(r => r.SoaVersionId == soa.Id && r.Applicable == true).Select(r => r.ControlIdentifier).ToListAsync(ct)).ToHashSet(StringComparer.Ordinal);

        var audits = await db.InternalAudits.AsNoTracking()
            .Where(a => a.OrganisationId == organisationId && a.CycleId == cycleId && a.Status != InternalAuditStatus.Cancelled)
            .OrderBy(a => a.PlannedStart).ThenBy(a => a.Reference)
            .Select(a => new { a.Id, a.Reference, a.Title, a.PlannedStart, a.Status, Scope = a.Scope.Select(s => s.Identifier).ToList() })
            .ToListAsync(ct);

        var wanted = AuditableItems.All.Where(i => i.Kind == ScopeItemKind.Clause || applicable.Contains(i.Identifier)).ToList();
        CoverageItem Row(AuditableItems.Item i, IEnumerable<Guid> ids) => new(i.Identifier, i.Kind, i.Title, [.. ids]);
        var items = wanted.Select(i => Row(i, audits.Where(a => a.Scope.Contains(i.Identifier)).Select(a => a.Id))).ToList();

        var years = new List<CoverageYear>();
        if (cycle is not null)
        {
            for (var k = 0; cycle.IssueDate.AddYears(k) < cycle.ExpiryDate; k++)
            {
                var from = cycle.IssueDate.AddYears(k);
                var to = DateOnly.FromDayNumber(Math.Min(cycle.IssueDate.AddYears(k + 1).DayNumber, cycle.ExpiryDate.DayNumber + 1) - 1);
                var inYear = audits.Where(a => a.PlannedStart >= from && a.PlannedStart <= to).SelectMany(a => a.Scope).ToHashSet(StringComparer.Ordinal);
                years.Add(new CoverageYear(k + 1, from, to, wanted.Count(i => inYear.Contains(i.Identifier)), wanted.Count));
            }
        }

        return new CoverageMatrix(cycle?.Number, cycle?.IssueDate, cycle?.ExpiryDate, soa?.Number, items, years,
            [.. audits.Select(a => new CoverageAudit(a.Id, a.Reference, a.Title, a.PlannedStart, a.Status))]);
    }
}

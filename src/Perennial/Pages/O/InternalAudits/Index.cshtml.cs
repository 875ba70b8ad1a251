using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;
using Microsoft.EntityFrameworkCore;
using Perennial.Common;
using Perennial.Data;
using Perennial.InternalAudits;
using Perennial.Organisations;
using Perennial.Paging;
using Perennial.Security;

namespace Perennial.Pages.O.InternalAudits;

/// <summary>The internal audit programme of a cycle: its audits in order and how much of the ISMS they cover.</summary>
public sealed class IndexModel(CurrentOrg org, InternalAuditService audits, InternalAuditCoverage coverage, PerennialDbContext db) : PageModel
{
    [FromQuery(Name = "cycle")] public int? Cycle { get; set; }

    public CurrentOrg Org => org;
    public bool CanManage => org.Can(OrgRole.Manager);
    public CoverageMatrix Matrix { get; private set; } = null!;
    public IReadOnlyList<InternalAudit> Audits { get; private set; } = [];
    public IReadOnlyList<int> Cycles { get; private set; } = [];
    public IReadOnlyDictionary<Guid, string> Names { get; private set; } = new Dictionary<Guid, string>();

    public async Task<IActionResult> OnGetAsync(CancellationToken ct)
    {
        try
        {
            Matrix = await coverage.ForCycleAsync(org.Id, Cycle, ct);
        }
        catch (UseCaseException e) when (e.Kind == UseCaseErrorKind.Validation)
        {
            return NotFound();
        }

        Cycles = await db.CertificationCycles.AsNoTracking().Where(c => c.OrganisationId == org.Id).OrderByDescending(c => c.Number).Select(c => c.Number).ToListAsync(ct);
        Audits = [.. (await audits.ListAsync(org.Id, new InternalAuditQuery(Matrix.CycleNumber), new PageRequest(1, PageRequest.MaxPageSize), ct)).Items
            .Where(a => Matrix.CycleNumber is not null || a.CycleId == null)];
        var people = Audits.Select(a => a.LeadAuditorUserId).Distinct().ToList();
        Names = await db.Users.AsNoTracking().Where(u => people.Contains(u.Id)).ToDictionaryAsync(u => u.Id, u => u.DisplayName, ct);
        return Page();
    }

    public static string StatusLabel(InternalAuditStatus status) => status switch
    {
        InternalAuditStatus.Planned => "Planned",
        InternalAuditStatus.InProgress => "In progress",
        InternalAuditStatus.Reported => "Reported",
        _ => "Cancelled",
    };

    public static string Percent(double value) => $"{Math.Round(value * 100).ToString(System.Globalization.CultureInfo.InvariantCulture)}%";
}

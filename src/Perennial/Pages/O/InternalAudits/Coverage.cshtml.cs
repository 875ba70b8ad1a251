using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;
using Perennial.Common;
using Perennial.InternalAudits;
using Perennial.Security;

namespace Perennial.Pages.O.InternalAudits;

/// <summary>The coverage matrix: every clause and applicable control against the audits of the cycle.</summary>
public sealed class CoverageModel(CurrentOrg org, InternalAuditCoverage coverage) : PageModel
{
    [FromQuery(Name = "cycle")] public int? Cycle { get; set; }

    public CurrentOrg Org => org;
    public CoverageMatrix Matrix { get; private set; } = null!;

    public async Task<IActionResult> OnGetAsync(CancellationToken ct)
    {
        try
        {
            Matrix = await coverage.ForCycleAsync(org.Id, Cycle, ct);
            return Page();
        }
        catch (UseCaseException e) when (e.Kind == UseCaseErrorKind.Validation)
        {
            return NotFound();
        }
    }
}

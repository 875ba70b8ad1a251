using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;
using Perennial.Common;
using Perennial.InternalAudits;
using Perennial.Security;

namespace Perennial.Pages.O.InternalAudits;

/// <summary>The proposed programme for the coverage gaps; each proposed audit opens prefilled for the manager to edit and save.</summary>
public sealed class ProposalModel(CurrentOrg org, ProgrammeProposal proposal) : PageModel
{
    [FromQuery(Name = "cycle")] public int? Cycle { get; set; }

    public CurrentOrg Org => org;
    public ProgrammeProposalResult Result { get; private set; } = null!;

    public async Task<IActionResult> OnGetAsync(CancellationToken ct)
    {
        try
        {
            Result = await proposal.ProposeAsync(org.Id, Cycle, ct);
            return Page();
        }
        catch (UseCaseException e) when (e.Kind == UseCaseErrorKind.Validation)
        {
            return NotFound();
        }
    }

    public string Link(ProposedAudit a)
    {
        ArgumentNullException.ThrowIfNull(a);
        var add = Uri.EscapeDataString(string.Join(",", a.Added.Select(i => i.Identifier)));
        return a.AuditId is { } id
            ? $"/o/{org.Slug}/internal-audits/{id}/edit?add={add}"
            : $"/o/{org.Slug}/internal-audits/new?title={Uri.EscapeDataString(a.Title)}&plannedStart={a.PlannedStart:yyyy-MM-dd}&plannedEnd={a.PlannedEnd:yyyy-MM-dd}&scope={add}";
    }
}

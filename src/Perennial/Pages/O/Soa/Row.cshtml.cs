using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;
using Perennial.Common;
using Perennial.Frameworks;
using Perennial.Organisations;
using Perennial.Paging;
using Perennial.Security;
using Perennial.Soa;

namespace Perennial.Pages.O.Soa;

public sealed class RowModel(CurrentOrg org, SoaService soa, OrganisationService organisations, Perennial.Risks.RiskService risks, Perennial.Data.PerennialDbContext db) : PageModel
{
    /// <summary>The risks whose treatment plans name this control.</summary>
    public IReadOnlyList<Perennial.Risks.RiskListItem> Risks { get; private set; } = [];

    public CurrentOrg Org => org;
    public SoaRowView Row { get; private set; } = null!;
    public IReadOnlyList<string> Members { get; private set; } = [];

    public async Task<IActionResult> OnGetAsync(string control, CancellationToken ct) =>
        await LoadAsync(control, ct) ? Page() : NotFound();

    public async Task<IActionResult> OnPostAsync(string control, string? applicable, string? justification, string? status, string? owner,
        string? linkedRisks, string? linkedActivities, string? notes, string? changeReason, CancellationToken ct)
    {
        if (!await LoadAsync(control, ct))
        {
            return NotFound();
        }

        try
        {
            if (!ImplementationStatuses.TryParse(status, out var parsed))
            {
                throw UseCaseException.Invalid("status", "Choose an implementation status.");
            }

            bool? applies = applicable switch { "true" => true, "false" => false, _ => null };
            await soa.UpdateDraftRowAsync(org.Id, Row.ControlIdentifier,
                new SoaRowInput(applies, justification, parsed, owner, linkedRisks, linkedActivities, notes, changeReason), ct);
            return Redirect($"/o/{org.Slug}/controls");
        }
        catch (UseCaseException e)
        {
            ModelState.AddModelError(string.Empty, e.Message);
            return Page();
        }
    }

    private async Task<bool> LoadAsync(string control, CancellationToken ct)
    {
        var row = (await soa.RowsAsync(org.Id, SoaService.Draft, ct)).SingleOrDefault(r => string.Equals(r.ControlIdentifier, control, StringComparison.OrdinalIgnoreCase));
        if (row is null)
        {
            return false;
        }

        Row = row;
        var controlId = await Microsoft.EntityFrameworkCore.EntityFrameworkQueryableExtensions.FirstOrDefaultAsync(
            db.Controls.Where(c => c.OrganisationId == org.Id && c.Framework!.Key == Framework.IsoKey && c.Identifier == row.ControlIdentifier).Select(c => (Guid?)c.Id), ct);
        Risks = controlId is { } id
            ? (await risks.ListAsync(org.Id, new Perennial.Risks.RiskQuery(ControlId: id), new PageRequest(1, 100), ct)).Items
            : [];
        Members = (await organisations.ListMembersAsync(org.Id, new PageRequest(1, PageRequest.MaxPageSize), ct)).Items.Select(m => m.Email).ToList();
        return true;
    }
}

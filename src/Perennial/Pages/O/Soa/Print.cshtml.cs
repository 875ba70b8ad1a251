using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;
using Perennial.Common;
using Perennial.Security;
using Perennial.Soa;

namespace Perennial.Pages.O.Soa;

/// <summary>The SoA as one print-ready page, without the application's navigation.</summary>
public sealed class PrintModel(CurrentOrg org, SoaService soa) : PageModel
{
    public string OrganisationName => org.Access.Name;
    public int Number { get; private set; }
    public SoaVersionSummary? Version { get; private set; }
    public IReadOnlyList<SoaRowView> Rows { get; private set; } = [];

    public async Task<IActionResult> OnGetAsync(int? version, CancellationToken ct)
    {
        Number = version ?? 0;
        try
        {
            Rows = await soa.RowsAsync(org.Id, Number, ct);
        }
        catch (UseCaseException)
        {
            return NotFound();
        }

        Version = (await soa.ListVersionsAsync(org.Id, ct)).FirstOrDefault(v => v.Number == Number);
        return Page();
    }
}

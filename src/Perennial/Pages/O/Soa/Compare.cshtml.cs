using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;
using Perennial.Common;
using Perennial.Security;
using Perennial.Soa;

namespace Perennial.Pages.O.Soa;

public sealed class CompareModel(CurrentOrg org, SoaService soa) : PageModel
{
    public string Slug => org.Slug;
    public SoaDiff Diff { get; private set; } = null!;

    public async Task<IActionResult> OnGetAsync(string? from, string? to, CancellationToken ct)
    {
        try
        {
            Diff = await soa.CompareAsync(org.Id, SoaApi.ParseVersion(from, "from"), SoaApi.ParseVersion(to, "to"), ct);
            return Page();
        }
        catch (UseCaseException)
        {
            return NotFound();
        }
    }
}

using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;
using Perennial.Common;
using Perennial.Scope;
using Perennial.Security;

namespace Perennial.Pages.O.Scope;

public sealed class CompareModel(CurrentOrg org, ScopeService scopes) : PageModel
{
    public ScopeDiff Diff { get; private set; } = null!;
    public string Slug => org.Slug;

    public async Task<IActionResult> OnGetAsync(int from, int to, CancellationToken ct)
    {
        try
        {
            Diff = await scopes.CompareAsync(org.Id, from, to, ct);
            return Page();
        }
        catch (UseCaseException)
        {
            return NotFound();
        }
    }
}

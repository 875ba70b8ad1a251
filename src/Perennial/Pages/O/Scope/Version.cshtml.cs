using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;
using Perennial.Scope;
using Perennial.Security;

namespace Perennial.Pages.O.Scope;

public sealed class VersionModel(CurrentOrg org, ScopeService scopes, Perennial.OrganisationContext.ContextRegister register, TimeProvider time) : PageModel
{
    public ScopeView View { get; private set; } = null!;
    public string Slug => org.Slug;
    public ScopeContext Context { get; private set; } = null!;

    public async Task<IActionResult> OnGetAsync(int number, CancellationToken ct)
    {
        var view = await scopes.GetVersionAsync(org.Id, number, ct);
        if (view is null)
        {
            return NotFound();
        }

        View = view;
        Context = await ScopeContext.LoadAsync(register, org.Id, org.Slug, view.CreatedAt, time, ct);
        return Page();
    }
}

using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;
using Perennial.Common;
using Perennial.Data;
using Perennial.Organisations;
using Perennial.Risks;
using Perennial.Security;

namespace Perennial.Pages.O.Risks;

public sealed class NewModel(CurrentOrg org, RiskService risks, OrganisationService organisations, PerennialDbContext db) : PageModel
{
    [BindProperty]
    public RiskForm Form { get; set; } = new();

    public RiskFormOptions Options { get; private set; } = null!;

    public async Task OnGetAsync(CancellationToken ct) =>
        Options = await RiskFormOptions.LoadAsync(org.Id, Form, risks, organisations, db, ct);

    public async Task<IActionResult> OnPostAsync(CancellationToken ct)
    {
        try
        {
            var risk = await risks.CreateAsync(org.Id, Form.ToInput(), ct);
            return Redirect($"/o/{org.Slug}/risks/{risk.Id}");
        }
        catch (UseCaseException e)
        {
            db.ChangeTracker.Clear();
            ModelState.AddModelError(RiskFormErrors.Field(e), e.Message);
            Options = await RiskFormOptions.LoadAsync(org.Id, Form, risks, organisations, db, ct);
            return Page();
        }
    }
}

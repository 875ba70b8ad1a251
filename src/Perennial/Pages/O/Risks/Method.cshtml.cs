using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;
using Perennial.Common;
using Perennial.Risks;
using Perennial.Security;

namespace Perennial.Pages.O.Risks;

public sealed class MethodModel(CurrentOrg org, RiskService risks) : PageModel
{
    public CurrentOrg Org => org;
    public RiskMethod Method { get; private set; } = null!;
    public IReadOnlyList<RiskMethod> Versions { get; private set; } = [];

    public async Task OnGetAsync(CancellationToken ct) => await LoadAsync(ct);

    public async Task<IActionResult> OnPostAsync(int size, int threshold, CancellationToken ct)
    {
        try
        {
            if (size is < 3 or > 5)
            {
                throw UseCaseException.Invalid("size", "Choose a 3×3, 4×4 or 5×5 matrix.");
            }

            var (likelihood, impact, bands, _) = RiskMatrix.Default(size);
            await risks.SaveMethodAsync(org.Id, likelihood, impact, bands, threshold, ct);
            return Redirect($"/o/{org.Slug}/risks/method");
        }
        catch (UseCaseException e)
        {
            ModelState.AddModelError(string.Empty, e.Message);
            await LoadAsync(ct);
            return Page();
        }
    }

    private async Task LoadAsync(CancellationToken ct)
    {
        Method = await risks.CurrentMethodAsync(org.Id, ct);
        Versions = (await risks.MethodsAsync(org.Id, ct)).Where(m => !m.IsCurrent).ToList();
    }
}

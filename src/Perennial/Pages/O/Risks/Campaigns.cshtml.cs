using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;
using Perennial.Common;
using Perennial.Risks;
using Perennial.Security;

namespace Perennial.Pages.O.Risks;

public sealed class CampaignsModel(CurrentOrg org, RiskService risks) : PageModel
{
    public CurrentOrg Org => org;
    public IReadOnlyList<(ReviewCampaign Campaign, IReadOnlyList<OwnerProgress> Progress)> Campaigns { get; private set; } = [];

    public async Task OnGetAsync(CancellationToken ct) => await LoadAsync(ct);

    public async Task<IActionResult> OnPostAsync(string? title, DateOnly? dueOn, CancellationToken ct)
    {
        try
        {
            await risks.StartCampaignAsync(org.Id, title ?? "", dueOn ?? throw UseCaseException.Invalid("dueOn", "Give the due date."), ct);
            return Redirect($"/o/{org.Slug}/risks/campaigns");
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
        var list = new List<(ReviewCampaign, IReadOnlyList<OwnerProgress>)>();
        foreach (var c in await risks.CampaignsAsync(org.Id, ct))
        {
            list.Add((c, await risks.CampaignProgressAsync(org.Id, c.Id, ct)));
        }

        Campaigns = list;
    }
}

using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;
using Perennial.Accounts;
using Perennial.Organisations;
using Perennial.Paging;
using Perennial.Security;

namespace Perennial.Pages;

/// <summary>Sends people where they belong: setup on a new installation, sign-in, or their organisation.</summary>
public sealed class IndexModel(CurrentUser user, AccountService accounts, OrganisationService organisations) : PageModel
{
    public async Task<IActionResult> OnGetAsync(CancellationToken ct)
    {
        if (!user.IsAuthenticated)
        {
            return await accounts.AnyAccountAsync(ct)
                ? Redirect("/account/sign-in")
                : Redirect("/setup");
        }

        var mine = await organisations.ListForUserAsync(user.RequireId(), new PageRequest(1, 2), ct);
        return mine.Total == 1 ? Redirect($"/o/{mine.Items[0].Slug}") : Redirect("/orgs");
    }
}

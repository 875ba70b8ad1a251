using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;
using Perennial.Organisations;
using Perennial.Paging;
using Perennial.Security;

namespace Perennial.Pages;

public sealed class OrgsModel(CurrentUser user, OrganisationService organisations) : PageModel
{
    public IReadOnlyList<OrganisationSummary> Organisations { get; private set; } = [];

    /// <summary>The organisation switcher submits here with <c>go</c>; the organisation's own page checks membership.</summary>
    public async Task<IActionResult> OnGetAsync(string? go, CancellationToken ct)
    {
        if (!string.IsNullOrWhiteSpace(go))
        {
            return Redirect($"/o/{Uri.EscapeDataString(go.Trim())}");
        }

        Organisations = (await organisations.ListForUserAsync(user.RequireId(), new PageRequest(1, PageRequest.MaxPageSize), ct)).Items;
        return Page();
    }
}

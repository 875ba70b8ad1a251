using Microsoft.AspNetCore.Mvc.RazorPages;
using Perennial.Security;

namespace Perennial.Pages.O;

public sealed class SettingsModel(CurrentOrg org) : PageModel
{
    public CurrentOrg Org => org;

    public void OnGet()
    {
    }
}

using System.ComponentModel.DataAnnotations;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;
using Perennial.Common;
using Perennial.Organisations;
using Perennial.Security;

namespace Perennial.Pages.Admin;

public sealed class OrganisationsModel(CurrentUser user, OrganisationService organisations) : PageModel
{
    public sealed class CreateInput
    {
        [Required, StringLength(Organisation.NameMaxLength)]
        public string Name { get; set; } = "";

        [Required, StringLength(Organisation.SlugMaxLength)]
        public string Slug { get; set; } = "";
    }

    [BindProperty]
    public CreateInput Input { get; set; } = new();

    public void OnGet()
    {
    }

    public async Task<IActionResult> OnPostAsync(CancellationToken ct)
    {
        if (!ModelState.IsValid)
        {
            return Page();
        }

        try
        {
            var created = await organisations.CreateAsync(Input.Slug, Input.Name, user.RequireId(), isDemo: false, ct);
            return Redirect($"/o/{created.Slug}");
        }
        catch (UseCaseException e)
        {
            ModelState.AddModelError(e.Field == "name" ? "Input.Name" : "Input.Slug", e.Message);
            return Page();
        }
    }
}

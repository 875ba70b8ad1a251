using System.ComponentModel.DataAnnotations;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;
using Perennial.Accounts;
using Perennial.Common;

namespace Perennial.Pages.Admin;

public sealed class UsersModel(AccountService accounts) : PageModel
{
    public sealed class CreateInput
    {
        [Required, EmailAddress, StringLength(256)]
        public string Email { get; set; } = "";

        [StringLength(200)]
        public string? DisplayName { get; set; }

        public bool IsInstallationAdmin { get; set; }
    }

    [BindProperty]
    public CreateInput Input { get; set; } = new();

    public IReadOnlyList<AccountSummary> Accounts { get; private set; } = [];

    public (string Email, string Password)? Created { get; private set; }

    public async Task OnGetAsync(CancellationToken ct) => Accounts = await accounts.ListAsync(ct);

    public async Task<IActionResult> OnPostAsync(CancellationToken ct)
    {
        if (ModelState.IsValid)
        {
            try
            {
                var created = await accounts.CreateAsync(Input.Email, Input.DisplayName, null, Input.IsInstallationAdmin, ct);
                Created = (created.User.Email ?? "", created.GeneratedPassword!);
                ModelState.Clear();
                Input = new CreateInput();
            }
            catch (UseCaseException e)
            {
                ModelState.AddModelError("Input.Email", e.Message);
            }
        }

        Accounts = await accounts.ListAsync(ct);
        return Page();
    }
}

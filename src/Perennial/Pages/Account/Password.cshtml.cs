using System.ComponentModel.DataAnnotations;
using Microsoft.AspNetCore.Identity;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;
using Perennial.Accounts;
using Perennial.Common;
using Perennial.Security;

namespace Perennial.Pages.Account;

public sealed class PasswordModel(CurrentUser user, AccountService accounts, SignInManager<User> signIn, UserManager<User> users) : PageModel
{
    public sealed class PasswordInput
    {
        [Required, StringLength(256)]
        public string CurrentPassword { get; set; } = "";

        [Required, StringLength(256, MinimumLength = 12)]
        public string NewPassword { get; set; } = "";
    }

    [BindProperty]
    public PasswordInput Input { get; set; } = new();

    public bool Changed { get; private set; }

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
            await accounts.ChangePasswordAsync(user.RequireId(), Input.CurrentPassword, Input.NewPassword, ct);
        }
        catch (UseCaseException e)
        {
            ModelState.AddModelError(e.Field == "currentPassword" ? "Input.CurrentPassword" : "Input.NewPassword", e.Message);
            return Page();
        }

        // The security stamp changed: renew this session's cookie so it stays signed in.
        var account = await users.FindByIdAsync(user.RequireId().ToString());
        await signIn.RefreshSignInAsync(account!);
        Changed = true;
        ModelState.Clear();
        Input = new PasswordInput();
        return Page();
    }
}

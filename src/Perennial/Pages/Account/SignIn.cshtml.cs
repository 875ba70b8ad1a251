using System.ComponentModel.DataAnnotations;
using Microsoft.AspNetCore.Identity;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;
using Perennial.Accounts;
using Perennial.Security;

namespace Perennial.Pages.Account;

public sealed class SignInModel(SignInManager<User> signIn, AccountService accounts, OidcOptions oidc) : PageModel
{
    [BindProperty]
    [Required, EmailAddress, StringLength(256)]
    public string Email { get; set; } = "";

    [BindProperty]
    [Required, StringLength(256)]
    public string Password { get; set; } = "";

    [BindProperty(SupportsGet = true)]
    public string? ReturnUrl { get; set; }

    public string? Error { get; private set; }
    public string? SingleSignOn => oidc.Enabled ? oidc.DisplayName : null;
    public bool SetupAvailable { get; private set; }

    public async Task OnGetAsync(CancellationToken ct) =>
        SetupAvailable = !await accounts.AnyAccountAsync(ct);

    public async Task<IActionResult> OnPostAsync(CancellationToken ct)
    {
        if (!ModelState.IsValid)
        {
            Error = "Enter your e-mail address and password.";
            return Page();
        }

        var result = await signIn.PasswordSignInAsync(Email.Trim(), Password, isPersistent: false, lockoutOnFailure: true);
        if (result.Succeeded)
        {
            return LocalRedirect(Url.IsLocalUrl(ReturnUrl) ? ReturnUrl : "/");
        }

        Error = result.IsLockedOut
            ? "This account is locked after too many failed attempts. Try again in 15 minutes or ask an administrator."
            : "The e-mail address or password is not correct.";
        SetupAvailable = !await accounts.AnyAccountAsync(ct);
        return Page();
    }
}

using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Identity;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;
using Perennial.Accounts;
using Perennial.Security;

namespace Perennial.Pages.Account;

/// <summary>
/// OpenID Connect sign-in. The provider vouches for an e-mail address; it signs in the local
/// account with that address, which an administrator must have created (no self-registration).
/// </summary>
public sealed class ExternalModel(SignInManager<User> signIn, AccountService accounts, OidcOptions oidc, ILogger<ExternalModel> logger) : PageModel
{
    public string? Error { get; private set; }

    public IActionResult OnGet(string? returnUrl)
    {
        if (!oidc.Enabled)
        {
            return NotFound();
        }

        var callback = "/account/external/callback?returnUrl=" + Uri.EscapeDataString(SignInModel.SafeReturnUrl(returnUrl));
        var properties = signIn.ConfigureExternalAuthenticationProperties(OidcOptions.Scheme, callback);
        return Challenge(properties, OidcOptions.Scheme);
    }

    public async Task<IActionResult> OnGetCallbackAsync(string? returnUrl, CancellationToken ct)
    {
        if (!oidc.Enabled)
        {
            return NotFound();
        }

        var external = await HttpContext.AuthenticateAsync(IdentityConstants.ExternalScheme);
        if (!external.Succeeded || external.Principal is null)
        {
            Error = "Single sign-on did not complete. Try again.";
            return Page();
        }

        await HttpContext.SignOutAsync(IdentityConstants.ExternalScheme);
        var email = external.Principal.FindFirst(oidc.EmailClaim)?.Value;
        if (string.IsNullOrWhiteSpace(email))
        {
            Error = $"The identity provider did not send the '{oidc.EmailClaim}' claim, so Perennial cannot tell who you are.";
            return Page();
        }

        var user = await accounts.FindByEmailAsync(email, ct);
        if (user is null)
        {
            logger.LogWarning("Single sign-on for {Email}, which has no Perennial account", email);
            Error = $"There is no Perennial account for {email}. Ask an administrator to create one.";
            return Page();
        }

        if (await signIn.UserManager.IsLockedOutAsync(user))
        {
            Error = "This account is locked. Ask an administrator.";
            return Page();
        }

        await signIn.SignInAsync(user, isPersistent: false, authenticationMethod: OidcOptions.Scheme);
        return LocalRedirect(SignInModel.SafeReturnUrl(returnUrl));
    }
}

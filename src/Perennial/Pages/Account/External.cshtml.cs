using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Identity;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;
using Perennial.Accounts;
using Perennial.Security;

namespace Perennial.Pages.Account;

/// <summary>
/// OpenID Connect sign-in. The first time, the provider's verified e-mail address selects the local
/// account (which an administrator must have created: no self-registration) and the provider's
/// subject is linked to it; from then on the subject alone identifies the person, so a changed
/// or re-used e-mail address at the provider cannot take over another account.
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

        var callback = "/account/external/callback?returnUrl=" + Uri.EscapeDataString(LocalOrRoot(returnUrl));
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
        var principal = external.Principal;
        var subject = principal.FindFirst("sub")?.Value ?? principal.FindFirst(System.Security.Claims.ClaimTypes.NameIdentifier)?.Value;
        if (string.IsNullOrWhiteSpace(subject))
        {
            Error = "The identity provider did not say who you are (no subject claim).";
            return Page();
        }

        var users = signIn.UserManager;
        var user = await users.FindByLoginAsync(OidcOptions.Scheme, subject);
        if (user is null)
        {
            var email = principal.FindFirst(oidc.EmailClaim)?.Value;
            if (string.IsNullOrWhiteSpace(email))
            {
                Error = $"The identity provider did not send the '{oidc.EmailClaim}' claim, so Perennial cannot tell who you are.";
                return Page();
            }

            if (principal.FindFirst("email_verified")?.Value is { } verified && !string.Equals(verified, "true", StringComparison.OrdinalIgnoreCase))
            {
                Error = $"The identity provider has not verified {email}, so Perennial cannot rely on it.";
                return Page();
            }

            user = await accounts.FindByEmailAsync(email, ct);
            if (user is null)
            {
                logger.LogWarning("Single sign-on for {Email}, which has no Perennial account", email);
                Error = $"There is no Perennial account for {email}. Ask an administrator to create one.";
                return Page();
            }

            var existing = await users.GetLoginsAsync(user);
            if (existing.Any(l => l.LoginProvider == OidcOptions.Scheme))
            {
                logger.LogWarning("Single sign-on for {Email} from a different subject than the one linked to the account", email);
                Error = $"The account for {email} is linked to a different identity at the provider. Ask an administrator.";
                return Page();
            }

            var linked = await users.AddLoginAsync(user, new UserLoginInfo(OidcOptions.Scheme, subject, oidc.DisplayName));
            if (!linked.Succeeded)
            {
                Error = "Your identity could not be linked to your account. Try again.";
                return Page();
            }
        }

        if (await users.IsLockedOutAsync(user))
        {
            Error = "This account is locked. Ask an administrator.";
            return Page();
        }

        await signIn.SignInAsync(user, isPersistent: false, authenticationMethod: OidcOptions.Scheme);
        return LocalRedirect(LocalOrRoot(returnUrl));
    }

    private string LocalOrRoot(string? url) => Url.IsLocalUrl(url) ? url : "/";
}

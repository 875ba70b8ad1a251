using System.Security.Claims;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Identity;
using Microsoft.IdentityModel.Protocols.OpenIdConnect;
using Perennial.Accounts;
using Perennial.AuditTrail;
using Perennial.Data;

namespace Perennial.Security;

/// <summary>Bound from <c>Perennial:Oidc</c>. Single sign-on is on when <see cref="Authority"/> is set.</summary>
public sealed class OidcOptions
{
    public const string Section = "Perennial:Oidc";
    public const string Scheme = "oidc";

    public string? Authority { get; set; }
    public string? ClientId { get; set; }
    public string? ClientSecret { get; set; }

    /// <summary>The claim that carries the person's e-mail address.</summary>
    public string EmailClaim { get; set; } = "email";

    /// <summary>The label of the sign-in button.</summary>
    public string DisplayName { get; set; } = "Single sign-on";

    /// <summary>Allow metadata over plain HTTP (test and development providers only).</summary>
    public bool RequireHttpsMetadata { get; set; } = true;

    public bool Enabled => !string.IsNullOrWhiteSpace(Authority);
}

public static class SecurityServiceCollectionExtensions
{
    public const string SignInPath = "/account/sign-in";

    /// <summary>Local accounts; the command line uses this without the web's sign-in.</summary>
    public static IdentityBuilder AddPerennialIdentity(this IServiceCollection services) =>
        services.AddIdentityCore<User>(o =>
            {
                o.User.RequireUniqueEmail = true;
                // Length over composition rules, as NIST SP 800-63B advises.
                o.Password.RequiredLength = 12;
                o.Password.RequireDigit = false;
                o.Password.RequireLowercase = false;
                o.Password.RequireUppercase = false;
                o.Password.RequireNonAlphanumeric = false;
                o.Lockout.AllowedForNewUsers = true;
                o.Lockout.MaxFailedAccessAttempts = 5;
                o.Lockout.DefaultLockoutTimeSpan = TimeSpan.FromMinutes(15);
            })
            .AddEntityFrameworkStores<PerennialDbContext>()
            .AddDefaultTokenProviders();

    public static IServiceCollection AddPerennialSecurity(this IServiceCollection services, IConfiguration configuration)
    {
        services.AddScoped<CurrentUser>();
        services.AddScoped<CurrentOrg>();
        services.AddScoped<IAuditActorAccessor, HttpAuditActorAccessor>();

        services.AddPerennialIdentity().AddSignInManager();

        var oidc = configuration.GetSection(OidcOptions.Section).Get<OidcOptions>() ?? new OidcOptions();
        services.AddSingleton(oidc);

        var authentication = services
            .AddAuthentication(o =>
            {
                o.DefaultScheme = "perennial";
                o.DefaultChallengeScheme = "perennial";
                o.DefaultSignInScheme = IdentityConstants.ExternalScheme;
            })
            .AddPolicyScheme("perennial", "Cookie or API token", o => o.ForwardDefaultSelector = SelectScheme)
            .AddScheme<AuthenticationSchemeOptions, ApiTokenAuthenticationHandler>(ApiTokenAuthenticationHandler.SchemeName, null);
        authentication.AddIdentityCookies(cookies =>
        {
            cookies.ApplicationCookie?.Configure(o =>
            {
                o.LoginPath = SignInPath;
                o.LogoutPath = "/account/sign-out";
                o.AccessDeniedPath = "/error/403";
                o.Cookie.Name = "perennial.auth";
                o.Cookie.HttpOnly = true;
                o.Cookie.SameSite = SameSiteMode.Lax;
                o.Cookie.SecurePolicy = CookieSecurePolicy.SameAsRequest;
                o.ExpireTimeSpan = TimeSpan.FromHours(12);
                o.SlidingExpiration = true;
                o.Events.OnRedirectToLogin = ctx =>
                {
                    if (RequestKinds.IsApi(ctx.Request))
                    {
                        ctx.Response.StatusCode = StatusCodes.Status401Unauthorized;
                        return Task.CompletedTask;
                    }

                    ctx.Response.Redirect(ctx.RedirectUri);
                    return Task.CompletedTask;
                };
            });
        });

        if (oidc.Enabled)
        {
            authentication.AddOpenIdConnect(OidcOptions.Scheme, oidc.DisplayName, o =>
            {
                o.Authority = oidc.Authority;
                o.ClientId = oidc.ClientId;
                o.ClientSecret = oidc.ClientSecret;
                o.ResponseType = OpenIdConnectResponseType.Code;
                o.ResponseMode = OpenIdConnectResponseMode.Query;
                o.UsePkce = true;
                o.RequireHttpsMetadata = oidc.RequireHttpsMetadata;
                o.SaveTokens = false;
                o.GetClaimsFromUserInfoEndpoint = true;
                o.MapInboundClaims = false;
                o.Scope.Clear();
                o.Scope.Add("openid");
                o.Scope.Add("profile");
                o.Scope.Add("email");
                o.SignInScheme = IdentityConstants.ExternalScheme;
                o.CallbackPath = "/signin-oidc";
            });
        }

        services.AddAuthorization();
        return services;
    }

    /// <summary>
    /// A bearer header means an API token. Browser sessions may read the API, but changes through the
    /// API need a token, so a cross-site form can never change data with someone's cookie.
    /// </summary>
    private static string SelectScheme(HttpContext context)
    {
        string? header = context.Request.Headers.Authorization;
        if (header?.StartsWith("Bearer ", StringComparison.OrdinalIgnoreCase) == true)
        {
            return ApiTokenAuthenticationHandler.SchemeName;
        }

        if (RequestKinds.IsApi(context.Request) && !HttpMethods.IsGet(context.Request.Method) && !HttpMethods.IsHead(context.Request.Method))
        {
            return ApiTokenAuthenticationHandler.SchemeName;
        }

        return IdentityConstants.ApplicationScheme;
    }

    internal static ClaimsPrincipal WithAuthMethod(ClaimsPrincipal principal, string method)
    {
        if (principal.Identity is ClaimsIdentity identity)
        {
            identity.AddClaim(new Claim(PerennialClaims.AuthMethod, method));
        }

        return principal;
    }
}

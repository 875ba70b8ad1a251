using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Mvc;
using Microsoft.EntityFrameworkCore;
using Perennial.Data;
using Perennial.Organisations;

namespace Perennial.Security;

/// <summary>
/// Enforces every endpoint's <see cref="AccessAttribute"/> before model binding and antiforgery run:
/// 401 (or sign-in) for anonymous callers, 404 for an organisation the caller is not a member of,
/// 403 for too low a role. An endpoint without a rule is refused.
/// </summary>
public sealed class AccessMiddleware(RequestDelegate next)
{
    /// <summary>Marks a 404 as "no such organisation for you" rather than a missing record inside one.</summary>
    public const string DeniedHeader = "X-Perennial-Not-Found";

    public async Task InvokeAsync(HttpContext context, CurrentUser user, CurrentOrg org, PerennialDbContext db, OrganisationService organisations)
    {
        var endpoint = context.GetEndpoint();
        var rule = endpoint?.Metadata.GetMetadata<AccessAttribute>()?.For(context.Request.Method);
        if (endpoint is not RouteEndpoint)
        {
            // No route matched (404, also for a typed route value such as a malformed id) or routing
            // rejected the request (405, 415). An anonymous caller learns nothing from either: it is
            // asked to authenticate first, as on every protected route.
            if (CurrentUser.IdFrom(context.User) is null && IsProtectedPath(context.Request.Path))
            {
                await context.ChallengeAsync();
                return;
            }

            await next(context);
            return;
        }

        if (rule is null)
        {
            await WriteProblemAsync(context, StatusCodes.Status403Forbidden, "No access rule", "This endpoint declares no access rule, so it is closed.");
            return;
        }

        if (CurrentUser.IdFrom(context.User) is { } userId)
        {
            var account = await db.Users.AsNoTracking()
                .Where(u => u.Id == userId)
                .Select(u => new { u.Email, u.DisplayName, u.IsInstallationAdmin })
                .SingleOrDefaultAsync(context.RequestAborted);
            if (account is not null)
            {
                user.Id = userId;
                user.Email = account.Email ?? "";
                user.DisplayName = account.DisplayName;
                user.IsInstallationAdmin = account.IsInstallationAdmin;
                user.Method = context.User.FindFirst(PerennialClaims.AuthMethod)?.Value ?? "cookie";
                user.TokenId = Guid.TryParse(context.User.FindFirst(PerennialClaims.TokenId)?.Value, out var tokenId) ? tokenId : null;
            }
        }

        if (rule.Access == Access.Anonymous)
        {
            await next(context);
            return;
        }

        if (!user.IsAuthenticated)
        {
            await context.ChallengeAsync();
            return;
        }

        if (rule.Access == Access.InstallationAdmin && !user.IsInstallationAdmin)
        {
            await WriteProblemAsync(context, StatusCodes.Status403Forbidden, "Forbidden", "Only installation administrators may do this.");
            return;
        }

        if (rule.MinimumOrgRole is { } minimum)
        {
            var slug = context.GetRouteValue(AccessEndpointExtensions.OrgRouteValue) as string;
            var access = slug is null ? null : await organisations.FindAccessAsync(user.RequireId(), slug, context.RequestAborted);
            if (access is null)
            {
                // Indistinguishable from an organisation that does not exist: no probing of other tenants.
                context.Response.Headers[DeniedHeader] = "organisation";
                await WriteProblemAsync(context, StatusCodes.Status404NotFound, "Organisation not found", $"There is no organisation '{slug}' for you.");
                return;
            }

            if (access.Role < minimum)
            {
                await WriteProblemAsync(context, StatusCodes.Status403Forbidden, "Forbidden",
                    $"This needs the {minimum.ToLabel()} role or higher in '{access.Slug}'; you are {access.Role.ToLabel()}.");
                return;
            }

            org.Set(access);
        }

        await next(context);
    }

    /// <summary>Paths under which everything needs a signed-in caller, except routes marked anonymous.</summary>
    private static bool IsProtectedPath(PathString path) =>
        path.StartsWithSegments("/api", StringComparison.OrdinalIgnoreCase)
        || path.StartsWithSegments("/o", StringComparison.OrdinalIgnoreCase)
        || path.StartsWithSegments("/admin", StringComparison.OrdinalIgnoreCase);

    private static async Task WriteProblemAsync(HttpContext context, int status, string title, string detail)
    {
        context.Response.StatusCode = status;
        if (RequestKinds.IsApi(context.Request))
        {
            var problems = context.RequestServices.GetRequiredService<IProblemDetailsService>();
            await problems.WriteAsync(new ProblemDetailsContext
            {
                HttpContext = context,
                ProblemDetails = new ProblemDetails { Status = status, Title = title, Detail = detail },
            });
        }

        // Pages: the status-code page re-executes /error/{status} with a friendly message.
    }
}

public static class RequestKinds
{
    public static bool IsApi(HttpRequest request) => IsApi(request.Path);

    public static bool IsApi(PathString path) =>
        path.StartsWithSegments("/api", StringComparison.OrdinalIgnoreCase)
        || path.StartsWithSegments("/openapi", StringComparison.OrdinalIgnoreCase)
        || path.StartsWithSegments("/health", StringComparison.OrdinalIgnoreCase);
}

public static class PerennialClaims
{
    public const string AuthMethod = "perennial:auth_method";
    public const string TokenId = "perennial:token_id";
}

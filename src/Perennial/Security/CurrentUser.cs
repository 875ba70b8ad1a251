using System.Security.Claims;
using Perennial.AuditTrail;
using Perennial.Organisations;

namespace Perennial.Security;

/// <summary>The signed-in account of this request, resolved once by <see cref="AccessMiddleware"/>.</summary>
public sealed class CurrentUser
{
    public Guid? Id { get; internal set; }
    public string Email { get; internal set; } = "";
    public string DisplayName { get; internal set; } = "";
    public bool IsInstallationAdmin { get; internal set; }

    /// <summary>How the request authenticated: "cookie", "token" or "oidc".</summary>
    public string Method { get; internal set; } = "";

    /// <summary>The API token of this request, when it authenticated with one.</summary>
    public Guid? TokenId { get; internal set; }

    public bool IsAuthenticated => Id is not null;

    public Guid RequireId() => Id ?? throw new InvalidOperationException("No signed-in user on this request.");

    public static Guid? IdFrom(ClaimsPrincipal principal) =>
        Guid.TryParse(principal.FindFirstValue(ClaimTypes.NameIdentifier), out var id) ? id : null;
}

/// <summary>The organisation named in the route and the caller's role there.</summary>
public sealed class CurrentOrg
{
    private OrgAccess? access;

    public OrgAccess Access => access ?? throw new InvalidOperationException("This endpoint is not organisation-scoped.");
    public bool IsSet => access is not null;

    internal void Set(OrgAccess value) => access = value;

    public Guid Id => Access.OrganisationId;
    public string Slug => Access.Slug;
    public OrgRole Role => Access.Role;
    public bool Can(OrgRole minimum) => access is not null && access.Role >= minimum;
}

/// <summary>Names the signed-in user as the actor of audit-trail entries.</summary>
internal sealed class HttpAuditActorAccessor(CurrentUser user) : IAuditActorAccessor
{
    public AuditActor Current => user.Id is { } id
        ? new AuditActor(id, user.Method == "token" ? $"{user.Email} (API token)" : user.Email)
        : AuditActor.System;
}

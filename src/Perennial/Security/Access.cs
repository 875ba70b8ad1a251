using Perennial.Organisations;

namespace Perennial.Security;

/// <summary>Who may call an endpoint or open a page. Every endpoint must declare one.</summary>
public enum Access
{
    /// <summary>Anyone, signed in or not.</summary>
    Anonymous,

    /// <summary>Any signed-in account.</summary>
    Authenticated,

    /// <summary>Installation administrators only.</summary>
    InstallationAdmin,

    /// <summary>Members of the organisation in the route with at least the auditor role (read).</summary>
    OrgAuditor,

    /// <summary>Members with at least the contributor role.</summary>
    OrgContributor,

    /// <summary>Members with at least the ISMS manager role.</summary>
    OrgManager,

    /// <summary>Organisation administrators.</summary>
    OrgAdmin,
}

/// <summary>Endpoint metadata carrying the access rule; enforced by <see cref="AccessMiddleware"/>.</summary>
[AttributeUsage(AttributeTargets.Class | AttributeTargets.Method)]
public sealed class AccessAttribute(Access access) : Attribute
{
    public Access Access { get; } = access;

    /// <summary>
    /// A stricter rule for requests that change something (POST, PUT, …) on a page that everyone
    /// with <see cref="Access"/> may read, e.g. auditors read the scope, managers save it.
    /// </summary>
    public Access Write { get; set; } = Access.Anonymous;

    /// <summary>The rule that applies to a request with this HTTP method.</summary>
    public AccessAttribute For(string method) =>
        Write != Access.Anonymous && !HttpMethods.IsGet(method) && !HttpMethods.IsHead(method) ? new AccessAttribute(Write) : this;

    public OrgRole? MinimumOrgRole => Access switch
    {
        Access.OrgAuditor => OrgRole.Auditor,
        Access.OrgContributor => OrgRole.Contributor,
        Access.OrgManager => OrgRole.Manager,
        Access.OrgAdmin => OrgRole.Admin,
        _ => null,
    };
}

public static class AccessEndpointExtensions
{
    /// <summary>The route value that names the organisation, in API routes and page routes alike.</summary>
    public const string OrgRouteValue = "org";

    public static TBuilder WithAccess<TBuilder>(this TBuilder builder, Access access)
        where TBuilder : IEndpointConventionBuilder
    {
        builder.WithMetadata(new AccessAttribute(access));
        return builder;
    }
}

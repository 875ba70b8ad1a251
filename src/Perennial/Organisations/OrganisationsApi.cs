using System.ComponentModel.DataAnnotations;
using Microsoft.AspNetCore.Http.HttpResults;
using Perennial.Common;
using Perennial.Hosting;
using Perennial.Security;

namespace Perennial.Organisations;

public sealed record OrganisationDto(string Slug, string Name, bool IsDemo, string Role);

public sealed record CreateOrganisationRequest(
    [property: Required, StringLength(Organisation.SlugMaxLength, MinimumLength = 1)] string Slug,
    [property: Required, StringLength(Organisation.NameMaxLength, MinimumLength = 1)] string Name);

public sealed record MemberDto(Guid UserId, string Email, string DisplayName, string Role, DateOnly? ExpiresOn, bool Active);

public sealed record AddMemberRequest(
    [property: Required, EmailAddress, StringLength(256)] string Email,
    [property: Required, StringLength(20)] string Role,
    DateOnly? ExpiresOn);

public sealed record ChangeMemberRequest(
    [property: Required, StringLength(20)] string Role,
    DateOnly? ExpiresOn);

public static class OrganisationsApi
{
    public static RouteGroupBuilder MapOrganisationsApi(this RouteGroupBuilder api)
    {
        var orgs = api.MapGroup("/orgs").WithTags("Organisations");
        orgs.MapGet("/", ListMine).WithAccess(Access.Authenticated).WithSummary("The caller's organisations");
        orgs.MapPost("/", Create).WithAccess(Access.InstallationAdmin).WithSummary("Create an organisation; the caller becomes its administrator");

        var org = api.MapGroup("/orgs/{org}").WithTags("Organisations");
        org.MapGet("/", Get).WithAccess(Access.OrgAuditor).WithSummary("One organisation and the caller's role in it");
        org.MapGet("/members", ListMembers).WithAccess(Access.OrgAuditor);
        org.MapPost("/members", AddMember).WithAccess(Access.OrgAdmin);
        org.MapPut("/members/{userId:guid}", ChangeMember).WithAccess(Access.OrgAdmin);
        org.MapDelete("/members/{userId:guid}", RemoveMember).WithAccess(Access.OrgAdmin);
        return api;
    }

    private static async Task<Ok<PageDto<OrganisationDto>>> ListMine(int? page, int? pageSize, CurrentUser user, OrganisationService organisations, CancellationToken ct)
    {
        var list = await organisations.ListForUserAsync(user.RequireId(), PagingApi.Read(page, pageSize), ct);
        return TypedResults.Ok(list.ToDto(o => new OrganisationDto(o.Slug, o.Name, o.IsDemo, o.Role.ToName())));
    }

    private static async Task<Created<OrganisationDto>> Create(CreateOrganisationRequest request, CurrentUser user, OrganisationService organisations, CancellationToken ct)
    {
        var created = await organisations.CreateAsync(request.Slug, request.Name, user.RequireId(), isDemo: false, ct);
        return TypedResults.Created($"/api/v1/orgs/{created.Slug}", new OrganisationDto(created.Slug, created.Name, created.IsDemo, OrgRole.Admin.ToName()));
    }

    private static Ok<OrganisationDto> Get(CurrentOrg currentOrg) =>
        TypedResults.Ok(new OrganisationDto(currentOrg.Slug, currentOrg.Access.Name, false, currentOrg.Role.ToName()));

    private static async Task<Ok<PageDto<MemberDto>>> ListMembers(int? page, int? pageSize, CurrentOrg currentOrg, OrganisationService organisations, CancellationToken ct)
    {
        var list = await organisations.ListMembersAsync(currentOrg.Id, PagingApi.Read(page, pageSize), ct);
        return TypedResults.Ok(list.ToDto(ToDto));
    }

    private static async Task<Created<MemberDto>> AddMember(AddMemberRequest request, CurrentOrg currentOrg, OrganisationService organisations, CancellationToken ct)
    {
        var member = await organisations.AddMemberAsync(currentOrg.Id, request.Email, ParseRole(request.Role), request.ExpiresOn, ct);
        return TypedResults.Created($"/api/v1/orgs/{currentOrg.Slug}/members/{member.UserId}", ToDto(member));
    }

    private static async Task<Ok<MemberDto>> ChangeMember(Guid userId, ChangeMemberRequest request, CurrentOrg currentOrg, OrganisationService organisations, CancellationToken ct)
    {
        var member = await organisations.ChangeMemberAsync(currentOrg.Id, userId, ParseRole(request.Role), request.ExpiresOn, ct);
        return TypedResults.Ok(ToDto(member));
    }

    private static async Task<NoContent> RemoveMember(Guid userId, CurrentOrg currentOrg, OrganisationService organisations, CancellationToken ct)
    {
        await organisations.RemoveMemberAsync(currentOrg.Id, userId, ct);
        return TypedResults.NoContent();
    }

    private static OrgRole ParseRole(string role) =>
        OrgRoles.TryParse(role, out var parsed) ? parsed : throw UseCaseException.Invalid("role", $"role must be one of {OrgRoles.Names}; got '{role}'.");

    private static MemberDto ToDto(MemberSummary m) => new(m.UserId, m.Email, m.DisplayName, m.Role.ToName(), m.ExpiresOn, m.Active);
}

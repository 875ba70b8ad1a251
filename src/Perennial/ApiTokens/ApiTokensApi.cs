using System.ComponentModel.DataAnnotations;
using Microsoft.AspNetCore.Http.HttpResults;
using Perennial.Hosting;
using Perennial.Security;

namespace Perennial.ApiTokens;

public sealed record ApiTokenDto(Guid Id, string Name, string Prefix, DateTimeOffset CreatedAt, DateTimeOffset? ExpiresAt, DateTimeOffset? RevokedAt, DateTimeOffset? LastUsedAt, bool Active);

public sealed record CreateApiTokenRequest(
    [property: Required, StringLength(ApiToken.NameMaxLength, MinimumLength = 1)] string Name,
    DateOnly? ExpiresOn);

/// <summary>The token itself appears only in this response.</summary>
public sealed record CreatedApiTokenDto(ApiTokenDto Token, string Secret);

public sealed record MeDto(Guid Id, string Email, string DisplayName, bool IsInstallationAdmin);

public static class ApiTokensApi
{
    public static RouteGroupBuilder MapApiTokensApi(this RouteGroupBuilder api)
    {
        var me = api.MapGroup("/me").WithTags("Me");
        me.MapGet("/", Me).WithAccess(Access.Authenticated).WithSummary("The calling account");
        me.MapGet("/tokens", List).WithAccess(Access.Authenticated).WithSummary("The caller's API tokens (never their secrets)");
        me.MapPost("/tokens", Create).WithAccess(Access.Authenticated).WithSummary("Create an API token; the secret is returned once");
        me.MapDelete("/tokens/{id:guid}", Revoke).WithAccess(Access.Authenticated).WithSummary("Revoke an API token");
        return api;
    }

    private static Ok<MeDto> Me(CurrentUser user) =>
        TypedResults.Ok(new MeDto(user.RequireId(), user.Email, user.DisplayName, user.IsInstallationAdmin));

    private static async Task<Ok<PageDto<ApiTokenDto>>> List(int? page, int? pageSize, CurrentUser user, ApiTokenService tokens, CancellationToken ct)
    {
        var list = await tokens.ListAsync(user.RequireId(), PagingApi.Read(page, pageSize), ct);
        return TypedResults.Ok(list.ToDto(ToDto));
    }

    private static async Task<Created<CreatedApiTokenDto>> Create(CreateApiTokenRequest request, CurrentUser user, ApiTokenService tokens, CancellationToken ct)
    {
        var created = await tokens.CreateAsync(user.RequireId(), request.Name, request.ExpiresOn, ct);
        return TypedResults.Created($"/api/v1/me/tokens/{created.Token.Id}", new CreatedApiTokenDto(ToDto(created.Token), created.Secret));
    }

    private static async Task<NoContent> Revoke(Guid id, CurrentUser user, ApiTokenService tokens, CancellationToken ct)
    {
        await tokens.RevokeAsync(user.RequireId(), id, ct);
        return TypedResults.NoContent();
    }

    private static ApiTokenDto ToDto(ApiTokenSummary t) => new(t.Id, t.Name, t.Prefix, t.CreatedAt, t.ExpiresAt, t.RevokedAt, t.LastUsedAt, t.Active);
}

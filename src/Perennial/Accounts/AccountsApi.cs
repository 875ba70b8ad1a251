using System.ComponentModel.DataAnnotations;
using Microsoft.AspNetCore.Http.HttpResults;
using Perennial.Hosting;
using Perennial.Security;

namespace Perennial.Accounts;

public sealed record AccountDto(Guid Id, string Email, string DisplayName, bool IsInstallationAdmin, DateTimeOffset CreatedAt, bool LockedOut);

public sealed record CreateAccountRequest(
    [property: Required, EmailAddress, StringLength(256)] string Email,
    [property: StringLength(200)] string? DisplayName,
    bool IsInstallationAdmin);

/// <summary>The generated password appears only in this response.</summary>
public sealed record CreatedAccountDto(AccountDto Account, string Password);

public static class AccountsApi
{
    public static RouteGroupBuilder MapAccountsApi(this RouteGroupBuilder api)
    {
        var users = api.MapGroup("/users").WithTags("Accounts");
        users.MapGet("/", List).WithAccess(Access.InstallationAdmin).WithSummary("Every account of the installation");
        users.MapPost("/", Create).WithAccess(Access.InstallationAdmin).WithSummary("Create an account with a generated password, shown once");
        return api;
    }

    private static async Task<Ok<PageDto<AccountDto>>> List(int? page, int? pageSize, AccountService accounts, CancellationToken ct)
    {
        var list = await accounts.ListAsync(PagingApi.Read(page, pageSize), ct);
        return TypedResults.Ok(list.ToDto(ToDto));
    }

    private static async Task<Created<CreatedAccountDto>> Create(CreateAccountRequest request, AccountService accounts, CancellationToken ct)
    {
        var created = await accounts.CreateAsync(request.Email, request.DisplayName, null, request.IsInstallationAdmin, ct);
        var u = created.User;
        return TypedResults.Created($"/api/v1/users/{u.Id}",
            new CreatedAccountDto(new AccountDto(u.Id, u.Email ?? "", u.DisplayName, u.IsInstallationAdmin, u.CreatedAt, false), created.GeneratedPassword!));
    }

    private static AccountDto ToDto(AccountSummary a) => new(a.Id, a.Email, a.DisplayName, a.IsInstallationAdmin, a.CreatedAt, a.LockedOut);
}

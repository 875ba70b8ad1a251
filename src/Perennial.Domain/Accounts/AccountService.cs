using System.Net.Mail;
using System.Security.Cryptography;
using Microsoft.AspNetCore.Identity;
using Microsoft.EntityFrameworkCore;
using Perennial.Common;
using Perennial.Data;
using Perennial.Organisations;
using Perennial.Paging;

namespace Perennial.Accounts;

public sealed record NewAccount(User User, string? GeneratedPassword);

public sealed record AccountSummary(Guid Id, string Email, string DisplayName, bool IsInstallationAdmin, DateTimeOffset CreatedAt, bool LockedOut);

/// <summary>Creates and lists local accounts. Passwords are hashed by ASP.NET Core Identity.</summary>
public sealed class AccountService(PerennialDbContext db, UserManager<User> users, TimeProvider time)
{
    public async Task<User?> FindByEmailAsync(string email, CancellationToken ct)
    {
        var normalized = (email ?? "").Trim().ToUpperInvariant();
        return await db.Users.SingleOrDefaultAsync(u => u.NormalizedEmail == normalized, ct);
    }

    /// <summary>
    /// Creates an account. With no password, one is generated and returned once so it can be shown to
    /// the person creating the account.
    /// </summary>
    public async Task<NewAccount> CreateAsync(string email, string? displayName, string? password, bool installationAdmin, CancellationToken ct)
    {
        email = (email ?? "").Trim();
        if (!IsEmail(email))
        {
            throw UseCaseException.Invalid("email", $"'{email}' is not an e-mail address.");
        }

        if (await FindByEmailAsync(email, ct) is not null)
        {
            throw UseCaseException.Conflict("email", $"An account with e-mail '{email}' already exists.");
        }

        var generated = string.IsNullOrEmpty(password) ? GeneratePassword() : null;
        var user = new User
        {
            Id = Guid.CreateVersion7(time.GetUtcNow()),
            UserName = email,
            Email = email,
            EmailConfirmed = true,
            DisplayName = string.IsNullOrWhiteSpace(displayName) ? email.Split('@')[0] : displayName.Trim(),
            IsInstallationAdmin = installationAdmin,
            CreatedAt = time.GetUtcNow(),
            LockoutEnabled = true,
        };
        var result = await users.CreateAsync(user, password ?? generated!);
        if (!result.Succeeded)
        {
            var problem = result.Errors.First();
            var field = problem.Code.StartsWith("Password", StringComparison.Ordinal) ? "password" : "email";
            throw UseCaseException.Invalid(field, string.Join(" ", result.Errors.Select(e => e.Description)));
        }

        return new NewAccount(user, generated);
    }

    /// <summary>Creates the account if needed and gives it a role in an organisation.</summary>
    public async Task<NewAccount> CreateOrAddToOrganisationAsync(string email, OrgRole role, string? orgSlug, string? password, OrganisationService organisations, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(organisations);
        Organisation? organisation = null;
        if (orgSlug is not null)
        {
            organisation = await db.Organisations.SingleOrDefaultAsync(o => o.Slug == orgSlug, ct)
                ?? throw UseCaseException.Invalid("org", $"No organisation has the slug '{orgSlug}'.");
        }

        var existing = await FindByEmailAsync(email, ct);
        NewAccount account;
        if (existing is null)
        {
            // An admin with no organisation administers the installation; one with an organisation administers that one.
            account = await CreateAsync(email, null, password, installationAdmin: role == OrgRole.Admin && organisation is null, ct);
        }
        else
        {
            if (organisation is null)
            {
                if (role != OrgRole.Admin)
                {
                    throw UseCaseException.Conflict("email", $"An account with e-mail '{email}' already exists; name an organisation with --org to give it a role there.");
                }

                existing.IsInstallationAdmin = true;
                await db.SaveChangesAsync(ct);
            }

            account = new NewAccount(existing, null);
        }

        if (organisation is not null)
        {
            await organisations.AddMemberAsync(organisation.Id, email, role, null, ct);
        }

        return account;
    }

    public async Task<Paged<AccountSummary>> ListAsync(PageRequest page, CancellationToken ct)
    {
        var now = time.GetUtcNow();
        var rows = await db.Users.AsNoTracking().OrderBy(u => u.Email).ToPagedAsync(page, ct);
        return new Paged<AccountSummary>(
            rows.Items.Select(u => new AccountSummary(u.Id, u.Email ?? "", u.DisplayName, u.IsInstallationAdmin, u.CreatedAt, u.LockoutEnd > now)).ToList(),
            rows.Page, rows.PageSize, rows.Total);
    }

    public async Task<bool> AnyAccountAsync(CancellationToken ct) => await db.Users.AnyAsync(ct);

    public static bool IsEmail(string value) =>
        value.Length is > 0 and <= 256 && MailAddress.TryCreate(value, out var parsed) && parsed.Address == value;

    /// <summary>A password that meets Identity's default rules: letters of both cases, digits and a symbol.</summary>
    public static string GeneratePassword()
    {
        const string alphabet = "abcdefghjkmnpqrstuvwxyzABCDEFGHJKLMNPQRSTUVWXYZ23456789";
        var body = RandomNumberGenerator.GetString(alphabet, 18);
        return $"{body[..6]}-{body[6..12]}-{body[12..]}a7Q";
    }
}

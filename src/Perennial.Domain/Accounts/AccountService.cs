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
        user.PasswordChangedAt = user.CreatedAt;
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

    public async Task<string?> EmailOfAsync(Guid userId, CancellationToken ct) =>
        await db.Users.Where(u => u.Id == userId).Select(u => u.Email).SingleOrDefaultAsync(ct);

    /// <summary>Changes one's own password after checking the current one.</summary>
    public async Task ChangePasswordAsync(Guid userId, string currentPassword, string newPassword, CancellationToken ct)
    {
        var user = await db.Users.SingleOrDefaultAsync(u => u.Id == userId, ct)
            ?? throw UseCaseException.NotFound("No such account.");
        var result = await users.ChangePasswordAsync(user, currentPassword, newPassword);
        if (!result.Succeeded)
        {
            var mismatch = result.Errors.Any(e => e.Code == nameof(IdentityErrorDescriber.PasswordMismatch));
            throw UseCaseException.Invalid(mismatch ? "currentPassword" : "newPassword",
                mismatch ? "The current password is not correct." : string.Join(" ", result.Errors.Select(e => e.Description)));
        }

        user.PasswordChangedAt = time.GetUtcNow();
        await db.SaveChangesAsync(ct);
    }

    /// <summary>Gives an account a new generated password, returned once, and lifts any lockout.</summary>
    public async Task<string> ResetPasswordAsync(Guid userId, CancellationToken ct)
    {
        var user = await db.Users.SingleOrDefaultAsync(u => u.Id == userId, ct)
            ?? throw UseCaseException.NotFound("No such account.");
        var password = GeneratePassword();
        var token = await users.GeneratePasswordResetTokenAsync(user);
        var result = await users.ResetPasswordAsync(user, token, password);
        if (!result.Succeeded)
        {
            throw UseCaseException.Invalid("password", string.Join(" ", result.Errors.Select(e => e.Description)));
        }

        await users.SetLockoutEndDateAsync(user, null);
        await users.ResetAccessFailedCountAsync(user);
        user.PasswordChangedAt = time.GetUtcNow();
        await db.SaveChangesAsync(ct);
        return password;
    }

    public async Task UnlockAsync(Guid userId, CancellationToken ct)
    {
        var user = await db.Users.SingleOrDefaultAsync(u => u.Id == userId, ct)
            ?? throw UseCaseException.NotFound("No such account.");
        await users.SetLockoutEndDateAsync(user, null);
        await users.ResetAccessFailedCountAsync(user);
    }

    /// <summary>Grants or withdraws installation administration; the installation keeps at least one administrator.</summary>
    public async Task SetInstallationAdminAsync(Guid userId, bool isAdmin, CancellationToken ct)
    {
        await using var transaction = await db.Database.BeginTransactionAsync(ct);
        await db.LockAsync("installation-admins", ct);
        var user = await db.Users.SingleOrDefaultAsync(u => u.Id == userId, ct)
            ?? throw UseCaseException.NotFound("No such account.");
        if (user.IsInstallationAdmin && !isAdmin && !await db.Users.AnyAsync(u => u.IsInstallationAdmin && u.Id != userId, ct))
        {
            throw UseCaseException.Conflict("isInstallationAdmin", "The installation must keep at least one administrator.");
        }

        user.IsInstallationAdmin = isAdmin;
        await db.SaveChangesAsync(ct);
        await transaction.CommitAsync(ct);
    }

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

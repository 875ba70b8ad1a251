using System.Text.RegularExpressions;
using Microsoft.EntityFrameworkCore;
using Perennial.Common;
using Perennial.Data;
using Perennial.Paging;

namespace Perennial.Organisations;

public sealed record OrganisationSummary(Guid Id, string Slug, string Name, bool IsDemo, OrgRole Role);

/// <summary>What a caller may do in one organisation.</summary>
public sealed record OrgAccess(Guid OrganisationId, string Slug, string Name, OrgRole Role);

public sealed record MemberSummary(Guid UserId, string Email, string DisplayName, OrgRole Role, DateOnly? ExpiresOn, bool Active);

public sealed partial class OrganisationService(PerennialDbContext db, TimeProvider time, IEnumerable<IOrganisationSetup> setups)
{
    [GeneratedRegex("^[a-z0-9](?:[a-z0-9-]{0,62}[a-z0-9])?$")]
    private static partial Regex SlugPattern();

    private DateOnly Today => DateOnly.FromDateTime(time.GetUtcNow().UtcDateTime);

    /// <summary>Organisations the user is an active member of, by name.</summary>
    public async Task<Paged<OrganisationSummary>> ListForUserAsync(Guid userId, PageRequest page, CancellationToken ct)
    {
        var today = Today;
        return await db.Memberships.AsNoTracking()
            .ActiveOn(today).Where(m => m.UserId == userId)
            .OrderBy(m => m.Organisation!.Name).ThenBy(m => m.Organisation!.Slug)
            .Select(m => new OrganisationSummary(m.OrganisationId, m.Organisation!.Slug, m.Organisation.Name, m.Organisation.IsDemo, m.Role))
            .ToPagedAsync(page, ct);
    }

    /// <summary>The caller's access to an organisation, or null when it does not exist for them.</summary>
    public async Task<OrgAccess?> FindAccessAsync(Guid userId, string slug, CancellationToken ct)
    {
        var today = Today;
        return await db.Memberships.AsNoTracking()
            .ActiveOn(today).Where(m => m.UserId == userId && m.Organisation!.Slug == slug)
            .Select(m => new OrgAccess(m.OrganisationId, m.Organisation!.Slug, m.Organisation.Name, m.Role))
            .SingleOrDefaultAsync(ct);
    }

    public async Task<Organisation> CreateAsync(string slug, string name, Guid firstAdminUserId, bool isDemo, CancellationToken ct)
    {
        slug = (slug ?? "").Trim().ToLowerInvariant();
        name = (name ?? "").Trim();
        if (!SlugPattern().IsMatch(slug))
        {
            throw UseCaseException.Invalid("slug", "slug must be 1 to 64 lower-case letters, digits or hyphens, starting and ending with a letter or digit.");
        }

        if (name.Length == 0 || name.Length > Organisation.NameMaxLength)
        {
            throw UseCaseException.Invalid("name", $"name is required and at most {Organisation.NameMaxLength} characters.");
        }

        if (await db.Organisations.AnyAsync(o => o.Slug == slug, ct))
        {
            throw UseCaseException.Conflict("slug", $"An organisation with slug '{slug}' already exists.");
        }

        if (!await db.Users.AnyAsync(u => u.Id == firstAdminUserId, ct))
        {
            throw UseCaseException.NotFound("The first administrator's account does not exist.");
        }

        var now = time.GetUtcNow();
        await using var ownTransaction = db.Database.CurrentTransaction is null ? await db.Database.BeginTransactionAsync(ct) : null;
        var organisation = new Organisation { Slug = slug, Name = name, IsDemo = isDemo, CreatedAt = now };
        db.Organisations.Add(organisation);
        db.Memberships.Add(new Membership
        {
            OrganisationId = organisation.Id,
            Organisation = organisation,
            UserId = firstAdminUserId,
            Role = OrgRole.Admin,
            CreatedAt = now,
        });
        await db.SaveChangesAsync(ct);
        foreach (var setup in setups)
        {
            await setup.SetUpAsync(organisation.Id, ct);
        }

        if (ownTransaction is not null)
        {
            await ownTransaction.CommitAsync(ct);
        }

        return organisation;
    }

    public async Task<Paged<MemberSummary>> ListMembersAsync(Guid organisationId, PageRequest page, CancellationToken ct)
    {
        var today = Today;
        return await db.Memberships.AsNoTracking()
            .Where(m => m.OrganisationId == organisationId)
            .OrderBy(m => m.User!.Email)
            .Select(m => new MemberSummary(m.UserId, m.User!.Email ?? "", m.User.DisplayName, m.Role, m.ExpiresOn, m.ExpiresOn == null || m.ExpiresOn >= today))
            .ToPagedAsync(page, ct);
    }

    public async Task<MemberSummary> AddMemberAsync(Guid organisationId, string email, OrgRole role, DateOnly? expiresOn, CancellationToken ct)
    {
        var normalized = (email ?? "").Trim().ToUpperInvariant();
        var user = await db.Users.SingleOrDefaultAsync(u => u.NormalizedEmail == normalized, ct)
            ?? throw UseCaseException.Invalid("email", $"No account has the e-mail address '{email}'. Create the account first.");
        if (await db.Memberships.AnyAsync(m => m.OrganisationId == organisationId && m.UserId == user.Id, ct))
        {
            throw UseCaseException.Conflict("email", $"'{email}' is already a member of this organisation.");
        }

        ValidateExpiry(role, expiresOn);
        var membership = new Membership
        {
            OrganisationId = organisationId,
            UserId = user.Id,
            Role = role,
            ExpiresOn = expiresOn,
            CreatedAt = time.GetUtcNow(),
        };
        db.Memberships.Add(membership);
        await db.SaveChangesAsync(ct);
        return new MemberSummary(user.Id, user.Email ?? "", user.DisplayName, role, expiresOn, membership.IsActive(Today));
    }

    public async Task<MemberSummary> ChangeMemberAsync(Guid organisationId, Guid userId, OrgRole role, DateOnly? expiresOn, CancellationToken ct)
    {
        await using var transaction = await db.Database.BeginTransactionAsync(ct);
        await db.LockAsync($"members:{organisationId}", ct);
        var membership = await db.Memberships.Include(m => m.User)
            .SingleOrDefaultAsync(m => m.OrganisationId == organisationId && m.UserId == userId, ct)
            ?? throw UseCaseException.NotFound("This person is not a member of the organisation.");
        ValidateExpiry(role, expiresOn);
        if (membership.Role == OrgRole.Admin && role != OrgRole.Admin)
        {
            await EnsureAnotherAdminAsync(organisationId, userId, ct);
        }

        membership.Role = role;
        membership.ExpiresOn = expiresOn;
        await db.SaveChangesAsync(ct);
        await transaction.CommitAsync(ct);
        return new MemberSummary(userId, membership.User!.Email ?? "", membership.User.DisplayName, role, expiresOn, membership.IsActive(Today));
    }

    public async Task RemoveMemberAsync(Guid organisationId, Guid userId, CancellationToken ct)
    {
        await using var transaction = await db.Database.BeginTransactionAsync(ct);
        await db.LockAsync($"members:{organisationId}", ct);
        var membership = await db.Memberships
            .SingleOrDefaultAsync(m => m.OrganisationId == organisationId && m.UserId == userId, ct)
            ?? throw UseCaseException.NotFound("This person is not a member of the organisation.");
        if (membership.Role == OrgRole.Admin)
        {
            await EnsureAnotherAdminAsync(organisationId, userId, ct);
        }

        db.Memberships.Remove(membership);
        await db.SaveChangesAsync(ct);
        await transaction.CommitAsync(ct);
    }

    private void ValidateExpiry(OrgRole role, DateOnly? expiresOn)
    {
        if (expiresOn is { } date && date < Today)
        {
            throw UseCaseException.Invalid("expiresOn", "expiresOn must be today or later.");
        }

        if (expiresOn is { } far && far > Today.AddYears(10))
        {
            throw UseCaseException.Invalid("expiresOn", "expiresOn must be within 10 years; leave it empty for access that does not expire.");
        }

        if (expiresOn is not null && role == OrgRole.Admin)
        {
            throw UseCaseException.Invalid("expiresOn", "An administrator's access cannot expire; give an expiry to auditors or other time-boxed roles.");
        }
    }

    private async Task EnsureAnotherAdminAsync(Guid organisationId, Guid userId, CancellationToken ct)
    {
        var today = Today;
        var others = await db.Memberships.ActiveOn(today).CountAsync(m => m.OrganisationId == organisationId && m.UserId != userId && m.Role == OrgRole.Admin, ct);
        if (others == 0)
        {
            throw UseCaseException.Conflict("role", "The organisation must keep at least one administrator.");
        }
    }
}

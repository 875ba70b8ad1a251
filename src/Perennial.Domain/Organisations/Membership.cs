using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;
using Perennial.Accounts;
using Perennial.AuditTrail;

namespace Perennial.Organisations;

/// <summary>Roles inside one organisation, from least to most privileged.</summary>
public enum OrgRole
{
    /// <summary>Reads everything, changes nothing; access may expire.</summary>
    Auditor = 1,

    /// <summary>Owns and completes activities, risks and actions.</summary>
    Contributor = 2,

    /// <summary>Runs the ISMS: everything a contributor does plus planning and approvals.</summary>
    Manager = 3,

    /// <summary>Manages the organisation's members and settings.</summary>
    Admin = 4,
}

public static class OrgRoles
{
    /// <summary>The names scripts use: admin, manager, contributor, auditor.</summary>
    public static string ToName(this OrgRole role) => role switch
    {
        OrgRole.Admin => "admin",
        OrgRole.Manager => "manager",
        OrgRole.Contributor => "contributor",
        OrgRole.Auditor => "auditor",
        _ => throw new ArgumentOutOfRangeException(nameof(role)),
    };

    public static string ToLabel(this OrgRole role) => role switch
    {
        OrgRole.Admin => "Admin",
        OrgRole.Manager => "ISMS manager",
        OrgRole.Contributor => "Contributor",
        OrgRole.Auditor => "Auditor",
        _ => throw new ArgumentOutOfRangeException(nameof(role)),
    };

    public static bool TryParse(string? name, out OrgRole role)
    {
        switch (name?.Trim().ToLowerInvariant())
        {
            case "admin": role = OrgRole.Admin; return true;
            case "manager" or "isms manager" or "isms-manager": role = OrgRole.Manager; return true;
            case "contributor": role = OrgRole.Contributor; return true;
            case "auditor": role = OrgRole.Auditor; return true;
            default: role = default; return false;
        }
    }

    public const string Names = "admin, manager, contributor, auditor";
}

/// <summary>A user's role in one organisation.</summary>
public sealed class Membership : IAudited
{
    public Guid Id { get; set; }
    public Guid OrganisationId { get; set; }
    public Organisation? Organisation { get; set; }
    public Guid UserId { get; set; }
    public User? User { get; set; }
    public OrgRole Role { get; set; }

    /// <summary>Last day (UTC) on which the membership grants access; null for no end.</summary>
    public DateOnly? ExpiresOn { get; set; }

    public DateTimeOffset CreatedAt { get; set; }

    /// <summary>The member's line manager here; overdue activities they own escalate to this person.</summary>
    public Guid? ManagerUserId { get; set; }

    /// <summary>No reminder e-mails (escalations still arrive).</summary>
    public bool MuteEmail { get; set; }

    /// <summary>A weekly e-mail listing what the member has due in the next 30 days.</summary>
    public bool WeeklyDigest { get; set; }

    /// <summary>The audit forecast (what to do by when before the next external audit), 30, 14 and 7 days ahead; on unless turned off.</summary>
    public bool ReadinessDigest { get; set; } = true;

    Guid? IAudited.OrganisationId => OrganisationId;

    public bool IsActive(DateOnly today) => ExpiresOn is null || today <= ExpiresOn;
}

internal sealed class MembershipConfiguration : IEntityTypeConfiguration<Membership>
{
    public void Configure(EntityTypeBuilder<Membership> builder)
    {
        builder.HasIndex(m => new { m.OrganisationId, m.UserId }).IsUnique();
        builder.HasOne(m => m.Organisation).WithMany(o => o.Memberships).HasForeignKey(m => m.OrganisationId).OnDelete(DeleteBehavior.Cascade);
        builder.HasOne(m => m.User).WithMany().HasForeignKey(m => m.UserId).OnDelete(DeleteBehavior.Cascade);
        builder.Property(m => m.Role).HasConversion<string>().HasMaxLength(20);
        builder.HasOne<User>().WithMany().HasForeignKey(m => m.ManagerUserId).OnDelete(DeleteBehavior.SetNull);
    }
}

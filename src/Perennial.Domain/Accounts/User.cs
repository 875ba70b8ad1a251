using Microsoft.AspNetCore.Identity;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;
using Perennial.AuditTrail;

namespace Perennial.Accounts;

/// <summary>A person who signs in. Organisation roles live on <see cref="Organisations.Membership"/>.</summary>
public sealed class User : IdentityUser<Guid>, IAudited
{
    public string DisplayName { get; set; } = "";

    /// <summary>Installation administrators create organisations and manage accounts across the installation.</summary>
    public bool IsInstallationAdmin { get; set; }

    public DateTimeOffset CreatedAt { get; set; }

    /// <summary>When the password was last set or reset; recorded so the audit trail shows who did it.</summary>
    public DateTimeOffset? PasswordChangedAt { get; set; }

    Guid? IAudited.OrganisationId => null;
}

internal sealed class UserConfiguration : IEntityTypeConfiguration<User>
{
    public void Configure(EntityTypeBuilder<User> builder)
    {
        builder.Property(u => u.DisplayName).HasMaxLength(200);
    }
}

using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;
using Perennial.Accounts;
using Perennial.AuditTrail;

namespace Perennial.ApiTokens;

/// <summary>A personal API token. Only the SHA-256 of the secret is stored.</summary>
public sealed class ApiToken : IAudited
{
    public const int NameMaxLength = 100;

    public Guid Id { get; set; }
    public Guid UserId { get; set; }
    public User? User { get; set; }
    public string Name { get; set; } = "";

    /// <summary>Lower-case hex SHA-256 of the whole token string.</summary>
    public string TokenHash { get; set; } = "";

    /// <summary>The first characters of the token, shown so people can tell tokens apart.</summary>
    public string Prefix { get; set; } = "";

    public DateTimeOffset CreatedAt { get; set; }
    public DateTimeOffset? ExpiresAt { get; set; }
    public DateTimeOffset? RevokedAt { get; set; }
    public DateTimeOffset? LastUsedAt { get; set; }

    Guid? IAudited.OrganisationId => null;

    public bool IsUsable(DateTimeOffset now) => RevokedAt is null && (ExpiresAt is null || now < ExpiresAt);
}

internal sealed class ApiTokenConfiguration : IEntityTypeConfiguration<ApiToken>
{
    public void Configure(EntityTypeBuilder<ApiToken> builder)
    {
        builder.Property(t => t.Name).HasMaxLength(ApiToken.NameMaxLength);
        builder.Property(t => t.TokenHash).HasMaxLength(64);
        builder.HasIndex(t => t.TokenHash).IsUnique();
        builder.Property(t => t.Prefix).HasMaxLength(16);
        builder.HasOne(t => t.User).WithMany().HasForeignKey(t => t.UserId).OnDelete(DeleteBehavior.Cascade);
    }
}

using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;
using Perennial.AuditTrail;

namespace Perennial.Feeds;

public enum FeedScope
{
    /// <summary>The occurrences a person owns or deputises for.</summary>
    Personal = 1,

    /// <summary>Every occurrence of the organisation (for ISMS managers).</summary>
    Organisation = 2,
}

/// <summary>
/// A private calendar subscription URL's secret. Only its SHA-256 is stored; revoking it stops
/// the feed at once.
/// </summary>
public sealed class CalendarFeedToken : IAudited
{
    public Guid Id { get; set; }
    public Guid OrganisationId { get; set; }
    public Guid UserId { get; set; }
    public FeedScope Scope { get; set; }

    [NotAudited]
    public string TokenHash { get; set; } = "";
    public DateTimeOffset CreatedAt { get; set; }
    public DateTimeOffset? RevokedAt { get; set; }
    public DateTimeOffset? LastUsedAt { get; set; }

    Guid? IAudited.OrganisationId => OrganisationId;
}

internal sealed class CalendarFeedTokenConfiguration : IEntityTypeConfiguration<CalendarFeedToken>
{
    public void Configure(EntityTypeBuilder<CalendarFeedToken> builder)
    {
        builder.HasIndex(t => t.TokenHash).IsUnique();
        builder.HasIndex(t => new { t.OrganisationId, t.UserId });
        builder.Property(t => t.TokenHash).HasMaxLength(64);
        builder.Property(t => t.Scope).HasConversion<string>().HasMaxLength(20);
        builder.HasOne<Organisations.Organisation>().WithMany().HasForeignKey(t => t.OrganisationId).OnDelete(DeleteBehavior.Cascade);
        builder.HasOne<Accounts.User>().WithMany().HasForeignKey(t => t.UserId).OnDelete(DeleteBehavior.Cascade);
    }
}

using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;
using Perennial.AuditTrail;

namespace Perennial.Nonconformities;

public enum NonconformitySource
{
    MissedActivity = 1,
    Manual = 2,
}

public enum NonconformityStatus
{
    Open = 1,
    Closed = 2,
}

/// <summary>
/// A nonconformity record: what went wrong, where it came from, and whether it is still open.
/// Missed activities raise one automatically when their grace period ends.
/// </summary>
public sealed class Nonconformity : IAudited
{
    public const int TitleMaxLength = 300;

    public Guid Id { get; set; }
    public Guid OrganisationId { get; set; }

    /// <summary>NC-001, NC-002, ... per organisation.</summary>
    public string Reference { get; set; } = "";
    public string Title { get; set; } = "";
    public string? Description { get; set; }
    public NonconformitySource Source { get; set; }

    /// <summary>The missed occurrence, for <see cref="NonconformitySource.MissedActivity"/>.</summary>
    public Guid? OccurrenceId { get; set; }
    public NonconformityStatus Status { get; set; } = NonconformityStatus.Open;
    public DateTimeOffset RaisedAt { get; set; }
    public DateTimeOffset? ClosedAt { get; set; }

    Guid? IAudited.OrganisationId => OrganisationId;
}

internal sealed class NonconformityConfiguration : IEntityTypeConfiguration<Nonconformity>
{
    public void Configure(EntityTypeBuilder<Nonconformity> builder)
    {
        builder.HasIndex(n => new { n.OrganisationId, n.Reference }).IsUnique();

        // One nonconformity per missed occurrence, however many sweeps notice it.
        builder.HasIndex(n => n.OccurrenceId).IsUnique();
        builder.Property(n => n.Reference).HasMaxLength(20);
        builder.Property(n => n.Title).HasMaxLength(Nonconformity.TitleMaxLength);
        builder.Property(n => n.Description).HasMaxLength(8000);
        builder.Property(n => n.Source).HasConversion<string>().HasMaxLength(20);
        builder.Property(n => n.Status).HasConversion<string>().HasMaxLength(10);
        builder.HasOne<Organisations.Organisation>().WithMany().HasForeignKey(n => n.OrganisationId).OnDelete(DeleteBehavior.Cascade);
        builder.HasOne<Activities.Occurrence>().WithMany().HasForeignKey(n => n.OccurrenceId).OnDelete(DeleteBehavior.SetNull);
    }
}

using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;
using Perennial.AuditTrail;

namespace Perennial.Incidents;

public enum IncidentSeverity
{
    Low = 1,
    Medium = 2,
    High = 3,
    Critical = 4,
}

/// <summary>An information security incident (a light record for now); it brings the reviews of its assets' risks forward.</summary>
public sealed class Incident : IAudited
{
    public Guid Id { get; set; }
    public Guid OrganisationId { get; set; }
    public string Reference { get; set; } = "";
    public DateOnly OccurredOn { get; set; }
    public string Title { get; set; } = "";
    public IncidentSeverity Severity { get; set; }
    public DateTimeOffset CreatedAt { get; set; }
    public List<IncidentAsset> Assets { get; set; } = [];

    Guid? IAudited.OrganisationId => OrganisationId;
}

public sealed class IncidentAsset
{
    public Guid IncidentId { get; set; }
    public Guid AssetId { get; set; }
}

internal sealed class IncidentConfiguration : IEntityTypeConfiguration<Incident>
{
    public void Configure(EntityTypeBuilder<Incident> builder)
    {
        builder.Property(i => i.Reference).HasMaxLength(20);
        builder.Property(i => i.Title).HasMaxLength(300);
        builder.Property(i => i.Severity).HasConversion<string>().HasMaxLength(10);
        builder.HasIndex(i => new { i.OrganisationId, i.Reference }).IsUnique();
        builder.HasOne<Organisations.Organisation>().WithMany().HasForeignKey(i => i.OrganisationId).OnDelete(DeleteBehavior.Cascade);
        builder.HasMany(i => i.Assets).WithOne().HasForeignKey(a => a.IncidentId).OnDelete(DeleteBehavior.Cascade);
    }
}

internal sealed class IncidentAssetConfiguration : IEntityTypeConfiguration<IncidentAsset>
{
    public void Configure(EntityTypeBuilder<IncidentAsset> builder)
    {
        builder.HasKey(a => new { a.IncidentId, a.AssetId });
        builder.HasOne<Assets.Asset>().WithMany().HasForeignKey(a => a.AssetId).OnDelete(DeleteBehavior.Cascade);
    }
}

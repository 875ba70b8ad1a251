using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;
using Perennial.AuditTrail;

namespace Perennial.Assets;

public enum AssetKind
{
    Information = 1,
    System = 2,
    Service = 3,
    People = 4,
    Supplier = 5,
    Site = 6,
}

public enum Classification
{
    Public = 1,
    Internal = 2,
    Confidential = 3,
    Restricted = 4,
}

/// <summary>Something of value to the organisation that risks can affect.</summary>
public sealed class Asset : IAudited
{
    public Guid Id { get; set; }
    public Guid OrganisationId { get; set; }
    public string Name { get; set; } = "";
    public AssetKind Kind { get; set; }
    public string? Description { get; set; }
    public Guid? OwnerUserId { get; set; }
    public Classification Classification { get; set; } = Classification.Internal;
    public DateTimeOffset CreatedAt { get; set; }

    Guid? IAudited.OrganisationId => OrganisationId;
}

internal sealed class AssetConfiguration : IEntityTypeConfiguration<Asset>
{
    public void Configure(EntityTypeBuilder<Asset> builder)
    {
        builder.Property(a => a.Name).HasMaxLength(200);
        builder.Property(a => a.Description).HasMaxLength(2000);
        builder.Property(a => a.Kind).HasConversion<string>().HasMaxLength(20);
        builder.Property(a => a.Classification).HasConversion<string>().HasMaxLength(20);
        builder.HasIndex(a => new { a.OrganisationId, a.Name }).IsUnique();
        builder.HasOne<Organisations.Organisation>().WithMany().HasForeignKey(a => a.OrganisationId).OnDelete(DeleteBehavior.Cascade);
    }
}

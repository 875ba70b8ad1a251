using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;
using Perennial.AuditTrail;

namespace Perennial.Frameworks;

public enum FrameworkSource
{
    /// <summary>Shipped with Perennial (ISO/IEC 27001:2022, labelled in Perennial's own words).</summary>
    BuiltIn = 1,

    /// <summary>Imported from an OSCAL catalog.</summary>
    OscalCatalog = 2,

    /// <summary>Imported from an OSCAL profile, resolved against a catalog already imported.</summary>
    OscalProfile = 3,
}

/// <summary>A set of controls an organisation measures itself against.</summary>
public sealed class Framework : IAudited
{
    public const string IsoKey = "iso27001-2022";
    public const string IsoFamily = "iso27001-2022";

    public Guid Id { get; set; }
    public Guid OrganisationId { get; set; }

    /// <summary>Unique within the organisation, used in addresses and scripts, e.g. <c>iso27001-2022</c>.</summary>
    public string Key { get; set; } = "";

    /// <summary>
    /// The control catalogue this framework draws its identifiers from, e.g. <c>nist-sp-800-53-rev5</c> for
    /// every 800-53 baseline. Mappings name families, so they reach every framework of the family.
    /// </summary>
    public string Family { get; set; } = "";

    public string Name { get; set; } = "";
    public string? Version { get; set; }
    public FrameworkSource Source { get; set; }

    /// <summary>The OSCAL document's uuid; importing the same document again updates this framework.</summary>
    public string? SourceUuid { get; set; }

    /// <summary>For a profile: the catalog framework it was resolved against.</summary>
    public Guid? ResolvedFromFrameworkId { get; set; }

    public DateTimeOffset ImportedAt { get; set; }
    public int ControlCount { get; set; }

    Guid? IAudited.OrganisationId => OrganisationId;
}

internal sealed class FrameworkConfiguration : IEntityTypeConfiguration<Framework>
{
    public void Configure(EntityTypeBuilder<Framework> builder)
    {
        builder.Property(f => f.Key).HasMaxLength(100);
        builder.Property(f => f.Family).HasMaxLength(100);
        builder.Property(f => f.Name).HasMaxLength(300);
        builder.Property(f => f.Version).HasMaxLength(100);
        builder.Property(f => f.SourceUuid).HasMaxLength(64);
        builder.Property(f => f.Source).HasConversion<string>().HasMaxLength(20);
        builder.HasIndex(f => new { f.OrganisationId, f.Key }).IsUnique();
        builder.HasIndex(f => new { f.OrganisationId, f.Family });
        builder.HasOne<Organisations.Organisation>().WithMany().HasForeignKey(x => x.OrganisationId).OnDelete(DeleteBehavior.Cascade);
    }
}

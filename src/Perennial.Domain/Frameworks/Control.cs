using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;
using Perennial.AuditTrail;

namespace Perennial.Frameworks;

public enum ControlKind
{
    /// <summary>A management-system requirement (ISO/IEC 27001 clauses 4 to 10 and their sub-clauses).</summary>
    Clause = 1,

    /// <summary>An Annex A control or a catalog's control.</summary>
    Control = 2,

    /// <summary>An OSCAL control enhancement (a control nested in a control).</summary>
    Enhancement = 3,
}

public enum ImplementationStatus
{
    NotStarted = 0,
    Partial = 1,
    Implemented = 2,
    NotApplicable = 3,
}

public static class ImplementationStatuses
{
    public static string ToName(this ImplementationStatus status) => status switch
    {
        ImplementationStatus.NotStarted => "not-started",
        ImplementationStatus.Partial => "partial",
        ImplementationStatus.Implemented => "implemented",
        ImplementationStatus.NotApplicable => "not-applicable",
        _ => throw new ArgumentOutOfRangeException(nameof(status)),
    };

    public static string ToLabel(this ImplementationStatus status) => status switch
    {
        ImplementationStatus.NotStarted => "Not started",
        ImplementationStatus.Partial => "Partial",
        ImplementationStatus.Implemented => "Implemented",
        ImplementationStatus.NotApplicable => "Not applicable",
        _ => throw new ArgumentOutOfRangeException(nameof(status)),
    };

    public static bool TryParse(string? text, out ImplementationStatus status)
    {
        var key = (text ?? "").Trim().ToLowerInvariant().Replace(' ', '-').Replace('_', '-');
        switch (key)
        {
            case "not-started" or "notstarted" or "planned": status = ImplementationStatus.NotStarted; return true;
            case "partial" or "partially-implemented" or "in-progress": status = ImplementationStatus.Partial; return true;
            case "implemented" or "done": status = ImplementationStatus.Implemented; return true;
            case "not-applicable" or "n/a" or "na": status = ImplementationStatus.NotApplicable; return true;
            default: status = default; return false;
        }
    }

    public const string Names = "not-started, partial, implemented, not-applicable";
}

/// <summary>One control (or clause) of a framework, with how this organisation implements it.</summary>
public sealed class Control : IAudited
{
    public Guid Id { get; set; }
    public Guid OrganisationId { get; set; }
    public Guid FrameworkId { get; set; }
    public Framework? Framework { get; set; }

    /// <summary>The identifier as the framework writes it: <c>A.5.1</c>, <c>9.2.1</c>, <c>ac-2.1</c>.</summary>
    public string Identifier { get; set; } = "";

    public ControlKind Kind { get; set; }

    /// <summary>Perennial's own label (built-in catalog) or the catalog's title (imported).</summary>
    public string Title { get; set; } = "";

    /// <summary>Perennial's own description, or the catalog's statement prose.</summary>
    [NotAudited]
    public string? Description { get; set; }

    /// <summary>Licensed wording an organisation imported to display instead of Perennial's labels.</summary>
    public string? LicensedTitle { get; set; }
    [NotAudited]
    public string? LicensedText { get; set; }

    /// <summary>ISO/IEC 27001 Annex A theme, or the catalog group the control belongs to.</summary>
    public string? Group { get; set; }

    public string? ParentIdentifier { get; set; }
    public int SortOrder { get; set; }

    /// <summary>OSCAL parameters, properties and parts, kept as imported (JSON).</summary>
    [NotAudited]
    public string? OscalJson { get; set; }

    public Guid? OwnerUserId { get; set; }
    public ImplementationStatus Status { get; set; }
    public string? ImplementationNotes { get; set; }

    /// <summary>How recent the control's evidence must be, in days after the period it covers; null: no requirement.</summary>
    public int? EvidenceFreshnessDays { get; set; }

    public List<ControlDocument> Documents { get; set; } = [];

    public string DisplayTitle => LicensedTitle ?? Title;

    Guid? IAudited.OrganisationId => OrganisationId;
}

/// <summary>A policy or other document that implements or describes a control.</summary>
public sealed class ControlDocument : IAudited
{
    public Guid Id { get; set; }
    public Guid OrganisationId { get; set; }
    public Guid ControlId { get; set; }
    public string Title { get; set; } = "";
    public string? Link { get; set; }
    public string? Version { get; set; }
    public DateOnly? ReviewDate { get; set; }

    Guid? IAudited.OrganisationId => OrganisationId;
}

/// <summary>
/// A link between two controls of different frameworks, kept by family and identifier so that it
/// holds before either framework is imported and comes alive when both are.
/// </summary>
public sealed class ControlMapping
{
    public Guid Id { get; set; }
    public Guid OrganisationId { get; set; }

    /// <summary>The mapping set it came from, e.g. <c>mapping-nist-sp-800-53-rev5-and-iso27001-2022</c>.</summary>
    public string MappingSet { get; set; } = "";
    public string SourceFamily { get; set; } = "";
    public string SourceIdentifier { get; set; } = "";
    public string TargetFamily { get; set; } = "";
    public string TargetIdentifier { get; set; } = "";

    /// <summary>equal, subset, superset, intersect, …</summary>
    public string Relationship { get; set; } = "";
}

internal sealed class ControlConfiguration : IEntityTypeConfiguration<Control>
{
    public void Configure(EntityTypeBuilder<Control> builder)
    {
        builder.Property(c => c.Identifier).HasMaxLength(64);
        builder.Property(c => c.Title).HasMaxLength(500);
        builder.Property(c => c.LicensedTitle).HasMaxLength(500);
        builder.Property(c => c.Group).HasMaxLength(200);
        builder.Property(c => c.ParentIdentifier).HasMaxLength(64);
        builder.Property(c => c.Kind).HasConversion<string>().HasMaxLength(20);
        builder.Property(c => c.Status).HasConversion<string>().HasMaxLength(20);
        builder.Ignore(c => c.DisplayTitle);
        builder.HasIndex(c => new { c.FrameworkId, c.Identifier }).IsUnique();
        builder.HasIndex(c => new { c.OrganisationId, c.Identifier });
        builder.HasOne(c => c.Framework).WithMany().HasForeignKey(c => c.FrameworkId).OnDelete(DeleteBehavior.Cascade);
        builder.HasMany(c => c.Documents).WithOne().HasForeignKey(d => d.ControlId).OnDelete(DeleteBehavior.Cascade);
    }
}

internal sealed class ControlDocumentConfiguration : IEntityTypeConfiguration<ControlDocument>
{
    public void Configure(EntityTypeBuilder<ControlDocument> builder)
    {
        builder.Property(d => d.Title).HasMaxLength(300);
        builder.Property(d => d.Link).HasMaxLength(2000);
        builder.Property(d => d.Version).HasMaxLength(50);
    }
}

internal sealed class ControlMappingConfiguration : IEntityTypeConfiguration<ControlMapping>
{
    public void Configure(EntityTypeBuilder<ControlMapping> builder)
    {
        builder.Property(m => m.MappingSet).HasMaxLength(200);
        builder.Property(m => m.SourceFamily).HasMaxLength(100);
        builder.Property(m => m.SourceIdentifier).HasMaxLength(64);
        builder.Property(m => m.TargetFamily).HasMaxLength(100);
        builder.Property(m => m.TargetIdentifier).HasMaxLength(64);
        builder.Property(m => m.Relationship).HasMaxLength(30);
        builder.HasIndex(m => new { m.OrganisationId, m.MappingSet, m.SourceIdentifier, m.TargetIdentifier }).IsUnique();
        builder.HasIndex(m => new { m.OrganisationId, m.SourceFamily, m.SourceIdentifier });
        builder.HasIndex(m => new { m.OrganisationId, m.TargetFamily, m.TargetIdentifier });
        builder.HasOne<Organisations.Organisation>().WithMany().HasForeignKey(x => x.OrganisationId).OnDelete(DeleteBehavior.Cascade);
    }
}

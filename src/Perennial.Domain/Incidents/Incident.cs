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

public enum IncidentStatus
{
    Open = 1,

    /// <summary>Handled: lessons learned recorded.</summary>
    Resolved = 2,
}

/// <summary>
/// An information security incident: what happened and how severe it was, a timeline of events, the
/// assets and controls it touched, the lessons learned, and the nonconformity and risk reviews it
/// caused. Recording it brings the reviews of its assets' risks forward.
/// </summary>
public sealed class Incident : IAudited
{
    public const int TextMaxLength = 8000;

    public Guid Id { get; set; }
    public Guid OrganisationId { get; set; }
    public string Reference { get; set; } = "";
    public DateOnly OccurredOn { get; set; }
    public string Title { get; set; } = "";
    public IncidentSeverity Severity { get; set; }
    public string? Description { get; set; }
    public IncidentStatus Status { get; set; } = IncidentStatus.Open;
    public DateOnly? ResolvedOn { get; set; }
    public string? LessonsLearned { get; set; }

    /// <summary>How many risk reviews the incident brought forward when it was recorded.</summary>
    public int ReviewsBroughtForward { get; set; }
    public DateTimeOffset CreatedAt { get; set; }
    public List<IncidentAsset> Assets { get; set; } = [];
    public List<IncidentControl> Controls { get; set; } = [];
    public List<IncidentEvent> Events { get; set; } = [];

    /// <summary>The open risks on its assets whose reviews it brought forward.</summary>
    public List<IncidentRisk> Risks { get; set; } = [];

    Guid? IAudited.OrganisationId => OrganisationId;
}

public sealed class IncidentAsset
{
    public Guid IncidentId { get; set; }
    public Guid AssetId { get; set; }
}

public sealed class IncidentControl
{
    public Guid IncidentId { get; set; }
    public Guid ControlId { get; set; }
}

public sealed class IncidentRisk
{
    public Guid IncidentId { get; set; }
    public Guid RiskId { get; set; }
}

/// <summary>One entry of an incident's timeline: detected, contained, notified, recovered, …</summary>
public sealed class IncidentEvent
{
    public const int TextMaxLength = 2000;

    public Guid Id { get; set; }
    public Guid IncidentId { get; set; }
    public DateTimeOffset At { get; set; }
    public string Text { get; set; } = "";
    public string Author { get; set; } = "";
    public DateTimeOffset RecordedAt { get; set; }
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
        builder.Property(i => i.Description).HasMaxLength(Incident.TextMaxLength);
        builder.Property(i => i.LessonsLearned).HasMaxLength(Incident.TextMaxLength);
        builder.Property(i => i.Status).HasConversion<string>().HasMaxLength(10);
        builder.HasMany(i => i.Assets).WithOne().HasForeignKey(a => a.IncidentId).OnDelete(DeleteBehavior.Cascade);
        builder.HasMany(i => i.Controls).WithOne().HasForeignKey(c => c.IncidentId).OnDelete(DeleteBehavior.Cascade);
        builder.HasMany(i => i.Events).WithOne().HasForeignKey(e => e.IncidentId).OnDelete(DeleteBehavior.Cascade);
        builder.HasMany(i => i.Risks).WithOne().HasForeignKey(r => r.IncidentId).OnDelete(DeleteBehavior.Cascade);
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

internal sealed class IncidentControlConfiguration : IEntityTypeConfiguration<IncidentControl>
{
    public void Configure(EntityTypeBuilder<IncidentControl> builder)
    {
        builder.HasKey(c => new { c.IncidentId, c.ControlId });
        builder.HasOne<Frameworks.Control>().WithMany().HasForeignKey(c => c.ControlId).OnDelete(DeleteBehavior.Cascade);
    }
}

internal sealed class IncidentEventConfiguration : IEntityTypeConfiguration<IncidentEvent>
{
    public void Configure(EntityTypeBuilder<IncidentEvent> builder)
    {
        builder.HasIndex(e => new { e.IncidentId, e.At });
        builder.Property(e => e.Text).HasMaxLength(IncidentEvent.TextMaxLength);
        builder.Property(e => e.Author).HasMaxLength(256);
    }
}

internal sealed class IncidentRiskConfiguration : IEntityTypeConfiguration<IncidentRisk>
{
    public void Configure(EntityTypeBuilder<IncidentRisk> builder)
    {
        builder.HasKey(r => new { r.IncidentId, r.RiskId });
        builder.HasOne<Risks.Risk>().WithMany().HasForeignKey(r => r.RiskId).OnDelete(DeleteBehavior.Cascade);
    }
}

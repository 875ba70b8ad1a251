using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;
using Perennial.AuditTrail;

namespace Perennial.Changes;

public enum ChangeType
{
    NewProductOrService = 1,
    Supplier = 2,
    Site = 3,
    Restructure = 4,
    SystemOrTool = 5,
    Acquisition = 6,
    LegalOrRegulatory = 7,
    Other = 8,
}

public enum ChangeStatus
{
    Proposed = 1,
    Approved = 2,
    InProgress = 3,
    Implemented = 4,
    Closed = 5,
    Rejected = 6,
}

public enum ChangeSource
{
    Manual = 1,
    Api = 2,
    Webhook = 3,
}

/// <summary>
/// An organisational or technical change, asked whether it affects the ISMS. Each "yes" opens
/// dated follow-up tasks; the change cannot be closed until they are done or waived.
/// </summary>
public sealed class Change : IAudited
{
    public Guid Id { get; set; }
    public Guid OrganisationId { get; set; }
    public string Reference { get; set; } = "";
    public string Title { get; set; } = "";
    public string? Description { get; set; }
    public ChangeType Type { get; set; }
    public string? RequesterName { get; set; }
    public Guid? RequesterUserId { get; set; }
    public DateOnly? PlannedOn { get; set; }
    public ChangeStatus Status { get; set; } = ChangeStatus.Proposed;
    public ChangeSource Source { get; set; } = ChangeSource.Manual;

    /// <summary>The ticket's id in the system it came from (webhook, API).</summary>
    public string? ExternalId { get; set; }

    // The ISMS impact questions; null means not yet answered.
    public bool? AffectsScope { get; set; }
    public bool? AddsAssetsOrProcessing { get; set; }
    public bool? AffectsSupplier { get; set; }
    public bool? AffectsAccess { get; set; }
    public bool? AffectsLegalRequirements { get; set; }
    public bool? AffectsSoaControl { get; set; }

    public DateTimeOffset CreatedAt { get; set; }
    public DateOnly? ClosedOn { get; set; }

    public List<ChangeAsset> Assets { get; set; } = [];
    public List<ChangeControl> Controls { get; set; } = [];
    public List<ChangeTask> Tasks { get; set; } = [];

    Guid? IAudited.OrganisationId => OrganisationId;
}

public sealed class ChangeAsset
{
    public Guid ChangeId { get; set; }
    public Guid AssetId { get; set; }
}

public sealed class ChangeControl
{
    public Guid ChangeId { get; set; }
    public Guid ControlId { get; set; }
}

public enum ChangeTaskKind
{
    RevisitScope = 1,
    ReassessRisks = 2,
    ReviewSoa = 3,
}

public enum ChangeTaskStatus
{
    Open = 1,
    Done = 2,
    Waived = 3,
}

/// <summary>A follow-up a change's "yes" answer opened: revisit scope, reassess risks, review SoA rows.</summary>
public sealed class ChangeTask : IAudited
{
    public Guid Id { get; set; }
    public Guid OrganisationId { get; set; }
    public Guid ChangeId { get; set; }
    public ChangeTaskKind Kind { get; set; }
    public string Title { get; set; } = "";
    public Guid? OwnerUserId { get; set; }
    public DateOnly DueOn { get; set; }
    public ChangeTaskStatus Status { get; set; } = ChangeTaskStatus.Open;
    public string? WaiverReason { get; set; }
    public DateOnly? CompletedOn { get; set; }

    /// <summary>Risks (ReassessRisks) or SoA controls (ReviewSoa) the task is about, as comma-separated ids.</summary>
    public string SubjectIds { get; set; } = "";

    Guid? IAudited.OrganisationId => OrganisationId;
}

/// <summary>A webhook delivery already accepted, so a replay of the same body is refused.</summary>
public sealed class WebhookDelivery
{
    public Guid Id { get; set; }
    public Guid OrganisationId { get; set; }
    public string BodyHash { get; set; } = "";
    public DateTimeOffset ReceivedAt { get; set; }
    public Guid ChangeId { get; set; }
}

/// <summary>An organisation's webhook secret, encrypted with the installation's data-protection keys.</summary>
public sealed class WebhookSecret
{
    public Guid OrganisationId { get; set; }
    public string ProtectedSecret { get; set; } = "";
    public DateTimeOffset CreatedAt { get; set; }
}

internal sealed class ChangeConfiguration : IEntityTypeConfiguration<Change>
{
    public void Configure(EntityTypeBuilder<Change> builder)
    {
        builder.Property(c => c.Reference).HasMaxLength(20);
        builder.Property(c => c.Title).HasMaxLength(300);
        builder.Property(c => c.Description).HasMaxLength(4000);
        builder.Property(c => c.RequesterName).HasMaxLength(256);
        builder.Property(c => c.ExternalId).HasMaxLength(200);
        builder.Property(c => c.Type).HasConversion<string>().HasMaxLength(30);
        builder.Property(c => c.Status).HasConversion<string>().HasMaxLength(20);
        builder.Property(c => c.Source).HasConversion<string>().HasMaxLength(10);
        builder.HasIndex(c => new { c.OrganisationId, c.Reference }).IsUnique();
        builder.HasIndex(c => new { c.OrganisationId, c.Status });
        builder.HasOne<Organisations.Organisation>().WithMany().HasForeignKey(c => c.OrganisationId).OnDelete(DeleteBehavior.Cascade);
        builder.HasMany(c => c.Assets).WithOne().HasForeignKey(a => a.ChangeId).OnDelete(DeleteBehavior.Cascade);
        builder.HasMany(c => c.Controls).WithOne().HasForeignKey(a => a.ChangeId).OnDelete(DeleteBehavior.Cascade);
        builder.HasMany(c => c.Tasks).WithOne().HasForeignKey(t => t.ChangeId).OnDelete(DeleteBehavior.Cascade);
    }
}

internal sealed class ChangeAssetConfiguration : IEntityTypeConfiguration<ChangeAsset>
{
    public void Configure(EntityTypeBuilder<ChangeAsset> builder)
    {
        builder.HasKey(a => new { a.ChangeId, a.AssetId });
        builder.HasOne<Assets.Asset>().WithMany().HasForeignKey(a => a.AssetId).OnDelete(DeleteBehavior.Cascade);
    }
}

internal sealed class ChangeControlConfiguration : IEntityTypeConfiguration<ChangeControl>
{
    public void Configure(EntityTypeBuilder<ChangeControl> builder)
    {
        builder.HasKey(a => new { a.ChangeId, a.ControlId });
        builder.HasOne<Frameworks.Control>().WithMany().HasForeignKey(a => a.ControlId).OnDelete(DeleteBehavior.Cascade);
    }
}

internal sealed class ChangeTaskConfiguration : IEntityTypeConfiguration<ChangeTask>
{
    public void Configure(EntityTypeBuilder<ChangeTask> builder)
    {
        builder.Property(t => t.Title).HasMaxLength(300);
        builder.Property(t => t.WaiverReason).HasMaxLength(1000);
        builder.Property(t => t.SubjectIds).HasMaxLength(20_000);
        builder.Property(t => t.Kind).HasConversion<string>().HasMaxLength(20);
        builder.Property(t => t.Status).HasConversion<string>().HasMaxLength(10);
    }
}

internal sealed class WebhookDeliveryConfiguration : IEntityTypeConfiguration<WebhookDelivery>
{
    public void Configure(EntityTypeBuilder<WebhookDelivery> builder)
    {
        builder.Property(d => d.BodyHash).HasMaxLength(64);
        builder.HasIndex(d => new { d.OrganisationId, d.BodyHash }).IsUnique();
        builder.HasOne<Organisations.Organisation>().WithMany().HasForeignKey(d => d.OrganisationId).OnDelete(DeleteBehavior.Cascade);
    }
}

internal sealed class WebhookSecretConfiguration : IEntityTypeConfiguration<WebhookSecret>
{
    public void Configure(EntityTypeBuilder<WebhookSecret> builder)
    {
        builder.HasKey(s => s.OrganisationId);
        builder.Property(s => s.ProtectedSecret).HasMaxLength(2000);
        builder.HasOne<Organisations.Organisation>().WithMany().HasForeignKey(s => s.OrganisationId).OnDelete(DeleteBehavior.Cascade);
    }
}

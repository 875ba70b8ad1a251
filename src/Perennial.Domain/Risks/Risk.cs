using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;
using Perennial.AuditTrail;

namespace Perennial.Risks;

public enum TreatmentOption
{
    Modify = 1,
    Retain = 2,
    Avoid = 3,
    Share = 4,
}

public enum RiskStatus
{
    Open = 1,
    Closed = 2,
}

/// <summary>A risk in the register. Every saved change also writes a <see cref="RiskRevision"/>.</summary>
public sealed class Risk : IAudited
{
    public Guid Id { get; set; }
    public Guid OrganisationId { get; set; }

    /// <summary>Human reference, unique in the organisation, …</summary>
    public string Reference { get; set; } = "";
    public string Title { get; set; } = "";
    public string? Description { get; set; }
    public string? Threat { get; set; }
    public string? Vulnerability { get; set; }
    public Guid? OwnerUserId { get; set; }
    public Guid MethodId { get; set; }

    public int InherentLikelihood { get; set; }
    public int InherentImpact { get; set; }
    public int InherentScore { get; set; }
    public string InherentLevel { get; set; } = "";

    public string? ExistingControls { get; set; }
    public TreatmentOption Treatment { get; set; }
    public string? TreatmentPlan { get; set; }

    public int ResidualLikelihood { get; set; }
    public int ResidualImpact { get; set; }
    public int ResidualScore { get; set; }
    public string ResidualLevel { get; set; } = "";

    public RiskStatus Status { get; set; } = RiskStatus.Open;

    public int ReviewIntervalMonths { get; set; } = 12;
    public DateOnly? LastReviewedOn { get; set; }
    public DateOnly NextReviewOn { get; set; }

    /// <summary>Why the next review was brought forward (a change, an incident), if it was.</summary>
    public string? ReviewTrigger { get; set; }

    public Guid? AcceptedByUserId { get; set; }
    public DateTimeOffset? AcceptedAt { get; set; }
    public DateOnly? AcceptedUntil { get; set; }
    public string? AcceptanceJustification { get; set; }

    public int RevisionCount { get; set; }
    public DateTimeOffset CreatedAt { get; set; }
    public DateTimeOffset UpdatedAt { get; set; }

    public List<RiskAsset> Assets { get; set; } = [];
    public List<RiskControl> Controls { get; set; } = [];
    public List<RiskAction> Actions { get; set; } = [];

    Guid? IAudited.OrganisationId => OrganisationId;
}

public sealed class RiskAsset
{
    public Guid RiskId { get; set; }
    public Guid AssetId { get; set; }
}

/// <summary>A control planned or in place to treat the risk (and so shown on its SoA row).</summary>
public sealed class RiskControl
{
    public Guid RiskId { get; set; }
    public Guid ControlId { get; set; }
}

public enum ActionStatus
{
    Open = 1,
    InProgress = 2,
    Done = 3,
}

/// <summary>A step of a risk's treatment plan.</summary>
public sealed class RiskAction : IAudited
{
    public Guid Id { get; set; }
    public Guid OrganisationId { get; set; }
    public Guid RiskId { get; set; }
    public string Title { get; set; } = "";
    public Guid? OwnerUserId { get; set; }
    public DateOnly? DueOn { get; set; }
    public ActionStatus Status { get; set; } = ActionStatus.Open;
    public DateOnly? CompletedOn { get; set; }

    Guid? IAudited.OrganisationId => OrganisationId;
}

/// <summary>
/// The whole risk as it stood from <see cref="ValidFrom"/> until <see cref="ValidTo"/> (null: still
/// current), so that any two revisions, or the register at any date, can be shown.
/// </summary>
public sealed class RiskRevision
{
    public Guid Id { get; set; }
    public Guid OrganisationId { get; set; }
    public Guid RiskId { get; set; }
    public int Number { get; set; }
    public DateTimeOffset ValidFrom { get; set; }
    public DateTimeOffset? ValidTo { get; set; }
    public string Author { get; set; } = "";

    /// <summary>Why the risk changed: "created", "reviewed", "residual accepted", an edit note.</summary>
    public string Reason { get; set; } = "";

    /// <summary>The risk's fields as JSON (<see cref="RiskSnapshot"/>).</summary>
    public string SnapshotJson { get; set; } = "{}";

    // Copied out of the snapshot for the register-as-at queries and the heat map.
    public string Reference { get; set; } = "";
    public string Title { get; set; } = "";
    public Guid? OwnerUserId { get; set; }
    public int InherentLikelihood { get; set; }
    public int InherentImpact { get; set; }
    public int ResidualLikelihood { get; set; }
    public int ResidualImpact { get; set; }
    public string ResidualLevel { get; set; } = "";
    public TreatmentOption Treatment { get; set; }
    public RiskStatus Status { get; set; }
}

/// <summary>A review of one risk: what was reconsidered and whether the risk changed.</summary>
public sealed class RiskReview
{
    public Guid Id { get; set; }
    public Guid OrganisationId { get; set; }
    public Guid RiskId { get; set; }
    public DateOnly ReviewedOn { get; set; }
    public Guid? ReviewerUserId { get; set; }
    public string ReviewerName { get; set; } = "";
    public string Notes { get; set; } = "";
    public bool Revised { get; set; }
    public int RevisionNumber { get; set; }
    public Guid? CampaignId { get; set; }
}

/// <summary>A review of the whole register, with progress per risk owner.</summary>
public sealed class ReviewCampaign : IAudited
{
    public Guid Id { get; set; }
    public Guid OrganisationId { get; set; }
    public string Title { get; set; } = "";
    public DateOnly StartedOn { get; set; }
    public DateOnly DueOn { get; set; }
    public DateOnly? ClosedOn { get; set; }

    Guid? IAudited.OrganisationId => OrganisationId;
}

internal sealed class RiskConfiguration : IEntityTypeConfiguration<Risk>
{
    public void Configure(EntityTypeBuilder<Risk> builder)
    {
        builder.Property(r => r.Reference).HasMaxLength(20);
        builder.Property(r => r.Title).HasMaxLength(RiskLimits.Title);
        builder.Property(r => r.Description).HasMaxLength(RiskLimits.Text);
        builder.Property(r => r.Threat).HasMaxLength(RiskLimits.Line);
        builder.Property(r => r.Vulnerability).HasMaxLength(RiskLimits.Line);
        builder.Property(r => r.ExistingControls).HasMaxLength(RiskLimits.Text);
        builder.Property(r => r.TreatmentPlan).HasMaxLength(RiskLimits.Text);
        builder.Property(r => r.InherentLevel).HasMaxLength(50);
        builder.Property(r => r.ResidualLevel).HasMaxLength(50);
        builder.Property(r => r.ReviewTrigger).HasMaxLength(300);
        builder.Property(r => r.AcceptanceJustification).HasMaxLength(RiskLimits.Text);
        builder.Property(r => r.Treatment).HasConversion<string>().HasMaxLength(10);
        builder.Property(r => r.Status).HasConversion<string>().HasMaxLength(10);
        builder.HasIndex(r => new { r.OrganisationId, r.Reference }).IsUnique();
        builder.HasIndex(r => new { r.OrganisationId, r.Status, r.ResidualScore });
        builder.HasIndex(r => new { r.OrganisationId, r.NextReviewOn });
        builder.HasIndex(r => new { r.OrganisationId, r.OwnerUserId });
        builder.HasOne<Organisations.Organisation>().WithMany().HasForeignKey(r => r.OrganisationId).OnDelete(DeleteBehavior.Cascade);
        builder.HasOne<RiskMethod>().WithMany().HasForeignKey(r => r.MethodId).OnDelete(DeleteBehavior.Restrict);
        builder.HasMany(r => r.Assets).WithOne().HasForeignKey(a => a.RiskId).OnDelete(DeleteBehavior.Cascade);
        builder.HasMany(r => r.Controls).WithOne().HasForeignKey(c => c.RiskId).OnDelete(DeleteBehavior.Cascade);
        builder.HasMany(r => r.Actions).WithOne().HasForeignKey(a => a.RiskId).OnDelete(DeleteBehavior.Cascade);
    }
}

internal sealed class RiskAssetConfiguration : IEntityTypeConfiguration<RiskAsset>
{
    public void Configure(EntityTypeBuilder<RiskAsset> builder)
    {
        builder.HasKey(a => new { a.RiskId, a.AssetId });
        builder.HasIndex(a => a.AssetId);
        builder.HasOne<Assets.Asset>().WithMany().HasForeignKey(a => a.AssetId).OnDelete(DeleteBehavior.Cascade);
    }
}

internal sealed class RiskControlConfiguration : IEntityTypeConfiguration<RiskControl>
{
    public void Configure(EntityTypeBuilder<RiskControl> builder)
    {
        builder.HasKey(c => new { c.RiskId, c.ControlId });
        builder.HasIndex(c => c.ControlId);
        builder.HasOne<Frameworks.Control>().WithMany().HasForeignKey(c => c.ControlId).OnDelete(DeleteBehavior.Cascade);
    }
}

internal sealed class RiskActionConfiguration : IEntityTypeConfiguration<RiskAction>
{
    public void Configure(EntityTypeBuilder<RiskAction> builder)
    {
        builder.Property(a => a.Title).HasMaxLength(RiskLimits.Line);
        builder.Property(a => a.Status).HasConversion<string>().HasMaxLength(12);
        builder.HasIndex(a => new { a.OrganisationId, a.Status, a.DueOn });
    }
}

internal sealed class RiskRevisionConfiguration : IEntityTypeConfiguration<RiskRevision>
{
    public void Configure(EntityTypeBuilder<RiskRevision> builder)
    {
        builder.Property(r => r.Author).HasMaxLength(256);
        builder.Property(r => r.Reason).HasMaxLength(RiskLimits.Line);
        builder.Property(r => r.Reference).HasMaxLength(20);
        builder.Property(r => r.Title).HasMaxLength(RiskLimits.Title);
        builder.Property(r => r.ResidualLevel).HasMaxLength(50);
        builder.Property(r => r.Treatment).HasConversion<string>().HasMaxLength(10);
        builder.Property(r => r.Status).HasConversion<string>().HasMaxLength(10);
        builder.HasIndex(r => new { r.RiskId, r.Number }).IsUnique();
        builder.HasIndex(r => new { r.OrganisationId, r.ValidFrom, r.ValidTo });
        // The register as at a date is read in reference order, a page at a time: walking this index
        // finds the first page without sorting every revision of the organisation.
        builder.HasIndex(r => new { r.OrganisationId, r.Reference, r.ValidFrom, r.ValidTo });
        builder.HasOne<Risk>().WithMany().HasForeignKey(r => r.RiskId).OnDelete(DeleteBehavior.Cascade);
    }
}

internal sealed class RiskReviewConfiguration : IEntityTypeConfiguration<RiskReview>
{
    public void Configure(EntityTypeBuilder<RiskReview> builder)
    {
        builder.Property(r => r.ReviewerName).HasMaxLength(256);
        builder.Property(r => r.Notes).HasMaxLength(RiskLimits.Text);
        builder.HasIndex(r => new { r.RiskId, r.ReviewedOn });
        builder.HasIndex(r => r.CampaignId);
        builder.HasOne<Risk>().WithMany().HasForeignKey(r => r.RiskId).OnDelete(DeleteBehavior.Cascade);
    }
}

internal sealed class ReviewCampaignConfiguration : IEntityTypeConfiguration<ReviewCampaign>
{
    public void Configure(EntityTypeBuilder<ReviewCampaign> builder)
    {
        builder.Property(c => c.Title).HasMaxLength(200);
        builder.HasOne<Organisations.Organisation>().WithMany().HasForeignKey(c => c.OrganisationId).OnDelete(DeleteBehavior.Cascade);
    }
}

public static class RiskLimits
{
    public const int Title = 300;
    public const int Line = 1000;
    public const int Text = 4000;
}

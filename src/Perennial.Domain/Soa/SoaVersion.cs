using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;
using Perennial.AuditTrail;
using Perennial.Frameworks;

namespace Perennial.Soa;

/// <summary>
/// A Statement of Applicability. Each organisation has one draft (edited freely) and the versions it
/// published from it (numbered 1, 2, …, never edited again).
/// </summary>
public sealed class SoaVersion : IAudited
{
    public Guid Id { get; set; }
    public Guid OrganisationId { get; set; }

    /// <summary>0 for the draft; 1, 2, … for published versions.</summary>
    public int Number { get; set; }
    public bool IsDraft => Number == 0;

    public DateTimeOffset? PublishedAt { get; set; }
    public Guid? ApproverUserId { get; set; }
    public string? ApproverName { get; set; }

    /// <summary>What this version changes and why, as written by whoever published it.</summary>
    public string? Summary { get; set; }

    public List<SoaRow> Rows { get; set; } = [];

    Guid? IAudited.OrganisationId => OrganisationId;
}

/// <summary>One Annex A control in a Statement of Applicability.</summary>
public sealed class SoaRow : IAudited
{
    public Guid Id { get; set; }
    public Guid OrganisationId { get; set; }
    public Guid SoaVersionId { get; set; }

    /// <summary>The Annex A identifier, e.g. <c>A.8.13</c>.</summary>
    public string ControlIdentifier { get; set; } = "";
    public int SortOrder { get; set; }

    /// <summary>Null until decided.</summary>
    public bool? Applicable { get; set; }

    /// <summary>Why the control is included or excluded; required before publishing.</summary>
    public string? Justification { get; set; }
    public ImplementationStatus Status { get; set; }
    public Guid? OwnerUserId { get; set; }
    public string? OwnerName { get; set; }

    /// <summary>Risks that call for the control (identifiers until the risk register links them).</summary>
    public string? LinkedRisks { get; set; }

    /// <summary>Recurring activities that operate the control.</summary>
    public string? LinkedActivities { get; set; }
    public string? Notes { get; set; }

    /// <summary>Why the row last changed; shown when versions are compared.</summary>
    public string? ChangeReason { get; set; }

    Guid? IAudited.OrganisationId => OrganisationId;
}

internal sealed class SoaVersionConfiguration : IEntityTypeConfiguration<SoaVersion>
{
    public void Configure(EntityTypeBuilder<SoaVersion> builder)
    {
        builder.HasIndex(v => new { v.OrganisationId, v.Number }).IsUnique();
        builder.Ignore(v => v.IsDraft);
        builder.Property(v => v.ApproverName).HasMaxLength(256);
        builder.Property(v => v.Summary).HasMaxLength(2000);
        builder.HasMany(v => v.Rows).WithOne().HasForeignKey(r => r.SoaVersionId).OnDelete(DeleteBehavior.Cascade);
        builder.HasOne<Organisations.Organisation>().WithMany().HasForeignKey(x => x.OrganisationId).OnDelete(DeleteBehavior.Cascade);
    }
}

internal sealed class SoaRowConfiguration : IEntityTypeConfiguration<SoaRow>
{
    public void Configure(EntityTypeBuilder<SoaRow> builder)
    {
        builder.Property(r => r.ControlIdentifier).HasMaxLength(64);
        builder.Property(r => r.Justification).HasMaxLength(SoaLimits.Justification);
        builder.Property(r => r.Status).HasConversion<string>().HasMaxLength(20);
        builder.Property(r => r.OwnerName).HasMaxLength(256);
        builder.Property(r => r.LinkedRisks).HasMaxLength(SoaLimits.Links);
        builder.Property(r => r.LinkedActivities).HasMaxLength(SoaLimits.Links);
        builder.Property(r => r.Notes).HasMaxLength(SoaLimits.Notes);
        builder.Property(r => r.ChangeReason).HasMaxLength(SoaLimits.Notes);
        builder.HasIndex(r => new { r.SoaVersionId, r.ControlIdentifier }).IsUnique();
    }
}

public static class SoaLimits
{
    public const int Justification = 2000;
    public const int Links = 1000;
    public const int Notes = 2000;
}

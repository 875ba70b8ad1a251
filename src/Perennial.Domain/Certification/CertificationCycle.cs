using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;
using Perennial.AuditTrail;

namespace Perennial.Certification;

/// <summary>One certificate's three-year cycle. A new cycle starts after recertification; past ones stay.</summary>
public sealed class CertificationCycle : IAudited
{
    public Guid Id { get; set; }
    public Guid OrganisationId { get; set; }
    public int Number { get; set; }
    public bool IsCurrent { get; set; }
    public string CertificationBody { get; set; } = "";
    public string? CertificateNumber { get; set; }
    public string StandardVersion { get; set; } = "ISO/IEC 27001:2022";
    public DateOnly? Stage2AuditDate { get; set; }

    /// <summary>The certification decision; surveillance audits are due within 12 and 24 months of it.</summary>
    public DateOnly IssueDate { get; set; }
    public DateOnly ExpiryDate { get; set; }

    /// <summary>How long before expiry the recertification audit must be done, so the decision can follow in time.</summary>
    public int RecertificationLeadDays { get; set; } = CyclePlanner.DefaultRecertificationLeadDays;

    public DateTimeOffset CreatedAt { get; set; }

    public List<ExternalAudit> Audits { get; set; } = [];

    Guid? IAudited.OrganisationId => OrganisationId;
}

public enum ExternalAuditKind
{
    Surveillance1 = 1,
    Surveillance2 = 2,
    Recertification = 3,
}

/// <summary>A certification-body audit of the cycle: planned date, window, and what it found.</summary>
public sealed class ExternalAudit : IAudited
{
    public Guid Id { get; set; }
    public Guid OrganisationId { get; set; }
    public Guid CycleId { get; set; }
    public ExternalAuditKind Kind { get; set; }
    public DateOnly PlannedDate { get; set; }
    public DateOnly WindowStart { get; set; }
    public DateOnly WindowEnd { get; set; }

    /// <summary>When it actually took place; null until then.</summary>
    public DateOnly? HeldOn { get; set; }
    public string? Auditors { get; set; }
    public string? Notes { get; set; }

    public List<AuditFinding> Findings { get; set; } = [];

    Guid? IAudited.OrganisationId => OrganisationId;
}

public enum FindingKind
{
    MajorNonconformity = 1,
    MinorNonconformity = 2,
    Observation = 3,
    OpportunityForImprovement = 4,
}

/// <summary>What the certification body found, with its deadline for closing it.</summary>
public sealed class AuditFinding : IAudited
{
    public Guid Id { get; set; }
    public Guid OrganisationId { get; set; }
    public Guid ExternalAuditId { get; set; }
    public FindingKind Kind { get; set; }
    public string Reference { get; set; } = "";
    public string Description { get; set; } = "";

    /// <summary>Clause or control the finding is about, e.g. <c>A.8.13</c>.</summary>
    public string? ControlIdentifier { get; set; }
    public DateOnly? ClosureDeadline { get; set; }
    public DateOnly? ClosedOn { get; set; }

    Guid? IAudited.OrganisationId => OrganisationId;
}

internal sealed class CertificationCycleConfiguration : IEntityTypeConfiguration<CertificationCycle>
{
    public void Configure(EntityTypeBuilder<CertificationCycle> builder)
    {
        builder.Property(c => c.CertificationBody).HasMaxLength(200);
        builder.Property(c => c.CertificateNumber).HasMaxLength(100);
        builder.Property(c => c.StandardVersion).HasMaxLength(100);
        builder.HasIndex(c => new { c.OrganisationId, c.Number }).IsUnique();
        builder.HasMany(c => c.Audits).WithOne().HasForeignKey(a => a.CycleId).OnDelete(DeleteBehavior.Cascade);
        builder.HasOne<Organisations.Organisation>().WithMany().HasForeignKey(x => x.OrganisationId).OnDelete(DeleteBehavior.Cascade);
    }
}

internal sealed class ExternalAuditConfiguration : IEntityTypeConfiguration<ExternalAudit>
{
    public void Configure(EntityTypeBuilder<ExternalAudit> builder)
    {
        builder.Property(a => a.Kind).HasConversion<string>().HasMaxLength(20);
        builder.Property(a => a.Auditors).HasMaxLength(500);
        builder.Property(a => a.Notes).HasMaxLength(4000);
        builder.HasIndex(a => new { a.CycleId, a.Kind }).IsUnique();
        builder.HasMany(a => a.Findings).WithOne().HasForeignKey(f => f.ExternalAuditId).OnDelete(DeleteBehavior.Cascade);
    }
}

internal sealed class AuditFindingConfiguration : IEntityTypeConfiguration<AuditFinding>
{
    public void Configure(EntityTypeBuilder<AuditFinding> builder)
    {
        builder.Property(f => f.Kind).HasConversion<string>().HasMaxLength(30);
        builder.Property(f => f.Reference).HasMaxLength(50);
        builder.Property(f => f.Description).HasMaxLength(4000);
        builder.Property(f => f.ControlIdentifier).HasMaxLength(64);
    }
}

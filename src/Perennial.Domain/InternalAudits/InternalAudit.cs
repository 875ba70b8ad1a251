using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;
using Perennial.AuditTrail;

namespace Perennial.InternalAudits;

public enum InternalAuditStatus
{
    Planned = 1,
    InProgress = 2,

    /// <summary>The lead auditor signed the report off; the results are frozen.</summary>
    Reported = 3,
    Cancelled = 4,
}

/// <summary>What a scope item names: a management-system clause (4.1 … 10.2) or an Annex A control.</summary>
public enum ScopeItemKind
{
    Clause = 1,
    Control = 2,
}

/// <summary>
/// One planned internal audit of the programme (ISO/IEC 27001 9.2): when, by whom, against which
/// criteria, and over which clauses, controls and organisational units. Belongs to a certification
/// cycle when the organisation has one; before certification it belongs to no cycle.
/// </summary>
public sealed class InternalAudit : IAudited
{
    public const int TitleMaxLength = 200;
    public const int TextMaxLength = 4000;
    public const int UnitMaxLength = 100;
    public const int MaxScopeItems = 200;
    public const int MaxAuditors = 10;

    public Guid Id { get; set; }
    public Guid OrganisationId { get; set; }
    public Guid? CycleId { get; set; }

    /// <summary>IA-001, IA-002, ... per organisation.</summary>
    public string Reference { get; set; } = "";
    public string Title { get; set; } = "";
    public DateOnly PlannedStart { get; set; }
    public DateOnly PlannedEnd { get; set; }
    public Guid LeadAuditorUserId { get; set; }

    /// <summary>What the audit judges against, e.g. "ISO/IEC 27001:2022, the ISMS policy, the access control procedure".</summary>
    public string? Criteria { get; set; }
    public InternalAuditStatus Status { get; set; } = InternalAuditStatus.Planned;

    /// <summary>Organisational units or processes in scope, JSON array of names.</summary>
    public List<string> Units { get; set; } = [];
    public DateTimeOffset CreatedAt { get; set; }

    /// <summary>The period whose occurrences and evidence the checklist looks at; set when the audit starts.</summary>
    public DateOnly? PeriodFrom { get; set; }
    public DateOnly? PeriodTo { get; set; }
    public DateTimeOffset? StartedAt { get; set; }
    public DateTimeOffset? SignedOffAt { get; set; }
    public Guid? SignedOffByUserId { get; set; }

    /// <summary>The one-off activity that puts the audit on the calendar, in its people's feeds and reminders.</summary>
    public Guid? ActivityId { get; set; }

    /// <summary>When a manager cancelled the audit, who, and why (shown on the audit and in the programme).</summary>
    public DateTimeOffset? CancelledAt { get; set; }
    public string? CancelledByName { get; set; }
    public string? CancellationReason { get; set; }

    /// <summary>The signed-off report, kept as hashed evidence.</summary>
    public Guid? ReportEvidenceId { get; set; }

    public List<InternalAuditScopeItem> Scope { get; set; } = [];
    public List<InternalAuditAuditor> Auditors { get; set; } = [];

    Guid? IAudited.OrganisationId => OrganisationId;
}

/// <summary>One clause or control in an audit's scope.</summary>
public sealed class InternalAuditScopeItem
{
    public Guid InternalAuditId { get; set; }
    public string Identifier { get; set; } = "";
    public ScopeItemKind Kind { get; set; }
    public int SortOrder { get; set; }
}

/// <summary>
/// An auditor of the audit (the lead auditor is one too). When the scope holds something the auditor
/// owns, a manager's recorded justification lets them audit it anyway.
/// </summary>
public sealed class InternalAuditAuditor
{
    public Guid InternalAuditId { get; set; }
    public Guid UserId { get; set; }
    public bool IsLead { get; set; }

    /// <summary>What the auditor owns in the scope, as the refusal named it, when a manager overrode it.</summary>
    public string? ConflictOverridden { get; set; }
    public string? OverrideJustification { get; set; }
    public Guid? OverriddenByUserId { get; set; }
}

internal sealed class InternalAuditConfiguration : IEntityTypeConfiguration<InternalAudit>
{
    public void Configure(EntityTypeBuilder<InternalAudit> builder)
    {
        builder.HasIndex(a => new { a.OrganisationId, a.Reference }).IsUnique();
        builder.HasIndex(a => new { a.OrganisationId, a.CycleId, a.PlannedStart });
        builder.Property(a => a.Reference).HasMaxLength(20);
        builder.Property(a => a.Title).HasMaxLength(InternalAudit.TitleMaxLength);
        builder.Property(a => a.Criteria).HasMaxLength(InternalAudit.TextMaxLength);
        builder.Property(a => a.Status).HasConversion<string>().HasMaxLength(12);
        builder.Property(a => a.CancelledByName).HasMaxLength(256);
        builder.Property(a => a.CancellationReason).HasMaxLength(InternalAudit.TextMaxLength);
        builder.HasOne<Organisations.Organisation>().WithMany().HasForeignKey(a => a.OrganisationId).OnDelete(DeleteBehavior.Cascade);
        builder.HasOne<Certification.CertificationCycle>().WithMany().HasForeignKey(a => a.CycleId).OnDelete(DeleteBehavior.Cascade);
        builder.HasOne<Accounts.User>().WithMany().HasForeignKey(a => a.LeadAuditorUserId).OnDelete(DeleteBehavior.Restrict);
        builder.HasOne<Accounts.User>().WithMany().HasForeignKey(a => a.SignedOffByUserId).OnDelete(DeleteBehavior.SetNull);
        builder.HasOne<Activities.Activity>().WithMany().HasForeignKey(a => a.ActivityId).OnDelete(DeleteBehavior.SetNull);
        builder.HasOne<Evidence.EvidenceItem>().WithMany().HasForeignKey(a => a.ReportEvidenceId).OnDelete(DeleteBehavior.SetNull);
        builder.HasMany(a => a.Scope).WithOne().HasForeignKey(s => s.InternalAuditId).OnDelete(DeleteBehavior.Cascade);
        builder.HasMany(a => a.Auditors).WithOne().HasForeignKey(s => s.InternalAuditId).OnDelete(DeleteBehavior.Cascade);
    }
}

internal sealed class InternalAuditScopeItemConfiguration : IEntityTypeConfiguration<InternalAuditScopeItem>
{
    public void Configure(EntityTypeBuilder<InternalAuditScopeItem> builder)
    {
        builder.HasKey(s => new { s.InternalAuditId, s.Identifier });
        builder.HasIndex(s => s.Identifier);
        builder.Property(s => s.Identifier).HasMaxLength(20);
        builder.Property(s => s.Kind).HasConversion<string>().HasMaxLength(10);
    }
}

internal sealed class InternalAuditAuditorConfiguration : IEntityTypeConfiguration<InternalAuditAuditor>
{
    public void Configure(EntityTypeBuilder<InternalAuditAuditor> builder)
    {
        builder.HasKey(s => new { s.InternalAuditId, s.UserId });
        builder.HasIndex(s => s.UserId);
        builder.Property(s => s.ConflictOverridden).HasMaxLength(1000);
        builder.Property(s => s.OverrideJustification).HasMaxLength(InternalAudit.TextMaxLength);
        builder.HasOne<Accounts.User>().WithMany().HasForeignKey(s => s.UserId).OnDelete(DeleteBehavior.Restrict);
        builder.HasOne<Accounts.User>().WithMany().HasForeignKey(s => s.OverriddenByUserId).OnDelete(DeleteBehavior.SetNull);
    }
}

using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;
using Perennial.AuditTrail;

namespace Perennial.AuditorWorkspace;

/// <summary>
/// A sample an external auditor drew: occurrences of the activities operating one control in a
/// period, as many as the sampling table gives for their frequency, drawn with a recorded seed so the
/// same seed over the same period draws them again. Kept so the team sees what was sampled.
/// </summary>
public sealed class AuditSample : IAudited
{
    public Guid Id { get; set; }
    public Guid OrganisationId { get; set; }
    public Guid? ExternalAuditId { get; set; }
    public Guid ControlId { get; set; }
    public string ControlIdentifier { get; set; } = "";
    public DateOnly PeriodFrom { get; set; }
    public DateOnly PeriodTo { get; set; }

    /// <summary>The sampling table's frequency the size was taken from (the most frequent linked activity's).</summary>
    public string Frequency { get; set; } = "";
    public int Seed { get; set; }
    public int Population { get; set; }
    public int Size { get; set; }
    public List<Guid> OccurrenceIds { get; set; } = [];
    public DateTimeOffset DrawnAt { get; set; }
    public Guid DrawnByUserId { get; set; }

    Guid? IAudited.OrganisationId => OrganisationId;
}

public enum AuditRequestStatus
{
    /// <summary>Waiting for the owner (again, after the auditor asked again).</summary>
    Open = 1,

    /// <summary>The owner answered; waiting for the auditor.</summary>
    Answered = 2,

    /// <summary>The auditor accepted the answer.</summary>
    Accepted = 3,
}

/// <summary>
/// One item of the auditor's "provided by client" list: what the auditor asks for, tied optionally to
/// a clause or control or a sampled occurrence, due by a date, assigned to an owner, answered with
/// evidence items or a comment, then accepted or asked again.
/// </summary>
public sealed class AuditRequest : IAudited
{
    public const int TextMaxLength = 4000;

    public Guid Id { get; set; }
    public Guid OrganisationId { get; set; }
    public Guid? ExternalAuditId { get; set; }

    /// <summary>REQ-001, REQ-002, … per organisation.</summary>
    public string Reference { get; set; } = "";
    public string Text { get; set; } = "";

    /// <summary>The clause (9.2) or control (A.8.13) the request is about, if any.</summary>
    public string? Identifier { get; set; }
    public Guid? OccurrenceId { get; set; }
    public Guid? SampleId { get; set; }
    public DateOnly DueOn { get; set; }
    public Guid RaisedByUserId { get; set; }
    public DateTimeOffset RaisedAt { get; set; }
    public Guid AssigneeUserId { get; set; }
    public AuditRequestStatus Status { get; set; } = AuditRequestStatus.Open;

    /// <summary>1 at first; each time the auditor asks again, one more.</summary>
    public int Round { get; set; } = 1;
    public string? Answer { get; set; }
    public List<Guid> EvidenceIds { get; set; } = [];
    public DateTimeOffset? AnsweredAt { get; set; }
    public Guid? AnsweredByUserId { get; set; }

    /// <summary>Why the auditor asked again, the last time.</summary>
    public string? AuditorNote { get; set; }
    public DateTimeOffset? AcceptedAt { get; set; }
    public DateTimeOffset UpdatedAt { get; set; }

    Guid? IAudited.OrganisationId => OrganisationId;
}

internal sealed class AuditSampleConfiguration : IEntityTypeConfiguration<AuditSample>
{
    public void Configure(EntityTypeBuilder<AuditSample> builder)
    {
        builder.HasIndex(s => new { s.OrganisationId, s.DrawnAt });
        builder.Property(s => s.ControlIdentifier).HasMaxLength(64);
        builder.Property(s => s.Frequency).HasMaxLength(20);
        builder.HasOne<Organisations.Organisation>().WithMany().HasForeignKey(s => s.OrganisationId).OnDelete(DeleteBehavior.Cascade);
        builder.HasOne<Frameworks.Control>().WithMany().HasForeignKey(s => s.ControlId).OnDelete(DeleteBehavior.Cascade);
        builder.HasOne<Accounts.User>().WithMany().HasForeignKey(s => s.DrawnByUserId).OnDelete(DeleteBehavior.Restrict);
    }
}

internal sealed class AuditRequestConfiguration : IEntityTypeConfiguration<AuditRequest>
{
    public void Configure(EntityTypeBuilder<AuditRequest> builder)
    {
        builder.HasIndex(r => new { r.OrganisationId, r.Reference }).IsUnique();
        builder.HasIndex(r => new { r.OrganisationId, r.Status, r.DueOn });
        builder.HasIndex(r => r.AssigneeUserId);
        builder.Property(r => r.Reference).HasMaxLength(20);
        builder.Property(r => r.Text).HasMaxLength(AuditRequest.TextMaxLength);
        builder.Property(r => r.Identifier).HasMaxLength(64);
        builder.Property(r => r.Status).HasConversion<string>().HasMaxLength(10);
        builder.Property(r => r.Answer).HasMaxLength(AuditRequest.TextMaxLength);
        builder.Property(r => r.AuditorNote).HasMaxLength(AuditRequest.TextMaxLength);
        builder.HasOne<Organisations.Organisation>().WithMany().HasForeignKey(r => r.OrganisationId).OnDelete(DeleteBehavior.Cascade);
        builder.HasOne<Accounts.User>().WithMany().HasForeignKey(r => r.RaisedByUserId).OnDelete(DeleteBehavior.Restrict);
        builder.HasOne<Accounts.User>().WithMany().HasForeignKey(r => r.AssigneeUserId).OnDelete(DeleteBehavior.Restrict);
        builder.HasOne<AuditSample>().WithMany().HasForeignKey(r => r.SampleId).OnDelete(DeleteBehavior.SetNull);
    }
}

using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;
using Perennial.AuditTrail;

namespace Perennial.Improvements;

public enum ImprovementSource
{
    InternalAudit = 1,
    ManagementReview = 2,
    Staff = 3,
    CertificationBody = 4,
}

public enum ImprovementDecision
{
    Adopted = 1,
    Rejected = 2,
}

public enum ImprovementStatus
{
    /// <summary>Proposed, not decided yet.</summary>
    Open = 1,

    /// <summary>Adopted and being carried out.</summary>
    InProgress = 2,
    Done = 3,

    /// <summary>Rejected, with the reason kept.</summary>
    Rejected = 4,
}

/// <summary>
/// An opportunity for improvement (ISO/IEC 27001 10.1) from an internal audit, a management review,
/// the certification body or anyone on staff, with its owner, the decision taken on it and its status.
/// </summary>
public sealed class Improvement : IAudited
{
    public const int TitleMaxLength = 300;
    public const int TextMaxLength = 8000;

    public Guid Id { get; set; }
    public Guid OrganisationId { get; set; }

    /// <summary>OFI-001, OFI-002, ... per organisation.</summary>
    public string Reference { get; set; } = "";
    public string Title { get; set; } = "";
    public string? Description { get; set; }
    public ImprovementSource Source { get; set; }
    public string? Identifier { get; set; }
    public Guid? InternalAuditId { get; set; }
    public Guid? OwnerUserId { get; set; }
    public Guid? RaisedByUserId { get; set; }
    public DateTimeOffset RaisedAt { get; set; }
    public ImprovementDecision? Decision { get; set; }
    public string? DecisionReason { get; set; }
    public DateTimeOffset? DecidedAt { get; set; }
    public Guid? DecidedByUserId { get; set; }
    public ImprovementStatus Status { get; set; } = ImprovementStatus.Open;
    public DateOnly? DoneOn { get; set; }

    Guid? IAudited.OrganisationId => OrganisationId;
}

internal sealed class ImprovementConfiguration : IEntityTypeConfiguration<Improvement>
{
    public void Configure(EntityTypeBuilder<Improvement> builder)
    {
        builder.HasIndex(i => new { i.OrganisationId, i.Reference }).IsUnique();
        builder.HasIndex(i => new { i.OrganisationId, i.Status });
        builder.Property(i => i.Reference).HasMaxLength(20);
        builder.Property(i => i.Title).HasMaxLength(Improvement.TitleMaxLength);
        builder.Property(i => i.Description).HasMaxLength(Improvement.TextMaxLength);
        builder.Property(i => i.DecisionReason).HasMaxLength(Improvement.TextMaxLength);
        builder.Property(i => i.Identifier).HasMaxLength(50);
        builder.Property(i => i.Source).HasConversion<string>().HasMaxLength(20);
        builder.Property(i => i.Decision).HasConversion<string>().HasMaxLength(10);
        builder.Property(i => i.Status).HasConversion<string>().HasMaxLength(12);
        builder.HasOne<Organisations.Organisation>().WithMany().HasForeignKey(i => i.OrganisationId).OnDelete(DeleteBehavior.Cascade);
        builder.HasOne<InternalAudits.InternalAudit>().WithMany().HasForeignKey(i => i.InternalAuditId).OnDelete(DeleteBehavior.SetNull);
        builder.HasOne<Accounts.User>().WithMany().HasForeignKey(i => i.OwnerUserId).OnDelete(DeleteBehavior.SetNull);
        builder.HasOne<Accounts.User>().WithMany().HasForeignKey(i => i.RaisedByUserId).OnDelete(DeleteBehavior.SetNull);
        builder.HasOne<Accounts.User>().WithMany().HasForeignKey(i => i.DecidedByUserId).OnDelete(DeleteBehavior.SetNull);
    }
}

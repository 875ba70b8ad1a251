using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;
using Perennial.Accounts;
using Perennial.AuditTrail;

namespace Perennial.Activities;

/// <summary>What has been done with an occurrence (its shown status also depends on the date).</summary>
public enum OccurrenceState
{
    Open = 1,
    Completed = 2,
    Skipped = 3,
}

/// <summary>The status people see, derived from the state, the due date and the clock.</summary>
public enum OccurrenceStatus
{
    Upcoming = 1,
    DueSoon = 2,
    Overdue = 3,
    CompletedOnTime = 4,
    CompletedLate = 5,
    Skipped = 6,
}

/// <summary>One dated instance of an <see cref="Activity"/>: due, reminded, completed with evidence or skipped.</summary>
public sealed class Occurrence : IAudited
{
    public const int NotesMaxLength = 8000;
    public const int ReasonMaxLength = 2000;

    public Guid Id { get; set; }
    public Guid OrganisationId { get; set; }
    public Guid ActivityId { get; set; }
    public Activity? Activity { get; set; }

    /// <summary>
    /// Which instance of the schedule this is (its original local start, yyyyMMddTHHmmss, or
    /// audit:{id} for cycle audits). It never changes, so the occurrence keeps its identity and
    /// calendar UID when it is moved.
    /// </summary>
    public string RecurrenceKey { get; set; } = "";

    /// <summary>Local due date and time in the activity's time zone.</summary>
    public DateOnly DueDate { get; set; }
    public TimeOnly DueTime { get; set; }

    /// <summary>The due instant (UTC), for sweeps and ordering across time zones.</summary>
    public DateTimeOffset DueAt { get; set; }

    /// <summary>True when someone moved this occurrence by hand; schedule edits leave it alone.</summary>
    public bool Rescheduled { get; set; }

    /// <summary>Set for occurrences that stand for an external audit of the certification cycle.</summary>
    public Guid? ExternalAuditId { get; set; }

    public OccurrenceState State { get; set; } = OccurrenceState.Open;
    public DateTimeOffset? CompletedAt { get; set; }
    public Guid? CompletedByUserId { get; set; }
    public User? CompletedBy { get; set; }
    public string? Notes { get; set; }
    public string? SkipReason { get; set; }
    public Guid? SkipApprovedByUserId { get; set; }
    public User? SkipApprovedBy { get; set; }

    /// <summary>The nonconformity raised because the occurrence was missed, if any.</summary>
    public Guid? NonconformityId { get; set; }

    /// <summary>Bumped on every change people would want their calendar to pick up (iCalendar SEQUENCE).</summary>
    public int Sequence { get; set; }
    public DateTimeOffset UpdatedAt { get; set; }

    public List<OccurrenceEvidence> Evidence { get; set; } = [];

    Guid? IAudited.OrganisationId => OrganisationId;

    public DateTime Due => DueDate.ToDateTime(DueTime, DateTimeKind.Unspecified);
}

public enum OccurrenceEvidenceKind
{
    File = 1,
    Link = 2,
}

/// <summary>A file or link left by an occurrence, answering one of its activity's evidence requirements.</summary>
public sealed class OccurrenceEvidence : IAudited
{
    public const int FileNameMaxLength = 255;
    public const int UrlMaxLength = 2000;

    public Guid Id { get; set; }
    public Guid OrganisationId { get; set; }
    public Guid OccurrenceId { get; set; }

    /// <summary>The evidence item holding this file or link (null only for evidence recorded before the evidence store).</summary>
    public Guid? EvidenceItemId { get; set; }

    public OccurrenceEvidenceKind Kind { get; set; }

    /// <summary>Which of the activity's required evidence items this answers, if named.</summary>
    public string? Requirement { get; set; }

    public string? FileName { get; set; }
    public string? ContentType { get; set; }
    public long? Size { get; set; }

    /// <summary>Lower-case hex SHA-256 of the file's bytes; the stored content is addressed by it.</summary>
    public string? Sha256 { get; set; }
    public string? Url { get; set; }

    public Guid? AddedByUserId { get; set; }
    public DateTimeOffset AddedAt { get; set; }

    Guid? IAudited.OrganisationId => OrganisationId;

    /// <summary>The occurrence's entry for an evidence item: its file (name, type, size, hash) or its link.</summary>
    public static OccurrenceEvidence For(Evidence.EvidenceItem item, Guid occurrenceId, Guid? addedByUserId, DateTimeOffset addedAt, string? requirement = null)
    {
        ArgumentNullException.ThrowIfNull(item);
        return new OccurrenceEvidence
        {
            Id = Guid.NewGuid(),
            OrganisationId = item.OrganisationId,
            OccurrenceId = occurrenceId,
            EvidenceItemId = item.Id,
            Kind = item.Sha256 is null ? OccurrenceEvidenceKind.Link : OccurrenceEvidenceKind.File,
            Requirement = requirement,
            FileName = item.FileName,
            ContentType = item.ContentType,
            Size = item.Size,
            Sha256 = item.Sha256,
            Url = item.Url,
            AddedByUserId = addedByUserId,
            AddedAt = addedAt,
        };
    }
}

internal sealed class OccurrenceConfiguration : IEntityTypeConfiguration<Occurrence>
{
    public void Configure(EntityTypeBuilder<Occurrence> builder)
    {
        builder.HasIndex(o => new { o.ActivityId, o.RecurrenceKey }).IsUnique();
        builder.HasIndex(o => new { o.OrganisationId, o.DueDate });
        builder.HasIndex(o => new { o.State, o.DueAt });
        builder.Property(o => o.RecurrenceKey).HasMaxLength(60);
        builder.Property(o => o.State).HasConversion<string>().HasMaxLength(10);
        builder.Property(o => o.Notes).HasMaxLength(Occurrence.NotesMaxLength);
        builder.Property(o => o.SkipReason).HasMaxLength(Occurrence.ReasonMaxLength);
        builder.HasOne(o => o.Activity).WithMany().HasForeignKey(o => o.ActivityId).OnDelete(DeleteBehavior.Cascade);
        builder.HasOne(o => o.CompletedBy).WithMany().HasForeignKey(o => o.CompletedByUserId).OnDelete(DeleteBehavior.Restrict);
        builder.HasOne(o => o.SkipApprovedBy).WithMany().HasForeignKey(o => o.SkipApprovedByUserId).OnDelete(DeleteBehavior.Restrict);
        builder.HasOne<Certification.ExternalAudit>().WithMany().HasForeignKey(o => o.ExternalAuditId).OnDelete(DeleteBehavior.SetNull);
        builder.HasMany(o => o.Evidence).WithOne().HasForeignKey(e => e.OccurrenceId).OnDelete(DeleteBehavior.Cascade);
    }
}

internal sealed class OccurrenceEvidenceConfiguration : IEntityTypeConfiguration<OccurrenceEvidence>
{
    public void Configure(EntityTypeBuilder<OccurrenceEvidence> builder)
    {
        builder.Property(e => e.Kind).HasConversion<string>().HasMaxLength(10);
        builder.Property(e => e.Requirement).HasMaxLength(Activity.EvidenceLabelMaxLength);
        builder.Property(e => e.FileName).HasMaxLength(OccurrenceEvidence.FileNameMaxLength);
        builder.Property(e => e.ContentType).HasMaxLength(200);
        builder.Property(e => e.Sha256).HasMaxLength(64);
        builder.Property(e => e.Url).HasMaxLength(OccurrenceEvidence.UrlMaxLength);
        builder.HasIndex(e => e.Sha256);
        builder.HasOne<Evidence.EvidenceItem>().WithMany().HasForeignKey(e => e.EvidenceItemId).OnDelete(DeleteBehavior.Restrict);
    }
}

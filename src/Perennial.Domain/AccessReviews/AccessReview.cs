using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;
using Perennial.Accounts;
using Perennial.Activities;
using Perennial.AuditTrail;

namespace Perennial.AccessReviews;

public enum AccessReviewState
{
    Open = 1,
    SignedOff = 2,
}

public enum AccessDecision
{
    Pending = 0,
    Keep = 1,
    Revoke = 2,
    Change = 3,
}

public enum AccessActionKind
{
    Revoke = 1,
    Change = 2,
}

public enum AccessActionState
{
    Open = 1,
    Confirmed = 2,
}

/// <summary>
/// One system's accounts reviewed for one access-review occurrence: taken from a snapshot, decided
/// account by account, signed off, and stored as the occurrence's evidence.
/// </summary>
public sealed class AccessReview : IAudited
{
    public const int SystemMaxLength = 200;
    public const int NoteMaxLength = 2000;

    public Guid Id { get; set; }
    public Guid OrganisationId { get; set; }
    public Guid OccurrenceId { get; set; }
    public Occurrence? Occurrence { get; set; }

    /// <summary>The reviewed system as its snapshots name it (e.g. "ldap://dir.example.com", "postgres:billing").</summary>
    public string System { get; set; } = "";

    /// <summary>The evidence item (kind snapshot) the accounts were taken from.</summary>
    public Guid SnapshotEvidenceItemId { get; set; }

    /// <summary>The moment the snapshot shows; later snapshots of the same system confirm follow-up actions.</summary>
    public DateTimeOffset SnapshotTakenAt { get; set; }

    /// <summary>Who reviews the accounts (the activity owner unless someone else was named).</summary>
    public Guid ReviewerUserId { get; set; }
    public User? Reviewer { get; set; }

    public AccessReviewState State { get; set; } = AccessReviewState.Open;
    public Guid CreatedByUserId { get; set; }
    public DateTimeOffset CreatedAt { get; set; }

    public Guid? SignedOffByUserId { get; set; }
    public User? SignedOffBy { get; set; }
    public DateTimeOffset? SignedOffAt { get; set; }
    public string? SignOffNote { get; set; }

    /// <summary>The signed-off review record stored as evidence of the occurrence.</summary>
    public Guid? RecordEvidenceItemId { get; set; }

    public List<AccessReviewEntry> Entries { get; set; } = [];

    Guid? IAudited.OrganisationId => OrganisationId;
}

/// <summary>
/// One account as the snapshot showed it, and the reviewer's decision. Not in the audit trail one by one:
/// the signed-off record names every decision, who made it and when.
/// </summary>
public sealed class AccessReviewEntry
{
    public const int AccountIdMaxLength = 500;
    public const int NameMaxLength = 300;
    public const int EmailMaxLength = 320;

    public Guid Id { get; set; }
    public Guid AccessReviewId { get; set; }

    /// <summary>Order in the snapshot, so the review reads like the source.</summary>
    public int Position { get; set; }

    public string AccountId { get; set; } = "";
    public string? Name { get; set; }
    public string? Email { get; set; }
    public bool Disabled { get; set; }
    public List<string> Access { get; set; } = [];

    public AccessDecision Decision { get; set; } = AccessDecision.Pending;

    /// <summary>What is to change (required for a change decision; optional reason otherwise).</summary>
    public string? Note { get; set; }

    /// <summary>For a change: the access to take away; a later snapshot without it confirms the change.</summary>
    public List<string> AccessToRemove { get; set; } = [];

    public Guid? DecidedByUserId { get; set; }
    public User? DecidedBy { get; set; }
    public DateTimeOffset? DecidedAt { get; set; }
}

/// <summary>A revoke or change decided in a signed-off review, open until a later snapshot shows it done.</summary>
public sealed class AccessReviewAction : IAudited
{
    public Guid Id { get; set; }
    public Guid OrganisationId { get; set; }
    public Guid AccessReviewId { get; set; }
    public AccessReview? Review { get; set; }
    public Guid EntryId { get; set; }
    public AccessReviewEntry? Entry { get; set; }
    public AccessActionKind Kind { get; set; }
    public AccessActionState State { get; set; } = AccessActionState.Open;
    public Guid? AssigneeUserId { get; set; }
    public User? Assignee { get; set; }
    public DateOnly DueDate { get; set; }
    public DateTimeOffset CreatedAt { get; set; }
    public DateTimeOffset? ConfirmedAt { get; set; }

    /// <summary>The later snapshot that showed the revoke or change done.</summary>
    public Guid? ConfirmingSnapshotEvidenceItemId { get; set; }

    Guid? IAudited.OrganisationId => OrganisationId;
}

internal sealed class AccessReviewConfiguration : IEntityTypeConfiguration<AccessReview>
{
    public void Configure(EntityTypeBuilder<AccessReview> builder)
    {
        builder.Property(r => r.System).HasMaxLength(AccessReview.SystemMaxLength);
        builder.Property(r => r.SignOffNote).HasMaxLength(AccessReview.NoteMaxLength);
        builder.Property(r => r.State).HasConversion<string>().HasMaxLength(12);
        builder.HasIndex(r => new { r.OrganisationId, r.State });
        builder.HasIndex(r => r.OccurrenceId);
        builder.HasOne<Organisations.Organisation>().WithMany().HasForeignKey(r => r.OrganisationId).OnDelete(DeleteBehavior.Cascade);
        builder.HasOne(r => r.Occurrence).WithMany().HasForeignKey(r => r.OccurrenceId).OnDelete(DeleteBehavior.Cascade);
        // Evidence is checked at the end of the statement, so deleting an organisation removes both together.
        builder.HasOne<Evidence.EvidenceItem>().WithMany().HasForeignKey(r => r.SnapshotEvidenceItemId).OnDelete(DeleteBehavior.NoAction);
        builder.HasOne<Evidence.EvidenceItem>().WithMany().HasForeignKey(r => r.RecordEvidenceItemId).OnDelete(DeleteBehavior.NoAction);
        builder.HasOne(r => r.Reviewer).WithMany().HasForeignKey(r => r.ReviewerUserId).OnDelete(DeleteBehavior.Restrict);
        builder.HasOne<User>().WithMany().HasForeignKey(r => r.CreatedByUserId).OnDelete(DeleteBehavior.Restrict);
        builder.HasOne(r => r.SignedOffBy).WithMany().HasForeignKey(r => r.SignedOffByUserId).OnDelete(DeleteBehavior.Restrict);
        builder.HasMany(r => r.Entries).WithOne().HasForeignKey(e => e.AccessReviewId).OnDelete(DeleteBehavior.Cascade);
    }
}

internal sealed class AccessReviewEntryConfiguration : IEntityTypeConfiguration<AccessReviewEntry>
{
    public void Configure(EntityTypeBuilder<AccessReviewEntry> builder)
    {
        builder.Property(e => e.AccountId).HasMaxLength(AccessReviewEntry.AccountIdMaxLength);
        builder.Property(e => e.Name).HasMaxLength(AccessReviewEntry.NameMaxLength);
        builder.Property(e => e.Email).HasMaxLength(AccessReviewEntry.EmailMaxLength);
        builder.Property(e => e.Note).HasMaxLength(AccessReview.NoteMaxLength);
        builder.Property(e => e.Decision).HasConversion<string>().HasMaxLength(10);
        builder.HasIndex(e => new { e.AccessReviewId, e.Position });
        builder.HasOne(e => e.DecidedBy).WithMany().HasForeignKey(e => e.DecidedByUserId).OnDelete(DeleteBehavior.Restrict);
    }
}

internal sealed class AccessReviewActionConfiguration : IEntityTypeConfiguration<AccessReviewAction>
{
    public void Configure(EntityTypeBuilder<AccessReviewAction> builder)
    {
        builder.Property(a => a.Kind).HasConversion<string>().HasMaxLength(10);
        builder.Property(a => a.State).HasConversion<string>().HasMaxLength(10);
        builder.HasIndex(a => new { a.OrganisationId, a.State });
        builder.HasIndex(a => a.EntryId).IsUnique();
        builder.HasOne<Organisations.Organisation>().WithMany().HasForeignKey(a => a.OrganisationId).OnDelete(DeleteBehavior.Cascade);
        builder.HasOne(a => a.Review).WithMany().HasForeignKey(a => a.AccessReviewId).OnDelete(DeleteBehavior.Cascade);
        builder.HasOne(a => a.Entry).WithMany().HasForeignKey(a => a.EntryId).OnDelete(DeleteBehavior.Cascade);
        builder.HasOne(a => a.Assignee).WithMany().HasForeignKey(a => a.AssigneeUserId).OnDelete(DeleteBehavior.Restrict);
        builder.HasOne<Evidence.EvidenceItem>().WithMany().HasForeignKey(a => a.ConfirmingSnapshotEvidenceItemId).OnDelete(DeleteBehavior.NoAction);
    }
}

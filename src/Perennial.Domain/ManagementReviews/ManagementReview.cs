using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;
using Perennial.AuditTrail;

namespace Perennial.ManagementReviews;

public enum ReviewStatus
{
    Scheduled = 1,

    /// <summary>The meeting took place: the pack is frozen as hashed evidence.</summary>
    Held = 2,
    Cancelled = 3,
}

/// <summary>
/// A management review (ISO/IEC 27001 9.3): a dated meeting of top management with a chair and
/// attendees, a pack that covers the period since the previous review, minutes per input, and
/// decisions that become tracked actions.
/// </summary>
public sealed class ManagementReview : IAudited
{
    public const int TitleMaxLength = 300;
    public const int TextMaxLength = 4000;

    public Guid Id { get; set; }
    public Guid OrganisationId { get; set; }

    /// <summary>MR-001, MR-002, … per organisation.</summary>
    public string Reference { get; set; } = "";
    public string Title { get; set; } = "";
    public DateOnly ScheduledOn { get; set; }
    public string? Location { get; set; }
    public Guid ChairUserId { get; set; }

    /// <summary>The external audit the review prepares for, when it was scheduled for one.</summary>
    public Guid? ExternalAuditId { get; set; }

    /// <summary>Where the period of the first review starts; later reviews start where the previous one was held.</summary>
    public DateOnly? FirstPeriodFrom { get; set; }
    public ReviewStatus Status { get; set; } = ReviewStatus.Scheduled;
    public DateTimeOffset? HeldAt { get; set; }
    public Guid? HeldByUserId { get; set; }

    /// <summary>The pack as it stood when the review was held (JSON); the same bytes are the evidence item.</summary>
    public string? PackJson { get; set; }
    public string? PackSha256 { get; set; }
    public Guid? PackEvidenceItemId { get; set; }
    public DateTimeOffset? CancelledAt { get; set; }
    public string? CancellationReason { get; set; }
    public DateTimeOffset CreatedAt { get; set; }
    public DateTimeOffset UpdatedAt { get; set; }

    public List<ReviewAttendee> Attendees { get; set; } = [];

    Guid? IAudited.OrganisationId => OrganisationId;
}

public sealed class ReviewAttendee
{
    public Guid ReviewId { get; set; }
    public Guid UserId { get; set; }
}

/// <summary>What was said about one input of the pack (a … g, incidents, changes) or the meeting as a whole ("general").</summary>
public sealed class ReviewMinute : IAudited
{
    public const int TextMaxLength = 8000;

    public Guid Id { get; set; }
    public Guid OrganisationId { get; set; }
    public Guid ReviewId { get; set; }
    public string Input { get; set; } = "";
    public string Text { get; set; } = "";
    public Guid? UpdatedByUserId { get; set; }
    public DateTimeOffset UpdatedAt { get; set; }

    Guid? IAudited.OrganisationId => OrganisationId;
}

/// <summary>The kinds of outputs 9.3.3 asks a review to decide on.</summary>
public enum DecisionKind
{
    Improvement = 1,
    IsmsChange = 2,
    Resources = 3,
}

public enum DecisionStatus
{
    Open = 1,
    Done = 2,
    Cancelled = 3,
}

/// <summary>A decision of a management review, followed as an action with an owner and a due date until it is done.</summary>
public sealed class ReviewDecision : IAudited
{
    public const int TitleMaxLength = 500;
    public const int TextMaxLength = 4000;

    public Guid Id { get; set; }
    public Guid OrganisationId { get; set; }
    public Guid ReviewId { get; set; }

    /// <summary>MR-001-D1, MR-001-D2, … within the review.</summary>
    public string Reference { get; set; } = "";
    public DecisionKind Kind { get; set; }

    /// <summary>The input of the pack it answers, if any.</summary>
    public string? Input { get; set; }
    public string Title { get; set; } = "";
    public string? Description { get; set; }
    public Guid OwnerUserId { get; set; }
    public DateOnly DueOn { get; set; }
    public DecisionStatus Status { get; set; } = DecisionStatus.Open;
    public DateTimeOffset? ClosedAt { get; set; }
    public DateOnly? DoneOn { get; set; }
    public string? ClosingNote { get; set; }
    public Guid? ClosedByUserId { get; set; }
    public DateTimeOffset CreatedAt { get; set; }

    Guid? IAudited.OrganisationId => OrganisationId;
}

internal sealed class ManagementReviewConfiguration : IEntityTypeConfiguration<ManagementReview>
{
    public void Configure(EntityTypeBuilder<ManagementReview> builder)
    {
        builder.HasIndex(r => new { r.OrganisationId, r.Reference }).IsUnique();
        builder.HasIndex(r => new { r.OrganisationId, r.Status, r.ScheduledOn });
        builder.Property(r => r.Reference).HasMaxLength(20);
        builder.Property(r => r.Title).HasMaxLength(ManagementReview.TitleMaxLength);
        builder.Property(r => r.Location).HasMaxLength(300);
        builder.Property(r => r.CancellationReason).HasMaxLength(ManagementReview.TextMaxLength);
        builder.Property(r => r.PackSha256).HasMaxLength(64);
        builder.Property(r => r.Status).HasConversion<string>().HasMaxLength(10);
        builder.HasMany(r => r.Attendees).WithOne().HasForeignKey(a => a.ReviewId).OnDelete(DeleteBehavior.Cascade);
        builder.HasOne<Organisations.Organisation>().WithMany().HasForeignKey(r => r.OrganisationId).OnDelete(DeleteBehavior.Cascade);
        builder.HasOne<Accounts.User>().WithMany().HasForeignKey(r => r.ChairUserId).OnDelete(DeleteBehavior.Restrict);
    }
}

internal sealed class ReviewAttendeeConfiguration : IEntityTypeConfiguration<ReviewAttendee>
{
    public void Configure(EntityTypeBuilder<ReviewAttendee> builder)
    {
        builder.HasKey(a => new { a.ReviewId, a.UserId });
        builder.HasOne<Accounts.User>().WithMany().HasForeignKey(a => a.UserId).OnDelete(DeleteBehavior.Cascade);
    }
}

internal sealed class ReviewMinuteConfiguration : IEntityTypeConfiguration<ReviewMinute>
{
    public void Configure(EntityTypeBuilder<ReviewMinute> builder)
    {
        builder.HasIndex(m => new { m.ReviewId, m.Input }).IsUnique();
        builder.Property(m => m.Input).HasMaxLength(20);
        builder.Property(m => m.Text).HasMaxLength(ReviewMinute.TextMaxLength);
        builder.HasOne<ManagementReview>().WithMany().HasForeignKey(m => m.ReviewId).OnDelete(DeleteBehavior.Cascade);
    }
}

internal sealed class ReviewDecisionConfiguration : IEntityTypeConfiguration<ReviewDecision>
{
    public void Configure(EntityTypeBuilder<ReviewDecision> builder)
    {
        builder.HasIndex(d => new { d.OrganisationId, d.Reference }).IsUnique();
        builder.HasIndex(d => new { d.OrganisationId, d.Status, d.DueOn });
        builder.Property(d => d.Reference).HasMaxLength(30);
        builder.Property(d => d.Input).HasMaxLength(20);
        builder.Property(d => d.Title).HasMaxLength(ReviewDecision.TitleMaxLength);
        builder.Property(d => d.Description).HasMaxLength(ReviewDecision.TextMaxLength);
        builder.Property(d => d.ClosingNote).HasMaxLength(ReviewDecision.TextMaxLength);
        builder.Property(d => d.Kind).HasConversion<string>().HasMaxLength(12);
        builder.Property(d => d.Status).HasConversion<string>().HasMaxLength(10);
        builder.HasOne<ManagementReview>().WithMany().HasForeignKey(d => d.ReviewId).OnDelete(DeleteBehavior.Cascade);
        builder.HasOne<Accounts.User>().WithMany().HasForeignKey(d => d.OwnerUserId).OnDelete(DeleteBehavior.Restrict);
    }
}

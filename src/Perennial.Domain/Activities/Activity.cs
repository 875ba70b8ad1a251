using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;
using Perennial.Accounts;
using Perennial.AuditTrail;

namespace Perennial.Activities;

public enum ActivityState
{
    Active = 1,
    Paused = 2,
    Retired = 3,
}

/// <summary>Where an activity's dates come from.</summary>
public enum ScheduleSource
{
    /// <summary>An RFC 5545 recurrence rule from a start date-time in a time zone.</summary>
    Rule = 1,

    /// <summary>The external audits planned in the organisation's certification cycles.</summary>
    CertificationCycle = 2,
}

/// <summary>
/// A recurring ISMS obligation: what to do, who does it, how often, and what each occurrence must
/// leave as evidence. Its dated instances are <see cref="Occurrence"/>s.
/// </summary>
public sealed class Activity : IAudited
{
    public const int TitleMaxLength = 200;
    public const int DescriptionMaxLength = 8000;
    public const int RruleMaxLength = 500;
    public const int EvidenceLabelMaxLength = 200;
    public const int MaxEvidenceItems = 10;
    public const int MaxLeadTimes = 5;

    /// <summary>The longest freshness requirement: ten years.</summary>
    public const int MaxEvidenceFreshnessDays = 3660;

    public Guid Id { get; set; }
    public Guid OrganisationId { get; set; }

    /// <summary>A short reference for people and exports, e.g. ACT-007.</summary>
    public string Reference { get; set; } = "";
    public string Title { get; set; } = "";

    /// <summary>The procedure: how to carry the activity out.</summary>
    public string? Description { get; set; }

    /// <summary>The template it was created from, if any (see <see cref="ActivityTemplates"/>).</summary>
    public string? TemplateKey { get; set; }

    public Guid OwnerUserId { get; set; }
    public User? Owner { get; set; }
    public Guid? DeputyUserId { get; set; }
    public User? Deputy { get; set; }

    /// <summary>Who is told when an occurrence is overdue; null means the organisation's default (see <see cref="ActivityService"/>).</summary>
    public Guid? EscalationUserId { get; set; }
    public User? Escalation { get; set; }

    public ScheduleSource ScheduleSource { get; set; } = ScheduleSource.Rule;

    /// <summary>The RRULE value without the "RRULE:" prefix; null for cycle-driven activities.</summary>
    public string? Rrule { get; set; }

    /// <summary>DTSTART's local date and time, in <see cref="TimeZone"/>.</summary>
    public DateOnly StartDate { get; set; }
    public TimeOnly StartTime { get; set; }

    /// <summary>IANA time zone id, e.g. Europe/London.</summary>
    public string TimeZone { get; set; } = "UTC";

    /// <summary>Local date-times excluded from the rule (EXDATE), as yyyy-MM-ddTHH:mm:ss.</summary>
    public List<string> ExceptionDates { get; set; } = [];

    /// <summary>Days after the due date before a still-open occurrence raises a nonconformity.</summary>
    public int GraceDays { get; set; } = ActivityDefaults.GraceDays;

    /// <summary>Days before due on which reminders go out, largest first.</summary>
    public List<int> ReminderLeadDays { get; set; } = [.. ActivityDefaults.ReminderLeadDays];

    /// <summary>The evidence each occurrence must leave, one label per item.</summary>
    public List<string> EvidenceRequired { get; set; } = [];

    /// <summary>How recent the activity's evidence must be, in days after the period it covers; null: no requirement.</summary>
    public int? EvidenceFreshnessDays { get; set; }

    public ActivityState State { get; set; } = ActivityState.Active;

    /// <summary>When the schedule last changed; occurrences due before it keep their dates.</summary>
    public DateTimeOffset ScheduleChangedAt { get; set; }
    public DateTimeOffset CreatedAt { get; set; }

    public List<ActivityControl> Controls { get; set; } = [];
    public List<ActivityFramework> Frameworks { get; set; } = [];

    Guid? IAudited.OrganisationId => OrganisationId;

    /// <summary>DTSTART as a local (unspecified-kind) date-time.</summary>
    public DateTime DtStart => StartDate.ToDateTime(StartTime, DateTimeKind.Unspecified);

    public ActivitySchedule Schedule => new(Rrule ?? "", DtStart, TimeZone, ExceptionDates);
}

public static class ActivityDefaults
{
    public const int GraceDays = 14;
    public static readonly IReadOnlyList<int> ReminderLeadDays = [14, 3];
    public static readonly TimeOnly DueTime = new(9, 0);
}

public sealed class ActivityControl
{
    public Guid ActivityId { get; set; }
    public Guid ControlId { get; set; }
}

public sealed class ActivityFramework
{
    public Guid ActivityId { get; set; }
    public Guid FrameworkId { get; set; }
}

internal sealed class ActivityConfiguration : IEntityTypeConfiguration<Activity>
{
    public void Configure(EntityTypeBuilder<Activity> builder)
    {
        builder.HasIndex(a => new { a.OrganisationId, a.Reference }).IsUnique();
        builder.HasIndex(a => new { a.OrganisationId, a.OwnerUserId });
        builder.Property(a => a.Reference).HasMaxLength(20);
        builder.Property(a => a.Title).HasMaxLength(Activity.TitleMaxLength);
        builder.Property(a => a.Description).HasMaxLength(Activity.DescriptionMaxLength);
        builder.Property(a => a.TemplateKey).HasMaxLength(60);
        builder.Property(a => a.Rrule).HasMaxLength(Activity.RruleMaxLength);
        builder.Property(a => a.TimeZone).HasMaxLength(64);
        builder.Property(a => a.State).HasConversion<string>().HasMaxLength(10);
        builder.Property(a => a.ScheduleSource).HasConversion<string>().HasMaxLength(20);
        builder.HasOne<Organisations.Organisation>().WithMany().HasForeignKey(a => a.OrganisationId).OnDelete(DeleteBehavior.Cascade);
        builder.HasOne(a => a.Owner).WithMany().HasForeignKey(a => a.OwnerUserId).OnDelete(DeleteBehavior.Restrict);
        builder.HasOne(a => a.Deputy).WithMany().HasForeignKey(a => a.DeputyUserId).OnDelete(DeleteBehavior.Restrict);
        builder.HasOne(a => a.Escalation).WithMany().HasForeignKey(a => a.EscalationUserId).OnDelete(DeleteBehavior.Restrict);
        builder.HasMany(a => a.Controls).WithOne().HasForeignKey(c => c.ActivityId).OnDelete(DeleteBehavior.Cascade);
        builder.HasMany(a => a.Frameworks).WithOne().HasForeignKey(f => f.ActivityId).OnDelete(DeleteBehavior.Cascade);
    }
}

internal sealed class ActivityControlConfiguration : IEntityTypeConfiguration<ActivityControl>
{
    public void Configure(EntityTypeBuilder<ActivityControl> builder)
    {
        builder.HasKey(c => new { c.ActivityId, c.ControlId });
        builder.HasOne<Frameworks.Control>().WithMany().HasForeignKey(c => c.ControlId).OnDelete(DeleteBehavior.Cascade);
    }
}

internal sealed class ActivityFrameworkConfiguration : IEntityTypeConfiguration<ActivityFramework>
{
    public void Configure(EntityTypeBuilder<ActivityFramework> builder)
    {
        builder.HasKey(f => new { f.ActivityId, f.FrameworkId });
        builder.HasOne<Frameworks.Framework>().WithMany().HasForeignKey(f => f.FrameworkId).OnDelete(DeleteBehavior.Cascade);
    }
}

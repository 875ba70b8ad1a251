using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;
using Perennial.Accounts;
using Perennial.AuditTrail;

namespace Perennial.Evidence.Collectors;

public enum CollectorRunOutcome
{
    /// <summary>Started and not finished yet (or the instance running it stopped part-way).</summary>
    Running = 1,
    Succeeded = 2,
    Failed = 3,
    TimedOut = 4,
}

public enum CollectorRunTrigger
{
    /// <summary>The collector's schedule came due.</summary>
    Schedule = 1,

    /// <summary>Someone pressed "Run now" (page or API).</summary>
    Manual = 2,
}

/// <summary>
/// One configured collector in an organisation: which kind pulls from where (non-secret settings as
/// JSON, credentials encrypted with Data Protection), on what schedule (an RRULE or a cron
/// expression, in a time zone), where its evidence goes (an activity's current occurrence and/or a
/// control), and who hears when it fails.
/// </summary>
public sealed class Collector : IAudited
{
    public const int NameMaxLength = 200;
    public const int SettingsMaxLength = 16_000;
    public const int CronMaxLength = 120;
    public const int ErrorMaxLength = 4000;
    public const int DefaultTimeoutSeconds = 300;
    public const int MaxTimeoutSeconds = 3600;

    public Guid Id { get; set; }
    public Guid OrganisationId { get; set; }
    public string Name { get; set; } = "";

    /// <summary>The <see cref="IEvidenceCollector.Kind"/> that runs it, e.g. "command".</summary>
    public string Kind { get; set; } = "";

    /// <summary>The kind's settings as a JSON object; never holds the secret.</summary>
    public string Settings { get; set; } = "{}";

    /// <summary>The secret (password, token) encrypted with Data Protection; null when there is none.</summary>
    [NotAudited]
    public string? SecretProtected { get; set; }

    /// <summary>An RFC 5545 recurrence rule (without "RRULE:"); exactly one of this and <see cref="Cron"/> is set.</summary>
    public string? Rrule { get; set; }

    /// <summary>A cron expression (5 fields, or Quartz's 6–7 with seconds).</summary>
    public string? Cron { get; set; }

    /// <summary>DTSTART of the RRULE: local date and time in <see cref="TimeZone"/>.</summary>
    public DateOnly StartDate { get; set; }
    public TimeOnly StartTime { get; set; }

    /// <summary>IANA time zone the schedule is read in.</summary>
    public string TimeZone { get; set; } = "UTC";

    public Guid? ActivityId { get; set; }
    public Guid? ControlId { get; set; }

    /// <summary>Who is told by e-mail when a run fails.</summary>
    public Guid OwnerUserId { get; set; }
    public User? Owner { get; set; }

    public bool Enabled { get; set; } = true;
    public int TimeoutSeconds { get; set; } = DefaultTimeoutSeconds;

    /// <summary>When the scheduler runs it next; null when disabled or the schedule has ended.</summary>
    [NotAudited]
    public DateTimeOffset? NextRunAt { get; set; }

    [NotAudited]
    public Guid? LastRunId { get; set; }

    [NotAudited]
    public DateTimeOffset? LastRunAt { get; set; }

    [NotAudited]
    public CollectorRunOutcome? LastOutcome { get; set; }

    /// <summary>The last run's summary: items produced, or the error.</summary>
    [NotAudited]
    public string? LastSummary { get; set; }

    public DateTimeOffset CreatedAt { get; set; }

    Guid? IAudited.OrganisationId => OrganisationId;

    public TimeSpan Timeout => TimeSpan.FromSeconds(TimeoutSeconds);

    public CollectorSchedule Schedule => new(Rrule, Cron, StartDate.ToDateTime(StartTime, DateTimeKind.Unspecified), TimeZone);
}

/// <summary>One run of a collector: when, how it ended, what it produced (evidence items point back with CollectorRunId).</summary>
public sealed class CollectorRun
{
    public Guid Id { get; set; }
    public Guid OrganisationId { get; set; }
    public Guid CollectorId { get; set; }
    public CollectorRunTrigger Trigger { get; set; }

    /// <summary>Who pressed "Run now"; null for scheduled runs.</summary>
    public Guid? TriggeredByUserId { get; set; }

    public DateTimeOffset StartedAt { get; set; }
    public DateTimeOffset? EndedAt { get; set; }
    public CollectorRunOutcome Outcome { get; set; } = CollectorRunOutcome.Running;
    public int ItemsProduced { get; set; }

    /// <summary>Why the run failed (bounded to <see cref="Collector.ErrorMaxLength"/>); null on success.</summary>
    public string? Error { get; set; }
}

public static class CollectorNames
{
    public static string ToName(this CollectorRunOutcome outcome) => outcome switch
    {
        CollectorRunOutcome.Running => "running",
        CollectorRunOutcome.Succeeded => "succeeded",
        CollectorRunOutcome.Failed => "failed",
        CollectorRunOutcome.TimedOut => "timed-out",
        _ => throw new ArgumentOutOfRangeException(nameof(outcome)),
    };

    public static string ToLabel(this CollectorRunOutcome outcome) => outcome switch
    {
        CollectorRunOutcome.Running => "Running",
        CollectorRunOutcome.Succeeded => "Succeeded",
        CollectorRunOutcome.Failed => "Failed",
        CollectorRunOutcome.TimedOut => "Timed out",
        _ => throw new ArgumentOutOfRangeException(nameof(outcome)),
    };

    public static string ToName(this CollectorRunTrigger trigger) => trigger == CollectorRunTrigger.Manual ? "manual" : "schedule";
}

internal sealed class CollectorConfiguration : IEntityTypeConfiguration<Collector>
{
    public void Configure(EntityTypeBuilder<Collector> builder)
    {
        builder.HasIndex(c => new { c.OrganisationId, c.Name }).IsUnique();
        builder.HasIndex(c => new { c.Enabled, c.NextRunAt });
        builder.Property(c => c.Name).HasMaxLength(Collector.NameMaxLength);
        builder.Property(c => c.Kind).HasMaxLength(40);
        builder.Property(c => c.Settings).HasMaxLength(Collector.SettingsMaxLength);
        builder.Property(c => c.SecretProtected).HasMaxLength(8000);
        builder.Property(c => c.Rrule).HasMaxLength(Activities.Activity.RruleMaxLength);
        builder.Property(c => c.Cron).HasMaxLength(Collector.CronMaxLength);
        builder.Property(c => c.TimeZone).HasMaxLength(64);
        builder.Property(c => c.LastOutcome).HasConversion<string>().HasMaxLength(12);
        builder.Property(c => c.LastSummary).HasMaxLength(Collector.ErrorMaxLength);
        builder.HasOne<Organisations.Organisation>().WithMany().HasForeignKey(c => c.OrganisationId).OnDelete(DeleteBehavior.Cascade);
        builder.HasOne(c => c.Owner).WithMany().HasForeignKey(c => c.OwnerUserId).OnDelete(DeleteBehavior.Restrict);
        builder.HasOne<Activities.Activity>().WithMany().HasForeignKey(c => c.ActivityId).OnDelete(DeleteBehavior.SetNull);
        builder.HasOne<Frameworks.Control>().WithMany().HasForeignKey(c => c.ControlId).OnDelete(DeleteBehavior.SetNull);
    }
}

internal sealed class CollectorRunConfiguration : IEntityTypeConfiguration<CollectorRun>
{
    public void Configure(EntityTypeBuilder<CollectorRun> builder)
    {
        builder.HasIndex(r => new { r.CollectorId, r.StartedAt });
        builder.Property(r => r.Trigger).HasConversion<string>().HasMaxLength(10);
        builder.Property(r => r.Outcome).HasConversion<string>().HasMaxLength(12);
        builder.Property(r => r.Error).HasMaxLength(Collector.ErrorMaxLength);
        builder.HasOne<Collector>().WithMany().HasForeignKey(r => r.CollectorId).OnDelete(DeleteBehavior.Cascade);
        builder.HasOne<Organisations.Organisation>().WithMany().HasForeignKey(r => r.OrganisationId).OnDelete(DeleteBehavior.Cascade);
        builder.HasOne<User>().WithMany().HasForeignKey(r => r.TriggeredByUserId).OnDelete(DeleteBehavior.SetNull);
    }
}

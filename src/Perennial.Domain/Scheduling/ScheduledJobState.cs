using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace Perennial.Scheduling;

public enum JobOutcome
{
    Succeeded = 1,
    Failed = 2,
}

/// <summary>
/// One background job's schedule and lease, shared by every app instance: an instance runs a due
/// job only after taking its lease, so a job runs once however many instances there are.
/// </summary>
public sealed class ScheduledJobState
{
    public const int MessageMaxLength = 2000;

    public string Name { get; set; } = "";
    public DateTimeOffset NextRunAt { get; set; }
    public string? LeaseOwner { get; set; }
    public DateTimeOffset? LeaseUntil { get; set; }
    public DateTimeOffset? LastStartedAt { get; set; }
    public DateTimeOffset? LastFinishedAt { get; set; }
    public JobOutcome? LastOutcome { get; set; }
    public string? LastMessage { get; set; }
    public int RunCount { get; set; }
}

internal sealed class ScheduledJobStateConfiguration : IEntityTypeConfiguration<ScheduledJobState>
{
    public void Configure(EntityTypeBuilder<ScheduledJobState> builder)
    {
        builder.HasKey(s => s.Name);
        builder.Property(s => s.Name).HasMaxLength(100);
        builder.Property(s => s.LeaseOwner).HasMaxLength(100);
        builder.Property(s => s.LastOutcome).HasConversion<string>().HasMaxLength(10);
        builder.Property(s => s.LastMessage).HasMaxLength(ScheduledJobState.MessageMaxLength);
    }
}

using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace Perennial.Reminders;

public enum OutboxChannel
{
    Email = 1,
    Teams = 2,
    Slack = 3,
}

/// <summary>
/// A notification waiting to be delivered, or delivered. <see cref="DedupKey"/> is unique, so each
/// (occurrence, reminder kind, channel, recipient) is queued once however many sweeps run at once;
/// a sender claims a row before sending, so it is sent once however many instances deliver.
/// </summary>
public sealed class OutboxMessage
{
    public const int SubjectMaxLength = 500;

    public Guid Id { get; set; }
    public Guid OrganisationId { get; set; }
    public Guid? OccurrenceId { get; set; }
    public Guid? UserId { get; set; }

    /// <summary>lead-14, lead-3, due, overdue-0, overdue-1, ..., digest.</summary>
    public string Kind { get; set; } = "";
    public string DedupKey { get; set; } = "";
    public OutboxChannel Channel { get; set; }

    /// <summary>An e-mail address for e-mail; empty for chat (the organisation's webhook is used).</summary>
    public string Recipient { get; set; } = "";
    public string Subject { get; set; } = "";
    public string TextBody { get; set; } = "";
    public string? HtmlBody { get; set; }

    public DateTimeOffset CreatedAt { get; set; }
    public int Attempts { get; set; }
    public DateTimeOffset NextAttemptAt { get; set; }
    public string? ClaimedBy { get; set; }
    public DateTimeOffset? ClaimedUntil { get; set; }
    public DateTimeOffset? SentAt { get; set; }
    public string? LastError { get; set; }
}

internal sealed class OutboxMessageConfiguration : IEntityTypeConfiguration<OutboxMessage>
{
    public void Configure(EntityTypeBuilder<OutboxMessage> builder)
    {
        builder.HasIndex(m => m.DedupKey).IsUnique();
        builder.HasIndex(m => new { m.SentAt, m.NextAttemptAt });
        builder.HasIndex(m => new { m.OrganisationId, m.CreatedAt });
        builder.Property(m => m.Kind).HasMaxLength(40);
        builder.Property(m => m.DedupKey).HasMaxLength(400);
        builder.Property(m => m.Channel).HasConversion<string>().HasMaxLength(10);
        builder.Property(m => m.Recipient).HasMaxLength(320);
        builder.Property(m => m.Subject).HasMaxLength(OutboxMessage.SubjectMaxLength);
        builder.Property(m => m.ClaimedBy).HasMaxLength(100);
        builder.Property(m => m.LastError).HasMaxLength(2000);
        builder.HasOne<Organisations.Organisation>().WithMany().HasForeignKey(m => m.OrganisationId).OnDelete(DeleteBehavior.Cascade);
    }
}

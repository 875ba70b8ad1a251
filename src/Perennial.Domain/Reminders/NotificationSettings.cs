using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;
using Perennial.AuditTrail;

namespace Perennial.Reminders;

/// <summary>
/// An organisation's chat channels for reminders. Webhook URLs are secrets (anyone holding one can
/// post): they are stored encrypted with Data Protection and never shown back in full.
/// </summary>
public sealed class NotificationSettings : IAudited
{
    public Guid Id { get; set; }
    public Guid OrganisationId { get; set; }

    [NotAudited]
    public string? TeamsWebhookProtected { get; set; }

    [NotAudited]
    public string? SlackWebhookProtected { get; set; }

    /// <summary>The host part of each URL, shown so people know which channel is configured.</summary>
    public string? TeamsWebhookHint { get; set; }
    public string? SlackWebhookHint { get; set; }

    /// <summary>Who is escalated to when an activity names nobody and the owner has no manager; null: every ISMS manager.</summary>
    public Guid? DefaultEscalationUserId { get; set; }

    public DateTimeOffset UpdatedAt { get; set; }

    Guid? IAudited.OrganisationId => OrganisationId;
}

internal sealed class NotificationSettingsConfiguration : IEntityTypeConfiguration<NotificationSettings>
{
    public void Configure(EntityTypeBuilder<NotificationSettings> builder)
    {
        builder.HasIndex(s => s.OrganisationId).IsUnique();
        builder.Property(s => s.TeamsWebhookProtected).HasMaxLength(4000);
        builder.Property(s => s.SlackWebhookProtected).HasMaxLength(4000);
        builder.Property(s => s.TeamsWebhookHint).HasMaxLength(200);
        builder.Property(s => s.SlackWebhookHint).HasMaxLength(200);
        builder.HasOne<Organisations.Organisation>().WithMany().HasForeignKey(s => s.OrganisationId).OnDelete(DeleteBehavior.Cascade);
        builder.HasOne<Accounts.User>().WithMany().HasForeignKey(s => s.DefaultEscalationUserId).OnDelete(DeleteBehavior.SetNull);
    }
}

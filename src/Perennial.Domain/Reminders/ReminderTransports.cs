namespace Perennial.Reminders;

/// <summary>Where reminders link to: the address people open Perennial at (setting Perennial:PublicUrl).</summary>
public sealed record ReminderLinks(Uri PublicUrl)
{
    /// <summary>The occurrence's page.</summary>
    public string Occurrence(string slug, Guid occurrenceId) => Combine($"o/{Uri.EscapeDataString(slug)}/occurrences/{occurrenceId}");

    public string Page(string path) => Combine(path.TrimStart('/'));

    private string Combine(string relative) => PublicUrl.AbsoluteUri.TrimEnd('/') + "/" + relative;
}

/// <summary>Sends an outbox e-mail (SMTP in the host). A failure throws; the dispatcher retries later.</summary>
public interface IEmailTransport
{
    /// <summary>Why e-mail is off (no SMTP host configured), or null when it is on.</summary>
    string? DisabledReason { get; }

    Task SendAsync(OutboxMessage message, CancellationToken ct);
}

/// <summary>Posts an outbox chat message to an incoming webhook (Teams or Slack). A failure throws.</summary>
public interface IChatTransport
{
    Task PostAsync(Uri webhook, OutboxMessage message, CancellationToken ct);
}

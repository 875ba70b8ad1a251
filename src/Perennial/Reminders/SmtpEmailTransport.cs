using MailKit;
using MailKit.Net.Smtp;
using MailKit.Security;
using MimeKit;

namespace Perennial.Reminders;

/// <summary>Bound from <c>Perennial:Smtp</c>; see the settings table in the README.</summary>
public sealed class SmtpOptions
{
    public const string Section = "Perennial:Smtp";

    /// <summary>The SMTP server; empty turns e-mail off (reminders wait in the outbox).</summary>
    public string? Host { get; set; }

    public int Port { get; set; } = 25;

    /// <summary>The sender, e.g. <c>Perennial &lt;isms@example.com&gt;</c>.</summary>
    public string From { get; set; } = "Perennial <perennial@localhost>";

    public string? Username { get; set; }
    public string? Password { get; set; }

    /// <summary>none, starttls, ssl (TLS from the first byte, usually port 465) or auto.</summary>
    public string Security { get; set; } = "auto";

    public int TimeoutSeconds { get; set; } = 30;
}

/// <summary>
/// Sends outbox e-mails through SMTP with MailKit. One connection is kept for the service scope (a
/// delivery pass) and reopened after a failure. Each e-mail's Message-Id is derived from its outbox
/// row, so a retried message keeps its identity.
/// </summary>
internal sealed class SmtpEmailTransport(SmtpOptions options, ReminderLinks links) : IEmailTransport, IAsyncDisposable, IDisposable
{
    private SmtpClient? client;

    public string? DisabledReason => string.IsNullOrWhiteSpace(options.Host) ? "no SMTP server is set (Perennial:Smtp:Host)" : null;

    public async Task SendAsync(OutboxMessage message, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(message);
        var mime = ToMime(message, Sender(options), links.PublicUrl.Host);
        var smtp = await ConnectedAsync(ct);
        try
        {
            await smtp.SendAsync(mime, ct);
        }
        catch (SmtpCommandException) when (smtp.IsConnected)
        {
            // The server refused this message (e.g. an unknown mailbox) but is there: the others may go.
            throw;
        }
        catch (Exception e) when (e is not OperationCanceledException || !ct.IsCancellationRequested)
        {
            Drop();
            throw new TransportUnavailableException($"SMTP server {options.Host}:{options.Port} failed while sending: {e.Message}", e);
        }
    }

    /// <summary>The e-mail an outbox row stands for.</summary>
    public static MimeMessage ToMime(OutboxMessage message, MailboxAddress from, string domain)
    {
        ArgumentNullException.ThrowIfNull(message);
        var mime = new MimeMessage();
        mime.From.Add(from);
        mime.To.Add(MailboxAddress.Parse(message.Recipient));
        mime.Subject = message.Subject;
        mime.MessageId = $"{message.Id:N}@{(string.IsNullOrEmpty(domain) ? "perennial" : domain)}";
        mime.Date = message.CreatedAt;
        // Marks the mail as automatic, so that out-of-office replies are not sent back.
        mime.Headers.Add("Auto-Submitted", "auto-generated");
        mime.Headers.Add("X-Auto-Response-Suppress", "All");
        mime.Headers.Add("X-Perennial-Kind", message.Kind);
        if (message.OccurrenceId is Guid occurrence)
        {
            mime.Headers.Add("X-Perennial-Occurrence", occurrence.ToString());
        }

        mime.Body = new BodyBuilder { TextBody = message.TextBody, HtmlBody = message.HtmlBody }.ToMessageBody();
        return mime;
    }

    private async Task<SmtpClient> ConnectedAsync(CancellationToken ct)
    {
        if (client is { IsConnected: true })
        {
            return client;
        }

        Drop();
        var security = ParseSecurity(options.Security);
        var smtp = new SmtpClient { Timeout = Math.Clamp(options.TimeoutSeconds, 1, 600) * 1000 };
        try
        {
            await smtp.ConnectAsync(options.Host!, options.Port, security, ct);
            if (!string.IsNullOrEmpty(options.Username))
            {
                await smtp.AuthenticateAsync(options.Username, options.Password ?? "", ct);
            }
        }
        catch (Exception e) when (e is not OperationCanceledException || !ct.IsCancellationRequested)
        {
            smtp.Dispose();
            throw new TransportUnavailableException($"SMTP server {options.Host}:{options.Port} is not reachable: {e.Message}", e);
        }

        client = smtp;
        return smtp;
    }

    internal static SecureSocketOptions ParseSecurity(string? value) => (value ?? "auto").Trim().ToLowerInvariant() switch
    {
        "" or "auto" => SecureSocketOptions.Auto,
        "none" => SecureSocketOptions.None,
        "starttls" => SecureSocketOptions.StartTls,
        "ssl" or "tls" or "sslonconnect" => SecureSocketOptions.SslOnConnect,
        _ => throw new TransportUnavailableException($"Setting Perennial:Smtp:Security has the value '{value}'; use none, starttls, ssl or auto."),
    };

    internal static MailboxAddress Sender(SmtpOptions options)
    {
        if (MailboxAddress.TryParse(options.From, out var from) && from.Address.Contains('@', StringComparison.Ordinal))
        {
            return from;
        }

        throw new TransportUnavailableException($"Setting Perennial:Smtp:From has the value '{options.From}'; give an address such as 'Perennial <isms@example.com>'.");
    }

    private void Drop()
    {
        if (client is null)
        {
            return;
        }

        try
        {
            if (client.IsConnected)
            {
                client.Disconnect(false);
            }
        }
        catch (Exception e) when (e is IOException or ServiceNotConnectedException or SmtpProtocolException or System.Net.Sockets.SocketException)
        {
            // Already broken; nothing to close politely.
        }

        client.Dispose();
        client = null;
    }

    public async ValueTask DisposeAsync()
    {
        if (client is { IsConnected: true })
        {
            try
            {
                await client.DisconnectAsync(true, CancellationToken.None);
            }
            catch (Exception e) when (e is IOException or ServiceNotConnectedException or SmtpProtocolException or SmtpCommandException or System.Net.Sockets.SocketException)
            {
                // The server went away after the last message; the messages themselves were accepted.
            }
        }

        client?.Dispose();
        client = null;
    }

    public void Dispose() => Drop();
}

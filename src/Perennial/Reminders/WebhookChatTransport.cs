using System.Net;

namespace Perennial.Reminders;

/// <summary>
/// Posts outbox chat messages to incoming webhooks: Microsoft Teams gets a MessageCard-compatible
/// body, Slack <c>{"text": …}</c>. Webhook URLs are secrets: errors name only their host, and the
/// HTTP client logs no request lines.
/// </summary>
internal sealed class WebhookChatTransport(IHttpClientFactory http) : IChatTransport
{
    public const string ClientName = "reminders-chat";

    public async Task PostAsync(Uri webhook, OutboxMessage message, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(webhook);
        ArgumentNullException.ThrowIfNull(message);
        var host = NotificationSettingsService.Hint(webhook);
        var body = message.Channel == OutboxChannel.Teams
            ? new Dictionary<string, string>
            {
                ["@type"] = "MessageCard",
                ["@context"] = "https://schema.org/extensions",
                ["summary"] = message.Subject,
                ["text"] = message.TextBody,
            }
            : new Dictionary<string, string> { ["text"] = message.TextBody };
        HttpResponseMessage response;
        try
        {
            response = await http.CreateClient(ClientName).PostAsJsonAsync(webhook, body, ct);
        }
        catch (HttpRequestException e)
        {
            throw new TransportUnavailableException($"The {message.Channel} webhook at {host} is not reachable: {e.Message}", e);
        }
        catch (TaskCanceledException e) when (!ct.IsCancellationRequested)
        {
            throw new TransportUnavailableException($"The {message.Channel} webhook at {host} did not answer in time.", e);
        }

        using (response)
        {
            if (response.IsSuccessStatusCode)
            {
                return;
            }

            var text = await response.Content.ReadAsStringAsync(ct);
            var detail = $"The {message.Channel} webhook at {host} answered {(int)response.StatusCode} {response.ReasonPhrase}: {(text.Length > 300 ? text[..300] : text)}";
            if ((int)response.StatusCode >= 500 || response.StatusCode is HttpStatusCode.TooManyRequests or HttpStatusCode.NotFound or HttpStatusCode.Gone
                or HttpStatusCode.Unauthorized or HttpStatusCode.Forbidden)
            {
                throw new TransportUnavailableException(detail);
            }

            throw new HttpRequestException(detail, null, response.StatusCode);
        }
    }
}

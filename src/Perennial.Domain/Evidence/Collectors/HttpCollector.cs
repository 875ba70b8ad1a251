using System.Net;
using System.Net.Http.Headers;
using System.Net.Sockets;
using System.Text;
using System.Text.Json;
using Perennial.Common;
using Perennial.Evidence.Storage;

namespace Perennial.Evidence.Collectors;

/// <summary>
/// GETs a URL and keeps the response body, with its content type, as the evidence: a status page, an
/// admin API's JSON, a report a build server publishes. Optional bearer or basic authentication takes
/// its token or password from the collector's secret. A response other than 2xx fails the run.
/// </summary>
public sealed class HttpCollector : IEvidenceCollector, IDisposable
{
    public const string KindName = "http";

    private static readonly string[] Known = ["url", "auth", "username", "accept", "title", "fileName", "contentType", "kind", "report"];

    private readonly EvidenceOptions options;
    private readonly HttpClient client;

    public HttpCollector(EvidenceOptions options)
    {
        this.options = options;
        var handler = new SocketsHttpHandler
        {
            AllowAutoRedirect = true,
            MaxAutomaticRedirections = 5,
            PooledConnectionLifetime = TimeSpan.FromMinutes(5),
            ConnectCallback = ConnectAsync,
        };
        // The runner's timeout governs; the client's own would fire on the system clock regardless.
        client = new HttpClient(handler) { Timeout = System.Threading.Timeout.InfiniteTimeSpan };
        client.DefaultRequestHeaders.UserAgent.ParseAdd("Perennial-Collector/1.0");
    }

    public string Kind => KindName;

    public string Label => "HTTP";

    public void Validate(JsonElement settings, string? secret) => Parse(settings, secret);

    public async Task<IReadOnlyList<CollectedEvidence>> CollectAsync(CollectorRunContext context, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(context);
        var request = Parse(context.Settings, context.Secret);
        using var message = new HttpRequestMessage(HttpMethod.Get, request.Url);
        message.Headers.Authorization = request.Auth switch
        {
            "bearer" => new AuthenticationHeaderValue("Bearer", context.Secret),
            "basic" => new AuthenticationHeaderValue("Basic", Convert.ToBase64String(Encoding.UTF8.GetBytes($"{request.Username}:{context.Secret}"))),
            _ => null,
        };
        if (request.Accept is { } accept)
        {
            message.Headers.TryAddWithoutValidation("Accept", accept);
        }

        HttpResponseMessage response;
        try
        {
            response = await client.SendAsync(message, HttpCompletionOption.ResponseHeadersRead, ct);
        }
        catch (HttpRequestException e)
        {
            throw new CollectorFailedException($"GET {Describe(request.Url)} failed: {e.Message}", e);
        }

        using (response)
        {
            if (!response.IsSuccessStatusCode)
            {
                throw new CollectorFailedException($"GET {Describe(request.Url)} answered {(int)response.StatusCode} {response.ReasonPhrase}.");
            }

            var max = options.MaxUploadBytes;
            if (response.Content.Headers.ContentLength > max)
            {
                throw new CollectorFailedException($"GET {Describe(request.Url)} answered with {response.Content.Headers.ContentLength} bytes, more than the {ContentTooLargeException.Describe(max)} evidence limit.");
            }

            var output = new FileStream(
                Path.Combine(Path.GetTempPath(), $"perennial-collector-{Guid.NewGuid():N}.http"), FileMode.CreateNew, FileAccess.ReadWrite, FileShare.None,
                81920, FileOptions.DeleteOnClose | FileOptions.Asynchronous);
            try
            {
                await using (var body = await response.Content.ReadAsStreamAsync(ct))
                {
                    var buffer = new byte[81920];
                    long total = 0;
                    int read;
                    while ((read = await body.ReadAsync(buffer, ct)) > 0)
                    {
                        total += read;
                        if (total > max)
                        {
                            throw new CollectorFailedException($"The response from {Describe(request.Url)} is larger than the {ContentTooLargeException.Describe(max)} evidence limit.");
                        }

                        await output.WriteAsync(buffer.AsMemory(0, read), ct);
                    }
                }

                await output.FlushAsync(ct);
                output.Position = 0;
                var contentType = request.ContentType ?? response.Content.Headers.ContentType?.ToString() ?? "application/octet-stream";
                var fileName = request.FileName ?? FileNameFor(request.Url);
                var title = request.Title ?? $"{context.CollectorName}: {Describe(request.Url)}";
                return [new CollectedEvidence(title, fileName, contentType, output, request.Kind, request.Report)];
            }
            catch
            {
                await output.DisposeAsync();
                throw;
            }
        }
    }

    public void Dispose() => client.Dispose();

    private sealed record Request(Uri Url, string Auth, string? Username, string? Accept, string? Title, string? FileName, string? ContentType, EvidenceKind Kind, string? Report);

    private static Request Parse(JsonElement json, string? secret)
    {
        var settings = CollectorSettings.Read(json, Known);
        var text = settings.Text("url", required: true, maxLength: EvidenceItem.UrlMaxLength)!.Trim();
        if (!Uri.TryCreate(text, UriKind.Absolute, out var url) || (url.Scheme != Uri.UriSchemeHttp && url.Scheme != Uri.UriSchemeHttps))
        {
            throw UseCaseException.Invalid("settings.url", "settings.url must be an absolute http:// or https:// address.");
        }

        if (!string.IsNullOrEmpty(url.UserInfo))
        {
            throw UseCaseException.Invalid("settings.url", "Put credentials in the secret (with settings.auth), not in settings.url.");
        }

        var auth = (settings.Text("auth", maxLength: 10) ?? "none").Trim().ToLowerInvariant();
        var username = settings.Text("username", maxLength: 200);
        switch (auth)
        {
            case "none":
                if (!string.IsNullOrEmpty(secret))
                {
                    throw UseCaseException.Invalid("settings.auth", "A secret is set: choose settings.auth 'bearer' (the secret is the token) or 'basic' (the secret is the password).");
                }

                break;
            case "bearer":
                if (string.IsNullOrEmpty(secret))
                {
                    throw UseCaseException.Invalid("secret", "Bearer authentication needs the token as the collector's secret.");
                }

                break;
            case "basic":
                if (string.IsNullOrEmpty(username) || username.Contains(':', StringComparison.Ordinal))
                {
                    throw UseCaseException.Invalid("settings.username", "Basic authentication needs settings.username (without ':').");
                }

                if (string.IsNullOrEmpty(secret))
                {
                    throw UseCaseException.Invalid("secret", "Basic authentication needs the password as the collector's secret.");
                }

                break;
            default:
                throw UseCaseException.Invalid("settings.auth", "settings.auth must be 'none', 'bearer' or 'basic'.");
        }

        if (secret is not null && secret.Any(char.IsControl))
        {
            throw UseCaseException.Invalid("secret", "The secret must not contain control characters or line breaks.");
        }

        var accept = settings.Text("accept", maxLength: 200);
        if (accept is not null && accept.Any(char.IsControl))
        {
            throw UseCaseException.Invalid("settings.accept", "settings.accept must be a media type such as application/json.");
        }

        return new Request(url, auth, username, accept, settings.Text("title", maxLength: EvidenceItem.TitleMaxLength), settings.FileName(), settings.ContentType(),
            settings.EvidenceKind(), settings.Report());
    }

    /// <summary>The URL without its query, which may carry keys.</summary>
    private static string Describe(Uri url) => url.GetLeftPart(UriPartial.Path);

    private static string FileNameFor(Uri url)
    {
        var last = url.Segments.LastOrDefault()?.Trim('/');
        return string.IsNullOrEmpty(last) ? "response" : Uri.UnescapeDataString(last);
    }

    /// <summary>Connects as usual, refusing link-local addresses (cloud metadata services) unless the installation allows them.</summary>
    private async ValueTask<Stream> ConnectAsync(SocketsHttpConnectionContext context, CancellationToken ct)
    {
        var addresses = await Dns.GetHostAddressesAsync(context.DnsEndPoint.Host, ct);
        if (!options.Collectors.AllowLinkLocal && addresses.Any(IsLinkLocal))
        {
            throw new HttpRequestException($"{context.DnsEndPoint.Host} is a link-local address, which collectors may not reach (setting Perennial:Evidence:Collectors:AllowLinkLocal).");
        }

        var socket = new Socket(SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
        try
        {
            await socket.ConnectAsync(addresses, context.DnsEndPoint.Port, ct);
            return new NetworkStream(socket, ownsSocket: true);
        }
        catch
        {
            socket.Dispose();
            throw;
        }
    }

    private static bool IsLinkLocal(IPAddress address)
    {
        if (address.IsIPv4MappedToIPv6)
        {
            address = address.MapToIPv4();
        }

        return address.AddressFamily == AddressFamily.InterNetwork
            ? address.GetAddressBytes() is [169, 254, ..]
            : address.IsIPv6LinkLocal;
    }
}

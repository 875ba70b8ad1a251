using System.Collections.Concurrent;
using System.Net;
using System.Text.Json;
using Perennial.Tests.Infrastructure;

namespace Perennial.Tests.Reminders;

/// <summary>A request a chat webhook received.</summary>
public sealed record WebhookCall(string Path, JsonElement Body)
{
    public string Text => Body.GetProperty("text").GetString() ?? "";
}

/// <summary>
/// A tiny local HTTP server standing in for Teams and Slack incoming webhooks. Paths starting with a
/// failing prefix answer 500 until <see cref="Fail"/> is cleared.
/// </summary>
public sealed class WebhookSink : IAsyncDisposable
{
    private readonly LocalHttpServer server;
    private readonly ConcurrentQueue<WebhookCall> calls = new();
    private readonly ConcurrentDictionary<string, bool> failing = new(StringComparer.Ordinal);

    public WebhookSink() => server = new LocalHttpServer(AnswerAsync);

    public int Port => server.Port;

    /// <summary>A webhook URL with a secret-looking path, as chat services hand them out.</summary>
    public string Url(string name) => $"http://127.0.0.1:{Port}/{name}/T0001/B0002/s3cr3t-{name}-path";

    public IReadOnlyList<WebhookCall> Calls(string name) => [.. calls.Where(c => c.Path.StartsWith("/" + name + "/", StringComparison.Ordinal))];

    /// <summary>Number of requests answered with an error so far.</summary>
    public int Refused { get; private set; }

    public void Fail(string name, bool fail) => failing[name] = fail;

    private async Task AnswerAsync(HttpListenerContext context)
    {
        var path = context.Request.Url!.AbsolutePath;
        var name = path.Split('/', StringSplitOptions.RemoveEmptyEntries).FirstOrDefault() ?? "";
        using var reader = new StreamReader(context.Request.InputStream);
        var text = await reader.ReadToEndAsync();
        if (failing.GetValueOrDefault(name))
        {
            Refused++;
            context.Response.StatusCode = 500;
            await context.Response.OutputStream.WriteAsync("channel unavailable"u8.ToArray());
        }
        else
        {
            calls.Enqueue(new WebhookCall(path, JsonDocument.Parse(text).RootElement.Clone()));
            context.Response.StatusCode = 200;
            await context.Response.OutputStream.WriteAsync("1"u8.ToArray());
        }
    }

    public ValueTask DisposeAsync() => server.DisposeAsync();
}

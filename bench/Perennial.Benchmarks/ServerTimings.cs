using System.Collections.Concurrent;
using System.Diagnostics;
using Microsoft.AspNetCore.Http;

namespace Perennial.Benchmarks;

/// <summary>
/// The time the server spends on a request, from the first middleware until the response is
/// written: a middleware placed in front of the app's own pipeline, in the benchmark host only.
/// The client tags each request with <see cref="Header"/> and collects the time afterwards.
/// </summary>
internal sealed class ServerTimings
{
    public const string Header = "X-Benchmark-Request";

    private readonly ConcurrentDictionary<string, double> elapsed = new(StringComparer.Ordinal);

    public async Task MiddlewareAsync(HttpContext context, Func<Task> next)
    {
        var start = Stopwatch.GetTimestamp();
        try
        {
            await next();
        }
        finally
        {
            if (context.Request.Headers.TryGetValue(Header, out var id))
            {
                elapsed[id.ToString()] = Stopwatch.GetElapsedTime(start).TotalMilliseconds;
            }
        }
    }

    /// <summary>The server's milliseconds for a request the client has already read to the end.</summary>
    public async Task<double> TakeAsync(string id)
    {
        // The last byte can reach the client a moment before the middleware records the time.
        for (var attempt = 0; attempt < 1_000; attempt++)
        {
            if (elapsed.TryRemove(id, out var ms))
            {
                return ms;
            }

            await Task.Delay(1);
        }

        throw new InvalidOperationException($"The server recorded no time for request {id}.");
    }
}

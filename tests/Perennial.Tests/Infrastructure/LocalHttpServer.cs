using System.Net;
using System.Net.Sockets;

namespace Perennial.Tests.Infrastructure;

/// <summary>
/// A small HTTP server on a free loopback port, standing in for a system Perennial calls out to (a
/// report a collector fetches, a chat webhook). Each request goes to the handler; the response is closed after it.
/// </summary>
public sealed class LocalHttpServer : IAsyncDisposable
{
    private readonly HttpListener listener = new();
    private readonly Task loop;

    public LocalHttpServer(Func<HttpListenerContext, Task> handle)
    {
        ArgumentNullException.ThrowIfNull(handle);
        Port = FreePort();
        Url = $"http://127.0.0.1:{Port}/";
        listener.Prefixes.Add(Url);
        listener.Start();
        loop = Task.Run(async () =>
        {
            while (listener.IsListening)
            {
                HttpListenerContext context;
                try
                {
                    context = await listener.GetContextAsync();
                }
                catch (Exception e) when (e is HttpListenerException or ObjectDisposedException or InvalidOperationException)
                {
                    return;
                }

                try
                {
                    await handle(context);
                }
                finally
                {
                    context.Response.Close();
                }
            }
        });
    }

    public int Port { get; }

    /// <summary>The server's root, ending with a slash.</summary>
    public string Url { get; }

    /// <summary>A loopback port nothing listens on at the moment of asking.</summary>
    public static int FreePort()
    {
        using var probe = new TcpListener(IPAddress.Loopback, 0);
        probe.Start();
        return ((IPEndPoint)probe.LocalEndpoint).Port;
    }

    public async ValueTask DisposeAsync()
    {
        listener.Stop();
        listener.Close();
        await loop;
    }
}

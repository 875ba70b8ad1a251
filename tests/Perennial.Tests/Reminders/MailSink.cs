using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using MimeKit;
using Perennial.Tests.Infrastructure;

namespace Perennial.Tests.Reminders;

/// <summary>An e-mail as the SMTP server received it, in arrival order.</summary>
public sealed record ReceivedMail(int Number, IReadOnlyList<string> EnvelopeTo, MimeMessage Message)
{
    public string To => EnvelopeTo.Single();
    public string? Kind => Message.Headers["X-Perennial-Kind"];
    public Guid? Occurrence => Guid.TryParse(Message.Headers["X-Perennial-Occurrence"], out var id) ? id : null;
    public string Text => Message.TextBody ?? "";
}

/// <summary>
/// A real SMTP server for the tests: Debian's aiosmtpd (<c>apt-get install python3-aiosmtpd</c>)
/// with a handler that writes each accepted message to a numbered file. It can be stopped and
/// started again on the same port, as an outage would.
/// </summary>
public sealed class MailSink : IAsyncDisposable
{
    private const string HandlerModule = "perennial_mail_sink";

    private const string HandlerSource = """
        import os


        class FolderHandler:
            def __init__(self, folder):
                self.folder = folder
                os.makedirs(folder, exist_ok=True)
                self.count = len([n for n in os.listdir(folder) if n.endswith('.eml')])

            @classmethod
            def from_cli(cls, parser, *args):
                if len(args) != 1:
                    parser.error('FolderHandler needs the folder to write messages to')
                return cls(args[0])

            async def handle_DATA(self, server, session, envelope):
                self.count += 1
                name = os.path.join(self.folder, '%06d' % self.count)
                with open(name + '.tmp', 'wb') as f:
                    f.write(('X-Envelope-To: %s\r\n' % ','.join(envelope.rcpt_tos)).encode('utf-8'))
                    f.write(envelope.original_content)
                os.replace(name + '.tmp', name + '.eml')
                return '250 Message accepted for delivery'
        """;

    private readonly string python;
    private readonly string root;
    private Process? server;

    private MailSink(string python, string root, int port)
    {
        this.python = python;
        this.root = root;
        Port = port;
    }

    public int Port { get; }
    public string Folder => Path.Combine(root, "mail");
    public bool IsRunning => server is { HasExited: false };

    /// <summary>The app settings that point Perennial at this server.</summary>
    public IDictionary<string, string?> Settings => new Dictionary<string, string?>
    {
        ["Perennial:Smtp:Host"] = "127.0.0.1",
        ["Perennial:Smtp:Port"] = Port.ToString(System.Globalization.CultureInfo.InvariantCulture),
        ["Perennial:Smtp:From"] = "Perennial <isms@acme.test>",
        ["Perennial:Smtp:Security"] = "none",
    };

    public static async Task<MailSink> StartAsync()
    {
        var python = await FindPythonAsync();
        if (python is null)
        {
            Requirements.Missing(
                "SMTP server (aiosmtpd)",
                "no python3 with the aiosmtpd module was found; install it with apt-get install -y python3-aiosmtpd (as .ci/run does).");
        }

        var root = Directory.CreateTempSubdirectory("perennial-smtp-").FullName;
        await File.WriteAllTextAsync(Path.Combine(root, HandlerModule + ".py"), HandlerSource);
        var sink = new MailSink(python, root, FreePort());
        await sink.StartServerAsync();
        return sink;
    }

    /// <summary>Starts (or restarts) the server on its port and waits until it accepts connections.</summary>
    public async Task StartServerAsync()
    {
        if (IsRunning)
        {
            return;
        }

        var info = new ProcessStartInfo(python)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (var arg in new[] { "-m", "aiosmtpd", "-n", "-l", $"127.0.0.1:{Port}", "-c", $"{HandlerModule}.FolderHandler", Folder })
        {
            info.ArgumentList.Add(arg);
        }

        info.Environment["PYTHONPATH"] = root;
        server = Process.Start(info) ?? throw new InvalidOperationException("aiosmtpd did not start.");
        server.OutputDataReceived += (_, _) => { };
        server.ErrorDataReceived += (_, _) => { };
        server.BeginOutputReadLine();
        server.BeginErrorReadLine();
        var deadline = Stopwatch.StartNew();
        while (deadline.Elapsed < TimeSpan.FromSeconds(20))
        {
            if (server.HasExited)
            {
                throw new InvalidOperationException($"aiosmtpd exited with code {server.ExitCode} on port {Port}.");
            }

            try
            {
                using var probe = new TcpClient();
                await probe.ConnectAsync(IPAddress.Loopback, Port);
                return;
            }
            catch (SocketException)
            {
                await Task.Delay(100);
            }
        }

        throw new InvalidOperationException($"aiosmtpd did not listen on port {Port} within 20 s.");
    }

    /// <summary>Stops the server, as an outage: connections are refused until it starts again.</summary>
    public async Task StopServerAsync()
    {
        if (server is null)
        {
            return;
        }

        if (!server.HasExited)
        {
            server.Kill(entireProcessTree: true);
            await server.WaitForExitAsync();
        }

        server.Dispose();
        server = null;
    }

    /// <summary>How many messages the server has accepted so far.</summary>
    public int Count => Directory.Exists(Folder) ? Directory.GetFiles(Folder, "*.eml").Length : 0;

    /// <summary>Every message received so far (after the first <paramref name="skip"/>), in arrival order.</summary>
    public IReadOnlyList<ReceivedMail> Messages(int skip = 0)
    {
        if (!Directory.Exists(Folder))
        {
            return [];
        }

        var result = new List<ReceivedMail>();
        foreach (var file in Directory.GetFiles(Folder, "*.eml").Order(StringComparer.Ordinal).Skip(skip))
        {
            using var stream = File.OpenRead(file);
            var message = MimeMessage.Load(stream);
            var to = (message.Headers["X-Envelope-To"] ?? "").Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
            result.Add(new ReceivedMail(int.Parse(Path.GetFileNameWithoutExtension(file), System.Globalization.CultureInfo.InvariantCulture), to, message));
        }

        return result;
    }

    public async ValueTask DisposeAsync()
    {
        await StopServerAsync();
        try
        {
            Directory.Delete(root, recursive: true);
        }
        catch (IOException)
        {
            // Left for the temp cleaner.
        }
    }

    internal static int FreePort() => LocalHttpServer.FreePort();

    private static async Task<string?> FindPythonAsync()
    {
        // Debian's python3 first: the module comes from the python3-aiosmtpd package.
        foreach (var candidate in new[] { "/usr/bin/python3", "python3" })
        {
            try
            {
                using var check = Process.Start(new ProcessStartInfo(candidate, "-c \"import aiosmtpd\"")
                {
                    RedirectStandardError = true,
                    RedirectStandardOutput = true,
                    UseShellExecute = false,
                });
                if (check is null)
                {
                    continue;
                }

                await check.WaitForExitAsync();
                if (check.ExitCode == 0)
                {
                    return candidate;
                }
            }
            catch (System.ComponentModel.Win32Exception)
            {
                // Not installed under this name.
            }
        }

        return null;
    }
}

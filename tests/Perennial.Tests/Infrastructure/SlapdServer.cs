using System.Diagnostics;
using System.DirectoryServices.Protocols;
using System.Net;
using System.Net.Sockets;

namespace Perennial.Tests.Infrastructure;

/// <summary>
/// A real LDAP server for the tests: OpenLDAP's slapd (<c>apt-get install slapd ldap-utils</c>) with a
/// private configuration and database in a temporary folder, loaded with slapadd from a seed LDIF and
/// listening on a free loopback port until disposed. The system's own slapd service is not used.
/// </summary>
public sealed class SlapdServer : IAsyncDisposable
{
    public const string Suffix = "dc=example,dc=test";
    public const string RootDn = "cn=admin," + Suffix;
    public const string RootPassword = "root-secret";

    private static readonly string[] SchemaFiles = ["core", "cosine", "inetorgperson", "nis"];
    private static readonly string[] ProgramFolders = ["/usr/sbin", "/usr/bin", "/usr/local/sbin"];

    private readonly string root;
    private Process? server;

    private SlapdServer(string root, int port)
    {
        this.root = root;
        Port = port;
    }

    public int Port { get; }

    public string Url => $"ldap://127.0.0.1:{Port}";

    /// <summary>Starts slapd with <paramref name="seedLdif"/> loaded under <see cref="Suffix"/>.</summary>
    public static async Task<SlapdServer> StartAsync(string seedLdif)
    {
        var slapd = Find("slapd");
        var slapadd = Find("slapadd");
        if (slapd is null || slapadd is null || !File.Exists("/etc/ldap/schema/inetorgperson.schema"))
        {
            Requirements.Missing(
                "LDAP server (slapd)",
                "slapd and slapadd were not found; install them with DEBIAN_FRONTEND=noninteractive apt-get install -y slapd ldap-utils (as .ci/run does).");
        }

        var root = Directory.CreateTempSubdirectory("perennial-slapd-").FullName;
        Directory.CreateDirectory(Path.Combine(root, "db"));
        var config = Path.Combine(root, "slapd.conf");
        var lines = SchemaFiles.Select(s => $"include /etc/ldap/schema/{s}.schema").Concat(
        [
            "modulepath /usr/lib/ldap",
            "moduleload back_mdb",
            $"pidfile {root}/slapd.pid",
            $"argsfile {root}/slapd.args",
            "database mdb",
            "maxsize 16777216",
            $"suffix \"{Suffix}\"",
            $"rootdn \"{RootDn}\"",
            $"rootpw {RootPassword}",
            $"directory {root}/db",
        ]);
        await File.WriteAllLinesAsync(config, lines);
        var seed = Path.Combine(root, "seed.ldif");
        await File.WriteAllTextAsync(seed, seedLdif);
        var (code, output) = await RunAsync(slapadd, "-f", config, "-l", seed);
        if (code != 0)
        {
            throw new InvalidOperationException($"slapadd failed ({code}): {output}");
        }

        var instance = new SlapdServer(root, FreePort());
        await instance.StartServerAsync(slapd, config);
        return instance;
    }

    /// <summary>Deletes an entry, as an administrator removing a user would.</summary>
    public void Delete(string dn) => Send(new DeleteRequest(dn));

    /// <summary>Removes one value of an attribute, e.g. a member from a group.</summary>
    public void RemoveValue(string dn, string attribute, string value) =>
        Send(new ModifyRequest(dn, DirectoryAttributeOperation.Delete, attribute, value));

    /// <summary>Adds one value to an attribute, e.g. a member to a group.</summary>
    public void AddValue(string dn, string attribute, string value) =>
        Send(new ModifyRequest(dn, DirectoryAttributeOperation.Add, attribute, value));

    public async ValueTask DisposeAsync()
    {
        if (server is { HasExited: false })
        {
            server.Kill(entireProcessTree: true);
            await server.WaitForExitAsync();
        }

        server?.Dispose();
        try
        {
            Directory.Delete(root, recursive: true);
        }
        catch (IOException)
        {
            // Left for the temp cleaner.
        }
    }

    private void Send(DirectoryRequest request)
    {
        using var connection = new LdapConnection(new LdapDirectoryIdentifier("127.0.0.1", Port), new NetworkCredential(RootDn, RootPassword), AuthType.Basic);
        connection.SessionOptions.ProtocolVersion = 3;
        connection.Bind();
        connection.SendRequest(request);
    }

    private async Task StartServerAsync(string slapd, string config)
    {
        // "-d 0" keeps slapd in the foreground, so the test owns the process and can kill it.
        var info = new ProcessStartInfo(slapd)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (var arg in new[] { "-f", config, "-h", $"ldap://127.0.0.1:{Port}/", "-d", "0" })
        {
            info.ArgumentList.Add(arg);
        }

        server = Process.Start(info) ?? throw new InvalidOperationException("slapd did not start.");
        var errors = new System.Text.StringBuilder();
        server.OutputDataReceived += (_, _) => { };
        server.ErrorDataReceived += (_, e) =>
        {
            lock (errors)
            {
                errors.AppendLine(e.Data);
            }
        };
        server.BeginOutputReadLine();
        server.BeginErrorReadLine();
        var deadline = Stopwatch.StartNew();
        while (deadline.Elapsed < TimeSpan.FromSeconds(20))
        {
            if (server.HasExited)
            {
                lock (errors)
                {
                    throw new InvalidOperationException($"slapd exited with code {server.ExitCode} on port {Port}: {errors}");
                }
            }

            try
            {
                using var probe = new TcpClient();
                await probe.ConnectAsync(IPAddress.Loopback, Port);
                return;
            }
            catch (SocketException)
            {
                await Task.Delay(50);
            }
        }

        throw new InvalidOperationException($"slapd did not listen on port {Port} within 20 s.");
    }

    private static string? Find(string program) =>
        ProgramFolders.Select(d => Path.Combine(d, program)).FirstOrDefault(File.Exists);

    private static async Task<(int Code, string Output)> RunAsync(string program, params string[] args)
    {
        var info = new ProcessStartInfo(program)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (var arg in args)
        {
            info.ArgumentList.Add(arg);
        }

        using var process = Process.Start(info) ?? throw new InvalidOperationException($"{program} did not start.");
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        await process.WaitForExitAsync();
        return (process.ExitCode, await stdout + await stderr);
    }

    internal static int FreePort() => LocalHttpServer.FreePort();
}

using System.Diagnostics;
using System.Net.Sockets;
using System.Text.RegularExpressions;
using Amazon.Runtime;
using Amazon.S3;
using Amazon.S3.Model;
using Perennial.Evidence;

namespace Perennial.Tests.Infrastructure;

/// <summary>
/// A real S3-compatible server for the tests: the s3rver npm package (tests/Perennial.Tests/node, installed
/// by <c>npm ci</c>), run by node on a free loopback port with its data in a temporary folder. Skips (fails on
/// CI) when node or s3rver is missing.
/// </summary>
public sealed partial class S3rverServer : IAsyncDisposable
{
    /// <summary>s3rver's built-in account.</summary>
    public const string AccessKey = "S3RVER";

    public const string SecretKey = "S3RVER";

    private readonly Process process;
    private readonly string directory;

    private S3rverServer(Process process, string directory, Uri endpoint, string bucket)
    {
        this.process = process;
        this.directory = directory;
        Endpoint = endpoint;
        Bucket = bucket;
    }

    public Uri Endpoint { get; }

    /// <summary>The bucket created at start.</summary>
    public string Bucket { get; }

    public static async Task<S3rverServer> StartAsync(string bucket = "evidence")
    {
        var folder = NodeFolder();
        var script = folder is null ? null : Path.Combine(folder, "node_modules", "s3rver", "bin", "s3rver.js");
        if (folder is null || !File.Exists(script))
        {
            Requirements.Missing("s3rver", $"run 'npm ci' in {folder ?? "tests/Perennial.Tests/node"} (installs s3rver 3.7.1 from package-lock.json).");
        }

        var directory = Path.Combine(Path.GetTempPath(), "perennial-s3rver-" + Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(directory);
        // Port 0: the system picks a free port and s3rver prints it, so parallel tests never collide.
        // s3rver encrypts list continuation tokens with DES, which OpenSSL 3 keeps in its legacy provider.
        var start = new ProcessStartInfo("node", ["--openssl-legacy-provider", script, "-d", directory, "-a", "127.0.0.1", "-p", "0", "--configure-bucket", bucket, "--silent"])
        {
            WorkingDirectory = folder,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        Process process;
        try
        {
            process = Process.Start(start) ?? throw new InvalidOperationException("node did not start.");
        }
        catch (System.ComponentModel.Win32Exception e)
        {
            Directory.Delete(directory, recursive: true);
            Requirements.Missing("node", $"Node.js is needed to run s3rver ({e.Message}); install it (apt-get install nodejs npm).");
            throw;
        }

        var server = default(S3rverServer);
        try
        {
            using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(60));
            var stderr = process.StandardError.ReadToEndAsync(CancellationToken.None);
            int? port = null;
            while (port is null)
            {
                var line = await process.StandardOutput.ReadLineAsync(timeout.Token)
                    ?? throw new InvalidOperationException($"s3rver exited before listening: {await stderr}");
                if (Listening().Match(line) is { Success: true } match)
                {
                    port = int.Parse(match.Groups[1].Value, System.Globalization.CultureInfo.InvariantCulture);
                }
            }

            server = new S3rverServer(process, directory, new Uri($"http://127.0.0.1:{port}"), bucket);
            await server.WaitUntilAnsweringAsync(timeout.Token);
            _ = process.StandardOutput.ReadToEndAsync(CancellationToken.None);
            return server;
        }
        catch
        {
            if (server is not null)
            {
                await server.DisposeAsync();
            }
            else
            {
                process.Kill(entireProcessTree: true);
                process.Dispose();
                Directory.Delete(directory, recursive: true);
            }

            throw;
        }
    }

    /// <summary>Store settings pointing at this server, as an operator would write them.</summary>
    public S3StoreOptions Options(string? bucket = null, string prefix = "") => new()
    {
        Endpoint = Endpoint.ToString(),
        Bucket = bucket ?? Bucket,
        AccessKey = AccessKey,
        SecretKey = SecretKey,
        Region = "us-east-1",
        ForcePathStyle = true,
        Prefix = prefix,
    };

    /// <summary>The same settings as app configuration (<c>Perennial:Evidence:…</c>).</summary>
    public Dictionary<string, string?> Settings(string? bucket = null, string prefix = "") => new()
    {
        ["Perennial:Evidence:Store"] = "s3",
        ["Perennial:Evidence:S3:Endpoint"] = Endpoint.ToString(),
        ["Perennial:Evidence:S3:Bucket"] = bucket ?? Bucket,
        ["Perennial:Evidence:S3:AccessKey"] = AccessKey,
        ["Perennial:Evidence:S3:SecretKey"] = SecretKey,
        ["Perennial:Evidence:S3:ForcePathStyle"] = "true",
        ["Perennial:Evidence:S3:Prefix"] = prefix,
    };

    /// <summary>A plain S3 client for looking into (and tampering with) the bucket from outside the store.</summary>
    public AmazonS3Client CreateClient() => new(new BasicAWSCredentials(AccessKey, SecretKey), new AmazonS3Config
    {
        ServiceURL = Endpoint.ToString(),
        AuthenticationRegion = "us-east-1",
        ForcePathStyle = true,
        RequestChecksumCalculation = RequestChecksumCalculation.WHEN_REQUIRED,
        ResponseChecksumValidation = ResponseChecksumValidation.WHEN_REQUIRED,
    });

    /// <summary>Creates another empty bucket, so that a test can count exactly what it stored.</summary>
    public async Task<string> CreateBucketAsync()
    {
        var name = "b" + Guid.NewGuid().ToString("N")[..20];
        using var client = CreateClient();
        await client.PutBucketAsync(new PutBucketRequest { BucketName = name });
        return name;
    }

    /// <summary>Every key in a bucket, listed page by page.</summary>
    public async Task<List<string>> KeysAsync(string bucket)
    {
        using var client = CreateClient();
        var keys = new List<string>();
        var request = new ListObjectsV2Request { BucketName = bucket, MaxKeys = 100 };
        while (true)
        {
            var page = await client.ListObjectsV2Async(request);
            keys.AddRange((page.S3Objects ?? []).Select(o => o.Key));
            if (page.IsTruncated != true)
            {
                return keys;
            }

            request.ContinuationToken = page.NextContinuationToken;
        }
    }

    public async ValueTask DisposeAsync()
    {
        try
        {
            if (!process.HasExited)
            {
                process.Kill(entireProcessTree: true);
                await process.WaitForExitAsync();
            }
        }
        finally
        {
            process.Dispose();
            try
            {
                Directory.Delete(directory, recursive: true);
            }
            catch (IOException)
            {
                // A file still held open by the dying process; the system's temporary folder is cleaned anyway.
            }
        }
    }

    private async Task WaitUntilAnsweringAsync(CancellationToken ct)
    {
        while (true)
        {
            try
            {
                using var socket = new TcpClient();
                await socket.ConnectAsync(Endpoint.Host, Endpoint.Port, ct);
                return;
            }
            catch (SocketException)
            {
                await Task.Delay(50, ct);
            }
        }
    }

    private static string? NodeFolder()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "Perennial.sln")))
            {
                var folder = Path.Combine(dir.FullName, "tests", "Perennial.Tests", "node");
                return Directory.Exists(folder) ? folder : null;
            }
        }

        return null;
    }

    [GeneratedRegex(@"S3rver listening on [^\s:]+:(\d+)")]
    private static partial Regex Listening();
}

/// <summary>One s3rver shared by a test class, started by the first test that asks for it.</summary>
public sealed class S3rverFixture : IAsyncDisposable
{
    private readonly SemaphoreSlim gate = new(1, 1);
    private S3rverServer? server;

    public async Task<S3rverServer> ServerAsync()
    {
        await gate.WaitAsync();
        try
        {
            return server ??= await S3rverServer.StartAsync();
        }
        finally
        {
            gate.Release();
        }
    }

    public async ValueTask DisposeAsync()
    {
        if (server is not null)
        {
            await server.DisposeAsync();
        }

        gate.Dispose();
    }
}

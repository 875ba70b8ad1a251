using System.Diagnostics;
using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using Microsoft.Data.Sqlite;
using Perennial.Cli;
using Perennial.Data;
using Perennial.Evidence.Storage;
using Perennial.Tests.Infrastructure;

namespace Perennial.Tests.Evidence;

/// <summary>
/// The server, a separate process, is killed with SIGKILL in the middle of 100 concurrent uploads and
/// started again on the same data: every upload it answered with success is there with its exact bytes,
/// nothing points at missing or partial content, and retrying the rest with their client keys records
/// each of them once.
/// </summary>
public abstract class CrashTests(DatabaseProvider provider) : IAsyncLifetime
{
    private const int Uploads = 100;
    private const int KillAfterAnswers = 30;
    private const string Slug = "crash";
    private TestDatabase database = null!;
    private string dataDirectory = null!;

    public async ValueTask InitializeAsync()
    {
        database = await TestDatabase.CreateAsync(provider);
        dataDirectory = provider == DatabaseProvider.Sqlite ? database.DataDirectory : Directory.CreateTempSubdirectory("perennial-crash-").FullName;
    }

    public async ValueTask DisposeAsync()
    {
        await database.DisposeAsync();
        if (provider != DatabaseProvider.Sqlite && Directory.Exists(dataDirectory))
        {
            Directory.Delete(dataDirectory, recursive: true);
        }
    }

    [Fact]
    public async Task A_server_killed_mid_upload_keeps_every_answered_upload_intact_and_nothing_partial()
    {
        var ct = TestContext.Current.CancellationToken;
        var token = await CreateAdminTokenAsync();
        var payloads = Enumerable.Range(0, Uploads).Select(Payload.Random).ToArray();

        Dictionary<int, Guid> answered;
        int interrupted;
        await using (var server = await ServerProcess.StartAsync(Settings(), ct))
        {
            using var client = Client(server.Address, token);
            var org = await client.PostAsJsonAsync("/api/v1/orgs", new { slug = Slug, name = "Crash test" }, ct);
            Assert.True(org.StatusCode == HttpStatusCode.Created, await org.Content.ReadAsStringAsync(ct));

            var successes = 0;
            var enough = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            var uploads = payloads.Select(async (payload, i) =>
            {
                try
                {
                    var (status, body) = await UploadAsync(client, payload, ct);
                    if ((int)status is >= 200 and < 300)
                    {
                        if (Interlocked.Increment(ref successes) >= KillAfterAnswers)
                        {
                            enough.TrySetResult();
                        }

                        return (i, Id: (Guid?)body.GetProperty("id").GetGuid(), Sha: body.GetProperty("sha256").GetString());
                    }
                }
                catch (Exception e) when (e is HttpRequestException or IOException or TaskCanceledException)
                {
                    // The answer was lost: the server died, or refused the connection while dying.
                }

                return (i, Id: null, Sha: null);
            }).ToArray();

            await enough.Task.WaitAsync(TimeSpan.FromMinutes(3), ct);
            server.Kill();
            var results = await Task.WhenAll(uploads).WaitAsync(TimeSpan.FromMinutes(2), ct);

            foreach (var r in results.Where(r => r.Id is not null))
            {
                Assert.Equal(payloads[r.i].Sha256, r.Sha);
            }

            answered = results.Where(r => r.Id is not null).ToDictionary(r => r.i, r => r.Id!.Value);
            interrupted = Uploads - answered.Count;
        }

        Assert.InRange(answered.Count, KillAfterAnswers, Uploads - 1);
        Assert.True(interrupted > 0, "The kill came after every upload had its answer: nothing was interrupted.");

        await using (var server = await ServerProcess.StartAsync(Settings(), ct))
        {
            using var client = Client(server.Address, token);

            // Every upload answered with success is there, with its exact bytes.
            foreach (var (i, id) in answered)
            {
                var item = await client.GetFromJsonAsync<JsonElement>($"/api/v1/orgs/{Slug}/evidence/{id}", ct);
                Assert.Equal(payloads[i].Sha256, item.GetProperty("sha256").GetString());
                Assert.Equal(payloads[i].Bytes.Length, item.GetProperty("size").GetInt64());
                Assert.Equal(payloads[i].Bytes, await client.GetByteArrayAsync($"/api/v1/orgs/{Slug}/evidence/{id}/content", ct));
            }

            // Besides those, only uploads whose answer was lost in flight may have been recorded, and intact.
            var items = await ListAsync(client, ct);
            Assert.InRange(items.Count, answered.Count, answered.Count + interrupted);
            foreach (var item in items)
            {
                var i = Array.FindIndex(payloads, p => p.ClientKey == item.ClientKey);
                Assert.True(i >= 0, $"Item {item.Id} has an unknown client key '{item.ClientKey}'.");
                Assert.True(!answered.TryGetValue(i, out var id) || id == item.Id, $"Upload {i} is recorded twice.");
                Assert.Equal(payloads[i].Sha256, item.Sha256);
                var content = await client.GetByteArrayAsync($"/api/v1/orgs/{Slug}/evidence/{item.Id}/content", ct);
                Assert.Equal(payloads[i].Sha256, Convert.ToHexStringLower(SHA256.HashData(content)));
            }

            var verify = await CliAsync("evidence", "verify", "--org", Slug);
            Assert.True(verify.ExitCode == 0, verify.Stdout + verify.Stderr);
            Assert.Contains($"{items.Count} evidence item(s) checked", verify.Stdout, StringComparison.Ordinal);

            // Partial bytes live only in the store's tmp folder; every file under a hash name holds exactly those bytes.
            var store = Path.Combine(dataDirectory, "evidence");
            foreach (var file in Directory.EnumerateFiles(store, "*", SearchOption.AllDirectories))
            {
                var relative = Path.GetRelativePath(store, file);
                if (relative.StartsWith("tmp" + Path.DirectorySeparatorChar, StringComparison.Ordinal))
                {
                    continue;
                }

                var name = Path.GetFileName(file);
                Assert.True(Sha256Hex.IsValid(name) && relative == Path.Combine(name[..2], name), $"Unexpected file in the evidence store: {relative}");
                await using var stream = File.OpenRead(file);
                Assert.Equal(name, Convert.ToHexStringLower(await SHA256.HashDataAsync(stream, ct)));
                Assert.Contains(payloads, p => p.Sha256 == name);
            }

            // A client retrying the interrupted uploads with the same keys ends with each recorded exactly once.
            foreach (var i in Enumerable.Range(0, Uploads).Where(i => !answered.ContainsKey(i)))
            {
                var (status, body) = await UploadAsync(client, payloads[i], ct);
                Assert.True(status is HttpStatusCode.Created or HttpStatusCode.OK, $"Retry of upload {i} answered {(int)status}: {body}");
                Assert.Equal(payloads[i].Sha256, body.GetProperty("sha256").GetString());
            }

            var all = await ListAsync(client, ct);
            Assert.Equal(Uploads, all.Count);
            Assert.Equal(Uploads, all.Select(a => a.ClientKey).Distinct().Count());
            var again = await CliAsync("evidence", "verify", "--org", Slug);
            Assert.True(again.ExitCode == 0, again.Stdout + again.Stderr);
        }
    }

    private string[] Settings()
    {
        var settings = new List<string>
        {
            $"--data={dataDirectory}",
            $"--Perennial:Database:Provider={database.ProviderName}",
            $"--Perennial:Database:ConnectionString={database.ConnectionString}",
        };
        if (provider != DatabaseProvider.Sqlite)
        {
            settings.Add("--Perennial:Database:MigrateOnStart=true");
        }

        return [.. settings];
    }

    /// <summary>An installation administrator and their token, made with the command line before the server starts.</summary>
    private async Task<string> CreateAdminTokenAsync()
    {
        var user = await CliAsync("user", "add", "--email", "ci@crash.test", "--role", "admin", "--Perennial:Database:MigrateOnStart=true");
        Assert.True(user.ExitCode == 0, user.Stderr);
        var token = await CliAsync("token", "create", "--user", "ci@crash.test", "--name", "crash");
        Assert.True(token.ExitCode == 0, token.Stderr);
        SqliteConnection.ClearAllPools();
        return token.Stdout.Trim();
    }

    private async Task<CliResult> CliAsync(params string[] args)
    {
        using var stdout = new StringWriter();
        using var stderr = new StringWriter();
        string[] all = [.. args, .. Settings()];
        var exit = await PerennialCli.RunAsync(all, stdout, stderr, new StringReader(""));
        return new CliResult(exit, stdout.ToString(), stderr.ToString());
    }

    private static HttpClient Client(Uri address, string token)
    {
        var client = new HttpClient(new SocketsHttpHandler { ConnectTimeout = TimeSpan.FromSeconds(10) }) { BaseAddress = address, Timeout = TimeSpan.FromMinutes(2) };
        client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", token);
        return client;
    }

    private static async Task<(HttpStatusCode Status, JsonElement Body)> UploadAsync(HttpClient client, Payload payload, CancellationToken ct)
    {
        using var multipart = new MultipartFormDataContent();
        multipart.Add(new StringContent(JsonSerializer.Serialize(new { title = payload.ClientKey, clientKey = payload.ClientKey }), Encoding.UTF8, "application/json"), "metadata");
        multipart.Add(new ByteArrayContent(payload.Bytes), "file", payload.ClientKey + ".bin");
        using var response = await client.PostAsync($"/api/v1/orgs/{Slug}/evidence", multipart, ct);
        var text = await response.Content.ReadAsStringAsync(ct);
        return (response.StatusCode, text.Length == 0 ? default : JsonDocument.Parse(text).RootElement.Clone());
    }

    private sealed record Listed(Guid Id, string? ClientKey, string? Sha256);

    private static async Task<List<Listed>> ListAsync(HttpClient client, CancellationToken ct)
    {
        var page = await client.GetFromJsonAsync<JsonElement>($"/api/v1/orgs/{Slug}/evidence?pageSize=200", ct);
        Assert.True(page.GetProperty("total").GetInt32() <= 200);
        return [.. page.GetProperty("items").EnumerateArray().Select(i =>
            new Listed(i.GetProperty("id").GetGuid(), i.GetProperty("clientKey").GetString(), i.GetProperty("sha256").GetString()))];
    }

    private sealed record Payload(string ClientKey, byte[] Bytes, string Sha256)
    {
        /// <summary>Distinct random bytes from 50 KB to 5 MB.</summary>
        public static Payload Random(int index)
        {
            var bytes = new byte[System.Random.Shared.Next(50 * 1024, 5 * 1024 * 1024)];
            System.Random.Shared.NextBytes(bytes);
            return new Payload($"crash-{index:D3}", bytes, Convert.ToHexStringLower(SHA256.HashData(bytes)));
        }
    }
}

/// <summary><c>perennial serve</c> as its own process (the build the tests run with), on a free loopback port.</summary>
internal sealed class ServerProcess : IAsyncDisposable
{
    private readonly Process process;
    private readonly StringBuilder output = new();

    private ServerProcess(Process process, Uri address)
    {
        this.process = process;
        Address = address;
    }

    public Uri Address { get; }

    public static async Task<ServerProcess> StartAsync(string[] settings, CancellationToken ct)
    {
        var dll = Path.Combine(AppContext.BaseDirectory, "perennial.dll");
        var port = FreePort();
        var info = new ProcessStartInfo(Environment.GetEnvironmentVariable("DOTNET_HOST_PATH") ?? "dotnet")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
            WorkingDirectory = AppContext.BaseDirectory,
        };
        foreach (var arg in (string[])["exec", dll, "serve", $"--urls=http://127.0.0.1:{port}", "--Perennial:Scheduler:Enabled=false", "--Logging:LogLevel:Default=Warning", .. settings])
        {
            info.ArgumentList.Add(arg);
        }

        info.Environment["ASPNETCORE_ENVIRONMENT"] = "Production";
        var process = Process.Start(info) ?? throw new InvalidOperationException("dotnet did not start.");
        var server = new ServerProcess(process, new Uri($"http://127.0.0.1:{port}/"));
        process.OutputDataReceived += (_, e) => server.Append(e.Data);
        process.ErrorDataReceived += (_, e) => server.Append(e.Data);
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();

        using var probe = new HttpClient { Timeout = TimeSpan.FromSeconds(5) };
        var deadline = Stopwatch.StartNew();
        while (deadline.Elapsed < TimeSpan.FromMinutes(2))
        {
            if (process.HasExited)
            {
                throw new InvalidOperationException($"perennial serve exited with {process.ExitCode}:\n{server.Output}");
            }

            try
            {
                using var health = await probe.GetAsync(new Uri(server.Address, "/health"), ct);
                if (health.StatusCode == HttpStatusCode.OK)
                {
                    return server;
                }
            }
            catch (HttpRequestException)
            {
            }
            catch (TaskCanceledException) when (!ct.IsCancellationRequested)
            {
            }

            await Task.Delay(200, ct);
        }

        await server.DisposeAsync();
        throw new TimeoutException($"perennial serve did not answer /health within 2 minutes:\n{server.Output}");
    }

    public string Output
    {
        get
        {
            lock (output)
            {
                return output.ToString();
            }
        }
    }

    /// <summary>SIGKILL: no shutdown, no flushing, no finally blocks.</summary>
    public void Kill()
    {
        process.Kill(entireProcessTree: true);
        process.WaitForExit();
    }

    public async ValueTask DisposeAsync()
    {
        if (!process.HasExited)
        {
            process.Kill(entireProcessTree: true);
            await process.WaitForExitAsync();
        }

        process.Dispose();
    }

    private void Append(string? line)
    {
        if (line is null)
        {
            return;
        }

        lock (output)
        {
            if (output.Length < 200_000)
            {
                output.AppendLine(line);
            }
        }
    }

    private static int FreePort()
    {
        using var listener = new System.Net.Sockets.TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }
}

public sealed class SqliteCrashTests() : CrashTests(DatabaseProvider.Sqlite);

public sealed class PostgresCrashTests() : CrashTests(DatabaseProvider.Postgres);

using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Perennial.Accounts;
using Perennial.ApiTokens;
using Perennial.Data;
using Perennial.Evidence.Storage;
using Perennial.Organisations;

namespace Perennial.Benchmarks;

/// <summary>A throughput measurement: bytes or items over a time.</summary>
internal sealed record Throughput(string Name, long Bytes, int Items, TimeSpan Elapsed)
{
    public double MbPerSecond => Bytes / (1024.0 * 1024) / Elapsed.TotalSeconds;
    public double ItemsPerSecond => Items / Elapsed.TotalSeconds;
}

/// <summary>The server's memory while one large file is uploaded: before, highest sample, after.</summary>
internal sealed record MemoryUse(long FileBytes, long WorkingSetBefore, long WorkingSetPeak, long WorkingSetAfter, long HeapBefore, long HeapPeak, TimeSpan Elapsed, int Samples)
{
    /// <summary>Flat: the working set grows by less than 64 MB however large the file.</summary>
    public const long FlatLimit = 64L * 1024 * 1024;

    public long Growth => WorkingSetPeak - WorkingSetBefore;
    public bool Passed => Growth < FlatLimit;

    /// <summary>Runs <paramref name="work"/> while sampling this process's working set and GC heap every 20 ms.</summary>
    public static async Task<MemoryUse> SampleAsync(long fileBytes, Func<Task> work)
    {
        ArgumentNullException.ThrowIfNull(work);
        GC.Collect();
        GC.WaitForPendingFinalizers();
        GC.Collect();
        using var self = Process.GetCurrentProcess();
        self.Refresh();
        var before = self.WorkingSet64;
        var heapBefore = GC.GetTotalMemory(false);
        long peak = before, heapPeak = heapBefore;
        var samples = 0;
        using var done = new CancellationTokenSource();
        var sampler = Task.Run(async () =>
        {
            while (!done.IsCancellationRequested)
            {
                self.Refresh();
                peak = Math.Max(peak, self.WorkingSet64);
                heapPeak = Math.Max(heapPeak, GC.GetTotalMemory(false));
                samples++;
                try
                {
                    await Task.Delay(20, done.Token);
                }
                catch (OperationCanceledException)
                {
                }
            }
        }, CancellationToken.None);

        var start = Stopwatch.GetTimestamp();
        await work();
        var elapsed = Stopwatch.GetElapsedTime(start);
        await done.CancelAsync();
        await sampler;
        self.Refresh();
        return new MemoryUse(fileBytes, before, peak, self.WorkingSet64, heapBefore, heapPeak, elapsed, samples);
    }
}

internal sealed record Warmup(int Items, TimeSpan JitDuringTimedRun);

internal sealed record EvidenceResult(
    string DatabaseVersion, long LargeFileBytes, int LargeFiles, Throughput Sha256sum, Throughput Store, Throughput Api,
    Throughput Small, Warmup SmallWarmup, int Clients, int SmallBytes, MemoryUse Memory, string LoadBefore, string LoadAfter, DateTimeOffset FinishedAt)
{
    public const double IngestTarget = 0.70;
    public const double SmallTarget = 500;

    public double ApiRatio => Api.MbPerSecond / Sha256sum.MbPerSecond;
    public double StoreRatio => Store.MbPerSecond / Sha256sum.MbPerSecond;
    public bool IngestPassed => ApiRatio >= IngestTarget;
    public bool SmallPassed => Small.ItemsPerSecond >= SmallTarget;
    public bool Passed => IngestPassed && SmallPassed && Memory.Passed;
}

/// <summary>
/// Evidence ingest on SQLite through the real Kestrel host: large files against <c>sha256sum</c> on the
/// same files, small items per second from parallel clients, and the server's memory during a 1 GB upload.
/// </summary>
internal sealed class EvidenceRun(BenchOptions options, TextWriter log)
{
    private const long Mb = 1024 * 1024;
    private const string Slug = "bench";

    public async Task<EvidenceResult> RunAsync(CancellationToken ct)
    {
        var largeBytes = Math.Max(1, (long)(options.EvidenceLargeMb * options.Scale)) * Mb;
        var memoryBytes = Math.Max(1, (long)(options.EvidenceMemoryMb * options.Scale)) * Mb;
        var smallItems = Math.Max(100, (int)(options.EvidenceSmallItems * options.Scale));
        await using var database = await BenchDatabase.CreateAsync(DatabaseProvider.Sqlite);
        var files = Directory.CreateTempSubdirectory("perennial-bench-files-").FullName;
        try
        {
            await using var app = await BenchHost.BuildAsync(database, new ServerTimings(), [$"--Perennial:Evidence:MaxUploadBytes={2 * memoryBytes + largeBytes}"], ct);
            await app.StartAsync(ct);
            var address = new Uri(app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First());
            var version = await BenchHost.PrepareStatisticsAsync(app.Services, DatabaseProvider.Sqlite, ct);
            var token = await SetUpAsync(app, ct);
            using var http = new HttpClient(new SocketsHttpHandler { MaxConnectionsPerServer = 64 }) { BaseAddress = address, Timeout = TimeSpan.FromMinutes(30) };
            http.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", token);
            var loadBefore = BenchHost.LoadAverage();

            log.WriteLine($"evidence: writing {options.EvidenceLargeFiles} files of {largeBytes / Mb} MB");
            var large = new List<string>();
            for (var i = 0; i < options.EvidenceLargeFiles; i++)
            {
                large.Add(await WriteRandomFileAsync(Path.Combine(files, $"large-{i}.bin"), largeBytes, ct));
            }

            var sha256sum = await Sha256sumAsync(large, ct);
            log.WriteLine($"evidence: sha256sum {sha256sum.MbPerSecond:N0} MB/s");
            var store = await StoreAsync(app.Services.GetRequiredService<IEvidenceStore>(), large, ct);
            log.WriteLine($"evidence: store {store.MbPerSecond:N0} MB/s");

            // Fresh bytes for the API, so that it stores them rather than finding them already there.
            foreach (var path in large)
            {
                await WriteRandomFileAsync(path, largeBytes, ct);
            }

            await Sha256sumAsync(large, ct); // the same warm page cache for the API as sha256sum had
            var api = await UploadLargeAsync(http, large, ct);
            log.WriteLine($"evidence: API {api.MbPerSecond:N0} MB/s ({api.MbPerSecond / sha256sum.MbPerSecond:P0} of sha256sum)");

            var small = await SmallAsync(http, smallItems, ct);
            log.WriteLine($"evidence: {small.ItemsPerSecond:N0} small items/s from {options.EvidenceClients} clients after {SmallWarmup.Items:N0} untimed ({SmallWarmup.JitDuringTimedRun.TotalMilliseconds:N0} ms JIT while timed)");

            foreach (var path in large)
            {
                File.Delete(path);
            }

            var big = await WriteRandomFileAsync(Path.Combine(files, "one-gigabyte.bin"), memoryBytes, ct);
            var memory = await MemoryAsync(http, big, ct);
            log.WriteLine($"evidence: {memoryBytes / Mb} MB upload: working set {memory.WorkingSetBefore / Mb} MB before, peak {memory.WorkingSetPeak / Mb} MB");

            var loadAfter = BenchHost.LoadAverage();
            await app.StopAsync(ct);
            return new EvidenceResult(version, largeBytes, large.Count, sha256sum, store, api, small, SmallWarmup, options.EvidenceClients, SmallSize,
                memory, loadBefore, loadAfter, TimeProvider.System.GetUtcNow());
        }
        finally
        {
            Directory.Delete(files, recursive: true);
        }
    }

    private const int SmallSize = 2048;

    private static async Task<string> SetUpAsync(WebApplication app, CancellationToken ct)
    {
        await using var scope = app.Services.CreateAsyncScope();
        var services = scope.ServiceProvider;
        var user = (await services.GetRequiredService<AccountService>().CreateAsync("bench@evidence.test", null, "Bench-password-for-evidence-1", false, ct)).User;
        await services.GetRequiredService<OrganisationService>().CreateAsync(Slug, "Evidence benchmark", user.Id, false, ct);
        return (await services.GetRequiredService<ApiTokenService>().CreateAsync(user.Id, "bench", null, ct)).Secret;
    }

    private static async Task<string> WriteRandomFileAsync(string path, long bytes, CancellationToken ct)
    {
        var buffer = new byte[4 * Mb];
        await using var file = new FileStream(path, FileMode.Create, FileAccess.Write, FileShare.None, 1, FileOptions.Asynchronous);
        for (long written = 0; written < bytes; written += buffer.Length)
        {
            Random.Shared.NextBytes(buffer);
            await file.WriteAsync(buffer.AsMemory(0, (int)Math.Min(buffer.Length, bytes - written)), ct);
        }

        return path;
    }

    /// <summary>Coreutils' sha256sum on the same files: the best of three runs, with the files in the page cache.</summary>
    private static async Task<Throughput> Sha256sumAsync(List<string> files, CancellationToken ct)
    {
        var best = TimeSpan.MaxValue;
        for (var run = 0; run < 3; run++)
        {
            var info = new ProcessStartInfo("sha256sum") { RedirectStandardOutput = true, UseShellExecute = false };
            foreach (var f in files)
            {
                info.ArgumentList.Add(f);
            }

            var start = Stopwatch.GetTimestamp();
            using var process = Process.Start(info) ?? throw new InvalidOperationException("sha256sum did not start.");
            _ = await process.StandardOutput.ReadToEndAsync(ct);
            await process.WaitForExitAsync(ct);
            var elapsed = Stopwatch.GetElapsedTime(start);
            if (process.ExitCode != 0)
            {
                throw new InvalidOperationException($"sha256sum exited with {process.ExitCode}.");
            }

            best = elapsed < best ? elapsed : best;
        }

        return new Throughput("sha256sum", files.Sum(f => new FileInfo(f).Length), files.Count, best);
    }

    private static async Task<Throughput> StoreAsync(IEvidenceStore store, List<string> files, CancellationToken ct)
    {
        var start = Stopwatch.GetTimestamp();
        foreach (var path in files)
        {
            await using var file = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, 1, FileOptions.Asynchronous | FileOptions.SequentialScan);
            await store.PutAsync(file, long.MaxValue, ct);
        }

        return new Throughput("store", files.Sum(f => new FileInfo(f).Length), files.Count, Stopwatch.GetElapsedTime(start));
    }

    private static async Task<Throughput> UploadLargeAsync(HttpClient http, List<string> files, CancellationToken ct)
    {
        var start = Stopwatch.GetTimestamp();
        foreach (var path in files)
        {
            await UploadFileAsync(http, path, ct);
        }

        return new Throughput("API", files.Sum(f => new FileInfo(f).Length), files.Count, Stopwatch.GetElapsedTime(start));
    }

    /// <summary>As <c>perennial evidence push</c> sends it: metadata first, then the file streamed from disk.</summary>
    private static async Task UploadFileAsync(HttpClient http, string path, CancellationToken ct)
    {
        await using var file = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, 1, FileOptions.Asynchronous | FileOptions.SequentialScan);
        using var multipart = new MultipartFormDataContent();
        multipart.Add(new StringContent("{\"title\":\"Large file\"}", Encoding.UTF8, "application/json"), "metadata");
        multipart.Add(new StreamContent(file, 1024 * 1024), "file", Path.GetFileName(path));
        using var response = await http.PostAsync(new Uri($"/api/v1/orgs/{Slug}/evidence", UriKind.Relative), multipart, ct);
        await EnsureAsync(response, ct);
    }

    /// <summary>Warm-up rounds: untimed items sent the same way until the JIT has little left to compile.</summary>
    private const int WarmupRound = 500;
    private const int MaxWarmupRounds = 40;

    private async Task<Throughput> SmallAsync(HttpClient http, int items, CancellationToken ct)
    {
        // A long-running server has compiled its hot paths (tiered compilation recompiles them in the
        // background for several seconds after start-up); time the steady state, not the compiler.
        var warmup = 0;
        for (var round = 0; round < MaxWarmupRounds; round++)
        {
            var jit = System.Runtime.JitInfo.GetCompilationTime();
            var started = Stopwatch.GetTimestamp();
            await SendInParallelAsync(http, $"warmup-{round}", WarmupRound, ct);
            warmup += WarmupRound;
            if ((System.Runtime.JitInfo.GetCompilationTime() - jit) < Stopwatch.GetElapsedTime(started) * 0.02)
            {
                break;
            }
        }

        var jitBefore = System.Runtime.JitInfo.GetCompilationTime();
        var start = Stopwatch.GetTimestamp();
        await SendInParallelAsync(http, "timed", items, ct);
        var elapsed = Stopwatch.GetElapsedTime(start);
        SmallWarmup = new Warmup(warmup, System.Runtime.JitInfo.GetCompilationTime() - jitBefore);
        return new Throughput("small", (long)items * SmallSize, items, elapsed);
    }

    /// <summary>How many untimed items the small-items run sent first, and the JIT time left in its timed part.</summary>
    public Warmup SmallWarmup { get; private set; } = new(0, TimeSpan.Zero);

    private Task SendInParallelAsync(HttpClient http, string run, int items, CancellationToken ct)
    {
        var next = -1;
        return Task.WhenAll(Enumerable.Range(0, options.EvidenceClients).Select(async _ =>
        {
            int i;
            while ((i = Interlocked.Increment(ref next)) < items)
            {
                await SendSmallAsync(http, run, i, i + 1, ct);
            }
        }));
    }

    private static async Task SendSmallAsync(HttpClient http, string run, int from, int to, CancellationToken ct)
    {
        var bytes = new byte[SmallSize];
        for (var i = from; i < to; i++)
        {
            Random.Shared.NextBytes(bytes);
            var metadata = JsonSerializer.Serialize(new { title = $"Nightly check {run} {i}", clientKey = $"{run}-{i}", periodFrom = "2026-01-01", periodTo = "2026-01-31" });
            using var multipart = new MultipartFormDataContent();
            multipart.Add(new StringContent(metadata, Encoding.UTF8, "application/json"), "metadata");
            multipart.Add(new ByteArrayContent(bytes), "file", $"check-{i}.json");
            using var response = await http.PostAsync(new Uri($"/api/v1/orgs/{Slug}/evidence", UriKind.Relative), multipart, ct);
            await EnsureAsync(response, ct);
        }
    }

    /// <summary>This process's working set and GC heap while the file is uploaded.</summary>
    private static Task<MemoryUse> MemoryAsync(HttpClient http, string path, CancellationToken ct) =>
        MemoryUse.SampleAsync(new FileInfo(path).Length, () => UploadFileAsync(http, path, ct));

    private static async Task EnsureAsync(HttpResponseMessage response, CancellationToken ct)
    {
        if (response.StatusCode is not (HttpStatusCode.Created or HttpStatusCode.OK))
        {
            var body = await response.Content.ReadAsStringAsync(ct);
            throw new InvalidOperationException(string.Create(CultureInfo.InvariantCulture, $"Upload answered {(int)response.StatusCode}: {body[..Math.Min(body.Length, 500)]}"));
        }
    }
}

using System.Diagnostics;
using System.Globalization;
using System.Runtime.InteropServices;
using System.Text;
using Microsoft.Extensions.DependencyInjection;
using Perennial.Accounts;
using Perennial.AuditPacks;
using Perennial.Data;
using Perennial.Evidence;
using Perennial.Organisations;
using Perennial.Readiness;

namespace Perennial.Benchmarks;

internal sealed record PackBenchResult(long EvidenceBytes, int Files, Throughput Tar, Throughput Pack, MemoryUse Memory, string LoadBefore, string LoadAfter, DateTimeOffset FinishedAt)
{
    public const double Target = 0.5;

    public double Ratio => Pack.MbPerSecond / Tar.MbPerSecond;
    public bool Passed => Ratio >= Target && Memory.Passed;
}

/// <summary>
/// The audit pack's write rate on SQLite: evidence files in the file-system store, packed to a file on
/// the same disk, against <c>tar cf</c> of the same store folder to a file beside it (best of three
/// each, page cache warm), with this process's memory sampled while one pack is written.
/// </summary>
internal sealed class AuditPackRun(BenchOptions options, TextWriter log)
{
    private const long Mb = 1024 * 1024;
    private const int Files = 8;
    private const long FileMb = 256;

    public async Task<PackBenchResult> RunAsync(CancellationToken ct)
    {
        var fileBytes = Math.Max(1, (long)(FileMb * options.Scale)) * Mb;
        await using var database = await BenchDatabase.CreateAsync(DatabaseProvider.Sqlite);
        await using var app = await BenchHost.BuildAsync(database, new ServerTimings(), [$"--Perennial:Evidence:MaxUploadBytes={fileBytes}"], ct);
        var (organisationId, userId) = await SetUpAsync(app.Services, ct);
        var today = DateOnly.FromDateTime(TimeProvider.System.GetUtcNow().UtcDateTime);
        await using (var scope = app.Services.CreateAsyncScope())
        {
            var evidence = scope.ServiceProvider.GetRequiredService<EvidenceService>();
            var buffer = new byte[4 * Mb];
            for (var i = 0; i < Files; i++)
            {
                var path = Path.Combine(database.DataDirectory, $"source-{i}.bin");
                await using (var file = new FileStream(path, FileMode.Create, FileAccess.Write, FileShare.None, 1, FileOptions.Asynchronous))
                {
                    for (long written = 0; written < fileBytes; written += buffer.Length)
                    {
                        Random.Shared.NextBytes(buffer);
                        await file.WriteAsync(buffer.AsMemory(0, (int)Math.Min(buffer.Length, fileBytes - written)), ct);
                    }
                }

                var input = await evidence.CheckAsync(organisationId, new EvidenceInput { Title = $"Log archive {i}", PeriodFrom = today.AddDays(-30), PeriodTo = today.AddDays(-1) }, true, ct);
                await using (var content = File.OpenRead(path))
                {
                    var stored = await evidence.Store.PutAsync(content, fileBytes, ct);
                    await evidence.RecordAsync(organisationId, input, stored, $"logs-{i}.tar.gz", "application/gzip", new EvidenceOrigin(EvidenceSource.Upload, userId), ct);
                }

                File.Delete(path);
            }
        }

        await log.WriteLineAsync($"audit-pack: {Files} evidence files of {fileBytes / Mb} MB stored");
        var loadBefore = BenchHost.LoadAverage();
        var tar = await TarAsync(database.DataDirectory, Files * fileBytes, ct);
        await log.WriteLineAsync(string.Create(CultureInfo.InvariantCulture, $"audit-pack: tar cf {tar.MbPerSecond:N0} MB/s"));
        var best = TimeSpan.MaxValue;
        long packBytes = 0;
        MemoryUse? memory = null;
        for (var run = 0; run < 3; run++)
        {
            var target = Path.Combine(database.DataDirectory, "pack.zip");
            var (elapsed, sampled) = await PackAsync(app.Services, organisationId, userId, today, target, ct);
            packBytes = new FileInfo(target).Length;
            File.Delete(target);
            best = elapsed < best ? elapsed : best;
            memory ??= sampled with { FileBytes = Files * fileBytes };
        }

        var pack = new Throughput("audit pack", Files * fileBytes, Files, best);
        await log.WriteLineAsync(string.Create(CultureInfo.InvariantCulture,
            $"audit-pack: pack {pack.MbPerSecond:N0} MB/s ({packBytes / Mb} MB written) = {pack.MbPerSecond / tar.MbPerSecond:P0} of tar; working set +{memory!.Growth / Mb} MB"));
        return new PackBenchResult(Files * fileBytes, Files, tar, pack, memory, loadBefore, BenchHost.LoadAverage(), TimeProvider.System.GetUtcNow());
    }

    private static async Task<(Guid OrganisationId, Guid UserId)> SetUpAsync(IServiceProvider root, CancellationToken ct)
    {
        await using var scope = root.CreateAsyncScope();
        var services = scope.ServiceProvider;
        var user = (await services.GetRequiredService<AccountService>().CreateAsync("bench@pack.test", null, "Bench-password-for-packs-1", false, ct)).User;
        var organisation = await services.GetRequiredService<OrganisationService>().CreateAsync("pack", "Audit pack benchmark", user.Id, false, ct);
        return (organisation.Id, user.Id);
    }

    /// <summary><c>tar cf</c> of the evidence store to a file in the data folder: the best of three runs.</summary>
    private static async Task<Throughput> TarAsync(string dataDirectory, long bytes, CancellationToken ct)
    {
        var best = TimeSpan.MaxValue;
        var output = Path.Combine(dataDirectory, "evidence.tar");
        for (var run = 0; run < 3; run++)
        {
            var info = new ProcessStartInfo("tar") { UseShellExecute = false, RedirectStandardError = true };
            foreach (var argument in new[] { "cf", output, "-C", dataDirectory, "evidence" })
            {
                info.ArgumentList.Add(argument);
            }

            var start = Stopwatch.GetTimestamp();
            using var process = Process.Start(info) ?? throw new InvalidOperationException("tar did not start.");
            var error = await process.StandardError.ReadToEndAsync(ct);
            await process.WaitForExitAsync(ct);
            var elapsed = Stopwatch.GetElapsedTime(start);
            if (process.ExitCode != 0)
            {
                throw new InvalidOperationException($"tar exited with {process.ExitCode}: {error}");
            }

            File.Delete(output);
            best = elapsed < best ? elapsed : best;
        }

        return new Throughput("tar cf", bytes, 0, best);
    }

    /// <summary>One pack written to <paramref name="target"/>, with this process's memory sampled.</summary>
    private static async Task<(TimeSpan Elapsed, MemoryUse Memory)> PackAsync(IServiceProvider root, Guid organisationId, Guid userId, DateOnly today, string target, CancellationToken ct)
    {
        await using var scope = root.CreateAsyncScope();
        var builder = scope.ServiceProvider.GetRequiredService<AuditPackBuilder>();
        var window = await builder.WindowAsync(organisationId, new ReadinessQuery(today, today.AddDays(-60)), ct);
        var memory = await MemoryUse.SampleAsync(0, async () =>
        {
            await using var file = new FileStream(target, FileMode.CreateNew, FileAccess.Write, FileShare.None, 1024 * 1024, FileOptions.Asynchronous);
            await builder.WriteAsync(organisationId, window, file, new AuditPackActor(userId, "bench@pack.test"), ct);
        });
        return (memory.Elapsed, memory);
    }
}

/// <summary>Updates the audit pack part of docs/PERFORMANCE.md (marker <c>benchmark:audit-pack</c>).</summary>
internal static class AuditPackReport
{
    private const double Mb = 1024 * 1024;

    public static void Write(string path, PackBenchResult r, BenchOptions options)
    {
        var text = File.Exists(path) ? File.ReadAllText(path) : "# Performance\n";
        var memory = GC.GetGCMemoryInfo().TotalAvailableMemoryBytes / (1024.0 * 1024 * 1024);
        var s = new StringBuilder();
        s.AppendLine(CultureInfo.InvariantCulture, $"Last run {r.FinishedAt:yyyy-MM-dd HH:mm} UTC: `dotnet run -c Release --project bench/Perennial.Benchmarks -- {options.Arguments}`; one-minute load average {r.LoadBefore} before and {r.LoadAfter} after.");
        if (options.Scale < 1)
        {
            s.AppendLine();
            s.AppendLine(CultureInfo.InvariantCulture, $"**Trial run at {options.Scale:P0} of the full sizes: these numbers do not show the targets are met.**");
        }

        s.AppendLine();
        s.AppendLine(CultureInfo.InvariantCulture, $"Machine: {Environment.ProcessorCount} cores ({Report.Cpu()}), {memory:N0} GiB of memory, {RuntimeInformation.OSDescription}, {RuntimeInformation.FrameworkDescription}, Release build; SQLite, file-system evidence store; both outputs written to the same disk.");
        s.AppendLine();
        s.AppendLine("| What | Measured | Target | Result |");
        s.AppendLine("| --- | ---: | ---: | --- |");
        var size = string.Create(CultureInfo.InvariantCulture, $"{r.Files} × {r.EvidenceBytes / r.Files / Mb:N0} MB of evidence");
        s.AppendLine(CultureInfo.InvariantCulture, $"| `tar cf` of the evidence store, {size} (best of 3) | {r.Tar.MbPerSecond:N0} MB/s ({r.Tar.Elapsed.TotalSeconds:N2} s) | | reference |");
        s.AppendLine(CultureInfo.InvariantCulture, $"| Audit pack of the same evidence with its records, index, manifest and receipt (best of 3) | {r.Pack.MbPerSecond:N0} MB/s ({r.Pack.Elapsed.TotalSeconds:N2} s) = **{r.Ratio:P0}** of tar | ≥ {PackBenchResult.Target:P0} | {(r.Ratio >= PackBenchResult.Target ? "pass" : "**fail**")} |");
        var m = r.Memory;
        s.AppendLine(CultureInfo.InvariantCulture,
            $"| Memory while one pack is written ({m.Elapsed.TotalSeconds:N1} s, {m.Samples} samples) | working set {m.WorkingSetBefore / Mb:N0} MB before, **peak {m.WorkingSetPeak / Mb:N0} MB (+{m.Growth / Mb:N0} MB)**; GC heap {m.HeapBefore / Mb:N0} MB before, peak {m.HeapPeak / Mb:N0} MB | flat: < +{MemoryUse.FlatLimit / Mb:N0} MB | {(m.Passed ? "pass" : "**fail**")} |");
        text = Report.Replace(text, "audit-pack", s.ToString());
        File.WriteAllText(path, text.ReplaceLineEndings("\n"));
    }
}

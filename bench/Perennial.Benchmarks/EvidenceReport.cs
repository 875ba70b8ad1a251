using System.Globalization;
using System.Runtime.InteropServices;
using System.Text;

namespace Perennial.Benchmarks;

/// <summary>Updates the evidence part of docs/PERFORMANCE.md (marker <c>benchmark:evidence</c>).</summary>
internal static class EvidenceReport
{
    private const double Mb = 1024 * 1024;

    public static void Write(string path, EvidenceResult r, BenchOptions options)
    {
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        var text = File.Exists(path) ? File.ReadAllText(path) : "# Performance\n";
        text = Report.Replace(text, "evidence", Section(r, options));
        File.WriteAllText(path, text.ReplaceLineEndings("\n"));
    }

    private static string Section(EvidenceResult r, BenchOptions options)
    {
        var memory = GC.GetGCMemoryInfo().TotalAvailableMemoryBytes / (1024.0 * 1024 * 1024);
        var s = new StringBuilder();
        s.AppendLine(CultureInfo.InvariantCulture, $"Last run {r.FinishedAt:yyyy-MM-dd HH:mm} UTC: `dotnet run -c Release --project bench/Perennial.Benchmarks -- {options.Arguments}`; one-minute load average {r.LoadBefore} before and {r.LoadAfter} after.");
        if (options.Scale < 1)
        {
            s.AppendLine();
            s.AppendLine(CultureInfo.InvariantCulture, $"**Trial run at {options.Scale:P0} of the full sizes: these numbers do not show the targets are met.**");
        }

        s.AppendLine();
        s.AppendLine("| | |");
        s.AppendLine("| --- | --- |");
        s.AppendLine(CultureInfo.InvariantCulture, $"| Machine | {Environment.ProcessorCount} cores ({Report.Cpu()}), {memory:N0} GiB of memory, shared with other work |");
        s.AppendLine(CultureInfo.InvariantCulture, $"| Operating system | {RuntimeInformation.OSDescription} |");
        s.AppendLine(CultureInfo.InvariantCulture, $"| .NET | {RuntimeInformation.FrameworkDescription}, Release build, server GC; Kestrel on loopback, client in the same process |");
        s.AppendLine(CultureInfo.InvariantCulture, $"| Database | {r.DatabaseVersion}; file-system evidence store on the same disk |");
        s.AppendLine();
        s.AppendLine("| What | Measured | Target | Result |");
        s.AppendLine("| --- | ---: | ---: | --- |");
        var size = string.Create(CultureInfo.InvariantCulture, $"{r.LargeFiles} × {r.LargeFileBytes / Mb:N0} MB");
        s.AppendLine(CultureInfo.InvariantCulture, $"| `sha256sum` on {size} (page cache warm, best of 3) | {r.Sha256sum.MbPerSecond:N0} MB/s ({r.Sha256sum.Elapsed.TotalSeconds:N2} s) | | reference |");
        s.AppendLine(CultureInfo.InvariantCulture, $"| Store only (`IEvidenceStore.PutAsync`: hash, write, fsync, rename) on {size} | {r.Store.MbPerSecond:N0} MB/s ({r.Store.Elapsed.TotalSeconds:N2} s) = {r.StoreRatio:P0} of sha256sum | | |");
        s.AppendLine(CultureInfo.InvariantCulture, $"| Ingest through the API (`POST …/evidence`, multipart, one at a time) on {size} | {r.Api.MbPerSecond:N0} MB/s ({r.Api.Elapsed.TotalSeconds:N2} s) = **{r.ApiRatio:P0}** of sha256sum | ≥ {EvidenceResult.IngestTarget:P0} | {(r.IngestPassed ? "pass" : "**fail**")} |");
        s.AppendLine(CultureInfo.InvariantCulture, $"| Small items ({r.SmallBytes / 1024} KB file + metadata with client key and period) from {r.Clients} parallel clients, after {r.SmallWarmup.Items:N0} untimed ({r.SmallWarmup.JitDuringTimedRun.TotalMilliseconds:N0} ms of JIT left in the timed part) | **{r.Small.ItemsPerSecond:N0} items/s** ({r.Small.Items:N0} in {r.Small.Elapsed.TotalSeconds:N1} s) | ≥ {EvidenceResult.SmallTarget:N0}/s | {(r.SmallPassed ? "pass" : "**fail**")} |");
        var m = r.Memory;
        s.AppendLine(CultureInfo.InvariantCulture,
            $"| Memory while uploading one {m.FileBytes / Mb:N0} MB file ({m.Elapsed.TotalSeconds:N1} s, {m.Samples} samples) | working set {m.WorkingSetBefore / Mb:N0} MB before, **peak {m.WorkingSetPeak / Mb:N0} MB (+{m.Growth / Mb:N0} MB)**, {m.WorkingSetAfter / Mb:N0} MB after; GC heap {m.HeapBefore / Mb:N0} MB before, peak {m.HeapPeak / Mb:N0} MB | flat: < +{MemoryUse.FlatLimit / Mb:N0} MB | {(m.Passed ? "pass" : "**fail**")} |");
        return s.ToString();
    }
}

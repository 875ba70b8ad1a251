using System.Globalization;
using System.Runtime.InteropServices;
using System.Text;
using Microsoft.EntityFrameworkCore;

namespace Perennial.Benchmarks;

/// <summary>Updates the audit programme's generated parts of docs/PERFORMANCE.md (markers <c>benchmark:audits-…</c>).</summary>
internal static class AuditsReport
{
    /// <param name="prefix">"audits", or "reviews" for the management review suite on the same dataset.</param>
    public static void Write(string path, IReadOnlyList<AuditsResult> results, BenchOptions options, string prefix = "audits")
    {
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        var text = File.Exists(path) ? File.ReadAllText(path) : "# Performance\n";
        text = Report.Replace(text, prefix + "-environment", Environment(options));
        foreach (var result in results)
        {
            text = Report.Replace(text, prefix + "-" + result.Provider, Section(result, options));
        }

        File.WriteAllText(path, text.ReplaceLineEndings("\n"));
    }

    private static string Environment(BenchOptions options)
    {
        var memory = GC.GetGCMemoryInfo().TotalAvailableMemoryBytes / (1024.0 * 1024 * 1024);
        var s = new StringBuilder();
        s.AppendLine(CultureInfo.InvariantCulture, $"Last run {TimeProvider.System.GetUtcNow():yyyy-MM-dd HH:mm} UTC: `dotnet run -c Release --project bench/Perennial.Benchmarks -- {options.Arguments}`.");
        s.AppendLine();
        s.AppendLine("| | |");
        s.AppendLine("| --- | --- |");
        s.AppendLine(CultureInfo.InvariantCulture, $"| Machine | {System.Environment.ProcessorCount} cores ({Report.Cpu()}), {memory:N0} GiB of memory, shared with other work |");
        s.AppendLine(CultureInfo.InvariantCulture, $"| Operating system | {RuntimeInformation.OSDescription} |");
        s.AppendLine(CultureInfo.InvariantCulture, $"| .NET | {RuntimeInformation.FrameworkDescription}, Release build, server GC |");
        s.AppendLine(CultureInfo.InvariantCulture, $"| EF Core | {Report.Version(typeof(DbContext).Assembly)} |");
        s.AppendLine(CultureInfo.InvariantCulture, $"| Requests | {options.Warmup} untimed, then {options.Requests} timed per page, one after another from one signed-in client |");
        if (options.Scale < 1)
        {
            s.AppendLine();
            s.AppendLine(CultureInfo.InvariantCulture, $"**Trial run at {options.Scale:P0} of the full dataset: these numbers do not show the targets are met.**");
        }

        return s.ToString();
    }

    private static string Ms(double value) => value.ToString(value < 10 ? "N1" : "N0", CultureInfo.InvariantCulture);

    private static string Section(AuditsResult r, BenchOptions options)
    {
        var z = r.Size;
        var s = new StringBuilder();
        var trial = options.Scale < 1 ? string.Create(CultureInfo.InvariantCulture, $" Trial run at {options.Scale:P0} of the full dataset.") : "";
        s.AppendLine(CultureInfo.InvariantCulture,
            $"Run {r.FinishedAt:yyyy-MM-dd HH:mm} UTC on {r.DatabaseVersion}; one-minute load average {r.LoadBefore} before and {r.LoadAfter} after the timed work.{trial}");
        s.AppendLine();
        s.AppendLine(CultureInfo.InvariantCulture,
            $"Dataset: {z.Cycles} certification cycles, {z.Audits} internal audits ({z.ReportedAudits} reported, {z.ChecklistItems:N0} checklist items, {z.InProgressItems} of them in the audit in progress), {z.Nonconformities:N0} nonconformities ({z.OpenNonconformities:N0} open) with {z.Rounds:N0} rounds and {z.Actions:N0} corrective actions, {z.Activities} activities with {z.Occurrences:N0} occurrences, {z.EvidenceItems:N0} evidence items. Seeded in {r.SeedTime.TotalSeconds:N0} s.");
        if (r.Reviews is { } g)
        {
            s.AppendLine();
            s.AppendLine(CultureInfo.InvariantCulture,
                $"Grown for the management review: {g.EvidenceItems:N0} evidence items in all, {g.Risks:N0} risks with {g.RiskRevisions:N0} revisions, {g.ContextEntries} context entries with their reviews, {g.MeasureValues:N0} measure values, a review held a year ago with 12 decisions.");
        }

        s.AppendLine();
        s.AppendLine("| What | Request | Rows | Server median (ms) | Server p95 (ms) | Min–max (ms) | Client median (ms) | Target (median) | Result |");
        s.AppendLine("| --- | --- | ---: | ---: | ---: | ---: | ---: | ---: | --- |");
        foreach (var x in r.Scenarios)
        {
            var path = x.Scenario.Path.Replace("|", "\\|", StringComparison.Ordinal);
            var none = double.IsPositiveInfinity(x.Scenario.TargetMs);
            s.AppendLine(CultureInfo.InvariantCulture,
                $"| {x.Scenario.Name} | `{(path.StartsWith("in-process:", StringComparison.Ordinal) ? path : "GET " + path)}` | {(x.Total is { } t ? t.ToString("N0", CultureInfo.InvariantCulture) : "")} | {Ms(x.Median)} | {Ms(x.P95)} | {Ms(x.Min)}–{Ms(x.Max)} | {Ms(x.ClientMedian)} | {(none ? "none" : string.Create(CultureInfo.InvariantCulture, $"< {x.Scenario.TargetMs:N0} ms"))} | {(none ? "" : x.Passed ? "pass" : "**fail**")} |");
        }

        return s.ToString();
    }
}

using System.Globalization;
using System.Runtime.InteropServices;
using System.Text;
using Microsoft.EntityFrameworkCore;

namespace Perennial.Benchmarks;

/// <summary>Updates the calendar's generated parts of docs/PERFORMANCE.md (markers <c>benchmark:calendar-…</c>).</summary>
internal static class CalendarReport
{
    public static void Write(string path, IReadOnlyList<CalendarResult> results, BenchOptions options)
    {
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        var text = File.Exists(path) ? File.ReadAllText(path) : "# Performance\n";
        text = Report.Replace(text, "calendar-environment", Environment(results, options));
        foreach (var result in results)
        {
            text = Report.Replace(text, "calendar-" + result.Provider, Section(result, options));
        }

        File.WriteAllText(path, text.ReplaceLineEndings("\n"));
    }

    private static string Environment(IReadOnlyList<CalendarResult> results, BenchOptions options)
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
        s.AppendLine(CultureInfo.InvariantCulture, $"| Ical.Net | {Report.Version(typeof(Ical.Net.CalendarComponents.CalendarEvent).Assembly)} |");
        s.AppendLine(CultureInfo.InvariantCulture, $"| Requests | {options.Warmup} untimed, then {options.Requests} timed per page, one after another from one signed-in client; sweeps and expansions {options.Warmup} untimed, then 10 timed |");
        if (options.Scale < 1)
        {
            s.AppendLine();
            s.AppendLine(CultureInfo.InvariantCulture, $"**Trial run at {options.Scale:P0} of the full dataset: these numbers do not show the targets are met.**");
        }

        return s.ToString();
    }

    private static string Target(double ms) => double.IsPositiveInfinity(ms) ? "none" : string.Create(CultureInfo.InvariantCulture, $"< {ms:N0} ms");

    private static string Ms(double value) => value.ToString(value < 10 ? "N1" : "N0", CultureInfo.InvariantCulture);

    private static string Section(CalendarResult r, BenchOptions options)
    {
        var size = r.Size;
        var s = new StringBuilder();
        var trial = options.Scale < 1 ? string.Create(CultureInfo.InvariantCulture, $" Trial run at {options.Scale:P0} of the full dataset.") : "";
        s.AppendLine(CultureInfo.InvariantCulture,
            $"Run {r.FinishedAt:yyyy-MM-dd HH:mm} UTC on {r.DatabaseVersion}; cycle {r.CycleStart:yyyy-MM-dd} to {r.CycleEnd:yyyy-MM-dd}; one-minute load average {r.LoadBefore} before and {r.LoadAfter} after the timed work.{trial}");
        s.AppendLine();
        s.AppendLine(CultureInfo.InvariantCulture,
            $"Dataset: {size.Activities} activities, {size.Occurrences:N0} occurrences ({size.InCycle:N0} due within the cycle), {size.Completed:N0} completed, {size.Skipped:N0} skipped, {size.OpenPast:N0} past and still open, {size.Evidence:N0} evidence items. Seeded through `ActivityService.CreateAsync` in {r.SeedTime.TotalSeconds:N0} s; the first sweep afterwards took {Ms(r.FirstSweepMs)} ms, raised {r.FirstSweep.NonconformitiesRaised} nonconformities and queued {r.FirstSweep.Queued:N0} reminders.");
        s.AppendLine();
        s.AppendLine("| What | Request | Rows | Server median (ms) | Server p95 (ms) | Min–max (ms) | Client median (ms) | Target (median) | Result | × bare Ical.Net |");
        s.AppendLine("| --- | --- | ---: | ---: | ---: | ---: | ---: | ---: | --- | ---: |");
        var floor = r.Expansion.Median;
        foreach (var x in r.Scenarios)
        {
            var path = x.Scenario.Path.Replace("|", "\\|", StringComparison.Ordinal);
            s.AppendLine(CultureInfo.InvariantCulture,
                $"| {x.Scenario.Name} | `GET {path}` | {(x.Total is { } t ? t.ToString("N0", CultureInfo.InvariantCulture) : "")} | {Ms(x.Median)} | {Ms(x.P95)} | {Ms(x.Min)}–{Ms(x.Max)} | {Ms(x.ClientMedian)} | {Target(x.Scenario.TargetMs)} | {(double.IsPositiveInfinity(x.Scenario.TargetMs) ? "" : x.Passed ? "pass" : "**fail**")} | {x.Median / floor:N1} |");
        }

        foreach (var sweep in r.Sweeps)
        {
            s.AppendLine(CultureInfo.InvariantCulture,
                $"| {sweep.Name} | in process: {sweep.Detail} | | {Ms(sweep.Median)} | {Ms(sweep.P95)} | {Ms(sweep.Ms.Min())}–{Ms(sweep.Ms.Max())} | | < {sweep.TargetMs:N0} ms | {(sweep.Passed ? "pass" : "**fail**")} | {sweep.Median / floor:N1} |");
        }

        s.AppendLine(CultureInfo.InvariantCulture,
            $"| {r.Expansion.Name} | in process: {r.Expansion.Detail} over the cycle | {r.ExpandedOccurrences:N0} | {Ms(floor)} | {Ms(r.Expansion.P95)} | {Ms(r.Expansion.Ms.Min())}–{Ms(r.Expansion.Ms.Max())} | | | | 1.0 |");
        return s.ToString();
    }
}

using System.Globalization;
using System.Reflection;
using System.Runtime.InteropServices;
using System.Text;
using Microsoft.EntityFrameworkCore;

namespace Perennial.Benchmarks;

/// <summary>
/// Updates the generated parts of docs/PERFORMANCE.md (between <c>&lt;!-- benchmark:NAME:start --&gt;</c>
/// and <c>&lt;!-- benchmark:NAME:end --&gt;</c>) and leaves the written text around them alone.
/// </summary>
internal static class Report
{
    public static void Write(string path, IReadOnlyList<ProviderResult> results, BenchOptions options)
    {
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        var text = File.Exists(path) ? File.ReadAllText(path) : Template();
        text = Replace(text, "environment", Environment(results, options));
        foreach (var result in results)
        {
            text = Replace(text, result.Provider, Section(result, options));
        }

        File.WriteAllText(path, text.ReplaceLineEndings("\n"));
    }

    internal static string Replace(string text, string name, string content)
    {
        var start = $"<!-- benchmark:{name}:start -->";
        var end = $"<!-- benchmark:{name}:end -->";
        var from = text.IndexOf(start, StringComparison.Ordinal);
        var to = text.IndexOf(end, StringComparison.Ordinal);
        if (from < 0 || to < from)
        {
            return text.TrimEnd() + $"\n\n{start}\n{content.TrimEnd()}\n{end}\n";
        }

        return text[..(from + start.Length)] + "\n" + content.TrimEnd() + "\n" + text[to..];
    }

    private static string Environment(IReadOnlyList<ProviderResult> results, BenchOptions options)
    {
        var size = results[0].Size;
        var memory = GC.GetGCMemoryInfo().TotalAvailableMemoryBytes / (1024.0 * 1024 * 1024);
        var s = new StringBuilder();
        s.AppendLine(CultureInfo.InvariantCulture, $"Last run {TimeProvider.System.GetUtcNow():yyyy-MM-dd HH:mm} UTC: `dotnet run -c Release --project bench/Perennial.Benchmarks -- {options.Arguments}`.");
        s.AppendLine();
        s.AppendLine("| | |");
        s.AppendLine("| --- | --- |");
        s.AppendLine(CultureInfo.InvariantCulture, $"| Machine | {System.Environment.ProcessorCount} cores ({Cpu()}), {memory:N0} GiB of memory, shared with other work |");
        s.AppendLine(CultureInfo.InvariantCulture, $"| Operating system | {RuntimeInformation.OSDescription} |");
        s.AppendLine(CultureInfo.InvariantCulture, $"| .NET | {RuntimeInformation.FrameworkDescription}, Release build, server GC |");
        s.AppendLine(CultureInfo.InvariantCulture, $"| EF Core | {Version(typeof(DbContext).Assembly)} |");
        s.AppendLine(CultureInfo.InvariantCulture, $"| Database drivers | Npgsql {Version(typeof(Npgsql.NpgsqlConnection).Assembly)}, Microsoft.Data.Sqlite {Version(typeof(Microsoft.Data.Sqlite.SqliteConnection).Assembly)} |");
        s.AppendLine(CultureInfo.InvariantCulture, $"| Dataset | {size.Risks:N0} risks with {size.RevisionsPerRisk} revisions each ({size.Risks * size.RevisionsPerRisk:N0} revision rows), {size.Assets:N0} assets, {size.Changes:N0} changes; one organisation with 9 members, 7 of whom own the risks and assets |");
        s.AppendLine(CultureInfo.InvariantCulture, $"| Requests | {options.Warmup} untimed, then {options.Requests} timed per page, one after another from one signed-in client |");
        if (options.Scale < 1)
        {
            s.AppendLine();
            s.AppendLine(CultureInfo.InvariantCulture, $"**Trial run at {options.Scale:P0} of the full dataset: these numbers do not show the targets are met.**");
        }

        return s.ToString();
    }

    private static string Section(ProviderResult result, BenchOptions options)
    {
        static string Ms(double value) => value.ToString(value < 10 ? "N1" : "N0", CultureInfo.InvariantCulture);
        var s = new StringBuilder();
        var trial = options.Scale < 1 ? string.Create(CultureInfo.InvariantCulture, $" Trial run at {options.Scale:P0} of the full dataset.") : "";
        s.AppendLine(CultureInfo.InvariantCulture,
            $"Run {result.FinishedAt:yyyy-MM-dd HH:mm} UTC on {result.DatabaseVersion}; seeded in {result.SeedTime.TotalSeconds:N0} s; register as at {result.AsOf:yyyy-MM-dd}; one-minute load average {result.LoadBefore} before and {result.LoadAfter} after the timed requests.{trial}");
        s.AppendLine();
        s.AppendLine("| Page | Request | Rows matched | Server median (ms) | Server p95 (ms) | Min–max (ms) | Client median (ms) | Target (median) | Result |");
        s.AppendLine("| --- | --- | ---: | ---: | ---: | ---: | ---: | ---: | --- |");
        foreach (var r in result.Scenarios)
        {
            var path = r.Scenario.Path.Replace("|", "\\|", StringComparison.Ordinal);
            s.AppendLine(CultureInfo.InvariantCulture,
                $"| {r.Scenario.Name} | `GET {path}` | {(r.Total is { } t ? t.ToString("N0", CultureInfo.InvariantCulture) : "")} | {Ms(r.Median)} | {Ms(r.P95)} | {Ms(r.Min)}–{Ms(r.Max)} | {Ms(r.ClientMedian)} | < {r.Scenario.TargetMs:N0} ms | {(r.Passed ? "pass" : "**fail**")} |");
        }

        return s.ToString();
    }

    internal static string Cpu()
    {
        try
        {
            var line = File.ReadLines("/proc/cpuinfo").FirstOrDefault(l => l.StartsWith("model name", StringComparison.Ordinal));
            return line is null ? RuntimeInformation.ProcessArchitecture.ToString() : line[(line.IndexOf(':', StringComparison.Ordinal) + 1)..].Trim();
        }
        catch (IOException)
        {
            return RuntimeInformation.ProcessArchitecture.ToString();
        }
        catch (UnauthorizedAccessException)
        {
            return RuntimeInformation.ProcessArchitecture.ToString();
        }
    }

    internal static string Version(Assembly assembly)
    {
        var version = assembly.GetCustomAttribute<AssemblyInformationalVersionAttribute>()?.InformationalVersion ?? assembly.GetName().Version?.ToString() ?? "?";
        var plus = version.IndexOf('+', StringComparison.Ordinal);
        return plus < 0 ? version : version[..plus];
    }

    private static string Template() => """
        # Performance

        The risk register at scale, measured by `bench/Perennial.Benchmarks`.

        ## Results

        <!-- benchmark:environment:start -->
        <!-- benchmark:environment:end -->

        ### SQLite

        <!-- benchmark:sqlite:start -->
        Not run yet.
        <!-- benchmark:sqlite:end -->

        ### PostgreSQL

        <!-- benchmark:postgres:start -->
        Not run yet.
        <!-- benchmark:postgres:end -->
        """;
}

using Perennial.Data;

namespace Perennial.Benchmarks;

/// <summary>Which benchmarks to run.</summary>
[Flags]
internal enum Suites
{
    Risks = 1,
    Calendar = 2,
    Both = Risks | Calendar,

    /// <summary>Evidence ingest (SQLite only, whatever --provider says).</summary>
    Evidence = 4,

    /// <summary>The internal audit programme and the nonconformity log.</summary>
    Audits = 8,

    /// <summary>The management review pack and the measures, on the audits dataset grown to three busy years.</summary>
    Reviews = 16,

    /// <summary>Readiness with its forecast for a busy organisation.</summary>
    Readiness = 32,

    /// <summary>The audit pack's write rate against tar over the same evidence files (SQLite only).</summary>
    AuditPack = 64,
}

internal sealed record BenchOptions(IReadOnlyList<DatabaseProvider> Providers, int Requests, int Warmup, double Scale, string? Output, bool Keep)
{
    public Suites Suites { get; init; } = Suites.Both;

    /// <summary>Size of each large file for the ingest measurement, in MB (before --scale).</summary>
    public int EvidenceLargeMb { get; init; } = 256;

    public int EvidenceLargeFiles { get; init; } = 3;

    /// <summary>Size of the file uploaded while memory is sampled, in MB (before --scale).</summary>
    public int EvidenceMemoryMb { get; init; } = 1024;

    /// <summary>Small items sent through the API for the items-per-second measurement (before --scale).</summary>
    public int EvidenceSmallItems { get; init; } = 5000;

    /// <summary>Parallel clients sending small items, as a CI fleet would.</summary>
    public int EvidenceClients { get; init; } = 16;

    /// <summary>The command line as given, for the report.</summary>
    public string Arguments { get; init; } = "";

    public const string Usage = """
        Usage: dotnet run -c Release --project bench/Perennial.Benchmarks -- [options]
          --suite risks|calendar|both|evidence|audits|reviews|readiness|audit-pack   which benchmark: the risk register, the maintenance calendar, both, evidence ingest (SQLite), the audit programme and nonconformity log, the management review pack and measures, readiness with its forecast, or the audit pack against tar (SQLite) (default both)
          --clients N                       parallel clients for the small evidence items (default 16)
          --provider sqlite|postgres|both   database(s) to run on (default both)
          --requests N                      timed requests per page, at least 30 (default 50)
          --warmup N                        untimed requests per page first (default 5)
          --scale X                         dataset size relative to the full one, for trial runs (default 1)
          --output PATH                     the report to update (default docs/PERFORMANCE.md of this repository)
          --no-report                       print the results only
          --keep                            keep the database afterwards, to look at query plans
        PostgreSQL is reached as the tests do: PERENNIAL_TEST_POSTGRES, or perennial/perennial on 127.0.0.1:5432.
        """;

    public static BenchOptions? Parse(string[] args, TextWriter error)
    {
        DatabaseProvider[] providers = [DatabaseProvider.Sqlite, DatabaseProvider.Postgres];
        var requests = 50;
        var warmup = 5;
        var scale = 1.0;
        var output = DefaultOutput();
        var keep = false;
        var suites = Suites.Both;
        var clients = 16;
        for (var i = 0; i < args.Length; i++)
        {
            string Value() => i + 1 < args.Length ? args[++i] : throw new ArgumentException($"{args[i]} needs a value.");
            try
            {
                switch (args[i])
                {
                    case "--provider":
                        providers = Value() switch
                        {
                            "sqlite" => [DatabaseProvider.Sqlite],
                            "postgres" => [DatabaseProvider.Postgres],
                            "both" => [DatabaseProvider.Sqlite, DatabaseProvider.Postgres],
                            var other => throw new ArgumentException($"Unknown provider '{other}'."),
                        };
                        break;
                    case "--suite":
                        suites = Value() switch
                        {
                            "risks" => Suites.Risks,
                            "calendar" => Suites.Calendar,
                            "both" => Suites.Both,
                            "evidence" => Suites.Evidence,
                            "audits" => Suites.Audits,
                            "reviews" => Suites.Reviews,
                            "readiness" => Suites.Readiness,
                            "audit-pack" => Suites.AuditPack,
                            var other => throw new ArgumentException($"Unknown suite '{other}'."),
                        };
                        break;
                    case "--clients":
                        clients = int.Parse(Value(), System.Globalization.CultureInfo.InvariantCulture);
                        break;
                    case "--requests":
                        requests = int.Parse(Value(), System.Globalization.CultureInfo.InvariantCulture);
                        break;
                    case "--warmup":
                        warmup = int.Parse(Value(), System.Globalization.CultureInfo.InvariantCulture);
                        break;
                    case "--scale":
                        scale = double.Parse(Value(), System.Globalization.CultureInfo.InvariantCulture);
                        break;
                    case "--output":
                        output = Path.GetFullPath(Value());
                        break;
                    case "--no-report":
                        output = null;
                        break;
                    case "--keep":
                        keep = true;
                        break;
                    case "--help" or "-h":
                        error.WriteLine(Usage);
                        return null;
                    default:
                        throw new ArgumentException($"Unknown option '{args[i]}'.");
                }
            }
            catch (Exception e) when (e is ArgumentException or FormatException)
            {
                error.WriteLine(e.Message);
                error.WriteLine(Usage);
                return null;
            }
        }

        if (requests < 30 || warmup < 0 || scale is <= 0 or > 1 || clients is < 1 or > 64)
        {
            error.WriteLine("--requests is at least 30, --warmup at least 0, --scale above 0 and at most 1, --clients from 1 to 64.");
            return null;
        }

        return new BenchOptions(providers, requests, warmup, scale, output, keep) { Arguments = string.Join(" ", args), Suites = suites, EvidenceClients = clients };
    }

    /// <summary>docs/PERFORMANCE.md in the repository this is run from.</summary>
    private static string? DefaultOutput()
    {
        for (var dir = new DirectoryInfo(Environment.CurrentDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "Perennial.sln")))
            {
                return Path.Combine(dir.FullName, "docs", "PERFORMANCE.md");
            }
        }

        return null;
    }
}

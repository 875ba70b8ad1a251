using Perennial.Benchmarks;

// Times the risk register and the maintenance calendar at scale on SQLite and PostgreSQL and writes docs/PERFORMANCE.md.
//   dotnet run -c Release --project bench/Perennial.Benchmarks -- --suite risks|calendar|both|evidence|audits|reviews|readiness|audit-pack --provider sqlite|postgres|both
if (BenchOptions.Parse(args, Console.Error) is not { } options)
{
    return 2;
}

var risks = new List<ProviderResult>();
var calendar = new List<CalendarResult>();
var audits = new List<AuditsResult>();
var reviews = new List<AuditsResult>();
var readiness = new List<AuditsResult>();
foreach (var provider in options.Providers)
{
    if (options.Suites.HasFlag(Suites.Risks))
    {
        risks.Add(await new ProviderRun(options, Console.Out).RunAsync(provider, CancellationToken.None));
    }

    if (options.Suites.HasFlag(Suites.Calendar))
    {
        calendar.Add(await new CalendarRun(options, Console.Out).RunAsync(provider, CancellationToken.None));
    }

    if (options.Suites.HasFlag(Suites.Audits))
    {
        audits.Add(await new AuditsRun(options, Console.Out).RunAsync(provider, CancellationToken.None));
    }

    if (options.Suites.HasFlag(Suites.Reviews))
    {
        reviews.Add(await new AuditsRun(options, Console.Out, reviews: true).RunAsync(provider, CancellationToken.None));
    }

    if (options.Suites.HasFlag(Suites.Readiness))
    {
        readiness.Add(await new AuditsRun(options, Console.Out, readiness: true).RunAsync(provider, CancellationToken.None));
    }
}

EvidenceResult? evidence = null;
if (options.Suites.HasFlag(Suites.Evidence))
{
    evidence = await new EvidenceRun(options, Console.Out).RunAsync(CancellationToken.None);
}

PackBenchResult? pack = null;
if (options.Suites.HasFlag(Suites.AuditPack))
{
    pack = await new AuditPackRun(options, Console.Out).RunAsync(CancellationToken.None);
}

if (options.Output is { } output)
{
    if (evidence is not null)
    {
        EvidenceReport.Write(output, evidence, options);
    }

    if (risks.Count > 0)
    {
        Report.Write(output, risks, options);
    }

    if (calendar.Count > 0)
    {
        CalendarReport.Write(output, calendar, options);
    }

    if (audits.Count > 0)
    {
        AuditsReport.Write(output, audits, options);
    }

    if (reviews.Count > 0)
    {
        AuditsReport.Write(output, reviews, options, "reviews");
    }

    if (readiness.Count > 0)
    {
        AuditsReport.Write(output, readiness, options, "readiness");
    }

    if (pack is not null)
    {
        AuditPackReport.Write(output, pack, options);
    }

    Console.WriteLine($"Results written to {output}");
}

return risks.SelectMany(r => r.Scenarios).All(s => s.Passed) && calendar.All(c => c.Passed) && audits.All(a => a.Passed) && reviews.All(a => a.Passed) && readiness.All(a => a.Passed) && evidence?.Passed != false && pack?.Passed != false ? 0 : 1;

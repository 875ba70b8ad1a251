using Perennial.Benchmarks;

// Times the risk register at scale on SQLite and PostgreSQL and writes docs/PERFORMANCE.md.
//   dotnet run -c Release --project bench/Perennial.Benchmarks -- --provider sqlite|postgres|both
if (BenchOptions.Parse(args, Console.Error) is not { } options)
{
    return 2;
}

var results = new List<ProviderResult>();
foreach (var provider in options.Providers)
{
    var run = new ProviderRun(options, Console.Out);
    results.Add(await run.RunAsync(provider, CancellationToken.None));
}

if (options.Output is { } output)
{
    Report.Write(output, results, options);
    Console.WriteLine($"Results written to {output}");
}

return results.SelectMany(r => r.Scenarios).All(s => s.Passed) ? 0 : 1;

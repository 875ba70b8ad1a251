using System.Diagnostics;
using System.Globalization;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Perennial.Accounts;
using Perennial.Data;
using Perennial.Frameworks;
using Perennial.Organisations;
using Perennial.Risks;

namespace Perennial.Benchmarks;

/// <summary>A page or API call that is timed, and the server time its median must stay under.</summary>
internal sealed record Scenario(string Name, string Path, double TargetMs);

/// <summary>Server-side times of one scenario, in milliseconds.</summary>
internal sealed record ScenarioResult(Scenario Scenario, IReadOnlyList<double> ServerMs, IReadOnlyList<double> ClientMs, long ResponseBytes, int? Total)
{
    public double Median => Percentile(ServerMs, 0.5);
    public double P95 => Percentile(ServerMs, 0.95);
    public double Min => ServerMs.Min();
    public double Max => ServerMs.Max();
    public double ClientMedian => Percentile(ClientMs, 0.5);
    public bool Passed => Median < Scenario.TargetMs;

    /// <summary>Nearest-rank percentile, with the median of an even count taken between its two middle values.</summary>
    public static double Percentile(IReadOnlyList<double> values, double p)
    {
        var sorted = values.Order().ToArray();
        if (p == 0.5 && sorted.Length % 2 == 0)
        {
            return (sorted[(sorted.Length / 2) - 1] + sorted[sorted.Length / 2]) / 2;
        }

        var rank = (int)Math.Ceiling(p * sorted.Length);
        return sorted[Math.Clamp(rank - 1, 0, sorted.Length - 1)];
    }
}

internal sealed record ProviderResult(
    string Provider, string DatabaseVersion, DatasetSize Size, TimeSpan SeedTime, DateOnly AsOf, string LoadBefore, string LoadAfter, IReadOnlyList<ScenarioResult> Scenarios)
{
    public DateTimeOffset FinishedAt { get; } = TimeProvider.System.GetUtcNow();
}

/// <summary>One provider's run: fresh database, seed, start the app on a loopback port, sign in, time the pages.</summary>
internal sealed class ProviderRun(BenchOptions options, TextWriter log)
{
    private const string Slug = "bench";
    private const string Password = "Correct-horse-battery-9";
    private const string SignInEmail = "isms.manager@bench.example";

    public async Task<ProviderResult> RunAsync(DatabaseProvider provider, CancellationToken ct)
    {
        await using var database = await BenchDatabase.CreateAsync(provider);
        database.Keep = options.Keep;
        await log.WriteLineAsync($"[{database.ProviderName}] database {database.PostgresName ?? database.ConnectionString}");

        var timings = new ServerTimings();
        await using var app = await BenchHost.BuildAsync(database, timings, ct);

        var seedClock = Stopwatch.StartNew();
        var (owners, size) = await SeedAsync(app.Services, ct);
        seedClock.Stop();
        var databaseVersion = await BenchHost.PrepareStatisticsAsync(app.Services, provider, ct);
        await log.WriteLineAsync($"[{database.ProviderName}] seeded in {seedClock.Elapsed.TotalSeconds:N0} s");

        await app.StartAsync(ct);
        try
        {
            var address = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();
            using var client = await BenchHost.SignInAsync(new Uri(address), SignInEmail, Password, ct);
            var today = DateOnly.FromDateTime(TimeProvider.System.GetUtcNow().UtcDateTime);
            var asOf = today.AddYears(-1);
            var owner = owners.First(o => o.Email != SignInEmail).UserId;
            var filter = $"owner={owner}&level=High&sort=residual&desc=true";
            var date = asOf.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture);
            Scenario[] scenarios =
            [
                new("Register, first page", $"/o/{Slug}/risks", 100),
                new("Register, filtered page", $"/o/{Slug}/risks?{filter}", 100),
                new("Heat map", $"/o/{Slug}/risks/heatmap", 100),
                new("Register as at a date (API)", $"/api/v1/orgs/{Slug}/risks?asOf={date}", 500),
                new("Register as at a date (page)", $"/o/{Slug}/risks/history?date={date}", 500),
                new("API list, first page", $"/api/v1/orgs/{Slug}/risks", 100),
                new("API list, filtered page", $"/api/v1/orgs/{Slug}/risks?{filter}", 100),
                new("API heat map", $"/api/v1/orgs/{Slug}/risks/heatmap", 100),
            ];

            var loadBefore = BenchHost.LoadAverage();
            var results = await BenchHost.MeasureAsync(client, timings, scenarios, options, ct);
            var loadAfter = BenchHost.LoadAverage();
            foreach (var result in results)
            {
                var scenario = result.Scenario;
                await log.WriteLineAsync(FormattableString.Invariant(
                    $"[{database.ProviderName}] {scenario.Name,-30} median {result.Median,7:N1} ms  p95 {result.P95,7:N1} ms  (target {scenario.TargetMs} ms: {(result.Passed ? "pass" : "FAIL")}){(result.Total is { } total ? $"  {total:N0} rows" : "")}"));
            }

            return new ProviderResult(database.ProviderName, databaseVersion, size, seedClock.Elapsed, asOf, loadBefore, loadAfter, results);
        }
        finally
        {
            await app.StopAsync(CancellationToken.None);
        }
    }

    /// <summary>An organisation and its members through the app's services, then the bulk seed.</summary>
    private async Task<(IReadOnlyList<Owner> Owners, DatasetSize Size)> SeedAsync(IServiceProvider services, CancellationToken ct)
    {
        (string Email, string Name, OrgRole Role)[] people =
        [
            (SignInEmail, "Isabel Manager", OrgRole.Manager),
            ("eng.lead@bench.example", "Eduardo Engineer", OrgRole.Contributor),
            ("it.admin@bench.example", "Ines Admin", OrgRole.Contributor),
            ("hr.lead@bench.example", "Helena People", OrgRole.Contributor),
            ("finance.lead@bench.example", "Filipe Finance", OrgRole.Contributor),
            ("sales.lead@bench.example", "Sofia Sales", OrgRole.Contributor),
            ("support.lead@bench.example", "Sergio Support", OrgRole.Contributor),
            ("auditor@bench.example", "Ana Auditor", OrgRole.Auditor),
        ];

        await using var scope = services.CreateAsyncScope();
        var accounts = scope.ServiceProvider.GetRequiredService<AccountService>();
        var organisations = scope.ServiceProvider.GetRequiredService<OrganisationService>();
        var admin = await accounts.CreateAsync("admin@bench.example", "Bench Administrator", Password, installationAdmin: true, ct);
        var organisation = await organisations.CreateAsync(Slug, "Benchmark Ltd", admin.User.Id, isDemo: false, ct);
        var owners = new List<Owner>();
        foreach (var (email, name, role) in people)
        {
            var account = await accounts.CreateAsync(email, name, Password, installationAdmin: false, ct);
            await organisations.AddMemberAsync(organisation.Id, email, role, null, ct);
            if (role != OrgRole.Auditor)
            {
                owners.Add(new Owner(account.User.Id, email, name));
            }
        }

        var method = await scope.ServiceProvider.GetRequiredService<RiskService>().CurrentMethodAsync(organisation.Id, ct);
        var db = scope.ServiceProvider.GetRequiredService<PerennialDbContext>();
        var controls = (await db.Controls.AsNoTracking()
            .Where(c => c.OrganisationId == organisation.Id && c.Kind == ControlKind.Control)
            .Select(c => new { c.Id, c.Identifier }).ToListAsync(ct))
            .Select(c => (c.Id, c.Identifier)).ToList();
        db.ChangeTracker.Clear();

        var size = DatasetSize.Full.Scaled(options.Scale);
        var seeder = new Seeder(db, organisation.Id, method, owners, controls, TimeProvider.System.GetUtcNow());
        await seeder.SeedAsync(size, message => log.WriteLine($"  seeded {message}"), ct);
        return (owners, size);
    }
}

using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Text.Json;
using System.Text.RegularExpressions;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Perennial.Accounts;
using Perennial.Cli;
using Perennial.Data;
using Perennial.Frameworks;
using Perennial.Hosting;
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
internal sealed partial class ProviderRun(BenchOptions options, TextWriter log)
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
        var builder = PerennialWebApp.CreateBuilder(
        [
            $"--Perennial:Database:Provider={database.ProviderName}",
            $"--Perennial:Database:ConnectionString={database.ConnectionString}",
            "--Perennial:Database:MigrateOnStart=true",
            $"--Perennial:DataDirectory={database.DataDirectory}",
            "--Logging:LogLevel:Default=Warning",
            // Migrating a new database logs the failed look-up of its migrations table; the keys of
            // a throw-away database need no encryption at rest.
            "--Logging:LogLevel:Microsoft.EntityFrameworkCore.Database.Command=Critical",
            "--Logging:LogLevel:Microsoft.AspNetCore.DataProtection=Error",
            "--Logging:Console:FormatterName=simple",
            // Background jobs (the daily occurrence horizon over every activity) would run beside the timings.
            "--Perennial:Scheduler:Enabled=false",
            "--urls=http://127.0.0.1:0",
        ]);
        builder.Logging.SetMinimumLevel(LogLevel.Warning);
        await using var app = builder.Build();
        // In front of everything the app does, so the time covers its whole pipeline.
        app.Use(timings.MiddlewareAsync);
        app.UsePerennial();
        await ServeCommand.PrepareDatabaseAsync(app.Services, ct);

        var seedClock = Stopwatch.StartNew();
        var (owners, size) = await SeedAsync(app.Services, ct);
        seedClock.Stop();
        var databaseVersion = await PrepareStatisticsAsync(app.Services, provider, ct);
        await log.WriteLineAsync($"[{database.ProviderName}] seeded in {seedClock.Elapsed.TotalSeconds:N0} s");

        await app.StartAsync(ct);
        try
        {
            var address = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();
            using var client = await SignInAsync(new Uri(address), ct);
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

            var loadBefore = LoadAverage();
            var results = await MeasureAsync(client, timings, scenarios, ct);
            var loadAfter = LoadAverage();
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

    /// <summary>
    /// On PostgreSQL, VACUUM ANALYZE after the bulk load, as autovacuum would do shortly after it on a
    /// real server. SQLite gets no ANALYZE: the app never runs one, so its planner has no statistics.
    /// </summary>
    private static async Task<string> PrepareStatisticsAsync(IServiceProvider services, DatabaseProvider provider, CancellationToken ct)
    {
        await using var scope = services.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<PerennialDbContext>();
        var connection = db.Database.GetDbConnection();
        await db.Database.OpenConnectionAsync(ct);
        try
        {
            await using var command = connection.CreateCommand();
            if (provider == DatabaseProvider.Postgres)
            {
                command.CommandText = "VACUUM ANALYZE";
                await command.ExecuteNonQueryAsync(ct);
                command.CommandText = "SHOW server_version";
                return "PostgreSQL " + await command.ExecuteScalarAsync(ct);
            }

            command.CommandText = "SELECT sqlite_version()";
            return "SQLite " + await command.ExecuteScalarAsync(ct);
        }
        finally
        {
            await db.Database.CloseConnectionAsync();
        }
    }

    /// <summary>Posts the real sign-in form and keeps the session cookie.</summary>
    private static async Task<HttpClient> SignInAsync(Uri address, CancellationToken ct)
    {
        var client = new HttpClient(new HttpClientHandler { AllowAutoRedirect = false, UseCookies = true, CookieContainer = new CookieContainer() })
        {
            BaseAddress = address,
            Timeout = TimeSpan.FromMinutes(2),
        };
        var page = await client.GetStringAsync(new Uri("/account/sign-in", UriKind.Relative), ct);
        var token = AntiforgeryField().Match(page);
        if (!token.Success)
        {
            throw new InvalidOperationException("The sign-in page has no antiforgery token.");
        }

        using var form = new FormUrlEncodedContent(new Dictionary<string, string>
        {
            ["Email"] = SignInEmail,
            ["Password"] = Password,
            ["__RequestVerificationToken"] = token.Groups[1].Value,
        });
        using var response = await client.PostAsync(new Uri("/account/sign-in", UriKind.Relative), form, ct);
        if (response.StatusCode != HttpStatusCode.Redirect)
        {
            throw new InvalidOperationException($"Signing in as {SignInEmail} answered {(int)response.StatusCode}.");
        }

        return client;
    }

    /// <summary>
    /// Requests every scenario in turn, round after round, so that anything else the machine does
    /// meanwhile (a checkpoint, another process) is spread over all of them alike.
    /// </summary>
    private async Task<IReadOnlyList<ScenarioResult>> MeasureAsync(HttpClient client, ServerTimings timings, Scenario[] scenarios, CancellationToken ct)
    {
        var server = scenarios.Select(_ => new List<double>()).ToArray();
        var round = scenarios.Select(_ => new List<double>()).ToArray();
        var last = new byte[scenarios.Length][];
        for (var i = 0; i < options.Warmup + options.Requests; i++)
        {
            for (var s = 0; s < scenarios.Length; s++)
            {
                var (serverMs, clientMs, body) = await RequestAsync(client, timings, scenarios[s], ct);
                if (i >= options.Warmup)
                {
                    server[s].Add(serverMs);
                    round[s].Add(clientMs);
                    last[s] = body;
                }
            }
        }

        return scenarios.Select((scenario, s) => new ScenarioResult(scenario, server[s], round[s], last[s].Length, Total(scenario, last[s]))).ToList();
    }

    private static async Task<(double ServerMs, double ClientMs, byte[] Body)> RequestAsync(HttpClient client, ServerTimings timings, Scenario scenario, CancellationToken ct)
    {
        var id = Guid.NewGuid().ToString("N");
        using var request = new HttpRequestMessage(HttpMethod.Get, new Uri(scenario.Path, UriKind.Relative));
        request.Headers.Add(ServerTimings.Header, id);
        var start = Stopwatch.GetTimestamp();
        using var response = await client.SendAsync(request, ct);
        var body = await response.Content.ReadAsByteArrayAsync(ct);
        var clientMs = Stopwatch.GetElapsedTime(start).TotalMilliseconds;
        var serverMs = await timings.TakeAsync(id);
        if (response.StatusCode != HttpStatusCode.OK)
        {
            throw new InvalidOperationException($"{scenario.Path} answered {(int)response.StatusCode}: {System.Text.Encoding.UTF8.GetString(body)[..Math.Min(body.Length, 500)]}");
        }

        return (serverMs, clientMs, body);
    }

    /// <summary>The API's page says how many rows the query matched: proof that the data is there.</summary>
    private static int? Total(Scenario scenario, byte[] body)
    {
        if (!scenario.Path.StartsWith("/api/", StringComparison.Ordinal))
        {
            return null;
        }

        using var json = JsonDocument.Parse(body);
        return json.RootElement.TryGetProperty("total", out var total) ? total.GetInt32() : null;
    }

    /// <summary>The machine's one-minute load average (Linux), to tell a busy machine's numbers apart.</summary>
    private static string LoadAverage()
    {
        try
        {
            return File.Exists("/proc/loadavg") ? File.ReadAllText("/proc/loadavg").Split(' ')[0] : "?";
        }
        catch (IOException)
        {
            return "?";
        }
    }

    [GeneratedRegex("name=\"__RequestVerificationToken\" type=\"hidden\" value=\"([^\"]+)\"")]
    private static partial Regex AntiforgeryField();
}

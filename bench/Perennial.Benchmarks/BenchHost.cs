using System.Diagnostics;
using System.Net;
using System.Text.Json;
using System.Text.RegularExpressions;
using Microsoft.AspNetCore.Builder;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Perennial.Cli;
using Perennial.Data;
using Perennial.Hosting;

namespace Perennial.Benchmarks;

/// <summary>What every benchmark run shares: the app built as <c>perennial serve</c> builds it, the sign-in, and the timed requests.</summary>
internal static partial class BenchHost
{
    /// <summary>The app on a fresh database, migrated, listening on a loopback port once started, with the timing middleware in front.</summary>
    public static Task<WebApplication> BuildAsync(BenchDatabase database, ServerTimings timings, CancellationToken ct) =>
        BuildAsync(database, timings, [], ct);

    /// <summary>As above, with extra settings (<c>--Section:Key=value</c>) after the benchmark's own.</summary>
    public static async Task<WebApplication> BuildAsync(BenchDatabase database, ServerTimings timings, IReadOnlyList<string> settings, CancellationToken ct)
    {
        var builder = PerennialWebApp.CreateBuilder(
        [
            $"--Perennial:Database:Provider={database.ProviderName}",
            $"--Perennial:Database:ConnectionString={database.ConnectionString}",
            "--Perennial:Database:MigrateOnStart=true",
            $"--Perennial:DataDirectory={database.DataDirectory}",
            // No background jobs: the timed requests and sweeps run alone.
            "--Perennial:Scheduler:Enabled=false",
            "--Logging:LogLevel:Default=Warning",
            // Migrating a new database logs the failed look-up of its migrations table; the keys of
            // a throw-away database need no encryption at rest.
            "--Logging:LogLevel:Microsoft.EntityFrameworkCore.Database.Command=Critical",
            "--Logging:LogLevel:Microsoft.AspNetCore.DataProtection=Error",
            "--Logging:Console:FormatterName=simple",
            "--urls=http://127.0.0.1:0",
            .. settings,
        ]);
        builder.Logging.SetMinimumLevel(LogLevel.Warning);
        if (System.Environment.GetEnvironmentVariable("BENCH_SQL") == "1")
        {
            builder.Logging.AddFilter("Microsoft.EntityFrameworkCore.Database.Command", LogLevel.Information);
        }

        var app = builder.Build();
        // In front of everything the app does, so the time covers its whole pipeline.
        app.Use(timings.MiddlewareAsync);
        app.UsePerennial();
        await ServeCommand.PrepareDatabaseAsync(app.Services, ct);
        return app;
    }

    /// <summary>
    /// On PostgreSQL, VACUUM ANALYZE after the bulk load, as autovacuum would do shortly after it on a
    /// real server. SQLite gets no ANALYZE: the app never runs one, so its planner has no statistics.
    /// </summary>
    public static async Task<string> PrepareStatisticsAsync(IServiceProvider services, DatabaseProvider provider, CancellationToken ct)
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
    public static async Task<HttpClient> SignInAsync(Uri address, string email, string password, CancellationToken ct)
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
            ["Email"] = email,
            ["Password"] = password,
            ["__RequestVerificationToken"] = token.Groups[1].Value,
        });
        using var response = await client.PostAsync(new Uri("/account/sign-in", UriKind.Relative), form, ct);
        if (response.StatusCode != HttpStatusCode.Redirect)
        {
            throw new InvalidOperationException($"Signing in as {email} answered {(int)response.StatusCode}.");
        }

        return client;
    }

    /// <summary>
    /// Requests every scenario in turn, round after round, so that anything else the machine does
    /// meanwhile (a checkpoint, another process) is spread over all of them alike.
    /// </summary>
    public static async Task<IReadOnlyList<ScenarioResult>> MeasureAsync(HttpClient client, ServerTimings timings, Scenario[] scenarios, BenchOptions options, CancellationToken ct)
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

    /// <summary>How many rows the API answered in JSON: a page's total, or a plain list's length. Proof that the data is there.</summary>
    private static int? Total(Scenario scenario, byte[] body)
    {
        if (!scenario.Path.StartsWith("/api/", StringComparison.Ordinal) || body.Length == 0 || (body[0] != (byte)'{' && body[0] != (byte)'['))
        {
            return null;
        }

        using var json = JsonDocument.Parse(body);
        return json.RootElement.ValueKind == JsonValueKind.Array ? json.RootElement.GetArrayLength()
            : json.RootElement.TryGetProperty("total", out var total) ? total.GetInt32() : null;
    }

    /// <summary>The machine's one-minute load average (Linux), to tell a busy machine's numbers apart.</summary>
    public static string LoadAverage()
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

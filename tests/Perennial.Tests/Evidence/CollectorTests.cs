#pragma warning disable CA1861 // Request bodies are written inline for readability.
using System.Diagnostics;
using System.Net;
using System.Net.Http.Json;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Perennial.Data;
using Perennial.Evidence;
using Perennial.Evidence.Collectors;
using Perennial.Organisations;
using Perennial.Scheduling;
using Perennial.Tests.Infrastructure;

namespace Perennial.Tests.Evidence;

public sealed class SqliteCollectorTests() : CollectorTests(DatabaseProvider.Sqlite);

public sealed class PostgresCollectorTests() : CollectorTests(DatabaseProvider.Postgres);

/// <summary>
/// Collectors end to end: configured through the API, run now or by the every-minute job, with real
/// programs (no shell), a real HTTP server, the real evidence store and the real outbox.
/// </summary>
public abstract class CollectorTests(DatabaseProvider provider) : IAsyncLifetime
{
    private const string Base = "/api/v1/orgs/acme";
    private TestApp app = null!;
    private Guid orgId;
    private Guid managerId;
    private HttpClient manager = null!;
    private HttpClient contributor = null!;
    private HttpClient auditor = null!;
    private string workDir = null!;

    public async ValueTask InitializeAsync()
    {
        app = await TestApp.StartAsync(provider, settings: new Dictionary<string, string?>
        {
            ["Perennial:Evidence:Collectors:AllowedPrograms:0"] = "/usr/bin/printf",
            ["Perennial:Evidence:Collectors:AllowedPrograms:1"] = "/usr/bin/cat",
            ["Perennial:Evidence:Collectors:AllowedPrograms:2"] = "/usr/bin/sleep",
            ["Perennial:Evidence:Collectors:AllowedPrograms:3"] = "/usr/bin/env",
        }, services: s =>
        {
            s.AddSingleton<IEvidenceCollector, ExplodingCollector>();
            s.AddSingleton<IEvidenceCollector, UnreadableSnapshotCollector>();
        });
        var admin = await app.CreateUserAsync("admin@acme.test");
        orgId = (await app.CreateOrganisationAsync("acme", admin.Id)).Id;
        managerId = (await app.CreateUserAsync("manager@acme.test")).Id;
        await app.AddMemberAsync(orgId, "manager@acme.test", OrgRole.Manager);
        var c = await app.CreateUserAsync("contributor@acme.test");
        await app.AddMemberAsync(orgId, "contributor@acme.test", OrgRole.Contributor);
        var a = await app.CreateUserAsync("auditor@acme.test");
        await app.AddMemberAsync(orgId, "auditor@acme.test", OrgRole.Auditor);
        manager = app.CreateApiClient(await app.CreateTokenAsync(managerId));
        contributor = app.CreateApiClient(await app.CreateTokenAsync(c.Id));
        auditor = app.CreateApiClient(await app.CreateTokenAsync(a.Id));
        workDir = Directory.CreateTempSubdirectory("perennial-collector-test-").FullName;
    }

    public async ValueTask DisposeAsync()
    {
        await app.DisposeAsync();
        Directory.Delete(workDir, recursive: true);
    }

    [Fact]
    public async Task A_command_collectors_output_is_stored_with_its_real_sha256_on_the_activitys_current_occurrence_and_no_shell_reads_its_arguments()
    {
        var activity = await PostAsync(manager, $"{Base}/activities", new
        {
            title = "Container image scan",
            ownerEmail = "manager@acme.test",
            rrule = "FREQ=MONTHLY;BYMONTHDAY=-1",
            dtStart = "2026-01-31T09:00:00",
            timeZone = "UTC",
        });
        var activityId = activity.GetProperty("id").GetGuid();
        var occurrences = await GetAsync(auditor, $"{Base}/activities/{activityId}/occurrences?from=2026-03-01&to=2026-12-31");
        var currentOccurrence = occurrences.EnumerateArray().First().GetProperty("id").GetGuid();

        var collector = await PostAsync(manager, $"{Base}/collectors", new
        {
            name = "Image scan",
            kind = "command",
            settings = new
            {
                program = "/usr/bin/printf",
                arguments = new[] { "%s|%s|%s", "$(touch pwned)", "a b; touch pwned2", "*" },
                workingDirectory = workDir,
                fileName = "scan.txt",
            },
            rrule = "FREQ=DAILY;BYHOUR=2",
            activityId,
        });
        var run = await PostAsync(manager, $"{Base}/collectors/{collector.GetProperty("id").GetGuid()}/run", new { }, HttpStatusCode.OK);
        Assert.Equal("succeeded", run.GetProperty("outcome").GetString());
        Assert.Equal(1, run.GetProperty("itemsProduced").GetInt32());

        // printf got its arguments exactly as written: no substitution, no word splitting, no glob.
        var expected = "$(touch pwned)|a b; touch pwned2|*"u8.ToArray();
        Assert.False(File.Exists(Path.Combine(workDir, "pwned")));
        Assert.False(File.Exists(Path.Combine(workDir, "pwned2")));

        var itemId = run.GetProperty("evidenceItemIds")[0].GetGuid();
        var item = await GetAsync(auditor, $"{Base}/evidence/{itemId}");
        Assert.Equal(Convert.ToHexStringLower(SHA256.HashData(expected)), item.GetProperty("sha256").GetString());
        Assert.Equal(expected.Length, item.GetProperty("size").GetInt64());
        Assert.Equal("collector", item.GetProperty("source").GetString());
        Assert.Equal(run.GetProperty("id").GetGuid(), item.GetProperty("collectorRunId").GetGuid());
        Assert.Equal("snapshot", item.GetProperty("kind").GetString());
        Assert.Equal("2026-03-02", item.GetProperty("periodFrom").GetString());
        Assert.Equal("2026-03-02", item.GetProperty("periodTo").GetString());
        Assert.Contains(currentOccurrence, item.GetProperty("occurrenceIds").EnumerateArray().Select(e => e.GetGuid()));
        Assert.Equal(expected, await auditor.GetByteArrayAsync($"{Base}/evidence/{itemId}/content"));
    }

    [Fact]
    public async Task A_command_that_outlives_its_timeout_is_killed_and_recorded_as_timed_out()
    {
        var id = await CreateCommandAsync("Slow", "/usr/bin/sleep", ["30"], timeoutSeconds: 2);
        var watch = Stopwatch.StartNew();
        var running = app.WithScopeAsync(s => s.GetRequiredService<CollectorRunner>().RunAsync(orgId, id, CollectorRunTrigger.Manual, managerId, CancellationToken.None));
        while (!running.IsCompleted && watch.Elapsed < TimeSpan.FromSeconds(25))
        {
            app.Time.Advance(TimeSpan.FromSeconds(1));
            await Task.Delay(100);
        }

        var run = await running;
        Assert.True(watch.Elapsed < TimeSpan.FromSeconds(25), "the sleeping program was not killed at its timeout");
        Assert.Equal(CollectorRunOutcome.TimedOut, run.Outcome);
        Assert.Contains("2-second timeout", run.Error, StringComparison.Ordinal);
        Assert.Equal(0, run.ItemsProduced);
        var runs = await GetAsync(auditor, $"{Base}/collectors/{id}/runs");
        Assert.Equal("timed-out", runs.GetProperty("items")[0].GetProperty("outcome").GetString());
        Assert.Equal(1, await OutboxCountAsync(CollectorAlerts.Kind));
    }

    [Fact]
    public async Task A_failing_exit_records_a_failed_run_with_standard_error_and_queues_exactly_one_alert_to_the_owner()
    {
        var id = await CreateCommandAsync("Broken", "/usr/bin/cat", ["/nonexistent/evidence.txt"]);
        var run = await PostAsync(manager, $"{Base}/collectors/{id}/run", new { }, HttpStatusCode.OK);
        Assert.Equal("failed", run.GetProperty("outcome").GetString());
        var error = run.GetProperty("error").GetString()!;
        Assert.Contains("exited with code 1", error, StringComparison.Ordinal);
        Assert.Contains("/nonexistent/evidence.txt: No such file or directory", error, StringComparison.Ordinal);
        Assert.Equal(0, run.GetProperty("itemsProduced").GetInt32());

        var alerts = await app.WithScopeAsync(s => s.GetRequiredService<PerennialDbContext>().Outbox.AsNoTracking().Where(m => m.Kind == CollectorAlerts.Kind).ToListAsync());
        var alert = Assert.Single(alerts);
        Assert.Equal("manager@acme.test", alert.Recipient);
        Assert.Contains("Broken", alert.Subject, StringComparison.Ordinal);
        Assert.Contains("No such file or directory", alert.TextBody, StringComparison.Ordinal);
        Assert.Contains($"/o/acme/collectors/{id}", alert.TextBody, StringComparison.Ordinal);

        var collector = await GetAsync(auditor, $"{Base}/collectors/{id}");
        Assert.Equal("failed", collector.GetProperty("lastRun").GetProperty("outcome").GetString());
        Assert.Equal(0, await app.WithScopeAsync(s => s.GetRequiredService<PerennialDbContext>().EvidenceItems.CountAsync()));
    }

    [Fact]
    public async Task A_collector_that_throws_is_recorded_as_failed_and_the_job_carries_on()
    {
        var exploding = await PostAsync(manager, $"{Base}/collectors", new { name = "Explodes", kind = ExplodingCollector.KindName, settings = new { }, cron = "* * * * *" });
        var fine = await CreateCommandAsync("Fine", "/usr/bin/printf", ["ok"], cron: "* * * * *");
        app.Time.Advance(TimeSpan.FromMinutes(1));

        var result = await RunJobAsync();
        Assert.Equal(JobOutcome.Succeeded, result.Outcome);
        Assert.Contains("1 succeeded, 1 failed", result.Message, StringComparison.Ordinal);
        var runs = await GetAsync(auditor, $"{Base}/collectors/{exploding.GetProperty("id").GetGuid()}/runs");
        var run = Assert.Single(runs.GetProperty("items").EnumerateArray());
        Assert.Equal("failed", run.GetProperty("outcome").GetString());
        Assert.Equal("InvalidOperationException: the target system is on fire", run.GetProperty("error").GetString());
        Assert.Equal(1, (await GetAsync(auditor, $"{Base}/collectors/{fine}/runs")).GetProperty("total").GetInt32());
    }

    [Fact]
    public async Task The_job_runs_a_due_collector_exactly_once_and_computes_the_next_run_from_its_rrule_or_cron()
    {
        // Now is Monday 2 March 2026 09:00 UTC; London is on GMT until 29 March.
        var daily = await CreateCommandAsync("Daily", "/usr/bin/printf", ["daily"], rrule: "FREQ=DAILY;BYHOUR=2;BYMINUTE=0", timeZone: "Europe/London");
        var weekly = await CreateCommandAsync("Weekly", "/usr/bin/printf", ["weekly"], cron: "30 4 * * 1", timeZone: "UTC");
        Assert.Equal(new DateTimeOffset(2026, 3, 3, 2, 0, 0, TimeSpan.Zero), (await GetAsync(auditor, $"{Base}/collectors/{daily}")).GetProperty("nextRunAt").GetDateTimeOffset());
        Assert.Equal(new DateTimeOffset(2026, 3, 9, 4, 30, 0, TimeSpan.Zero), (await GetAsync(auditor, $"{Base}/collectors/{weekly}")).GetProperty("nextRunAt").GetDateTimeOffset());

        Assert.Equal(0, await RunCountAsync(daily));
        app.Time.SetUtcNow(new DateTimeOffset(2026, 3, 3, 2, 0, 30, TimeSpan.Zero));
        await RunJobAsync();
        await RunJobAsync();
        Assert.Equal(1, await RunCountAsync(daily));
        Assert.Equal(0, await RunCountAsync(weekly));
        Assert.Equal(new DateTimeOffset(2026, 3, 4, 2, 0, 0, TimeSpan.Zero), (await GetAsync(auditor, $"{Base}/collectors/{daily}")).GetProperty("nextRunAt").GetDateTimeOffset());

        // After the clocks go forward, 02:00 in London is 01:00 UTC. The weekly cron missed three Mondays
        // while nothing ran: it catches up once, then waits for this Monday's 04:30.
        app.Time.SetUtcNow(new DateTimeOffset(2026, 3, 30, 1, 0, 30, TimeSpan.Zero));
        await RunJobAsync();
        Assert.Equal(2, await RunCountAsync(daily));
        Assert.Equal(1, await RunCountAsync(weekly));
        Assert.Equal(new DateTimeOffset(2026, 3, 31, 1, 0, 0, TimeSpan.Zero), (await GetAsync(auditor, $"{Base}/collectors/{daily}")).GetProperty("nextRunAt").GetDateTimeOffset());
        Assert.Equal(new DateTimeOffset(2026, 3, 30, 4, 30, 0, TimeSpan.Zero), (await GetAsync(auditor, $"{Base}/collectors/{weekly}")).GetProperty("nextRunAt").GetDateTimeOffset());
    }

    [Fact]
    public async Task Runs_left_open_by_a_stopped_instance_are_closed_as_failed_once_well_past_their_timeout()
    {
        var id = await CreateCommandAsync("Interrupted", "/usr/bin/printf", ["x"], timeoutSeconds: 300, cron: "0 3 * * *");
        var now = app.Time.GetUtcNow();
        // Two runs an instance started and never finished (the timeout is 5 minutes): one long
        // past it, one that may still be going on elsewhere.
        Guid old = Guid.NewGuid(), recent = Guid.NewGuid();
        await app.WithScopeAsync(async s =>
        {
            var db = s.GetRequiredService<PerennialDbContext>();
            db.CollectorRuns.Add(new CollectorRun { Id = old, OrganisationId = orgId, CollectorId = id, Trigger = CollectorRunTrigger.Schedule, StartedAt = now.AddMinutes(-16) });
            db.CollectorRuns.Add(new CollectorRun { Id = recent, OrganisationId = orgId, CollectorId = id, Trigger = CollectorRunTrigger.Manual, StartedAt = now.AddMinutes(-12) });
            await db.SaveChangesAsync();
            await db.Collectors.Where(c => c.Id == id).ExecuteUpdateAsync(u => u.SetProperty(c => c.LastRunId, old).SetProperty(c => c.LastRunAt, now.AddMinutes(-16)).SetProperty(c => c.LastOutcome, CollectorRunOutcome.Running));
        });

        var result = await RunJobAsync();

        Assert.Contains("1 run(s) left open by a stopped instance closed as failed", result.Message, StringComparison.Ordinal);
        var runs = (await GetAsync(auditor, $"{Base}/collectors/{id}/runs")).GetProperty("items").EnumerateArray().ToDictionary(r => r.GetProperty("id").GetGuid());
        Assert.Equal("failed", runs[old].GetProperty("outcome").GetString());
        Assert.Equal(CollectorRunner.AbandonedMessage, runs[old].GetProperty("error").GetString());
        Assert.Equal(now, runs[old].GetProperty("endedAt").GetDateTimeOffset());
        Assert.Equal("running", runs[recent].GetProperty("outcome").GetString());
        var last = (await GetAsync(auditor, $"{Base}/collectors/{id}")).GetProperty("lastRun");
        Assert.Equal(("failed", CollectorRunner.AbandonedMessage), (last.GetProperty("outcome").GetString(), last.GetProperty("summary").GetString()));

        // Its own timeout plus ten minutes: 15 minutes after it started.
        app.Time.Advance(TimeSpan.FromMinutes(2));
        Assert.DoesNotContain("left open", (await RunJobAsync()).Message, StringComparison.Ordinal);
        app.Time.Advance(TimeSpan.FromMinutes(2));
        Assert.Contains("1 run(s) left open", (await RunJobAsync()).Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_stored_snapshot_that_access_reviews_cannot_read_still_counts_as_a_successful_run()
    {
        var created = await PostAsync(manager, $"{Base}/collectors", new { name = "Odd directory", kind = UnreadableSnapshotCollector.KindName, settings = new { }, cron = "0 3 * * *" });
        var id = created.GetProperty("id").GetGuid();

        var run = await PostAsync(manager, $"{Base}/collectors/{id}/run", new { }, HttpStatusCode.OK);

        Assert.Equal("succeeded", run.GetProperty("outcome").GetString());
        Assert.Equal(1, run.GetProperty("itemsProduced").GetInt32());
        var items = await GetAsync(auditor, $"{Base}/evidence?run={run.GetProperty("id").GetGuid()}");
        Assert.Equal(1, items.GetProperty("total").GetInt32());
    }

    [Fact]
    public async Task Only_one_of_two_instances_claims_the_same_due_run()
    {
        var id = await CreateCommandAsync("Claimed", "/usr/bin/printf", ["x"], cron: "* * * * *");
        app.Time.Advance(TimeSpan.FromMinutes(2));
        var seen = (await GetAsync(auditor, $"{Base}/collectors/{id}")).GetProperty("nextRunAt").GetDateTimeOffset();
        var now = app.Time.GetUtcNow();
        var first = await app.WithScopeAsync(s => s.GetRequiredService<CollectorRunner>().ClaimAsync(id, seen, now, CancellationToken.None));
        var second = await app.WithScopeAsync(s => s.GetRequiredService<CollectorRunner>().ClaimAsync(id, seen, now, CancellationToken.None));
        Assert.True(first);
        Assert.False(second);
        Assert.True((await GetAsync(auditor, $"{Base}/collectors/{id}")).GetProperty("nextRunAt").GetDateTimeOffset() > now);
    }

    [Fact]
    public async Task An_http_collector_sends_its_bearer_token_and_stores_the_body_with_its_content_type()
    {
        await using var server = await TinyServer.StartAsync("s3cret-token", """{"users":3}""");
        var collector = await PostAsync(manager, $"{Base}/collectors", new
        {
            name = "Directory API",
            kind = "http",
            settings = new { url = server.Url + "users?page=1", auth = "bearer" },
            secret = "s3cret-token",
            cron = "0 3 * * *",
        });
        var id = collector.GetProperty("id").GetGuid();
        var run = await PostAsync(manager, $"{Base}/collectors/{id}/run", new { }, HttpStatusCode.OK);
        Assert.Equal("succeeded", run.GetProperty("outcome").GetString());
        var item = await GetAsync(auditor, $"{Base}/evidence/{run.GetProperty("evidenceItemIds")[0].GetGuid()}");
        Assert.Equal(Convert.ToHexStringLower(SHA256.HashData("""{"users":3}"""u8)), item.GetProperty("sha256").GetString());
        Assert.Equal("application/json; charset=utf-8", item.GetProperty("contentType").GetString());
        Assert.Equal("Bearer s3cret-token", server.LastAuthorization);

        var changed = await manager.PutAsJsonAsync($"{Base}/collectors/{id}", new { secret = "wrong-token" });
        Assert.Equal(HttpStatusCode.OK, changed.StatusCode);
        run = await PostAsync(manager, $"{Base}/collectors/{id}/run", new { }, HttpStatusCode.OK);
        Assert.Equal("failed", run.GetProperty("outcome").GetString());
        Assert.Contains("answered 401", run.GetProperty("error").GetString(), StringComparison.Ordinal);
        Assert.DoesNotContain("page=1", run.GetProperty("error").GetString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_secret_is_stored_encrypted_and_never_returned_by_the_api()
    {
        const string secret = "pa55word-that-must-not-leak";
        var created = await manager.PostAsJsonAsync($"{Base}/collectors", new
        {
            name = "With secret",
            kind = "command",
            settings = new { program = "/usr/bin/env", secretEnvironmentVariable = "DB_PASSWORD" },
            secret,
            cron = "0 3 * * *",
        });
        var createdText = await created.Content.ReadAsStringAsync();
        Assert.Equal(HttpStatusCode.Created, created.StatusCode);
        Assert.DoesNotContain(secret, createdText, StringComparison.Ordinal);
        var id = JsonDocument.Parse(createdText).RootElement.GetProperty("id").GetGuid();

        foreach (var client in new[] { manager, auditor, contributor })
        {
            var one = await client.GetStringAsync($"{Base}/collectors/{id}");
            var list = await client.GetStringAsync($"{Base}/collectors");
            Assert.DoesNotContain(secret, one, StringComparison.Ordinal);
            Assert.DoesNotContain(secret, list, StringComparison.Ordinal);
            Assert.True(JsonDocument.Parse(one).RootElement.GetProperty("secretSet").GetBoolean());
        }

        var stored = await app.WithScopeAsync(async s =>
        {
            var db = s.GetRequiredService<PerennialDbContext>();
            var connection = db.Database.GetDbConnection();
            await db.Database.OpenConnectionAsync();
            await using var command = connection.CreateCommand();
            command.CommandText = "SELECT \"SecretProtected\" FROM \"Collectors\"";
            return (string?)await command.ExecuteScalarAsync();
        });
        Assert.False(string.IsNullOrEmpty(stored));
        Assert.DoesNotContain(secret, stored, StringComparison.Ordinal);
        Assert.DoesNotContain(Convert.ToBase64String(Encoding.UTF8.GetBytes(secret)), stored, StringComparison.Ordinal);

        // The program does get it, in the variable named in the settings, and the server's own settings stay out.
        var run = await PostAsync(manager, $"{Base}/collectors/{id}/run", new { }, HttpStatusCode.OK);
        var output = await auditor.GetStringAsync($"{Base}/evidence/{run.GetProperty("evidenceItemIds")[0].GetGuid()}/content");
        Assert.Contains($"DB_PASSWORD={secret}", output, StringComparison.Ordinal);
        Assert.DoesNotContain("Perennial", output, StringComparison.OrdinalIgnoreCase);
    }

    [Theory]
    [InlineData("""{"kind":"command","settings":{"program":"/usr/bin/printf"},"cron":"0 3 * * *"}""", "name")]
    [InlineData("""{"name":"x","kind":"telepathy","settings":{},"cron":"0 3 * * *"}""", "kind")]
    [InlineData("""{"name":"x","kind":"command","settings":{"program":"printf"},"cron":"0 3 * * *"}""", "settings.program")]
    [InlineData("""{"name":"x","kind":"command","settings":{"program":"/bin/sh","arguments":["-c","id"]},"cron":"0 3 * * *"}""", "settings.program")]
    [InlineData("""{"name":"x","kind":"command","settings":{"program":"/usr/bin/printf","arguments":"a b"},"cron":"0 3 * * *"}""", "settings.arguments")]
    [InlineData("""{"name":"x","kind":"command","settings":{"program":"/usr/bin/printf","shell":true},"cron":"0 3 * * *"}""", "settings.shell")]
    [InlineData("""{"name":"x","kind":"command","settings":{"program":"/usr/bin/printf"},"secret":"s","cron":"0 3 * * *"}""", "settings.secretEnvironmentVariable")]
    [InlineData("""{"name":"x","kind":"http","settings":{"url":"ftp://example.test/x"},"cron":"0 3 * * *"}""", "settings.url")]
    [InlineData("""{"name":"x","kind":"http","settings":{"url":"https://example.test/x","auth":"bearer"},"cron":"0 3 * * *"}""", "secret")]
    [InlineData("""{"name":"x","kind":"http","settings":{"url":"https://example.test/x","auth":"basic"},"secret":"p","cron":"0 3 * * *"}""", "settings.username")]
    [InlineData("""{"name":"x","kind":"http","settings":{"url":"https://example.test/x"},"rrule":"FREQ=SOMETIMES"}""", "rrule")]
    [InlineData("""{"name":"x","kind":"http","settings":{"url":"https://example.test/x"},"cron":"61 * * * *"}""", "cron")]
    [InlineData("""{"name":"x","kind":"http","settings":{"url":"https://example.test/x"},"rrule":"FREQ=DAILY","cron":"0 3 * * *"}""", "schedule")]
    [InlineData("""{"name":"x","kind":"http","settings":{"url":"https://example.test/x"}}""", "schedule")]
    [InlineData("""{"name":"x","kind":"http","settings":{"url":"https://example.test/x"},"rrule":"FREQ=SECONDLY"}""", "rrule")]
    [InlineData("""{"name":"x","kind":"http","settings":{"url":"https://example.test/x"},"cron":"0 3 * * *","timeZone":"Mars/Olympus_Mons"}""", "timeZone")]
    [InlineData("""{"name":"x","kind":"http","settings":{"url":"https://example.test/x"},"cron":"0 3 * * *","timeoutSeconds":0}""", "timeoutSeconds")]
    [InlineData("""{"name":"x","kind":"http","settings":{"url":"https://example.test/x"},"cron":"0 3 * * *","activityId":"0197a4b2-0000-7000-8000-000000000000"}""", "activityId")]
    [InlineData("""{"name":"x","kind":"http","settings":{"url":"https://example.test/x"},"cron":"0 3 * * *","ownerEmail":"stranger@example.test"}""", "ownerEmail")]
    [InlineData("""{"name":"x","kind":"http","settings":[1],"cron":"0 3 * * *"}""", "settings")]
    public async Task Bad_collectors_are_refused_naming_the_field_and_nothing_is_created(string body, string field)
    {
        var response = await manager.PostJsonTextAsync($"{Base}/collectors", body);
        var text = await response.Content.ReadAsStringAsync();
        Assert.True(response.StatusCode == HttpStatusCode.BadRequest, text);
        var errors = JsonDocument.Parse(text).RootElement.GetProperty("errors");
        Assert.True(errors.TryGetProperty(field, out _), $"expected an error on {field}: {text}");
        Assert.Equal(0, await app.WithScopeAsync(s => s.GetRequiredService<PerennialDbContext>().Collectors.CountAsync()));
    }

    [Fact]
    public async Task Managers_change_and_run_collectors_while_contributors_and_auditors_only_read_them()
    {
        var id = await CreateCommandAsync("Read only for some", "/usr/bin/printf", ["x"]);
        foreach (var reader in new[] { contributor, auditor })
        {
            Assert.Equal(HttpStatusCode.OK, (await reader.GetAsync($"{Base}/collectors/{id}")).StatusCode);
            Assert.Equal(HttpStatusCode.OK, (await reader.GetAsync($"{Base}/collectors/{id}/runs")).StatusCode);
            Assert.Equal(HttpStatusCode.Forbidden, (await reader.PostAsJsonAsync($"{Base}/collectors/{id}/run", new { })).StatusCode);
            Assert.Equal(HttpStatusCode.Forbidden, (await reader.PutAsJsonAsync($"{Base}/collectors/{id}", new { enabled = false })).StatusCode);
            Assert.Equal(HttpStatusCode.Forbidden, (await reader.PostAsJsonAsync($"{Base}/collectors", new { name = "y", kind = "command" })).StatusCode);
            Assert.Equal(HttpStatusCode.Forbidden, (await reader.DeleteAsync($"{Base}/collectors/{id}")).StatusCode);
        }

        await PostAsync(manager, $"{Base}/collectors/{id}/run", new { }, HttpStatusCode.OK);
        var refused = await manager.DeleteAsync($"{Base}/collectors/{id}");
        Assert.Equal(HttpStatusCode.Conflict, refused.StatusCode);
        var disabled = await manager.PutAsJsonAsync($"{Base}/collectors/{id}", new { enabled = false });
        var body = await disabled.Content.ReadFromJsonAsync<JsonElement>();
        Assert.False(body.GetProperty("enabled").GetBoolean());
        Assert.Equal(JsonValueKind.Null, body.GetProperty("nextRunAt").ValueKind);

        var unused = await CreateCommandAsync("Never ran", "/usr/bin/printf", ["x"]);
        Assert.Equal(HttpStatusCode.NoContent, (await manager.DeleteAsync($"{Base}/collectors/{unused}")).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await auditor.GetAsync($"{Base}/collectors/{unused}")).StatusCode);
    }

    private async Task<Guid> CreateCommandAsync(
        string name, string program, string[] arguments, int timeoutSeconds = 60, string? rrule = null, string? cron = null, string timeZone = "UTC")
    {
        var collector = await PostAsync(manager, $"{Base}/collectors", new
        {
            name,
            kind = "command",
            settings = new { program, arguments },
            rrule,
            cron = rrule is null ? cron ?? "0 3 * * *" : null,
            timeZone,
            timeoutSeconds,
        });
        return collector.GetProperty("id").GetGuid();
    }

    private Task<JobResult> RunJobAsync() =>
        app.WithScopeAsync(s => s.GetServices<IScheduledJob>().OfType<CollectorJob>().Single().RunAsync(s, CancellationToken.None));

    private Task<int> RunCountAsync(Guid collectorId) =>
        app.WithScopeAsync(s => s.GetRequiredService<PerennialDbContext>().CollectorRuns.CountAsync(r => r.CollectorId == collectorId));

    private Task<int> OutboxCountAsync(string kind) =>
        app.WithScopeAsync(s => s.GetRequiredService<PerennialDbContext>().Outbox.CountAsync(m => m.Kind == kind));

    private static async Task<JsonElement> PostAsync(HttpClient client, string path, object body, HttpStatusCode expected = HttpStatusCode.Created)
    {
        var response = await client.PostAsJsonAsync(path, body);
        var text = await response.Content.ReadAsStringAsync();
        Assert.True(response.StatusCode == expected, $"{(int)response.StatusCode}: {text}");
        return JsonDocument.Parse(text).RootElement.Clone();
    }

    private static async Task<JsonElement> GetAsync(HttpClient client, string path) =>
        JsonDocument.Parse(await client.GetStringAsync(path)).RootElement.Clone();

    /// <summary>A collector kind that always throws, as a buggy plug-in would.</summary>
    private sealed class ExplodingCollector : IEvidenceCollector
    {
        public const string KindName = "test-explodes";

        public string Kind => KindName;

        public string Label => "Explodes (test)";

        public void Validate(JsonElement settings, string? secret)
        {
        }

        public Task<IReadOnlyList<CollectedEvidence>> CollectAsync(CollectorRunContext context, CancellationToken ct) =>
            throw new InvalidOperationException("the target system is on fire");
    }

    /// <summary>A collector that returns content labelled as an accounts snapshot which is not one.</summary>
    private sealed class UnreadableSnapshotCollector : IEvidenceCollector
    {
        public const string KindName = "test-unreadable-snapshot";

        public string Kind => KindName;

        public string Label => "Unreadable snapshot (test)";

        public void Validate(JsonElement settings, string? secret)
        {
        }

        public Task<IReadOnlyList<CollectedEvidence>> CollectAsync(CollectorRunContext context, CancellationToken ct) =>
            Task.FromResult<IReadOnlyList<CollectedEvidence>>(
                [new CollectedEvidence("Accounts", "accounts.json", AccountSnapshot.ContentType, new MemoryStream("{\"not\":\"a snapshot\"}"u8.ToArray()))]);
    }

    /// <summary>An HTTP server on a free local port that answers with a JSON body when the bearer token matches, 401 otherwise.</summary>
    private sealed class TinyServer : IAsyncDisposable
    {
        private readonly LocalHttpServer server;

        private TinyServer(string token, string body) => server = new LocalHttpServer(async context =>
        {
            LastAuthorization = context.Request.Headers["Authorization"];
            var ok = LastAuthorization == $"Bearer {token}";
            context.Response.StatusCode = ok ? 200 : 401;
            context.Response.ContentType = ok ? "application/json; charset=utf-8" : "text/plain";
            await context.Response.OutputStream.WriteAsync(Encoding.UTF8.GetBytes(ok ? body : "unauthorised"));
        });

        public string Url => server.Url;

        public string? LastAuthorization { get; private set; }

        public static Task<TinyServer> StartAsync(string token, string body) => Task.FromResult(new TinyServer(token, body));

        public ValueTask DisposeAsync() => server.DisposeAsync();
    }
}

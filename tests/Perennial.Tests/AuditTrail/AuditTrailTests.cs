using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Perennial.Data;
using Perennial.Organisations;
using Perennial.Tests.Infrastructure;

namespace Perennial.Tests.AuditTrail;

public sealed class SqliteAuditTrailTests() : AuditTrailTests(DatabaseProvider.Sqlite);

public sealed class PostgresAuditTrailTests() : AuditTrailTests(DatabaseProvider.Postgres);

/// <summary>The hash-chained audit trail, on each database provider.</summary>
public abstract class AuditTrailTests(DatabaseProvider provider) : IAsyncLifetime
{
    private TestApp app = null!;
    private Guid orgId;
    private string adminToken = "";

    public async ValueTask InitializeAsync()
    {
        app = await TestApp.StartAsync(provider);
        var admin = await app.CreateUserAsync("admin@audit.test");
        orgId = (await app.CreateOrganisationAsync("audit", admin.Id)).Id;
        await app.CreateUserAsync("colleague@audit.test");
        await app.AddMemberAsync(orgId, "colleague@audit.test", OrgRole.Contributor);
        adminToken = await app.CreateTokenAsync(admin.Id);
    }

    public async ValueTask DisposeAsync() => await app.DisposeAsync();

    [Fact]
    public async Task A_change_through_the_API_is_recorded_with_who_when_and_before_and_after_values()
    {
        var client = app.CreateApiClient(adminToken);
        var members = await client.GetFromJsonAsync<JsonElement>("/api/v1/orgs/audit/members");
        var colleague = members.GetProperty("items").EnumerateArray().Single(m => m.GetProperty("email").GetString() == "colleague@audit.test");
        var userId = colleague.GetProperty("userId").GetString();

        var put = await client.PutAsJsonAsync($"/api/v1/orgs/audit/members/{userId}", new { role = "manager" });
        Assert.Equal(HttpStatusCode.OK, put.StatusCode);

        var history = await client.GetFromJsonAsync<JsonElement>("/api/v1/orgs/audit/history?entityType=Membership");
        var latest = history.GetProperty("items")[0];
        Assert.Equal("Updated", latest.GetProperty("action").GetString());
        Assert.Equal("admin@audit.test (API token)", latest.GetProperty("actor").GetString());
        Assert.Equal(app.Time.GetUtcNow(), latest.GetProperty("at").GetDateTimeOffset());
        var change = Assert.Single(latest.GetProperty("changes").EnumerateArray());
        Assert.Equal("Role", change.GetProperty("field").GetString());
        Assert.Equal("Contributor", change.GetProperty("before").GetString());
        Assert.Equal("Manager", change.GetProperty("after").GetString());
    }

    [Fact]
    public async Task Verify_exits_zero_on_an_intact_trail()
    {
        var result = await app.RunCliAsync("", "audit-trail", "verify");

        Assert.Equal(0, result.ExitCode);
        Assert.Matches(@"intact: \d+ entries", result.Stdout);
    }

    [Fact]
    public async Task Editing_an_entry_in_the_database_is_detected_and_named()
    {
        await app.Database.ExecuteAsync("UPDATE \"AuditEntries\" SET \"Changes\" = '[]' WHERE \"Sequence\" = 2");

        var result = await app.RunCliAsync("", "audit-trail", "verify");

        Assert.NotEqual(0, result.ExitCode);
        Assert.Contains("broken at entry 2", result.Stderr, StringComparison.Ordinal);
        Assert.Contains("no longer matches its hash", result.Stderr, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Deleting_an_entry_in_the_middle_is_detected_and_named()
    {
        Assert.Equal(1, await app.Database.ExecuteAsync("DELETE FROM \"AuditEntries\" WHERE \"Sequence\" = 3"));

        var result = await app.RunCliAsync("", "audit-trail", "verify");

        Assert.NotEqual(0, result.ExitCode);
        Assert.Contains("broken at entry 3", result.Stderr, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Deleting_the_newest_entries_is_detected()
    {
        var before = await app.VerifyAuditTrailAsync();
        Assert.True(before.Intact);
        await app.Database.ExecuteAsync($"DELETE FROM \"AuditEntries\" WHERE \"Sequence\" = {before.EntriesChecked}");

        var result = await app.RunCliAsync("", "audit-trail", "verify");

        Assert.NotEqual(0, result.ExitCode);
        Assert.Contains($"broken at entry {before.EntriesChecked}", result.Stderr, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Concurrent_writers_keep_one_unbroken_chain()
    {
        var tasks = Enumerable.Range(0, 12).Select(i => Task.Run(async () =>
        {
            await app.CreateUserAsync($"parallel{i}@audit.test");
            await app.AddMemberAsync(orgId, $"parallel{i}@audit.test", OrgRole.Auditor);
        }));
        await Task.WhenAll(tasks);

        var result = await app.VerifyAuditTrailAsync();

        Assert.True(result.Intact, result.Message);
        // 12 accounts and 12 memberships on top of the set-up's entries.
        Assert.True(result.EntriesChecked >= 24 + 4, result.Message);
    }
}

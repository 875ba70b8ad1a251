using System.Net;
using System.Net.Http.Json;
using System.Security.Cryptography;
using System.Text.Json;
using Perennial.Data;
using Perennial.Organisations;
using Perennial.Tests.Infrastructure;
using static Perennial.Tests.Evidence.Collectors.DirectorySeed;

namespace Perennial.Tests.Evidence.Collectors;

public sealed class SqliteLdapAccessReviewFlowTests() : LdapAccessReviewFlowTests(DatabaseProvider.Sqlite);

public sealed class PostgresLdapAccessReviewFlowTests() : LdapAccessReviewFlowTests(DatabaseProvider.Postgres);

/// <summary>
/// The whole loop against a real directory: an LDAP collector configured once snapshots the accounts onto
/// the access-review occurrence, the owner decides and signs off, the person is removed from the directory,
/// and the collector's next run confirms the revoke on its own.
/// </summary>
public abstract class LdapAccessReviewFlowTests(DatabaseProvider provider) : IAsyncLifetime
{
    private const string Base = "/api/v1/orgs/acme";
    private TestApp app = null!;
    private HttpClient manager = null!;
    private HttpClient owner = null!;

    public async ValueTask InitializeAsync()
    {
        app = await TestApp.StartAsync(provider);
        var admin = await app.CreateUserAsync("admin@acme.test");
        var orgId = (await app.CreateOrganisationAsync("acme", admin.Id)).Id;
        var m = await app.CreateUserAsync("manager@acme.test");
        await app.AddMemberAsync(orgId, "manager@acme.test", OrgRole.Manager);
        var o = await app.CreateUserAsync("owner@acme.test");
        await app.AddMemberAsync(orgId, "owner@acme.test", OrgRole.Contributor);
        manager = app.CreateApiClient(await app.CreateTokenAsync(m.Id));
        owner = app.CreateApiClient(await app.CreateTokenAsync(o.Id));
    }

    public async ValueTask DisposeAsync() => await app.DisposeAsync();

    [Fact]
    public async Task A_collected_directory_snapshot_is_reviewed_signed_off_and_the_revoke_is_confirmed_by_the_next_run()
    {
        await using var server = await SlapdServer.StartAsync(Ldif);
        var activity = await ReadAsync(await manager.PostAsJsonAsync($"{Base}/activities", new
        {
            title = "User access review",
            ownerEmail = "owner@acme.test",
            rrule = "FREQ=MONTHLY;BYMONTHDAY=20",
            dtStart = "2026-01-20T09:00:00",
            timeZone = "UTC",
        }));
        var activityId = activity.GetProperty("id").GetGuid();

        var collector = await ReadAsync(await manager.PostAsJsonAsync($"{Base}/collectors", new
        {
            name = "Company directory",
            kind = "ldap",
            settings = Settings(server),
            secret = ReaderPassword,
            rrule = "FREQ=MONTHLY;BYMONTHDAY=19",
            dtStart = "2026-01-19T06:00:00",
            timeZone = "UTC",
            activityId,
            ownerEmail = "owner@acme.test",
        }));
        var collectorId = collector.GetProperty("id").GetGuid();

        var firstRun = await ReadAsync(await manager.PostAsync($"{Base}/collectors/{collectorId}/run", null));
        Assert.Equal("succeeded", firstRun.GetProperty("outcome").GetString());
        var snapshotId = Assert.Single(firstRun.GetProperty("evidenceItemIds").EnumerateArray()).GetGuid();
        var snapshot = await manager.GetFromJsonAsync<JsonElement>($"{Base}/evidence/{snapshotId}");
        Assert.Equal("snapshot", snapshot.GetProperty("kind").GetString());
        Assert.Equal("collector", snapshot.GetProperty("source").GetString());
        Assert.Equal(firstRun.GetProperty("id").GetGuid(), snapshot.GetProperty("collectorRunId").GetGuid());
        var bytes = await manager.GetByteArrayAsync($"{Base}/evidence/{snapshotId}/content");
        Assert.Equal(snapshot.GetProperty("sha256").GetString(), Convert.ToHexStringLower(SHA256.HashData(bytes)));
        var occurrenceId = Assert.Single(snapshot.GetProperty("occurrenceIds").EnumerateArray()).GetGuid();

        var review = await ReadAsync(await owner.PostAsJsonAsync($"{Base}/access-reviews", new { occurrenceId, snapshotEvidenceId = snapshotId }));
        var reviewId = review.GetProperty("review").GetProperty("id").GetString();
        var entries = review.GetProperty("entries").GetProperty("items").EnumerateArray()
            .ToDictionary(e => e.GetProperty("account").GetString()!, e => e.GetProperty("id").GetString()!);
        Assert.Contains("bob", entries.Keys);
        foreach (var (account, entryId) in entries)
        {
            var decision = account == "bob" ? new { decision = "revoke", note = "Moved to a partner company" } : new { decision = "keep", note = (string?)null }!;
            Assert.Equal(HttpStatusCode.OK, (await owner.PutAsJsonAsync($"{Base}/access-reviews/{reviewId}/entries/{entryId}", decision)).StatusCode);
        }

        var signed = await ReadAsync(await owner.PostAsJsonAsync($"{Base}/access-reviews/{reviewId}/sign-off", new { note = "March review" }));
        var action = Assert.Single(signed.GetProperty("actions").EnumerateArray());
        Assert.Equal("bob", action.GetProperty("account").GetString());
        Assert.Equal("open", action.GetProperty("state").GetString());
        var record = signed.GetProperty("review").GetProperty("recordEvidenceId").GetGuid();
        var recordItem = await manager.GetFromJsonAsync<JsonElement>($"{Base}/evidence/{record}");
        Assert.Contains(occurrenceId, recordItem.GetProperty("occurrenceIds").EnumerateArray().Select(o => o.GetGuid()));

        // Bob leaves the directory; the next collection shows it and settles the action without anyone touching it.
        server.Delete(Dn("bob"));
        app.Time.Advance(TimeSpan.FromDays(1));
        var secondRun = await ReadAsync(await manager.PostAsync($"{Base}/collectors/{collectorId}/run", null));
        Assert.Equal("succeeded", secondRun.GetProperty("outcome").GetString());
        var secondSnapshot = Assert.Single(secondRun.GetProperty("evidenceItemIds").EnumerateArray()).GetGuid();

        var actions = await manager.GetFromJsonAsync<JsonElement>($"{Base}/access-reviews/actions?state=all");
        var confirmed = Assert.Single(actions.GetProperty("items").EnumerateArray());
        Assert.Equal("confirmed", confirmed.GetProperty("state").GetString());
        Assert.Equal(secondSnapshot, confirmed.GetProperty("confirmingSnapshotEvidenceId").GetGuid());
    }

    private static async Task<JsonElement> ReadAsync(HttpResponseMessage response)
    {
        var body = await response.Content.ReadAsStringAsync();
        Assert.True(response.IsSuccessStatusCode, $"{response.RequestMessage?.RequestUri}: {response.StatusCode} {body}");
        return JsonDocument.Parse(body).RootElement.Clone();
    }
}

using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Perennial.Data;
using Perennial.Organisations;
using Perennial.Tests.Infrastructure;

namespace Perennial.Tests.Security;

public sealed class SqliteIsolationTests() : IsolationTests(DatabaseProvider.Sqlite);

public sealed class PostgresIsolationTests() : IsolationTests(DatabaseProvider.Postgres);

/// <summary>
/// An administrator of organisation A aims at organisation B's real records, through A's own routes
/// (where the record ids belong to B) and B's routes, by API and by page with valid forms.
/// </summary>
public abstract class IsolationTests(DatabaseProvider provider) : IAsyncLifetime
{
    private TestApp app = null!;
    private Guid bMemberId;
    private Guid bTokenId;
    private HttpClient aApi = null!;
    private HttpClient bApi = null!;

    public async ValueTask InitializeAsync()
    {
        app = await TestApp.StartAsync(provider);
        var aAdmin = await app.CreateUserAsync("admin@a.test");
        await app.CreateOrganisationAsync("org-a", aAdmin.Id);
        var bAdmin = await app.CreateUserAsync("admin@b.test");
        var b = await app.CreateOrganisationAsync("org-b", bAdmin.Id);
        bMemberId = (await app.CreateUserAsync("member@b.test")).Id;
        await app.AddMemberAsync(b.Id, "member@b.test", OrgRole.Contributor);
        aApi = app.CreateApiClient(await app.CreateTokenAsync(aAdmin.Id));
        bApi = app.CreateApiClient(await app.CreateTokenAsync(bAdmin.Id, "b-token"));
        var bTokens = await bApi.GetFromJsonAsync<JsonElement>("/api/v1/me/tokens");
        bTokenId = Guid.Parse(bTokens.GetProperty("items")[0].GetProperty("id").GetString()!);
    }

    public async ValueTask DisposeAsync() => await app.DisposeAsync();

    [Fact]
    public async Task Organisation_B_members_cannot_be_changed_or_removed_through_A_routes_or_B_routes()
    {
        var trailBefore = (await app.VerifyAuditTrailAsync()).EntriesChecked;

        var responses = new[]
        {
            await aApi.PutAsJsonAsync($"/api/v1/orgs/org-a/members/{bMemberId}", new { role = "admin" }),
            await aApi.DeleteAsync($"/api/v1/orgs/org-a/members/{bMemberId}"),
            await aApi.PutAsJsonAsync($"/api/v1/orgs/org-b/members/{bMemberId}", new { role = "admin" }),
            await aApi.DeleteAsync($"/api/v1/orgs/org-b/members/{bMemberId}"),
            await aApi.GetAsync("/api/v1/orgs/org-b/members"),
            await aApi.GetAsync("/api/v1/orgs/org-b/history"),
            await aApi.PostAsJsonAsync("/api/v1/orgs/org-b/members", new { email = "admin@a.test", role = "admin" }),
        };

        Assert.All(responses, r => Assert.Equal(HttpStatusCode.NotFound, r.StatusCode));
        await AssertOrganisationBUnchangedAsync(trailBefore);
    }

    [Fact]
    public async Task Organisation_B_members_cannot_be_changed_through_A_pages_with_valid_forms()
    {
        var trailBefore = (await app.VerifyAuditTrailAsync()).EntriesChecked;
        var browser = await app.SignInAsync("admin@a.test");

        var change = await TestApp.PostFormAsync(browser, "/o/org-a/settings/members",
            new Dictionary<string, string> { ["userId"] = bMemberId.ToString(), ["role"] = "admin" }, handler: "Change");
        var remove = await TestApp.PostFormAsync(browser, "/o/org-a/settings/members",
            new Dictionary<string, string> { ["userId"] = bMemberId.ToString() }, handler: "Remove");
        var bPage = await browser.GetAsync("/o/org-b/settings/members");
        var bHistory = await browser.GetAsync("/o/org-b/history");

        Assert.Contains("not a member of the organisation", await change.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        Assert.Contains("not a member of the organisation", await remove.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        Assert.Equal(HttpStatusCode.NotFound, bPage.StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, bHistory.StatusCode);
        await AssertOrganisationBUnchangedAsync(trailBefore);
    }

    [Fact]
    public async Task Another_person_s_token_cannot_be_revoked()
    {
        var byApi = await aApi.DeleteAsync($"/api/v1/me/tokens/{bTokenId}");
        var browser = await app.SignInAsync("admin@a.test");
        var byPage = await TestApp.PostFormAsync(browser, "/account/tokens",
            new Dictionary<string, string> { ["id"] = bTokenId.ToString() }, handler: "Revoke");

        Assert.Equal(HttpStatusCode.NotFound, byApi.StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, byPage.StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await bApi.GetAsync("/api/v1/me")).StatusCode);
    }

    [Fact]
    public async Task Organisation_B_is_not_listed_for_A()
    {
        var mine = await aApi.GetFromJsonAsync<JsonElement>("/api/v1/orgs");

        var slug = Assert.Single(mine.GetProperty("items").EnumerateArray()).GetProperty("slug").GetString();
        Assert.Equal("org-a", slug);
        var browser = await app.SignInAsync("admin@a.test");
        var html = await browser.GetStringAsync("/orgs");
        Assert.DoesNotContain("org-b", html, StringComparison.Ordinal);
    }

    private async Task AssertOrganisationBUnchangedAsync(long trailBefore)
    {
        var members = await bApi.GetFromJsonAsync<JsonElement>("/api/v1/orgs/org-b/members");
        Assert.Equal(2, members.GetProperty("total").GetInt32());
        var member = members.GetProperty("items").EnumerateArray().Single(m => m.GetProperty("email").GetString() == "member@b.test");
        Assert.Equal("contributor", member.GetProperty("role").GetString());
        Assert.DoesNotContain(members.GetProperty("items").EnumerateArray(), m => m.GetProperty("email").GetString() == "admin@a.test");
        Assert.Equal(trailBefore, (await app.VerifyAuditTrailAsync()).EntriesChecked);
    }
}

using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Perennial.Data;
using Perennial.Organisations;
using Perennial.Tests.Infrastructure;

namespace Perennial.Tests.Organisations;

public sealed class SqliteMembershipTests() : MembershipTests(DatabaseProvider.Sqlite);

public sealed class PostgresMembershipTests() : MembershipTests(DatabaseProvider.Postgres);

public abstract class MembershipTests(DatabaseProvider provider) : IAsyncLifetime
{
    private TestApp app = null!;
    private Organisation org = null!;
    private HttpClient admin = null!;

    public async ValueTask InitializeAsync()
    {
        app = await TestApp.StartAsync(provider);
        var user = await app.CreateUserAsync("admin@members.test");
        org = await app.CreateOrganisationAsync("members", user.Id);
        admin = app.CreateApiClient(await app.CreateTokenAsync(user.Id));
    }

    public async ValueTask DisposeAsync() => await app.DisposeAsync();

    [Fact]
    public async Task An_external_auditor_loses_access_after_the_expiry_date()
    {
        var auditor = await app.CreateUserAsync("external@cb.test");
        var today = DateOnly.FromDateTime(app.Time.GetUtcNow().UtcDateTime);
        var added = await admin.PostAsJsonAsync("/api/v1/orgs/members/members", new { email = "external@cb.test", role = "auditor", expiresOn = today.AddDays(3).ToString("yyyy-MM-dd") });
        Assert.Equal(HttpStatusCode.Created, added.StatusCode);
        var client = app.CreateApiClient(await app.CreateTokenAsync(auditor.Id));
        Assert.Equal(HttpStatusCode.OK, (await client.GetAsync("/api/v1/orgs/members")).StatusCode);

        app.Time.Advance(TimeSpan.FromDays(4));

        Assert.Equal(HttpStatusCode.NotFound, (await client.GetAsync("/api/v1/orgs/members")).StatusCode);
        var mine = await client.GetFromJsonAsync<JsonElement>("/api/v1/orgs");
        Assert.Equal(0, mine.GetProperty("total").GetInt32());
    }

    [Fact]
    public async Task The_last_administrator_cannot_be_removed_or_demoted()
    {
        var me = await admin.GetFromJsonAsync<JsonElement>("/api/v1/me");
        var id = me.GetProperty("id").GetString();

        var remove = await admin.DeleteAsync($"/api/v1/orgs/members/members/{id}");
        var demote = await admin.PutAsJsonAsync($"/api/v1/orgs/members/members/{id}", new { role = "auditor" });

        Assert.Equal(HttpStatusCode.Conflict, remove.StatusCode);
        Assert.Equal(HttpStatusCode.Conflict, demote.StatusCode);
        var members = await admin.GetFromJsonAsync<JsonElement>("/api/v1/orgs/members/members");
        Assert.Equal("admin", members.GetProperty("items")[0].GetProperty("role").GetString());
    }

    [Fact]
    public async Task An_organisation_admin_manages_members_from_the_members_page()
    {
        await app.CreateUserAsync("newcomer@members.test");
        var browser = await app.SignInAsync("admin@members.test");

        var add = await TestApp.PostFormAsync(browser, "/o/members/settings/members",
            new Dictionary<string, string> { ["Add.Email"] = "newcomer@members.test", ["Add.Role"] = "contributor" }, handler: "Add");

        var html = await add.Content.ReadAsStringAsync();
        Assert.True(add.StatusCode == HttpStatusCode.OK, html);
        Assert.DoesNotContain("There is a problem", html, StringComparison.Ordinal);
        Assert.Contains("newcomer@members.test", html, StringComparison.Ordinal);
        var members = await admin.GetFromJsonAsync<JsonElement>("/api/v1/orgs/members/members");
        Assert.Contains(members.GetProperty("items").EnumerateArray(), m => m.GetProperty("email").GetString() == "newcomer@members.test" && m.GetProperty("role").GetString() == "contributor");
        var history = await browser.GetStringAsync("/o/members/history?entityType=Membership");
        Assert.Contains("Contributor", history, StringComparison.Ordinal);
    }
}

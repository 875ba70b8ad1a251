using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Perennial.Data;
using Perennial.Organisations;
using Perennial.Tests.Infrastructure;

namespace Perennial.Tests.OrganisationContext;

public sealed class SqliteContextRegisterTests() : ContextRegisterTests(DatabaseProvider.Sqlite);

public sealed class PostgresContextRegisterTests() : ContextRegisterTests(DatabaseProvider.Postgres);

/// <summary>
/// The context register through the API: issues and interested parties with owners, requirements and
/// review dates; every change kept as a revision, so what changed over a period is one query; and
/// the climate-change assessment the 2024 amendment to 4.1 asks for.
/// </summary>
public abstract class ContextRegisterTests(DatabaseProvider provider) : IAsyncLifetime
{
    private const string Base = "/api/v1/orgs/acme/context";
    private TestApp app = null!;
    private HttpClient manager = null!;
    private HttpClient olga = null!;
    private HttpClient piet = null!;
    private HttpClient auditor = null!;

    public async ValueTask InitializeAsync()
    {
        app = await TestApp.StartAsync(provider);
        var admin = await app.CreateUserAsync("admin@acme.test");
        var orgId = (await app.CreateOrganisationAsync("acme", admin.Id)).Id;
        manager = await ClientAsync(orgId, "maya@acme.test", OrgRole.Manager);
        olga = await ClientAsync(orgId, "olga@acme.test", OrgRole.Contributor);
        piet = await ClientAsync(orgId, "piet@acme.test", OrgRole.Contributor);
        auditor = await ClientAsync(orgId, "audrey@acme.test", OrgRole.Auditor);
    }

    private async Task<HttpClient> ClientAsync(Guid orgId, string email, OrgRole role)
    {
        var user = await app.CreateUserAsync(email);
        await app.AddMemberAsync(orgId, email, role);
        return app.CreateApiClient(await app.CreateTokenAsync(user.Id));
    }

    public async ValueTask DisposeAsync() => await app.DisposeAsync();

    private DateOnly Today => DateOnly.FromDateTime(app.Time.GetUtcNow().UtcDateTime);

    [Fact]
    public async Task Issues_and_parties_are_kept_with_owners_and_review_dates_and_every_change_is_a_revision()
    {
        var before = app.Time.GetUtcNow();
        var customers = await CreateAsync(new
        {
            kind = "interested-party",
            title = "Enterprise customers",
            ownerEmail = "olga@acme.test",
            reviewIntervalMonths = 6,
            requirements = new object[]
            {
                new { text = "Annual proof of certification", addressed = true, how = "Certificate shared on the trust page" },
                new { text = "Breach notice within 48 hours", addressed = false, how = "Contract clause under negotiation" },
            },
        });
        Assert.Equal(("IP-001", "interested-party", 1), (customers.GetProperty("reference").GetString(), customers.GetProperty("kind").GetString(), customers.GetProperty("revision").GetInt32()));
        Assert.Equal(Today.AddMonths(6).ToString("yyyy-MM-dd"), customers.GetProperty("nextReviewOn").GetString());
        Assert.Equal([true, false], customers.GetProperty("requirements").EnumerateArray().Select(r => r.GetProperty("addressed").GetBoolean()));
        Assert.Equal("olga@acme.test", customers.GetProperty("owner").GetProperty("email").GetString());

        var regulation = await CreateAsync(new { kind = "external-issue", title = "New operational-resilience regulation", category = "legal", ownerEmail = "piet@acme.test" });
        var skills = await CreateAsync(new { kind = "internal-issue", title = "Two engineers hold all cloud knowledge", ownerEmail = "piet@acme.test" });
        Assert.Equal(("ISS-001", "ISS-002"), (regulation.GetProperty("reference").GetString(), skills.GetProperty("reference").GetString()));
        Assert.Equal(Today.AddMonths(12).ToString("yyyy-MM-dd"), regulation.GetProperty("nextReviewOn").GetString());

        // A day later: the manager edits the party, Piet reviews his issue; a week later the regulation is retired.
        app.Time.Advance(TimeSpan.FromDays(1));
        var checkpoint = app.Time.GetUtcNow();
        app.Time.Advance(TimeSpan.FromHours(1));
        var customersId = customers.GetProperty("id").GetGuid();
        var edited = await SendAsync(manager, HttpMethod.Put, $"{Base}/{customersId}", new
        {
            title = "Enterprise customers",
            ownerEmail = "olga@acme.test",
            reviewIntervalMonths = 6,
            requirements = new object[]
            {
                new { text = "Annual proof of certification", addressed = true, how = "Certificate shared on the trust page" },
                new { text = "Breach notice within 48 hours", addressed = true, how = "Clause 12 of the master agreement" },
            },
            note = "Breach notice now in the master agreement",
        });
        Assert.Equal(2, edited.GetProperty("revision").GetInt32());
        Assert.True(edited.GetProperty("requirements")[1].GetProperty("addressed").GetBoolean());

        var reviewed = await SendAsync(piet, HttpMethod.Post, $"{Base}/{skills.GetProperty("id").GetGuid()}/review", new { note = "Still true; hiring planned" });
        Assert.Equal((Today.ToString("yyyy-MM-dd"), Today.AddMonths(12).ToString("yyyy-MM-dd")), (reviewed.GetProperty("lastReviewedOn").GetString(), reviewed.GetProperty("nextReviewOn").GetString()));
        app.Time.Advance(TimeSpan.FromDays(7));
        await SendAsync(manager, HttpMethod.Post, $"{Base}/{regulation.GetProperty("id").GetGuid()}/retire", new { reason = "Not in force for our sector" });

        // What changed since the checkpoint: exactly the edit, the review and the retirement, in order.
        var changes = await auditor.GetFromJsonAsync<JsonElement>($"{Base}/changes?from={Uri.EscapeDataString(checkpoint.ToString("O"))}");
        Assert.Equal(
            [("IP-001", 2, "Breach notice now in the master agreement"), ("ISS-002", 2, "reviewed: Still true; hiring planned"), ("ISS-001", 2, "retired: Not in force for our sector")],
            changes.GetProperty("changes").EnumerateArray().Select(c => (c.GetProperty("reference").GetString()!, c.GetProperty("revision").GetInt32(), c.GetProperty("reason").GetString()!)));
        var all = await auditor.GetFromJsonAsync<JsonElement>($"{Base}/changes?from={Uri.EscapeDataString(before.AddSeconds(-1).ToString("O"))}");
        Assert.Equal(6, all.GetProperty("changes").GetArrayLength());

        // The revisions keep each state: the first still says the breach notice was not addressed.
        var revisions = await auditor.GetFromJsonAsync<JsonElement>($"{Base}/{customersId}/revisions");
        Assert.Equal([2, 1], revisions.EnumerateArray().Select(r => r.GetProperty("number").GetInt32()));
        Assert.False(revisions[1].GetProperty("snapshot").GetProperty("requirements")[1].GetProperty("addressed").GetBoolean());
        Assert.True(revisions[0].GetProperty("snapshot").GetProperty("requirements")[1].GetProperty("addressed").GetBoolean());

        // The register lists active entries, issues first; retired ones on request; due reviews by filter.
        var active = await auditor.GetFromJsonAsync<JsonElement>(Base);
        Assert.Equal(["ISS-002", "IP-001"], active.GetProperty("items").EnumerateArray().Select(e => e.GetProperty("reference").GetString()!));
        var retired = await auditor.GetFromJsonAsync<JsonElement>($"{Base}?status=retired");
        Assert.Equal("ISS-001", retired.GetProperty("items").EnumerateArray().Single().GetProperty("reference").GetString());
        Assert.Equal(0, (await auditor.GetFromJsonAsync<JsonElement>($"{Base}?due=true")).GetProperty("total").GetInt32());
        app.Time.Advance(TimeSpan.FromDays(190));
        var due = await auditor.GetFromJsonAsync<JsonElement>($"{Base}?due=true");
        Assert.Equal("IP-001", due.GetProperty("items").EnumerateArray().Single().GetProperty("reference").GetString());
        Assert.True(due.GetProperty("items")[0].GetProperty("reviewDue").GetBoolean());
        Assert.Equal("ISS-002", (await auditor.GetFromJsonAsync<JsonElement>($"{Base}?owner=piet@acme.test")).GetProperty("items").EnumerateArray().Single().GetProperty("reference").GetString());
    }

    [Fact]
    public async Task Only_managers_keep_the_register_and_only_the_owner_or_a_manager_reviews_an_entry()
    {
        var issue = await CreateAsync(new { kind = "internal-issue", title = "Office move next spring", ownerEmail = "olga@acme.test" });
        var id = issue.GetProperty("id").GetGuid();
        Assert.Equal(HttpStatusCode.Forbidden, (await olga.PostAsJsonAsync(Base, new { kind = "internal-issue", title = "x", ownerEmail = "olga@acme.test" })).StatusCode);
        Assert.Equal(HttpStatusCode.Forbidden, (await auditor.PostAsJsonAsync($"{Base}/{id}/review", new { })).StatusCode);
        Assert.Equal(HttpStatusCode.Forbidden, (await piet.PostAsJsonAsync($"{Base}/{id}/review", new { })).StatusCode);
        Assert.Equal(HttpStatusCode.Forbidden, (await olga.PostAsJsonAsync($"{Base}/{id}/retire", new { reason = "moved" })).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await olga.PostAsJsonAsync($"{Base}/{id}/review", new { })).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await manager.PostAsJsonAsync($"{Base}/{id}/review", new { })).StatusCode);
        Assert.Equal(3, (await auditor.GetFromJsonAsync<JsonElement>($"{Base}/{id}")).GetProperty("revision").GetInt32());

        var bare = await manager.PostAsJsonAsync($"{Base}/{id}/retire", new { });
        Assert.Equal(HttpStatusCode.BadRequest, bare.StatusCode);
        Assert.Contains("reason", await bare.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        Assert.Equal(HttpStatusCode.OK, (await manager.PostAsJsonAsync($"{Base}/{id}/retire", new { reason = "Moved already" })).StatusCode);
        Assert.Equal(HttpStatusCode.Conflict, (await manager.PostAsJsonAsync($"{Base}/{id}/retire", new { reason = "again" })).StatusCode);
        Assert.Equal(HttpStatusCode.Conflict, (await olga.PostAsJsonAsync($"{Base}/{id}/review", new { })).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await auditor.GetAsync($"{Base}/{Guid.NewGuid()}")).StatusCode);
    }

    [Theory]
    [InlineData("""{"title":"x","ownerEmail":"olga@acme.test"}""", "kind")]
    [InlineData("""{"kind":"risk","title":"x","ownerEmail":"olga@acme.test"}""", "kind")]
    [InlineData("""{"kind":"internal-issue","title":"  ","ownerEmail":"olga@acme.test"}""", "title")]
    [InlineData("""{"kind":"internal-issue","title":"x"}""", "owner")]
    [InlineData("""{"kind":"internal-issue","title":"x","ownerEmail":"audrey@acme.test"}""", "owner")]
    [InlineData("""{"kind":"internal-issue","title":"x","ownerEmail":"nobody@acme.test"}""", "ownerEmail")]
    [InlineData("""{"kind":"internal-issue","title":"x","ownerEmail":"olga@acme.test","reviewIntervalMonths":0}""", "reviewIntervalMonths")]
    [InlineData("""{"kind":"internal-issue","title":"x","ownerEmail":"olga@acme.test","requirements":[{"text":"y"}]}""", "requirements")]
    [InlineData("""{"kind":"interested-party","title":"x","ownerEmail":"olga@acme.test","requirements":[{"text":" "}]}""", "requirements[0].text")]
    [InlineData("""{"kind":"interested-party","title":"x","ownerEmail":"olga@acme.test","climateChange":true}""", "climateChange")]
    [InlineData("""{"kind":"external-issue","title":"x","ownerEmail":"olga@acme.test","relevant":false}""", "description")]
    [InlineData("""{"kind":"internal-issue","title":"x","ownerEmail":"olga@acme.test","colour":"red"}""", "colour")]
    public async Task A_malformed_entry_is_refused_naming_the_field_and_nothing_is_recorded(string body, string field)
    {
        var response = await manager.PostAsync(Base, new StringContent(body, System.Text.Encoding.UTF8, "application/json"));
        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Contains($"\"{field}\"", await response.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        Assert.Equal(0, (await auditor.GetFromJsonAsync<JsonElement>($"{Base}?status=all")).GetProperty("total").GetInt32());
    }

    [Fact]
    public async Task The_register_says_whether_climate_change_was_assessed_and_how()
    {
        Assert.Equal("not-assessed", (await auditor.GetFromJsonAsync<JsonElement>($"{Base}/climate")).GetProperty("assessment").GetString());
        var issue = await CreateAsync(new
        {
            kind = "external-issue",
            title = "Climate change",
            climateChange = true,
            relevant = false,
            description = "Fully remote company on a multi-region cloud; no sites exposed to flooding or heat.",
            ownerEmail = "olga@acme.test",
        });
        var climate = await auditor.GetFromJsonAsync<JsonElement>($"{Base}/climate");
        Assert.Equal(("not-relevant", "ISS-001"), (climate.GetProperty("assessment").GetString(), climate.GetProperty("references")[0].GetString()));

        await SendAsync(manager, HttpMethod.Put, $"{Base}/{issue.GetProperty("id").GetGuid()}", new
        {
            title = "Climate change",
            climateChange = true,
            relevant = true,
            description = "Heat waves now stop the data centre's cooling a few days a year.",
            ownerEmail = "olga@acme.test",
            note = "Reassessed after the summer outage",
        });
        Assert.Equal("relevant", (await auditor.GetFromJsonAsync<JsonElement>($"{Base}/climate")).GetProperty("assessment").GetString());
    }

    private async Task<JsonElement> CreateAsync(object body)
    {
        var response = await manager.PostAsJsonAsync(Base, body);
        Assert.True(response.StatusCode == HttpStatusCode.Created, await response.Content.ReadAsStringAsync());
        return await response.Content.ReadFromJsonAsync<JsonElement>();
    }

    private static async Task<JsonElement> SendAsync(HttpClient client, HttpMethod method, string path, object body)
    {
        using var request = new HttpRequestMessage(method, path) { Content = JsonContent.Create(body) };
        var response = await client.SendAsync(request);
        Assert.True(response.StatusCode == HttpStatusCode.OK, $"{method} {path}: {(int)response.StatusCode} {await response.Content.ReadAsStringAsync()}");
        return await response.Content.ReadFromJsonAsync<JsonElement>();
    }
}

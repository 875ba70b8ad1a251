using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Microsoft.Extensions.DependencyInjection;
using Perennial.Data;
using Perennial.Organisations;
using Perennial.Tests.Infrastructure;

namespace Perennial.Tests.Risks;

public sealed class SqliteRiskRegisterTests() : RiskRegisterTests(DatabaseProvider.Sqlite);

public sealed class PostgresRiskRegisterTests() : RiskRegisterTests(DatabaseProvider.Postgres);

/// <summary>The register through its API: revisions, the register as at a date, acceptance and reviews.</summary>
public abstract class RiskRegisterTests(DatabaseProvider provider) : IAsyncLifetime
{
    private TestApp app = null!;
    private HttpClient manager = null!;
    private HttpClient owner = null!;
    private Guid ownerId;

    public async ValueTask InitializeAsync()
    {
        app = await TestApp.StartAsync(provider);
        var admin = await app.CreateUserAsync("ciso@risks.test");
        var org = await app.CreateOrganisationAsync("risks", admin.Id);
        ownerId = (await app.CreateUserAsync("owner@risks.test")).Id;
        await app.AddMemberAsync(org.Id, "owner@risks.test", OrgRole.Contributor);
        manager = app.CreateApiClient(await app.CreateTokenAsync(admin.Id));
        owner = app.CreateApiClient(await app.CreateTokenAsync(ownerId));
    }

    public async ValueTask DisposeAsync() => await app.DisposeAsync();

    private object Risk(string title, int l, int i, int rl, int ri, string treatment = "modify", Guid? ownerUserId = null, string? reason = null) => new
    {
        title,
        ownerUserId = ownerUserId ?? ownerId,
        inherentLikelihood = l,
        inherentImpact = i,
        treatment,
        residualLikelihood = rl,
        residualImpact = ri,
        reviewIntervalMonths = 12,
        reason,
    };

    private async Task<JsonElement> CreateAsync(object body)
    {
        var response = await manager.PostAsJsonAsync("/api/v1/orgs/risks/risks", body);
        Assert.Equal(HttpStatusCode.Created, response.StatusCode);
        return await response.Content.ReadFromJsonAsync<JsonElement>();
    }

    [Fact]
    public async Task Five_edits_leave_six_revisions_and_the_register_as_at_each_date_shows_the_revision_of_that_day()
    {
        var risk = await CreateAsync(Risk("Ransomware on file servers", 4, 5, 3, 4));
        var id = risk.GetProperty("id").GetString();
        var days = new List<DateOnly> { Today() };
        for (var edit = 1; edit <= 5; edit++)
        {
            app.Time.Advance(TimeSpan.FromDays(10));
            days.Add(Today());
            var response = await manager.PutAsJsonAsync($"/api/v1/orgs/risks/risks/{id}", Risk($"Ransomware on file servers (v{edit + 1})", 4, 5, edit % 3 + 1, 4, reason: $"edit {edit}"));
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        }

        var revisions = await manager.GetFromJsonAsync<JsonElement>($"/api/v1/orgs/risks/risks/{id}/revisions");
        Assert.Equal(6, revisions.GetArrayLength());
        Assert.Equal("edit 5", revisions[0].GetProperty("reason").GetString());

        for (var n = 0; n < days.Count; n++)
        {
            var asOf = await manager.GetFromJsonAsync<JsonElement>($"/api/v1/orgs/risks/risks?asOf={days[n]:yyyy-MM-dd}");
            var row = Assert.Single(asOf.GetProperty("items").EnumerateArray());
            Assert.Equal(n + 1, row.GetProperty("revision").GetInt32());
            Assert.Equal(n == 0 ? "Ransomware on file servers" : $"Ransomware on file servers (v{n + 1})", row.GetProperty("title").GetString());
        }

        var before = await manager.GetFromJsonAsync<JsonElement>($"/api/v1/orgs/risks/risks?asOf={days[0].AddDays(-1):yyyy-MM-dd}");
        Assert.Equal(0, before.GetProperty("total").GetInt32());

        var diff = await manager.GetFromJsonAsync<JsonElement>($"/api/v1/orgs/risks/risks/{id}/revisions/compare?from=2&to=3");
        Assert.Equal(["Title", "Residual level"], diff.EnumerateArray().Select(c => c.GetProperty("field").GetString()!));
        var level = diff.EnumerateArray().Single(c => c.GetProperty("field").GetString() == "Residual level");
        Assert.Equal("Medium (2×4)", level.GetProperty("before").GetString());
        Assert.Equal("High (3×4)", level.GetProperty("after").GetString());
    }

    [Fact]
    public async Task An_edit_that_changes_nothing_writes_no_revision()
    {
        var risk = await CreateAsync(Risk("Lost laptop", 3, 3, 2, 2));
        var id = risk.GetProperty("id").GetString();

        var unchanged = await manager.PutAsJsonAsync($"/api/v1/orgs/risks/risks/{id}", Risk("Lost laptop", 3, 3, 2, 2));
        Assert.Equal(HttpStatusCode.OK, unchanged.StatusCode);

        Assert.Equal(1, (await manager.GetFromJsonAsync<JsonElement>($"/api/v1/orgs/risks/risks/{id}/revisions")).GetArrayLength());
    }

    [Fact]
    public async Task Only_the_risk_owner_accepts_residual_risk_above_the_threshold_and_a_new_residual_voids_it()
    {
        var risk = await CreateAsync(Risk("Single cloud region", 4, 5, 3, 4, "retain"));
        var id = risk.GetProperty("id").GetString();
        Assert.True(risk.GetProperty("needsAcceptance").GetBoolean());
        var acceptance = new { acceptedUntil = Today().AddMonths(6).ToString("yyyy-MM-dd"), justification = "Second region costs more than the expected loss." };

        var byManager = await manager.PostAsJsonAsync($"/api/v1/orgs/risks/risks/{id}/accept", acceptance);
        Assert.Equal(HttpStatusCode.Forbidden, byManager.StatusCode);

        var byOwner = await owner.PostAsJsonAsync($"/api/v1/orgs/risks/risks/{id}/accept", acceptance);
        Assert.Equal(HttpStatusCode.OK, byOwner.StatusCode);
        var accepted = await byOwner.Content.ReadFromJsonAsync<JsonElement>();
        Assert.False(accepted.GetProperty("needsAcceptance").GetBoolean());
        Assert.Equal(ownerId, accepted.GetProperty("acceptedByUserId").GetGuid());

        var listed = await manager.GetFromJsonAsync<JsonElement>("/api/v1/orgs/risks/risks?needsAcceptance=true");
        Assert.Equal(0, listed.GetProperty("total").GetInt32());

        Assert.Equal(HttpStatusCode.OK, (await manager.PutAsJsonAsync($"/api/v1/orgs/risks/risks/{id}", Risk("Single cloud region", 4, 5, 4, 4, "retain", reason: "new outage data"))).StatusCode);
        var after = await manager.GetFromJsonAsync<JsonElement>($"/api/v1/orgs/risks/risks/{id}");
        Assert.True(after.GetProperty("needsAcceptance").GetBoolean());
        Assert.Equal(JsonValueKind.Null, after.GetProperty("acceptedUntil").ValueKind);
    }

    [Fact]
    public async Task A_review_sets_the_next_review_from_the_interval_and_an_overdue_review_shows_on_the_dashboard()
    {
        var risk = await CreateAsync(Risk("Phishing of finance staff", 4, 4, 3, 3));
        var id = risk.GetProperty("id").GetString();
        Assert.Equal(Today().AddMonths(12).ToString("yyyy-MM-dd"), risk.GetProperty("nextReviewOn").GetString());

        app.Time.Advance(TimeSpan.FromDays(400));
        var overdue = await manager.GetFromJsonAsync<JsonElement>("/api/v1/orgs/risks/risks?overdue=true");
        Assert.Equal(1, overdue.GetProperty("total").GetInt32());
        var browser = await app.SignInAsync("ciso@risks.test");
        var dashboard = WebUtility.HtmlDecode(await browser.GetStringAsync("/o/risks"));
        Assert.Contains($"Phishing of finance staff</a>: risk review due {Today().AddDays(-400).AddMonths(12):yyyy-MM-dd}", dashboard, StringComparison.Ordinal);

        var reviewed = await owner.PostAsJsonAsync($"/api/v1/orgs/risks/risks/{id}/reviews", new { notes = "Controls unchanged; training completed." });
        Assert.Equal(HttpStatusCode.OK, reviewed.StatusCode);
        var body = await reviewed.Content.ReadFromJsonAsync<JsonElement>();
        Assert.Equal(Today().ToString("yyyy-MM-dd"), body.GetProperty("lastReviewedOn").GetString());
        Assert.Equal(Today().AddMonths(12).ToString("yyyy-MM-dd"), body.GetProperty("nextReviewOn").GetString());
        Assert.Equal(0, (await manager.GetFromJsonAsync<JsonElement>("/api/v1/orgs/risks/risks?overdue=true")).GetProperty("total").GetInt32());
        Assert.DoesNotContain("risk review due", WebUtility.HtmlDecode(await browser.GetStringAsync("/o/risks")), StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("{\"title\": \"x\", \"inherentLikelihood\": 6, \"inherentImpact\": 1, \"treatment\": \"modify\"}", "inherentLikelihood")]
    [InlineData("{\"title\": \"x\", \"inherentLikelihood\": 2, \"inherentImpact\": 1, \"treatment\": \"ignore\"}", "treatment")]
    [InlineData("{\"title\": \"\", \"inherentLikelihood\": 2, \"inherentImpact\": 1, \"treatment\": \"modify\"}", "title")]
    public async Task A_bad_risk_is_refused_naming_the_field_and_nothing_is_created(string json, string field)
    {
        var response = await manager.PostAsync("/api/v1/orgs/risks/risks", new StringContent(json, System.Text.Encoding.UTF8, "application/json"));

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.True((await response.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("errors").TryGetProperty(field, out _));
        Assert.Equal(0, (await manager.GetFromJsonAsync<JsonElement>("/api/v1/orgs/risks/risks")).GetProperty("total").GetInt32());
    }

    [Fact]
    public async Task The_heat_map_counts_open_risks_per_cell_and_a_cell_lists_them()
    {
        await CreateAsync(Risk("A", 5, 5, 4, 3));
        await CreateAsync(Risk("B", 5, 4, 4, 3));
        await CreateAsync(Risk("C", 2, 2, 1, 1));

        var residual = await manager.GetFromJsonAsync<JsonElement>("/api/v1/orgs/risks/risks/heatmap?kind=residual");
        var cell = residual.GetProperty("cells").EnumerateArray().Single(c => c.GetProperty("likelihood").GetInt32() == 4 && c.GetProperty("impact").GetInt32() == 3);
        Assert.Equal(2, cell.GetProperty("count").GetInt32());
        Assert.Equal("High", cell.GetProperty("level").GetString());
        Assert.Equal(25, residual.GetProperty("cells").GetArrayLength());

        var listed = await manager.GetFromJsonAsync<JsonElement>("/api/v1/orgs/risks/risks?cell=residual:4:3");
        Assert.Equal(["A", "B"], listed.GetProperty("items").EnumerateArray().Select(r => r.GetProperty("title").GetString()!).Order(StringComparer.Ordinal));
    }

    [Fact]
    public async Task The_register_at_two_dates_compares_risk_by_risk()
    {
        var kept = await CreateAsync(Risk("Kept", 3, 3, 2, 2));
        var firstDay = Today();
        app.Time.Advance(TimeSpan.FromDays(30));
        await CreateAsync(Risk("Added later", 2, 2, 1, 1));
        await manager.PutAsJsonAsync($"/api/v1/orgs/risks/risks/{kept.GetProperty("id").GetString()}", Risk("Kept", 3, 3, 3, 3, "retain", reason: "controls weakened"));

        var comparison = await manager.GetFromJsonAsync<JsonElement>($"/api/v1/orgs/risks/risks/compare?from={firstDay:yyyy-MM-dd}&to={Today():yyyy-MM-dd}");

        Assert.Equal(["R-002"], comparison.GetProperty("added").EnumerateArray().Select(a => a.GetString()!));
        Assert.Empty(comparison.GetProperty("removed").EnumerateArray());
        var changed = Assert.Single(comparison.GetProperty("changed").EnumerateArray());
        Assert.Equal("R-001", changed.GetProperty("reference").GetString());
        Assert.Equal(["Treatment", "Residual level"], changed.GetProperty("changes").EnumerateArray().Select(c => c.GetProperty("field").GetString()!));
    }

    [Fact]
    public async Task A_shorter_review_interval_moves_the_next_review_and_a_new_owner_must_accept_again()
    {
        var risk = await CreateAsync(Risk("Supplier loses our data", 4, 5, 2, 5, "retain"));
        var id = risk.GetProperty("id").GetString();
        var accepted = await owner.PostAsJsonAsync($"/api/v1/orgs/risks/risks/{id}/accept", new { acceptedUntil = Today().AddMonths(3).ToString("yyyy-MM-dd"), justification = "Contractual cover." });
        Assert.Equal(HttpStatusCode.OK, accepted.StatusCode);

        var shorter = await manager.PutAsJsonAsync($"/api/v1/orgs/risks/risks/{id}", new
        {
            title = "Supplier loses our data",
            ownerUserId = ownerId,
            inherentLikelihood = 4,
            inherentImpact = 5,
            treatment = "retain",
            residualLikelihood = 2,
            residualImpact = 5,
            reviewIntervalMonths = 3,
        });
        Assert.Equal(HttpStatusCode.OK, shorter.StatusCode);
        var afterInterval = await shorter.Content.ReadFromJsonAsync<JsonElement>();
        Assert.Equal(Today().AddMonths(3).ToString("yyyy-MM-dd"), afterInterval.GetProperty("nextReviewOn").GetString());
        Assert.False(afterInterval.GetProperty("needsAcceptance").GetBoolean());

        var me = await manager.GetFromJsonAsync<JsonElement>("/api/v1/me");
        var newOwner = await manager.PutAsJsonAsync($"/api/v1/orgs/risks/risks/{id}", new
        {
            title = "Supplier loses our data",
            ownerUserId = me.GetProperty("id").GetGuid(),
            inherentLikelihood = 4,
            inherentImpact = 5,
            treatment = "retain",
            residualLikelihood = 2,
            residualImpact = 5,
            reviewIntervalMonths = 3,
        });
        Assert.Equal(HttpStatusCode.OK, newOwner.StatusCode);
        Assert.True((await newOwner.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("needsAcceptance").GetBoolean());
    }

    private DateOnly Today() => DateOnly.FromDateTime(app.Time.GetUtcNow().UtcDateTime);
}

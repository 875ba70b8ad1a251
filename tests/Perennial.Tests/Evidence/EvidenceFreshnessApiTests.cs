#pragma warning disable CA1861 // Request bodies and test data are written inline for readability.
using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Microsoft.Extensions.DependencyInjection;
using Perennial.Certification;
using Perennial.Data;
using Perennial.Organisations;
using Perennial.Tests.Infrastructure;

namespace Perennial.Tests.Evidence;

public sealed class SqliteEvidenceFreshnessApiTests() : EvidenceFreshnessApiTests(DatabaseProvider.Sqlite);

public sealed class PostgresEvidenceFreshnessApiTests() : EvidenceFreshnessApiTests(DatabaseProvider.Postgres);

/// <summary>Freshness requirements on activities and controls, and the control evidence timeline, through the API.</summary>
public abstract class EvidenceFreshnessApiTests(DatabaseProvider provider) : IAsyncLifetime
{
    private const string Base = "/api/v1/orgs/acme";
    private TestApp app = null!;
    private Guid orgId;
    private HttpClient manager = null!;
    private HttpClient contributor = null!;
    private HttpClient auditor = null!;
    private HttpClient outsider = null!;

    public async ValueTask InitializeAsync()
    {
        app = await TestApp.StartAsync(provider);
        var admin = await app.CreateUserAsync("admin@acme.test");
        orgId = (await app.CreateOrganisationAsync("acme", admin.Id)).Id;
        var m = await app.CreateUserAsync("manager@acme.test");
        await app.AddMemberAsync(orgId, "manager@acme.test", OrgRole.Manager);
        var c = await app.CreateUserAsync("contributor@acme.test");
        await app.AddMemberAsync(orgId, "contributor@acme.test", OrgRole.Contributor);
        var a = await app.CreateUserAsync("auditor@acme.test");
        await app.AddMemberAsync(orgId, "auditor@acme.test", OrgRole.Auditor);
        var x = await app.CreateUserAsync("admin@other.test");
        await app.CreateOrganisationAsync("other", x.Id);
        manager = app.CreateApiClient(await app.CreateTokenAsync(m.Id));
        contributor = app.CreateApiClient(await app.CreateTokenAsync(c.Id));
        auditor = app.CreateApiClient(await app.CreateTokenAsync(a.Id));
        outsider = app.CreateApiClient(await app.CreateTokenAsync(x.Id));
    }

    public async ValueTask DisposeAsync() => await app.DisposeAsync();

    [Theory]
    [InlineData(0)]
    [InlineData(-5)]
    [InlineData(3661)]
    public async Task An_activity_freshness_outside_1_to_3660_days_is_refused_naming_evidenceFreshnessDays(int days)
    {
        var response = await manager.PostAsJsonAsync($"{Base}/activities", Activity(days));

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        var problem = await response.Content.ReadFromJsonAsync<JsonElement>();
        Assert.True(problem.GetProperty("errors").TryGetProperty("evidenceFreshnessDays", out _), problem.GetRawText());
    }

    [Fact]
    public async Task An_activity_keeps_its_freshness_changes_it_by_put_and_templates_bring_their_defaults()
    {
        var created = await manager.PostAsJsonAsync($"{Base}/activities", Activity(100));
        Assert.Equal(HttpStatusCode.Created, created.StatusCode);
        var activity = await created.Content.ReadFromJsonAsync<JsonElement>();
        Assert.Equal(100, activity.GetProperty("evidenceFreshnessDays").GetInt32());

        var id = activity.GetProperty("id").GetGuid();
        var updated = await (await manager.PutAsJsonAsync($"{Base}/activities/{id}", Activity(3660))).Content.ReadFromJsonAsync<JsonElement>();
        Assert.Equal(3660, updated.GetProperty("evidenceFreshnessDays").GetInt32());
        var cleared = await (await manager.PutAsJsonAsync($"{Base}/activities/{id}", Activity(null))).Content.ReadFromJsonAsync<JsonElement>();
        Assert.Equal(JsonValueKind.Null, cleared.GetProperty("evidenceFreshnessDays").ValueKind);

        var fromTemplates = await manager.PostAsJsonAsync($"{Base}/activities/from-templates", new { templates = new[] { "vulnerability-scan", "user-access-review" }, ownerEmail = "contributor@acme.test" });
        Assert.Equal(HttpStatusCode.Created, fromTemplates.StatusCode);
        var byTemplate = (await fromTemplates.Content.ReadFromJsonAsync<JsonElement>()).EnumerateArray()
            .ToDictionary(a => a.GetProperty("templateKey").GetString()!, a => a.GetProperty("evidenceFreshnessDays").GetInt32());
        Assert.Equal(35, byTemplate["vulnerability-scan"]);
        Assert.Equal(100, byTemplate["user-access-review"]);
    }

    [Fact]
    public async Task A_control_takes_its_freshness_on_the_implementation_put_and_refuses_a_bad_one()
    {
        var path = $"{Base}/frameworks/iso27001-2022/controls/A.8.8";
        var bad = await manager.PutAsJsonAsync(path, new { status = "partial", evidenceFreshnessDays = 0 });
        Assert.Equal(HttpStatusCode.BadRequest, bad.StatusCode);
        Assert.Contains("evidenceFreshnessDays", await bad.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        Assert.Equal("not-started", (await auditor.GetFromJsonAsync<JsonElement>(path)).GetProperty("status").GetString());

        var ok = await manager.PutAsJsonAsync(path, new { status = "partial", evidenceFreshnessDays = 35 });
        Assert.Equal(HttpStatusCode.OK, ok.StatusCode);
        var control = await auditor.GetFromJsonAsync<JsonElement>(path);
        Assert.Equal(35, control.GetProperty("evidenceFreshnessDays").GetInt32());
        Assert.Equal(HttpStatusCode.Forbidden, (await contributor.PutAsJsonAsync(path, new { status = "partial", evidenceFreshnessDays = 10 })).StatusCode);
    }

    [Fact]
    public async Task The_timeline_shows_gaps_in_the_last_12_months_counting_freshness_and_superseded_items()
    {
        var control = await ControlIdAsync("A.8.8");
        Assert.Equal(HttpStatusCode.OK, (await manager.PutAsJsonAsync($"{Base}/frameworks/iso27001-2022/controls/A.8.8", new { status = "implemented", evidenceFreshnessDays = 35 })).StatusCode);
        await NoteAsync(new { controlId = control, periodFrom = "2025-03-01", periodTo = "2025-03-31" });
        var first = await NoteAsync(new { controlId = control, periodFrom = "2025-09-01", periodTo = "2025-09-30" });
        await NoteAsync(new { controlId = control, periodFrom = "2025-09-10", periodTo = "2025-09-30", supersedes = first });

        var timeline = await auditor.GetFromJsonAsync<JsonElement>($"{Base}/controls/{control}/evidence-timeline");

        // Today is 2 March 2026 and there is no certification cycle: the last 12 months.
        Assert.Equal("2025-03-03", timeline.GetProperty("from").GetString());
        Assert.Equal("2026-03-02", timeline.GetProperty("to").GetString());
        Assert.Equal("month", timeline.GetProperty("slotUnit").GetString());
        Assert.Equal(
            ["No evidence from 6 May to 31 Aug 2025", "No evidence from 5 Nov 2025 to 2 Mar 2026"],
            timeline.GetProperty("gaps").EnumerateArray().Select(g => g.GetProperty("words").GetString()));
        var slots = timeline.GetProperty("slots").EnumerateArray().ToDictionary(s => s.GetProperty("label").GetString()!, s => s.GetProperty("coverage").GetString());
        Assert.Equal("covered", slots["Apr 2025"]);
        Assert.Equal("partial", slots["May 2025"]);
        Assert.Equal("gap", slots["Jul 2025"]);
        Assert.Equal("covered", slots["Sep 2025"]);
        Assert.Equal("gap", slots["Jan 2026"]);
        Assert.Equal(3, timeline.GetProperty("items").GetArrayLength());
        Assert.Contains(timeline.GetProperty("items").EnumerateArray(), i => i.GetProperty("status").GetString() == "superseded");

        var weeks = await auditor.GetFromJsonAsync<JsonElement>($"{Base}/controls/{control}/evidence-timeline?from=2025-09-01&to=2025-10-31");
        Assert.Equal("week", weeks.GetProperty("slotUnit").GetString());
        Assert.Equal(0, weeks.GetProperty("gaps").GetArrayLength());
    }

    [Fact]
    public async Task Without_a_control_requirement_an_activity_item_reaches_one_interval_of_its_schedule_or_its_own_freshness()
    {
        var control = await ControlIdAsync("A.5.15");
        var monthly = await CreateActivityAsync("Monthly access check", "FREQ=MONTHLY;BYMONTHDAY=1", control, null);
        await NoteAsync(new { activityId = monthly, periodFrom = "2025-06-01", periodTo = "2025-06-01" });

        var timeline = await auditor.GetFromJsonAsync<JsonElement>($"{Base}/controls/{control}/evidence-timeline?from=2025-06-01&to=2025-08-31");
        Assert.Equal("2025-07-01", Assert.Single(timeline.GetProperty("items").EnumerateArray()).GetProperty("coversTo").GetString());
        Assert.Equal("No evidence from 2 Jul to 31 Aug 2025", Assert.Single(timeline.GetProperty("gaps").EnumerateArray()).GetProperty("words").GetString());

        var activity = await (await manager.GetAsync($"{Base}/activities/{monthly}")).Content.ReadFromJsonAsync<JsonElement>();
        var put = await manager.PutAsJsonAsync($"{Base}/activities/{monthly}", new
        {
            title = "Monthly access check",
            ownerEmail = "contributor@acme.test",
            rrule = activity.GetProperty("rrule").GetString(),
            dtStart = activity.GetProperty("dtStart").GetString(),
            timeZone = "UTC",
            controlIds = new[] { control },
            evidenceFreshnessDays = 10,
        });
        Assert.Equal(HttpStatusCode.OK, put.StatusCode);
        var shorter = await auditor.GetFromJsonAsync<JsonElement>($"{Base}/controls/{control}/evidence-timeline?from=2025-06-01&to=2025-08-31");
        Assert.Equal("No evidence from 12 Jun to 31 Aug 2025", Assert.Single(shorter.GetProperty("gaps").EnumerateArray()).GetProperty("words").GetString());
    }

    [Fact]
    public async Task The_default_period_is_the_current_year_of_the_certification_cycle()
    {
        await app.WithScopeAsync(s => s.GetRequiredService<CycleService>().SaveCertificateAsync(
            orgId, new CertificateInput("Example Certification Ltd", "C-1", null, null, new DateOnly(2024, 6, 15), new DateOnly(2027, 6, 14), null), CancellationToken.None));
        var control = await ControlIdAsync("A.8.13");

        var timeline = await auditor.GetFromJsonAsync<JsonElement>($"{Base}/controls/{control}/evidence-timeline");

        Assert.Equal("2025-06-15", timeline.GetProperty("from").GetString());
        Assert.Equal("2026-06-14", timeline.GetProperty("to").GetString());
        Assert.StartsWith("Year 2 of certification cycle", timeline.GetProperty("period").GetString(), StringComparison.Ordinal);
        Assert.Equal("No evidence from 15 Jun 2025 to 2 Mar 2026", Assert.Single(timeline.GetProperty("gaps").EnumerateArray()).GetProperty("words").GetString());
        Assert.Equal("future", timeline.GetProperty("slots").EnumerateArray().Last().GetProperty("coverage").GetString());
    }

    [Fact]
    public async Task Bad_timeline_requests_are_refused_and_other_organisations_see_nothing()
    {
        var control = await ControlIdAsync("A.8.8");

        var reversed = await auditor.GetAsync($"{Base}/controls/{control}/evidence-timeline?from=2026-02-01&to=2026-01-01");
        Assert.Equal(HttpStatusCode.BadRequest, reversed.StatusCode);
        Assert.True((await reversed.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("errors").TryGetProperty("from", out _));
        var tooLong = await auditor.GetAsync($"{Base}/controls/{control}/evidence-timeline?from=2010-01-01&to=2026-01-01");
        Assert.Equal(HttpStatusCode.BadRequest, tooLong.StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await auditor.GetAsync($"{Base}/controls/{Guid.NewGuid()}/evidence-timeline")).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await outsider.GetAsync($"/api/v1/orgs/other/controls/{control}/evidence-timeline")).StatusCode);
    }

    private static object Activity(int? freshness) => new
    {
        title = "Vulnerability scan",
        ownerEmail = "contributor@acme.test",
        rrule = "FREQ=MONTHLY;BYMONTHDAY=1",
        dtStart = "2026-04-01T09:00:00",
        timeZone = "UTC",
        evidenceFreshnessDays = freshness,
    };

    private async Task<Guid> CreateActivityAsync(string title, string rrule, Guid control, int? freshness)
    {
        var response = await manager.PostAsJsonAsync($"{Base}/activities", new
        {
            title,
            ownerEmail = "contributor@acme.test",
            rrule,
            dtStart = "2026-04-01T09:00:00",
            timeZone = "UTC",
            controlIds = new[] { control },
            evidenceFreshnessDays = freshness,
        });
        Assert.Equal(HttpStatusCode.Created, response.StatusCode);
        return (await response.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("id").GetGuid();
    }

    private async Task<Guid> ControlIdAsync(string identifier) =>
        (await auditor.GetFromJsonAsync<JsonElement>($"{Base}/frameworks/iso27001-2022/controls/{identifier}")).GetProperty("id").GetGuid();

    private async Task<Guid> NoteAsync(object fields)
    {
        var body = JsonSerializer.SerializeToElement(fields).EnumerateObject().ToDictionary(p => p.Name, p => (object?)p.Value);
        body["kind"] = "note";
        body["text"] = "Evidence for the period";
        var response = await contributor.PostAsJsonAsync($"{Base}/evidence", body);
        var text = await response.Content.ReadAsStringAsync();
        Assert.True(response.StatusCode == HttpStatusCode.Created, text);
        return JsonDocument.Parse(text).RootElement.GetProperty("id").GetGuid();
    }
}

using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Perennial.Data;

namespace Perennial.Tests.Changes;

public sealed class SqliteChangeTests() : ChangeTests(DatabaseProvider.Sqlite);

public sealed class PostgresChangeTests() : ChangeTests(DatabaseProvider.Postgres);

/// <summary>Change management through the API: impact questions, follow-up tasks, closing, incidents.</summary>
public abstract class ChangeTests(DatabaseProvider provider) : IAsyncLifetime
{
    private const string Changes = "/api/v1/orgs/acme/changes";
    private ChangeFixture f = null!;

    public async ValueTask InitializeAsync() => f = await ChangeFixture.CreateAsync(provider);

    public async ValueTask DisposeAsync() => await f.App.DisposeAsync();

    [Fact]
    public async Task A_yes_to_supplier_impact_opens_one_task_with_exactly_the_linked_open_risks_and_brings_their_reviews_forward()
    {
        var change = await RaiseAsync(f.Contributor, "Move payroll to Payflow", [f.Assets["Payroll data"], f.Assets["HR system"]], [f.Controls["A.5.19"]], "2026-04-30");
        Assert.Equal("CH-001", change.GetProperty("reference").GetString());
        Assert.Empty(change.GetProperty("tasks").EnumerateArray());

        var answered = await AnswerAsync(f.Contributor, Id(change), supplier: true);

        var task = Assert.Single(answered.GetProperty("tasks").EnumerateArray());
        Assert.Equal("reassess-risks", task.GetProperty("kind").GetString());
        Assert.Equal("Reassess the affected risks", task.GetProperty("title").GetString());
        Assert.Equal("open", task.GetProperty("status").GetString());
        Assert.Equal("2026-04-30", task.GetProperty("dueDate").GetString());
        // The requester named by e-mail is a member: the task is theirs.
        Assert.Equal(f.ContributorId, task.GetProperty("ownerUserId").GetGuid());
        var selected = task.GetProperty("subjects").EnumerateArray().Select(s => Guid.Parse(s.GetProperty("id").GetString()!)).ToHashSet();
        Assert.Equal(new[] { f.Risks["payroll"], f.Risks["hr"], f.Risks["supplier-control"] }.ToHashSet(), selected);

        foreach (var key in new[] { "payroll", "hr", "supplier-control" })
        {
            var risk = await f.RiskAsync(key);
            Assert.Equal(ChangeFixture.Today, risk.NextReviewOn);
            Assert.Equal("Change CH-001: Move payroll to Payflow", risk.ReviewTrigger);
        }

        foreach (var key in new[] { "wifi", "closed-payroll", "unlinked" })
        {
            var risk = await f.RiskAsync(key);
            Assert.Equal(ChangeFixture.NormalReview, risk.NextReviewOn);
            Assert.Null(risk.ReviewTrigger);
        }

        // More yeses calling for the same task add to it; legal opens "revisit scope" and "review SoA".
        var again = await AnswerAsync(f.Contributor, Id(change), supplier: true, access: true, legal: true);
        var tasks = again.GetProperty("tasks").EnumerateArray().ToList();
        Assert.Equal(["revisit-scope", "reassess-risks", "review-soa"], tasks.Select(t => t.GetProperty("kind").GetString()));
        Assert.Equal(3, tasks[1].GetProperty("subjects").GetArrayLength());
        Assert.Equal(["A.5.19"], tasks[2].GetProperty("subjects").EnumerateArray().Select(s => s.GetProperty("id").GetString()));
    }

    [Fact]
    public async Task Adding_an_asset_adds_its_risks_to_the_open_task_without_a_duplicate()
    {
        var change = await RaiseAsync(f.Contributor, "New HR tool", [f.Assets["HR system"]], [], null);
        var answered = await AnswerAsync(f.Contributor, Id(change), assets: true);
        var task = Assert.Single(answered.GetProperty("tasks").EnumerateArray());
        Assert.Equal([f.Risks["hr"]], task.GetProperty("subjects").EnumerateArray().Select(s => Guid.Parse(s.GetProperty("id").GetString()!)));
        // No planned date: due in 14 days. The requester is no member: the first manager or admin owns it.
        Assert.Equal("2026-03-16", task.GetProperty("dueDate").GetString());
        Assert.Equal(f.AdminId, task.GetProperty("ownerUserId").GetGuid());

        var updated = await f.Contributor.PutAsJsonAsync($"{Changes}/{Id(change)}", new
        {
            title = "New HR tool",
            type = "system",
            requester = "Someone from HR",
            assetIds = new[] { f.Assets["HR system"], f.Assets["Payroll data"] },
        });
        Assert.Equal(HttpStatusCode.OK, updated.StatusCode);
        var body = await updated.Content.ReadFromJsonAsync<JsonElement>();
        var same = Assert.Single(body.GetProperty("tasks").EnumerateArray());
        Assert.Equal(new[] { f.Risks["hr"], f.Risks["payroll"] }.ToHashSet(),
            same.GetProperty("subjects").EnumerateArray().Select(s => Guid.Parse(s.GetProperty("id").GetString()!)).ToHashSet());
        Assert.Equal("Change CH-001: New HR tool", (await f.RiskAsync("payroll")).ReviewTrigger);
    }

    [Fact]
    public async Task A_change_cannot_be_closed_until_every_task_is_done_or_waived_and_waiving_needs_a_reason()
    {
        var change = await RaiseAsync(f.Contributor, "Sign with a new payroll provider", [f.Assets["Payroll data"]], [f.Controls["A.5.19"]], "2026-04-30");
        var id = Id(change);
        var unanswered = await f.Manager.PostAsync($"{Changes}/{id}/close", null);
        Assert.Equal(HttpStatusCode.Conflict, unanswered.StatusCode);
        Assert.Contains("impact question", await unanswered.Content.ReadAsStringAsync(), StringComparison.Ordinal);

        var answered = await AnswerAsync(f.Contributor, id, supplier: true, legal: true);
        var tasks = answered.GetProperty("tasks").EnumerateArray().ToDictionary(t => t.GetProperty("kind").GetString()!, t => t.GetProperty("id").GetGuid());
        Assert.Equal(3, tasks.Count);

        var refused = await f.Manager.PostAsync($"{Changes}/{id}/close", null);
        Assert.Equal(HttpStatusCode.Conflict, refused.StatusCode);
        var problem = await refused.Content.ReadFromJsonAsync<JsonElement>();
        var detail = problem.GetProperty("detail").GetString()!;
        Assert.Contains("Revisit the ISMS scope", detail, StringComparison.Ordinal);
        Assert.Contains("Reassess the affected risks", detail, StringComparison.Ordinal);
        Assert.Contains("Review the SoA rows concerned", detail, StringComparison.Ordinal);
        Assert.Equal(3, problem.GetProperty("openTasks").GetArrayLength());
        Assert.Equal(HttpStatusCode.Forbidden, (await f.Contributor.PostAsync($"{Changes}/{id}/close", null)).StatusCode);

        Assert.Equal(HttpStatusCode.OK, (await f.Contributor.PostAsync($"{Changes}/{id}/tasks/{tasks["reassess-risks"]}/done", null)).StatusCode);
        var noReason = await f.Manager.PostAsJsonAsync($"{Changes}/{id}/tasks/{tasks["revisit-scope"]}/waive", new { reason = "  " });
        Assert.Equal(HttpStatusCode.BadRequest, noReason.StatusCode);
        Assert.True((await noReason.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("errors").TryGetProperty("reason", out _));
        Assert.Equal(HttpStatusCode.Forbidden, (await f.Contributor.PostAsJsonAsync($"{Changes}/{id}/tasks/{tasks["revisit-scope"]}/waive", new { reason = "Not needed" })).StatusCode);

        var stillOpen = await f.Manager.PostAsync($"{Changes}/{id}/close", null);
        Assert.Equal(HttpStatusCode.Conflict, stillOpen.StatusCode);
        var remaining = (await stillOpen.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("detail").GetString()!;
        Assert.DoesNotContain("Reassess the affected risks", remaining, StringComparison.Ordinal);
        Assert.Contains("Revisit the ISMS scope", remaining, StringComparison.Ordinal);

        var waived = await f.Manager.PostAsJsonAsync($"{Changes}/{id}/tasks/{tasks["revisit-scope"]}/waive", new { reason = "The provider works inside the current scope." });
        Assert.Equal(HttpStatusCode.OK, waived.StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await f.Contributor.PostAsync($"{Changes}/{id}/tasks/{tasks["review-soa"]}/done", null)).StatusCode);

        var closed = await f.Manager.PostAsync($"{Changes}/{id}/close", null);
        Assert.Equal(HttpStatusCode.OK, closed.StatusCode);
        var final = await closed.Content.ReadFromJsonAsync<JsonElement>();
        Assert.Equal("closed", final.GetProperty("status").GetString());
        Assert.Equal("2026-03-02", final.GetProperty("closedOn").GetString());
        var scopeTask = final.GetProperty("tasks").EnumerateArray().Single(t => t.GetProperty("kind").GetString() == "revisit-scope");
        Assert.Equal("waived", scopeTask.GetProperty("status").GetString());
        Assert.Equal("The provider works inside the current scope.", scopeTask.GetProperty("waiverReason").GetString());

        // Closed is final.
        Assert.Equal(HttpStatusCode.Conflict, (await f.Manager.PostAsync($"{Changes}/{id}/close", null)).StatusCode);
        Assert.Equal(HttpStatusCode.Conflict, (await f.Contributor.PutAsJsonAsync($"{Changes}/{id}/impact", new { affectsScope = true })).StatusCode);
    }

    [Fact]
    public async Task Status_moves_sensibly_and_closing_is_not_an_update()
    {
        var change = await RaiseAsync(f.Contributor, "Open an office in Lyon", [], [], "2026-06-01");
        var id = Id(change);
        Assert.Equal(HttpStatusCode.BadRequest, (await PutStatusAsync(id, "implemented")).StatusCode);
        Assert.Equal(HttpStatusCode.BadRequest, (await PutStatusAsync(id, "closed")).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await PutStatusAsync(id, "approved")).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await PutStatusAsync(id, "rejected")).StatusCode);
        Assert.Equal(HttpStatusCode.Conflict, (await PutStatusAsync(id, "approved")).StatusCode);

        var list = await f.Auditor.GetFromJsonAsync<JsonElement>($"{Changes}?status=rejected");
        Assert.Equal(1, list.GetProperty("total").GetInt32());
        Assert.Equal("CH-001", list.GetProperty("items")[0].GetProperty("reference").GetString());
        Assert.Equal(0, (await f.Auditor.GetFromJsonAsync<JsonElement>($"{Changes}?status=proposed")).GetProperty("total").GetInt32());
        Assert.Equal(HttpStatusCode.BadRequest, (await f.Auditor.GetAsync($"{Changes}?status=finished")).StatusCode);
    }

    [Fact]
    public async Task Assets_and_controls_must_be_the_organisations_own()
    {
        var response = await f.Contributor.PostAsJsonAsync(Changes, new { title = "Foreign asset", type = "other", assetIds = new[] { Guid.NewGuid() } });

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.True((await response.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("errors").TryGetProperty("assetIds", out _));
        Assert.Equal(0, await f.CountChangesAsync());
    }

    [Fact]
    public async Task An_incident_brings_forward_the_reviews_of_the_open_risks_on_its_assets()
    {
        var recorded = await f.Contributor.PostAsJsonAsync("/api/v1/orgs/acme/incidents", new
        {
            date = "2026-02-27",
            title = "Guest laptop reached the file server",
            severity = "high",
            description = "A visitor's laptop on the guest network could list the file server's shares.",
            assetIds = new[] { f.Assets["Office Wi-Fi"] },
            controlIds = new[] { f.Controls["A.5.19"] },
        });

        Assert.Equal(HttpStatusCode.Created, recorded.StatusCode);
        var incident = await recorded.Content.ReadFromJsonAsync<JsonElement>();
        Assert.Equal("IN-001", incident.GetProperty("reference").GetString());
        Assert.Equal(2, incident.GetProperty("reviewsBroughtForward").GetInt32());
        foreach (var key in new[] { "wifi", "hr" })
        {
            var risk = await f.RiskAsync(key);
            Assert.Equal(ChangeFixture.Today, risk.NextReviewOn);
            Assert.Equal("Incident IN-001: Guest laptop reached the file server", risk.ReviewTrigger);
        }

        Assert.Equal(ChangeFixture.NormalReview, (await f.RiskAsync("payroll")).NextReviewOn);
        var list = await f.Auditor.GetFromJsonAsync<JsonElement>("/api/v1/orgs/acme/incidents");
        Assert.Equal(1, list.GetProperty("total").GetInt32());
        Assert.Equal(["Office Wi-Fi"], list.GetProperty("items")[0].GetProperty("assets").EnumerateArray().Select(a => a.GetString()));

        var future = await f.Contributor.PostAsJsonAsync("/api/v1/orgs/acme/incidents", new { date = "2026-03-03", title = "Not yet", severity = "low" });
        Assert.Equal(HttpStatusCode.BadRequest, future.StatusCode);

        // The incident grows a timeline, a nonconformity that links back, and lessons learned once resolved.
        var id = incident.GetProperty("id").GetGuid();
        var path = $"/api/v1/orgs/acme/incidents/{id}";
        Assert.Equal(HttpStatusCode.Created, (await f.Contributor.PostAsJsonAsync($"{path}/timeline", new { at = "2026-02-27T14:30:00Z", text = "Guest network isolated from the office VLAN" })).StatusCode);
        var tooEarly = await f.Contributor.PostAsJsonAsync($"{path}/timeline", new { at = "2026-01-01T00:00:00Z", text = "Before it happened" });
        Assert.Equal(HttpStatusCode.BadRequest, tooEarly.StatusCode);
        Assert.Contains("before the incident occurred", await tooEarly.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        Assert.Equal(HttpStatusCode.Forbidden, (await f.Auditor.PostAsJsonAsync($"{path}/timeline", new { text = "Auditors only read" })).StatusCode);
        Assert.Equal(HttpStatusCode.Created, (await f.Contributor.PostAsJsonAsync($"{path}/nonconformity", new { title = "Guest network not segregated", severity = "major" })).StatusCode);
        Assert.Equal(HttpStatusCode.BadRequest, (await f.Contributor.PostAsJsonAsync($"{path}/resolve", new { resolvedOn = "2026-03-01" })).StatusCode);
        var resolved = await f.Contributor.PostAsJsonAsync($"{path}/resolve", new { resolvedOn = "2026-03-01", lessonsLearned = "Segregate guest networks by default" });
        Assert.Equal(HttpStatusCode.OK, resolved.StatusCode);

        var detail = await f.Auditor.GetFromJsonAsync<JsonElement>(path);
        Assert.Equal(("resolved", "2026-03-01", "Segregate guest networks by default"),
            (detail.GetProperty("status").GetString(), detail.GetProperty("resolvedOn").GetString(), detail.GetProperty("lessonsLearned").GetString()));
        Assert.Equal(["Guest network isolated from the office VLAN", "Incident recorded", "Resolved; lessons learned recorded"],
            detail.GetProperty("timeline").EnumerateArray().Select(e => e.GetProperty("text").GetString()));
        Assert.Equal(["A.5.19"], detail.GetProperty("controls").EnumerateArray().Select(c => c.GetProperty("reference").GetString()));
        var nc = Assert.Single(detail.GetProperty("nonconformities").EnumerateArray());
        Assert.Equal("Guest network not segregated", nc.GetProperty("title").GetString());
        var raised = await f.Auditor.GetFromJsonAsync<JsonElement>($"/api/v1/orgs/acme/nonconformities/{nc.GetProperty("id").GetGuid()}");
        Assert.Equal("incident", raised.GetProperty("source").GetString());
        Assert.Equal(2, detail.GetProperty("reviewsBroughtForward").GetInt32());
        var wifi = await f.RiskAsync("wifi");
        var hr = await f.RiskAsync("hr");
        Assert.Equal(new[] { wifi.Reference, hr.Reference }.Order(StringComparer.Ordinal), detail.GetProperty("risks").EnumerateArray().Select(r => r.GetProperty("reference").GetString()!));
        Assert.All(detail.GetProperty("risks").EnumerateArray(), r => Assert.Equal($"review due {ChangeFixture.Today:yyyy-MM-dd}", r.GetProperty("status").GetString()));
    }

    private static async Task<JsonElement> RaiseAsync(HttpClient client, string title, Guid[] assets, Guid[] controls, string? plannedDate)
    {
        var response = await client.PostAsJsonAsync(Changes, new
        {
            title,
            type = "supplier",
            requester = plannedDate is null ? "Someone from HR" : "ana@acme.test",
            plannedDate,
            assetIds = assets,
            controlIds = controls,
        });
        Assert.Equal(HttpStatusCode.Created, response.StatusCode);
        return await response.Content.ReadFromJsonAsync<JsonElement>();
    }

    private static async Task<JsonElement> AnswerAsync(HttpClient client, Guid id, bool supplier = false, bool access = false, bool legal = false, bool assets = false)
    {
        var response = await client.PutAsJsonAsync($"{Changes}/{id}/impact", new
        {
            affectsScope = false,
            addsAssetsOrProcessing = assets,
            affectsSupplier = supplier,
            affectsAccess = access,
            affectsLegalRequirements = legal,
            affectsSoaControl = false,
        });
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        return await response.Content.ReadFromJsonAsync<JsonElement>();
    }

    private Task<HttpResponseMessage> PutStatusAsync(Guid id, string status) =>
        f.Contributor.PutAsJsonAsync($"{Changes}/{id}", new { title = "Open an office in Lyon", type = "site", plannedDate = "2026-06-01", status });

    private static Guid Id(JsonElement change) => change.GetProperty("id").GetGuid();
}

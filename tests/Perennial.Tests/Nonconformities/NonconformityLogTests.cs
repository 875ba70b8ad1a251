using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using ClosedXML.Excel;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Perennial.Certification;
using Perennial.Dashboard;
using Perennial.Data;
using Perennial.Organisations;
using Perennial.Risks;
using Perennial.Tests.Infrastructure;

namespace Perennial.Tests.Nonconformities;

public sealed class SqliteNonconformityLogTests() : NonconformityLogTests(DatabaseProvider.Sqlite);

public sealed class PostgresNonconformityLogTests() : NonconformityLogTests(DatabaseProvider.Postgres);

/// <summary>
/// The log beyond its list: nonconformities on one clause or control within the certification cycle
/// shown together as recurring, the XLSX export with the log's filters, and "needs a risk review"
/// bringing the linked risks' reviews forward.
/// </summary>
public abstract class NonconformityLogTests(DatabaseProvider provider) : IAsyncLifetime
{
    private const string Base = "/api/v1/orgs/acme/nonconformities";
    private TestApp app = null!;
    private Guid orgId;
    private readonly Dictionary<string, Guid> users = [];
    private HttpClient manager = null!;
    private HttpClient olga = null!;
    private HttpClient piet = null!;
    private HttpClient auditor = null!;

    public async ValueTask InitializeAsync()
    {
        app = await TestApp.StartAsync(provider);
        var admin = await app.CreateUserAsync("admin@acme.test");
        orgId = (await app.CreateOrganisationAsync("acme", admin.Id)).Id;
        manager = await ClientAsync("maya@acme.test", OrgRole.Manager);
        olga = await ClientAsync("olga@acme.test", OrgRole.Contributor);
        piet = await ClientAsync("piet@acme.test", OrgRole.Contributor);
        auditor = await ClientAsync("audrey@acme.test", OrgRole.Auditor);
    }

    private async Task<HttpClient> ClientAsync(string email, OrgRole role)
    {
        var user = await app.CreateUserAsync(email);
        users[email.Split('@')[0]] = user.Id;
        await app.AddMemberAsync(orgId, email, role);
        return app.CreateApiClient(await app.CreateTokenAsync(user.Id));
    }

    public async ValueTask DisposeAsync() => await app.DisposeAsync();

    private DateOnly Today => DateOnly.FromDateTime(app.Time.GetUtcNow().UtcDateTime);

    [Fact]
    public async Task Nonconformities_on_one_clause_or_control_within_the_cycle_are_shown_together_as_recurring()
    {
        var before = await RaiseAsync(olga, "Backups not tested (last cycle)", "minor", "A.8.13");
        app.Time.Advance(TimeSpan.FromDays(10));
        await app.WithScopeAsync(s => s.GetRequiredService<CycleService>().SaveCertificateAsync(orgId,
            new CertificateInput("Example Certification Ltd", null, null, null, Today.AddDays(-5), null, null), default));
        // Written in lower case, the identifier is still the catalogue's A.8.13.
        var first = await RaiseAsync(olga, "Restore test skipped in March", "minor", "a.8.13");
        var second = await RaiseAsync(piet, "Restore test skipped again", "major", "A.8.13");
        var leaverA = await RaiseAsync(olga, "Leaver kept VPN access", "major", "A.5.18");
        var leaverB = await RaiseAsync(olga, "Contractor kept admin rights", "minor", "A.5.18");
        var single = await RaiseAsync(olga, "Audit programme not approved", "minor", "9.2");
        Assert.Equal("A.8.13", first.GetProperty("identifier").GetString());

        var log = await auditor.GetFromJsonAsync<JsonElement>($"{Base}?pageSize=50");
        int Recurrences(JsonElement nc) => log.GetProperty("items").EnumerateArray().Single(i => i.GetProperty("id").GetGuid() == Id(nc)).GetProperty("recurrences").GetInt32();
        Assert.Equal(2, Recurrences(first));
        Assert.Equal(2, Recurrences(second));
        Assert.Equal(2, Recurrences(leaverA));
        Assert.Equal(2, Recurrences(leaverB));
        Assert.Equal(0, Recurrences(single));
        Assert.Equal(0, Recurrences(before));

        var recurring = await auditor.GetFromJsonAsync<JsonElement>($"{Base}/recurring");
        Assert.Equal(1, recurring.GetProperty("cycle").GetInt32());
        Assert.Equal(Today.AddDays(-5).ToString("yyyy-MM-dd"), recurring.GetProperty("from").GetString());
        var groups = recurring.GetProperty("items").EnumerateArray().ToList();
        Assert.Equal(["A.5.18", "A.8.13"], groups.Select(g => g.GetProperty("identifier").GetString()));
        var backups = groups[1];
        Assert.Equal(2, backups.GetProperty("count").GetInt32());
        Assert.Equal(2, backups.GetProperty("open").GetInt32());
        Assert.Equal([Id(first), Id(second)], backups.GetProperty("nonconformities").EnumerateArray().Select(n => n.GetProperty("id").GetGuid()));

        // Closing one keeps it in the group; the group's open count follows.
        Assert.Equal(HttpStatusCode.OK, (await manager.PostAsJsonAsync($"{Base}/{Id(first)}/close", new { justification = "Superseded by the second" })).StatusCode);
        recurring = await auditor.GetFromJsonAsync<JsonElement>($"{Base}/recurring");
        Assert.Equal(1, recurring.GetProperty("items")[1].GetProperty("open").GetInt32());

        var reader = await app.SignInAsync("audrey@acme.test");
        var detail = await reader.GetStringAsync($"/o/acme/nonconformities/{Id(second)}");
        Assert.Contains("Recurring on A.8.13", detail, StringComparison.Ordinal);
        Assert.Contains($"/o/acme/nonconformities/{Id(first)}", detail, StringComparison.Ordinal);
        Assert.DoesNotContain($"/o/acme/nonconformities/{Id(before)}", detail, StringComparison.Ordinal);
        var alone = await reader.GetStringAsync($"/o/acme/nonconformities/{Id(single)}");
        Assert.DoesNotContain("Recurring on", alone, StringComparison.Ordinal);
        var page = await reader.GetStringAsync("/o/acme/nonconformities/recurring");
        Assert.Contains("id=\"rec-A.8.13\"", page, StringComparison.Ordinal);
        Assert.Contains("id=\"rec-A.5.18\"", page, StringComparison.Ordinal);
        Assert.DoesNotContain("id=\"rec-9.2\"", page, StringComparison.Ordinal);
        var list = await reader.GetStringAsync("/o/acme/nonconformities?status=all");
        Assert.Contains("Recurring: 2 on A.8.13 this cycle", list, StringComparison.Ordinal);
    }

    [Fact]
    public async Task The_owner_filter_finds_the_open_actions_a_person_owns_and_overdue_finds_late_actions()
    {
        var theirs = Id(await RaiseAsync(olga, "Leaver kept VPN access", "major", "A.5.18", "olga@acme.test"));
        var other = Id(await RaiseAsync(olga, "Badge not returned", "minor", null, "olga@acme.test"));
        await StepAsync(olga, theirs, "containment", new { containment = "VPN account disabled" });
        await StepAsync(olga, theirs, "root-cause", new { rootCause = "No leaver checklist", causeCategory = "process" });
        var nc = await StepAsync(olga, theirs, "actions", new
        {
            actions = new[]
            {
                new { title = "Write a leaver checklist", ownerEmail = "piet@acme.test", dueOn = Today.AddDays(10).ToString("yyyy-MM-dd") },
                new { title = "Brief HR on leavers", ownerEmail = "olga@acme.test", dueOn = Today.AddDays(3).ToString("yyyy-MM-dd") },
            },
        });
        var pietsAction = nc.GetProperty("actions").EnumerateArray().Single(a => a.GetProperty("title").GetString() == "Write a leaver checklist").GetProperty("id").GetGuid();

        async Task<List<Guid>> ListAsync(string query) =>
            [.. (await auditor.GetFromJsonAsync<JsonElement>($"{Base}?{query}")).GetProperty("items").EnumerateArray().Select(Id)];

        // Piet owns no nonconformity, only an open action on one: his filter finds that one.
        Assert.Equal([theirs], await ListAsync("owner=piet@acme.test"));
        Assert.Equal([theirs, other], (await ListAsync("owner=olga@acme.test")).OrderBy(g => g == other).ToList());
        Assert.Empty(await ListAsync("overdue=true"));

        // Neither nonconformity has a due date of its own: a late action makes its nonconformity overdue.
        app.Time.Advance(TimeSpan.FromDays(5));
        Assert.Equal([theirs], await ListAsync("overdue=true"));
        var reader = await app.SignInAsync("audrey@acme.test");
        var page = await reader.GetStringAsync("/o/acme/nonconformities?overdue=true");
        Assert.Contains($"/o/acme/nonconformities/{theirs}", page, StringComparison.Ordinal);
        Assert.DoesNotContain($"/o/acme/nonconformities/{other}", page, StringComparison.Ordinal);

        // Once his action is done it is no longer Piet's to follow.
        await StepAsync(piet, theirs, $"actions/{pietsAction}/done", new { });
        Assert.Empty(await ListAsync("owner=piet@acme.test"));
        Assert.Equal([theirs], await ListAsync("overdue=true"));
    }

    private static async Task<JsonElement> StepAsync(HttpClient client, Guid id, string step, object body)
    {
        var response = await client.PostAsJsonAsync($"{Base}/{id}/{step}", body);
        Assert.True(response.StatusCode == HttpStatusCode.OK, $"{step}: {(int)response.StatusCode} {await response.Content.ReadAsStringAsync()}");
        return await response.Content.ReadFromJsonAsync<JsonElement>();
    }

    [Fact]
    public async Task The_log_exports_to_xlsx_with_the_filters_of_the_list()
    {
        var major = await RaiseAsync(olga, "Leaver kept VPN access", "major", "A.5.18", "olga@acme.test");
        await RaiseAsync(olga, "=HYPERLINK(\"http://x\") in a title", "minor", null, "piet@acme.test");
        var closed = await RaiseAsync(piet, "Server room door left open", "major", "A.7.2");
        Assert.Equal(HttpStatusCode.OK, (await manager.PostAsJsonAsync($"{Base}/{Id(closed)}/close", new { justification = "Door replaced" })).StatusCode);

        var response = await auditor.GetAsync($"{Base}/export.xlsx?severity=major&status=raised");
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", response.Content.Headers.ContentType?.MediaType);
        using (var workbook = new XLWorkbook(await response.Content.ReadAsStreamAsync()))
        {
            var sheet = workbook.Worksheet("Nonconformities");
            Assert.Equal("Reference", sheet.Cell(1, 1).GetString());
            Assert.Equal(2, sheet.LastRowUsed()!.RowNumber());
            Assert.Equal(major.GetProperty("reference").GetString(), sheet.Cell(2, 1).GetString());
            Assert.Equal("major", sheet.Cell(2, 4).GetString());
            Assert.Equal("A.5.18", sheet.Cell(2, 5).GetString());
            Assert.Equal("Raised", sheet.Cell(2, 6).GetString());
            Assert.Equal("olga", sheet.Cell(2, 7).GetString().Split('@')[0]);
            Assert.Contains("severity major", workbook.Worksheet("About").Cell(3, 1).GetString(), StringComparison.Ordinal);
        }

        // The page's download is every page of the log as filtered there; a formula-like title stays text.
        var reader = await app.SignInAsync("audrey@acme.test");
        var all = await reader.GetAsync("/o/acme/nonconformities?handler=Export&status=all");
        Assert.Equal(HttpStatusCode.OK, all.StatusCode);
        using (var workbook = new XLWorkbook(await all.Content.ReadAsStreamAsync()))
        {
            var sheet = workbook.Worksheet("Nonconformities");
            Assert.Equal(4, sheet.LastRowUsed()!.RowNumber());
            var formulaRow = sheet.RowsUsed().Single(r => r.Cell(2).GetString().StartsWith("=HYPERLINK", StringComparison.Ordinal));
            Assert.False(formulaRow.Cell(2).HasFormula);
            var closedRow = sheet.RowsUsed().Single(r => r.Cell(1).GetString() == closed.GetProperty("reference").GetString());
            Assert.Equal("Closed", closedRow.Cell(6).GetString());
            Assert.Equal("Door replaced", closedRow.Cell(16).GetString());
        }

        var open = await reader.GetAsync("/o/acme/nonconformities?handler=Export");
        using (var workbook = new XLWorkbook(await open.Content.ReadAsStreamAsync()))
        {
            Assert.Equal(3, workbook.Worksheet("Nonconformities").LastRowUsed()!.RowNumber());
        }

        var bad = await auditor.GetAsync($"{Base}/export.xlsx?severity=huge");
        Assert.Equal(HttpStatusCode.BadRequest, bad.StatusCode);
        Assert.Contains("severity", await bad.Content.ReadAsStringAsync(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Needs_a_risk_review_brings_the_linked_risks_reviews_forward_and_puts_them_on_their_owners_agenda()
    {
        var (backupRisk, vendorRisk) = await app.WithScopeAsync(async s =>
        {
            var risks = s.GetRequiredService<RiskService>();
            var a = await risks.CreateAsync(orgId, new RiskInput("Backups cannot be restored", null, null, null, users["piet"], 3, 4, null, TreatmentOption.Modify, null, 2, 3, 12, [], []), default);
            var b = await risks.CreateAsync(orgId, new RiskInput("Supplier loses our data", null, null, null, users["piet"], 2, 4, null, TreatmentOption.Modify, null, 2, 2, 12, [], []), default);
            return (a, b);
        });
        var nc = await RaiseAsync(olga, "Restore test failed", "major", "A.8.13", "olga@acme.test");
        var id = Id(nc);

        var none = await olga.PostAsync($"{Base}/{id}/risk-review", null);
        Assert.Equal(HttpStatusCode.Conflict, none.StatusCode);
        Assert.Contains("names no risk", await none.Content.ReadAsStringAsync(), StringComparison.Ordinal);

        Assert.Equal(HttpStatusCode.Forbidden, (await piet.PutAsJsonAsync($"{Base}/{id}/risks", new { riskIds = new[] { backupRisk.Id } })).StatusCode);
        var unknown = await olga.PutAsJsonAsync($"{Base}/{id}/risks", new { riskIds = new[] { backupRisk.Id, Guid.NewGuid() } });
        Assert.Equal(HttpStatusCode.BadRequest, unknown.StatusCode);
        Assert.Contains("riskIds", await unknown.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        Assert.Equal(0, (await GetAsync(id)).GetProperty("riskIds").GetArrayLength());

        var linked = await olga.PutAsJsonAsync($"{Base}/{id}/risks", new { riskIds = new[] { backupRisk.Id, vendorRisk.Id } });
        Assert.Equal(HttpStatusCode.OK, linked.StatusCode);
        Assert.Equal(2, (await linked.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("riskIds").GetArrayLength());

        app.Time.Advance(TimeSpan.FromDays(20));
        var requested = await olga.PostAsync($"{Base}/{id}/risk-review", null);
        Assert.Equal(HttpStatusCode.OK, requested.StatusCode);
        var body = await requested.Content.ReadFromJsonAsync<JsonElement>();
        Assert.Equal(2, body.GetProperty("risksToReview").GetInt32());
        Assert.NotEqual(JsonValueKind.Null, body.GetProperty("nonconformity").GetProperty("riskReviewRequestedAt").ValueKind);

        var reference = nc.GetProperty("reference").GetString()!;
        await app.WithScopeAsync(async s =>
        {
            var db = s.GetRequiredService<PerennialDbContext>();
            var risk = await db.Risks.AsNoTracking().SingleAsync(r => r.Id == backupRisk.Id);
            Assert.Equal(Today, risk.NextReviewOn);
            Assert.Contains(reference, risk.ReviewTrigger, StringComparison.Ordinal);
            var agenda = await s.GetRequiredService<AgendaService>().ForOrganisationAsync(orgId, default);
            var item = Assert.Single(agenda.For(users["piet"]), i => i.Kind == "risk-review" && i.Reference == backupRisk.Reference);
            Assert.Equal(AgendaGroup.DueSoon, item.Group);
            Assert.Contains(reference, item.Detail, StringComparison.Ordinal);
        });

        // On the page: the timeline tells it, and the owner narrows the risks by reference.
        var page = $"/o/acme/nonconformities/{id}";
        var olgaPages = await app.SignInAsync("olga@acme.test");
        Assert.Contains("Risk review asked for by olga@acme.test", await olgaPages.GetStringAsync(page), StringComparison.Ordinal);
        var wrong = await TestApp.PostFormAsync(olgaPages, page, [new("references", "R-999")], "Risks");
        Assert.Equal(HttpStatusCode.OK, wrong.StatusCode);
        Assert.Contains("No risk R-999", await wrong.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        var narrowed = await TestApp.PostFormAsync(olgaPages, page, [new("references", backupRisk.Reference.ToLowerInvariant())], "Risks");
        Assert.Equal(HttpStatusCode.Redirect, narrowed.StatusCode);
        Assert.Equal([backupRisk.Id], (await GetAsync(id)).GetProperty("riskIds").EnumerateArray().Select(r => r.GetGuid()));
        var auditorPages = await app.SignInAsync("audrey@acme.test");
        Assert.Equal(HttpStatusCode.Forbidden, (await TestApp.PostFormAsync(auditorPages, page, [], "RiskReview")).StatusCode);
    }

    private static Guid Id(JsonElement nc) => nc.GetProperty("id").GetGuid();

    private async Task<JsonElement> GetAsync(Guid id) => await auditor.GetFromJsonAsync<JsonElement>($"{Base}/{id}");

    private static async Task<JsonElement> RaiseAsync(HttpClient client, string title, string severity, string? identifier, string? ownerEmail = null)
    {
        var response = await client.PostAsJsonAsync(Base, new { title, severity, source = "report", identifier, ownerEmail });
        Assert.Equal(HttpStatusCode.Created, response.StatusCode);
        return await response.Content.ReadFromJsonAsync<JsonElement>();
    }
}

using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using System.Xml.Linq;
using DocumentFormat.OpenXml.Packaging;
using DocumentFormat.OpenXml.Validation;
using Microsoft.Extensions.DependencyInjection;
using Perennial.Data;
using Perennial.InternalAudits;
using Perennial.Organisations;
using Perennial.Risks;
using Perennial.Tests.Infrastructure;

namespace Perennial.Tests.ManagementReviews;

public sealed class SqliteManagementReviewPackTests() : ManagementReviewPackTests(DatabaseProvider.Sqlite);

public sealed class PostgresManagementReviewPackTests() : ManagementReviewPackTests(DatabaseProvider.Postgres);

/// <summary>
/// A management review's pack through the API: for a seeded period it lists exactly that period's
/// nonconformities, audits, risk changes, context changes and the earlier review's actions; once the
/// review is held the pack is frozen (the same JSON, hashed as evidence) whatever changes later; the
/// pack exports as a Word document that passes the Open XML SDK's validation and as a workbook.
/// </summary>
public abstract class ManagementReviewPackTests(DatabaseProvider provider) : IAsyncLifetime
{
    private const string Base = "/api/v1/orgs/acme/management-reviews";
    private TestApp app = null!;
    private HttpClient manager = null!;
    private HttpClient ana = null!;
    private HttpClient auditor = null!;
    private Guid orgId;
    private readonly Dictionary<string, Guid> users = new(StringComparer.Ordinal);

    public async ValueTask InitializeAsync()
    {
        app = await TestApp.StartAsync(provider);
        var admin = await app.CreateUserAsync("admin@acme.test");
        orgId = (await app.CreateOrganisationAsync("acme", admin.Id)).Id;
        manager = await ClientAsync("maya@acme.test", OrgRole.Manager);
        ana = await ClientAsync("ana@acme.test", OrgRole.Contributor);
        auditor = await ClientAsync("audrey@acme.test", OrgRole.Auditor);
    }

    public async ValueTask DisposeAsync() => await app.DisposeAsync();

    private async Task<HttpClient> ClientAsync(string email, OrgRole role)
    {
        var user = await app.CreateUserAsync(email);
        await app.AddMemberAsync(orgId, email, role);
        users[email.Split('@')[0]] = user.Id;
        return app.CreateApiClient(await app.CreateTokenAsync(user.Id));
    }

    private string Today => DateOnly.FromDateTime(app.Time.GetUtcNow().UtcDateTime).ToString("yyyy-MM-dd");

    [Fact]
    public async Task The_pack_lists_exactly_the_period_and_stays_frozen_once_the_review_is_held()
    {
        // Before the first review: a nonconformity and an issue that belong to its period.
        var oldNc = await RaiseAsync("Backups not tested");
        var oldIssue = await ContextAsync(new { kind = "external-issue", title = "Cloud provider concentration", ownerEmail = "ana@acme.test" });
        var first = await PostAsync(Base, new { title = "Annual review 2026", scheduledOn = Today, chairEmail = "maya@acme.test", attendeeEmails = (string[])["ana@acme.test"], firstPeriodFrom = "2026-01-01" });
        Assert.Equal(("MR-001", "scheduled"), (first.GetProperty("reference").GetString(), first.GetProperty("status").GetString()));
        var firstId = first.GetProperty("id").GetGuid();
        var live = await manager.GetFromJsonAsync<JsonElement>($"{Base}/{firstId}/pack");
        Assert.Equal(["a", "b", "c", "d1", "d2", "d3", "d4", "e", "f", "g"], live.GetProperty("sections").EnumerateArray().Select(s => s.GetProperty("input").GetString()));
        Assert.Equal("2026-01-01T00:00:00+00:00", live.GetProperty("periodFrom").GetString());
        Assert.Equal([oldNc], Ids(Section(live, "d1")));

        // An auditor reads but does not run reviews; the chair or a manager holds it.
        Assert.Equal(HttpStatusCode.Forbidden, (await auditor.PostAsync($"{Base}/{firstId}/hold", null)).StatusCode);
        Assert.Equal(HttpStatusCode.Forbidden, (await ana.PostAsync($"{Base}/{firstId}/hold", null)).StatusCode);
        var held = await PostAsync($"{Base}/{firstId}/hold", null, HttpStatusCode.OK);
        var heldAt = held.GetProperty("heldAt").GetDateTimeOffset();
        var minutes = await manager.PutAsJsonAsync($"{Base}/{firstId}/minutes/d1", new { text = "Backups to be tested every quarter." });
        Assert.Equal(HttpStatusCode.OK, minutes.StatusCode);
        var tested = await PostAsync($"{Base}/{firstId}/decisions", new { kind = "isms-change", input = "d1", title = "Quarterly restore test", ownerEmail = "ana@acme.test", dueOn = "2026-03-20" });
        var budget = await PostAsync($"{Base}/{firstId}/decisions", new { kind = "resources", title = "Budget a second backup site", ownerEmail = "ana@acme.test", dueOn = "2026-06-30" });
        Assert.Equal(("MR-001-D1", "open"), (tested.GetProperty("reference").GetString(), tested.GetProperty("status").GetString()));

        // The second review's period: a new nonconformity, an interested party, a revised issue, a reported audit, a new risk; one decision done.
        app.Time.Advance(TimeSpan.FromDays(3));
        var second = await PostAsync(Base, new { scheduledOn = "2026-04-01", chairEmail = "maya@acme.test" });
        var secondId = second.GetProperty("id").GetGuid();
        app.Time.Advance(TimeSpan.FromDays(4));
        var newNc = await RaiseAsync("Laptop lost without encryption");
        var party = await ContextAsync(new { kind = "interested-party", title = "Regulator", ownerEmail = "ana@acme.test", requirements = (object[])[new { text = "Incident notice in 72 hours", addressed = true }] });
        Assert.Equal(HttpStatusCode.OK, (await manager.PostAsJsonAsync($"/api/v1/orgs/acme/context/{oldIssue}/review", new { note = "Still one provider" })).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await ana.PostAsJsonAsync($"/api/v1/orgs/acme/context/{party}/review", new { note = "Wants a quarterly status report" })).StatusCode);
        var audit = await SeedReportedAuditAsync();
        var risk = await app.WithScopeAsync(sp => sp.GetRequiredService<RiskService>().CreateAsync(orgId,
            new RiskInput("Data loss from stolen laptops", null, null, null, users["ana"], 4, 4, null, TreatmentOption.Modify, "Encrypt disks", 2, 3, 12, [], []), CancellationToken.None));
        var done = await ana.PostAsJsonAsync($"{Base}/decisions/{tested.GetProperty("id").GetGuid()}/done", new { note = "First restore test passed" });
        Assert.Equal(HttpStatusCode.OK, done.StatusCode);

        var pack = await manager.GetFromJsonAsync<JsonElement>($"{Base}/{secondId}/pack");
        Assert.Equal(heldAt, pack.GetProperty("periodFrom").GetDateTimeOffset());
        Assert.False(pack.GetProperty("frozen").GetBoolean());
        var a = Section(pack, "a");
        Assert.Equal([tested.GetProperty("id").GetGuid(), budget.GetProperty("id").GetGuid()], Ids(a));
        Assert.Equal(["done", "open"], a.GetProperty("records").EnumerateArray().Select(r => r.GetProperty("status").GetString()));
        Assert.Equal(1, a.GetProperty("figures").GetProperty("done").GetDouble());
        Assert.Equal([newNc], Ids(Section(pack, "d1")));
        Assert.Equal(2, Section(pack, "d1").GetProperty("figures").GetProperty("openAtEnd").GetDouble());
        Assert.Equal(1, Section(pack, "d1").GetProperty("figures").GetProperty("openAtStart").GetDouble());
        Assert.Equal([oldIssue], Ids(Section(pack, "b")));
        Assert.Equal([party], Ids(Section(pack, "c")));
        Assert.Equal([audit], Ids(Section(pack, "d3")));
        Assert.Equal([risk.Id], Ids(Section(pack, "f")));
        var feedback = Section(pack, "e");
        Assert.Equal([party], Ids(feedback));
        Assert.Equal("Wants a quarterly status report", feedback.GetProperty("records")[0].GetProperty("detail").GetString());
        Assert.False(feedback.GetProperty("empty").GetBoolean());
        Assert.True(Section(pack, "d2").GetProperty("empty").GetBoolean()); // no measure has a value yet
        Assert.Equal("No measure has a value in the period.", Section(pack, "d2").GetProperty("summary").GetString());
        Assert.True(Section(pack, "g").GetProperty("empty").GetBoolean());
        Assert.StartsWith("No opportunity for improvement", Section(pack, "g").GetProperty("summary").GetString(), StringComparison.Ordinal);
        Assert.Equal(["incidents", "changes"], pack.GetProperty("also").EnumerateArray().Select(s => s.GetProperty("input").GetString()));

        // Holding the second review freezes its pack; later changes do not reach it.
        app.Time.SetUtcNow(new DateTimeOffset(2026, 4, 1, 9, 0, 0, TimeSpan.Zero));
        var secondHeld = await PostAsync($"{Base}/{secondId}/hold", null, HttpStatusCode.OK);
        var frozen = await manager.GetStringAsync($"{Base}/{secondId}/pack");
        app.Time.Advance(TimeSpan.FromHours(2));
        await RaiseAsync("Visitor badge not returned");
        await ContextAsync(new { kind = "internal-issue", title = "New office", ownerEmail = "ana@acme.test" });
        Assert.Equal(frozen, await manager.GetStringAsync($"{Base}/{secondId}/pack"));
        using (var doc = JsonDocument.Parse(frozen))
        {
            Assert.True(doc.RootElement.GetProperty("frozen").GetBoolean());
            Assert.Equal([newNc], Ids(Section(doc.RootElement, "d1")));
        }

        var evidenceId = secondHeld.GetProperty("packEvidenceItemId").GetGuid();
        var bytes = await manager.GetByteArrayAsync($"/api/v1/orgs/acme/evidence/{evidenceId}/content");
        var sha = Convert.ToHexStringLower(System.Security.Cryptography.SHA256.HashData(bytes));
        Assert.Equal(secondHeld.GetProperty("packSha256").GetString(), sha);
        Assert.Equal(sha, (await manager.GetFromJsonAsync<JsonElement>($"/api/v1/orgs/acme/evidence/{evidenceId}")).GetProperty("sha256").GetString());
        Assert.Equal(HttpStatusCode.Conflict, (await manager.PostAsync($"{Base}/{secondId}/hold", null)).StatusCode);

        // The list is paged, newest first.
        var list = await auditor.GetFromJsonAsync<JsonElement>($"{Base}?pageSize=1");
        Assert.Equal(2, list.GetProperty("total").GetInt32());
        Assert.Equal("MR-002", list.GetProperty("items")[0].GetProperty("reference").GetString());

        // Exports: the Word document validates and carries the minutes and decisions; the workbook holds the figures.
        var docx = await auditor.GetByteArrayAsync($"{Base}/{firstId}/pack.docx");
        using (var word = WordprocessingDocument.Open(new MemoryStream(docx), false))
        {
            Assert.Empty(new OpenXmlValidator().Validate(word).Select(e => $"{e.Path?.XPath}: {e.Description}"));
            var text = word.MainDocumentPart!.Document.Body!.InnerText;
            Assert.Contains("Management review MR-001: Annual review 2026", text, StringComparison.Ordinal);
            Assert.Contains("Backups to be tested every quarter.", text, StringComparison.Ordinal);
            Assert.Contains("MR-001-D2 Budget a second backup site", text, StringComparison.Ordinal);
        }

        var xlsx = await auditor.GetByteArrayAsync($"{Base}/{secondId}/pack.xlsx");
        using (var workbook = new ClosedXML.Excel.XLWorkbook(new MemoryStream(xlsx)))
        {
            var rows = workbook.Worksheet("Figures").RowsUsed().Skip(1).Select(r => (r.Cell(1).GetString(), r.Cell(3).GetString(), r.Cell(4).GetString())).ToList();
            Assert.Contains(("d1", "raised", "1"), rows);
            Assert.Contains(("a", "done", "1"), rows);
            Assert.Contains(workbook.Worksheet("Records").RowsUsed().Skip(1), r => r.Cell(7).GetString() == newNc.ToString());
        }

        // The printable page carries the pack, the minutes and the decisions; the list warns that no review is scheduled within the year.
        var reader = await app.SignInAsync("audrey@acme.test");
        var print = await reader.GetStringAsync($"/o/acme/management-reviews/{firstId}/print");
        Assert.Contains("(d1) Nonconformities and corrective actions", print, StringComparison.Ordinal);
        Assert.Contains("<strong>Minutes:</strong> Backups to be tested every quarter.", print, StringComparison.Ordinal);
        Assert.Contains("MR-001-D2 Budget a second backup site", print, StringComparison.Ordinal);
        Assert.Contains("No review is scheduled. The last was held 2026-04-01; the next is due by 2027-04-01 at the latest.", await reader.GetStringAsync("/o/acme/management-reviews"), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Measures_take_entered_values_all_or_none_and_chart_them_as_well_formed_svg()
    {
        var created = await PostAsync("/api/v1/orgs/acme/measures", new
        {
            name = "Phishing simulation click rate",
            method = "Share of staff who clicked in the monthly simulation",
            unit = "%",
            direction = "lower-is-better",
            target = 5,
            threshold = 10,
            analystEmail = "ana@acme.test",
            frequency = "monthly",
        });
        var id = created.GetProperty("id").GetGuid();
        Assert.False(created.GetProperty("builtIn").GetBoolean());

        // One bad value refuses the whole batch, naming it.
        var bad = await ana.PostAsJsonAsync($"/api/v1/orgs/acme/measures/{id}/values", new { values = new object[] { new { on = "2026-01-31", value = 12 }, new { on = "2026-02-28" } } });
        Assert.Equal(HttpStatusCode.BadRequest, bad.StatusCode);
        Assert.Contains("values[1].value", await bad.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        Assert.Empty((await manager.GetFromJsonAsync<JsonElement>($"/api/v1/orgs/acme/measures/{id}/values?from=2026-01-01")).GetProperty("values").EnumerateArray());
        Assert.Equal(HttpStatusCode.Forbidden, (await auditor.PostAsJsonAsync($"/api/v1/orgs/acme/measures/{id}/values", new { value = 3 })).StatusCode);

        var ok = await ana.PostAsJsonAsync($"/api/v1/orgs/acme/measures/{id}/values", new { values = new object[] { new { on = "2026-01-31", value = 12 }, new { on = "2026-02-28", value = 7.5, note = "after training" } } });
        Assert.Equal(HttpStatusCode.Created, ok.StatusCode);
        var values = await manager.GetFromJsonAsync<JsonElement>($"/api/v1/orgs/acme/measures/{id}/values?from=2026-01-01&to=2026-03-31");
        Assert.Equal([12.0, 7.5], values.GetProperty("values").EnumerateArray().Select(v => v.GetProperty("value").GetDouble()));
        Assert.Equal("api", values.GetProperty("values")[1].GetProperty("source").GetString());
        var measure = await manager.GetFromJsonAsync<JsonElement>($"/api/v1/orgs/acme/measures/{id}");
        Assert.Equal("warning", measure.GetProperty("rating").GetString());

        // A built-in measure takes no entered value.
        var list = await auditor.GetFromJsonAsync<JsonElement>("/api/v1/orgs/acme/measures?pageSize=200");
        var builtIn = list.GetProperty("items").EnumerateArray().First(m => m.GetProperty("builtIn").GetBoolean()).GetProperty("id").GetGuid();
        Assert.Equal(HttpStatusCode.Conflict, (await manager.PostAsJsonAsync($"/api/v1/orgs/acme/measures/{builtIn}/values", new { value = 3 })).StatusCode);
        Assert.Equal(Perennial.Measurement.BuiltInMeasures.All.Count + 1, list.GetProperty("total").GetInt32());

        // The objective tracked by it reads against its own target.
        var objective = await PostAsync("/api/v1/orgs/acme/objectives", new { title = "Fewer clicks on phishing", ownerEmail = "ana@acme.test", measureId = id, target = 8, dueOn = "2026-12-31" });
        Assert.Equal(("OBJ-001", "met"), (objective.GetProperty("reference").GetString(), objective.GetProperty("rating").GetString()));
        Assert.Single((await auditor.GetFromJsonAsync<JsonElement>("/api/v1/orgs/acme/objectives")).EnumerateArray());

        var response = await auditor.GetAsync($"/api/v1/orgs/acme/measures/{id}/chart.svg?from=2026-01-01&to=2026-03-31");
        Assert.Equal("image/svg+xml", response.Content.Headers.ContentType?.MediaType);
        var svg = XDocument.Parse(await response.Content.ReadAsStringAsync());
        XNamespace ns = "http://www.w3.org/2000/svg";
        Assert.Equal(ns + "svg", svg.Root!.Name);
        Assert.Contains("2 values from 2026-01-31 to 2026-02-28", svg.Root.Element(ns + "desc")!.Value, StringComparison.Ordinal);
        Assert.Single(svg.Root.Elements(ns + "path"));
        Assert.Contains(svg.Root.Elements(ns + "text"), t => t.Value == "target 5");
    }

    [Fact]
    public async Task Reviews_decisions_and_context_reviews_are_dated_items_in_the_feeds_and_on_the_month_view()
    {
        var today = DateOnly.FromDateTime(app.Time.GetUtcNow().UtcDateTime);
        var review = await PostAsync(Base, new { title = "Spring review", scheduledOn = today.AddDays(10).ToString("yyyy-MM-dd"), chairEmail = "maya@acme.test", attendeeEmails = (string[])["ana@acme.test"] });
        var reviewId = review.GetProperty("id").GetGuid();
        var decision = await PostAsync($"{Base}/{reviewId}/decisions", new { kind = "resources", title = "Hire a second admin", ownerEmail = "ana@acme.test", dueOn = today.AddDays(20).ToString("yyyy-MM-dd") });
        var entry = await ContextAsync(new { kind = "internal-issue", title = "Key-person risk", ownerEmail = "ana@acme.test", reviewIntervalMonths = 1 });

        async Task<List<string>> EventsAsync(HttpClient client, string scope)
        {
            var created = await client.PostAsJsonAsync("/api/v1/orgs/acme/calendar-feeds", new { scope });
            Assert.Equal(HttpStatusCode.Created, created.StatusCode);
            var url = new Uri((await created.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("url").GetString()!);
            using var anonymous = app.CreateClient();
            var feed = (await anonymous.GetStringAsync(url.PathAndQuery)).Replace("\r\n ", "", StringComparison.Ordinal);
            return [.. feed.Split("BEGIN:VEVENT").Skip(1).Select(e => e[..e.IndexOf("END:VEVENT", StringComparison.Ordinal)])];
        }

        // Ana attends the review, owns the decision and the entry: all three are all-day events in her feed, each linking to its page.
        var anas = await EventsAsync(ana, "personal");
        var meeting = Assert.Single(anas, e => e.Contains($"UID:{reviewId:D}@perennial-review", StringComparison.Ordinal));
        Assert.Contains("SUMMARY:[MR-001] Management review: Spring review", meeting, StringComparison.Ordinal);
        Assert.Contains($"DTSTART;VALUE=DATE:{today.AddDays(10):yyyyMMdd}", meeting, StringComparison.Ordinal);
        Assert.Contains($"/o/acme/management-reviews/{reviewId:D}", meeting, StringComparison.Ordinal);
        var action = Assert.Single(anas, e => e.Contains($"UID:{decision.GetProperty("id").GetGuid():D}@perennial-decision", StringComparison.Ordinal));
        Assert.Contains($"DTSTART;VALUE=DATE:{today.AddDays(20):yyyyMMdd}", action, StringComparison.Ordinal);
        var context = Assert.Single(anas, e => e.Contains($"UID:{entry:D}@perennial-context", StringComparison.Ordinal));
        Assert.Contains($"DTSTART;VALUE=DATE:{today.AddMonths(1):yyyyMMdd}", context, StringComparison.Ordinal);
        Assert.Contains($"/o/acme/context/{entry:D}", context, StringComparison.Ordinal);

        // The chair's feed has the review but not Ana's decision; the organisation feed has all three.
        var chairs = await EventsAsync(manager, "personal");
        Assert.Contains(chairs, e => e.Contains("@perennial-review", StringComparison.Ordinal));
        Assert.DoesNotContain(chairs, e => e.Contains("@perennial-decision", StringComparison.Ordinal));
        Assert.Equal(3, (await EventsAsync(manager, "organisation")).Count(e => e.Contains("@perennial-review", StringComparison.Ordinal) || e.Contains("@perennial-decision", StringComparison.Ordinal) || e.Contains("@perennial-context", StringComparison.Ordinal)));

        // The month view shows the review on its day.
        var browser = await app.SignInAsync("maya@acme.test");
        var day = today.AddDays(10);
        var month = await browser.GetStringAsync($"/o/acme/calendar/month?month={day:yyyy-MM}");
        var cell = month[month.IndexOf($"id=\"d-{day:yyyy-MM-dd}\"", StringComparison.Ordinal)..];
        cell = cell[..cell.IndexOf("</td>", StringComparison.Ordinal)];
        Assert.Contains($"href=\"/o/acme/management-reviews/{reviewId}\"", cell, StringComparison.Ordinal);
        Assert.Contains("MR-001 Management review: Spring review", cell, StringComparison.Ordinal);
    }

    private static JsonElement Section(JsonElement pack, string input) =>
        pack.GetProperty("sections").EnumerateArray().Concat(pack.GetProperty("also").EnumerateArray()).Single(s => s.GetProperty("input").GetString() == input);

    private static List<Guid> Ids(JsonElement section) => [.. section.GetProperty("records").EnumerateArray().Select(r => r.GetProperty("id").GetGuid())];

    private async Task<JsonElement> PostAsync(string path, object? body, HttpStatusCode expected = HttpStatusCode.Created)
    {
        var response = body is null ? await manager.PostAsync(path, null) : await manager.PostAsJsonAsync(path, body);
        var text = await response.Content.ReadAsStringAsync();
        Assert.True(response.StatusCode == expected, $"{path}: {(int)response.StatusCode} {text}");
        return JsonDocument.Parse(text).RootElement.Clone();
    }

    private async Task<Guid> RaiseAsync(string title) =>
        (await PostAsync("/api/v1/orgs/acme/nonconformities", new { title, severity = "minor", source = "report" })).GetProperty("id").GetGuid();

    private async Task<Guid> ContextAsync(object body) => (await PostAsync("/api/v1/orgs/acme/context", body)).GetProperty("id").GetGuid();

    private Task<Guid> SeedReportedAuditAsync() => app.WithScopeAsync(async sp =>
    {
        var db = sp.GetRequiredService<PerennialDbContext>();
        var now = app.Time.GetUtcNow();
        var audit = new InternalAudit
        {
            Id = Guid.NewGuid(),
            OrganisationId = orgId,
            Reference = "IA-001",
            Title = "Access control",
            PlannedStart = new DateOnly(2026, 3, 3),
            PlannedEnd = new DateOnly(2026, 3, 6),
            LeadAuditorUserId = users["ana"],
            Status = InternalAuditStatus.Reported,
            CreatedAt = now,
            StartedAt = now,
            SignedOffAt = now,
            SignedOffByUserId = users["ana"],
        };
        db.InternalAudits.Add(audit);
        db.ChecklistItems.Add(new ChecklistItem { Id = Guid.NewGuid(), OrganisationId = orgId, InternalAuditId = audit.Id, Identifier = "A.5.15", Kind = ScopeItemKind.Control, Result = ChecklistResult.MinorNonconformity, RecordedAt = now });
        await db.SaveChangesAsync();
        return audit.Id;
    });
}

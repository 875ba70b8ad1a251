using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Perennial.Activities;
using Perennial.Data;
using Perennial.Frameworks;
using Perennial.Organisations;
using Perennial.Reminders;
using Perennial.Tests.Infrastructure;

namespace Perennial.Tests.InternalAudits;

public sealed class SqliteInternalAuditChecklistTests() : InternalAuditChecklistTests(DatabaseProvider.Sqlite);

public sealed class PostgresInternalAuditChecklistTests() : InternalAuditChecklistTests(DatabaseProvider.Postgres);

/// <summary>
/// Running an internal audit through the API: the checklist generated from the scope with the
/// linked activity's occurrences and their outcomes, a sample drawn by the table and redrawn from its
/// seed, results that raise a nonconformity or an improvement, and the sign-off that freezes them.
/// </summary>
public abstract class InternalAuditChecklistTests(DatabaseProvider provider) : IAsyncLifetime
{
    private const string Base = "/api/v1/orgs/acme/internal-audits";
    private static readonly string[] Scope = ["9.2", "A.5.18", "A.8.13"];
    private static readonly string[] Dee = ["dee@acme.test"];
    private static readonly string[] Backups = ["A.8.13"];
    private static readonly string[] AccessRights = ["A.5.18"];

    private TestApp app = null!;
    private Guid orgId;
    private HttpClient manager = null!;
    private HttpClient owner = null!;
    private HttpClient lead = null!;
    private HttpClient second = null!;
    private Guid activityId;

    public async ValueTask InitializeAsync()
    {
        app = await TestApp.StartAsync(provider);
        var admin = await app.CreateUserAsync("admin@acme.test");
        orgId = (await app.CreateOrganisationAsync("acme", admin.Id)).Id;
        manager = await ClientAsync("maya@acme.test", OrgRole.Manager);
        owner = await ClientAsync("ana@acme.test", OrgRole.Contributor);
        lead = await ClientAsync("carl@acme.test", OrgRole.Auditor);
        second = await ClientAsync("dee@acme.test", OrgRole.Contributor);

        // Ana's monthly access review for A.5.18, due on the 1st since March 2025 (the clock is at 2026-03-02).
        activityId = await app.WithScopeAsync(async s =>
        {
            var db = s.GetRequiredService<PerennialDbContext>();
            var control = await db.Controls.Where(c => c.OrganisationId == orgId && c.Identifier == "A.5.18" && c.Framework!.Key == Framework.IsoKey).Select(c => c.Id).SingleAsync();
            var ana = await db.Users.Where(u => u.Email == "ana@acme.test").Select(u => u.Id).SingleAsync();
            var activity = await s.GetRequiredService<ActivityService>().CreateAsync(orgId, new ActivityInput(
                "Access rights review", null, ana, null, null, "FREQ=MONTHLY;BYMONTHDAY=1", new DateTime(2025, 3, 1, 9, 0, 0), "UTC", ControlIds: [control]), default, includePast: true);

            // April to November 2025 done on time, December and January a week late, February missed, March overdue within its grace period.
            var occurrences = await db.Occurrences.Where(o => o.ActivityId == activity.Id).OrderBy(o => o.DueDate).ToListAsync();
            foreach (var o in occurrences.Where(o => o.DueDate < new DateOnly(2026, 2, 1)))
            {
                o.State = OccurrenceState.Completed;
                o.CompletedAt = new DateTimeOffset(o.DueDate.ToDateTime(new TimeOnly(16, 0)), TimeSpan.Zero).AddDays(o.DueDate.Month is 12 or 1 ? 7 : 0);
            }

            await db.SaveChangesAsync();
            return activity.Id;
        });
    }

    private async Task<HttpClient> ClientAsync(string email, OrgRole role)
    {
        var user = await app.CreateUserAsync(email);
        await app.AddMemberAsync(orgId, email, role);
        return app.CreateApiClient(await app.CreateTokenAsync(user.Id));
    }

    public async ValueTask DisposeAsync() => await app.DisposeAsync();

    [Fact]
    public async Task An_audit_is_started_sampled_resulted_and_signed_off_and_its_results_then_stay_as_they_are()
    {
        var planned = await manager.PostAsJsonAsync(Base, new { title = "Access control", plannedStart = "2026-03-02", leadAuditorEmail = "carl@acme.test", auditorEmails = Dee, scope = Scope });
        Assert.Equal(HttpStatusCode.Created, planned.StatusCode);
        var plannedAudit = await planned.Content.ReadFromJsonAsync<JsonElement>();
        var id = plannedAudit.GetProperty("id").GetGuid();

        // The audit is a dated item on the calendar: one occurrence on its start, owned by the manager who planned it, since the lead is an outside auditor.
        var calendarActivity = plannedAudit.GetProperty("activityId").GetGuid();
        var onCalendar = (await manager.GetFromJsonAsync<JsonElement>($"/api/v1/orgs/acme/activities/{calendarActivity}/occurrences")).EnumerateArray().Single();
        Assert.StartsWith("2026-03-02", onCalendar.GetProperty("due").GetString(), StringComparison.Ordinal);
        Assert.Equal("IA-001 Access control", onCalendar.GetProperty("activityTitle").GetString());
        Assert.Equal("maya@acme.test", onCalendar.GetProperty("ownerEmail").GetString());
        Assert.Empty((await lead.GetFromJsonAsync<JsonElement>($"{Base}/{id}")).GetProperty("checklist").EnumerateArray());

        // Only its auditors (or a manager) start it; it starts once.
        Assert.Equal(HttpStatusCode.Forbidden, (await owner.PostAsJsonAsync($"{Base}/{id}/start", new { })).StatusCode);
        var started = await lead.PostAsJsonAsync($"{Base}/{id}/start", new { });
        Assert.Equal(HttpStatusCode.OK, started.StatusCode);
        var audit = await started.Content.ReadFromJsonAsync<JsonElement>();
        Assert.Equal("in-progress", audit.GetProperty("status").GetString());
        Assert.Equal(("2025-03-03", "2026-03-02"), (audit.GetProperty("periodFrom").GetString(), audit.GetProperty("periodTo").GetString()));
        Assert.Equal(Scope, audit.GetProperty("checklist").EnumerateArray().Select(i => i.GetProperty("identifier").GetString()!));
        Assert.All(audit.GetProperty("checklist").EnumerateArray(), i => Assert.True(i.GetProperty("result").ValueKind == JsonValueKind.Null));
        Assert.Equal(HttpStatusCode.Conflict, (await lead.PostAsJsonAsync($"{Base}/{id}/start", new { })).StatusCode);

        // The A.5.18 item shows the monthly review's twelve occurrences in the period with how each went.
        var checklist = await lead.GetFromJsonAsync<JsonElement>($"{Base}/{id}/checklist");
        var item = Item(checklist, "A.5.18");
        Assert.Empty(Item(checklist, "9.2").GetProperty("activities").EnumerateArray());
        var activity = item.GetProperty("activities").EnumerateArray().Single();
        Assert.Equal(activityId, activity.GetProperty("id").GetGuid());
        Assert.Equal(("monthly", "2-5", false), (activity.GetProperty("frequency").GetString(), activity.GetProperty("sampleSizes").GetString(), activity.GetProperty("higherRisk").GetBoolean()));
        var outcomes = activity.GetProperty("occurrences").EnumerateArray().Select(o => (o.GetProperty("dueDate").GetString(), o.GetProperty("outcome").GetString())).ToList();
        Assert.Equal(12, outcomes.Count);
        Assert.Equal(("2025-04-01", "on-time"), outcomes[0]);
        Assert.Equal(Enumerable.Repeat("on-time", 8).Concat(["late", "late", "missed", "overdue"]), outcomes.Select(o => o.Item2));

        // A sample of the eleven occurrences already due: two, by the monthly row of the table; the seed redraws it.
        var itemId = item.GetProperty("item").GetProperty("id").GetGuid();
        Assert.Equal(HttpStatusCode.Forbidden, (await owner.PostAsJsonAsync($"{Base}/{id}/checklist/{itemId}/sample", new { activityId })).StatusCode);
        var sample = await (await lead.PostAsJsonAsync($"{Base}/{id}/checklist/{itemId}/sample", new { activityId })).Content.ReadFromJsonAsync<JsonElement>();
        Assert.Equal((11, 2, "monthly"), (sample.GetProperty("population").GetInt32(), sample.GetProperty("size").GetInt32(), sample.GetProperty("frequency").GetString()));
        var drawn = Ids(sample);
        Assert.Equal(2, drawn.Distinct().Count());
        var seed = sample.GetProperty("seed").GetInt32();
        await lead.PostAsJsonAsync($"{Base}/{id}/checklist/{itemId}/sample", new { activityId, seed = seed + 1 });
        var again = await (await second.PostAsJsonAsync($"{Base}/{id}/checklist/{itemId}/sample", new { activityId, seed })).Content.ReadFromJsonAsync<JsonElement>();
        Assert.Equal(drawn, Ids(again));
        var shown = Item(await lead.GetFromJsonAsync<JsonElement>($"{Base}/{id}/checklist"), "A.5.18").GetProperty("activities")[0];
        Assert.Equal(drawn.Order(), shown.GetProperty("occurrences").EnumerateArray().Where(o => o.GetProperty("inSample").GetBoolean()).Select(o => o.GetProperty("id").GetGuid()).Order());
        Assert.Equal(seed, shown.GetProperty("sample").GetProperty("seed").GetInt32());

        // Results: a nonconformity needs notes and raises one in the loop, once; an improvement goes to the register.
        var nine = Item(checklist, "9.2").GetProperty("item").GetProperty("id").GetGuid();
        var backup = Item(checklist, "A.8.13").GetProperty("item").GetProperty("id").GetGuid();
        Assert.Equal(HttpStatusCode.Forbidden, (await owner.PutAsJsonAsync($"{Base}/{id}/checklist/{nine}", new { result = "conforming" })).StatusCode);
        Assert.Equal(HttpStatusCode.BadRequest, (await lead.PutAsJsonAsync($"{Base}/{id}/checklist/{nine}", new { result = "fine" })).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await lead.PutAsJsonAsync($"{Base}/{id}/checklist/{nine}", new { result = "conforming", notes = "Programme and reports seen" })).StatusCode);
        var bare = await lead.PutAsJsonAsync($"{Base}/{id}/checklist/{itemId}", new { result = "minor-nonconformity" });
        Assert.Equal(HttpStatusCode.BadRequest, bare.StatusCode);
        Assert.Contains("notes", await bare.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        var minor = await (await lead.PutAsJsonAsync($"{Base}/{id}/checklist/{itemId}", new { result = "minor-nonconformity", notes = "The February review was not done" })).Content.ReadFromJsonAsync<JsonElement>();
        var ncId = minor.GetProperty("nonconformityId").GetGuid();
        var nc = await manager.GetFromJsonAsync<JsonElement>($"/api/v1/orgs/acme/nonconformities/{ncId}");
        Assert.Equal(("internal-audit", "minor", "A.5.18", "raised"), (nc.GetProperty("source").GetString(), nc.GetProperty("severity").GetString(), nc.GetProperty("identifier").GetString(), nc.GetProperty("status").GetString()));
        Assert.Equal("IA-001 A.5.18: The February review was not done", nc.GetProperty("title").GetString());
        var major = await (await second.PutAsJsonAsync($"{Base}/{id}/checklist/{itemId}", new { result = "major-nonconformity", notes = "Two reviews were not done" })).Content.ReadFromJsonAsync<JsonElement>();
        Assert.Equal(ncId, major.GetProperty("nonconformityId").GetGuid());
        Assert.Equal("major", (await manager.GetFromJsonAsync<JsonElement>($"/api/v1/orgs/acme/nonconformities/{ncId}")).GetProperty("severity").GetString());
        Assert.Equal(1, (await manager.GetFromJsonAsync<JsonElement>("/api/v1/orgs/acme/nonconformities?source=internal-audit")).GetProperty("total").GetInt32());
        Assert.Equal(HttpStatusCode.Conflict, (await lead.PutAsJsonAsync($"{Base}/{id}/checklist/{itemId}", new { result = "conforming" })).StatusCode);

        // The nonconformity now on A.5.18 makes it higher-risk: a redraw takes the top of the monthly range.
        var bigger = await (await lead.PostAsJsonAsync($"{Base}/{id}/checklist/{itemId}/sample", new { activityId, seed })).Content.ReadFromJsonAsync<JsonElement>();
        Assert.Equal(5, bigger.GetProperty("size").GetInt32());
        Assert.Equal(drawn, Ids(bigger).Take(2));

        // Sign-off: only the lead auditor, only once every item has a result.
        var early = await lead.PostAsJsonAsync($"{Base}/{id}/sign-off", new { });
        Assert.Equal(HttpStatusCode.Conflict, early.StatusCode);
        Assert.Contains("A.8.13", await early.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        var ofi = await (await second.PutAsJsonAsync($"{Base}/{id}/checklist/{backup}", new { result = "opportunity-for-improvement", notes = "Restore tests could be automated" })).Content.ReadFromJsonAsync<JsonElement>();
        var register = await manager.GetFromJsonAsync<JsonElement>("/api/v1/orgs/acme/improvements");
        var entry = register.GetProperty("items").EnumerateArray().Single();
        Assert.Equal(ofi.GetProperty("improvementId").GetGuid(), entry.GetProperty("id").GetGuid());
        Assert.Equal(("OFI-001", "internal-audit", "open", id), (entry.GetProperty("reference").GetString(), entry.GetProperty("source").GetString(), entry.GetProperty("status").GetString(), entry.GetProperty("internalAuditId").GetGuid()));
        Assert.Equal(HttpStatusCode.Forbidden, (await second.PostAsJsonAsync($"{Base}/{id}/sign-off", new { })).StatusCode);
        var signed = await lead.PostAsJsonAsync($"{Base}/{id}/sign-off", new { });
        Assert.Equal(HttpStatusCode.OK, signed.StatusCode);
        Assert.Equal("reported", (await signed.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("status").GetString());

        // The signed-off report completes the calendar occurrence and is kept as hashed evidence.
        var reported = await lead.GetFromJsonAsync<JsonElement>($"{Base}/{id}");
        var report = await manager.GetFromJsonAsync<JsonElement>($"/api/v1/orgs/acme/evidence/{reported.GetProperty("reportEvidenceId").GetGuid()}");
        var bytes = await manager.GetByteArrayAsync($"/api/v1/orgs/acme/evidence/{reported.GetProperty("reportEvidenceId").GetGuid()}/content");
        Assert.Equal(Convert.ToHexStringLower(System.Security.Cryptography.SHA256.HashData(bytes)), report.GetProperty("sha256").GetString());
        Assert.Equal("IA-001-report.docx", report.GetProperty("fileName").GetString());
        using (var docx = DocumentFormat.OpenXml.Packaging.WordprocessingDocument.Open(new MemoryStream(bytes), false))
        {
            Assert.Empty(new DocumentFormat.OpenXml.Validation.OpenXmlValidator().Validate(docx).Select(e => $"{e.Path?.XPath}: {e.Description}"));
            var text = docx.MainDocumentPart!.Document.Body!.InnerText;
            Assert.Contains("Internal audit report IA-001: Access control", text, StringComparison.Ordinal);
            Assert.Contains("Major nonconformity", text, StringComparison.Ordinal);
            Assert.Contains(nc.GetProperty("reference").GetString()!, text, StringComparison.Ordinal);
            Assert.Contains($"seed {seed}", text, StringComparison.Ordinal);
            Assert.Contains("Signed off by carl", text, StringComparison.Ordinal);
        }

        var done = (await manager.GetFromJsonAsync<JsonElement>($"/api/v1/orgs/acme/activities/{calendarActivity}/occurrences")).EnumerateArray().Single();
        Assert.Equal("completed", done.GetProperty("state").GetString());

        var frozen = await lead.PutAsJsonAsync($"{Base}/{id}/checklist/{nine}", new { result = "observation", notes = "Later thought" });
        Assert.Equal(HttpStatusCode.Conflict, frozen.StatusCode);
        Assert.Contains("frozen", await frozen.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        Assert.Equal(HttpStatusCode.Conflict, (await lead.PostAsJsonAsync($"{Base}/{id}/checklist/{itemId}/sample", new { activityId, seed })).StatusCode);
        var final = await lead.GetFromJsonAsync<JsonElement>($"{Base}/{id}");
        Assert.Equal(["conforming", "major-nonconformity", "opportunity-for-improvement"], final.GetProperty("checklist").EnumerateArray().Select(i => i.GetProperty("result").GetString()!));

        // A held audit stays in the programme: it cannot be cancelled afterwards.
        var late = await manager.PostAsJsonAsync($"{Base}/{id}/cancel", new { reason = "Tidying the programme" });
        Assert.Equal(HttpStatusCode.Conflict, late.StatusCode);
        Assert.Contains("signed off", await late.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        Assert.Equal("reported", (await lead.GetFromJsonAsync<JsonElement>($"{Base}/{id}")).GetProperty("status").GetString());
    }

    [Fact]
    public async Task A_manager_cancels_a_planned_or_running_audit_with_a_reason_and_it_leaves_the_coverage_and_the_calendar()
    {
        var planned = await (await manager.PostAsJsonAsync(Base, new { title = "Access control", plannedStart = "2026-03-20", leadAuditorEmail = "carl@acme.test", auditorEmails = Dee, scope = Scope })).Content.ReadFromJsonAsync<JsonElement>();
        var id = planned.GetProperty("id").GetGuid();
        var calendarActivity = planned.GetProperty("activityId").GetGuid();
        Assert.Contains(id, AuditsOf(await lead.GetFromJsonAsync<JsonElement>($"{Base}/coverage"), "9.2"));

        // Only a manager cancels, and only with a reason; a refused cancel changes nothing.
        Assert.Equal(HttpStatusCode.Forbidden, (await lead.PostAsJsonAsync($"{Base}/{id}/cancel", new { reason = "No time" })).StatusCode);
        Assert.Equal(HttpStatusCode.Forbidden, (await owner.PostAsJsonAsync($"{Base}/{id}/cancel", new { reason = "No time" })).StatusCode);
        var bare = await manager.PostAsJsonAsync($"{Base}/{id}/cancel", new { reason = "  " });
        Assert.Equal(HttpStatusCode.BadRequest, bare.StatusCode);
        Assert.Contains("reason", await bare.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        Assert.Equal("planned", (await lead.GetFromJsonAsync<JsonElement>($"{Base}/{id}")).GetProperty("status").GetString());
        Assert.Equal("open", (await manager.GetFromJsonAsync<JsonElement>($"/api/v1/orgs/acme/activities/{calendarActivity}/occurrences")).EnumerateArray().Single().GetProperty("state").GetString());

        var cancelled = await manager.PostAsJsonAsync($"{Base}/{id}/cancel", new { reason = "Merged into the March audit of the whole of Annex A" });
        Assert.Equal(HttpStatusCode.OK, cancelled.StatusCode);
        var audit = await cancelled.Content.ReadFromJsonAsync<JsonElement>();
        Assert.Equal(("cancelled", "Merged into the March audit of the whole of Annex A"), (audit.GetProperty("status").GetString(), audit.GetProperty("cancellationReason").GetString()));
        Assert.Equal("maya", audit.GetProperty("cancelledBy").GetString());
        Assert.StartsWith("2026-03-02", audit.GetProperty("cancelledAt").GetString(), StringComparison.Ordinal);

        // Its scope is a gap again (no SoA is published, so only the clauses are counted), its calendar entry is skipped with the reason and its activity retired.
        var coverage = await lead.GetFromJsonAsync<JsonElement>($"{Base}/coverage");
        Assert.Empty(AuditsOf(coverage, "9.2"));
        var occurrence = (await manager.GetFromJsonAsync<JsonElement>($"/api/v1/orgs/acme/activities/{calendarActivity}/occurrences")).EnumerateArray().Single();
        Assert.Equal("skipped", occurrence.GetProperty("state").GetString());
        var detail = await manager.GetFromJsonAsync<JsonElement>($"/api/v1/orgs/acme/occurrences/{occurrence.GetProperty("id").GetGuid()}");
        Assert.Equal("IA-001 cancelled: Merged into the March audit of the whole of Annex A", detail.GetProperty("skipReason").GetString());
        Assert.Equal("retired", (await manager.GetFromJsonAsync<JsonElement>($"/api/v1/orgs/acme/activities/{calendarActivity}")).GetProperty("state").GetString());

        // Cancelled is final: not again, not started.
        Assert.Equal(HttpStatusCode.Conflict, (await manager.PostAsJsonAsync($"{Base}/{id}/cancel", new { reason = "Again" })).StatusCode);
        Assert.Equal(HttpStatusCode.Conflict, (await lead.PostAsJsonAsync($"{Base}/{id}/start", new { })).StatusCode);

        // A running audit is cancelled from its page; what it recorded stays, frozen.
        var second = await (await manager.PostAsJsonAsync(Base, new { title = "Backups", plannedStart = "2026-03-02", leadAuditorEmail = "carl@acme.test", scope = Backups })).Content.ReadFromJsonAsync<JsonElement>();
        var runningId = second.GetProperty("id").GetGuid();
        var started = await (await lead.PostAsJsonAsync($"{Base}/{runningId}/start", new { })).Content.ReadFromJsonAsync<JsonElement>();
        var itemId = started.GetProperty("checklist")[0].GetProperty("id").GetGuid();
        Assert.Equal(HttpStatusCode.OK, (await lead.PutAsJsonAsync($"{Base}/{runningId}/checklist/{itemId}", new { result = "conforming", notes = "Restore log seen" })).StatusCode);

        var page = $"/o/acme/internal-audits/{runningId}";
        var auditorPage = await app.SignInAsync("carl@acme.test");
        Assert.DoesNotContain("Cancel the audit", await auditorPage.GetStringAsync(page), StringComparison.Ordinal);
        var refused = await TestApp.PostFormAsync(auditorPage, page, [new("reason", "No time")], "Cancel");
        Assert.Equal(HttpStatusCode.Forbidden, refused.StatusCode);

        var browser = await app.SignInAsync("maya@acme.test");
        Assert.Contains("Cancel the audit", await browser.GetStringAsync(page), StringComparison.Ordinal);
        var empty = await TestApp.PostFormAsync(browser, page, [new("reason", "")], "Cancel");
        Assert.Equal(HttpStatusCode.OK, empty.StatusCode);
        Assert.Contains("reason", await empty.Content.ReadAsStringAsync(), StringComparison.OrdinalIgnoreCase);
        var posted = await TestApp.PostFormAsync(browser, page, [new("reason", "The auditor left; replanned for April")], "Cancel");
        Assert.Equal(HttpStatusCode.Redirect, posted.StatusCode);
        var shown = await browser.GetStringAsync(page);
        Assert.Contains("id=\"audit-cancelled\"", shown, StringComparison.Ordinal);
        Assert.Contains("The auditor left; replanned for April", shown, StringComparison.Ordinal);
        Assert.DoesNotContain("Cancel the audit", shown, StringComparison.Ordinal);

        var frozen = await lead.PutAsJsonAsync($"{Base}/{runningId}/checklist/{itemId}", new { result = "observation", notes = "Later thought" });
        Assert.Equal(HttpStatusCode.Conflict, frozen.StatusCode);
        Assert.Contains("cancelled", await frozen.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        var kept = await lead.GetFromJsonAsync<JsonElement>($"{Base}/{runningId}");
        Assert.Equal(("cancelled", "conforming"), (kept.GetProperty("status").GetString(), kept.GetProperty("checklist")[0].GetProperty("result").GetString()));
    }

    [Fact]
    public async Task On_the_page_the_auditor_cites_the_evidence_listed_for_the_item_and_evidence_cited_elsewhere_is_kept()
    {
        var review = await UploadAsync(owner, "access-review-2025-11.csv", new { activityId, periodFrom = "2025-11-01", periodTo = "2025-11-30" });
        var policy = await UploadAsync(owner, "access-policy.pdf", new { periodFrom = "2025-01-01", periodTo = "2026-02-28" });
        var planned = await (await manager.PostAsJsonAsync(Base, new { title = "Access rights", plannedStart = "2026-03-02", leadAuditorEmail = "carl@acme.test", scope = AccessRights })).Content.ReadFromJsonAsync<JsonElement>();
        var id = planned.GetProperty("id").GetGuid();
        var itemId = (await (await lead.PostAsJsonAsync($"{Base}/{id}/start", new { })).Content.ReadFromJsonAsync<JsonElement>()).GetProperty("checklist")[0].GetProperty("id").GetGuid();

        // The page offers the review's export (listed for the item's activity), not the unrelated policy.
        var page = $"/o/acme/internal-audits/{id}";
        var browser = await app.SignInAsync("carl@acme.test");
        var shown = await browser.GetStringAsync(page);
        Assert.Contains($"name=\"evidenceIds\" value=\"{review}\"", shown, StringComparison.Ordinal);
        Assert.DoesNotContain(policy.ToString(), shown, StringComparison.Ordinal);

        var cited = await TestApp.PostFormAsync(browser, page, [new("itemId", itemId.ToString()), new("result", "Conforming"), new("notes", "November review seen"), new("evidenceIds", review.ToString())], "Record");
        Assert.Equal(HttpStatusCode.Redirect, cited.StatusCode);
        Assert.Equal([review], Item(await lead.GetFromJsonAsync<JsonElement>($"{Base}/{id}/checklist"), "A.5.18").GetProperty("item").GetProperty("evidenceIds").EnumerateArray().Select(e => e.GetGuid()));
        var after = await browser.GetStringAsync(page);
        Assert.Contains($"<a href=\"/o/acme/evidence/{review}\">access-review-2025-11.csv</a>", after, StringComparison.Ordinal);
        Assert.Matches($"value=\"{review}\" checked", after);

        // The policy cited through the API stays when the auditor unticks the review on the page.
        Assert.Equal(HttpStatusCode.OK, (await lead.PutAsJsonAsync($"{Base}/{id}/checklist/{itemId}", new { result = "conforming", notes = "November review seen", evidenceIds = new[] { review, policy } })).StatusCode);
        var unticked = await TestApp.PostFormAsync(browser, page, [new("itemId", itemId.ToString()), new("result", "Observation"), new("notes", "Review seen, policy to be reworded"), new("evidenceIds", policy.ToString())], "Record");
        Assert.Equal(HttpStatusCode.Redirect, unticked.StatusCode);
        var item = Item(await lead.GetFromJsonAsync<JsonElement>($"{Base}/{id}/checklist"), "A.5.18").GetProperty("item");
        Assert.Equal(("observation", policy), (item.GetProperty("result").GetString(), item.GetProperty("evidenceIds").EnumerateArray().Single().GetGuid()));

        // Evidence from another organisation, or made up, is refused and changes nothing.
        var made = await TestApp.PostFormAsync(browser, page, [new("itemId", itemId.ToString()), new("result", "Conforming"), new("evidenceIds", Guid.NewGuid().ToString())], "Record");
        Assert.Equal(HttpStatusCode.OK, made.StatusCode);
        Assert.Contains("evidence", await made.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        Assert.Equal("observation", Item(await lead.GetFromJsonAsync<JsonElement>($"{Base}/{id}/checklist"), "A.5.18").GetProperty("item").GetProperty("result").GetString());
    }

    [Fact]
    public async Task The_audit_is_in_the_personal_feeds_of_its_auditors_even_when_an_outside_lead_cannot_own_its_calendar_entry()
    {
        await manager.PostAsJsonAsync(Base, new { title = "Access control", plannedStart = "2026-03-20", leadAuditorEmail = "carl@acme.test", auditorEmails = Dee, scope = Scope });

        async Task<string> FeedAsync(HttpClient client)
        {
            var created = await client.PostAsJsonAsync("/api/v1/orgs/acme/calendar-feeds", new { scope = "personal" });
            Assert.Equal(HttpStatusCode.Created, created.StatusCode);
            var url = new Uri((await created.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("url").GetString()!);
            using var anonymous = app.CreateClient();
            return await anonymous.GetStringAsync(url.PathAndQuery);
        }

        // Carl (an auditor from outside: the entry is owned by the planner), Dee (second auditor and deputy) and Maya (the planner) see it; Ana does not.
        Assert.Contains("] IA-001 Access control", await FeedAsync(lead), StringComparison.Ordinal);
        Assert.Contains("] IA-001 Access control", await FeedAsync(second), StringComparison.Ordinal);
        Assert.Contains("] IA-001 Access control", await FeedAsync(manager), StringComparison.Ordinal);
        var ana = await FeedAsync(owner);
        Assert.Contains("] Access rights review", ana, StringComparison.Ordinal);
        Assert.DoesNotContain("IA-001", ana, StringComparison.Ordinal);

        // On the day the reminder sweep tells its owner, its deputy and the outside lead, each once.
        async Task<List<(string To, string Subject, string Text)>> RemindersAsync(DateTimeOffset at) => await app.WithScopeAsync(async sp =>
        {
            await sp.GetRequiredService<ReminderSweep>().RunAsync(at, default);
            return (await sp.GetRequiredService<PerennialDbContext>().Outbox.AsNoTracking().Where(m => m.Subject.Contains("IA-001")).ToListAsync())
                .Select(m => (m.Recipient, m.Subject, m.TextBody)).ToList();
        });
        var dueDay = new DateTimeOffset(2026, 3, 20, 7, 0, 0, TimeSpan.Zero);
        var due = (await RemindersAsync(dueDay)).Where(m => m.Subject.StartsWith("Due today", StringComparison.Ordinal)).ToList();
        Assert.Equal(["carl@acme.test", "dee@acme.test", "maya@acme.test"], due.Select(m => m.To).Order());
        Assert.Contains("as an auditor of this internal audit", due.Single(m => m.To == "carl@acme.test").Text, StringComparison.Ordinal);
        Assert.Equal(due.Count, (await RemindersAsync(dueDay.AddMinutes(5))).Count(m => m.Subject.StartsWith("Due today", StringComparison.Ordinal)));
    }

    [Fact]
    public async Task An_auditor_uploads_what_they_collected_to_an_item_and_it_is_stored_as_hashed_evidence_on_its_control_and_cited()
    {
        var planned = await (await manager.PostAsJsonAsync(Base, new { title = "Access rights", plannedStart = "2026-03-02", leadAuditorEmail = "carl@acme.test", scope = AccessRights })).Content.ReadFromJsonAsync<JsonElement>();
        var id = planned.GetProperty("id").GetGuid();
        var itemId = (await (await lead.PostAsJsonAsync($"{Base}/{id}/start", new { })).Content.ReadFromJsonAsync<JsonElement>()).GetProperty("checklist")[0].GetProperty("id").GetGuid();
        var control = await app.WithScopeAsync(s => s.GetRequiredService<PerennialDbContext>().Controls
            .Where(c => c.OrganisationId == orgId && c.Identifier == "A.5.18" && c.Framework!.Key == Framework.IsoKey).Select(c => c.Id).SingleAsync());
        var notes = "Interviewed the IT lead: leavers are removed within a day.\n"u8.ToArray();

        static MultipartFormDataContent Part(byte[] bytes, string name)
        {
            var form = new MultipartFormDataContent();
            form.Add(new ByteArrayContent(bytes), "file", name);
            return form;
        }

        // Through the API: only the audit's auditors, a real file, a running audit.
        var path = $"{Base}/{id}/checklist/{itemId}/evidence";
        using (var refused = Part(notes, "interview.txt"))
        {
            Assert.Equal(HttpStatusCode.Forbidden, (await owner.PostAsync(path, refused)).StatusCode);
        }

        using (var empty = Part([], "interview.txt"))
        {
            var response = await lead.PostAsync(path, empty);
            Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
            Assert.Contains("file", await response.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        }

        using var form = Part(notes, "interview.txt");
        var attached = await lead.PostAsync(path, form);
        Assert.True(attached.StatusCode == HttpStatusCode.Created, await attached.Content.ReadAsStringAsync());
        var answer = await attached.Content.ReadFromJsonAsync<JsonElement>();
        var evidenceId = answer.GetProperty("evidenceId").GetGuid();
        Assert.Equal([evidenceId], answer.GetProperty("item").GetProperty("evidenceIds").EnumerateArray().Select(e => e.GetGuid()));
        var stored = await manager.GetFromJsonAsync<JsonElement>($"/api/v1/orgs/acme/evidence/{evidenceId}");
        Assert.Equal(Convert.ToHexStringLower(System.Security.Cryptography.SHA256.HashData(notes)), stored.GetProperty("sha256").GetString());
        Assert.Equal([control], stored.GetProperty("controlIds").EnumerateArray().Select(c => c.GetGuid()));
        Assert.Equal(("IA-001 A.5.18: interview.txt", "2025-03-03", "2026-03-02"),
            (stored.GetProperty("title").GetString(), stored.GetProperty("periodFrom").GetString(), stored.GetProperty("periodTo").GetString()));

        // Through the page: the file goes to the same place and is added to what the item cites.
        var page = $"/o/acme/internal-audits/{id}";
        var browser = await app.SignInAsync("carl@acme.test");
        var html = await browser.GetStringAsync(page);
        var token = System.Text.RegularExpressions.Regex.Match(html, "name=\"__RequestVerificationToken\" type=\"hidden\" value=\"([^\"]+)\"").Groups[1].Value;
        using var upload = Part("user,last-login\nana,2026-02-27\n"u8.ToArray(), "accounts.csv");
        upload.Add(new StringContent(token), "__RequestVerificationToken");
        upload.Add(new StringContent(itemId.ToString()), "itemId");
        upload.Add(new StringContent("Accounts export taken with the IT lead"), "title");
        var posted = await browser.PostAsync($"{page}?handler=Attach", upload);
        Assert.Equal(HttpStatusCode.Redirect, posted.StatusCode);
        var cited = Item(await lead.GetFromJsonAsync<JsonElement>($"{Base}/{id}/checklist"), "A.5.18").GetProperty("item").GetProperty("evidenceIds").EnumerateArray().Select(e => e.GetGuid()).ToList();
        Assert.Equal(2, cited.Count);
        Assert.Equal(evidenceId, cited[0]);
        Assert.Contains(">Accounts export taken with the IT lead</a>", await browser.GetStringAsync(page), StringComparison.Ordinal);
    }

    private static async Task<Guid> UploadAsync(HttpClient client, string fileName, object metadata)
    {
        using var form = new MultipartFormDataContent();
        form.Add(JsonContent.Create(metadata), "metadata");
        form.Add(new ByteArrayContent("user,reviewed\nana,yes\n"u8.ToArray()), "file", fileName);
        var response = await client.PostAsync("/api/v1/orgs/acme/evidence", form);
        Assert.True(response.IsSuccessStatusCode, $"{response.StatusCode}: {await response.Content.ReadAsStringAsync()}");
        return (await response.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("id").GetGuid();
    }

    private static List<Guid> AuditsOf(JsonElement matrix, string identifier) =>
        [.. matrix.GetProperty("items").EnumerateArray().Single(i => i.GetProperty("identifier").GetString() == identifier).GetProperty("auditIds").EnumerateArray().Select(a => a.GetGuid())];

    private static JsonElement Item(JsonElement checklist, string identifier) =>
        checklist.GetProperty("items").EnumerateArray().Single(i => i.GetProperty("item").GetProperty("identifier").GetString() == identifier);

    private static List<Guid> Ids(JsonElement sample) => [.. sample.GetProperty("occurrenceIds").EnumerateArray().Select(o => o.GetGuid())];
}

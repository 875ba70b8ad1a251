using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using ClosedXML.Excel;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Perennial.Activities;
using Perennial.AuditorWorkspace;
using Perennial.Data;
using Perennial.Evidence;
using Perennial.Frameworks;
using Perennial.InternalAudits;
using Perennial.Organisations;
using Perennial.Tests.Infrastructure;

namespace Perennial.Tests.AuditorWorkspace;

public sealed class SqliteAuditorWorkspaceApiTests() : AuditorWorkspaceApiTests(DatabaseProvider.Sqlite);

public sealed class PostgresAuditorWorkspaceApiTests() : AuditorWorkspaceApiTests(DatabaseProvider.Postgres);

/// <summary>
/// The auditor's samples and requests through the API: a sample redrawn from its seed, a request
/// answered with evidence, asked again and accepted, and what an auditor may not touch.
/// </summary>
public abstract class AuditorWorkspaceApiTests(DatabaseProvider provider) : IAsyncLifetime
{
    private TestApp app = null!;
    private readonly Dictionary<string, Guid> users = [];

    public async ValueTask InitializeAsync()
    {
        app = await TestApp.StartAsync(provider);
        foreach (var name in new[] { "admin", "ana", "audrey", "otto" })
        {
            users[name] = (await app.CreateUserAsync($"{name}@acme.test")).Id;
        }
    }

    public async ValueTask DisposeAsync() => await app.DisposeAsync();

    private sealed record World(Guid OrgId, Guid ActivityId, Guid EvidenceId);

    /// <summary>A weekly backup check operating A.8.13 from January, owned by ana; auditors audrey (until 2026-06-30) and otto.</summary>
    private async Task<World> SeedAsync()
    {
        var org = await app.CreateOrganisationAsync("acme", users["admin"]);
        await app.AddMemberAsync(org.Id, "ana@acme.test", OrgRole.Contributor);
        await app.AddMemberAsync(org.Id, "audrey@acme.test", OrgRole.Auditor, new DateOnly(2026, 6, 30));
        await app.AddMemberAsync(org.Id, "otto@acme.test", OrgRole.Auditor);
        var activity = await app.WithScopeAsync(s => s.GetRequiredService<ActivityService>().CreateAsync(org.Id, new ActivityInput(
            "Backup check", null, users["ana"], null, null, "FREQ=WEEKLY;BYDAY=MO", new DateTime(2026, 1, 5, 9, 0, 0), "UTC"), default, includePast: true));
        var evidenceId = await app.WithScopeAsync(async s =>
        {
            var db = s.GetRequiredService<PerennialDbContext>();
            var control = await db.Controls.SingleAsync(c => c.OrganisationId == org.Id && c.Identifier == "A.8.13" && c.Framework!.Key == Framework.IsoKey);
            db.ActivityControls.Add(new ActivityControl { ActivityId = activity.Id, ControlId = control.Id });
            foreach (var o in await db.Occurrences.Where(o => o.ActivityId == activity.Id && o.DueDate < new DateOnly(2026, 3, 1)).ToListAsync())
            {
                (o.State, o.CompletedAt, o.CompletedByUserId) = (OccurrenceState.Completed, new DateTimeOffset(o.DueDate.ToDateTime(new TimeOnly(15, 0)), TimeSpan.Zero), users["ana"]);
            }

            await db.SaveChangesAsync();
            using var content = new MemoryStream(Encoding.UTF8.GetBytes("restore log"));
            var recorded = await s.GetRequiredService<EvidenceService>().AddAsync(org.Id,
                new EvidenceInput { Title = "Restore log, February", ControlId = control.Id, PeriodFrom = new DateOnly(2026, 2, 1), PeriodTo = new DateOnly(2026, 2, 28) },
                new IncomingContent(content, "restore.log", "text/plain"), new EvidenceOrigin(EvidenceSource.Upload, users["ana"]), default);
            return recorded.Item.Id;
        });
        return new World(org.Id, activity.Id, evidenceId);
    }

    private async Task<HttpClient> ClientAsync(string name) => app.CreateApiClient(await app.CreateTokenAsync(users[name], name));

    private static async Task<JsonElement> JsonAsync(HttpResponseMessage response, HttpStatusCode expected)
    {
        var text = await response.Content.ReadAsStringAsync();
        Assert.True(response.StatusCode == expected, $"{(int)response.StatusCode}: {text}");
        return JsonDocument.Parse(text).RootElement.Clone();
    }

    [Fact]
    public async Task A_sample_is_sized_by_the_sampling_table_stored_and_drawn_again_from_its_seed()
    {
        var world = await SeedAsync();
        using var audrey = await ClientAsync("audrey");
        var body = new { control = "A.8.13", periodFrom = "2026-01-01", periodTo = "2026-02-28" };
        var first = await JsonAsync(await audrey.PostAsJsonAsync("/api/v1/orgs/acme/auditor/samples", body), HttpStatusCode.Created);

        // Eight weekly Mondays settled in January and February; the table samples five of a weekly activity.
        var population = await app.WithScopeAsync(s => s.GetRequiredService<PerennialDbContext>().Occurrences
            .Where(o => o.ActivityId == world.ActivityId && o.DueDate >= new DateOnly(2026, 1, 1) && o.DueDate <= new DateOnly(2026, 2, 28))
            .OrderBy(o => o.DueDate).ThenBy(o => o.Id).Select(o => o.Id).ToListAsync());
        Assert.Equal(8, population.Count);
        Assert.Equal(("weekly", 8, 5), (first.GetProperty("frequency").GetString(), first.GetProperty("population").GetInt32(), first.GetProperty("size").GetInt32()));
        var seed = first.GetProperty("seed").GetInt32();
        var drawn = first.GetProperty("occurrenceIds").EnumerateArray().Select(e => e.GetGuid()).ToList();
        Assert.Equal(SamplingTable.Draw(population, 5, seed), drawn);
        Assert.Equal(5, first.GetProperty("occurrences").GetArrayLength());

        // The same seed over the same period draws the same occurrences; both samples are kept for the team to see.
        var again = await JsonAsync(await audrey.PostAsJsonAsync("/api/v1/orgs/acme/auditor/samples", new { body.control, body.periodFrom, body.periodTo, seed }), HttpStatusCode.Created);
        Assert.Equal(drawn, again.GetProperty("occurrenceIds").EnumerateArray().Select(e => e.GetGuid()));
        using var ana = await ClientAsync("ana");
        var listed = await JsonAsync(await ana.GetAsync("/api/v1/orgs/acme/auditor/samples"), HttpStatusCode.OK);
        Assert.Equal(2, listed.GetArrayLength());
        Assert.All(listed.EnumerateArray(), s => Assert.Equal(users["audrey"], s.GetProperty("drawnBy").GetProperty("id").GetGuid()));

        // A member rehearsing the audit draws too, under their own name; a bad period names its field.
        var rehearsal = await JsonAsync(await ana.PostAsJsonAsync("/api/v1/orgs/acme/auditor/samples", body), HttpStatusCode.Created);
        Assert.Equal(users["ana"], rehearsal.GetProperty("drawnBy").GetProperty("id").GetGuid());
        using var backwards = await audrey.PostAsJsonAsync("/api/v1/orgs/acme/auditor/samples", new { control = "A.8.13", periodFrom = "2026-03-01", periodTo = "2026-02-01" });
        Assert.Equal(HttpStatusCode.BadRequest, backwards.StatusCode);
        Assert.Contains("periodFrom", await backwards.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        using var unknown = await audrey.PostAsJsonAsync("/api/v1/orgs/acme/auditor/samples", new { control = "A.99.1", periodFrom = "2026-01-01", periodTo = "2026-02-28" });
        Assert.Equal(HttpStatusCode.BadRequest, unknown.StatusCode);
    }

    [Fact]
    public async Task A_request_goes_to_the_owner_is_answered_with_evidence_asked_again_accepted_exported_and_every_step_is_in_the_audit_trail()
    {
        var world = await SeedAsync();
        using var audrey = await ClientAsync("audrey");
        var sample = await JsonAsync(await audrey.PostAsJsonAsync("/api/v1/orgs/acme/auditor/samples", new { control = "A.8.13", periodFrom = "2026-01-01", periodTo = "2026-02-28", seed = 42 }), HttpStatusCode.Created);
        var occurrence = sample.GetProperty("occurrenceIds")[0].GetGuid();
        var raised = await JsonAsync(await audrey.PostAsJsonAsync("/api/v1/orgs/acme/auditor/requests", new
        {
            text = "Show the restore test of this week",
            sampleId = sample.GetProperty("id").GetGuid(),
            occurrenceId = occurrence,
            dueOn = "2026-03-09",
        }), HttpStatusCode.Created);
        var id = raised.GetProperty("id").GetGuid();
        Assert.Equal(("REQ-001", "A.8.13", "open"), (raised.GetProperty("reference").GetString(), raised.GetProperty("identifier").GetString(), raised.GetProperty("status").GetString()));
        Assert.Equal(users["ana"], raised.GetProperty("assignee").GetProperty("id").GetGuid());

        // The owner sees it as theirs and answers with evidence; another auditor can neither answer nor accept it.
        using var ana = await ClientAsync("ana");
        var mine = await JsonAsync(await ana.GetAsync("/api/v1/orgs/acme/auditor/requests?assignee=me&status=open"), HttpStatusCode.OK);
        Assert.Equal(id, mine.EnumerateArray().Single().GetProperty("id").GetGuid());
        using (var empty = await ana.PostAsJsonAsync($"/api/v1/orgs/acme/auditor/requests/{id}/answer", new { comment = " " }))
        {
            Assert.Equal(HttpStatusCode.BadRequest, empty.StatusCode);
        }

        var answered = await JsonAsync(await ana.PostAsJsonAsync($"/api/v1/orgs/acme/auditor/requests/{id}/answer", new { evidenceIds = new[] { world.EvidenceId } }), HttpStatusCode.OK);
        Assert.Equal(("answered", world.EvidenceId), (answered.GetProperty("status").GetString(), answered.GetProperty("evidenceIds")[0].GetGuid()));
        using var otto = await ClientAsync("otto");
        using (var notTheirs = await otto.PostAsync($"/api/v1/orgs/acme/auditor/requests/{id}/accept", null))
        {
            Assert.Equal(HttpStatusCode.Forbidden, notTheirs.StatusCode);
        }

        using (var ownerAccepts = await ana.PostAsync($"/api/v1/orgs/acme/auditor/requests/{id}/accept", null))
        {
            Assert.Equal(HttpStatusCode.Forbidden, ownerAccepts.StatusCode);
        }

        // Asked again, answered with a comment, then accepted.
        var reopened = await JsonAsync(await audrey.PostAsJsonAsync($"/api/v1/orgs/acme/auditor/requests/{id}/ask-again", new { note = "The log does not show which backup was restored." }), HttpStatusCode.OK);
        Assert.Equal(("open", 2), (reopened.GetProperty("status").GetString(), reopened.GetProperty("round").GetInt32()));
        await JsonAsync(await ana.PostAsJsonAsync($"/api/v1/orgs/acme/auditor/requests/{id}/answer", new { comment = "Backup set 2026-02-02 was restored; see line 3 of the log.", evidenceIds = new[] { world.EvidenceId } }), HttpStatusCode.OK);
        var accepted = await JsonAsync(await audrey.PostAsync($"/api/v1/orgs/acme/auditor/requests/{id}/accept", null), HttpStatusCode.OK);
        Assert.Equal("accepted", accepted.GetProperty("status").GetString());

        using var export = await audrey.GetAsync("/api/v1/orgs/acme/auditor/requests/export.xlsx");
        Assert.Equal(HttpStatusCode.OK, export.StatusCode);
        using var workbook = new XLWorkbook(new MemoryStream(await export.Content.ReadAsByteArrayAsync()));
        var sheet = workbook.Worksheet(AuditRequestSheet.SheetName);
        Assert.Equal(("REQ-001", "accepted", 2, "Backup set 2026-02-02 was restored; see line 3 of the log."),
            (sheet.Cell(2, 1).GetString(), sheet.Cell(2, 5).GetString(), sheet.Cell(2, 6).GetValue<int>(), sheet.Cell(2, 10).GetString()));

        var trail = await app.WithScopeAsync(s => s.GetRequiredService<PerennialDbContext>().AuditEntries
            .Where(e => e.EntityId == id || e.EntityType == nameof(AuditSample)).OrderBy(e => e.Sequence).Select(e => new { e.EntityType, e.Action, e.ActorUserId }).ToListAsync());
        Assert.Equal(1 + 5, trail.Count); // the sample, then raised, answered, asked again, answered, accepted
        Assert.Equal([users["audrey"], users["audrey"], users["ana"], users["audrey"], users["ana"], users["audrey"]], trail.Select(t => t.ActorUserId!.Value));
    }

    [Fact]
    public async Task An_auditor_changes_nothing_but_their_own_requests_and_samples_and_loses_access_when_the_membership_expires()
    {
        var world = await SeedAsync();
        using var audrey = await ClientAsync("audrey");
        using var otto = await ClientAsync("otto");
        var raised = await JsonAsync(await audrey.PostAsJsonAsync("/api/v1/orgs/acme/auditor/requests", new { text = "The backup policy", identifier = "A.8.13", dueOn = "2026-03-20", assigneeUserId = users["ana"] }), HttpStatusCode.Created);
        var id = raised.GetProperty("id").GetGuid();

        // Another auditor's request is not theirs to ask again about or answer; the rest of the ISMS stays read-only.
        using (var answer = await otto.PostAsJsonAsync($"/api/v1/orgs/acme/auditor/requests/{id}/answer", new { comment = "Here it is" }))
        {
            Assert.Equal(HttpStatusCode.Forbidden, answer.StatusCode);
        }

        using (var toAuditor = await audrey.PostAsJsonAsync("/api/v1/orgs/acme/auditor/requests", new { text = "x", dueOn = "2026-03-20", assigneeUserId = users["otto"] }))
        {
            Assert.Equal(HttpStatusCode.BadRequest, toAuditor.StatusCode);
        }

        using (var complete = await audrey.PostAsJsonAsync($"/api/v1/orgs/acme/activities/{world.ActivityId}", new { title = "Renamed" }))
        {
            Assert.True(complete.StatusCode is HttpStatusCode.Forbidden or HttpStatusCode.MethodNotAllowed, $"{complete.StatusCode}");
        }

        using (var evidence = await audrey.PostAsJsonAsync("/api/v1/orgs/acme/evidence", new { title = "Auditor's note", kind = "note", text = "x" }))
        {
            Assert.Equal(HttpStatusCode.Forbidden, evidence.StatusCode);
        }

        // After the membership ends the auditor can neither read nor raise anything.
        app.Time.SetUtcNow(new DateTimeOffset(2026, 7, 1, 9, 0, 0, TimeSpan.Zero));
        using var expired = await audrey.PostAsJsonAsync("/api/v1/orgs/acme/auditor/requests", new { text = "Late", identifier = "A.8.13", dueOn = "2026-07-20" });
        Assert.Contains(expired.StatusCode, new[] { HttpStatusCode.Forbidden, HttpStatusCode.NotFound });
        using var read = await audrey.GetAsync("/api/v1/orgs/acme/auditor/requests");
        Assert.Contains(read.StatusCode, new[] { HttpStatusCode.Forbidden, HttpStatusCode.NotFound });
    }

    [Fact]
    public async Task On_the_landing_page_an_auditor_samples_a_control_and_raises_a_request_and_the_owner_answers_it()
    {
        await SeedAsync();
        app.Time.SetUtcNow(new DateTimeOffset(2026, 3, 3, 9, 0, 0, TimeSpan.Zero));
        using var audrey = await app.SignInAsync("audrey@acme.test");
        var page = await audrey.GetStringAsync("/o/acme/auditor");
        Assert.Contains("Auditor&#x27;s workspace", page, StringComparison.Ordinal);
        Assert.Contains("No sample drawn yet.", page, StringComparison.Ordinal);

        using var drawn = await TestApp.PostFormAsync(audrey, "/o/acme/auditor", new Dictionary<string, string>
        {
            ["Control"] = "A.8.13",
            ["SampleFrom"] = "2026-01-01",
            ["SampleTo"] = "2026-02-28",
            ["Seed"] = "7",
        }, "Sample");
        Assert.Equal(HttpStatusCode.Redirect, drawn.StatusCode);
        page = await audrey.GetStringAsync("/o/acme/auditor");
        Assert.Contains("5 of 8 (weekly)", page, StringComparison.Ordinal);

        using var bad = await TestApp.PostFormAsync(audrey, "/o/acme/auditor", new Dictionary<string, string> { ["RequestText"] = "Backup policy", ["RequestDue"] = "2026-03-20" }, "Request");
        Assert.Equal(HttpStatusCode.OK, bad.StatusCode);
        Assert.Contains("assigneeUserId", await bad.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        using var raised = await TestApp.PostFormAsync(audrey, "/o/acme/auditor", new Dictionary<string, string>
        {
            ["RequestText"] = "The backup policy and its approval",
            ["RequestIdentifier"] = "A.8.13",
            ["RequestDue"] = "2026-03-20",
            ["RequestAssignee"] = users["ana"].ToString(),
        }, "Request");
        Assert.Equal(HttpStatusCode.Redirect, raised.StatusCode);
        var request = await app.WithScopeAsync(s => s.GetRequiredService<PerennialDbContext>().AuditRequests.SingleAsync());
        Assert.Equal((users["audrey"], users["ana"]), (request.RaisedByUserId, request.AssigneeUserId));

        // The owner sees it and answers it.
        using var ana = await app.SignInAsync("ana@acme.test");
        var anaPage = await ana.GetStringAsync("/o/acme/auditor");
        Assert.Contains("Your answer to REQ-001", anaPage, StringComparison.Ordinal);
        using var answered = await TestApp.PostFormAsync(ana, "/o/acme/auditor", new Dictionary<string, string>
        {
            ["RequestId"] = request.Id.ToString(),
            ["Comment"] = "Policy BK-1, approved by the board on 2026-01-12.",
        }, "Answer");
        Assert.Equal(HttpStatusCode.Redirect, answered.StatusCode);
        using var notAnAuditor = await TestApp.PostFormAsync(ana, "/o/acme/auditor", new Dictionary<string, string> { ["RequestId"] = request.Id.ToString() }, "Accept");
        Assert.Equal(HttpStatusCode.Forbidden, notAnAuditor.StatusCode);

        using var accepted = await TestApp.PostFormAsync(audrey, "/o/acme/auditor", new Dictionary<string, string> { ["RequestId"] = request.Id.ToString() }, "Accept");
        Assert.Equal(HttpStatusCode.Redirect, accepted.StatusCode);
        page = await audrey.GetStringAsync("/o/acme/auditor");
        Assert.Contains("Policy BK-1, approved by the board on 2026-01-12.", page, StringComparison.Ordinal);
        Assert.Matches("id=\"request-REQ-001\"[\\s\\S]*?class=\"status\">accepted<", page);
    }
    [Fact]
    public async Task The_landing_page_shows_the_evidence_timeline_and_a_samples_occurrences_ties_a_request_to_one_and_pages_and_filters_the_requests()
    {
        var world = await SeedAsync();
        app.Time.SetUtcNow(new DateTimeOffset(2026, 3, 3, 9, 0, 0, TimeSpan.Zero));
        var sampled = await app.WithScopeAsync(async s =>
        {
            var soa = s.GetRequiredService<Perennial.Soa.SoaService>();
            var draft = await soa.EnsureDraftAsync(world.OrgId, default);
            foreach (var row in draft.Rows)
            {
                (row.Applicable, row.Justification) = (row.ControlIdentifier == "A.8.13", "Decided for the test");
            }

            await s.GetRequiredService<PerennialDbContext>().SaveChangesAsync();
            await soa.PublishAsync(world.OrgId, "First", default);
            return await s.GetRequiredService<AuditorWorkspaceService>().DrawSampleAsync(world.OrgId, new WorkspaceActor(users["audrey"], OrgRole.Auditor), "A.8.13",
                new DateOnly(2026, 1, 1), new DateOnly(2026, 2, 28), 11, null, default);
        });

        // A note attached to the first sampled occurrence: the sample page shows it under that occurrence.
        var first = sampled.OccurrenceIds.First();
        var note = await app.WithScopeAsync(async s => (await s.GetRequiredService<EvidenceService>().AddAsync(world.OrgId,
            new EvidenceInput { Title = "Restore screenshot", Kind = EvidenceKind.Note, Text = "Restored set 12", OccurrenceId = first, PeriodFrom = new DateOnly(2026, 1, 5), PeriodTo = new DateOnly(2026, 1, 5) },
            null, new EvidenceOrigin(EvidenceSource.Upload, users["ana"]), default)).Item.Id);

        // The controls' evidence across the audit period, month by month: February's restore log covers it (and a week beyond), the months before are gaps.
        using var audrey = await app.SignInAsync("audrey@acme.test");
        var page = await audrey.GetStringAsync("/o/acme/auditor?auditDate=2026-03-31");
        var row = System.Text.RegularExpressions.Regex.Match(page, "<tr id=\"control-A.8.13\">[\\s\\S]*?</tr>").Value;
        Assert.Matches("class=\"slot-covered\"[^>]*>\\s*<span class=\"slot-label\">Feb 2026</span>", row);
        Assert.Matches("class=\"slot-gap\"[^>]*>\\s*<span class=\"slot-label\">Dec 2025</span>", row);
        Assert.Contains("No evidence from", row, StringComparison.Ordinal);
        Assert.Contains("/o/acme/auditor/samples/" + sampled.Id, page, StringComparison.Ordinal);

        // The sample page: each sampled occurrence with its evidence, and a form to ask about one of them.
        var samplePage = await audrey.GetStringAsync($"/o/acme/auditor/samples/{sampled.Id}");
        Assert.All(sampled.OccurrenceIds, id => Assert.Contains($"id=\"occurrence-{id}\"", samplePage, StringComparison.Ordinal));
        Assert.Matches($"id=\"occurrence-{first}\"[\\s\\S]*?/o/acme/evidence/{note}\">Restore screenshot<", samplePage);
        using (var missing = await audrey.GetAsync($"/o/acme/auditor/samples/{Guid.NewGuid()}"))
        {
            Assert.Equal(HttpStatusCode.NotFound, missing.StatusCode);
        }

        using var asked = await TestApp.PostFormAsync(audrey, $"/o/acme/auditor/samples/{sampled.Id}", new Dictionary<string, string>
        {
            ["OccurrenceId"] = first.ToString(),
            ["RequestText"] = "Which set was restored that week?",
            ["RequestDue"] = "2026-03-10",
        }, "Request");
        Assert.Equal(HttpStatusCode.Redirect, asked.StatusCode);
        Assert.EndsWith("/o/acme/auditor#request-REQ-001", asked.Headers.Location!.OriginalString, StringComparison.Ordinal);
        var request = await app.WithScopeAsync(s => s.GetRequiredService<PerennialDbContext>().AuditRequests.AsNoTracking().SingleAsync());
        Assert.Equal((first, sampled.Id, "A.8.13", users["ana"]), (request.OccurrenceId!.Value, request.SampleId!.Value, request.Identifier, request.AssigneeUserId));

        // The owner answers on the page by ticking evidence: the occurrence's note and the control's restore log are offered.
        using var ana = await app.SignInAsync("ana@acme.test");
        var anaPage = await ana.GetStringAsync("/o/acme/auditor?auditDate=2026-03-31&mine=true");
        Assert.Contains($"name=\"EvidenceIds\" value=\"{note}\"", anaPage, StringComparison.Ordinal);
        Assert.Contains($"name=\"EvidenceIds\" value=\"{world.EvidenceId}\"", anaPage, StringComparison.Ordinal);
        using var answered = await TestApp.PostFormAsync(ana, "/o/acme/auditor", new Dictionary<string, string>
        {
            ["AuditDate"] = "2026-03-31",
            ["RequestId"] = request.Id.ToString(),
            ["EvidenceIds"] = note.ToString(),
        }, "Answer");
        Assert.Equal(HttpStatusCode.Redirect, answered.StatusCode);
        var after = await app.WithScopeAsync(s => s.GetRequiredService<PerennialDbContext>().AuditRequests.AsNoTracking().SingleAsync());
        Assert.Equal((AuditRequestStatus.Answered, note), (after.Status, Assert.Single(after.EvidenceIds)));
        page = await audrey.GetStringAsync("/o/acme/auditor");
        Assert.Matches($"id=\"request-REQ-001\"[\\s\\S]*?/o/acme/evidence/{note}\">Restore screenshot<", page);

        // Twenty more requests: the list pages by twenty, and the status filter narrows it.
        await app.WithScopeAsync(async s =>
        {
            var workspace = s.GetRequiredService<AuditorWorkspaceService>();
            for (var i = 0; i < 20; i++)
            {
                await workspace.RaiseAsync(world.OrgId, new WorkspaceActor(users["audrey"], OrgRole.Auditor),
                    new AuditRequestInput($"Item {i + 2}", "A.8.13", null, null, new DateOnly(2026, 3, 20), users["ana"]), null, default);
            }

            return 0;
        });
        page = await audrey.GetStringAsync("/o/acme/auditor");
        Assert.Equal(20, System.Text.RegularExpressions.Regex.Count(page, "<tr id=\"request-REQ-"));
        Assert.Contains("Page 1 of 2 (21 in all)", page, StringComparison.Ordinal);
        var second = await audrey.GetStringAsync("/o/acme/auditor?requestPage=2");
        Assert.Single(System.Text.RegularExpressions.Regex.Matches(second, "<tr id=\"request-REQ-"));
        var answeredOnly = await audrey.GetStringAsync("/o/acme/auditor?status=answered");
        Assert.Equal(["REQ-001"], System.Text.RegularExpressions.Regex.Matches(answeredOnly, "<tr id=\"request-(REQ-\\d+)\"").Select(m => m.Groups[1].Value));
        Assert.Contains("No request matches the filter.", await audrey.GetStringAsync("/o/acme/auditor?status=accepted"), StringComparison.Ordinal);
        using var far = await audrey.GetAsync("/o/acme/auditor?requestPage=2147483647&samplePage=-3&status=bogus");
        Assert.Equal(HttpStatusCode.OK, far.StatusCode);
    }
}

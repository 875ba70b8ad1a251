using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Perennial.Data;
using Perennial.Nonconformities;
using Perennial.Organisations;
using Perennial.Tests.Infrastructure;

namespace Perennial.Tests.Nonconformities;

public sealed class SqliteNonconformityWorkflowTests() : NonconformityWorkflowTests(DatabaseProvider.Sqlite);

public sealed class PostgresNonconformityWorkflowTests() : NonconformityWorkflowTests(DatabaseProvider.Postgres);

/// <summary>
/// The corrective-action loop through the API: every allowed step, every refused one (409 with the
/// reason, nothing changed), rounds kept when a check fails, and closure only after an effective check
/// or with a manager's justification.
/// </summary>
public abstract class NonconformityWorkflowTests(DatabaseProvider provider) : IAsyncLifetime
{
    private const string Base = "/api/v1/orgs/acme/nonconformities";
    private TestApp app = null!;
    private HttpClient manager = null!;
    private HttpClient olga = null!;
    private HttpClient piet = null!;
    private HttpClient chris = null!;
    private HttpClient auditor = null!;

    public async ValueTask InitializeAsync()
    {
        app = await TestApp.StartAsync(provider);
        var admin = await app.CreateUserAsync("admin@acme.test");
        var orgId = (await app.CreateOrganisationAsync("acme", admin.Id)).Id;
        manager = await ClientAsync(orgId, "maya@acme.test", OrgRole.Manager);
        olga = await ClientAsync(orgId, "olga@acme.test", OrgRole.Contributor);
        piet = await ClientAsync(orgId, "piet@acme.test", OrgRole.Contributor);
        chris = await ClientAsync(orgId, "chris@acme.test", OrgRole.Contributor);
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
    public async Task A_nonconformity_goes_from_raised_to_closed_and_every_step_out_of_turn_is_refused_without_a_change()
    {
        var nc = await RaiseAsync(olga, new { title = "Leaver kept VPN access", severity = "major", source = "report", identifier = "A.5.18", ownerEmail = "olga@acme.test" });
        var id = nc.GetProperty("id").GetGuid();
        Assert.Equal("raised", nc.GetProperty("status").GetString());
        Assert.Equal("NC-001", nc.GetProperty("reference").GetString());
        Assert.Equal("major", nc.GetProperty("severity").GetString());
        Assert.Equal("report", nc.GetProperty("source").GetString());
        Assert.Equal("A.5.18", nc.GetProperty("identifier").GetString());
        Assert.Equal(1, nc.GetProperty("rounds").GetArrayLength());
        Assert.Equal(0, nc.GetProperty("actions").GetArrayLength());

        await RefusedAsync(olga, id, "root-cause", new { rootCause = "No leaver checklist" }, "raised");
        await RefusedAsync(olga, id, "actions", Plan(("Write a leaver checklist", "olga@acme.test", 10)), "raised");
        await RefusedAsync(chris, id, "effectiveness-check", new { result = "effective" }, "raised");
        await RefusedAsync(olga, id, "close", new { }, "raised");

        nc = await StepAsync(olga, id, "containment", new { containment = "VPN account disabled the same day", containedOn = Today.ToString("yyyy-MM-dd") });
        Assert.Equal("contained", nc.GetProperty("status").GetString());
        Assert.Equal("VPN account disabled the same day", nc.GetProperty("containment").GetString());
        await RefusedAsync(olga, id, "actions", Plan(("Write a leaver checklist", "olga@acme.test", 10)), "contained");

        nc = await StepAsync(olga, id, "root-cause", new
        {
            whys = new[]
            {
                new { why = "Why did the leaver keep access?", because = "Nobody removed the VPN account" },
                new { why = "Why did nobody remove it?", because = "HR does not tell IT about leavers" },
                new { why = "Why does HR not tell IT?", because = "The leaver process has no IT step" },
            },
            causeCategory = "process",
        });
        Assert.Equal("analysed", nc.GetProperty("status").GetString());
        var round = nc.GetProperty("rounds")[0];
        Assert.Equal("five-whys", round.GetProperty("method").GetString());
        Assert.Equal(3, round.GetProperty("whys").GetArrayLength());
        Assert.Equal("The leaver process has no IT step", round.GetProperty("rootCause").GetString());
        Assert.Equal("HR does not tell IT about leavers", round.GetProperty("whys")[1].GetProperty("because").GetString());

        nc = await StepAsync(olga, id, "actions", Plan(("Add an IT step to the leaver process", "piet@acme.test", 30), ("Review VPN accounts against HR", "olga@acme.test", 20)));
        Assert.Equal("actions-planned", nc.GetProperty("status").GetString());
        var actions = nc.GetProperty("actions").EnumerateArray().ToList();
        Assert.Equal(2, actions.Count);
        var pietsAction = actions.Single(a => a.GetProperty("owner").GetProperty("email").GetString() == "piet@acme.test").GetProperty("id").GetGuid();
        var olgasAction = actions.Single(a => a.GetProperty("owner").GetProperty("email").GetString() == "olga@acme.test").GetProperty("id").GetGuid();
        await RefusedAsync(chris, id, "effectiveness-check", new { result = "effective" }, "actions-planned");
        await RefusedAsync(olga, id, "close", new { }, "actions-planned");

        // Only an action's owner (or a manager) marks it done.
        Assert.Equal(HttpStatusCode.Forbidden, (await chris.PostAsJsonAsync($"{Base}/{id}/actions/{pietsAction}/done", new { })).StatusCode);
        nc = await StepAsync(piet, id, $"actions/{pietsAction}/done", new { note = "Step added to the HR workflow" });
        Assert.Equal("actions-planned", nc.GetProperty("status").GetString());
        app.Time.Advance(TimeSpan.FromDays(3));
        nc = await StepAsync(olga, id, $"actions/{olgasAction}/done", new { });
        Assert.Equal("actions-done", nc.GetProperty("status").GetString());
        Assert.Equal(Today.AddDays(60).ToString("yyyy-MM-dd"), nc.GetProperty("rounds")[0].GetProperty("checkDueOn").GetString());

        // The owner of an action does not check its effectiveness, and nothing changes when they try.
        var own = await piet.PostAsJsonAsync($"{Base}/{id}/effectiveness-check", new { result = "effective" });
        Assert.Equal(HttpStatusCode.Forbidden, own.StatusCode);
        Assert.Contains("Add an IT step to the leaver process", await own.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        Assert.Equal("actions-done", (await GetAsync(id)).GetProperty("status").GetString());

        var early = await olga.PostAsJsonAsync($"{Base}/{id}/close", new { });
        Assert.Equal(HttpStatusCode.Conflict, early.StatusCode);
        Assert.Contains("effectiveness check", await early.Content.ReadAsStringAsync(), StringComparison.Ordinal);

        nc = await StepAsync(chris, id, "effectiveness-check", new { result = "effective", notes = "Two leavers since; both removed on their last day" });
        Assert.Equal("effectiveness-check", nc.GetProperty("status").GetString());
        Assert.Equal("effective", nc.GetProperty("rounds")[0].GetProperty("checkResult").GetString());
        Assert.Equal("chris@acme.test", nc.GetProperty("rounds")[0].GetProperty("checkedBy").GetProperty("email").GetString());

        nc = await StepAsync(olga, id, "close", new { });
        Assert.Equal("closed", nc.GetProperty("status").GetString());
        Assert.Equal(JsonValueKind.Null, nc.GetProperty("closureJustification").ValueKind);

        await RefusedAsync(olga, id, "containment", new { containment = "again" }, "closed");
        await RefusedAsync(manager, id, "close", new { justification = "again" }, "closed");
    }

    [Fact]
    public async Task A_check_that_finds_the_action_not_effective_opens_a_new_round_and_keeps_the_first()
    {
        var id = await ToActionsDoneAsync();

        var noNotes = await chris.PostAsJsonAsync($"{Base}/{id}/effectiveness-check", new { result = "not-effective" });
        Assert.Equal(HttpStatusCode.BadRequest, noNotes.StatusCode);
        Assert.Contains("notes", await noNotes.Content.ReadAsStringAsync(), StringComparison.Ordinal);

        var nc = await StepAsync(chris, id, "effectiveness-check", new { result = "not-effective", notes = "A leaver in May still had VPN access a week later" });
        Assert.Equal("contained", nc.GetProperty("status").GetString());
        Assert.Equal(2, nc.GetProperty("currentRound").GetInt32());
        var rounds = nc.GetProperty("rounds").EnumerateArray().ToList();
        Assert.Equal(2, rounds.Count);
        Assert.Equal("not-effective", rounds[0].GetProperty("checkResult").GetString());
        Assert.Equal("No leaver checklist", rounds[0].GetProperty("rootCause").GetString());
        Assert.Equal(JsonValueKind.Null, rounds[1].GetProperty("rootCause").ValueKind);
        await RefusedAsync(olga, id, "close", new { }, "contained");

        // The second round: a new root cause and new actions; the first round's action stays as it was.
        nc = await StepAsync(olga, id, "root-cause", new { rootCause = "The IT step has no owner on the HR side", causeCategory = "ownership" });
        Assert.Equal("analysed", nc.GetProperty("status").GetString());
        nc = await StepAsync(olga, id, "actions", Plan(("Name an HR owner for the IT step", "piet@acme.test", 14)));
        var actions = nc.GetProperty("actions").EnumerateArray().ToList();
        Assert.Equal([1, 2], actions.Select(a => a.GetProperty("round").GetInt32()));
        Assert.Equal("done", actions[0].GetProperty("status").GetString());
        Assert.Equal("open", actions[1].GetProperty("status").GetString());
    }

    [Fact]
    public async Task Only_a_manager_closes_without_an_effective_check_and_only_with_a_justification()
    {
        var nc = await RaiseAsync(olga, new { title = "Clean desk not kept", severity = "minor", ownerEmail = "olga@acme.test" });
        var id = nc.GetProperty("id").GetGuid();

        var owner = await olga.PostAsJsonAsync($"{Base}/{id}/close", new { justification = "Not a real issue" });
        Assert.Equal(HttpStatusCode.Forbidden, owner.StatusCode);
        await RefusedAsync(manager, id, "close", new { }, "raised");

        nc = await StepAsync(manager, id, "close", new { justification = "Raised in error: the desk was in a locked room" });
        Assert.Equal("closed", nc.GetProperty("status").GetString());
        Assert.Equal("Raised in error: the desk was in a locked room", nc.GetProperty("closureJustification").GetString());

        var log = await manager.GetFromJsonAsync<JsonElement>($"{Base}?status=closed");
        Assert.Equal(1, log.GetProperty("total").GetInt32());
        Assert.Equal(id, log.GetProperty("items")[0].GetProperty("id").GetGuid());
    }

    [Fact]
    public async Task Auditors_read_the_log_and_change_nothing()
    {
        var id = (await RaiseAsync(olga, new { title = "Visitor log incomplete", severity = "minor" })).GetProperty("id").GetGuid();

        Assert.Equal(HttpStatusCode.OK, (await auditor.GetAsync($"{Base}/{id}")).StatusCode);
        Assert.Equal(HttpStatusCode.Forbidden, (await auditor.PostAsJsonAsync(Base, new { title = "x", severity = "minor" })).StatusCode);
        Assert.Equal(HttpStatusCode.Forbidden, (await auditor.PostAsJsonAsync($"{Base}/{id}/containment", new { containment = "x" })).StatusCode);
        Assert.Equal("raised", (await GetAsync(id)).GetProperty("status").GetString());
    }

    [Theory]
    [InlineData("{\"severity\": \"minor\"}", "title")]
    [InlineData("{\"title\": \"Door left open\", \"severity\": \"huge\"}", "severity")]
    [InlineData("{\"title\": \"Door left open\", \"severity\": \"minor\", \"source\": \"missed-activity\"}", "source")]
    [InlineData("{\"title\": \"Door left open\", \"severity\": \"minor\", \"ownerEmail\": \"nobody@elsewhere.test\"}", "ownerEmail")]
    [InlineData("{\"title\": \"Door left open\", \"severity\": \"minor\", \"colour\": \"red\"}", "colour")]
    public async Task A_malformed_nonconformity_is_refused_naming_the_field_and_nothing_is_recorded(string body, string field)
    {
        var response = await olga.PostAsync(Base, new StringContent(body, System.Text.Encoding.UTF8, "application/json"));

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Contains(field, await response.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        Assert.Equal(0, (await manager.GetFromJsonAsync<JsonElement>(Base)).GetProperty("total").GetInt32());
    }

    [Fact]
    public async Task The_scheduled_check_falls_due_and_the_log_filters_by_status_severity_owner_and_overdue()
    {
        var id = await ToActionsDoneAsync();
        var other = (await RaiseAsync(piet, new { title = "Badge not returned", severity = "minor", ownerEmail = "piet@acme.test", dueOn = Today.AddDays(5).ToString("yyyy-MM-dd") })).GetProperty("id").GetGuid();

        app.Time.Advance(TimeSpan.FromDays(59));
        Assert.Equal(0, await app.WithScopeAsync(s => s.GetRequiredService<NonconformityWorkflow>().StartDueChecksAsync(CancellationToken.None)));
        app.Time.Advance(TimeSpan.FromDays(1));
        Assert.Equal(1, await app.WithScopeAsync(s => s.GetRequiredService<NonconformityWorkflow>().StartDueChecksAsync(CancellationToken.None)));
        Assert.Equal("effectiveness-check", (await GetAsync(id)).GetProperty("status").GetString());

        async Task<List<Guid>> ListAsync(string query) =>
            [.. (await auditor.GetFromJsonAsync<JsonElement>($"{Base}?{query}")).GetProperty("items").EnumerateArray().Select(i => i.GetProperty("id").GetGuid())];

        Assert.Equal([id], await ListAsync("status=effectiveness-check"));
        Assert.Equal([id], await ListAsync("severity=major"));
        Assert.Equal([other], await ListAsync("owner=piet@acme.test&severity=minor"));
        Assert.Equal([other], await ListAsync("overdue=true"));
        Assert.Equal(HttpStatusCode.BadRequest, (await auditor.GetAsync($"{Base}?status=pending")).StatusCode);
    }

    private async Task<Guid> ToActionsDoneAsync()
    {
        var id = (await RaiseAsync(olga, new { title = "Leaver kept VPN access", severity = "major", ownerEmail = "olga@acme.test" })).GetProperty("id").GetGuid();
        await StepAsync(olga, id, "containment", new { containment = "VPN account disabled" });
        await StepAsync(olga, id, "root-cause", new { rootCause = "No leaver checklist", causeCategory = "process" });
        var nc = await StepAsync(olga, id, "actions", Plan(("Write a leaver checklist", "piet@acme.test", 10)));
        var action = nc.GetProperty("actions")[0].GetProperty("id").GetGuid();
        nc = await StepAsync(piet, id, $"actions/{action}/done", new { });
        Assert.Equal("actions-done", nc.GetProperty("status").GetString());
        return id;
    }

    [Fact]
    public async Task Actions_and_the_effectiveness_check_are_dated_items_in_their_owners_feeds_and_on_the_month_view()
    {
        var id = (await RaiseAsync(olga, new { title = "Leaver kept VPN access", severity = "major", ownerEmail = "olga@acme.test" })).GetProperty("id").GetGuid();
        await StepAsync(olga, id, "containment", new { containment = "VPN account disabled" });
        await StepAsync(olga, id, "root-cause", new { rootCause = "No leaver checklist", causeCategory = "process" });
        var nc = await StepAsync(olga, id, "actions", Plan(("Write a leaver checklist", "piet@acme.test", 10), ("Review VPN accounts", "chris@acme.test", 20)));
        var pietsAction = nc.GetProperty("actions").EnumerateArray().Single(a => a.GetProperty("owner").GetProperty("email").GetString() == "piet@acme.test").GetProperty("id").GetGuid();

        async Task<string> FeedAsync(HttpClient client, string scope = "personal")
        {
            var created = await client.PostAsJsonAsync("/api/v1/orgs/acme/calendar-feeds", new { scope });
            Assert.Equal(HttpStatusCode.Created, created.StatusCode);
            var url = new Uri((await created.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("url").GetString()!);
            using var anonymous = app.CreateClient();
            return (await anonymous.GetStringAsync(url.PathAndQuery)).Replace("\r\n ", "", StringComparison.Ordinal);
        }

        static List<string> Events(string feed) =>
            [.. feed.Split("BEGIN:VEVENT").Skip(1).Select(e => e[..e.IndexOf("END:VEVENT", StringComparison.Ordinal)])];

        // Each action is an all-day event on its due date in its owner's feed only, with a week's alarm and a link to the nonconformity.
        var pietsFeed = await FeedAsync(piet);
        var parsed = Assert.Single((await Perennial.Tests.Feeds.IcalJs.ParseAsync(pietsFeed)).GetProperty("events").EnumerateArray());
        Assert.Equal(($"{pietsAction:D}@perennial-action", "[NC-001] Corrective action: Write a leaver checklist", Today.AddDays(10).ToString("yyyy-MM-dd")),
            (parsed.GetProperty("uid").GetString(), parsed.GetProperty("summary").GetString(), parsed.GetProperty("startLocal").GetString()));
        Assert.Equal(-7 * 86400, parsed.GetProperty("alarms")[0].GetProperty("triggerSeconds").GetInt32());
        var piets = Events(pietsFeed);
        var leaver = Assert.Single(piets);
        Assert.Contains("SUMMARY:[NC-001] Corrective action: Write a leaver checklist", leaver, StringComparison.Ordinal);
        Assert.Contains($"UID:{pietsAction:D}@perennial-action", leaver, StringComparison.Ordinal);
        Assert.Contains($"DTSTART;VALUE=DATE:{Today.AddDays(10):yyyyMMdd}", leaver, StringComparison.Ordinal);
        Assert.Contains("TRIGGER:-P7D", leaver, StringComparison.Ordinal);
        Assert.Contains($"/o/acme/nonconformities/{id:D}", leaver, StringComparison.Ordinal);
        Assert.Contains("Review VPN accounts", await FeedAsync(chris), StringComparison.Ordinal);
        Assert.DoesNotContain("Review VPN accounts", await FeedAsync(piet), StringComparison.Ordinal);
        Assert.Equal(2, Events(await FeedAsync(manager, "organisation")).Count(e => e.Contains("Corrective action:", StringComparison.Ordinal)));

        // Done actions leave; the check scheduled after the last one is the nonconformity owner's.
        await StepAsync(piet, id, $"actions/{pietsAction}/done", new { });
        await StepAsync(chris, id, $"actions/{nc.GetProperty("actions").EnumerateArray().Single(a => a.GetProperty("id").GetGuid() != pietsAction).GetProperty("id").GetGuid()}/done", new { });
        Assert.Empty(Events(await FeedAsync(piet)));
        var check = Assert.Single(Events(await FeedAsync(olga)));
        Assert.Contains("SUMMARY:[NC-001] Effectiveness check\\, round 1", check, StringComparison.Ordinal);
        Assert.Contains($"DTSTART;VALUE=DATE:{Today.AddDays(60):yyyyMMdd}", check, StringComparison.Ordinal);

        // When the owner holds one of the round's actions, the check is for an ISMS manager, not in the owner's feed.
        var own = (await RaiseAsync(olga, new { title = "Badge not returned", severity = "minor", ownerEmail = "olga@acme.test" })).GetProperty("id").GetGuid();
        await StepAsync(olga, own, "containment", new { containment = "Badge disabled" });
        await StepAsync(olga, own, "root-cause", new { rootCause = "No exit checklist", causeCategory = "process" });
        var ownNc = await StepAsync(olga, own, "actions", Plan(("Add badges to the exit checklist", "olga@acme.test", 5)));
        await StepAsync(olga, own, $"actions/{ownNc.GetProperty("actions")[0].GetProperty("id").GetGuid()}/done", new { });
        Assert.DoesNotContain("NC-002", await FeedAsync(olga), StringComparison.Ordinal);
        Assert.Contains("[NC-002] Effectiveness check", await FeedAsync(manager, "organisation"), StringComparison.Ordinal);

        // The month view shows the check on its day, and not when filtered to someone else.
        var browser = await app.SignInAsync("maya@acme.test");
        var due = Today.AddDays(60);
        var month = await browser.GetStringAsync($"/o/acme/calendar/month?month={due:yyyy-MM}");
        var day = month[month.IndexOf($"id=\"d-{due:yyyy-MM-dd}\"", StringComparison.Ordinal)..];
        day = day[..day.IndexOf("</td>", StringComparison.Ordinal)];
        Assert.Contains($"href=\"/o/acme/nonconformities/{id}\"", day, StringComparison.Ordinal);
        Assert.Contains("NC-001 Effectiveness check, round 1", day, StringComparison.Ordinal);
        var pietId = await app.WithScopeAsync(s => s.GetRequiredService<PerennialDbContext>().Users.Where(u => u.Email == "piet@acme.test").Select(u => u.Id).SingleAsync());
        var pietsMonth = await browser.GetStringAsync($"/o/acme/calendar/month?month={due:yyyy-MM}&owner={pietId}");
        Assert.DoesNotContain("Effectiveness check", pietsMonth, StringComparison.Ordinal);
    }

    private object Plan(params (string Title, string Owner, int InDays)[] actions) =>
        new { actions = actions.Select(a => new { title = a.Title, ownerEmail = a.Owner, dueOn = Today.AddDays(a.InDays).ToString("yyyy-MM-dd") }).ToArray() };

    private static async Task<JsonElement> RaiseAsync(HttpClient client, object body)
    {
        var response = await client.PostAsJsonAsync(Base, body);
        Assert.True(response.StatusCode == HttpStatusCode.Created, await response.Content.ReadAsStringAsync());
        return await response.Content.ReadFromJsonAsync<JsonElement>();
    }

    private async Task<JsonElement> GetAsync(Guid id) => await auditor.GetFromJsonAsync<JsonElement>($"{Base}/{id}");

    private static async Task<JsonElement> StepAsync(HttpClient client, Guid id, string step, object body)
    {
        var response = await client.PostAsJsonAsync($"{Base}/{id}/{step}", body);
        Assert.True(response.StatusCode == HttpStatusCode.OK, $"{step}: {(int)response.StatusCode} {await response.Content.ReadAsStringAsync()}");
        return await response.Content.ReadFromJsonAsync<JsonElement>();
    }

    /// <summary>The step answers 409 naming the status, and the nonconformity is exactly as it was.</summary>
    private async Task RefusedAsync(HttpClient client, Guid id, string step, object body, string status)
    {
        var before = (await GetAsync(id)).GetRawText();
        var response = await client.PostAsJsonAsync($"{Base}/{id}/{step}", body);
        var text = await response.Content.ReadAsStringAsync();
        Assert.True(response.StatusCode == HttpStatusCode.Conflict, $"{step} when {status}: {(int)response.StatusCode} {text}");
        Assert.Contains(status, text, StringComparison.Ordinal);
        Assert.Equal(before, (await GetAsync(id)).GetRawText());
    }
}

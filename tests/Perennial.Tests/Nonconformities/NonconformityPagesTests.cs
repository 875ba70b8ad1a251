using System.Net;
using System.Text.RegularExpressions;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Perennial.Data;
using Perennial.Nonconformities;
using Perennial.Organisations;
using Perennial.Tests.Infrastructure;

namespace Perennial.Tests.Nonconformities;

public sealed class SqliteNonconformityPagesTests() : NonconformityPagesTests(DatabaseProvider.Sqlite);

/// <summary>
/// The nonconformity's own page as people use it: real forms with their antiforgery tokens, each
/// step of the loop from report to closure, the forms each person is offered, the refusals the
/// workflow gives shown on the page, and the timeline the page tells.
/// </summary>
public abstract partial class NonconformityPagesTests(DatabaseProvider provider) : IAsyncLifetime
{
    private const string Slug = "acme";
    private TestApp app = null!;
    private Guid orgId;
    private readonly Dictionary<string, Guid> users = [];

    public async ValueTask InitializeAsync()
    {
        app = await TestApp.StartAsync(provider);
        var admin = await app.CreateUserAsync("admin@acme.test");
        orgId = (await app.CreateOrganisationAsync(Slug, admin.Id)).Id;
        foreach (var (name, role) in new[] { ("manager", OrgRole.Manager), ("carl", OrgRole.Contributor), ("ana", OrgRole.Contributor), ("dee", OrgRole.Contributor), ("auditor", OrgRole.Auditor) })
        {
            users[name] = (await app.CreateUserAsync($"{name}@acme.test")).Id;
            await app.AddMemberAsync(orgId, $"{name}@acme.test", role);
        }
    }

    public async ValueTask DisposeAsync() => await app.DisposeAsync();

    [Fact]
    public async Task A_reported_nonconformity_is_taken_from_raised_to_closed_through_two_rounds_and_its_timeline_tells_it()
    {
        // Carl reports it and owns it.
        var carl = await app.SignInAsync("carl@acme.test");
        var report = await TestApp.PostFormAsync(carl, $"/o/{Slug}/nonconformities/new", new Dictionary<string, string>
        {
            ["Title"] = "Leavers kept their accounts",
            ["Severity"] = "major",
            ["Source"] = "incident",
            ["Identifier"] = "A.5.18",
            ["OwnerUserId"] = users["carl"].ToString(),
        });
        Assert.Equal(HttpStatusCode.Redirect, report.StatusCode);
        var id = Guid.Parse(Regex.Match(report.Headers.Location!.OriginalString, "/nonconformities/([0-9a-f-]{36})$").Groups[1].Value);
        var page = $"/o/{Slug}/nonconformities/{id}";

        var log = await carl.GetStringAsync($"/o/{Slug}/nonconformities");
        Assert.Contains($"href=\"{page}\"", log, StringComparison.Ordinal);

        // An auditor reads the page and is offered no step; a post is refused outright.
        var auditor = await app.SignInAsync("auditor@acme.test");
        var read = await auditor.GetStringAsync(page);
        Assert.Contains("NC-001 Leavers kept their accounts", read, StringComparison.Ordinal);
        Assert.DoesNotContain("handler=", read, StringComparison.Ordinal);
        var forbidden = await TestApp.PostFormAsync(auditor, page, new Dictionary<string, string> { ["containment"] = "x" }, "Contain");
        Assert.Equal(HttpStatusCode.Forbidden, forbidden.StatusCode);

        // Dee, a contributor who does not own it, is offered no step and is refused with the reason.
        var dee = await app.SignInAsync("dee@acme.test");
        Assert.DoesNotContain("handler=Contain", await dee.GetStringAsync(page), StringComparison.Ordinal);
        var refused = await TestApp.PostFormAsync(dee, page, new Dictionary<string, string> { ["containment"] = "Disabled them" }, "Contain");
        Assert.Equal(HttpStatusCode.OK, refused.StatusCode);
        Assert.Contains("owner or a manager", WebUtility.HtmlDecode(await refused.Content.ReadAsStringAsync()), StringComparison.Ordinal);
        Assert.Equal(NonconformityStatus.Raised, (await LoadAsync(id)).Status);

        // Containment the next day.
        carl = await NextDayAsync("carl");
        Assert.Contains("handler=Contain", await carl.GetStringAsync(page), StringComparison.Ordinal);
        await StepAsync(carl, page, "Contain", [new("containment", "Disabled the three accounts by hand"), new("containedOn", "2026-03-03")]);
        Assert.Equal(NonconformityStatus.Contained, (await LoadAsync(id)).Status);

        // A why without its answer is refused naming the row; then three whys are recorded.
        carl = await NextDayAsync("carl");
        var half = await TestApp.PostFormAsync(carl, page, [new("why", "Why were they kept?"), new("because", ""), new("causeCategory", "process")], "Analyse");
        Assert.Equal(HttpStatusCode.OK, half.StatusCode);
        Assert.Contains("whys[0].because", WebUtility.HtmlDecode(await half.Content.ReadAsStringAsync()), StringComparison.Ordinal);
        Assert.Equal(NonconformityStatus.Contained, (await LoadAsync(id)).Status);
        await StepAsync(carl, page, "Analyse",
        [
            new("why", "Why were they kept?"), new("because", "IT was not told"),
            new("why", "Why was IT not told?"), new("because", "HR sends no notice"),
            new("why", "Why no notice?"), new("because", "The leaver checklist has no IT step"),
            new("why", ""), new("because", ""),
            new("rootCause", ""), new("causeCategory", "process"),
        ]);
        var analysed = await LoadAsync(id);
        Assert.Equal(NonconformityStatus.Analysed, analysed.Status);
        Assert.Equal("The leaver checklist has no IT step", analysed.Round(1)!.RootCause);
        Assert.Equal(3, NonconformityWorkflow.WhysOf(analysed.Round(1)!).Count);

        // One action for Ana, due in ten days; she finishes it two days late.
        await StepAsync(carl, page, "Plan", [new("title", "Add an IT step to the leaver checklist"), new("ownerUserId", users["ana"].ToString()), new("dueOn", "2026-03-14")]);
        Assert.Equal(NonconformityStatus.Planned, (await LoadAsync(id)).Status);
        var action = (await LoadAsync(id)).Actions.Single().Id;
        app.Time.Advance(TimeSpan.FromDays(11));
        var ana = await app.SignInAsync("ana@acme.test");
        await StepAsync(ana, page, "ActionDone", [new("actionId", action.ToString()), new("note", "Checklist updated")]);
        var done = await LoadAsync(id);
        Assert.Equal(NonconformityStatus.Done, done.Status);
        Assert.Equal(new DateOnly(2026, 5, 14), done.Round(1)!.CheckDueOn);

        // Ana owns the action: she is told someone else checks it, and a check by her is refused.
        var anaView = WebUtility.HtmlDecode(await ana.GetStringAsync(page));
        Assert.Contains("You own one of this round's actions", anaView, StringComparison.Ordinal);
        Assert.DoesNotContain("handler=Check", anaView, StringComparison.Ordinal);
        var own = await TestApp.PostFormAsync(ana, page, [new("result", "effective"), new("notes", "Fine")], "Check");
        Assert.Contains("checked by someone else", WebUtility.HtmlDecode(await own.Content.ReadAsStringAsync()), StringComparison.Ordinal);
        Assert.Null((await LoadAsync(id)).Round(1)!.CheckResult);

        // Carl finds it did not work: a second round starts, and the first stays on the page.
        carl = await NextDayAsync("carl");
        await StepAsync(carl, page, "Check", [new("result", "not-effective"), new("notes", "A leaver in March still had VPN access")]);
        var second = await LoadAsync(id);
        Assert.Equal((NonconformityStatus.Contained, 2), (second.Status, second.CurrentRound));
        var twoRounds = WebUtility.HtmlDecode(await carl.GetStringAsync(page));
        Assert.Contains("Round 2", twoRounds, StringComparison.Ordinal);
        Assert.Contains("Round 1 (closed by a failed check)", twoRounds, StringComparison.Ordinal);

        await StepAsync(carl, page, "Analyse", [new("rootCause", "VPN accounts live outside the directory"), new("causeCategory", "technology")]);
        await StepAsync(carl, page, "Plan", [new("title", "Tie VPN accounts to the directory"), new("ownerUserId", users["dee"].ToString()), new("dueOn", "2026-03-31")]);
        var vpn = (await LoadAsync(id)).Actions.Single(a => a.Round == 2).Id;
        dee = await NextDayAsync("dee");
        await StepAsync(dee, page, "ActionDone", [new("actionId", vpn.ToString()), new("note", "")]);

        // Closing before the check is refused for the owner; after an effective check it closes.
        carl = await NextDayAsync("carl");
        var early = await TestApp.PostFormAsync(carl, page, [new("justification", "")], "Close");
        Assert.Contains("closes once an effectiveness check", WebUtility.HtmlDecode(await early.Content.ReadAsStringAsync()), StringComparison.Ordinal);
        await StepAsync(carl, page, "Check", [new("result", "effective"), new("notes", "No leaver kept VPN access")]);
        await StepAsync(carl, page, "Close", [new("justification", "")]);
        var closed = await LoadAsync(id);
        Assert.Equal(NonconformityStatus.Closed, closed.Status);
        Assert.Null(closed.ClosureJustification);

        auditor = await app.SignInAsync("auditor@acme.test");
        var final = WebUtility.HtmlDecode(await auditor.GetStringAsync(page));
        Assert.Equal(
        [
            "2026-03-02 Raised by carl@acme.test: Incident, major, A.5.18",
            "2026-03-03 Containment recorded: Disabled the three accounts by hand",
            "2026-03-04 Root cause analysed by carl (round 1): The leaver checklist has no IT step (five whys, 3 steps, category process)",
            "2026-03-04 Corrective action planned (round 1): Add an IT step to the leaver checklist: ana, due 2026-03-14",
            "2026-03-15 Corrective action done (round 1): Add an IT step to the leaver checklist, 1 day late: Checklist updated",
            "2026-03-15 Every action done (round 1): effectiveness check scheduled for 2026-05-14",
            "2026-03-16 Checked not effective by carl (round 1): a new round starts: A leaver in March still had VPN access",
            "2026-03-16 Root cause analysed by carl (round 2): VPN accounts live outside the directory (free text, category technology)",
            "2026-03-16 Corrective action planned (round 2): Tie VPN accounts to the directory: dee, due 2026-03-31",
            "2026-03-17 Corrective action done (round 2): Tie VPN accounts to the directory",
            "2026-03-17 Every action done (round 2): effectiveness check scheduled for 2026-05-16",
            "2026-03-18 Checked effective by carl (round 2): No leaver kept VPN access",
            "2026-03-18 Closed by carl: after an effective check",
        ], Timeline(final));
        Assert.Contains("<strong id=\"nc-status\">Closed</strong>", final, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_manager_closes_early_only_with_a_justification_and_a_bad_report_is_refused_naming_the_field()
    {
        var manager = await app.SignInAsync("manager@acme.test");
        var bad = await TestApp.PostFormAsync(manager, $"/o/{Slug}/nonconformities/new", new Dictionary<string, string> { ["Title"] = " ", ["Severity"] = "minor", ["Source"] = "report" });
        Assert.Equal(HttpStatusCode.OK, bad.StatusCode);
        Assert.Contains("title", await bad.Content.ReadAsStringAsync(), StringComparison.OrdinalIgnoreCase);
        var wrongSource = await TestApp.PostFormAsync(manager, $"/o/{Slug}/nonconformities/new", new Dictionary<string, string> { ["Title"] = "Door open", ["Severity"] = "minor", ["Source"] = "missed-activity" });
        Assert.Contains("source must be report", WebUtility.HtmlDecode(await wrongSource.Content.ReadAsStringAsync()), StringComparison.Ordinal);
        Assert.Equal(0, await app.WithScopeAsync(s => s.GetRequiredService<PerennialDbContext>().Nonconformities.CountAsync()));

        var report = await TestApp.PostFormAsync(manager, $"/o/{Slug}/nonconformities/new", new Dictionary<string, string> { ["Title"] = "Server room door left open", ["Severity"] = "minor", ["Source"] = "report", ["OwnerUserId"] = users["carl"].ToString() });
        var page = report.Headers.Location!.OriginalString;

        // Carl owns it but is no manager: he is not offered an early close.
        var carl = await app.SignInAsync("carl@acme.test");
        Assert.DoesNotContain("Close with this justification", await carl.GetStringAsync(page), StringComparison.Ordinal);
        var byOwner = await TestApp.PostFormAsync(carl, page, [new("justification", "Not worth it")], "Close");
        Assert.Contains("Only a manager", WebUtility.HtmlDecode(await byOwner.Content.ReadAsStringAsync()), StringComparison.Ordinal);

        Assert.Contains("Close with this justification", await manager.GetStringAsync(page), StringComparison.Ordinal);
        var blank = await TestApp.PostFormAsync(manager, page, [new("justification", " ")], "Close");
        Assert.Contains("closes once an effectiveness check", WebUtility.HtmlDecode(await blank.Content.ReadAsStringAsync()), StringComparison.Ordinal);
        await StepAsync(manager, page, "Close", [new("justification", "The door was replaced by a badge-controlled one")]);
        var html = WebUtility.HtmlDecode(await manager.GetStringAsync(page));
        Assert.Contains("Closed by manager: without an effective check: The door was replaced by a badge-controlled one", Timeline(html)[^1], StringComparison.Ordinal);
        Assert.Equal(HttpStatusCode.NotFound, (await manager.GetAsync($"/o/{Slug}/nonconformities/{Guid.NewGuid()}")).StatusCode);
    }

    private async Task<HttpClient> NextDayAsync(string person)
    {
        app.Time.Advance(TimeSpan.FromDays(1));
        return await app.SignInAsync($"{person}@acme.test");
    }

    private static async Task StepAsync(HttpClient client, string page, string handler, List<KeyValuePair<string, string>> fields)
    {
        var response = await TestApp.PostFormAsync(client, page, fields, handler);
        var body = response.StatusCode == HttpStatusCode.Redirect ? "" : WebUtility.HtmlDecode(await response.Content.ReadAsStringAsync());
        Assert.True(response.StatusCode == HttpStatusCode.Redirect, $"{handler} was not accepted ({(int)response.StatusCode}): {ErrorOf(body)}");
        Assert.Equal(page, response.Headers.Location!.OriginalString);
    }

    private static string ErrorOf(string body) => Regex.Match(body, "role=\"alert\">(.*?)</div>", RegexOptions.Singleline).Groups[1].Value;

    private static List<string> Timeline(string html)
    {
        var list = Regex.Match(html, "<ol id=\"nc-timeline\">(.*?)</ol>", RegexOptions.Singleline).Groups[1].Value;
        return [.. Regex.Matches(list, "<li>(.*?)</li>", RegexOptions.Singleline).Select(m => Regex.Replace(Regex.Replace(m.Groups[1].Value, "<[^>]+>", ""), @"\s+", " ").Trim())];
    }

    private Task<Nonconformity> LoadAsync(Guid id) =>
        app.WithScopeAsync(s => s.GetRequiredService<NonconformityWorkflow>().GetAsync(orgId, id, default));
}

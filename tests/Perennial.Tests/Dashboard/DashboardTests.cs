using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Microsoft.Extensions.DependencyInjection;
using Perennial.Data;
using Perennial.Organisations;
using Perennial.Tests.Infrastructure;

namespace Perennial.Tests.Dashboard;

/// <summary>The first page a member sees: what is theirs to do, what the organisation has to do, and what changed, in words.</summary>
public sealed class DashboardTests : IAsyncLifetime
{
    private const string Base = "/api/v1/orgs/acme";
    private TestApp app = null!;
    private HttpClient manager = null!;
    private HttpClient ownerApi = null!;

    public async ValueTask InitializeAsync()
    {
        app = await TestApp.StartAsync(DatabaseProvider.Sqlite);
        var admin = await app.CreateUserAsync("admin@acme.test");
        var orgId = (await app.CreateOrganisationAsync("acme", admin.Id)).Id;
        var m = await app.CreateUserAsync("manager@acme.test");
        await app.AddMemberAsync(orgId, "manager@acme.test", OrgRole.Manager);
        var o = await app.CreateUserAsync("olga@acme.test");
        await app.AddMemberAsync(orgId, "olga@acme.test", OrgRole.Contributor);
        await app.CreateUserAsync("piet@acme.test");
        await app.AddMemberAsync(orgId, "piet@acme.test", OrgRole.Contributor);
        await app.WithScopeAsync(async s =>
        {
            var db = s.GetRequiredService<PerennialDbContext>();
            var olga = await db.Users.FindAsync(o.Id);
            olga!.DisplayName = "Olga Owner";
            await db.SaveChangesAsync();
        });
        manager = app.CreateApiClient(await app.CreateTokenAsync(m.Id));
        ownerApi = app.CreateApiClient(await app.CreateTokenAsync(o.Id));
    }

    public async ValueTask DisposeAsync() => await app.DisposeAsync();

    [Fact]
    public async Task Each_person_sees_what_is_theirs_and_everyone_sees_what_the_organisation_has_to_do()
    {
        // Weekly from 2026-03-05; the clock then moves to 2026-03-13: the first is overdue, the next due soon.
        var scan = await CreateActivityAsync(new { title = "Weekly scan", ownerEmail = "olga@acme.test", rrule = "FREQ=WEEKLY", dtStart = "2026-03-05T10:00:00", timeZone = "UTC" });
        var backup = await CreateActivityAsync(new
        {
            title = "Backup restore test",
            ownerEmail = "piet@acme.test",
            rrule = "FREQ=YEARLY",
            dtStart = "2026-09-01T10:00:00",
            timeZone = "UTC",
            evidenceFreshnessDays = 30,
        });
        app.Time.Advance(TimeSpan.FromDays(11));
        var occurrences = await OccurrencesAsync(scan);
        var overdue = occurrences[0];
        var dueSoon = occurrences[1];

        var olga = Sections(await PageAsync(await app.SignInAsync("olga@acme.test")));
        Assert.Contains($"href=\"/o/acme/occurrences/{overdue}\"", olga.Mine, StringComparison.Ordinal);
        Assert.Contains("due 2026-03-05, 8 days overdue", olga.Mine, StringComparison.Ordinal);
        Assert.Contains($"href=\"/o/acme/occurrences/{dueSoon}\"", olga.Mine, StringComparison.Ordinal);
        Assert.Contains("due 2026-03-19, in 6 days", olga.Mine, StringComparison.Ordinal);
        Assert.DoesNotContain(Reference(backup), olga.Mine, StringComparison.Ordinal);

        var piet = Sections(await PageAsync(await app.SignInAsync("piet@acme.test")));
        Assert.Contains($"href=\"/o/acme/activities/{Id(backup)}\"", piet.Mine, StringComparison.Ordinal);
        Assert.Contains("no current evidence (needed every 30 days)", piet.Mine, StringComparison.Ordinal);
        Assert.DoesNotContain(Reference(scan), piet.Mine, StringComparison.Ordinal);

        var forManager = Sections(await PageAsync(await app.SignInAsync("manager@acme.test")));
        Assert.Contains("Nothing of yours is overdue", forManager.Mine, StringComparison.Ordinal);
        Assert.Contains($"href=\"/o/acme/occurrences/{overdue}\"", forManager.Organisation, StringComparison.Ordinal);
        Assert.Contains($"href=\"/o/acme/activities/{Id(backup)}\"", forManager.Organisation, StringComparison.Ordinal);
        Assert.Contains("(Olga Owner)", forManager.Organisation, StringComparison.Ordinal);
        Assert.DoesNotContain("will join this list", forManager.Whole, StringComparison.Ordinal);

        // Done: it leaves both lists.
        Assert.Equal(HttpStatusCode.OK, (await ownerApi.PostAsync($"{Base}/occurrences/{overdue}/complete", new MultipartFormDataContent { { new StringContent("clean"), "notes" } })).StatusCode);
        var after = Sections(await PageAsync(await app.SignInAsync("olga@acme.test")));
        Assert.DoesNotContain($"occurrences/{overdue}\"", after.Mine, StringComparison.Ordinal);
        Assert.DoesNotContain($"occurrences/{overdue}\"", after.Organisation, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Recent_changes_say_who_did_what_to_which_record_with_a_link()
    {
        var scan = await CreateActivityAsync(new { title = "Weekly scan", ownerEmail = "olga@acme.test", rrule = "FREQ=WEEKLY", dtStart = "2026-03-05T10:00:00", timeZone = "UTC" });
        var first = (await OccurrencesAsync(scan))[0];
        Assert.Equal(HttpStatusCode.OK, (await ownerApi.PostAsync($"{Base}/occurrences/{first}/complete", new MultipartFormDataContent { { new StringContent("clean"), "notes" } })).StatusCode);

        var page = Sections(await PageAsync(await app.SignInAsync("manager@acme.test")));

        Assert.Contains($"Olga Owner (API token) completed <a href=\"/o/acme/occurrences/{first}\">{Reference(scan)} Weekly scan due 2026-03-05</a>", page.Recent, StringComparison.Ordinal);
        Assert.Contains($"created <a href=\"/o/acme/activities/{Id(scan)}\">{Reference(scan)} Weekly scan</a>", page.Recent, StringComparison.Ordinal);
        // The year of occurrences scheduled with the activity is one line, not one per occurrence.
        Assert.Matches($"scheduled <a href=\"/o/acme/activities/{Id(scan)}\">[0-9]+ occurrences of {Reference(scan)} Weekly scan</a>", page.Recent);
        Assert.DoesNotContain("updated Occurrence", page.Recent, StringComparison.Ordinal);
        Assert.DoesNotContain("created Activity", page.Recent, StringComparison.Ordinal);
    }

    private async Task<JsonElement> CreateActivityAsync(object body)
    {
        var response = await manager.PostAsJsonAsync($"{Base}/activities", body);
        Assert.True(response.StatusCode == HttpStatusCode.Created, await response.Content.ReadAsStringAsync());
        return await response.Content.ReadFromJsonAsync<JsonElement>();
    }

    private async Task<List<Guid>> OccurrencesAsync(JsonElement activity)
    {
        var list = await manager.GetFromJsonAsync<JsonElement>($"{Base}/activities/{Id(activity)}/occurrences?from=2026-01-01&to=2026-12-31");
        return [.. list.EnumerateArray().Select(o => o.GetProperty("id").GetGuid())];
    }

    private static Guid Id(JsonElement activity) => activity.GetProperty("id").GetGuid();

    private static string Reference(JsonElement activity) => activity.GetProperty("reference").GetString()!;

    private static async Task<string> PageAsync(HttpClient browser)
    {
        var response = await browser.GetAsync("/o/acme");
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        return WebUtility.HtmlDecode(await response.Content.ReadAsStringAsync());
    }

    private sealed record Page(string Whole, string Mine, string Organisation, string Recent);

    private static Page Sections(string html)
    {
        var mine = html.IndexOf("id=\"mine-heading\"", StringComparison.Ordinal);
        var organisation = html.IndexOf("id=\"org-agenda-heading\"", StringComparison.Ordinal);
        var recent = html.IndexOf("id=\"changes-heading\"", StringComparison.Ordinal);
        Assert.True(mine > 0 && organisation > mine && recent > organisation, "The dashboard has the sections For you, For the organisation and Recent changes, in that order.");
        return new Page(html, html[mine..organisation], html[organisation..recent], html[recent..]);
    }
}

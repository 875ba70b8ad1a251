using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Microsoft.Extensions.DependencyInjection;
using Perennial.Data;
using Perennial.Organisations;
using Perennial.Tests.Infrastructure;

namespace Perennial.Tests.Feeds;

/// <summary>
/// Organisation "acme" with three activities in three time zones, six weeks into their schedule:
/// ACT-001 (Ana owns it; Europe/London, the 5th of each month at 09:00, reminders 14 and 3 days
/// ahead, one piece of evidence) has its March occurrence completed late and April's overdue;
/// ACT-002 (Ben; a title with a comma and quotes; America/New_York, the 10th at 09:00, reminder 7 days ahead) has March completed
/// on time and April overdue; ACT-003 (the manager owns it, Ana deputises; UTC, every second month
/// on the 20th at 10:00, reminders 30, 7 and 1 day ahead) has March skipped.
/// </summary>
public sealed class FeedFixture
{
    public const string Slug = "acme";
    public const string Procedure = "Export every account from the directory; compare it with HR's leavers list, and sign the export.\n"
        + "Ünïcödé names (Zoë, Søren, 日本語) stay as they are — and a long line goes on long enough that a calendar file has to fold it over several lines.";

    public required TestApp App { get; init; }
    public required Guid OrganisationId { get; init; }
    public required HttpClient Admin { get; init; }
    public required HttpClient Manager { get; init; }
    public required HttpClient Ana { get; init; }
    public required HttpClient Ben { get; init; }
    public required HttpClient Auditor { get; init; }
    public required Guid ManagerId { get; init; }
    public required Guid AnaId { get; init; }
    public required Guid AuditorId { get; init; }

    /// <summary>Activity ids by reference (ACT-001 …).</summary>
    public Dictionary<string, Guid> Activities { get; } = new(StringComparer.Ordinal);

    public DateOnly Today => DateOnly.FromDateTime(App.Time.GetUtcNow().UtcDateTime);

    /// <summary>The range every feed covers today: 90 days back, 15 months ahead.</summary>
    public (DateOnly From, DateOnly To) FeedRange => (Today.AddDays(-90), Today.AddMonths(15));

    public static async Task<FeedFixture> CreateAsync(DatabaseProvider provider)
    {
        var app = await TestApp.StartAsync(provider);
        var admin = await app.CreateUserAsync("admin@acme.test");
        var org = await app.CreateOrganisationAsync(Slug, admin.Id);
        var manager = await app.CreateUserAsync("manager@acme.test");
        await app.AddMemberAsync(org.Id, "manager@acme.test", OrgRole.Manager);
        var ana = await app.CreateUserAsync("ana@acme.test");
        await app.AddMemberAsync(org.Id, "ana@acme.test", OrgRole.Contributor);
        var ben = await app.CreateUserAsync("ben@acme.test");
        await app.AddMemberAsync(org.Id, "ben@acme.test", OrgRole.Contributor);
        var auditor = await app.CreateUserAsync("auditor@acme.test");
        await app.AddMemberAsync(org.Id, "auditor@acme.test", OrgRole.Auditor);
        var fixture = new FeedFixture
        {
            App = app,
            OrganisationId = org.Id,
            Admin = app.CreateApiClient(await app.CreateTokenAsync(admin.Id)),
            Manager = app.CreateApiClient(await app.CreateTokenAsync(manager.Id)),
            Ana = app.CreateApiClient(await app.CreateTokenAsync(ana.Id)),
            Ben = app.CreateApiClient(await app.CreateTokenAsync(ben.Id)),
            Auditor = app.CreateApiClient(await app.CreateTokenAsync(auditor.Id)),
            ManagerId = manager.Id,
            AnaId = ana.Id,
            AuditorId = auditor.Id,
        };
        await fixture.SeedAsync();
        return fixture;
    }

    private async Task SeedAsync()
    {
        await CreateActivityAsync(new
        {
            title = "User access review",
            description = Procedure,
            ownerEmail = "ana@acme.test",
            rrule = "FREQ=MONTHLY;BYMONTHDAY=5",
            dtStart = "2026-03-05T09:00:00",
            timeZone = "Europe/London",
            reminderLeadDays = new List<int> { 14, 3 },
            evidenceRequired = new List<string> { "Signed review export" },
        });
        await CreateActivityAsync(new
        {
            title = "Backup restore test, \"full\" copy",
            ownerEmail = "ben@acme.test",
            rrule = "FREQ=MONTHLY;BYMONTHDAY=10",
            dtStart = "2026-03-10T09:00:00",
            timeZone = "America/New_York",
            reminderLeadDays = new List<int> { 7 },
            evidenceRequired = Array.Empty<string>(),
        });
        await CreateActivityAsync(new
        {
            title = "Supplier review",
            description = "Review the supplier register.",
            ownerEmail = "manager@acme.test",
            deputyEmail = "ana@acme.test",
            rrule = "FREQ=MONTHLY;INTERVAL=2;BYMONTHDAY=20",
            dtStart = "2026-03-20T10:00:00",
            timeZone = "UTC",
            reminderLeadDays = new List<int> { 30, 7, 1 },
            evidenceRequired = Array.Empty<string>(),
        });

        // Ben restores a backup ahead of time: completed on time.
        await CompleteAsync(Ben, await OccurrenceIdAsync("ACT-002", "2026-03-10"));

        // Six weeks on: Ana completes March late, April stays open and is overdue; March's supplier review is skipped.
        App.Time.Advance(TimeSpan.FromDays(40));
        await CompleteAsync(Ana, await OccurrenceIdAsync("ACT-001", "2026-03-05"), "review.csv");
        var skipped = await Manager.PostAsJsonAsync($"/api/v1/orgs/{Slug}/occurrences/{await OccurrenceIdAsync("ACT-003", "2026-03-20")}/skip",
            new { reason = "Supplier offboarded; nothing to review." });
        Assert.Equal(HttpStatusCode.OK, skipped.StatusCode);
    }

    private async Task CreateActivityAsync(object body)
    {
        var response = await Manager.PostAsJsonAsync($"/api/v1/orgs/{Slug}/activities", body);
        var text = await response.Content.ReadAsStringAsync();
        Assert.True(response.StatusCode == HttpStatusCode.Created, text);
        using var json = JsonDocument.Parse(text);
        Activities[json.RootElement.GetProperty("reference").GetString()!] = json.RootElement.GetProperty("id").GetGuid();
    }

    public async Task<Guid> OccurrenceIdAsync(string reference, string dueDate)
    {
        var list = await Manager.GetFromJsonAsync<JsonElement>($"/api/v1/orgs/{Slug}/activities/{Activities[reference]}/occurrences?from={dueDate}&to={dueDate}");
        return Assert.Single(list.EnumerateArray()).GetProperty("id").GetGuid();
    }

    private static async Task CompleteAsync(HttpClient client, Guid occurrenceId, string? fileName = null)
    {
        using var form = new MultipartFormDataContent { { new StringContent("Done."), "notes" } };
        if (fileName is not null)
        {
            form.Add(new ByteArrayContent("account,decision\nzoe,keep\n"u8.ToArray()), "file", fileName);
        }

        var response = await client.PostAsync($"/api/v1/orgs/{Slug}/occurrences/{occurrenceId}/complete", form);
        Assert.True(response.StatusCode == HttpStatusCode.OK, await response.Content.ReadAsStringAsync());
    }

    /// <summary>The calendar API's occurrences for the feed's range (optionally one owner's), by id.</summary>
    public async Task<Dictionary<Guid, JsonElement>> ApiCalendarAsync(string? ownerEmail = null)
    {
        var (from, to) = FeedRange;
        var owner = ownerEmail is null ? "" : $"&owner={Uri.EscapeDataString(ownerEmail)}";
        var list = await Manager.GetFromJsonAsync<JsonElement>($"/api/v1/orgs/{Slug}/calendar?from={from:yyyy-MM-dd}&to={to:yyyy-MM-dd}{owner}");
        return list.EnumerateArray().ToDictionary(o => o.GetProperty("id").GetGuid());
    }

    /// <summary>Creates a feed through the API and returns its subscription URL's path (/feeds/….ics).</summary>
    public static async Task<(Guid Id, string Path, string Url)> CreateFeedAsync(HttpClient client, string scope = "personal")
    {
        var response = await client.PostAsJsonAsync($"/api/v1/orgs/{Slug}/calendar-feeds", new { scope });
        var text = await response.Content.ReadAsStringAsync();
        Assert.True(response.StatusCode == HttpStatusCode.Created, text);
        using var json = JsonDocument.Parse(text);
        var url = json.RootElement.GetProperty("url").GetString()!;
        return (json.RootElement.GetProperty("id").GetGuid(), new Uri(url).AbsolutePath, url);
    }

    /// <summary>Fetches a feed as a calendar program would: no cookie, no API token.</summary>
    public async Task<HttpResponseMessage> FetchAsync(string path, string? ifNoneMatch = null)
    {
        using var client = App.CreateClient();
        using var request = new HttpRequestMessage(HttpMethod.Get, path);
        if (ifNoneMatch is not null)
        {
            request.Headers.TryAddWithoutValidation("If-None-Match", ifNoneMatch);
        }

        return await client.SendAsync(request);
    }

    public async Task<string> FetchTextAsync(string path)
    {
        var response = await FetchAsync(path);
        var text = await response.Content.ReadAsStringAsync();
        Assert.True(response.StatusCode == HttpStatusCode.OK, $"{(int)response.StatusCode}: {text}");
        return text;
    }

    public Task<T> WithDbAsync<T>(Func<PerennialDbContext, Task<T>> action) =>
        App.WithScopeAsync(s => action(s.GetRequiredService<PerennialDbContext>()));
}

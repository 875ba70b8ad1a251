using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using System.Text.RegularExpressions;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Perennial.Data;
using Perennial.Evidence;
using Perennial.Organisations;
using Perennial.Tests.Infrastructure;

namespace Perennial.Tests.Evidence;

/// <summary>The evidence pages as people use them: list, detail, download, upload and new versions, and staleness on activity and control pages.</summary>
public sealed partial class EvidencePagesTests : IAsyncLifetime
{
    private const string Api = "/api/v1/orgs/acme";
    private TestApp app = null!;
    private HttpClient manager = null!;
    private HttpClient contributorApi = null!;
    private HttpClient contributorBrowser = null!;
    private HttpClient auditorBrowser = null!;

    public async ValueTask InitializeAsync()
    {
        app = await TestApp.StartAsync(DatabaseProvider.Sqlite, settings: new Dictionary<string, string?> { ["Perennial:Evidence:MaxUploadBytes"] = "2048" });
        var admin = await app.CreateUserAsync("admin@acme.test");
        var org = await app.CreateOrganisationAsync("acme", admin.Id);
        var m = await app.CreateUserAsync("manager@acme.test");
        await app.AddMemberAsync(org.Id, "manager@acme.test", OrgRole.Manager);
        var c = await app.CreateUserAsync("contributor@acme.test");
        await app.AddMemberAsync(org.Id, "contributor@acme.test", OrgRole.Contributor);
        await app.CreateUserAsync("auditor@acme.test");
        await app.AddMemberAsync(org.Id, "auditor@acme.test", OrgRole.Auditor);
        manager = app.CreateApiClient(await app.CreateTokenAsync(m.Id));
        contributorApi = app.CreateApiClient(await app.CreateTokenAsync(c.Id, "ci-pipeline"));
        contributorBrowser = await app.SignInAsync("contributor@acme.test");
        auditorBrowser = await app.SignInAsync("auditor@acme.test");
    }

    public async ValueTask DisposeAsync() => await app.DisposeAsync();

    [Fact]
    public async Task The_empty_list_explains_how_evidence_arrives_and_the_nav_leads_to_it()
    {
        var html = await auditorBrowser.GetStringAsync("/o/acme/evidence");

        Assert.Contains("No evidence yet", html, StringComparison.Ordinal);
        Assert.Contains("perennial evidence push", html, StringComparison.Ordinal);
        Assert.Contains("collectors", html, StringComparison.Ordinal);
        Assert.Contains("href=\"/o/acme/evidence\" aria-current=\"page\"", html, StringComparison.Ordinal);
        Assert.DoesNotContain("/o/acme/evidence/upload", html, StringComparison.Ordinal);
    }

    [Fact]
    public async Task The_list_pages_by_fifty_and_filters_by_kind_text_activity_and_period()
    {
        for (var i = 1; i <= 53; i++)
        {
            await NoteAsync($"Daily log {i:00}", new DateOnly(2026, 1, 1).AddDays(i - 1));
        }

        var activity = await CreateActivityAsync(null);
        await PostJsonAsync(new { kind = "link", url = "https://ci.example.test/run/7", title = "Pipeline run 7", activityId = activity, periodFrom = "2025-12-01", periodTo = "2025-12-31" });

        var first = await auditorBrowser.GetStringAsync("/o/acme/evidence");
        Assert.Equal(50, Rows(first));
        Assert.Contains("Page 1 of 2 (54 in all)", first, StringComparison.Ordinal);
        // Latest period first: the 53rd log (22 Feb) heads the list.
        Assert.True(first.IndexOf("Daily log 53", StringComparison.Ordinal) < first.IndexOf("Daily log 52", StringComparison.Ordinal));
        Assert.Equal(4, Rows(await auditorBrowser.GetStringAsync("/o/acme/evidence?page=2")));

        var links = await auditorBrowser.GetStringAsync("/o/acme/evidence?kind=link");
        Assert.Equal(1, Rows(links));
        Assert.Contains("Pipeline run 7", links, StringComparison.Ordinal);
        Assert.Contains("ACT-001 Vulnerability scan", links, StringComparison.Ordinal);
        Assert.Equal(1, Rows(await auditorBrowser.GetStringAsync($"/o/acme/evidence?activity={activity}")));
        Assert.Equal(10, Rows(await auditorBrowser.GetStringAsync("/o/acme/evidence?q=daily+log+1")));

        // Period overlap: 10–12 January holds three daily logs; December's link ends before.
        var january = await auditorBrowser.GetStringAsync("/o/acme/evidence?from=2026-01-10&to=2026-01-12");
        Assert.Equal(3, Rows(january));
        Assert.Contains("Daily log 10", january, StringComparison.Ordinal);
        Assert.Contains("Daily log 12", january, StringComparison.Ordinal);
        Assert.Contains("No evidence matches the filter.", await auditorBrowser.GetStringAsync("/o/acme/evidence?q=nothing-like-this"), StringComparison.Ordinal);
        Assert.Contains("Kind must be one of", await auditorBrowser.GetStringAsync("/o/acme/evidence?kind=video"), StringComparison.Ordinal);
    }

    [Fact]
    public async Task The_detail_page_shows_the_full_sha256_its_source_and_links_and_an_auditor_downloads_an_html_upload_as_an_attachment()
    {
        var control = await ControlIdAsync("A.8.8");
        var bytes = Encoding.UTF8.GetBytes("<html><body onload=\"alert(1)\">scan</body></html>");
        var id = await UploadAsync(bytes, "scan.html", "text/html", $"{{\"controlId\":\"{control}\",\"periodFrom\":\"2026-02-01\",\"periodTo\":\"2026-02-28\"}}");

        var html = await auditorBrowser.GetStringAsync($"/o/acme/evidence/{id}");

        var sha = Convert.ToHexStringLower(SHA256.HashData(bytes));
        Assert.Contains($"<code class=\"sha256\" id=\"sha256\">{sha}</code>", html, StringComparison.Ordinal);
        Assert.Contains("2026-02-01 to 2026-02-28", html, StringComparison.Ordinal);
        Assert.Contains("pushed by contributor@acme.test with the API token ci-pipeline", html, StringComparison.Ordinal);
        Assert.Contains("href=\"/o/acme/frameworks/iso27001-2022/controls/A.8.8\"", html, StringComparison.Ordinal);
        Assert.DoesNotContain("Upload a new version", html, StringComparison.Ordinal);

        var href = DownloadLink().Match(html).Groups[1].Value;
        Assert.Equal($"/api/v1/orgs/acme/evidence/{id}/content", href);
        var download = await auditorBrowser.GetAsync(href);
        Assert.Equal(HttpStatusCode.OK, download.StatusCode);
        Assert.Equal("attachment", download.Content.Headers.ContentDisposition!.DispositionType);
        Assert.Equal("nosniff", Assert.Single(download.Headers.GetValues("X-Content-Type-Options")));
        Assert.DoesNotContain("html", download.Content.Headers.ContentType!.MediaType!, StringComparison.OrdinalIgnoreCase);
        Assert.Equal(bytes, await download.Content.ReadAsByteArrayAsync());

        Assert.Equal(HttpStatusCode.NotFound, (await auditorBrowser.GetAsync($"/o/acme/evidence/{Guid.NewGuid()}")).StatusCode);
    }

    [Fact]
    public async Task A_contributor_uploads_through_the_form_and_a_new_version_supersedes_the_old_one()
    {
        var activity = await CreateActivityAsync(35);
        var bytes = Encoding.UTF8.GetBytes("restore log: 42 tables restored in 11 minutes");

        var response = await PostUploadAsync(contributorBrowser, "/o/acme/evidence/upload", bytes, "restore.log", new()
        {
            ["Title"] = "Restore test, February",
            ["PeriodFrom"] = "2026-02-01",
            ["PeriodTo"] = "2026-02-28",
            ["ActivityId"] = activity.ToString(),
        });

        Assert.Equal(HttpStatusCode.Redirect, response.StatusCode);
        var location = response.Headers.Location!.OriginalString;
        Assert.Matches("^/o/acme/evidence/[0-9a-f-]{36}$", location);
        var first = Guid.Parse(location[^36..]);
        var item = await app.WithScopeAsync(s => s.GetRequiredService<PerennialDbContext>().EvidenceItems.Include(e => e.Links).SingleAsync(e => e.Id == first));
        Assert.Equal(EvidenceSource.Upload, item.Source);
        Assert.Equal(Convert.ToHexStringLower(SHA256.HashData(bytes)), item.Sha256);
        Assert.Equal((new DateOnly(2026, 2, 1), new DateOnly(2026, 2, 28)), (item.PeriodFrom, item.PeriodTo));
        Assert.Contains(item.Links, l => l.ActivityId == activity);
        var detail = await contributorBrowser.GetStringAsync(location);
        Assert.Contains("Recorded. Its SHA-256 is below.", detail, StringComparison.Ordinal);
        Assert.Contains($"href=\"/o/acme/evidence/upload?supersedes={first}\"", detail, StringComparison.Ordinal);

        var form = await contributorBrowser.GetStringAsync($"/o/acme/evidence/upload?supersedes={first}");
        Assert.Contains("This upload supersedes", form, StringComparison.Ordinal);
        Assert.Contains("value=\"Restore test, February\"", form, StringComparison.Ordinal);
        var second = await PostUploadAsync(contributorBrowser, $"/o/acme/evidence/upload?supersedes={first}", Encoding.UTF8.GetBytes("restore log, corrected"), "restore-v2.log", new()
        {
            ["Title"] = "Restore test, February (corrected)",
            ["PeriodFrom"] = "2026-02-01",
            ["PeriodTo"] = "2026-02-28",
            ["ActivityId"] = activity.ToString(),
            ["supersedes"] = first.ToString(),
        });
        Assert.Equal(HttpStatusCode.Redirect, second.StatusCode);
        var old = await contributorBrowser.GetStringAsync($"/o/acme/evidence/{first}");
        Assert.Contains("This version is superseded", old, StringComparison.Ordinal);
        Assert.Contains("Restore test, February (corrected)", old, StringComparison.Ordinal);
        Assert.Contains("(this version)", old, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Upload_form_problems_are_shown_beside_their_fields_and_nothing_is_recorded()
    {
        var bytes = Encoding.UTF8.GetBytes("some evidence");

        var reversed = await PostUploadAsync(contributorBrowser, "/o/acme/evidence/upload", bytes, "e.txt", new() { ["PeriodFrom"] = "2026-02-10", ["PeriodTo"] = "2026-02-01" });
        Assert.Equal(HttpStatusCode.OK, reversed.StatusCode);
        Assert.Matches("id=\"periodFrom-error\" class=\"field-error\">[^<]*is after periodTo", await reversed.Content.ReadAsStringAsync());

        var badDate = await PostUploadAsync(contributorBrowser, "/o/acme/evidence/upload", bytes, "e.txt", new() { ["PeriodTo"] = "31/02/2026" });
        Assert.Contains("id=\"periodTo-error\"", await badDate.Content.ReadAsStringAsync(), StringComparison.Ordinal);

        var future = await PostUploadAsync(contributorBrowser, "/o/acme/evidence/upload", bytes, "e.txt", new() { ["PeriodTo"] = "2026-12-31" });
        Assert.Matches("id=\"periodTo-error\" class=\"field-error\">[^<]*in the future", await future.Content.ReadAsStringAsync());

        var tooBig = await PostUploadAsync(contributorBrowser, "/o/acme/evidence/upload", new byte[4096], "big.bin", []);
        Assert.Matches("id=\"file-error\" class=\"field-error\">The file is larger than the 2 KB limit", await tooBig.Content.ReadAsStringAsync());

        var noFile = await PostUploadAsync(contributorBrowser, "/o/acme/evidence/upload", null, null, new() { ["Title"] = "Nothing attached" });
        Assert.Contains("id=\"file-error\" class=\"field-error\">Choose a file to upload.", await noFile.Content.ReadAsStringAsync(), StringComparison.Ordinal);

        Assert.Equal(0, await app.WithScopeAsync(s => s.GetRequiredService<PerennialDbContext>().EvidenceItems.CountAsync()));
    }

    [Fact]
    public async Task An_auditor_cannot_open_or_post_the_upload_form()
    {
        Assert.Equal(HttpStatusCode.Forbidden, (await auditorBrowser.GetAsync("/o/acme/evidence/upload")).StatusCode);
        var page = await contributorBrowser.GetStringAsync("/o/acme/evidence/upload");
        var token = Token().Match(page).Groups[1].Value;
        var post = await auditorBrowser.PostAsync("/o/acme/evidence/upload", new MultipartFormDataContent
        {
            { new StringContent(token), "__RequestVerificationToken" },
            { new ByteArrayContent([1, 2, 3]), "file", "x.bin" },
        });
        Assert.True(post.StatusCode is HttpStatusCode.Forbidden or HttpStatusCode.BadRequest, post.StatusCode.ToString());
        Assert.Equal(0, await app.WithScopeAsync(s => s.GetRequiredService<PerennialDbContext>().EvidenceItems.CountAsync()));
    }

    [Fact]
    public async Task Stale_evidence_shows_on_the_activity_and_in_the_list_until_newer_evidence_arrives()
    {
        var activity = await CreateActivityAsync(35);
        var old = await PostJsonAsync(new { kind = "note", text = "scan", title = "January scan", activityId = activity, periodFrom = "2026-01-01", periodTo = "2026-01-01" });

        // 1 January + 35 days = 5 February; today is 2 March.
        var page = await auditorBrowser.GetStringAsync($"/o/acme/activities/{activity}");
        var latest = LatestEvidence().Match(page).Groups[1].Value;
        Assert.Contains("January scan", latest, StringComparison.Ordinal);
        Assert.Contains("stale", latest, StringComparison.Ordinal);
        Assert.Contains("since 2026-02-06", latest, StringComparison.Ordinal);
        Assert.Contains("evidence-stale\">stale", await auditorBrowser.GetStringAsync("/o/acme/evidence"), StringComparison.Ordinal);

        await PostJsonAsync(new { kind = "note", text = "scan", title = "February scan", activityId = activity, periodFrom = "2026-02-20", periodTo = "2026-02-20" });
        var fresh = LatestEvidence().Match(await auditorBrowser.GetStringAsync($"/o/acme/activities/{activity}")).Groups[1].Value;
        Assert.Contains("February scan", fresh, StringComparison.Ordinal);
        Assert.Contains("fresh", fresh, StringComparison.Ordinal);
        Assert.Contains("until 2026-03-27", fresh, StringComparison.Ordinal);
        Assert.DoesNotContain("evidence-stale\">stale", await auditorBrowser.GetStringAsync("/o/acme/evidence"), StringComparison.Ordinal);
        Assert.DoesNotContain("evidence-stale", await auditorBrowser.GetStringAsync($"/o/acme/evidence/{old}"), StringComparison.Ordinal);
    }

    [Fact]
    public async Task The_control_page_shows_its_timeline_with_gaps_in_words_and_a_manager_sets_its_freshness()
    {
        var control = await ControlIdAsync("A.8.13");
        await PostJsonAsync(new { kind = "note", text = "restore", controlId = control, periodFrom = "2025-04-01", periodTo = "2025-06-30" });
        var managerBrowser = await app.SignInAsync("manager@acme.test");

        var html = await auditorBrowser.GetStringAsync("/o/acme/frameworks/iso27001-2022/controls/A.8.13");
        Assert.Contains("Evidence across the audit period", html, StringComparison.Ordinal);
        Assert.Contains("class=\"slot-gap\"", html, StringComparison.Ordinal);
        Assert.Contains("class=\"slot-covered\"", html, StringComparison.Ordinal);
        Assert.Contains("No evidence from 1 Jul 2025 to 2 Mar 2026", html, StringComparison.Ordinal);
        Assert.DoesNotContain("name=\"evidenceFreshnessDays\"", html, StringComparison.Ordinal);

        var saved = await TestApp.PostFormAsync(managerBrowser, "/o/acme/frameworks/iso27001-2022/controls/A.8.13", new Dictionary<string, string> { ["evidenceFreshnessDays"] = "100" }, "Freshness");
        Assert.Equal(HttpStatusCode.Redirect, saved.StatusCode);
        var after = await auditorBrowser.GetStringAsync("/o/acme/frameworks/iso27001-2022/controls/A.8.13");
        Assert.Contains("at most 100 days past the period it covers", after, StringComparison.Ordinal);
        Assert.Contains("No evidence from 9 Oct 2025 to 2 Mar 2026", after, StringComparison.Ordinal);

        var refused = await TestApp.PostFormAsync(managerBrowser, "/o/acme/frameworks/iso27001-2022/controls/A.8.13", new Dictionary<string, string> { ["evidenceFreshnessDays"] = "0" }, "Freshness");
        Assert.Equal(HttpStatusCode.OK, refused.StatusCode);
        Assert.Contains("between 1 and 3660", await refused.Content.ReadAsStringAsync(), StringComparison.Ordinal);
    }

    private static int Rows(string html) => Regex.Count(html, "<th scope=\"row\"><a href=\"/o/acme/evidence/");

    private async Task<Guid> CreateActivityAsync(int? freshness)
    {
        var response = await manager.PostAsJsonAsync($"{Api}/activities", new
        {
            title = "Vulnerability scan",
            ownerEmail = "contributor@acme.test",
            rrule = "FREQ=MONTHLY;BYMONTHDAY=1",
            dtStart = "2026-04-01T09:00:00",
            timeZone = "UTC",
            evidenceFreshnessDays = freshness,
        });
        Assert.Equal(HttpStatusCode.Created, response.StatusCode);
        return (await response.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("id").GetGuid();
    }

    private async Task<Guid> ControlIdAsync(string identifier) =>
        (await manager.GetFromJsonAsync<JsonElement>($"{Api}/frameworks/iso27001-2022/controls/{identifier}")).GetProperty("id").GetGuid();

    private Task<Guid> NoteAsync(string title, DateOnly day) =>
        PostJsonAsync(new { kind = "note", text = title, title, periodFrom = day.ToString("yyyy-MM-dd"), periodTo = day.ToString("yyyy-MM-dd") });

    private async Task<Guid> PostJsonAsync(object body)
    {
        var response = await contributorApi.PostAsJsonAsync($"{Api}/evidence", body);
        var text = await response.Content.ReadAsStringAsync();
        Assert.True(response.StatusCode == HttpStatusCode.Created, text);
        return JsonDocument.Parse(text).RootElement.GetProperty("id").GetGuid();
    }

    private async Task<Guid> UploadAsync(byte[] bytes, string name, string type, string metadata)
    {
        var file = new ByteArrayContent(bytes);
        file.Headers.ContentType = MediaTypeHeaderValue.Parse(type);
        var response = await contributorApi.PostAsync($"{Api}/evidence", new MultipartFormDataContent
        {
            { new StringContent(metadata, Encoding.UTF8, "application/json"), "metadata" },
            { file, "file", name },
        });
        var text = await response.Content.ReadAsStringAsync();
        Assert.True(response.StatusCode == HttpStatusCode.Created, text);
        return JsonDocument.Parse(text).RootElement.GetProperty("id").GetGuid();
    }

    private static async Task<HttpResponseMessage> PostUploadAsync(HttpClient client, string path, byte[]? bytes, string? fileName, Dictionary<string, string> fields)
    {
        var page = await client.GetStringAsync(path);
        var content = new MultipartFormDataContent { { new StringContent(Token().Match(page).Groups[1].Value), "__RequestVerificationToken" } };
        foreach (var (name, value) in fields)
        {
            content.Add(new StringContent(value), name);
        }

        if (bytes is not null)
        {
            content.Add(new ByteArrayContent(bytes), "file", fileName!);
        }

        return await client.PostAsync(path, content);
    }

    [GeneratedRegex("name=\"__RequestVerificationToken\" type=\"hidden\" value=\"([^\"]+)\"")]
    private static partial Regex Token();

    [GeneratedRegex("<a class=\"button\" href=\"([^\"]+)\" download>Download</a>")]
    private static partial Regex DownloadLink();

    [GeneratedRegex("<dd id=\"latest-evidence\">(.*?)</dd>", RegexOptions.Singleline)]
    private static partial Regex LatestEvidence();
}

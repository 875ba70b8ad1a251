using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using System.Text.RegularExpressions;
using Microsoft.Playwright;
using Perennial.Tests.Frameworks;
using Perennial.Tests.Infrastructure;
using static Microsoft.Playwright.Assertions;

namespace Perennial.Tests.Browser;

/// <summary>
/// Evidence driven in a real, headless Chromium: a file uploaded with the period it covers, downloaded,
/// replaced by a new version and found again through the list's filters and the control's timeline; a
/// collector created, run and followed to the findings it imported; an access review from a CSV to the
/// signed-off record on its occurrence. axe checks every page, and every page must run under the site's
/// content security policy without errors.
/// </summary>
public sealed class EvidenceBrowserTests
{
    private const string Email = "ciso@evidence-browser.test";
    private const string Slug = "acme";
    private static readonly string[] Templates = ["vulnerability-scan", "privileged-access-review"];

    [Fact]
    public async Task An_ISMS_manager_uploads_evidence_downloads_it_replaces_it_with_a_new_version_and_sees_the_gaps_on_the_control()
    {
        BrowserHarness.RequireChromium();

        var ct = TestContext.Current.CancellationToken;
        await using var app = await TestApp.StartAsync(kestrel: true);
        var user = await app.CreateUserAsync(Email);
        await app.CreateOrganisationAsync(Slug, user.Id);

        using var playwright = await Playwright.CreateAsync();
        await using var browser = await BrowserHarness.LaunchChromiumAsync(playwright);
        await using var context = await browser.NewContextAsync(new BrowserNewContextOptions { BaseURL = app.BaseAddress.ToString() });
        var page = await context.NewPageAsync();
        var problems = CollectProblems(page);
        var main = page.GetByRole(AriaRole.Main);

        await SignInAsync(page);
        await page.GetByRole(AriaRole.Navigation, new() { Name = "ISMS sections" })
            .GetByRole(AriaRole.Link, new() { Name = "Evidence", Exact = true }).ClickAsync();
        await Expect(page).ToHaveURLAsync(Url(app, "evidence"));
        await Expect(page.GetByRole(AriaRole.Heading, new() { Name = "No evidence yet" })).ToBeVisibleAsync();
        await BrowserHarness.AssertAccessibleAsync(page);

        // January's restore test, uploaded for the month it covers and linked to A.8.13 (backup).
        var january = "restore of 2026-01-14: 42 tables, 11 minutes, checksums match"u8.ToArray();
        await main.GetByRole(AriaRole.Link, new() { Name = "Upload evidence" }).ClickAsync();
        await Expect(page.GetByRole(AriaRole.Heading, new() { Name = "Upload evidence", Level = 1 })).ToBeVisibleAsync();
        await Expect(page.GetByLabel("Last day it covers (empty: today)")).ToHaveValueAsync("2026-03-02");
        await BrowserHarness.AssertAccessibleAsync(page);
        var file = page.GetByLabel("File (at most 100 MB)");
        var periodFrom = page.GetByLabel("First day it covers (empty: the same as the last day)");

        // The period typed the wrong way round: the form comes back with the problem beside the field, and nothing is recorded.
        await file.SetInputFilesAsync(new FilePayload { Name = "restore-january.log", MimeType = "text/plain", Buffer = january });
        await periodFrom.FillAsync("2026-01-31");
        await page.GetByLabel("Last day it covers (empty: today)").FillAsync("2026-01-01");
        await page.GetByRole(AriaRole.Button, new() { Name = "Upload", Exact = true }).ClickAsync();
        await Expect(page.GetByRole(AriaRole.Alert)).ToContainTextAsync("is after periodTo");
        await Expect(periodFrom).ToHaveAttributeAsync("aria-invalid", "true");
        await Expect(periodFrom).ToHaveAccessibleDescriptionAsync(new Regex("is after periodTo"));
        await Expect(periodFrom).ToHaveValueAsync("2026-01-31");
        await BrowserHarness.AssertAccessibleAsync(page);

        await file.SetInputFilesAsync(new FilePayload { Name = "restore-january.log", MimeType = "text/plain", Buffer = january });
        await page.GetByLabel("Title (the file name when empty)").FillAsync("Backup restore test, January");
        await periodFrom.FillAsync("2026-01-01");
        await page.GetByLabel("Last day it covers (empty: today)").FillAsync("2026-01-31");
        var controls = page.GetByLabel("Control it is evidence for", new() { Exact = true });
        var a813 = controls.Locator("option").Filter(new() { HasTextRegex = new Regex(@"^\s*A\.8\.13\s") });
        await Expect(a813).ToHaveCountAsync(1);
        var control = (await a813.GetAttributeAsync("value"))!;
        await controls.SelectOptionAsync([control]);
        await page.GetByRole(AriaRole.Button, new() { Name = "Upload", Exact = true }).ClickAsync();

        // Its page: the SHA-256 of exactly the bytes sent, the size, the period and who uploaded it.
        await Expect(page).ToHaveURLAsync(new Regex($"/o/{Slug}/evidence/[0-9a-f-]{{36}}$"));
        var firstUrl = page.Url;
        await Expect(page.GetByRole(AriaRole.Status)).ToHaveTextAsync("Recorded. Its SHA-256 is below.");
        await Expect(page.GetByRole(AriaRole.Heading, new() { Name = "Backup restore test, January", Level = 1 })).ToBeVisibleAsync();
        await Expect(page.Locator("#sha256")).ToHaveTextAsync(Convert.ToHexStringLower(SHA256.HashData(january)));
        var facts = page.Locator("dl.facts");
        await Expect(Fact(facts, "Size")).ToHaveTextAsync($"{january.Length} bytes ({january.Length} bytes)");
        await Expect(Fact(facts, "Period covered")).ToHaveTextAsync("2026-01-01 to 2026-01-31");
        await Expect(Fact(facts, "Source")).ToHaveTextAsync($"uploaded by {Email}");
        await Expect(Fact(facts, "File name")).ToHaveTextAsync("restore-january.log");
        await Expect(Fact(facts, "Status")).ToContainTextAsync("current");
        var evidenceFor = page.GetByRole(AriaRole.Region, new() { Name = "What it is evidence for" });
        await Expect(evidenceFor.GetByRole(AriaRole.Link, new() { NameRegex = new Regex(@"^A\.8\.13 ") })).ToBeVisibleAsync();
        await BrowserHarness.AssertAccessibleAsync(page);

        // Download: the browser saves the same bytes, and the answer is an attachment the browser never renders.
        var download = await page.RunAndWaitForDownloadAsync(() => main.GetByRole(AriaRole.Link, new() { Name = "Download", Exact = true }).ClickAsync());
        Assert.Equal("restore-january.log", download.SuggestedFilename);
        await using (var saved = await download.CreateReadStreamAsync())
        {
            Assert.Equal(Convert.ToHexStringLower(SHA256.HashData(january)), Convert.ToHexStringLower(await SHA256.HashDataAsync(saved, ct)));
        }

        var href = await main.GetByRole(AriaRole.Link, new() { Name = "Download", Exact = true }).GetAttributeAsync("href");
        var content = await context.APIRequest.GetAsync(href!);
        Assert.Equal(200, content.Status);
        Assert.StartsWith("attachment", content.Headers["content-disposition"], StringComparison.Ordinal);
        Assert.Equal("nosniff", content.Headers["x-content-type-options"]);

        // Ten minutes later, a corrected log replaces it: the form starts from the old item, which stays, superseded.
        app.Time.Advance(TimeSpan.FromMinutes(10));
        var corrected = "restore of 2026-01-14: 42 tables, 11 minutes, checksums match; verified by a second person"u8.ToArray();
        await main.GetByRole(AriaRole.Link, new() { Name = "Upload a new version" }).ClickAsync();
        await Expect(page.GetByRole(AriaRole.Heading, new() { Name = "New version of Backup restore test, January", Level = 1 })).ToBeVisibleAsync();
        await Expect(page.GetByRole(AriaRole.Note)).ToContainTextAsync("This upload supersedes Backup restore test, January (covering 2026-01-01 to 2026-01-31)");
        await Expect(page.GetByLabel("Title (the file name when empty)")).ToHaveValueAsync("Backup restore test, January");
        await Expect(page.GetByLabel("First day it covers (empty: the same as the last day)")).ToHaveValueAsync("2026-01-01");
        await Expect(page.GetByLabel("Last day it covers (empty: today)")).ToHaveValueAsync("2026-01-31");
        await Expect(controls).ToHaveValueAsync(control);
        await BrowserHarness.AssertAccessibleAsync(page);
        await page.GetByLabel("File (at most 100 MB)").SetInputFilesAsync(new FilePayload { Name = "restore-january-v2.log", MimeType = "text/plain", Buffer = corrected });
        await page.GetByLabel("Title (the file name when empty)").FillAsync("Backup restore test, January (corrected)");
        await page.GetByRole(AriaRole.Button, new() { Name = "Upload the new version" }).ClickAsync();
        await Expect(page).ToHaveURLAsync(new Regex($"/o/{Slug}/evidence/[0-9a-f-]{{36}}$"));
        Assert.NotEqual(firstUrl, page.Url);
        var secondUrl = page.Url;
        await Expect(page.GetByRole(AriaRole.Status)).ToHaveTextAsync("Recorded as the new version; the old one stays, superseded.");
        await Expect(page.Locator("#sha256")).ToHaveTextAsync(Convert.ToHexStringLower(SHA256.HashData(corrected)));
        var versions = page.GetByRole(AriaRole.Region, new() { Name = "Versions, oldest first" }).GetByRole(AriaRole.Listitem);
        await Expect(versions).ToHaveCountAsync(2);
        await Expect(versions.Nth(1)).ToContainTextAsync("Backup restore test, January (corrected) (this version)");
        await BrowserHarness.AssertAccessibleAsync(page);

        await versions.Nth(0).GetByRole(AriaRole.Link, new() { Name = "Backup restore test, January", Exact = true }).ClickAsync();
        await Expect(page).ToHaveURLAsync(firstUrl);
        await Expect(page.GetByRole(AriaRole.Note)).ToHaveTextAsync("This version is superseded since 2026-03-02 by a newer version. It still proves the period it covered.");
        await Expect(Fact(facts, "Status")).ToContainTextAsync("superseded");
        await Expect(main.GetByRole(AriaRole.Link, new() { Name = "Upload a new version" })).ToHaveCountAsync(0);
        await BrowserHarness.AssertAccessibleAsync(page);
        await page.GetByRole(AriaRole.Note).GetByRole(AriaRole.Link, new() { Name = "a newer version" }).ClickAsync();
        await Expect(page).ToHaveURLAsync(secondUrl);

        // October's restore test arrives from the backup pipeline with an API token.
        using (var api = app.CreateApiClient(await app.CreateTokenAsync(user.Id, "backup-pipeline")))
        using (var form = new MultipartFormDataContent())
        {
            var part = new ByteArrayContent("restore of 2025-10-09: 40 tables, 12 minutes"u8.ToArray());
            part.Headers.ContentType = new MediaTypeHeaderValue("text/plain");
            form.Add(part, "file", "restore-october.log");
            form.Add(new StringContent(JsonSerializer.Serialize(new { title = "Backup restore test, October", controlId = control, periodFrom = "2025-10-01", periodTo = "2025-10-31" }), Encoding.UTF8, "application/json"), "metadata");
            using var pushed = await api.PostAsync($"/api/v1/orgs/{Slug}/evidence", form, ct);
            Assert.Equal(HttpStatusCode.Created, pushed.StatusCode);
        }

        // The list, latest period first, and its filters: status, period and text.
        await page.GetByRole(AriaRole.Navigation, new() { Name = "ISMS sections" })
            .GetByRole(AriaRole.Link, new() { Name = "Evidence", Exact = true }).ClickAsync();
        var list = page.GetByRole(AriaRole.Table, new() { Name = "3 items, latest period first" });
        var rows = list.Locator("tbody tr");
        await Expect(rows.Locator("th")).ToHaveTextAsync(["Backup restore test, January (corrected)", "Backup restore test, January", "Backup restore test, October"]);
        await Expect(rows.Nth(2)).ToContainTextAsync($"pushed by {Email} with the API token backup-pipeline");
        await Expect(rows.Nth(1)).ToContainTextAsync("superseded");
        await BrowserHarness.AssertAccessibleAsync(page);

        var filters = page.GetByRole(AriaRole.Form, new() { Name = "Filter the evidence" });
        await filters.GetByLabel("Status").SelectOptionAsync("superseded");
        await filters.GetByRole(AriaRole.Button, new() { Name = "Filter" }).ClickAsync();
        await Expect(page).ToHaveURLAsync(new Regex(@"[?&]status=superseded"));
        list = page.GetByRole(AriaRole.Table, new() { Name = "1 item matches the filter, latest period first" });
        await Expect(list.Locator("tbody tr th")).ToHaveTextAsync(["Backup restore test, January"]);
        await BrowserHarness.AssertAccessibleAsync(page);

        await filters.GetByLabel("Status").SelectOptionAsync("current");
        await filters.GetByLabel("Covers from").FillAsync("2025-10-01");
        await filters.GetByLabel("Covers to").FillAsync("2025-12-31");
        await filters.GetByRole(AriaRole.Button, new() { Name = "Filter" }).ClickAsync();
        await Expect(page.GetByRole(AriaRole.Table, new() { Name = "1 item matches the filter, latest period first" }).Locator("tbody tr th"))
            .ToHaveTextAsync(["Backup restore test, October"]);

        await main.GetByRole(AriaRole.Link, new() { Name = "Clear" }).ClickAsync();
        await filters.GetByLabel("Title or file name contains").FillAsync("corrected");
        await filters.GetByRole(AriaRole.Button, new() { Name = "Filter" }).ClickAsync();
        await Expect(page.GetByRole(AriaRole.Table, new() { Name = "1 item matches the filter, latest period first" }).Locator("tbody tr th"))
            .ToHaveTextAsync(["Backup restore test, January (corrected)"]);
        await filters.GetByLabel("Title or file name contains").FillAsync("no such restore");
        await filters.GetByRole(AriaRole.Button, new() { Name = "Filter" }).ClickAsync();
        await Expect(main).ToContainTextAsync("No evidence matches the filter.");
        await BrowserHarness.AssertAccessibleAsync(page);

        // The control's timeline over the last twelve months: October and January covered, the months between are gaps.
        await page.GotoAsync(secondUrl);
        await page.GetByRole(AriaRole.Region, new() { Name = "What it is evidence for" })
            .GetByRole(AriaRole.Link, new() { NameRegex = new Regex(@"^A\.8\.13 ") }).ClickAsync();
        await Expect(page).ToHaveURLAsync(Url(app, "frameworks/iso27001-2022/controls/A.8.13"));
        var timeline = page.GetByRole(AriaRole.Region, new() { Name = "Evidence across the audit period" });
        await Expect(timeline).ToContainTextAsync("The last 12 months (no current certification cycle covers today): 3 Mar 2025 to 2 Mar 2026, by month.");
        var months = timeline.GetByRole(AriaRole.List, new() { Name = "Evidence by month" }).GetByRole(AriaRole.Listitem);
        await Expect(months).ToHaveCountAsync(13);
        await Expect(Month(months, "Oct 2025")).ToHaveClassAsync("slot-covered");
        await Expect(Month(months, "Oct 2025")).ToContainTextAsync("covered");
        await Expect(Month(months, "Jan 2026")).ToHaveClassAsync("slot-covered");
        await Expect(Month(months, "Nov 2025")).ToHaveClassAsync("slot-gap");
        await Expect(Month(months, "Dec 2025")).ToHaveClassAsync("slot-gap");
        await Expect(Month(months, "Dec 2025")).ToContainTextAsync("gap: no evidence");
        await Expect(Month(months, "Feb 2026")).ToHaveClassAsync("slot-gap");
        await Expect(timeline.Locator("ul.gaps li")).ToHaveTextAsync(
        [
            "No evidence from 3 Mar to 30 Sep 2025",
            "No evidence from 1 Nov to 31 Dec 2025",
            "No evidence from 1 Feb to 2 Mar 2026",
        ]);

        // A gap stands out from a covered month, so the stylesheet loaded under the content security policy.
        var gapBorder = await Month(months, "Dec 2025").EvaluateAsync<string>("e => getComputedStyle(e).borderTopColor");
        var coveredBorder = await Month(months, "Jan 2026").EvaluateAsync<string>("e => getComputedStyle(e).borderTopColor");
        Assert.Equal("rgb(155, 28, 28)", gapBorder);
        Assert.NotEqual(gapBorder, coveredBorder);
        await Expect(timeline.GetByRole(AriaRole.Link, new() { Name = "Backup restore test, January (corrected)" })).ToBeVisibleAsync();
        await BrowserHarness.AssertAccessibleAsync(page);

        Assert.True(problems.Count == 0, string.Join(Environment.NewLine, problems));
    }

    [Fact]
    public async Task An_ISMS_manager_runs_an_http_collector_into_findings_and_signs_off_an_access_review_from_a_csv()
    {
        BrowserHarness.RequireChromium();

        var ct = TestContext.Current.CancellationToken;
        await using var app = await TestApp.StartAsync(kestrel: true);
        var user = await app.CreateUserAsync(Email);
        await app.CreateOrganisationAsync(Slug, user.Id);
        using (var api = app.CreateApiClient(await app.CreateTokenAsync(user.Id)))
        {
            using var created = await api.PostAsJsonAsync($"/api/v1/orgs/{Slug}/activities/from-templates",
                new { templates = Templates, ownerEmail = Email, startDate = "2026-03-31" }, ct);
            Assert.Equal(HttpStatusCode.Created, created.StatusCode);
        }

        // The scanner publishes its latest Trivy report over HTTP (four medium vulnerabilities).
        var report = await File.ReadAllBytesAsync(Corpus.File("aquasecurity-trivy/alpine-310.json.golden"), ct);
        await using var scanner = new LocalHttpServer(async context =>
        {
            context.Response.StatusCode = 200;
            context.Response.ContentType = "application/json";
            await context.Response.OutputStream.WriteAsync(report);
        });

        using var playwright = await Playwright.CreateAsync();
        await using var browser = await BrowserHarness.LaunchChromiumAsync(playwright);
        await using var context = await browser.NewContextAsync(new BrowserNewContextOptions { BaseURL = app.BaseAddress.ToString() });
        var page = await context.NewPageAsync();
        var problems = CollectProblems(page);
        var main = page.GetByRole(AriaRole.Main);
        var nav = page.GetByRole(AriaRole.Navigation, new() { Name = "ISMS sections" });

        await SignInAsync(page);
        await nav.GetByRole(AriaRole.Link, new() { Name = "Collectors", Exact = true }).ClickAsync();
        await Expect(page.GetByRole(AriaRole.Heading, new() { Name = "No collectors yet" })).ToBeVisibleAsync();
        await BrowserHarness.AssertAccessibleAsync(page);

        // A new HTTP collector, its schedule previewed before it is saved.
        await main.GetByRole(AriaRole.Link, new() { Name = "New collector" }).ClickAsync();
        await Expect(page.GetByRole(AriaRole.Heading, new() { Name = "New collector", Level = 1 })).ToBeVisibleAsync();
        await BrowserHarness.AssertAccessibleAsync(page);
        await page.GetByLabel("Name", new() { Exact = true }).FillAsync("Trivy report of the API image");
        await page.GetByLabel("Kind", new() { Exact = true }).SelectOptionAsync("http");
        await page.GetByLabel("Settings (JSON)").FillAsync(JsonSerializer.Serialize(new { url = scanner.Url + "reports/api-image.json", report = "trivy", title = "Trivy report, API image" }));
        await page.GetByLabel("or cron expression").FillAsync("0 3 * * *");
        var activities = page.GetByLabel("Activity (evidence goes to its current occurrence)");
        var scan = activities.Locator("option").Filter(new() { HasText = "Vulnerability scan and remediation follow-up" });
        await activities.SelectOptionAsync([(await scan.GetAttributeAsync("value"))!]);
        await page.GetByRole(AriaRole.Button, new() { Name = "Preview the schedule" }).ClickAsync();
        await Expect(page.GetByRole(AriaRole.Status)).ToContainTextAsync("Next runs: 2026-03-03 03:00 UTC, 2026-03-04 03:00 UTC");
        await Expect(page.GetByLabel("Name", new() { Exact = true })).ToHaveValueAsync("Trivy report of the API image");
        await BrowserHarness.AssertAccessibleAsync(page);
        await page.GetByRole(AriaRole.Button, new() { Name = "Create the collector" }).ClickAsync();
        await Expect(page).ToHaveURLAsync(new Regex($"/o/{Slug}/collectors/[0-9a-f-]{{36}}$"));
        await Expect(page.GetByRole(AriaRole.Status)).ToHaveTextAsync("Collector 'Trivy report of the API image' created.");
        await Expect(main).ToContainTextAsync("It has not run yet.");
        await BrowserHarness.AssertAccessibleAsync(page);

        // Run now: the run is listed with its outcome and the evidence it stored.
        await main.GetByRole(AriaRole.Button, new() { Name = "Run now" }).ClickAsync();
        await Expect(page.GetByRole(AriaRole.Status)).ToHaveTextAsync("The run succeeded: 1 evidence item stored.");
        var runs = page.GetByRole(AriaRole.Table, new() { Name = "Runs, latest first" }).Locator("tbody tr");
        await Expect(runs).ToHaveCountAsync(1);
        await Expect(runs.Locator("td").Nth(2)).ToHaveTextAsync("Succeeded");
        await Expect(runs.Locator("td").Nth(3)).ToHaveTextAsync("manual");
        await Expect(runs.Locator("td").Nth(4)).ToHaveTextAsync("Trivy report, API image");
        await BrowserHarness.AssertAccessibleAsync(page);
        await runs.GetByRole(AriaRole.Link, new() { Name = "Trivy report, API image" }).ClickAsync();
        await Expect(page.Locator("#sha256")).ToHaveTextAsync(Convert.ToHexStringLower(SHA256.HashData(report)));
        await Expect(page.GetByRole(AriaRole.Region, new() { Name = "What it is evidence for" })).ToContainTextAsync("Vulnerability scan and remediation follow-up");
        await BrowserHarness.AssertAccessibleAsync(page);

        // The scanner now publishes at 02:00: the schedule is edited, the rest of the collector stays.
        await page.GoBackAsync();
        await main.GetByRole(AriaRole.Link, new() { Name = "Edit the collector" }).ClickAsync();
        await Expect(page.GetByRole(AriaRole.Heading, new() { Name = "Edit Trivy report of the API image", Level = 1 })).ToBeVisibleAsync();
        await Expect(page.GetByLabel("or cron expression")).ToHaveValueAsync("0 3 * * *");
        await Expect(page.GetByLabel("Secret", new() { Exact = true })).ToHaveAccessibleDescriptionAsync(new Regex("No secret is set"));
        await BrowserHarness.AssertAccessibleAsync(page);
        await page.GetByLabel("or cron expression").FillAsync("30 2 * * *");
        await page.GetByRole(AriaRole.Button, new() { Name = "Save the collector" }).ClickAsync();
        await Expect(page.GetByRole(AriaRole.Status)).ToHaveTextAsync("Saved.");
        await Expect(Fact(page.Locator("dl.facts"), "Next runs")).ToHaveTextAsync("2026-03-03 02:30 UTC, 2026-03-04 02:30 UTC, 2026-03-05 02:30 UTC");
        await Expect(Fact(page.Locator("dl.facts"), "Evidence goes to")).ToContainTextAsync("Vulnerability scan and remediation follow-up");
        await Expect(runs).ToHaveCountAsync(1);

        await nav.GetByRole(AriaRole.Link, new() { Name = "Collectors", Exact = true }).ClickAsync();
        var collectorRow = page.GetByRole(AriaRole.Table, new() { Name = "Collectors by name" }).GetByRole(AriaRole.Row).Filter(new() { HasText = "Trivy report of the API image" });
        await Expect(collectorRow).ToContainTextAsync("Succeeded");
        await Expect(collectorRow).ToContainTextAsync("HTTP");
        await BrowserHarness.AssertAccessibleAsync(page);

        // The report's vulnerabilities are findings now.
        await nav.GetByRole(AriaRole.Link, new() { Name = "Findings", Exact = true }).ClickAsync();
        var findings = page.GetByRole(AriaRole.Table, new() { Name = "Findings, open and earliest deadline first" }).Locator("tbody tr");
        await Expect(findings).ToHaveCountAsync(4);
        await Expect(findings.Filter(new() { HasText = "CVE-2019-1549" })).ToHaveCountAsync(2);
        await Expect(findings.First).ToContainTextAsync("medium");
        await BrowserHarness.AssertAccessibleAsync(page);

        // Medium findings get 30 days: every medium finding's due date follows.
        await main.GetByRole(AriaRole.Link, new() { Name = "remediation deadlines" }).ClickAsync();
        await Expect(page.GetByRole(AriaRole.Heading, new() { Name = "Remediation deadlines", Level = 1 })).ToBeVisibleAsync();
        await BrowserHarness.AssertAccessibleAsync(page);
        await page.GetByLabel("Medium (days)").FillAsync("30");
        await page.GetByRole(AriaRole.Button, new() { Name = "Save deadlines" }).ClickAsync();
        await Expect(page.GetByRole(AriaRole.Status)).ToHaveTextAsync("Deadlines saved: every finding's due date now follows them.");
        await Expect(page.GetByLabel("Medium (days)")).ToHaveValueAsync("30");
        await main.GetByRole(AriaRole.Link, new() { Name = "Findings", Exact = true }).ClickAsync();
        await Expect(findings.Locator("td:nth-child(6)")).ToHaveTextAsync(["2026-04-01", "2026-04-01", "2026-04-01", "2026-04-01"]);

        // The privileged access review: started from its occurrence with a CSV export of the database's roles.
        await nav.GetByRole(AriaRole.Link, new() { Name = "Access reviews", Exact = true }).ClickAsync();
        await Expect(main).ToContainTextAsync("No access reviews yet.");
        await BrowserHarness.AssertAccessibleAsync(page);
        await main.GetByRole(AriaRole.Link, new() { Name = "Start an access review" }).ClickAsync();
        await Expect(page.GetByRole(AriaRole.Heading, new() { Name = "Start an access review", Level = 1 })).ToBeVisibleAsync();
        await Expect(page.GetByLabel("Occurrence")).ToContainTextAsync("Privileged access review, due 2026-03-31");
        await BrowserHarness.AssertAccessibleAsync(page);
        await page.GetByLabel("System the accounts come from").FillAsync("billing-db");
        await page.GetByLabel(new Regex(@"^CSV file")).SetInputFilesAsync(new FilePayload
        {
            Name = "roles.csv",
            MimeType = "text/csv",
            Buffer = "account,name,access\npostgres,Superuser,superuser\nreporting,Reports,\"pg_read_all_data;login\"\n"u8.ToArray(),
        });
        await page.GetByRole(AriaRole.Button, new() { Name = "Start the review" }).ClickAsync();
        await Expect(page).ToHaveURLAsync(new Regex($"/o/{Slug}/access-reviews/[0-9a-f-]{{36}}$"));
        var reviewUrl = page.Url;
        await Expect(page.GetByRole(AriaRole.Heading, new() { Name = "Access review of billing-db", Level = 1 })).ToBeVisibleAsync();
        await Expect(page.Locator("#progress")).ToHaveTextAsync("0 of 2 decided");
        await Expect(main).ToContainTextAsync("pg_read_all_data, login");
        await BrowserHarness.AssertAccessibleAsync(page);

        // Decisions, one account at a time: revoke the shared superuser, keep the reporting role.
        await page.GetByRole(AriaRole.Group, new() { Name = "Decision on postgres" }).GetByLabel("Revoke").CheckAsync();
        await page.GetByRole(AriaRole.Row).Filter(new() { HasText = "Superuser" }).GetByLabel("Note (required for a change)").FillAsync("Use named admin accounts");
        await page.GetByRole(AriaRole.Button, new() { Name = "Save decision for postgres" }).ClickAsync();
        await Expect(page.GetByRole(AriaRole.Status)).ToHaveTextAsync("postgres: revoke.");
        await Expect(page.Locator("#progress")).ToHaveTextAsync("1 of 2 decided");
        await Expect(page.GetByRole(AriaRole.Region, new() { Name = "Sign off" })).ToContainTextAsync("1 of 2 accounts are still undecided");
        await BrowserHarness.AssertAccessibleAsync(page);
        await page.GetByRole(AriaRole.Group, new() { Name = "Decision on reporting" }).GetByLabel("Keep").CheckAsync();
        await page.GetByRole(AriaRole.Button, new() { Name = "Save decision for reporting" }).ClickAsync();
        await Expect(page.GetByRole(AriaRole.Status)).ToHaveTextAsync("reporting: keep.");
        await Expect(page.Locator("#progress")).ToHaveTextAsync("2 of 2 decided");
        await Expect(page.GetByRole(AriaRole.Row).Filter(new() { HasText = "Superuser" })).ToContainTextAsync("Use named admin accounts");

        // Signed off: the decisions are frozen, the revoke is a follow-up action, the record is evidence.
        var signOff = page.GetByRole(AriaRole.Region, new() { Name = "Sign off" });
        await signOff.GetByLabel("Note (optional)").FillAsync("All privileged roles checked with the DBA");
        await signOff.GetByRole(AriaRole.Button, new() { Name = "Sign off the review" }).ClickAsync();
        await Expect(page).ToHaveURLAsync(new Regex($"^{Regex.Escape(reviewUrl)}"));
        await Expect(page.GetByRole(AriaRole.Status)).ToContainTextAsync("Signed off. The review record is stored as evidence of the occurrence");
        await Expect(main).ToContainTextAsync("Signed off 2026-03-02 09:00 UTC by ciso");
        await Expect(main.GetByRole(AriaRole.Button, new() { NameRegex = new Regex("^Save decision") })).ToHaveCountAsync(0);
        var followUp = page.GetByRole(AriaRole.Table, new() { Name = "Revokes and changes from this review" });
        await Expect(followUp.Locator("tbody tr")).ToHaveCountAsync(1);
        await Expect(followUp).ToContainTextAsync("postgres");
        await Expect(followUp).ToContainTextAsync("Revoke");
        var record = await page.RunAndWaitForDownloadAsync(() => main.GetByRole(AriaRole.Link, new() { Name = "the signed-off record" }).ClickAsync());
        Assert.Equal("access-review-billing-db-2026-03-02.json", record.SuggestedFilename);
        await using (var saved = await record.CreateReadStreamAsync())
        {
            var json = await JsonDocument.ParseAsync(saved, cancellationToken: ct);
            var accounts = json.RootElement.GetProperty("accounts").EnumerateArray()
                .ToDictionary(a => a.GetProperty("account").GetString()!, a => a.GetProperty("decision").GetString());
            Assert.Equal("revoke", accounts["postgres"]);
            Assert.Equal("keep", accounts["reporting"]);
            Assert.Equal(Email, json.RootElement.GetProperty("signedOffBy").GetProperty("email").GetString());
        }

        await BrowserHarness.AssertAccessibleAsync(page);

        // The revoke is followed up until a later snapshot shows the account gone.
        await nav.GetByRole(AriaRole.Link, new() { Name = "Access reviews", Exact = true }).ClickAsync();
        await Expect(page.GetByRole(AriaRole.Table, new() { Name = "Access reviews, latest first" }).GetByRole(AriaRole.Row).Filter(new() { HasText = "billing-db" }))
            .ToContainTextAsync("2 of 2 decided");
        await main.GetByRole(AriaRole.Link, new() { Name = "Follow-up actions (1 open)" }).ClickAsync();
        var actions = page.GetByRole(AriaRole.Table, new() { Name = "Follow-up actions" }).Locator("tbody tr");
        await Expect(actions).ToHaveCountAsync(1);
        await Expect(actions).ToContainTextAsync("Use named admin accounts");
        await Expect(actions).ToContainTextAsync("2026-03-16");
        await Expect(actions).ToContainTextAsync("Open");
        await BrowserHarness.AssertAccessibleAsync(page);
        await actions.GetByRole(AriaRole.Link, new() { Name = "billing-db" }).ClickAsync();
        await Expect(page).ToHaveURLAsync(reviewUrl);

        // The occurrence shows the signed-off review, whose record answers its required evidence.
        await main.GetByRole(AriaRole.Link, new() { NameRegex = new Regex("Privileged access review, due 2026-03-31$") }).ClickAsync();
        await Expect(page).ToHaveURLAsync(new Regex($"/o/{Slug}/occurrences/[0-9a-f-]{{36}}$"));
        await Expect(page.GetByRole(AriaRole.Region, new() { Name = "Access review" })).ToContainTextAsync("billing-db: signed off 2026-03-02");
        await Expect(main).ToContainTextAsync("Covered: Signed list of privileged accounts");
        var attached = page.GetByRole(AriaRole.Table, new() { Name = "Evidence of this occurrence" });
        await Expect(attached.GetByRole(AriaRole.Row).Filter(new() { HasText = "access-review-billing-db-2026-03-02.json" }))
            .ToContainTextAsync("Signed list of privileged accounts");
        await BrowserHarness.AssertAccessibleAsync(page);

        Assert.True(problems.Count == 0, string.Join(Environment.NewLine, problems));
    }

    /// <summary>Every console error (a script failure, a style or script blocked by the CSP) and every uncaught page error.</summary>
    private static List<string> CollectProblems(IPage page)
    {
        var problems = new List<string>();
        page.Console += (_, message) =>
        {
            // The site has no favicon; every other error counts.
            if (message.Type == "error" && !message.Location.Contains("/favicon.ico", StringComparison.Ordinal))
            {
                problems.Add($"{page.Url} {message.Location} {message.Text[..Math.Min(80, message.Text.Length)]}");
            }
        };
        page.PageError += (_, error) => problems.Add(error);
        return problems;
    }

    private static async Task SignInAsync(IPage page)
    {
        await page.GotoAsync($"/o/{Slug}");
        await Expect(page).ToHaveURLAsync(new Regex(@"/account/sign-in(\?.*)?$"));
        await page.GetByLabel("E-mail", new() { Exact = true }).FillAsync(Email);
        await page.GetByLabel("Password", new() { Exact = true }).FillAsync(TestApp.TestPassword);
        await page.GetByRole(AriaRole.Button, new() { Name = "Sign in", Exact = true }).ClickAsync();
        await Expect(page.GetByRole(AriaRole.Heading, new() { Name = "Dashboard", Level = 1 })).ToBeVisibleAsync();
    }

    /// <summary>The description beside a term of a facts list.</summary>
    private static ILocator Fact(ILocator facts, string term) =>
        facts.Locator($"xpath=dt[normalize-space(.)='{term}']/following-sibling::dd[1]");

    private static ILocator Month(ILocator months, string label) =>
        months.Filter(new() { Has = months.Page.Locator("span.slot-label", new() { HasTextString = label }) });

    private static Regex Url(TestApp app, string path) => new($"^{Regex.Escape(new Uri(app.BaseAddress, $"/o/{Slug}/{path}").ToString())}(\\?.*)?$");
}

using System.Text;
using System.Text.RegularExpressions;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Playwright;
using Perennial.Activities;
using Perennial.Certification;
using Perennial.Data;
using Perennial.Evidence;
using Perennial.Frameworks;
using Perennial.Organisations;
using Perennial.Soa;
using Perennial.Tests.Infrastructure;
using static Microsoft.Playwright.Assertions;

namespace Perennial.Tests.Browser;

/// <summary>
/// The external auditor's workspace in a real, headless Chromium: the auditor signs in, reads the
/// control's evidence across the audit period, samples the control, asks about one sampled
/// occurrence; the owner answers by citing evidence; the auditor accepts. axe checks every page.
/// </summary>
public sealed class AuditorBrowserTests
{
    private const string Slug = "acme";
    private const string Manager = "maya@auditor-browser.test";
    private const string Owner = "ana@auditor-browser.test";
    private const string Auditor = "audrey@cb.test";

    [Fact]
    public async Task An_auditor_samples_a_control_and_raises_a_request_the_owner_answers_it_with_evidence_and_the_auditor_accepts()
    {
        BrowserHarness.RequireChromium();

        await using var app = await TestApp.StartAsync(kestrel: true);
        var maya = await app.CreateUserAsync(Manager);
        var org = await app.CreateOrganisationAsync(Slug, maya.Id);
        var ana = await app.CreateUserAsync(Owner);
        await app.AddMemberAsync(org.Id, Owner, OrgRole.Contributor);
        await app.CreateUserAsync(Auditor);
        await app.AddMemberAsync(org.Id, Auditor, OrgRole.Auditor, new DateOnly(2026, 12, 31));
        await app.WithScopeAsync(async s =>
        {
            var db = s.GetRequiredService<PerennialDbContext>();
            await s.GetRequiredService<CycleService>().SaveCertificateAsync(org.Id, new CertificateInput("Example Certification Ltd", null, null, null, new DateOnly(2025, 9, 15), null, null), default);
            var soa = s.GetRequiredService<SoaService>();
            var draft = await soa.EnsureDraftAsync(org.Id, default);
            foreach (var row in draft.Rows)
            {
                (row.Applicable, row.Justification) = (row.ControlIdentifier is "A.8.13", "Decided for the test");
            }

            await db.SaveChangesAsync();
            await soa.PublishAsync(org.Id, "First", default);

            // Ana's weekly backup check operates A.8.13 and was done on time through February.
            var control = await db.Controls.Where(c => c.OrganisationId == org.Id && c.Identifier == "A.8.13" && c.Framework!.Key == Framework.IsoKey).Select(c => c.Id).SingleAsync();
            var activity = await s.GetRequiredService<ActivityService>().CreateAsync(org.Id, new ActivityInput(
                "Backup check", null, ana.Id, null, null, "FREQ=WEEKLY;BYDAY=MO", new DateTime(2026, 1, 5, 9, 0, 0), "UTC", ControlIds: [control]), default, includePast: true);
            foreach (var o in await db.Occurrences.Where(o => o.ActivityId == activity.Id && o.DueDate < new DateOnly(2026, 3, 1)).ToListAsync())
            {
                (o.State, o.CompletedAt, o.CompletedByUserId) = (OccurrenceState.Completed, new DateTimeOffset(o.DueDate.ToDateTime(new TimeOnly(15, 0)), TimeSpan.Zero), ana.Id);
            }

            await db.SaveChangesAsync();
            using var content = new MemoryStream(Encoding.UTF8.GetBytes("restore log"));
            await s.GetRequiredService<EvidenceService>().AddAsync(org.Id,
                new EvidenceInput { Title = "Restore log, February", ControlId = control, PeriodFrom = new DateOnly(2026, 2, 1), PeriodTo = new DateOnly(2026, 2, 28) },
                new IncomingContent(content, "restore.log", "text/plain"), new EvidenceOrigin(EvidenceSource.Upload, ana.Id), default);
            return 0;
        });

        using var playwright = await Playwright.CreateAsync();
        await using var browser = await BrowserHarness.LaunchChromiumAsync(playwright);

        // The auditor: the control's evidence month by month, a sample of it, and a question about one sampled week.
        await using (var context = await browser.NewContextAsync(new BrowserNewContextOptions { BaseURL = app.BaseAddress.ToString() }))
        {
            var page = await context.NewPageAsync();
            var main = page.GetByRole(AriaRole.Main);
            await BrowserHarness.SignInAsync(page, Auditor);
            await page.GotoAsync($"/o/{Slug}");
            await page.GetByRole(AriaRole.Navigation, new() { Name = "ISMS sections" }).GetByRole(AriaRole.Link, new() { Name = "Auditor's workspace", Exact = true }).ClickAsync();
            await Expect(page.GetByRole(AriaRole.Heading, new() { Name = "Auditor's workspace", Level = 1 })).ToBeVisibleAsync();
            var strip = page.GetByRole(AriaRole.List, new() { Name = "Evidence of A.8.13 by month" });
            await Expect(strip.Locator("li.slot-covered").First).ToContainTextAsync("Feb 2026");
            await Expect(strip.Locator("li.slot-gap").First).ToBeVisibleAsync();
            await Expect(main).ToContainTextAsync("No sample drawn yet.");
            await BrowserHarness.AssertAccessibleAsync(page);

            var draw = page.GetByRole(AriaRole.Form, new() { Name = "Draw a sample" });
            await draw.GetByLabel("Control", new() { Exact = true }).FillAsync("A.8.13");
            await draw.GetByLabel("From", new() { Exact = true }).FillAsync("2026-01-01");
            await draw.GetByLabel("To", new() { Exact = true }).FillAsync("2026-02-28");
            await draw.GetByRole(AriaRole.Button, new() { Name = "Draw a sample", Exact = true }).ClickAsync();
            await Expect(page.GetByRole(AriaRole.Status)).ToContainTextAsync("Sample of A.8.13 drawn: 5 of 8 occurrences");
            await BrowserHarness.AssertAccessibleAsync(page);

            await main.GetByRole(AriaRole.Link, new() { NameRegex = new Regex("^Occurrences and evidence of the A.8.13 sample") }).ClickAsync();
            await Expect(page.GetByRole(AriaRole.Heading, new() { Level = 1 })).ToHaveTextAsync("Sample of A.8.13, 2026-01-01 to 2026-02-28");
            await Expect(main.Locator("section[id^=occurrence-]")).ToHaveCountAsync(5);
            await BrowserHarness.AssertAccessibleAsync(page);
            var ask = page.GetByRole(AriaRole.Form, new() { NameRegex = new Regex("^Ask about the occurrence due") }).First;
            await ask.GetByLabel("Ask about this occurrence", new() { Exact = true }).FillAsync("Which backup set was restored that week?");
            await ask.GetByLabel("Due", new() { Exact = true }).FillAsync("2026-03-20");
            await ask.GetByRole(AriaRole.Button, new() { NameRegex = new Regex("^Raise the request about") }).ClickAsync();
            await Expect(page).ToHaveURLAsync(new Regex($@"/o/{Slug}/auditor#request-REQ-001$"));
            await Expect(page.Locator("#request-REQ-001 .status")).ToHaveTextAsync("open");
            await Expect(page.Locator("#request-REQ-001")).ToContainTextAsync("one sampled occurrence");
            await BrowserHarness.AssertAccessibleAsync(page);
        }

        // The owner: the request is theirs; they cite the restore log and answer.
        await using (var context = await browser.NewContextAsync(new BrowserNewContextOptions { BaseURL = app.BaseAddress.ToString() }))
        {
            var page = await context.NewPageAsync();
            await BrowserHarness.SignInAsync(page, Owner);
            await page.GotoAsync($"/o/{Slug}/auditor");
            var filter = page.GetByRole(AriaRole.Form, new() { Name = "Filter the requests" });
            await filter.GetByLabel("Assigned to me", new() { Exact = true }).CheckAsync();
            await filter.GetByRole(AriaRole.Button, new() { Name = "Filter", Exact = true }).ClickAsync();
            var row = page.Locator("#request-REQ-001");
            await Expect(row).ToBeVisibleAsync();
            await BrowserHarness.AssertAccessibleAsync(page);
            await row.GetByLabel(new Regex("^Restore log, February")).CheckAsync();
            await row.GetByRole(AriaRole.Button, new() { Name = "Answer REQ-001", Exact = true }).ClickAsync();
            await Expect(page.GetByRole(AriaRole.Status)).ToHaveTextAsync("REQ-001 answered.");
            await Expect(page.Locator("#request-REQ-001 .status")).ToHaveTextAsync("answered");
            await Expect(page.Locator("#request-REQ-001").GetByRole(AriaRole.Link, new() { Name = "Restore log, February", Exact = true })).ToBeVisibleAsync();
            await BrowserHarness.AssertAccessibleAsync(page);
        }

        // The auditor accepts the answer.
        await using (var context = await browser.NewContextAsync(new BrowserNewContextOptions { BaseURL = app.BaseAddress.ToString() }))
        {
            var page = await context.NewPageAsync();
            await BrowserHarness.SignInAsync(page, Auditor);
            await page.GotoAsync($"/o/{Slug}/auditor");
            await page.Locator("#request-REQ-001").GetByRole(AriaRole.Button, new() { Name = "Accept REQ-001", Exact = true }).ClickAsync();
            await Expect(page.Locator("#request-REQ-001 .status")).ToHaveTextAsync("accepted");
            await BrowserHarness.AssertAccessibleAsync(page);
        }
    }
}

using System.Text.RegularExpressions;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Playwright;
using Perennial.Activities;
using Perennial.Certification;
using Perennial.Data;
using Perennial.Frameworks;
using Perennial.Organisations;
using Perennial.Soa;
using Perennial.Tests.Infrastructure;
using static Microsoft.Playwright.Assertions;

namespace Perennial.Tests.Browser;

/// <summary>
/// The internal audit programme in a real, headless Chromium: a manager plans an audit from the
/// proposal, and an outside auditor starts it, draws a sample, records a result per item and signs
/// the report off; axe checks every page on the way.
/// </summary>
public sealed class InternalAuditBrowserTests
{
    private const string Slug = "acme";
    private const string Manager = "maya@ia-browser.test";
    private const string Auditor = "carl@ia-browser.test";

    [Fact]
    public async Task A_manager_plans_an_audit_from_the_proposal_and_an_auditor_samples_records_and_signs_it_off()
    {
        BrowserHarness.RequireChromium();

        await using var app = await TestApp.StartAsync(kestrel: true);
        var maya = await app.CreateUserAsync(Manager);
        var org = await app.CreateOrganisationAsync(Slug, maya.Id);
        await app.CreateUserAsync(Auditor);
        await app.AddMemberAsync(org.Id, Auditor, OrgRole.Auditor);
        await app.WithScopeAsync(async s =>
        {
            var db = s.GetRequiredService<PerennialDbContext>();
            await s.GetRequiredService<CycleService>().SaveCertificateAsync(org.Id, new CertificateInput("Example Certification Ltd", null, null, null, new DateOnly(2025, 9, 15), null, null), default);
            var draft = await s.GetRequiredService<SoaService>().EnsureDraftAsync(org.Id, default);
            foreach (var row in draft.Rows)
            {
                row.Applicable = row.ControlIdentifier is "A.5.18";
                row.Justification = "Decided for the test";
            }

            await db.SaveChangesAsync();
            await s.GetRequiredService<SoaService>().PublishAsync(org.Id, "First", default);

            // Maya's monthly access review for A.5.18, done on time since last spring.
            var control = await db.Controls.Where(c => c.OrganisationId == org.Id && c.Identifier == "A.5.18" && c.Framework!.Key == Framework.IsoKey).Select(c => c.Id).SingleAsync();
            var activity = await s.GetRequiredService<ActivityService>().CreateAsync(org.Id, new ActivityInput(
                "Access rights review", null, maya.Id, null, null, "FREQ=MONTHLY;BYMONTHDAY=1", new DateTime(2025, 4, 1, 9, 0, 0), "UTC", ControlIds: [control]), default, includePast: true);
            foreach (var o in await db.Occurrences.Where(o => o.ActivityId == activity.Id && o.DueDate < new DateOnly(2026, 3, 1)).ToListAsync())
            {
                o.State = OccurrenceState.Completed;
                o.CompletedAt = new DateTimeOffset(o.DueDate.ToDateTime(new TimeOnly(15, 0)), TimeSpan.Zero);
            }

            await db.SaveChangesAsync();
        });

        using var playwright = await Playwright.CreateAsync();
        await using var browser = await BrowserHarness.LaunchChromiumAsync(playwright);

        // The manager: the programme has gaps; the proposal's first audit is planned with Carl as lead auditor.
        await using (var context = await browser.NewContextAsync(new BrowserNewContextOptions { BaseURL = app.BaseAddress.ToString() }))
        {
            var page = await context.NewPageAsync();
            var main = page.GetByRole(AriaRole.Main);
            await BrowserHarness.SignInAsync(page, Manager);
            await page.GetByRole(AriaRole.Navigation, new() { Name = "ISMS sections" }).GetByRole(AriaRole.Link, new() { Name = "Internal audits", Exact = true }).ClickAsync();
            await Expect(page.GetByRole(AriaRole.Heading, new() { Name = "Internal audit programme", Level = 1 })).ToBeVisibleAsync();
            await Expect(page.Locator("#coverage-figure")).ToHaveTextAsync("0%");
            await Expect(main).ToContainTextAsync("No internal audit planned for this cycle yet.");
            await BrowserHarness.AssertAccessibleAsync(page);

            await main.GetByRole(AriaRole.Link, new() { Name = "The coverage matrix", Exact = true }).ClickAsync();
            await Expect(page.Locator("#coverage-matrix tbody tr")).ToHaveCountAsync(24);
            await Expect(page.Locator("#row-A\\.5\\.18")).ToContainTextAsync("gap");
            await BrowserHarness.AssertAccessibleAsync(page);

            await page.GoBackAsync();
            await main.GetByRole(AriaRole.Link, new() { Name = "Propose a programme for the gaps", Exact = true }).ClickAsync();
            await Expect(page.GetByRole(AriaRole.Heading, new() { Name = "Proposed programme", Level = 1 })).ToBeVisibleAsync();
            await BrowserHarness.AssertAccessibleAsync(page);
            await main.GetByRole(AriaRole.Link, new() { Name = "Plan this audit" }).First.ClickAsync();
            await Expect(page.GetByRole(AriaRole.Heading, new() { Name = "Plan an internal audit", Level = 1 })).ToBeVisibleAsync();
            var scope = await page.GetByLabel("Scope: clauses (4.1 … 10.2) and Annex A controls, separated by commas", new() { Exact = true }).InputValueAsync();
            Assert.NotEmpty(scope);
            await page.GetByLabel("Title", new() { Exact = true }).FillAsync("Access control and the audit process");
            await page.GetByLabel("Scope: clauses (4.1 … 10.2) and Annex A controls, separated by commas", new() { Exact = true }).FillAsync("9.2, A.5.18");
            await page.GetByLabel("Lead auditor", new() { Exact = true }).SelectOptionAsync(new SelectOptionValue { Label = $"carl ({Auditor})" });
            await BrowserHarness.AssertAccessibleAsync(page);
            await page.GetByRole(AriaRole.Button, new() { Name = "Plan the audit", Exact = true }).ClickAsync();
            await Expect(page).ToHaveURLAsync(new Regex($@"/o/{Slug}/internal-audits/[0-9a-f-]{{36}}$"));
            await Expect(page.Locator("#audit-status")).ToHaveTextAsync("Planned");
            await BrowserHarness.AssertAccessibleAsync(page);
        }

        // The auditor starts it, samples the review, records both results and signs it off.
        await using (var context = await browser.NewContextAsync(new BrowserNewContextOptions { BaseURL = app.BaseAddress.ToString() }))
        {
            var page = await context.NewPageAsync();
            var main = page.GetByRole(AriaRole.Main);
            await BrowserHarness.SignInAsync(page, Auditor);
            await page.GotoAsync($"/o/{Slug}/internal-audits");
            await main.GetByRole(AriaRole.Link, new() { Name = "IA-001", Exact = true }).ClickAsync();
            await page.GetByRole(AriaRole.Button, new() { Name = "Start the audit", Exact = true }).ClickAsync();
            await Expect(page.Locator("#audit-status")).ToHaveTextAsync("In progress");
            await BrowserHarness.AssertAccessibleAsync(page);

            var sample = page.GetByRole(AriaRole.Form, new() { Name = "Sample ACT-001 for A.5.18" });
            await sample.GetByRole(AriaRole.Button, new() { Name = "Draw a sample", Exact = true }).ClickAsync();
            await Expect(main.Locator(".sample-summary")).ToContainTextAsync("Sample: 2 of 11 occurrences, seed");
            await Expect(main.Locator("tr.sampled")).ToHaveCountAsync(2);

            var clause = page.GetByRole(AriaRole.Form, new() { Name = "Result for 9.2" });
            await clause.GetByLabel("Result", new() { Exact = true }).SelectOptionAsync(new SelectOptionValue { Label = "Conforming" });
            await clause.GetByRole(AriaRole.Button, new() { Name = "Record the result", Exact = true }).ClickAsync();
            var control = page.GetByRole(AriaRole.Form, new() { Name = "Result for A.5.18" });
            await control.GetByLabel("Result", new() { Exact = true }).SelectOptionAsync(new SelectOptionValue { Label = "Opportunity for improvement" });
            await control.GetByLabel("What was found", new() { Exact = true }).FillAsync("The review could use the directory export");
            await control.GetByRole(AriaRole.Button, new() { Name = "Record the result", Exact = true }).ClickAsync();
            await Expect(main.Locator(".item-result")).ToHaveTextAsync(["Conforming", "Opportunity for improvement"]);
            await Expect(main.GetByRole(AriaRole.Link, new() { Name = "OFI-001", Exact = true })).ToBeVisibleAsync();
            await BrowserHarness.AssertAccessibleAsync(page);

            await page.GetByRole(AriaRole.Button, new() { Name = "Sign the report off", Exact = true }).ClickAsync();
            await Expect(page.Locator("#audit-status")).ToHaveTextAsync("Reported");
            await Expect(page.GetByRole(AriaRole.Form, new() { Name = "Result for 9.2" })).ToHaveCountAsync(0);
            await main.GetByRole(AriaRole.Link, new() { Name = "Report", Exact = true }).ClickAsync();
            await Expect(page.GetByRole(AriaRole.Heading, new() { Level = 1 })).ToHaveTextAsync("Internal audit report IA-001: Access control and the audit process");
            await Expect(page.Locator("#report-results tbody tr")).ToHaveCountAsync(2);
            await Expect(main).ToContainTextAsync("Signed off by carl");
            await BrowserHarness.AssertAccessibleAsync(page);

            await page.GotoAsync($"/o/{Slug}/improvements");
            await Expect(main).ToContainTextAsync("The review could use the directory export");
            await BrowserHarness.AssertAccessibleAsync(page);
        }
    }
}

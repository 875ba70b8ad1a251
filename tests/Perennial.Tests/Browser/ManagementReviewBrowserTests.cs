using Microsoft.Extensions.DependencyInjection;
using Microsoft.Playwright;
using Perennial.Nonconformities;
using Perennial.Organisations;
using Perennial.Tests.Infrastructure;
using static Microsoft.Playwright.Assertions;

namespace Perennial.Tests.Browser;

/// <summary>
/// A management review in a real, headless Chromium: a manager schedules the next review, reads its
/// pack, records minutes and a decision; the decision's owner finds it on the dashboard and marks it
/// done. The measures pages, with their server-drawn charts, are on the way; axe checks every page.
/// </summary>
public sealed class ManagementReviewBrowserTests
{
    private const string Slug = "acme";
    private const string Manager = "maya@mr-browser.test";
    private const string Owner = "olga@mr-browser.test";

    [Fact]
    public async Task A_manager_reads_the_pack_records_minutes_and_a_decision_which_its_owner_finds_on_the_dashboard()
    {
        BrowserHarness.RequireChromium();

        await using var app = await TestApp.StartAsync(kestrel: true);
        var maya = await app.CreateUserAsync(Manager);
        var org = await app.CreateOrganisationAsync(Slug, maya.Id);
        await app.CreateUserAsync(Owner);
        await app.AddMemberAsync(org.Id, Owner, OrgRole.Contributor);
        await app.WithScopeAsync(sp => sp.GetRequiredService<NonconformityWorkflow>().RaiseAsync(org.Id, new NonconformityActor(maya.Id, "maya", OrgRole.Admin),
            new RaiseNonconformity("Backups not tested", null, NonconformitySeverity.Minor, NonconformitySource.Manual, null, null, null), CancellationToken.None));
        var due = DateOnly.FromDateTime(app.Time.GetUtcNow().UtcDateTime).AddDays(30).ToString("yyyy-MM-dd");

        using var playwright = await Playwright.CreateAsync();
        await using var browser = await BrowserHarness.LaunchChromiumAsync(playwright);

        await using (var context = await browser.NewContextAsync(new BrowserNewContextOptions { BaseURL = app.BaseAddress.ToString() }))
        {
            var page = await context.NewPageAsync();
            var main = page.GetByRole(AriaRole.Main);
            await BrowserHarness.SignInAsync(page, Manager);

            await page.GetByRole(AriaRole.Navigation, new() { Name = "ISMS sections" }).GetByRole(AriaRole.Link, new() { Name = "Objectives & measures", Exact = true }).ClickAsync();
            await Expect(main.GetByRole(AriaRole.Table, new() { Name = "Measures with their newest values" })).ToContainTextAsync("Recurring activities completed on time");
            await BrowserHarness.AssertAccessibleAsync(page);
            await main.GetByRole(AriaRole.Link, new() { Name = "MS-003 Open nonconformities" }).ClickAsync();
            await page.GetByRole(AriaRole.Button, new() { Name = "Compute today's value now", Exact = true }).ClickAsync();
            await Expect(page.Locator("#measure-latest")).ToContainTextAsync("1 nonconformity open");
            await Expect(page.GetByRole(AriaRole.Img, new() { Name = "MS-003 Open nonconformities over the last year" })).ToBeVisibleAsync();
            await BrowserHarness.AssertAccessibleAsync(page);

            await page.GetByRole(AriaRole.Navigation, new() { Name = "ISMS sections" }).GetByRole(AriaRole.Link, new() { Name = "Management reviews", Exact = true }).ClickAsync();
            await Expect(main).ToContainTextAsync("No management review yet.");
            await BrowserHarness.AssertAccessibleAsync(page);
            await page.GetByLabel("Title", new() { Exact = true }).FillAsync("Spring review");
            await page.GetByLabel("Date", new() { Exact = true }).FillAsync(due);
            await page.GetByLabel("Chair", new() { Exact = true }).SelectOptionAsync(new SelectOptionValue { Label = "maya" });
            await page.GetByLabel("Attendees", new() { Exact = true }).SelectOptionAsync(new SelectOptionValue { Label = "olga" });
            await page.GetByRole(AriaRole.Button, new() { Name = "Schedule", Exact = true }).ClickAsync();
            await Expect(page.GetByRole(AriaRole.Heading, new() { Level = 1 })).ToHaveTextAsync("MR-001 Spring review");

            // The pack: every input has its section; the nonconformity is behind (d1); an input without data says so.
            var d1 = page.Locator("#section-d1");
            await Expect(d1.GetByRole(AriaRole.Heading)).ToHaveTextAsync("(d1) Nonconformities and corrective actions");
            await Expect(d1.GetByRole(AriaRole.Link, new() { Name = "NC-001 Backups not tested" })).ToBeVisibleAsync();
            await Expect(page.Locator("#section-g")).ToContainTextAsync("No opportunity for improvement was raised in the period");
            await Expect(page.Locator(".pack-section")).ToHaveCountAsync(12);
            await BrowserHarness.AssertAccessibleAsync(page);

            await page.GetByLabel("Minutes on (d1) Nonconformities and corrective actions").FillAsync("Backups must be restored as a test every quarter.");
            await d1.GetByRole(AriaRole.Button, new() { Name = "Save the minutes" }).ClickAsync();
            await Expect(page.GetByLabel("Minutes on (d1) Nonconformities and corrective actions")).ToHaveValueAsync("Backups must be restored as a test every quarter.");

            await page.GetByLabel("Kind", new() { Exact = true }).SelectOptionAsync("isms-change");
            await page.GetByLabel("Answers input", new() { Exact = true }).SelectOptionAsync("d1");
            await page.GetByLabel("Decision", new() { Exact = true }).FillAsync("Quarterly restore test");
            await page.GetByLabel("Owner", new() { Exact = true }).SelectOptionAsync(new SelectOptionValue { Label = "olga" });
            await page.GetByLabel("Due", new() { Exact = true }).FillAsync(due);
            await page.GetByRole(AriaRole.Button, new() { Name = "Record the decision", Exact = true }).ClickAsync();
            await Expect(main.GetByRole(AriaRole.Table, new() { Name = "Decisions of MR-001" })).ToContainTextAsync("MR-001-D1 Quarterly restore test (input d1)");
            await BrowserHarness.AssertAccessibleAsync(page);
        }

        await using (var context = await browser.NewContextAsync(new BrowserNewContextOptions { BaseURL = app.BaseAddress.ToString() }))
        {
            var page = await context.NewPageAsync();
            await BrowserHarness.SignInAsync(page, Owner);
            await page.GotoAsync($"/o/{Slug}");
            var mine = page.GetByRole(AriaRole.Region, new() { Name = "For you" });
            await Expect(mine.GetByRole(AriaRole.Heading, new() { Name = "Management review actions (1)" })).ToBeVisibleAsync();
            var link = mine.GetByRole(AriaRole.Link, new() { Name = "MR-001-D1 Quarterly restore test" });
            await Expect(link).ToBeVisibleAsync();
            await BrowserHarness.AssertAccessibleAsync(page);
            await link.ClickAsync();
            await page.GetByLabel("What was done").FillAsync("First restore test passed");
            await page.GetByRole(AriaRole.Button, new() { Name = "Mark done", Exact = true }).ClickAsync();
            await Expect(page.Locator("#decisions")).ToContainTextAsync("First restore test passed");
            await BrowserHarness.AssertAccessibleAsync(page);
        }
    }
}

using Microsoft.Playwright;
using Perennial.Organisations;
using Perennial.Tests.Infrastructure;
using static Microsoft.Playwright.Assertions;

namespace Perennial.Tests.Browser;

/// <summary>
/// The context register in a real, headless Chromium: a manager records the climate-change
/// assessment and an interested party with a requirement, and its owner reviews it; axe checks
/// every page on the way.
/// </summary>
public sealed class ContextBrowserTests
{
    private const string Slug = "acme";
    private const string Manager = "maya@ctx-browser.test";
    private const string Owner = "olga@ctx-browser.test";

    [Fact]
    public async Task A_manager_records_the_climate_assessment_and_a_party_and_its_owner_reviews_it()
    {
        BrowserHarness.RequireChromium();

        await using var app = await TestApp.StartAsync(kestrel: true);
        var maya = await app.CreateUserAsync(Manager);
        var org = await app.CreateOrganisationAsync(Slug, maya.Id);
        await app.CreateUserAsync(Owner);
        await app.AddMemberAsync(org.Id, Owner, OrgRole.Contributor);

        using var playwright = await Playwright.CreateAsync();
        await using var browser = await BrowserHarness.LaunchChromiumAsync(playwright);

        await using (var context = await browser.NewContextAsync(new BrowserNewContextOptions { BaseURL = app.BaseAddress.ToString() }))
        {
            var page = await context.NewPageAsync();
            var main = page.GetByRole(AriaRole.Main);
            await BrowserHarness.SignInAsync(page, Manager);
            await page.GetByRole(AriaRole.Navigation, new() { Name = "ISMS sections" }).GetByRole(AriaRole.Link, new() { Name = "Context", Exact = true }).ClickAsync();
            await Expect(page.Locator("#climate")).ToContainTextAsync("not assessed yet");
            await BrowserHarness.AssertAccessibleAsync(page);

            await page.GetByLabel("Kind", new() { Exact = true }).SelectOptionAsync("external-issue");
            await page.GetByLabel("Title", new() { Exact = true }).FillAsync("Climate change");
            await page.GetByLabel("Description", new() { Exact = true }).FillAsync("Remote company on a multi-region cloud; no site exposed to flooding or heat.");
            await page.GetByLabel("This is the climate-change assessment").CheckAsync();
            await page.GetByLabel("Relevance", new() { Exact = true }).SelectOptionAsync("not-relevant");
            await page.GetByLabel("Owner", new() { Exact = true }).SelectOptionAsync(new SelectOptionValue { Label = "olga" });
            await page.GetByRole(AriaRole.Button, new() { Name = "Add it", Exact = true }).ClickAsync();
            await Expect(page.GetByRole(AriaRole.Heading, new() { Level = 1 })).ToHaveTextAsync("ISS-001 Climate change");
            await Expect(page.Locator("#entry-status")).ToHaveTextAsync("Active, judged not relevant");
            await BrowserHarness.AssertAccessibleAsync(page);

            await page.GotoAsync($"/o/{Slug}/context");
            await Expect(page.Locator("#climate")).ToContainTextAsync("assessed as not relevant");
            await page.GetByLabel("Kind", new() { Exact = true }).SelectOptionAsync("interested-party");
            await page.GetByLabel("Title", new() { Exact = true }).FillAsync("Enterprise customers");
            await page.GetByLabel("Owner", new() { Exact = true }).SelectOptionAsync(new SelectOptionValue { Label = "olga" });
            await page.GetByRole(AriaRole.Button, new() { Name = "Add it", Exact = true }).ClickAsync();
            await Expect(page.GetByRole(AriaRole.Heading, new() { Level = 1 })).ToHaveTextAsync("IP-001 Enterprise customers");
            await page.GetByLabel("Requirement 1", new() { Exact = true }).FillAsync("Annual proof of certification");
            await page.Locator("#req-0-addressed").CheckAsync();
            await page.GetByLabel("How, or why not").First.FillAsync("Certificate on the trust page");
            await page.GetByRole(AriaRole.Button, new() { Name = "Save the change", Exact = true }).ClickAsync();
            await Expect(main.GetByRole(AriaRole.Table, new() { Name = "Requirements of Enterprise customers" })).ToContainTextAsync("Certificate on the trust page");
            await BrowserHarness.AssertAccessibleAsync(page);
        }

        await using (var context = await browser.NewContextAsync(new BrowserNewContextOptions { BaseURL = app.BaseAddress.ToString() }))
        {
            var page = await context.NewPageAsync();
            await BrowserHarness.SignInAsync(page, Owner);
            await page.GotoAsync($"/o/{Slug}/context?kind=interested-party");
            await page.GetByRole(AriaRole.Link, new() { Name = "IP-001", Exact = true }).ClickAsync();
            await page.GetByRole(AriaRole.Button, new() { Name = "It still holds: reviewed", Exact = true }).ClickAsync();
            await Expect(page.Locator("#entry-review")).ToContainTextAsync(", last ");
            await BrowserHarness.AssertAccessibleAsync(page);
        }
    }
}

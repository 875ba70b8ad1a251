using System.Text.RegularExpressions;
using Microsoft.Playwright;
using Perennial.Organisations;
using Perennial.Tests.Infrastructure;
using static Microsoft.Playwright.Assertions;

namespace Perennial.Tests.Browser;

/// <summary>
/// A nonconformity taken from raised to closed in a real, headless Chromium: reported from the log,
/// contained, analysed with five whys, one corrective action planned for a colleague and finished,
/// its effectiveness checked, and closed; axe checks every page on the way.
/// </summary>
public sealed class NonconformityBrowserTests
{
    private const string Email = "manager@nc-browser.test";
    private const string Slug = "acme";
    private const string Title = "Leavers kept their accounts";

    [Fact]
    public async Task A_manager_takes_a_reported_nonconformity_from_raised_to_closed()
    {
        BrowserHarness.RequireChromium();

        await using var app = await TestApp.StartAsync(kestrel: true);
        var user = await app.CreateUserAsync(Email);
        var org = await app.CreateOrganisationAsync(Slug, user.Id);
        await app.CreateUserAsync("ana@nc-browser.test");
        await app.AddMemberAsync(org.Id, "ana@nc-browser.test", OrgRole.Contributor);

        using var playwright = await Playwright.CreateAsync();
        await using var browser = await BrowserHarness.LaunchChromiumAsync(playwright);
        await using var context = await browser.NewContextAsync(new BrowserNewContextOptions { BaseURL = app.BaseAddress.ToString() });
        var page = await context.NewPageAsync();
        var main = page.GetByRole(AriaRole.Main);

        await page.GotoAsync($"/o/{Slug}/nonconformities");
        await page.GetByLabel("E-mail", new() { Exact = true }).FillAsync(Email);
        await page.GetByLabel("Password", new() { Exact = true }).FillAsync(TestApp.TestPassword);
        await page.GetByRole(AriaRole.Button, new() { Name = "Sign in", Exact = true }).ClickAsync();
        await Expect(page.GetByRole(AriaRole.Heading, new() { Name = "Nonconformities", Level = 1 })).ToBeVisibleAsync();
        await Expect(main).ToContainTextAsync("No open nonconformities.");
        await BrowserHarness.AssertAccessibleAsync(page);

        // Report it.
        await main.GetByRole(AriaRole.Link, new() { Name = "Report a nonconformity", Exact = true }).ClickAsync();
        await Expect(page.GetByRole(AriaRole.Heading, new() { Name = "Report a nonconformity", Level = 1 })).ToBeVisibleAsync();
        await BrowserHarness.AssertAccessibleAsync(page);
        await page.GetByLabel("What went wrong", new() { Exact = true }).FillAsync(Title);
        await page.GetByLabel("Major: a requirement is not met at all, or the lapse repeats", new() { Exact = true }).CheckAsync();
        await page.GetByLabel("Where it came from", new() { Exact = true }).SelectOptionAsync("incident");
        await page.GetByLabel("Clause or control affected (e.g. 9.2 or A.5.18)", new() { Exact = true }).FillAsync("A.5.18");
        await page.GetByRole(AriaRole.Button, new() { Name = "Report it", Exact = true }).ClickAsync();
        await Expect(page).ToHaveURLAsync(new Regex($@"/o/{Slug}/nonconformities/[0-9a-f-]{{36}}$"));
        var status = page.Locator("#nc-status");
        await Expect(status).ToHaveTextAsync("Raised");
        await BrowserHarness.AssertAccessibleAsync(page);

        // Containment, then the root cause by five whys.
        await page.GetByLabel("Immediate correction", new() { Exact = true }).FillAsync("Disabled the three accounts by hand");
        await page.GetByRole(AriaRole.Button, new() { Name = "Record the containment", Exact = true }).ClickAsync();
        await Expect(status).ToHaveTextAsync("Contained");
        var rootCause = page.GetByRole(AriaRole.Form, new() { Name = "Root cause" });
        await rootCause.GetByLabel("Why 1?", new() { Exact = true }).FillAsync("Why were the accounts kept?");
        await rootCause.GetByLabel("Because", new() { Exact = true }).First.FillAsync("IT was not told");
        await rootCause.GetByLabel("Why 2?", new() { Exact = true }).FillAsync("Why was IT not told?");
        await rootCause.GetByLabel("Because", new() { Exact = true }).Nth(1).FillAsync("The leaver checklist has no IT step");
        await rootCause.GetByLabel("Cause category", new() { Exact = true }).FillAsync("process");
        await BrowserHarness.AssertAccessibleAsync(page);
        await rootCause.GetByRole(AriaRole.Button, new() { Name = "Record the root cause", Exact = true }).ClickAsync();
        await Expect(status).ToHaveTextAsync("Root cause analysed");
        await Expect(main).ToContainTextAsync("Root cause: The leaver checklist has no IT step (category: process)");

        // One corrective action for Ana; the manager marks it done.
        var plan = page.GetByRole(AriaRole.Form, new() { Name = "Plan a corrective action" });
        await plan.GetByLabel("Corrective action", new() { Exact = true }).FillAsync("Add an IT step to the leaver checklist");
        await plan.GetByLabel("Owner", new() { Exact = true }).SelectOptionAsync(new SelectOptionValue { Label = "ana" });
        await plan.GetByLabel("Due", new() { Exact = true }).FillAsync("2026-03-20");
        await plan.GetByRole(AriaRole.Button, new() { Name = "Plan the action", Exact = true }).ClickAsync();
        await Expect(status).ToHaveTextAsync("Corrective actions planned");
        await BrowserHarness.AssertAccessibleAsync(page);
        await main.GetByLabel("Note on finishing “Add an IT step to the leaver checklist”", new() { Exact = true }).FillAsync("Checklist updated");
        await main.GetByRole(AriaRole.Button, new() { Name = "Mark “Add an IT step to the leaver checklist” done", Exact = true }).ClickAsync();
        await Expect(status).ToHaveTextAsync("Actions done, check scheduled");
        await Expect(main).ToContainTextAsync("Scheduled for 2026-05-01");

        // The check, by someone who owns none of the actions, and closure.
        var check = page.GetByRole(AriaRole.Form, new() { Name = "Effectiveness check" });
        await check.GetByLabel("Effective", new() { Exact = true }).CheckAsync();
        await check.GetByLabel("What was checked (required when not effective)", new() { Exact = true }).FillAsync("Sampled March leavers: none kept access");
        await BrowserHarness.AssertAccessibleAsync(page);
        await check.GetByRole(AriaRole.Button, new() { Name = "Record the check", Exact = true }).ClickAsync();
        await Expect(status).ToHaveTextAsync("Effectiveness check");
        await main.GetByRole(AriaRole.Button, new() { Name = "Close NC-001", Exact = true }).ClickAsync();
        await Expect(status).ToHaveTextAsync("Closed");
        await Expect(page.Locator("#nc-timeline li")).ToHaveCountAsync(8);
        await Expect(page.Locator("#nc-timeline li").Last).ToContainTextAsync("Closed by manager: after an effective check");
        await BrowserHarness.AssertAccessibleAsync(page);

        // The log lists it as closed.
        await page.GotoAsync($"/o/{Slug}/nonconformities?status=closed");
        await Expect(main.GetByRole(AriaRole.Link, new() { Name = Title, Exact = true })).ToBeVisibleAsync();
        await BrowserHarness.AssertAccessibleAsync(page);
    }
}

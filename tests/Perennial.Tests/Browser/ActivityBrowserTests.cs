using System.Text.RegularExpressions;
using Microsoft.Playwright;
using Perennial.Tests.Infrastructure;
using static Microsoft.Playwright.Assertions;

namespace Perennial.Tests.Browser;

/// <summary>
/// Activities driven in a real, headless Chromium: the routine set up from the templates, a custom
/// activity whose dates are previewed as its rule is typed, and an occurrence completed with a file;
/// axe checks every page, and the page's script must run under the site's content security policy.
/// </summary>
public sealed class ActivityBrowserTests
{
    private const string Email = "ciso@activities-browser.test";
    private const string Slug = "acme";

    [Fact]
    public async Task An_ISMS_manager_sets_up_the_routine_previews_a_custom_schedule_and_completes_an_occurrence_with_a_file()
    {
        BrowserHarness.RequireChromium();

        await using var app = await TestApp.StartAsync(kestrel: true);
        var user = await app.CreateUserAsync(Email);
        await app.CreateOrganisationAsync(Slug, user.Id);

        using var playwright = await Playwright.CreateAsync();
        await using var browser = await BrowserHarness.LaunchChromiumAsync(playwright);
        await using var context = await browser.NewContextAsync(new BrowserNewContextOptions { BaseURL = app.BaseAddress.ToString() });
        var page = await context.NewPageAsync();
        var problems = new List<string>();
        page.Console += (_, message) =>
        {
            // The site has no favicon; every other error (a script failure, a blocked inline style) counts.
            if (message.Type == "error" && !message.Location.Contains("/favicon.ico", StringComparison.Ordinal))
            {
                problems.Add($"{page.Url} {message.Location} {message.Text[..Math.Min(80, message.Text.Length)]}");
            }
        };
        page.PageError += (_, error) => problems.Add(error);
        var main = page.GetByRole(AriaRole.Main);

        await page.GotoAsync($"/o/{Slug}");
        await page.GetByLabel("E-mail", new() { Exact = true }).FillAsync(Email);
        await page.GetByLabel("Password", new() { Exact = true }).FillAsync(TestApp.TestPassword);
        await page.GetByRole(AriaRole.Button, new() { Name = "Sign in", Exact = true }).ClickAsync();
        await page.GetByRole(AriaRole.Navigation, new() { Name = "ISMS sections" })
            .GetByRole(AriaRole.Link, new() { Name = "Activities", Exact = true }).ClickAsync();
        await Expect(page.GetByRole(AriaRole.Heading, new() { Name = "No activities yet" })).ToBeVisibleAsync();
        await BrowserHarness.AssertAccessibleAsync(page);

        // The routine from the templates: everything not in use is ticked; keep two.
        await main.GetByRole(AriaRole.Link, new() { Name = "Set up a year's routine from the templates" }).ClickAsync();
        await Expect(page.GetByRole(AriaRole.Heading, new() { Name = "Activity templates", Level = 1 })).ToBeVisibleAsync();
        await BrowserHarness.AssertAccessibleAsync(page);
        foreach (var box in await page.GetByRole(AriaRole.Checkbox).AllAsync())
        {
            await box.UncheckAsync();
        }

        await page.GetByLabel("Backup restore test", new() { Exact = true }).CheckAsync();
        await page.GetByLabel("Vulnerability scan and remediation follow-up", new() { Exact = true }).CheckAsync();
        await page.GetByLabel("Owner of the new activities").SelectOptionAsync(new SelectOptionValue { Label = $"ciso ({Email})" });
        await page.GetByLabel("Common time zones").SelectOptionAsync("Europe/London");
        await page.GetByRole(AriaRole.Button, new() { Name = "Create the chosen activities" }).ClickAsync();
        await Expect(page.GetByRole(AriaRole.Status)).ToContainTextAsync("Created 2 activities");
        var list = page.GetByRole(AriaRole.Table, new() { Name = "Activities by title" });
        await Expect(list).ToContainTextAsync("Backup restore test");
        await Expect(list).ToContainTextAsync("Monthly on day 2");
        await BrowserHarness.AssertAccessibleAsync(page);

        // A custom activity: the dates follow the rule as it is typed, before anything is saved.
        await page.GetByRole(AriaRole.Link, new() { Name = "New activity" }).ClickAsync();
        var rule = page.GetByLabel("Custom recurrence rule (RRULE, used when \"Custom rule\" is chosen)");
        await Expect(rule).ToBeHiddenAsync();
        await page.GetByLabel("Title").FillAsync("Review the firewall change log");
        await page.GetByLabel("Evidence each occurrence must leave (one item per line)").FillAsync("Signed change log");
        await page.GetByLabel("How often").SelectOptionAsync("custom");
        await Expect(rule).ToBeVisibleAsync();
        await rule.FillAsync("FREQ=WEEKLY;BYDAY=FR");
        await page.GetByLabel("First date (or the date the rule counts from)").FillAsync("2026-03-02");
        var preview = page.Locator("#preview");
        await Expect(preview).ToContainTextAsync("Fri 6 Mar 2026, 09:00 UTC");
        await Expect(preview).ToContainTextAsync("Fri 3 Apr 2026, 09:00 UTC");
        await rule.FillAsync("FREQ=FORTNIGHTLY");
        await Expect(preview).ToContainTextAsync("The recurrence rule is not valid RFC 5545");
        await rule.FillAsync("FREQ=WEEKLY;BYDAY=FR");
        await page.GetByRole(AriaRole.Button, new() { Name = "Preview dates" }).ClickAsync();
        await Expect(page.Locator("#preview-dates li")).ToHaveCountAsync(5);
        await BrowserHarness.AssertAccessibleAsync(page);
        await page.GetByRole(AriaRole.Button, new() { Name = "Create the activity" }).ClickAsync();
        await Expect(page.GetByRole(AriaRole.Status)).ToHaveTextAsync("ACT-003 created with its occurrences.");
        await BrowserHarness.AssertAccessibleAsync(page);

        // Its first occurrence, completed with a file.
        await page.GetByRole(AriaRole.Link, new() { Name = "Fri 6 Mar 2026, 09:00 UTC" }).ClickAsync();
        await Expect(page).ToHaveURLAsync(new Regex($"/o/{Slug}/occurrences/[0-9a-f-]+$"));
        await Expect(main).ToContainTextAsync("Missing: Signed change log");
        await BrowserHarness.AssertAccessibleAsync(page);
        await page.GetByRole(AriaRole.Group, new() { Name = "Signed change log" }).GetByLabel("File").SetInputFilesAsync(new FilePayload
        {
            Name = "firewall-changes.txt",
            MimeType = "text/plain",
            Buffer = "2026-03-04 allow 443 to the new API gateway, approved by J. Doe"u8.ToArray(),
        });
        await page.GetByLabel("Notes (what was done, what was found)").FillAsync("One change, approved.");
        await page.GetByRole(AriaRole.Button, new() { Name = "Mark as completed" }).ClickAsync();
        await Expect(page.GetByRole(AriaRole.Status)).ToHaveTextAsync("Completed, with 1 evidence item.");
        await Expect(main).ToContainTextAsync("Covered: Signed change log");
        await Expect(main.GetByRole(AriaRole.Link, new() { Name = "firewall-changes.txt" }).First).ToBeVisibleAsync();
        await BrowserHarness.AssertAccessibleAsync(page);

        // The one-page maintenance calendar: every activity with its frequency, owner, last completion and next dates.
        await page.GetByRole(AriaRole.Navigation, new() { Name = "ISMS sections" })
            .GetByRole(AriaRole.Link, new() { Name = "Calendar", Exact = true }).ClickAsync();
        await Expect(page.GetByRole(AriaRole.Heading, new() { Name = "Maintenance calendar", Level = 1 })).ToBeVisibleAsync();
        var calendar = page.GetByRole(AriaRole.Table, new() { Name = "Recurring activities with their frequency, owner, deputy, last completion, next three due dates and status" });
        await Expect(calendar.GetByRole(AriaRole.Row)).ToHaveCountAsync(4);
        var row = calendar.GetByRole(AriaRole.Row).Filter(new() { HasText = "Review the firewall change log" });
        await Expect(row).ToContainTextAsync("ACT-003");
        await Expect(row).ToContainTextAsync("Weekly on Friday");
        await Expect(row).ToContainTextAsync("ciso");
        await Expect(row.Locator("td.last")).ToContainTextAsync("2026-03-02");
        await Expect(row.Locator("td.next li a")).ToHaveTextAsync(["2026-03-13", "2026-03-20", "2026-03-27"]);
        await Expect(row.Locator("td.next li").First).ToContainTextAsync("due soon");
        await Expect(calendar.GetByRole(AriaRole.Row).Filter(new() { HasText = "Backup restore test" })).ToContainTextAsync("Quarterly on day 2");
        await BrowserHarness.AssertAccessibleAsync(page);

        Assert.True(problems.Count == 0, "Browser errors: " + string.Join(Environment.NewLine, problems));
    }
}

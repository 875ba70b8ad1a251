using System.Text.RegularExpressions;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Playwright;
using Perennial.Demo;
using Perennial.Tests.Infrastructure;
using static Microsoft.Playwright.Assertions;

namespace Perennial.Tests.Browser;

/// <summary>A newcomer's first page, in a real Chromium: the demo's dashboard says what needs doing and each line opens its record.</summary>
public sealed class DashboardBrowserTests
{
    [Fact]
    public async Task A_newcomer_signs_in_to_the_demo_and_the_dashboard_leads_to_what_needs_doing()
    {
        BrowserHarness.RequireChromium();

        await using var app = await TestApp.StartAsync(kestrel: true);
        var signIn = await app.WithScopeAsync(s => s.GetRequiredService<DemoSeeder>().SeedAsync(CancellationToken.None));

        using var playwright = await Playwright.CreateAsync();
        await using var browser = await BrowserHarness.LaunchChromiumAsync(playwright);
        await using var context = await browser.NewContextAsync(new BrowserNewContextOptions { BaseURL = app.BaseAddress.ToString() });
        var page = await context.NewPageAsync();
        var errors = new List<string>();
        page.Console += (_, message) =>
        {
            if (message.Type == "error" && !message.Location.Contains("/favicon.ico", StringComparison.Ordinal))
            {
                errors.Add($"{page.Url} {message.Text}");
            }
        };

        await page.GotoAsync("/o/demo");
        await page.GetByLabel("E-mail", new() { Exact = true }).FillAsync(signIn!.Email);
        await page.GetByLabel("Password", new() { Exact = true }).FillAsync(signIn.Password);
        await page.GetByRole(AriaRole.Button, new() { Name = "Sign in", Exact = true }).ClickAsync();

        var organisation = page.Locator("section[aria-labelledby=org-agenda-heading]");
        await Expect(page.GetByRole(AriaRole.Heading, new() { Name = "For the organisation", Level = 2 })).ToBeVisibleAsync();
        await Expect(organisation.GetByRole(AriaRole.Heading, new() { Name = "Overdue", Level = 3 })).ToBeVisibleAsync();
        await Expect(organisation.GetByRole(AriaRole.Heading, new() { Name = "Open nonconformities", Level = 3 })).ToBeVisibleAsync();
        await Expect(page.GetByText("will join this list")).ToHaveCountAsync(0);
        await BrowserHarness.AssertAccessibleAsync(page);

        // The demo's missed privileged access review is overdue; its line opens the occurrence.
        await organisation.GetByRole(AriaRole.Link, new() { NameRegex = new Regex("Privileged access review") }).First.ClickAsync();
        await Expect(page).ToHaveURLAsync(new Regex("/o/demo/occurrences/[0-9a-f-]{36}$"));
        await Expect(page.GetByRole(AriaRole.Heading, new() { Level = 1 })).ToContainTextAsync("Privileged access review");

        // Recent changes name people and records, and link to them.
        await page.GoBackAsync();
        var recent = page.Locator("section[aria-labelledby=changes-heading]");
        await Expect(recent.GetByRole(AriaRole.Listitem).First).ToBeVisibleAsync();
        await Expect(recent).Not.ToContainTextAsync("OccurrenceEvidence");
        Assert.Empty(errors);
    }
}

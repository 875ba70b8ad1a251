using System.Text.RegularExpressions;
using Microsoft.Playwright;
using Perennial.Tests.Infrastructure;
using static Microsoft.Playwright.Assertions;

namespace Perennial.Tests.Browser;

/// <summary>
/// The risk register driven in a real, headless Chromium: a risk added with a planned Annex A control,
/// its residual risk accepted by its owner and found again through the heat map, with an
/// accessibility check (axe) on every page visited.
/// </summary>
public sealed class RiskBrowserTests
{
    private const string Email = "owner@risk-browser.test";
    private const string DisplayName = "owner";
    private const string Slug = "acme";
    private const string Title = "Data centre outage stops the customer portal";
    private const string Justification = "A second site costs more than a day of downtime; revisit when the contract renews.";

    // The test clock starts on 2026-03-02 (see TestApp); the acceptance runs for about six months.
    private const string Today = "2026-03-02";
    private const string AcceptedUntil = "2026-09-02";

    [Fact]
    public async Task An_admin_adds_a_risk_treated_by_A_5_30_accepts_its_residual_risk_and_finds_it_on_the_heat_map()
    {
        BrowserHarness.RequireChromium();

        await using var app = await TestApp.StartAsync(kestrel: true);
        var user = await app.CreateUserAsync(Email);
        await app.CreateOrganisationAsync(Slug, user.Id);

        using var playwright = await Playwright.CreateAsync();
        await using var browser = await BrowserHarness.LaunchChromiumAsync(playwright);
        await using var context = await browser.NewContextAsync(new BrowserNewContextOptions { BaseURL = app.BaseAddress.ToString() });
        var page = await context.NewPageAsync();
        var main = page.GetByRole(AriaRole.Main);

        // Sign in and open "Risks": the register is empty.
        await page.GotoAsync($"/o/{Slug}");
        await Expect(page).ToHaveURLAsync(new Regex(@"/account/sign-in(\?.*)?$"));
        await page.GetByLabel("E-mail", new() { Exact = true }).FillAsync(Email);
        await page.GetByLabel("Password", new() { Exact = true }).FillAsync(TestApp.TestPassword);
        await page.GetByRole(AriaRole.Button, new() { Name = "Sign in", Exact = true }).ClickAsync();
        await Expect(page.GetByRole(AriaRole.Heading, new() { Name = "Dashboard", Level = 1 })).ToBeVisibleAsync();
        await page.GetByRole(AriaRole.Navigation, new() { Name = "ISMS sections" })
            .GetByRole(AriaRole.Link, new() { Name = "Risks", Exact = true }).ClickAsync();
        await Expect(page).ToHaveURLAsync(Url(app, "risks"));
        await Expect(page.GetByRole(AriaRole.Heading, new() { Name = "Risk register", Level = 1 })).ToBeVisibleAsync();
        await Expect(main).ToContainTextAsync("No risk matches.");
        await BrowserHarness.AssertAccessibleAsync(page);

        // A new risk: likely and severe before treatment, retained at 2 × 5 = 10, above the threshold 9.
        await main.GetByRole(AriaRole.Link, new() { Name = "New risk", Exact = true }).ClickAsync();
        await Expect(page).ToHaveURLAsync(Url(app, "risks/new"));
        await Expect(page.GetByRole(AriaRole.Heading, new() { Name = "New risk", Level = 1 })).ToBeVisibleAsync();
        await BrowserHarness.AssertAccessibleAsync(page);
        await page.GetByLabel("Title", new() { Exact = true }).FillAsync(Title);
        await page.GetByLabel("Risk owner", new() { Exact = true }).SelectOptionAsync(new SelectOptionValue { Label = $"{DisplayName} ({Email})" });
        var inherent = page.GetByRole(AriaRole.Group, new() { Name = "Inherent risk (before treatment)" });
        await inherent.GetByLabel("Likelihood", new() { Exact = true }).SelectOptionAsync("4");
        await inherent.GetByLabel("Impact", new() { Exact = true }).SelectOptionAsync("5");
        await page.GetByLabel("Treatment", new() { Exact = true }).SelectOptionAsync(new SelectOptionValue { Label = "Retain (accept)" });
        var planned = page.GetByLabel("Planned controls (Annex A)", new() { Exact = true });
        var a530 = planned.Locator("option").Filter(new() { HasTextRegex = new Regex(@"^\s*A\.5\.30\s") });
        await Expect(a530).ToHaveCountAsync(1);
        await planned.SelectOptionAsync([(await a530.GetAttributeAsync("value"))!]);
        var residual = page.GetByRole(AriaRole.Group, new() { Name = "Residual risk (after treatment)" });
        await residual.GetByLabel("Likelihood", new() { Exact = true }).SelectOptionAsync("2");
        await residual.GetByLabel("Impact", new() { Exact = true }).SelectOptionAsync("5");
        await page.GetByRole(AriaRole.Button, new() { Name = "Add the risk", Exact = true }).ClickAsync();

        // The risk's page: it needs the owner's acceptance and A.5.30 is its planned control.
        await Expect(page).ToHaveURLAsync(new Regex($@"/o/{Slug}/risks/[0-9a-f-]{{36}}$"));
        var riskUrl = page.Url;
        await Expect(page.GetByRole(AriaRole.Heading, new() { Level = 1 })).ToHaveTextAsync(new Regex($@"^R-\d+ {Regex.Escape(Title)}$"));
        var reference = (await page.GetByRole(AriaRole.Heading, new() { Level = 1 }).InnerTextAsync()).Split(' ')[0];
        var acceptance = page.GetByRole(AriaRole.Region, new() { Name = "Acceptance of residual risk" });
        await Expect(main).ToContainTextAsync("High: likelihood 2 × impact 5 = 10 (acceptance threshold 9)");
        await Expect(main).ToContainTextAsync("Retain (accept)");
        await Expect(acceptance).ToContainTextAsync("The residual score 10 is above the threshold 9: the risk owner must accept it formally.");
        await BrowserHarness.AssertAccessibleAsync(page);

        // The planned control's page, and from there its SoA row, which lists the risk it treats.
        await main.GetByRole(AriaRole.Link, new() { Name = "A.5.30", Exact = true }).ClickAsync();
        await Expect(page).ToHaveURLAsync(Url(app, "frameworks/iso27001-2022/controls/A.5.30"));
        await Expect(page.GetByRole(AriaRole.Heading, new() { Level = 1 })).ToContainTextAsync("A.5.30");
        await BrowserHarness.AssertAccessibleAsync(page);
        await main.GetByRole(AriaRole.Link, new() { Name = "Edit the row", Exact = true }).ClickAsync();
        await Expect(page).ToHaveURLAsync(Url(app, "soa/A.5.30"));
        var treats = page.GetByRole(AriaRole.Region, new() { Name = "Risks this control treats" });
        await Expect(treats.GetByRole(AriaRole.Listitem)).ToHaveTextAsync([$"{reference} {Title} (residual High)"]);
        await BrowserHarness.AssertAccessibleAsync(page);
        await treats.GetByRole(AriaRole.Link, new() { Name = $"{reference} {Title}", Exact = true }).ClickAsync();
        await Expect(page).ToHaveURLAsync(riskUrl);

        // The owner accepts the residual risk for six months.
        await acceptance.GetByLabel("Accepted until", new() { Exact = true }).FillAsync(AcceptedUntil);
        await acceptance.GetByLabel("Why the residual risk is acceptable", new() { Exact = true }).FillAsync(Justification);
        await acceptance.GetByRole(AriaRole.Button, new() { Name = "Accept the residual risk", Exact = true }).ClickAsync();
        await Expect(page).ToHaveURLAsync(riskUrl);
        await Expect(acceptance).ToContainTextAsync($"Accepted by {DisplayName} on {Today} until {AcceptedUntil}: {Justification}");
        await Expect(acceptance).Not.ToContainTextAsync("must accept it formally");
        await BrowserHarness.AssertAccessibleAsync(page);

        // The heat map: one residual risk at likelihood 2, impact 5; its cell lists it in the register.
        await page.GotoAsync($"/o/{Slug}/risks");
        await main.GetByRole(AriaRole.Link, new() { Name = "Heat map", Exact = true }).ClickAsync();
        await Expect(page).ToHaveURLAsync(Url(app, "risks/heatmap"));
        await Expect(page.GetByRole(AriaRole.Heading, new() { Name = "Risk heat map", Level = 1 })).ToBeVisibleAsync();
        var cell = page.GetByRole(AriaRole.Group, new() { Name = "Residual risk heat map" })
            .GetByRole(AriaRole.Link, new() { Name = "Likelihood 2, impact 5: High, 1 risk", Exact = true });
        await Expect(cell).ToHaveTextAsync("1");
        await Expect(page.GetByRole(AriaRole.Group, new() { Name = "Inherent risk heat map" })
            .GetByRole(AriaRole.Link, new() { Name = "Likelihood 4, impact 5: Critical, 1 risk", Exact = true })).ToHaveTextAsync("1");
        await BrowserHarness.AssertAccessibleAsync(page);
        await cell.ClickAsync();
        await Expect(page).ToHaveURLAsync(Url(app, "risks?cell=residual:2:5"));
        var register = main.GetByRole(AriaRole.Table);
        await Expect(register.Locator("tbody").GetByRole(AriaRole.Row)).ToHaveCountAsync(1);
        await Expect(register.Locator("tbody").GetByRole(AriaRole.Row).GetByRole(AriaRole.Cell))
            .ToHaveTextAsync([reference, Title, DisplayName, "Critical (20)", "High (10)", "Retain (accept)", "2027-03-02"]);
        await BrowserHarness.AssertAccessibleAsync(page);

        // The register's other pages pass the same check.
        foreach (var (path, heading) in new[]
        {
            ("risks/treatment-plan", "Risk treatment plan"),
            ("risks/history", "The risk register at a date"),
            ("risks/method", "Risk method (version 1)"),
            ("risks/campaigns", "Risk review campaigns"),
        })
        {
            await page.GotoAsync($"/o/{Slug}/{path}");
            await Expect(page.GetByRole(AriaRole.Heading, new() { Level = 1 })).ToHaveTextAsync(heading);
            await BrowserHarness.AssertAccessibleAsync(page);
        }
    }

    private static string Url(TestApp app, string path) => new Uri(app.BaseAddress, $"/o/{Slug}/{path}").ToString();
}

using System.Net;
using System.Net.Http.Json;
using System.Text.RegularExpressions;
using Microsoft.Playwright;
using Perennial.ApiTokens;
using Perennial.Tests.Infrastructure;
using static Microsoft.Playwright.Assertions;

namespace Perennial.Tests.Browser;

/// <summary>
/// The web UI driven in a real, headless Chromium against Perennial on a loopback port, with an
/// accessibility check (axe) on every page visited.
/// </summary>
public sealed partial class BrowserTests
{
    private const string Email = "e@x.test";

    [Fact]
    public async Task A_person_signs_in_switches_organisation_creates_an_API_token_and_signs_out()
    {
        BrowserHarness.RequireChromium();

        var ct = TestContext.Current.CancellationToken;
        await using var app = await TestApp.StartAsync(kestrel: true);
        var user = await app.CreateUserAsync(Email);
        await app.CreateOrganisationAsync("alpha", user.Id);
        await app.CreateOrganisationAsync("beta", user.Id);

        using var playwright = await Playwright.CreateAsync();
        await using var browser = await BrowserHarness.LaunchChromiumAsync(playwright);
        await using var context = await browser.NewContextAsync(new BrowserNewContextOptions { BaseURL = app.BaseAddress.ToString() });
        var page = await context.NewPageAsync();
        var header = page.Locator("header");

        // Sign in: the home page sends an anonymous visitor to the sign-in page.
        await page.GotoAsync("/");
        await Expect(page).ToHaveURLAsync(SignInUrl());
        await Expect(page.GetByRole(AriaRole.Heading, new() { Name = "Sign in", Level = 1 })).ToBeVisibleAsync();
        await BrowserHarness.AssertAccessibleAsync(page);
        await page.GetByLabel("E-mail", new() { Exact = true }).FillAsync(Email);
        await page.GetByLabel("Password", new() { Exact = true }).FillAsync(TestApp.TestPassword);
        await page.GetByRole(AriaRole.Button, new() { Name = "Sign in", Exact = true }).ClickAsync();

        // Two organisations: the list of them, with the switcher in the header.
        await Expect(page).ToHaveURLAsync(new Uri(app.BaseAddress, "/orgs").ToString());
        await Expect(header.GetByRole(AriaRole.Button, new() { Name = "Sign out" })).ToBeVisibleAsync();
        await BrowserHarness.AssertAccessibleAsync(page);

        // Switch organisation: first alpha, then on to beta.
        await SwitchOrganisationAsync(page, "alpha");
        await SwitchOrganisationAsync(page, "beta");
        await Expect(page.GetByLabel("Organisation", new() { Exact = true })).ToHaveValueAsync("beta");
        await Expect(page.GetByRole(AriaRole.Navigation, new() { Name = "ISMS sections" })).ToContainTextAsync("Organisation beta");
        await Expect(page.GetByRole(AriaRole.Main)).Not.ToContainTextAsync("Organisation alpha");
        await BrowserHarness.AssertAccessibleAsync(page);

        // Create an API token; its secret is shown once.
        await header.GetByRole(AriaRole.Link, new() { Name = "API tokens" }).ClickAsync();
        await Expect(page).ToHaveURLAsync(new Uri(app.BaseAddress, "/account/tokens").ToString());
        await Expect(page.GetByText("You have no API tokens.")).ToBeVisibleAsync();
        await page.GetByLabel("Name (what it is for)").FillAsync("ci-pipeline");
        await page.GetByRole(AriaRole.Button, new() { Name = "Create token" }).ClickAsync();
        var shown = page.Locator("#new-token");
        await Expect(shown).ToBeVisibleAsync();
        var secret = (await shown.InnerTextAsync()).Trim();
        Assert.False(string.IsNullOrEmpty(secret), "The new token's secret is not shown.");
        await Expect(page.GetByRole(AriaRole.Row).Filter(new() { HasText = "ci-pipeline" })).ToContainTextAsync("active");
        await BrowserHarness.AssertAccessibleAsync(page);

        // The token works: the API knows who is calling.
        using (var api = app.CreateApiClient(secret))
        {
            using var response = await api.GetAsync(new Uri(app.BaseAddress, "api/v1/me"), ct);
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
            var me = await response.Content.ReadFromJsonAsync<MeDto>(ct);
            Assert.Equal(Email, me?.Email);
            Assert.Equal(user.Id, me?.Id);
        }

        // Sign out: back on the sign-in page, and organisation pages need signing in again.
        await header.GetByRole(AriaRole.Button, new() { Name = "Sign out" }).ClickAsync();
        await Expect(page).ToHaveURLAsync(SignInUrl());
        await Expect(page.GetByRole(AriaRole.Heading, new() { Name = "Sign in", Level = 1 })).ToBeVisibleAsync();
        await Expect(header.GetByRole(AriaRole.Button, new() { Name = "Sign out" })).ToHaveCountAsync(0);
        await page.GotoAsync("/o/alpha");
        await Expect(page).ToHaveURLAsync(SignInUrl());
        await Expect(page.GetByText("Organisation alpha")).ToHaveCountAsync(0);
    }

    /// <summary>Picks the organisation in the header's switcher and lands on its dashboard.</summary>
    private static async Task SwitchOrganisationAsync(IPage page, string slug)
    {
        var header = page.Locator("header");
        await header.GetByLabel("Organisation", new() { Exact = true }).SelectOptionAsync(new SelectOptionValue { Label = $"Organisation {slug}" });
        await header.GetByRole(AriaRole.Button, new() { Name = "Switch" }).ClickAsync();
        await Expect(page).ToHaveURLAsync(new Regex($"/o/{slug}$"));
        await Expect(page.GetByRole(AriaRole.Heading, new() { Name = "Dashboard", Level = 1 })).ToBeVisibleAsync();
        await Expect(page.GetByRole(AriaRole.Main).GetByRole(AriaRole.Heading, new() { Name = $"Organisation {slug}" })).ToBeVisibleAsync();
    }

    [GeneratedRegex(@"/account/sign-in(\?.*)?$")]
    private static partial Regex SignInUrl();
}

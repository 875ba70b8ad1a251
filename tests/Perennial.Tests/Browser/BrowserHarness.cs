using Deque.AxeCore.Commons;
using Deque.AxeCore.Playwright;
using Microsoft.Playwright;
using Perennial.Tests.Infrastructure;

namespace Perennial.Tests.Browser;

/// <summary>
/// What the browser tests share: the installed Chromium, launched headless without a sandbox, and the
/// axe check run on every page they visit.
/// </summary>
internal static class BrowserHarness
{
    public const string ChromiumPath = "/usr/bin/chromium";

    /// <summary>Skips the test (fails it on CI) when Chromium is not installed.</summary>
    public static void RequireChromium()
    {
        if (!File.Exists(ChromiumPath))
        {
            Requirements.Missing("Chromium", "apt-get install -y chromium");
        }
    }

    public static Task<IBrowser> LaunchChromiumAsync(IPlaywright playwright) =>
        playwright.Chromium.LaunchAsync(new BrowserTypeLaunchOptions
        {
            ExecutablePath = ChromiumPath,
            Headless = true,
            Args =
            [
                "--no-sandbox",
                "--disable-gpu",
                "--disable-background-networking",
                "--disable-component-update",
                "--disable-sync",
                "--no-first-run",
            ],
        });

    /// <summary>Signs in on the sign-in page with the test password and waits for the page it leads to.</summary>
    public static async Task SignInAsync(IPage page, string email)
    {
        await page.GotoAsync("/account/sign-in");
        await page.GetByLabel("E-mail", new() { Exact = true }).FillAsync(email);
        await page.GetByLabel("Password", new() { Exact = true }).FillAsync(TestApp.TestPassword);
        await page.GetByRole(AriaRole.Button, new() { Name = "Sign in", Exact = true }).ClickAsync();
        await Assertions.Expect(page.GetByRole(AriaRole.Heading, new() { Level = 1 })).ToBeVisibleAsync();
    }

    /// <summary>No serious or critical axe violations on the page as it stands (minor and moderate ones are not gated).</summary>
    public static async Task AssertAccessibleAsync(IPage page)
    {
        AxeResult result = await page.RunAxe();
        var blocking = result.Violations.Where(v => v.Impact is "serious" or "critical").ToList();
        Assert.True(blocking.Count == 0,
            $"Accessibility violations on {page.Url}:{Environment.NewLine}" + string.Join(Environment.NewLine, blocking.Select(v =>
                $"- {v.Id} ({v.Impact}): {v.Help} at {string.Join("; ", v.Nodes.Select(n => n.Target?.ToString()))}")));
    }
}

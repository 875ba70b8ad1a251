using Microsoft.Playwright;
using Perennial.Data;
using Perennial.Reminders;
using Perennial.Tests.Browser;
using Perennial.Tests.Infrastructure;
using static Microsoft.Playwright.Assertions;

namespace Perennial.Tests.Reminders;

/// <summary>The reminder settings pages in a real browser, with the accessibility check on each.</summary>
public sealed class ReminderBrowserTests
{
    [Fact]
    public async Task An_admin_adds_a_Teams_channel_and_a_line_manager_and_mutes_their_own_reminder_e_mails()
    {
        BrowserHarness.RequireChromium();
        var world = await ReminderWorld.CreateAsync(DatabaseProvider.Sqlite, mail: null, kestrel: true);
        await using var app = world.App;
        using var playwright = await Playwright.CreateAsync();
        await using var browser = await BrowserHarness.LaunchChromiumAsync(playwright);
        await using var context = await browser.NewContextAsync(new BrowserNewContextOptions { BaseURL = app.BaseAddress.ToString() });
        var page = await context.NewPageAsync();

        await page.GotoAsync("/account/sign-in");
        await page.GetByLabel("E-mail", new() { Exact = true }).FillAsync(ReminderWorld.Email("admin"));
        await page.GetByLabel("Password", new() { Exact = true }).FillAsync(TestApp.TestPassword);
        await page.GetByRole(AriaRole.Button, new() { Name = "Sign in", Exact = true }).ClickAsync();
        await page.WaitForURLAsync("**/o/acme**");

        await page.GotoAsync("/o/acme/settings");
        await page.GetByRole(AriaRole.Link, new() { Name = "Reminders, chat channels and escalation" }).ClickAsync();
        await Expect(page.GetByRole(AriaRole.Heading, new() { Name = "Reminders and escalation", Level = 1 })).ToBeVisibleAsync();
        await BrowserHarness.AssertAccessibleAsync(page);

        await page.GetByLabel("Microsoft Teams incoming webhook").FillAsync("https://contoso.webhook.office.com/webhookb2/secret-path");
        await page.GetByRole(AriaRole.Button, new() { Name = "Save chat channels" }).ClickAsync();
        await Expect(page.GetByRole(AriaRole.Status)).ToHaveTextAsync("Chat channels saved.");
        await Expect(page.GetByText("Set: posts to contoso.webhook.office.com")).ToBeVisibleAsync();
        await Expect(page.GetByLabel("Microsoft Teams incoming webhook")).ToHaveValueAsync("");

        var carl = page.GetByRole(AriaRole.Row).Filter(new() { HasText = ReminderWorld.Email("carl") });
        await carl.GetByLabel($"Line manager of {ReminderWorld.Email("carl")}").SelectOptionAsync(new SelectOptionValue { Label = "erin" });
        await carl.GetByRole(AriaRole.Button, new() { Name = "Save" }).ClickAsync();
        await Expect(page.GetByRole(AriaRole.Status)).ToHaveTextAsync("Line manager saved.");
        await Expect(page.GetByRole(AriaRole.Row).Filter(new() { HasText = ReminderWorld.Email("carl") }).GetByRole(AriaRole.Combobox))
            .ToHaveValueAsync(world.Users["erin"].ToString());
        await BrowserHarness.AssertAccessibleAsync(page);

        await page.GotoAsync("/o/acme/settings");
        await page.GetByRole(AriaRole.Link, new() { Name = "My notifications (mute reminder e-mails, weekly digest)" }).ClickAsync();
        await BrowserHarness.AssertAccessibleAsync(page);
        await page.GetByLabel("Mute reminder e-mails").CheckAsync();
        await page.GetByRole(AriaRole.Button, new() { Name = "Save" }).ClickAsync();
        await Expect(page.GetByRole(AriaRole.Status)).ToHaveTextAsync("Your notification settings are saved.");
        await Expect(page.GetByLabel("Mute reminder e-mails")).ToBeCheckedAsync();

        var admin = await world.WithSettingsAsync(s => s.PreferencesAsync(world.OrganisationId, world.Users["admin"], CancellationToken.None));
        Assert.True(admin.MuteEmail);
        Assert.Equal(new Uri("https://contoso.webhook.office.com/webhookb2/secret-path"),
            await world.WithSettingsAsync(s => s.WebhookAsync(world.OrganisationId, OutboxChannel.Teams, CancellationToken.None)));
    }
}

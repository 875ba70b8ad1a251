using System.Net;
using System.Text.RegularExpressions;
using Perennial.Tests.Infrastructure;

namespace Perennial.Tests.Accounts;

/// <summary>Installation administrators look after accounts; people change their own password.</summary>
public sealed partial class AccountAdministrationTests : IAsyncLifetime
{
    private TestApp app = null!;
    private HttpClient admin = null!;
    private Guid colleagueId;

    public async ValueTask InitializeAsync()
    {
        app = await TestApp.StartAsync();
        await app.CreateUserAsync("root@accounts.test", installationAdmin: true);
        colleagueId = (await app.CreateUserAsync("colleague@accounts.test")).Id;
        admin = await app.SignInAsync("root@accounts.test");
    }

    public async ValueTask DisposeAsync() => await app.DisposeAsync();

    [Fact]
    public async Task A_reset_password_is_shown_once_replaces_the_old_one_and_is_in_the_history()
    {
        app.Time.Advance(TimeSpan.FromDays(3));
        admin = await app.SignInAsync("root@accounts.test");
        var response = await TestApp.PostFormAsync(admin, "/admin/users", new Dictionary<string, string> { ["userId"] = colleagueId.ToString() }, handler: "ResetPassword");
        var html = await response.Content.ReadAsStringAsync();
        var password = NewPassword().Match(html).Groups[1].Value;

        Assert.NotEmpty(password);
        await Assert.ThrowsAsync<InvalidOperationException>(() => app.SignInAsync("colleague@accounts.test"));
        await app.SignInAsync("colleague@accounts.test", password);
        var history = await admin.GetStringAsync($"/admin/history?entityType=User&entityId={colleagueId}");
        Assert.Contains("PasswordChangedAt", history, StringComparison.Ordinal);
        Assert.Contains("root@accounts.test", history, StringComparison.Ordinal);
        Assert.DoesNotContain(password, history, StringComparison.Ordinal);
    }

    [Fact]
    public async Task An_administrator_unlocks_a_locked_account()
    {
        var browser = app.CreateClient(handleCookies: true);
        for (var i = 0; i < 5; i++)
        {
            await TestApp.PostFormAsync(browser, "/account/sign-in", new Dictionary<string, string> { ["Email"] = "colleague@accounts.test", ["Password"] = "wrong-password-" + i });
        }

        await Assert.ThrowsAsync<InvalidOperationException>(() => app.SignInAsync("colleague@accounts.test"));

        var unlock = await TestApp.PostFormAsync(admin, "/admin/users", new Dictionary<string, string> { ["userId"] = colleagueId.ToString() }, handler: "Unlock");

        Assert.Contains("is unlocked", await unlock.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        await app.SignInAsync("colleague@accounts.test");
    }

    [Fact]
    public async Task The_last_installation_administrator_cannot_be_withdrawn()
    {
        var me = await app.WithScopeAsync(s => Microsoft.Extensions.DependencyInjection.ServiceProviderServiceExtensions
            .GetRequiredService<Perennial.Accounts.AccountService>(s).FindByEmailAsync("root@accounts.test", CancellationToken.None));

        var response = await TestApp.PostFormAsync(admin, "/admin/users",
            new Dictionary<string, string> { ["userId"] = me!.Id.ToString(), ["isAdmin"] = "false" }, handler: "Administrator");

        Assert.Contains("must keep at least one administrator", await response.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        Assert.Equal(HttpStatusCode.OK, (await admin.GetAsync("/admin/history")).StatusCode);
    }

    [Fact]
    public async Task A_person_changes_their_own_password_after_giving_the_current_one()
    {
        var browser = await app.SignInAsync("colleague@accounts.test");

        var wrong = await TestApp.PostFormAsync(browser, "/account/password", new Dictionary<string, string>
        {
            ["Input.CurrentPassword"] = "not-my-password",
            ["Input.NewPassword"] = "a-brand-new-passphrase",
        });
        Assert.Contains("The current password is not correct.", await wrong.Content.ReadAsStringAsync(), StringComparison.Ordinal);

        var right = await TestApp.PostFormAsync(browser, "/account/password", new Dictionary<string, string>
        {
            ["Input.CurrentPassword"] = TestApp.TestPassword,
            ["Input.NewPassword"] = "a-brand-new-passphrase",
        });

        Assert.Contains("Your password has been changed.", await right.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        Assert.Equal(HttpStatusCode.OK, (await browser.GetAsync("/account/tokens")).StatusCode);
        await app.SignInAsync("colleague@accounts.test", "a-brand-new-passphrase");
    }

    [GeneratedRegex("<p class=\"secret\" id=\"new-password\">([^<]+)</p>")]
    private static partial Regex NewPassword();
}

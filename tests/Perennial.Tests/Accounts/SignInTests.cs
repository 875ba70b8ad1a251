using System.Net;
using Perennial.Tests.Infrastructure;

namespace Perennial.Tests.Accounts;

public sealed class SignInTests : IAsyncLifetime
{
    private TestApp app = null!;

    public async ValueTask InitializeAsync() => app = await TestApp.StartAsync();

    public async ValueTask DisposeAsync() => await app.DisposeAsync();

    [Fact]
    public async Task An_account_is_locked_after_five_wrong_passwords_even_for_the_right_one()
    {
        await app.CreateUserAsync("target@signin.test");
        var client = app.CreateClient(handleCookies: true);
        for (var i = 0; i < 5; i++)
        {
            var wrong = await TestApp.PostFormAsync(client, "/account/sign-in", Form("target@signin.test", "wrong-password-" + i));
            Assert.Equal(HttpStatusCode.OK, wrong.StatusCode);
        }

        var right = await TestApp.PostFormAsync(client, "/account/sign-in", Form("target@signin.test", TestApp.TestPassword));

        Assert.Equal(HttpStatusCode.OK, right.StatusCode);
        Assert.Contains("locked", await right.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        Assert.Equal(HttpStatusCode.Redirect, (await client.GetAsync("/orgs")).StatusCode);
    }

    [Fact]
    public async Task A_wrong_password_says_so_without_telling_whether_the_account_exists()
    {
        await app.CreateUserAsync("known@signin.test");
        var client = app.CreateClient(handleCookies: true);

        var known = await (await TestApp.PostFormAsync(client, "/account/sign-in", Form("known@signin.test", "nope-nope-nope"))).Content.ReadAsStringAsync();
        var unknown = await (await TestApp.PostFormAsync(client, "/account/sign-in", Form("unknown@signin.test", "nope-nope-nope"))).Content.ReadAsStringAsync();

        Assert.Contains("The e-mail address or password is not correct.", known, StringComparison.Ordinal);
        Assert.Contains("The e-mail address or password is not correct.", unknown, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("https://evil.example/phish")]
    [InlineData("//evil.example/phish")]
    [InlineData("/\\evil.example/phish")]
    [InlineData("/\t/evil.example")]
    public async Task Sign_in_returns_only_to_local_addresses(string returnUrl)
    {
        await app.CreateUserAsync("someone@signin.test");
        var client = app.CreateClient(handleCookies: true);
        var fields = Form("someone@signin.test", TestApp.TestPassword);
        fields["ReturnUrl"] = returnUrl;

        var response = await TestApp.PostFormAsync(client, "/account/sign-in", fields);

        Assert.Equal(HttpStatusCode.Redirect, response.StatusCode);
        Assert.Equal("/", response.Headers.Location?.OriginalString);
    }

    [Fact]
    public async Task The_setup_page_creates_the_first_administrator_and_then_disappears()
    {
        var client = app.CreateClient(handleCookies: true);
        Assert.Equal(HttpStatusCode.Redirect, (await client.GetAsync("/")).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await client.GetAsync("/setup")).StatusCode);

        var created = await TestApp.PostFormAsync(client, "/setup", new Dictionary<string, string>
        {
            ["Input.Email"] = "founder@signin.test",
            ["Input.DisplayName"] = "Founder",
            ["Input.Password"] = "a-very-long-password",
            ["Input.OrganisationName"] = "Founders Ltd",
            ["Input.OrganisationSlug"] = "founders",
        });

        Assert.Equal(HttpStatusCode.Redirect, created.StatusCode);
        Assert.Equal("/o/founders", created.Headers.Location?.OriginalString);
        Assert.Equal(HttpStatusCode.OK, (await client.GetAsync("/o/founders")).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await client.GetAsync("/admin/users")).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await app.CreateClient().GetAsync("/setup")).StatusCode);
    }

    [Fact]
    public async Task The_setup_page_is_closed_once_any_account_exists()
    {
        await app.RunCliAsync("", "demo", "seed");

        Assert.Equal(HttpStatusCode.NotFound, (await app.CreateClient().GetAsync("/setup")).StatusCode);
        var client = app.CreateClient(handleCookies: true);
        var signIn = await client.GetStringAsync("/account/sign-in");
        Assert.DoesNotContain("/setup", signIn, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_bad_setup_form_names_the_field_and_creates_nothing()
    {
        var client = app.CreateClient(handleCookies: true);

        var response = await TestApp.PostFormAsync(client, "/setup", new Dictionary<string, string>
        {
            ["Input.Email"] = "founder@signin.test",
            ["Input.Password"] = "a-very-long-password",
            ["Input.OrganisationName"] = "Founders Ltd",
            ["Input.OrganisationSlug"] = "Not a slug!",
        });

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Contains("slug must be", await response.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        var trail = await app.VerifyAuditTrailAsync();
        Assert.Equal(0, trail.EntriesChecked);
        Assert.Equal(HttpStatusCode.OK, (await app.CreateClient().GetAsync("/setup")).StatusCode);
    }

    private static Dictionary<string, string> Form(string email, string password) =>
        new() { ["Email"] = email, ["Password"] = password };
}

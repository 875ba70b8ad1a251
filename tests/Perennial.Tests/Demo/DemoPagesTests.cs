using System.Net;
using Microsoft.Extensions.DependencyInjection;
using Perennial.Demo;
using Perennial.Tests.Infrastructure;

namespace Perennial.Tests.Demo;

/// <summary>The demo organisation's pages render with its seeded scope, certificate and SoA.</summary>
public sealed class DemoPagesTests : IAsyncLifetime
{
    private TestApp app = null!;
    private HttpClient browser = null!;

    public async ValueTask InitializeAsync()
    {
        app = await TestApp.StartAsync();
        var signIn = await app.WithScopeAsync(s => s.GetRequiredService<DemoSeeder>().SeedAsync(CancellationToken.None));
        browser = await app.SignInAsync(signIn!.Email, signIn.Password);
    }

    public async ValueTask DisposeAsync() => await app.DisposeAsync();

    [Theory]
    [InlineData("/o/demo", "days</strong>")]
    [InlineData("/o/demo", "Version 1")]
    [InlineData("/o/demo/scope", "Lisbon office")]
    [InlineData("/o/demo/audits", "Surveillance audit 1")]
    [InlineData("/o/demo/controls", "93 / 93")]
    [InlineData("/o/demo/soa/A.8.30", "no development is outsourced")]
    [InlineData("/o/demo/soa/versions", "Statement of Applicability as certified")]
    [InlineData("/o/demo/soa/print?version=1", "A.8.34")]
    [InlineData("/o/demo/soa/compare?from=1&to=draft", "No row differs.")]
    [InlineData("/o/demo/frameworks/iso27001-2022", "A.5.1")]
    [InlineData("/o/demo/frameworks/iso27001-2022?search=backing", "A.8.13")]
    [InlineData("/o/demo/frameworks/iso27001-2022/controls/A.8.13", "Mapped controls in other frameworks")]
    public async Task A_demo_page_renders_its_content(string path, string expected)
    {
        var response = await browser.GetAsync(path);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Contains(expected, System.Net.WebUtility.HtmlDecode(await response.Content.ReadAsStringAsync()), StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("/o/demo/soa/A.99.1")]
    [InlineData("/o/demo/soa/compare?from=7&to=1")]
    [InlineData("/o/demo/scope/versions/9")]
    [InlineData("/o/demo/frameworks/nope")]
    public async Task A_missing_record_is_a_404_page(string path)
    {
        var response = await browser.GetAsync(path);

        Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);
    }
}

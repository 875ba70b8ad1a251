using System.Net;
using Microsoft.Extensions.DependencyInjection;
using Perennial.Demo;
using Perennial.Tests.Infrastructure;

namespace Perennial.Tests.Demo;

/// <summary>One demo installation shared by the page tests: seeding it once keeps them quick.</summary>
public sealed class DemoFixture : IAsyncLifetime
{
    public TestApp App { get; private set; } = null!;
    public HttpClient Browser { get; private set; } = null!;

    public async ValueTask InitializeAsync()
    {
        App = await TestApp.StartAsync();
        var signIn = await App.WithScopeAsync(s => s.GetRequiredService<DemoSeeder>().SeedAsync(CancellationToken.None));
        Browser = await App.SignInAsync(signIn!.Email, signIn.Password);
    }

    public async ValueTask DisposeAsync() => await App.DisposeAsync();
}

/// <summary>The demo organisation's pages render with its seeded scope, certificate, SoA and risk register.</summary>
public sealed class DemoPagesTests(DemoFixture demo) : IClassFixture<DemoFixture>
{
    private HttpClient browser => demo.Browser;

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
    [InlineData("/o/demo/risks", "R-001")]
    [InlineData("/o/demo/risks?sort=residual&desc=true", "Ransomware")]
    [InlineData("/o/demo/risks?needsAcceptance=true", "Vulnerable dependency exploited")]
    [InlineData("/o/demo/risks?cell=residual:2:5", "Cloud region outage")]
    [InlineData("/o/demo/risks/heatmap", "Residual risk heat map")]
    [InlineData("/o/demo/risks/treatment-plan", "Automate weekly dependency updates")]
    [InlineData("/o/demo/risks/history", "30 risk(s)")]
    [InlineData("/o/demo/risks/method", "Almost certain")]
    [InlineData("/o/demo/risks/campaigns", "No campaign yet.")]
    [InlineData("/o/demo/risks/new", "Planned controls (Annex A)")]
    [InlineData("/o/demo/soa/A.8.13", "Backups cannot be restored in time")]
    [InlineData("/o/demo", "above the threshold without a valid acceptance")]
    [InlineData("/o/demo", "risk reviews overdue")]
    [InlineData("/o/demo/changes", "New payroll provider from next quarter")]
    [InlineData("/o/demo/changes", "Move staff sign-in to the new identity provider")]
    [InlineData("/o/demo/changes/incidents", "Incidents")]
    [InlineData("/o/demo/assets", "Customer analytics data")]
    public async Task A_demo_page_renders_its_content(string path, string expected)
    {
        var response = await browser.GetAsync(path);

        Assert.True(response.StatusCode == HttpStatusCode.OK, $"{path}: {(int)response.StatusCode}");
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

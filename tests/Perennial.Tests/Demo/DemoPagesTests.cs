using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Perennial.Activities;
using Perennial.Data;
using Perennial.Demo;
using Perennial.Nonconformities;
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
    [InlineData("/o/demo", "risk review due")]
    [InlineData("/o/demo/changes", "New payroll provider from next quarter")]
    [InlineData("/o/demo/changes", "Move staff sign-in to the new identity provider")]
    [InlineData("/o/demo/changes/incidents", "Incidents")]
    [InlineData("/o/demo/assets", "Customer analytics data")]
    [InlineData("/o/demo/calendar", "17 activities")]
    [InlineData("/o/demo/calendar", "Privileged access review")]
    [InlineData("/o/demo/calendar", "On the external audit dates of the certification cycle")]
    [InlineData("/o/demo/calendar/cycle", "Surveillance audit 1")]
    [InlineData("/o/demo/measures", "Fewer clicks on phishing")]
    [InlineData("/o/demo/management-reviews", "Automate the joiners-movers-leavers checklist")]
    [InlineData("/o/demo/context", "Operational-resilience rules for financial clients")]
    public async Task A_demo_page_renders_its_content(string path, string expected)
    {
        var response = await browser.GetAsync(path);

        Assert.True(response.StatusCode == HttpStatusCode.OK, $"{path}: {(int)response.StatusCode}");
        Assert.Contains(expected, System.Net.WebUtility.HtmlDecode(await response.Content.ReadAsStringAsync()), StringComparison.Ordinal);
    }

    [Fact]
    public async Task The_demo_routine_has_a_year_of_history_done_on_time_late_skipped_and_missed()
    {
        var today = DateOnly.FromDateTime(demo.App.Time.GetUtcNow().UtcDateTime);
        var past = await browser.GetFromJsonAsync<JsonElement>($"/api/v1/orgs/demo/calendar?from={today.AddYears(-1):yyyy-MM-dd}&to={today.AddDays(-1):yyyy-MM-dd}");
        var statuses = past.EnumerateArray().Select(o => o.GetProperty("status").GetString()).ToList();

        Assert.True(statuses.Count >= 30, $"{statuses.Count} past occurrences");
        Assert.True(statuses.Count(s => s == "completed-on-time") > statuses.Count / 2, string.Join(", ", statuses));
        Assert.Contains("completed-late", statuses);
        Assert.Equal(1, statuses.Count(s => s == "skipped"));
        Assert.Equal(1, statuses.Count(s => s == "overdue"));
        Assert.All(past.EnumerateArray().Where(o => o.GetProperty("state").GetString() == "completed"), o => Assert.True(o.GetProperty("evidenceCount").GetInt32() > 0));

        await demo.App.WithScopeAsync(async s =>
        {
            var db = s.GetRequiredService<PerennialDbContext>();
            var orgId = await db.Organisations.Where(o => o.Slug == DemoSeeder.Slug).Select(o => o.Id).SingleAsync();

            var missed = await db.Occurrences.Include(o => o.Activity).SingleAsync(o => o.OrganisationId == orgId && o.State == OccurrenceState.Open && o.DueDate < today);
            Assert.Equal("privileged-access-review", missed.Activity!.TemplateKey);
            Assert.True(today > missed.DueDate.AddDays(missed.Activity.GraceDays), $"due {missed.DueDate}, grace {missed.Activity.GraceDays} days");
            var nonconformity = await db.Nonconformities.SingleAsync(n => n.OrganisationId == orgId && n.Source == NonconformitySource.MissedActivity);
            Assert.Equal(missed.NonconformityId, nonconformity.Id);
            Assert.Equal(missed.Id, nonconformity.OccurrenceId);
            Assert.Equal((NonconformitySource.MissedActivity, NonconformityStatus.Raised), (nonconformity.Source, nonconformity.Status));

            var skipped = await db.Occurrences.Include(o => o.Activity).Include(o => o.SkipApprovedBy).SingleAsync(o => o.OrganisationId == orgId && o.State == OccurrenceState.Skipped);
            Assert.Equal("vulnerability-scan", skipped.Activity!.TemplateKey);
            Assert.False(string.IsNullOrWhiteSpace(skipped.SkipReason));
            Assert.Equal("isms.manager@perennial.example", skipped.SkipApprovedBy!.Email);

            // Completions were recorded at the instants they happened, by the activities' owners, with their evidence.
            var completed = await db.Occurrences.Include(o => o.Activity).Include(o => o.Evidence)
                .Where(o => o.OrganisationId == orgId && o.State == OccurrenceState.Completed && o.Activity!.TemplateKey != "internal-audit-programme").ToListAsync();
            Assert.All(completed, o => Assert.True(o.CompletedAt < demo.App.Time.GetUtcNow() && o.CompletedByUserId == o.Activity!.OwnerUserId));
            Assert.All(completed, o => Assert.Empty(OccurrenceService.MissingEvidence(o.Activity!.EvidenceRequired, [.. o.Evidence.Select(e => e.Requirement)])));
            Assert.Contains(completed, o => o.CompletedAt!.Value.UtcDateTime.Date > o.DueDate.ToDateTime(TimeOnly.MinValue));

            // Owners are spread over the demo colleagues, most with a deputy.
            var owners = await db.Activities.Where(a => a.OrganisationId == orgId).Select(a => a.Owner!.Email).Distinct().CountAsync();
            Assert.True(owners >= 4, $"{owners} owners");
            Assert.True(await db.Activities.CountAsync(a => a.OrganisationId == orgId && a.DeputyUserId != null) >= 7);
        });
    }

    [Fact]
    public async Task The_demo_calendar_shows_the_missed_review_as_overdue_and_the_next_dates_ahead()
    {
        var page = System.Net.WebUtility.HtmlDecode(await browser.GetStringAsync("/o/demo/calendar"));

        var row = System.Text.RegularExpressions.Regex.Match(page, "<tr data-activity=\"[^\"]+\">\\s*<td>ACT-002</td>(.*?)</tr>", System.Text.RegularExpressions.RegexOptions.Singleline).Groups[1].Value;
        Assert.Contains("Privileged access review", row, StringComparison.Ordinal);
        Assert.Contains("Overdue</span></td>", row, StringComparison.Ordinal);
        Assert.Contains("on time", row, StringComparison.Ordinal);
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

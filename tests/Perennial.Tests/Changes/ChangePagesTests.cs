using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Perennial.Data;
using Perennial.Tests.Infrastructure;

namespace Perennial.Tests.Changes;

/// <summary>The change pages: raise a change, answer its impact, settle its tasks, close it; incidents; the webhook page.</summary>
public sealed class ChangePagesTests : IAsyncLifetime
{
    private ChangeFixture f = null!;

    public async ValueTask InitializeAsync() => f = await ChangeFixture.CreateAsync(DatabaseProvider.Sqlite);

    public async ValueTask DisposeAsync() => await f.App.DisposeAsync();

    [Fact]
    public async Task A_change_is_raised_answered_and_closed_once_its_task_is_waived()
    {
        var browser = await f.App.SignInAsync("manager@acme.test");
        Assert.Contains("Raise a change", await browser.GetStringAsync("/o/acme/changes"), StringComparison.Ordinal);

        var raised = await TestApp.PostFormAsync(browser, "/o/acme/changes", new Dictionary<string, string>
        {
            ["form.Title"] = "Move payroll to Payflow",
            ["form.Type"] = "supplier",
            ["form.PlannedOn"] = "2026-04-30",
            ["form.AssetIds"] = f.Assets["Payroll data"].ToString(),
        });
        Assert.Equal(HttpStatusCode.Redirect, raised.StatusCode);
        var page = raised.Headers.Location!.OriginalString;
        var id = Guid.Parse(page.Split('/').Last());

        var detail = await browser.GetStringAsync(page);
        Assert.Contains("<legend>Does it add or change a supplier that handles our information?</legend>", detail, StringComparison.Ordinal);

        var answered = await TestApp.PostFormAsync(browser, page, new Dictionary<string, string>
        {
            ["impact.scope"] = "no",
            ["impact.assets"] = "no",
            ["impact.supplier"] = "yes",
            ["impact.access"] = "no",
            ["impact.legal"] = "no",
            ["impact.soa"] = "no",
        }, handler: "Impact");
        Assert.Equal(HttpStatusCode.Redirect, answered.StatusCode);
        detail = await browser.GetStringAsync(page);
        Assert.Contains($"href=\"/o/acme/risks/{f.Risks["payroll"]}\"", detail, StringComparison.Ordinal);
        Assert.DoesNotContain($"/o/acme/risks/{f.Risks["wifi"]}", detail, StringComparison.Ordinal);

        var refused = await TestApp.PostFormAsync(browser, page, new Dictionary<string, string>(), handler: "Close");
        Assert.Equal(HttpStatusCode.OK, refused.StatusCode);
        Assert.Contains("cannot be closed while a follow-up task is open: Reassess the affected risks", await refused.Content.ReadAsStringAsync(), StringComparison.Ordinal);

        var change = await f.Manager.GetFromJsonAsync<JsonElement>($"/api/v1/orgs/acme/changes/{id}");
        var taskId = change.GetProperty("tasks")[0].GetProperty("id").GetString()!;
        var noReason = await TestApp.PostFormAsync(browser, page, new Dictionary<string, string> { ["taskId"] = taskId }, handler: "Waive");
        Assert.Contains("a waiver needs a reason", await noReason.Content.ReadAsStringAsync(), StringComparison.Ordinal);

        var contributor = await f.App.SignInAsync("ana@acme.test");
        Assert.Equal(HttpStatusCode.Forbidden, (await TestApp.PostFormAsync(contributor, page, new Dictionary<string, string>(), handler: "Close")).StatusCode);

        Assert.Equal(HttpStatusCode.Redirect, (await TestApp.PostFormAsync(browser, page,
            new Dictionary<string, string> { ["taskId"] = taskId, ["reason"] = "Payflow was assessed last year." }, handler: "Waive")).StatusCode);
        Assert.Equal(HttpStatusCode.Redirect, (await TestApp.PostFormAsync(browser, page, new Dictionary<string, string>(), handler: "Close")).StatusCode);
        Assert.Contains("Closed on 2026-03-02", await browser.GetStringAsync(page), StringComparison.Ordinal);
    }

    [Fact]
    public async Task An_incident_is_recorded_on_its_page()
    {
        var browser = await f.App.SignInAsync("ana@acme.test");

        var recorded = await TestApp.PostFormAsync(browser, "/o/acme/changes/incidents", new Dictionary<string, string>
        {
            ["form.OccurredOn"] = "2026-03-01",
            ["form.Title"] = "Phishing mail opened by HR",
            ["form.Severity"] = "medium",
            ["form.AssetIds"] = f.Assets["HR system"].ToString(),
        });

        Assert.Equal(HttpStatusCode.Redirect, recorded.StatusCode);
        var list = await browser.GetStringAsync("/o/acme/changes/incidents");
        Assert.Contains("IN-001 Phishing mail opened by HR", list, StringComparison.Ordinal);
        Assert.Contains("The reviews of 1 risk(s) on its assets are now due.", list, StringComparison.Ordinal);

        // Its page takes timeline entries and, to resolve it, the lessons learned (refused without them, naming the field).
        var link = System.Text.RegularExpressions.Regex.Match(list, "href=\"(/o/acme/changes/incidents/[0-9a-f-]{36})\"").Groups[1].Value;
        Assert.NotEmpty(link);
        Assert.Equal(HttpStatusCode.Redirect, (await TestApp.PostFormAsync(browser, link, new Dictionary<string, string> { ["text"] = "Password of the HR account reset" }, "Event")).StatusCode);
        var missing = await TestApp.PostFormAsync(browser, link, new Dictionary<string, string> { ["resolvedOn"] = "2026-03-02" }, "Resolve");
        Assert.Equal(HttpStatusCode.OK, missing.StatusCode);
        Assert.Contains("lessonsLearned is required.", await missing.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        Assert.Equal(HttpStatusCode.Redirect, (await TestApp.PostFormAsync(browser, link, new Dictionary<string, string> { ["resolvedOn"] = "2026-03-02", ["lessonsLearned"] = "Phishing drill for HR" }, "Resolve")).StatusCode);
        var page = await browser.GetStringAsync(link);
        Assert.Contains("Password of the HR account reset", page, StringComparison.Ordinal);
        Assert.Contains("Resolved 2026-03-02", page, StringComparison.Ordinal);
        Assert.Contains("Lessons learned:</strong> Phishing drill for HR", page, StringComparison.Ordinal);
    }

    [Fact]
    public async Task The_webhook_page_shows_a_new_secret_once_and_only_to_admins()
    {
        var admin = await f.App.SignInAsync("admin@acme.test");
        var page = await admin.GetStringAsync("/o/acme/changes/webhook");
        Assert.Contains("openssl dgst -sha256 -hmac", page, StringComparison.Ordinal);
        Assert.Contains("http://localhost/api/v1/orgs/acme/changes/webhook", page, StringComparison.Ordinal);

        var created = await TestApp.PostFormAsync(admin, "/o/acme/changes/webhook", new Dictionary<string, string>());
        var shown = await created.Content.ReadAsStringAsync();
        Assert.Contains("id=\"new-secret\"", shown, StringComparison.Ordinal);
        Assert.DoesNotContain("id=\"new-secret\"", await admin.GetStringAsync("/o/acme/changes/webhook"), StringComparison.Ordinal);

        var manager = await f.App.SignInAsync("manager@acme.test");
        Assert.Equal(HttpStatusCode.Forbidden, (await manager.GetAsync("/o/acme/changes/webhook")).StatusCode);
    }
}

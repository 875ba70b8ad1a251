using System.Text.RegularExpressions;
using ClosedXML.Excel;
using Microsoft.Playwright;
using Perennial.Tests.Infrastructure;
using static Microsoft.Playwright.Assertions;

namespace Perennial.Tests.Browser;

/// <summary>
/// The Statement of Applicability driven in a real, headless Chromium: a row excluded, a version
/// published and two versions compared, with an accessibility check (axe) on every page visited.
/// </summary>
public sealed class SoaBrowserTests
{
    private const string Email = "ciso@soa-browser.test";
    private const string Slug = "acme";
    private const string Justification = "No premises of our own: everyone works remotely.";
    private const string Reason = "The office lease ended in May.";

    [Fact]
    public async Task An_ISMS_manager_excludes_a_control_publishes_version_2_and_sees_only_that_row_change_against_version_1()
    {
        BrowserHarness.RequireChromium();

        var ct = TestContext.Current.CancellationToken;
        await using var app = await TestApp.StartAsync(kestrel: true);
        var user = await app.CreateUserAsync(Email);
        await app.CreateOrganisationAsync(Slug, user.Id);

        // The draft as a spreadsheet, every row decided: applicable, with a justification.
        byte[] decided;
        using (var api = app.CreateApiClient(await app.CreateTokenAsync(user.Id)))
        {
            var xlsx = await api.GetByteArrayAsync(new Uri(app.BaseAddress, $"api/v1/orgs/{Slug}/soa/export.xlsx"), ct);
            decided = DecideEveryRow(xlsx);
        }

        using var playwright = await Playwright.CreateAsync();
        await using var browser = await BrowserHarness.LaunchChromiumAsync(playwright);
        await using var context = await browser.NewContextAsync(new BrowserNewContextOptions { BaseURL = app.BaseAddress.ToString() });
        var page = await context.NewPageAsync();
        var main = page.GetByRole(AriaRole.Main);

        // Sign in and open "Controls & SoA".
        await page.GotoAsync($"/o/{Slug}");
        await Expect(page).ToHaveURLAsync(new Regex(@"/account/sign-in(\?.*)?$"));
        await page.GetByLabel("E-mail", new() { Exact = true }).FillAsync(Email);
        await page.GetByLabel("Password", new() { Exact = true }).FillAsync(TestApp.TestPassword);
        await page.GetByRole(AriaRole.Button, new() { Name = "Sign in", Exact = true }).ClickAsync();
        await Expect(page.GetByRole(AriaRole.Heading, new() { Name = "Dashboard", Level = 1 })).ToBeVisibleAsync();
        await page.GetByRole(AriaRole.Navigation, new() { Name = "ISMS sections" })
            .GetByRole(AriaRole.Link, new() { Name = "Controls & SoA" }).ClickAsync();
        await Expect(page).ToHaveURLAsync(Url(app, "controls"));
        await Expect(page.GetByRole(AriaRole.Heading, new() { Name = "Controls & Statement of Applicability", Level = 1 })).ToBeVisibleAsync();
        await Expect(main).ToContainTextAsync("0 / 93 rows decided in the draft");
        await BrowserHarness.AssertAccessibleAsync(page);

        // Version 1: the decided spreadsheet imported through the upload form, then published.
        await page.GetByLabel("Update the draft from an edited XLSX").SetInputFilesAsync(new FilePayload
        {
            Name = "soa.xlsx",
            MimeType = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
            Buffer = decided,
        });
        await page.GetByRole(AriaRole.Button, new() { Name = "Import", Exact = true }).ClickAsync();
        await Expect(page.GetByRole(AriaRole.Status)).ToContainTextAsync("93 row(s) changed");
        await Expect(main).ToContainTextAsync("93 / 93 rows decided in the draft");
        await page.GetByLabel("Publish the draft as version 1").FillAsync("First");
        await page.GetByRole(AriaRole.Button, new() { Name = "Publish", Exact = true }).ClickAsync();
        await Expect(page).ToHaveURLAsync(Url(app, "controls"));
        await Expect(page.GetByRole(AriaRole.Status)).ToHaveTextAsync("Version 1 published.");
        await BrowserHarness.AssertAccessibleAsync(page);

        // Exclude A.7.4 on its row page.
        var soaTable = page.GetByRole(AriaRole.Table, new() { Name = "Draft Statement of Applicability" });
        await soaTable.GetByRole(AriaRole.Link, new() { Name = "A.7.4", Exact = true }).ClickAsync();
        await Expect(page).ToHaveURLAsync(Url(app, "soa/A.7.4"));
        await Expect(page.GetByRole(AriaRole.Heading, new() { Level = 1 })).ToContainTextAsync("A.7.4");
        await Expect(page.GetByLabel("Yes, it applies")).ToBeCheckedAsync();
        await BrowserHarness.AssertAccessibleAsync(page);
        await page.GetByLabel("No, it is excluded").CheckAsync();
        await page.GetByLabel("Justification for including or excluding it").FillAsync(Justification);
        await page.GetByLabel("Why this changes").FillAsync(Reason);
        await page.GetByLabel("Implementation status").SelectOptionAsync(new SelectOptionValue { Label = "Not applicable" });
        await page.GetByRole(AriaRole.Button, new() { Name = "Save the row" }).ClickAsync();

        // Back on the SoA: the row is excluded in the draft; publish it as version 2.
        await Expect(page).ToHaveURLAsync(Url(app, "controls"));
        var row = soaTable.GetByRole(AriaRole.Row).Filter(new() { Has = page.GetByRole(AriaRole.Link, new() { Name = "A.7.4", Exact = true }) });
        await Expect(row.GetByRole(AriaRole.Cell)).ToHaveTextAsync(["No", Justification, "Not applicable", ""]);
        await page.GetByLabel("Publish the draft as version 2").FillAsync("A.7.4 excluded: no office any more");
        await page.GetByRole(AriaRole.Button, new() { Name = "Publish", Exact = true }).ClickAsync();
        await Expect(page).ToHaveURLAsync(Url(app, "controls"));
        await Expect(page.GetByRole(AriaRole.Status)).ToHaveTextAsync("Version 2 published.");
        await Expect(main).ToContainTextAsync(new Regex($@"Version 2\s*published 2026-03-02 by {Regex.Escape(Email)}"));

        // Reloading shows the page again without publishing a third version.
        await page.ReloadAsync();
        await Expect(page.GetByRole(AriaRole.Status)).ToHaveCountAsync(0);
        await Expect(page.GetByLabel("Publish the draft as version 3")).ToBeVisibleAsync();

        // The versions, and version 1 compared with version 2.
        await page.GetByRole(AriaRole.Link, new() { Name = "Published versions and comparison" }).ClickAsync();
        await Expect(page).ToHaveURLAsync(Url(app, "soa/versions"));
        await Expect(main.GetByRole(AriaRole.Table).GetByRole(AriaRole.Row)).ToHaveCountAsync(3);
        await BrowserHarness.AssertAccessibleAsync(page);
        await page.GetByLabel("Compare", new() { Exact = true }).SelectOptionAsync(new SelectOptionValue { Label = "version 1" });
        await page.GetByLabel("with", new() { Exact = true }).SelectOptionAsync(new SelectOptionValue { Label = "version 2" });
        await page.GetByRole(AriaRole.Button, new() { Name = "Compare", Exact = true }).ClickAsync();

        await Expect(page).ToHaveURLAsync(Url(app, "soa/compare?from=1&to=2"));
        await Expect(page.GetByRole(AriaRole.Heading, new() { Level = 1 })).ToHaveTextAsync("Statement of Applicability: version 1 compared with version 2");
        await Expect(page.Locator("#diff-summary")).ToHaveTextAsync("1 changed, 0 added, 0 removed.");
        var diff = main.GetByRole(AriaRole.Table);
        await Expect(diff.GetByRole(AriaRole.Rowheader)).ToHaveTextAsync(["A.7.4"]);
        await Expect(diff.Locator("tbody tr > td:first-of-type")).ToHaveTextAsync(["Applicable", "Justification", "Implementation status"]);
        var applicable = diff.GetByRole(AriaRole.Row).Filter(new() { Has = page.GetByRole(AriaRole.Cell, new() { Name = "Applicable", Exact = true }) });
        await Expect(applicable.GetByRole(AriaRole.Rowheader)).ToHaveTextAsync("A.7.4");
        await Expect(applicable.GetByRole(AriaRole.Cell)).ToHaveTextAsync(["Applicable", "Yes", "No", Reason]);
        var status = diff.GetByRole(AriaRole.Row).Filter(new() { Has = page.GetByRole(AriaRole.Cell, new() { Name = "Implementation status", Exact = true }) });
        await Expect(status.GetByRole(AriaRole.Cell).Last).ToHaveTextAsync("Not applicable");
        await BrowserHarness.AssertAccessibleAsync(page);

        // The scope, the audits and a control's own page pass the same check.
        foreach (var (path, heading) in new[]
        {
            ("scope", "ISMS scope"),
            ("audits", "Audits"),
            ("frameworks/iso27001-2022/controls/A.5.1", "A.5.1"),
        })
        {
            await page.GotoAsync($"/o/{Slug}/{path}");
            await Expect(page.GetByRole(AriaRole.Heading, new() { Level = 1 })).ToContainTextAsync(heading);
            await BrowserHarness.AssertAccessibleAsync(page);
        }
    }

    /// <summary>Every control row of the exported draft marked applicable, with a justification.</summary>
    private static byte[] DecideEveryRow(byte[] xlsx)
    {
        using var input = new MemoryStream(xlsx);
        using var workbook = new XLWorkbook(input);
        var sheet = workbook.Worksheet(1);
        Assert.Equal("Applicable", sheet.Cell(1, 4).GetString());
        Assert.Equal("Justification", sheet.Cell(1, 5).GetString());
        var rows = sheet.RowsUsed().Skip(1).ToList();
        Assert.Equal(93, rows.Count);
        foreach (var row in rows)
        {
            row.Cell(4).SetValue("Yes");
            row.Cell(5).SetValue("Needed to treat the risks in the register.");
        }

        using var output = new MemoryStream();
        workbook.SaveAs(output);
        return output.ToArray();
    }

    private static string Url(TestApp app, string path) => new Uri(app.BaseAddress, $"/o/{Slug}/{path}").ToString();
}

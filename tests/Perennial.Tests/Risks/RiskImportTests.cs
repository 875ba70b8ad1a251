using System.Diagnostics;
using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using System.Text.RegularExpressions;
using ClosedXML.Excel;
using Microsoft.Extensions.DependencyInjection;
using Perennial.Accounts;
using Perennial.Data;
using Perennial.Organisations;
using Perennial.Paging;
using Perennial.Risks;
using Perennial.Tests.Infrastructure;

namespace Perennial.Tests.Risks;

/// <summary>The heavy import, formula injection, mapping and the import page: SQLite only.</summary>
public sealed partial class SqliteRiskImportTests() : RiskImportTests(DatabaseProvider.Sqlite)
{
    private static readonly string[] Treatments = ["mitigate", "accept", "transfer", "avoid", "Reduce", "Terminate", "Share", "Retain", "Modify"];

    [Fact]
    public async Task A_register_of_2000_rows_imports_with_levels_computed_and_a_first_revision_each()
    {
        string[] headers = ["Risk title", "Description", "Asset(s)", "Threat", "Risk owner", "Likelihood (inherent)", "Impact (inherent)", "Treatment", "Residual likelihood", "Residual impact", "Status"];
        var xlsx = Workbook(headers, Enumerable.Range(1, 2000).Select(i => new object?[]
        {
            $"Risk {i}",
            $"What could go wrong, case {i}.",
            i % 3 == 0 ? "Customer database; Payroll system" : i % 3 == 1 ? "Customer database" : null,
            "Ransomware",
            i % 2 == 0 ? "alice@acme.test" : "Bob Builder",
            (i % 5) + 1,
            (i / 5 % 5) + 1,
            Treatments[i % Treatments.Length],
            i % 4 == 0 ? null : 1,
            i % 4 == 0 ? null : 2,
            i % 10 == 0 ? "Closed" : "Open",
        }));

        var watch = Stopwatch.StartNew();
        var response = await ImportAsync(xlsx, "register.xlsx");
        watch.Stop();
        TestContext.Current.TestOutputHelper?.WriteLine($"2,000 rows imported in {watch.ElapsedMilliseconds} ms ({xlsx.Length / 1024} KB XLSX).");

        Assert.True(response.StatusCode == HttpStatusCode.OK, await response.Content.ReadAsStringAsync());
        var body = await response.Content.ReadFromJsonAsync<JsonElement>();
        Assert.Equal(2000, body.GetProperty("imported").GetInt32());
        Assert.True(watch.Elapsed < TimeSpan.FromSeconds(30), $"The import took {watch.Elapsed}.");

        await App.WithScopeAsync(async s =>
        {
            var service = s.GetRequiredService<RiskService>();
            var all = await service.ListAsync(OrgId, new RiskQuery(Status: null), new PageRequest(1, 1), CancellationToken.None);
            Assert.Equal(2000, all.Total);

            // Row 1234 of the data: R-1234, likelihood 1234 % 5 + 1 = 5, impact 246 % 5 + 1 = 2, residual 1 × 2.
            var risk = (await service.FindByReferenceAsync(OrgId, "R-1234", CancellationToken.None))!;
            Assert.Equal("Risk 1234", risk.Title);
            Assert.Equal("What could go wrong, case 1234.", risk.Description);
            Assert.Equal("Ransomware", risk.Threat);
            Assert.Equal(Alice, risk.OwnerUserId);
            Assert.Equal((5, 2, 10, "High"), (risk.InherentLikelihood, risk.InherentImpact, risk.InherentScore, risk.InherentLevel));
            Assert.Equal((1, 2, 2, "Low"), (risk.ResidualLikelihood, risk.ResidualImpact, risk.ResidualScore, risk.ResidualLevel));
            Assert.Equal(TreatmentOption.Retain, risk.Treatment); // "accept"
            Assert.Equal(RiskStatus.Open, risk.Status);
            Assert.Equal([CustomerDatabase], risk.Assets.Select(a => a.AssetId));

            // Residual defaults to inherent; display names find owners too; every 10th row is closed.
            var r1000 = (await service.FindByReferenceAsync(OrgId, "R-1000", CancellationToken.None))!;
            Assert.Equal((r1000.InherentLikelihood, r1000.InherentImpact), (r1000.ResidualLikelihood, r1000.ResidualImpact));
            Assert.Equal(RiskStatus.Closed, r1000.Status);
            var r999 = (await service.FindByReferenceAsync(OrgId, "R-999", CancellationToken.None))!;
            Assert.Equal(Bob, r999.OwnerUserId);
            Assert.Equal(2, r999.Assets.Count);

            var revisions = await service.RevisionsAsync(OrgId, risk.Id, CancellationToken.None);
            var revision = Assert.Single(revisions);
            Assert.Equal(1, revision.Number);
            Assert.Equal("imported from register.xlsx", revision.Reason);
            Assert.Null(revision.ValidTo);
            Assert.Equal("Risk 1234", revision.Snapshot.Title);
            Assert.Equal("Alice Example", revision.Snapshot.Owner);
            Assert.Equal(["Customer database"], revision.Snapshot.Assets);

            var db = s.GetRequiredService<PerennialDbContext>();
            Assert.Equal(2000, db.RiskRevisions.Count(r => r.OrganisationId == OrgId && r.Number == 1));
        });

        Assert.True((await App.VerifyAuditTrailAsync()).Intact);
    }

    [Fact]
    public async Task An_imported_risk_has_the_same_first_revision_as_one_created_by_hand()
    {
        var csv = "Title,Description,Threat,Vulnerability,Owner,Inherent likelihood,Inherent impact,Existing controls,Treatment,Planned controls,Treatment plan,Residual likelihood,Residual impact,Asset(s)\n"
            + "Laptop theft,Stolen laptop exposes data,Theft,No disk encryption,alice@acme.test,4,3,Asset register,modify,\"A.8.1, A.5.10\",Encrypt all disks,2,3,Customer database\n";
        Assert.Equal(HttpStatusCode.OK, (await ImportAsync(Encoding.UTF8.GetBytes(csv), "one.csv")).StatusCode);

        await App.WithScopeAsync(async s =>
        {
            var service = s.GetRequiredService<RiskService>();
            var db = s.GetRequiredService<PerennialDbContext>();
            var controls = db.Controls.Where(c => c.OrganisationId == OrgId && (c.Identifier == "A.8.1" || c.Identifier == "A.5.10")).Select(c => c.Id).ToList();
            var byHand = await service.CreateAsync(OrgId, new RiskInput("Laptop theft", "Stolen laptop exposes data", "Theft", "No disk encryption", Alice, 4, 3,
                "Asset register", TreatmentOption.Modify, "Encrypt all disks", 2, 3, 12, [CustomerDatabase], controls), CancellationToken.None);
            var imported = (await service.FindByReferenceAsync(OrgId, "R-001", CancellationToken.None))!;

            var a = Assert.Single(await service.RevisionsAsync(OrgId, imported.Id, CancellationToken.None)).Snapshot;
            var b = Assert.Single(await service.RevisionsAsync(OrgId, byHand.Id, CancellationToken.None)).Snapshot;
            Assert.Equal(JsonSerializer.Serialize(b with { Reference = a.Reference }), JsonSerializer.Serialize(a));
            Assert.Equal(["A.5.10", "A.8.1"], a.Controls);
            Assert.Equal(["Customer database"], a.Assets);
        });
    }

    [Fact]
    public async Task Formula_cells_of_a_CSV_are_stored_as_text_and_exported_with_the_quote_prefix()
    {
        const string Cmd = "=cmd|' /C calc'!A0";
        const string Plus = "+1+1";
        const string At = "@SUM(A1)";
        const string Minus = "-2+3";
        var csv = "Title,Description,Threat,Vulnerability,Likelihood,Impact,Treatment\n"
            + $"{Cmd},{Plus},{At},{Minus},2,2,accept\n"
            + "Plain title,Plain text,Fire,Old wiring,1,1,retain\n";

        var response = await ImportAsync(Encoding.UTF8.GetBytes(csv), "injection.csv");
        Assert.True(response.StatusCode == HttpStatusCode.OK, await response.Content.ReadAsStringAsync());

        await App.WithScopeAsync(async s =>
        {
            var risk = (await s.GetRequiredService<RiskService>().FindByReferenceAsync(OrgId, "R-001", CancellationToken.None))!;
            Assert.Equal(Cmd, risk.Title);
            Assert.Equal(Plus, risk.Description);
            Assert.Equal(At, risk.Threat);
            Assert.Equal(Minus, risk.Vulnerability);
        });

        var export = await Manager.GetAsync("/api/v1/orgs/acme/risks/export.xlsx");
        Assert.Equal(HttpStatusCode.OK, export.StatusCode);
        Assert.Equal("application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", export.Content.Headers.ContentType?.MediaType);
        using var workbook = new XLWorkbook(await export.Content.ReadAsStreamAsync());
        var sheet = workbook.Worksheet("Risk register");
        Assert.Equal("Reference", sheet.Cell(1, 1).GetString());
        Assert.Equal(1, sheet.SheetView.SplitRow);
        Assert.True(sheet.AutoFilter.IsEnabled);
        var columns = sheet.Row(1).CellsUsed().ToDictionary(c => c.GetString(), c => c.Address.ColumnNumber);
        foreach (var (column, expected) in new[] { ("Title", Cmd), ("Description", Plus), ("Threat", At), ("Vulnerability", Minus) })
        {
            var cell = sheet.Cell(2, columns[column]);
            Assert.False(cell.HasFormula, column);
            Assert.Equal(XLDataType.Text, cell.DataType);
            Assert.Equal(expected, cell.GetString());
            Assert.True(cell.Style.IncludeQuotePrefix, column);
        }

        Assert.Equal("Plain title", sheet.Cell(3, columns["Title"]).GetString());
        Assert.False(sheet.Cell(3, columns["Title"]).Style.IncludeQuotePrefix);
        Assert.Equal(2, sheet.Cell(2, columns["Inherent likelihood"]).GetDouble());
    }

    [Fact]
    public async Task A_formula_cell_in_an_XLSX_is_imported_as_its_formula_text_never_evaluated()
    {
        using var workbook = new XLWorkbook();
        var sheet = workbook.AddWorksheet("Sheet1");
        string[] headers = ["Title", "Likelihood", "Impact", "Treatment", "Description"];
        for (var c = 0; c < headers.Length; c++)
        {
            sheet.Cell(1, c + 1).SetValue(headers[c]);
        }

        sheet.Cell(2, 1).FormulaA1 = "HYPERLINK(\"http://example.test\",\"click\")";
        sheet.Cell(2, 2).SetValue(3);
        sheet.Cell(2, 3).SetValue(3);
        sheet.Cell(2, 4).SetValue("avoid");
        sheet.Cell(2, 5).FormulaA1 = "1+1";
        using var output = new MemoryStream();
        workbook.SaveAs(output);

        var response = await ImportAsync(output.ToArray(), "formulas.xlsx");
        Assert.True(response.StatusCode == HttpStatusCode.OK, await response.Content.ReadAsStringAsync());
        await App.WithScopeAsync(async s =>
        {
            var risk = (await s.GetRequiredService<RiskService>().FindByReferenceAsync(OrgId, "R-001", CancellationToken.None))!;
            Assert.Equal("=HYPERLINK(\"http://example.test\",\"click\")", risk.Title);
            Assert.Equal("=1+1", risk.Description);
            Assert.Equal(TreatmentOption.Avoid, risk.Treatment);
        });
    }

    [Fact]
    public async Task The_preview_suggests_a_mapping_from_common_names_and_shows_rows_as_they_would_be_imported()
    {
        var csv = "Ref,Risk title,Likelihood (inherent),Impact,Risk owner,Inherent level,Response,Next review date\n"
            + "RSK-7,Supplier outage,Likely,4 - Major,Bob Builder,High,Transfer,2026-09-30\n"
            + "RSK-8,Phishing,9,2,carol@elsewhere.test,Low,tolerate,30/09/2026\n";

        var preview = await PreviewAsync(Encoding.UTF8.GetBytes(csv), "legacy.csv", mapping: null);

        var suggested = preview.GetProperty("suggestedMapping");
        Assert.Equal("reference", suggested.GetProperty("Ref").GetString());
        Assert.Equal("title", suggested.GetProperty("Risk title").GetString());
        Assert.Equal("inherentLikelihood", suggested.GetProperty("Likelihood (inherent)").GetString());
        Assert.Equal("inherentImpact", suggested.GetProperty("Impact").GetString());
        Assert.Equal("owner", suggested.GetProperty("Risk owner").GetString());
        Assert.Equal(JsonValueKind.Null, suggested.GetProperty("Inherent level").ValueKind);
        Assert.Equal("treatment", suggested.GetProperty("Response").GetString());
        Assert.Equal("nextReview", suggested.GetProperty("Next review date").GetString());
        Assert.Equal(2, preview.GetProperty("rows").GetInt32());
        Assert.False(preview.GetProperty("canImport").GetBoolean());

        var first = preview.GetProperty("preview")[0];
        Assert.Equal("RSK-7", first.GetProperty("reference").GetString());
        Assert.Equal("Bob Builder", first.GetProperty("owner").GetString());
        Assert.Equal(4, first.GetProperty("inherentLikelihood").GetInt32());
        Assert.Equal(4, first.GetProperty("inherentImpact").GetInt32());
        Assert.Equal("High", first.GetProperty("inherentLevel").GetString());
        Assert.Equal("share", first.GetProperty("treatment").GetString());
        Assert.Equal("2026-09-30", first.GetProperty("nextReview").GetString());
        Assert.Empty(first.GetProperty("errors").EnumerateArray());

        var errors = preview.GetProperty("errors").EnumerateArray().Select(e => (e.GetProperty("row").GetInt32(), e.GetProperty("column").GetString())).ToList();
        Assert.Equal(new (int, string?)[] { (3, "Likelihood (inherent)"), (3, "Next review date"), (3, "Risk owner") }, errors.Order());
        Assert.Equal(3, preview.GetProperty("preview")[1].GetProperty("errors").GetArrayLength());
        await AssertRegisterEmptyAsync();
    }

    [Fact]
    public async Task A_mapping_for_renamed_headers_imports_what_the_suggestion_could_not()
    {
        var csv = "Scenario,Chance,Damage,What we do,Person accountable,Remarks\n"
            + "Data centre flood,2,5,share,alice@acme.test,Insured\n";
        var bytes = Encoding.UTF8.GetBytes(csv);

        var unmapped = await ImportAsync(bytes, "renamed.csv");
        Assert.Equal(HttpStatusCode.BadRequest, unmapped.StatusCode);
        var missing = (await unmapped.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("errors").EnumerateArray().Select(e => e.GetProperty("column").GetString()).ToList();
        Assert.Contains("Title", missing);
        await AssertRegisterEmptyAsync();

        var mapping = JsonSerializer.Serialize(new Dictionary<string, string?>
        {
            ["Scenario"] = "title",
            ["Chance"] = "inherentLikelihood",
            ["Damage"] = "Inherent impact",
            ["What we do"] = "treatment",
            ["Person accountable"] = "owner",
            ["Remarks"] = null,
        });
        var mapped = await ImportAsync(bytes, "renamed.csv", mapping);

        Assert.True(mapped.StatusCode == HttpStatusCode.OK, await mapped.Content.ReadAsStringAsync());
        await App.WithScopeAsync(async s =>
        {
            var risk = (await s.GetRequiredService<RiskService>().FindByReferenceAsync(OrgId, "R-001", CancellationToken.None))!;
            Assert.Equal("Data centre flood", risk.Title);
            Assert.Equal((2, 5, "High"), (risk.InherentLikelihood, risk.InherentImpact, risk.InherentLevel));
            Assert.Equal(TreatmentOption.Share, risk.Treatment);
            Assert.Equal(Alice, risk.OwnerUserId);
            Assert.Null(risk.Description);
        });

        var bad = await ImportAsync(bytes, "renamed.csv", "{\"Scenario\": \"headline\", \"Nope\": \"title\"}");
        Assert.Equal(HttpStatusCode.BadRequest, bad.StatusCode);
        var messages = (await bad.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("errors").EnumerateArray().Select(e => e.GetProperty("message").GetString()!).ToList();
        Assert.Contains(messages, m => m.Contains("'headline' is not a risk field", StringComparison.Ordinal));
        Assert.Contains(messages, m => m.Contains("'Nope'", StringComparison.Ordinal));
    }

    [Fact]
    public async Task The_exported_register_imports_back_with_every_column_recognised()
    {
        var csv = "Title,Description,Asset(s),Threat,Vulnerability,Owner,Likelihood,Impact,Existing controls,Treatment,Planned controls,Treatment plan,Residual likelihood,Residual impact,Review interval,Last review\n"
            + "Laptop theft,Stolen laptop,Customer database; Payroll system,Theft,No encryption,Bob Builder,4,3,Asset register,modify,5.10 A.8.1,Encrypt disks,2,3,quarterly,2026-01-15\n"
            + "Flood,Office flood,,Weather,Basement,,2,5,,share,,,,,,\n";
        Assert.Equal(HttpStatusCode.OK, (await ImportAsync(Encoding.UTF8.GetBytes(csv), "first.csv")).StatusCode);
        var export = await Manager.GetByteArrayAsync("/api/v1/orgs/acme/risks/export.xlsx");

        var preview = await PreviewAsync(export, "risk-register.xlsx", mapping: null);
        var suggested = preview.GetProperty("suggestedMapping").EnumerateObject().ToDictionary(p => p.Name, p => p.Value.GetString());
        Assert.Equal(24, suggested.Count);
        Assert.Equal(
            ["Inherent level", "Residual level", "Accepted by", "Accepted until", "Acceptance justification"],
            suggested.Where(p => p.Value is null).Select(p => p.Key));
        Assert.Contains(preview.GetProperty("errors").EnumerateArray(), e => e.GetProperty("message").GetString()!.Contains("R-001 is already in the register", StringComparison.Ordinal));

        suggested["Reference"] = null;
        var reimport = await ImportAsync(export, "risk-register.xlsx", JsonSerializer.Serialize(suggested));

        Assert.True(reimport.StatusCode == HttpStatusCode.OK, await reimport.Content.ReadAsStringAsync());
        await App.WithScopeAsync(async s =>
        {
            var service = s.GetRequiredService<RiskService>();
            var original = (await service.RevisionsAsync(OrgId, (await service.FindByReferenceAsync(OrgId, "R-001", CancellationToken.None))!.Id, CancellationToken.None))[0].Snapshot;
            var copy = (await service.RevisionsAsync(OrgId, (await service.FindByReferenceAsync(OrgId, "R-003", CancellationToken.None))!.Id, CancellationToken.None))[0].Snapshot;
            Assert.Equal(JsonSerializer.Serialize(original with { Reference = "R-003" }), JsonSerializer.Serialize(copy));
            Assert.Equal(3, copy.ReviewIntervalMonths);
            Assert.Equal(new DateOnly(2026, 4, 15), copy.NextReviewOn);
            Assert.Equal(["A.5.10", "A.8.1"], copy.Controls);
            var flood = (await service.FindByReferenceAsync(OrgId, "R-004", CancellationToken.None))!;
            Assert.Equal((2, 5, TreatmentOption.Share, (Guid?)null), (flood.ResidualLikelihood, flood.ResidualImpact, flood.Treatment, flood.OwnerUserId));
        });
    }

    [Fact]
    public async Task The_treatment_plan_exports_the_open_actions_soonest_first()
    {
        var csv = "Title,Likelihood,Impact,Treatment\nLaptop theft,3,3,modify\nPhishing,4,2,modify\n";
        Assert.Equal(HttpStatusCode.OK, (await ImportAsync(Encoding.UTF8.GetBytes(csv), "two.csv")).StatusCode);
        await App.WithScopeAsync(async s =>
        {
            var service = s.GetRequiredService<RiskService>();
            var laptop = (await service.FindByReferenceAsync(OrgId, "R-001", CancellationToken.None))!;
            var phishing = (await service.FindByReferenceAsync(OrgId, "R-002", CancellationToken.None))!;
            await service.AddActionAsync(OrgId, laptop.Id, "Encrypt every disk", Alice, new DateOnly(2026, 6, 30), CancellationToken.None);
            await service.AddActionAsync(OrgId, phishing.Id, "=Train staff", Bob, new DateOnly(2026, 2, 1), CancellationToken.None);
            var done = await service.AddActionAsync(OrgId, phishing.Id, "Turn on MFA", null, new DateOnly(2026, 1, 1), CancellationToken.None);
            await service.SetActionStatusAsync(OrgId, done.Id, ActionStatus.Done, CancellationToken.None);
        });

        using var workbook = new XLWorkbook(await Manager.GetStreamAsync("/api/v1/orgs/acme/risks/treatment-plan.xlsx"));
        var sheet = workbook.Worksheet("Treatment plan");
        Assert.Equal(["Risk reference", "Risk title", "Action", "Owner", "Due date", "Status", "Overdue"], sheet.Row(1).CellsUsed().Select(c => c.GetString()));
        Assert.Equal(3, sheet.LastRowUsed()!.RowNumber());
        Assert.Equal(["R-002", "Phishing", "=Train staff", "Bob Builder"], Enumerable.Range(1, 4).Select(c => sheet.Cell(2, c).GetString()));
        Assert.True(sheet.Cell(2, 3).Style.IncludeQuotePrefix);
        Assert.Equal(new DateTime(2026, 2, 1), sheet.Cell(2, 5).GetDateTime());
        Assert.Equal("Yes", sheet.Cell(2, 7).GetString());
        Assert.Equal("Encrypt every disk", sheet.Cell(3, 3).GetString());
        Assert.Equal(1, sheet.SheetView.SplitRow);
    }

    [Fact]
    public async Task The_import_page_carries_the_file_through_mapping_and_preview_to_the_import()
    {
        var browser = await App.SignInAsync("admin@acme.test");
        var csv = "Scenario,Chance,Impact,Treatment\nSupplier outage,3,3,transfer\nPower cut,2,2,retain\n";

        var page = await browser.GetStringAsync("/o/acme/risks/import");
        using var upload = new MultipartFormDataContent
        {
            { new StringContent(Token(page)), "__RequestVerificationToken" },
            { new ByteArrayContent(Encoding.UTF8.GetBytes(csv)), "file", "outages.csv" },
        };
        var step2 = await browser.PostAsync("/o/acme/risks/import?handler=Upload", upload);
        var html = await step2.Content.ReadAsStringAsync();

        Assert.Equal(HttpStatusCode.OK, step2.StatusCode);
        Assert.Contains("No column is mapped to Title", html, StringComparison.Ordinal);
        Assert.DoesNotContain("handler=Import", html, StringComparison.Ordinal);
        var fileData = HiddenValue(html, "FileData");

        var fields = new Dictionary<string, string>
        {
            ["__RequestVerificationToken"] = Token(html),
            ["FileName"] = "outages.csv",
            ["FileData"] = fileData,
            ["Columns[0].Column"] = "Scenario",
            ["Columns[0].Field"] = "title",
            ["Columns[1].Column"] = "Chance",
            ["Columns[1].Field"] = "inherentLikelihood",
            ["Columns[2].Column"] = "Impact",
            ["Columns[2].Field"] = "inherentImpact",
            ["Columns[3].Column"] = "Treatment",
            ["Columns[3].Field"] = "treatment",
        };
        var step3 = await browser.PostAsync("/o/acme/risks/import?handler=Preview", new FormUrlEncodedContent(fields));
        var preview = WebUtility.HtmlDecode(await step3.Content.ReadAsStringAsync());
        Assert.Contains("Supplier outage", preview, StringComparison.Ordinal);
        Assert.Contains("3 × 3: Medium", preview, StringComparison.Ordinal);
        Assert.Contains("Import 2 risk(s)", preview, StringComparison.Ordinal);
        await AssertRegisterEmptyAsync();

        fields["__RequestVerificationToken"] = Token(preview);
        var done = await browser.PostAsync("/o/acme/risks/import?handler=Import", new FormUrlEncodedContent(fields));
        Assert.Equal(HttpStatusCode.Redirect, done.StatusCode);
        Assert.Contains("2 risks imported: R-001 to R-002.", await browser.GetStringAsync(done.Headers.Location!.OriginalString), StringComparison.Ordinal);
    }

    private static string Token(string html) => AntiforgeryField().Match(html).Groups[1].Value;

    private static string HiddenValue(string html, string name) =>
        WebUtility.HtmlDecode(Regex.Match(html, $"name=\"{name}\" value=\"([^\"]*)\"").Groups[1].Value);

    [GeneratedRegex("name=\"__RequestVerificationToken\" type=\"hidden\" value=\"([^\"]+)\"")]
    private static partial Regex AntiforgeryField();
}

public sealed class PostgresRiskImportTests() : RiskImportTests(DatabaseProvider.Postgres);

/// <summary>Importing a risk register from XLSX or CSV: all or nothing, with each problem's row and column.</summary>
public abstract class RiskImportTests(DatabaseProvider provider) : IAsyncLifetime
{
    protected TestApp App { get; private set; } = null!;
    protected HttpClient Manager { get; private set; } = null!;
    protected Guid OrgId { get; private set; }
    protected Guid Alice { get; private set; }
    protected Guid Bob { get; private set; }
    protected Guid CustomerDatabase { get; private set; }

    public async ValueTask InitializeAsync()
    {
        App = await TestApp.StartAsync(provider);
        var admin = await App.CreateUserAsync("admin@acme.test");
        var org = await App.CreateOrganisationAsync("acme", admin.Id);
        OrgId = org.Id;
        Alice = await MemberAsync("alice@acme.test", "Alice Example");
        Bob = await MemberAsync("bob@acme.test", "Bob Builder");
        Manager = App.CreateApiClient(await App.CreateTokenAsync(admin.Id));
        CustomerDatabase = await AssetAsync("Customer database", "information");
        await AssetAsync("Payroll system", "system");
    }

    public async ValueTask DisposeAsync() => await App.DisposeAsync();

    [Fact]
    public async Task A_row_with_an_unknown_owner_imports_nothing_and_names_its_row_and_column()
    {
        string[] headers = ["Risk title", "Risk owner", "Likelihood", "Impact", "Treatment"];
        var xlsx = Workbook(headers,
        [
            ["Laptop theft", "alice@acme.test", 3, 3, "mitigate"],
            ["Phishing", "Bob Builder", 4, 2, "mitigate"],
            ["Insider fraud", "mallory@elsewhere.test", 2, 5, "transfer"],
            ["Power cut", null, 2, 2, "accept"],
        ]);

        var response = await ImportAsync(xlsx, "register.xlsx");

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        var error = Assert.Single((await response.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("errors").EnumerateArray());
        Assert.Equal(4, error.GetProperty("row").GetInt32());
        Assert.Equal("Risk owner", error.GetProperty("column").GetString());
        Assert.Contains("mallory@elsewhere.test", error.GetProperty("message").GetString(), StringComparison.Ordinal);
        await AssertRegisterEmptyAsync();
    }

    [Fact]
    public async Task A_level_out_of_the_methods_range_imports_nothing_and_names_its_row_and_column()
    {
        var csv = "Title,Likelihood,Impact,Treatment\n"
            + "Laptop theft,3,3,mitigate\n"
            + "Phishing,6,2,mitigate\n"
            + "Power cut,2,2,accept\n";

        var response = await ImportAsync(Encoding.UTF8.GetBytes(csv), "register.csv");

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        var error = Assert.Single((await response.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("errors").EnumerateArray());
        Assert.Equal(3, error.GetProperty("row").GetInt32());
        Assert.Equal("Likelihood", error.GetProperty("column").GetString());
        Assert.Contains("between 1 and 5", error.GetProperty("message").GetString(), StringComparison.Ordinal);
        await AssertRegisterEmptyAsync();

        var fixedCsv = csv.Replace("Phishing,6,2", "Phishing,5,2", StringComparison.Ordinal);
        var retry = await ImportAsync(Encoding.UTF8.GetBytes(fixedCsv), "register.csv");
        Assert.True(retry.StatusCode == HttpStatusCode.OK, await retry.Content.ReadAsStringAsync());
        var body = await retry.Content.ReadFromJsonAsync<JsonElement>();
        Assert.Equal(["R-001", "R-002", "R-003"], body.GetProperty("references").EnumerateArray().Select(r => r.GetString()));
    }

    protected async Task<HttpResponseMessage> ImportAsync(byte[] file, string fileName, string? mapping = null)
    {
        using var content = new MultipartFormDataContent { { new ByteArrayContent(file), "file", fileName } };
        if (mapping is not null)
        {
            content.Add(new StringContent(mapping), "mapping");
        }

        return await Manager.PostAsync("/api/v1/orgs/acme/risks/import", content);
    }

    protected async Task<JsonElement> PreviewAsync(byte[] file, string fileName, string? mapping)
    {
        using var content = new MultipartFormDataContent { { new ByteArrayContent(file), "file", fileName } };
        if (mapping is not null)
        {
            content.Add(new StringContent(mapping), "mapping");
        }

        var response = await Manager.PostAsync("/api/v1/orgs/acme/risks/import/preview", content);
        Assert.True(response.StatusCode == HttpStatusCode.OK, await response.Content.ReadAsStringAsync());
        return await response.Content.ReadFromJsonAsync<JsonElement>();
    }

    protected async Task AssertRegisterEmptyAsync() =>
        await App.WithScopeAsync(async s =>
        {
            var db = s.GetRequiredService<PerennialDbContext>();
            Assert.Equal(0, await Microsoft.EntityFrameworkCore.EntityFrameworkQueryableExtensions.CountAsync(db.Risks));
            Assert.Equal(0, await Microsoft.EntityFrameworkCore.EntityFrameworkQueryableExtensions.CountAsync(db.RiskRevisions));
        });

    protected static byte[] Workbook(string[] headers, IEnumerable<object?[]> rows)
    {
        using var workbook = new XLWorkbook();
        var sheet = workbook.AddWorksheet("Register");
        for (var c = 0; c < headers.Length; c++)
        {
            sheet.Cell(1, c + 1).SetValue(headers[c]);
        }

        var r = 2;
        foreach (var row in rows)
        {
            for (var c = 0; c < row.Length; c++)
            {
                switch (row[c])
                {
                    case int n:
                        sheet.Cell(r, c + 1).SetValue(n);
                        break;
                    case string s:
                        sheet.Cell(r, c + 1).SetValue(s);
                        break;
                }
            }

            r++;
        }

        using var output = new MemoryStream();
        workbook.SaveAs(output);
        return output.ToArray();
    }

    private async Task<Guid> MemberAsync(string email, string displayName)
    {
        var user = await App.WithScopeAsync(async s => (await s.GetRequiredService<AccountService>().CreateAsync(email, displayName, TestApp.TestPassword, false, CancellationToken.None)).User);
        await App.AddMemberAsync(OrgId, email, OrgRole.Contributor);
        return user.Id;
    }

    private async Task<Guid> AssetAsync(string name, string kind)
    {
        var response = await Manager.PostAsJsonAsync("/api/v1/orgs/acme/assets", new { name, kind, classification = "confidential" });
        Assert.Equal(HttpStatusCode.Created, response.StatusCode);
        return (await response.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("id").GetGuid();
    }
}

using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using ClosedXML.Excel;
using Perennial.Data;
using Perennial.Tests.Infrastructure;

namespace Perennial.Tests.Soa;

public sealed class SqliteSoaTests() : SoaTests(DatabaseProvider.Sqlite);

public sealed class PostgresSoaTests() : SoaTests(DatabaseProvider.Postgres);

/// <summary>The Statement of Applicability: draft, XLSX round trip, publishing and comparing versions.</summary>
public abstract class SoaTests(DatabaseProvider provider) : IAsyncLifetime
{
    private TestApp app = null!;
    private HttpClient manager = null!;

    public async ValueTask InitializeAsync()
    {
        app = await TestApp.StartAsync(provider);
        var admin = await app.CreateUserAsync("ciso@soa.test");
        await app.CreateOrganisationAsync("soa", admin.Id);
        manager = app.CreateApiClient(await app.CreateTokenAsync(admin.Id));
    }

    public async ValueTask DisposeAsync() => await app.DisposeAsync();

    [Fact]
    public async Task The_draft_has_one_row_for_each_of_the_93_Annex_A_controls()
    {
        var draft = await manager.GetFromJsonAsync<JsonElement>("/api/v1/orgs/soa/soa?pageSize=200");

        var ids = draft.GetProperty("items").EnumerateArray().Select(r => r.GetProperty("control").GetString()!).ToList();
        Assert.Equal(93, draft.GetProperty("total").GetInt32());
        Assert.Equal(93, ids.Distinct().Count());
        Assert.Equal("A.5.1", ids[0]);
        Assert.Equal("A.8.34", ids[^1]);
    }

    [Fact]
    public async Task Exporting_and_importing_unchanged_changes_nothing()
    {
        var xlsx = await manager.GetByteArrayAsync("/api/v1/orgs/soa/soa/export.xlsx");
        var trailBefore = (await app.VerifyAuditTrailAsync()).EntriesChecked;

        var result = await ImportAsync(xlsx);

        Assert.Equal(HttpStatusCode.OK, result.StatusCode);
        Assert.Equal(0, (await result.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("changed").GetInt32());
        Assert.Equal(trailBefore, (await app.VerifyAuditTrailAsync()).EntriesChecked);
    }

    [Fact]
    public async Task Changing_three_rows_in_the_spreadsheet_changes_exactly_those_rows()
    {
        var xlsx = await manager.GetByteArrayAsync("/api/v1/orgs/soa/soa/export.xlsx");
        var edited = Edit(xlsx, sheet =>
        {
            SetRow(sheet, "A.5.7", "Yes", "Threat feeds inform our patching priorities.", "Partial");
            SetRow(sheet, "A.7.4", "No", "No premises of our own: fully remote company.", "Not applicable");
            SetRow(sheet, "A.8.13", "Yes", "Customer data must be recoverable.", "Implemented");
        });

        var result = await ImportAsync(edited);

        Assert.Equal(HttpStatusCode.OK, result.StatusCode);
        var body = await result.Content.ReadFromJsonAsync<JsonElement>();
        Assert.Equal(["A.5.7", "A.7.4", "A.8.13"], body.GetProperty("changedRows").EnumerateArray().Select(r => r.GetString()!).Order(StringComparer.Ordinal));
        var rows = await DraftAsync();
        Assert.Equal("No premises of our own: fully remote company.", rows["A.7.4"].GetProperty("justification").GetString());
        Assert.False(rows["A.7.4"].GetProperty("applicable").GetBoolean());
        Assert.Equal("not-applicable", rows["A.7.4"].GetProperty("status").GetString());
        Assert.Equal("implemented", rows["A.8.13"].GetProperty("status").GetString());
        Assert.Equal(3, rows.Values.Count(r => r.GetProperty("justification").ValueKind == JsonValueKind.String));
    }

    [Fact]
    public async Task A_row_with_an_unknown_control_rejects_the_whole_import_naming_its_row()
    {
        var xlsx = await manager.GetByteArrayAsync("/api/v1/orgs/soa/soa/export.xlsx");
        var edited = Edit(xlsx, sheet =>
        {
            SetRow(sheet, "A.5.1", "Yes", "Policies are the base of the ISMS.", "Implemented");
            sheet.Cell(96, 1).SetValue("A.9.99");
            sheet.Cell(96, 4).SetValue("Yes");
            sheet.Cell(96, 5).SetValue("Not a control");
        });

        var result = await ImportAsync(edited);

        Assert.Equal(HttpStatusCode.BadRequest, result.StatusCode);
        var problem = await result.Content.ReadFromJsonAsync<JsonElement>();
        var error = Assert.Single(problem.GetProperty("errors").EnumerateArray());
        Assert.Equal(96, error.GetProperty("row").GetInt32());
        Assert.Contains("A.9.99", error.GetProperty("message").GetString(), StringComparison.Ordinal);
        var rows = await DraftAsync();
        Assert.Equal(JsonValueKind.Null, rows["A.5.1"].GetProperty("justification").ValueKind);
    }

    [Fact]
    public async Task A_bad_value_is_reported_with_its_row_and_column()
    {
        var xlsx = await manager.GetByteArrayAsync("/api/v1/orgs/soa/soa/export.xlsx");
        var edited = Edit(xlsx, sheet => SetRow(sheet, "A.6.3", "Maybe", "Training for all staff.", "Implemented"));

        var result = await ImportAsync(edited);

        Assert.Equal(HttpStatusCode.BadRequest, result.StatusCode);
        var error = Assert.Single((await result.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("errors").EnumerateArray());
        Assert.Equal(RowOf(xlsx, "A.6.3"), error.GetProperty("row").GetInt32());
        Assert.Equal("Applicable", error.GetProperty("column").GetString());
    }

    [Fact]
    public async Task Publishing_needs_every_row_decided_and_versions_compare_row_by_row()
    {
        var notReady = await manager.PostAsJsonAsync("/api/v1/orgs/soa/soa/publish", new { summary = "First" });
        Assert.Equal(HttpStatusCode.Conflict, notReady.StatusCode);
        Assert.Contains("A.5.1", await notReady.Content.ReadAsStringAsync(), StringComparison.Ordinal);

        var xlsx = await manager.GetByteArrayAsync("/api/v1/orgs/soa/soa/export.xlsx");
        var all = Edit(xlsx, sheet =>
        {
            for (var r = 2; r <= 94; r++)
            {
                sheet.Cell(r, 4).SetValue("Yes");
                sheet.Cell(r, 5).SetValue("Needed to treat the risks in the register.");
            }
        });
        Assert.Equal(HttpStatusCode.OK, (await ImportAsync(all)).StatusCode);
        var v1 = await manager.PostAsJsonAsync("/api/v1/orgs/soa/soa/publish", new { summary = "First SoA" });
        Assert.Equal(HttpStatusCode.Created, v1.StatusCode);

        var changed = await manager.PutAsJsonAsync("/api/v1/orgs/soa/soa/rows/A.7.4", new
        {
            applicable = false,
            justification = "Office closed; everyone works remotely.",
            status = "not-applicable",
            changeReason = "Office lease ended in May",
        });
        Assert.Equal(HttpStatusCode.OK, changed.StatusCode);
        await manager.PutAsJsonAsync("/api/v1/orgs/soa/soa/rows/A.8.13", new
        {
            applicable = true,
            justification = "Needed to treat the risks in the register.",
            status = "implemented",
            owner = "ciso@soa.test",
            changeReason = "Restore tests passed",
        });
        Assert.Equal(HttpStatusCode.Created, (await manager.PostAsJsonAsync("/api/v1/orgs/soa/soa/publish", new { summary = "Remote office" })).StatusCode);
        var unchanged = await manager.PostAsJsonAsync("/api/v1/orgs/soa/soa/publish", new { summary = "Again" });
        Assert.Equal(HttpStatusCode.Conflict, unchanged.StatusCode);
        Assert.Contains("same as version 2", await unchanged.Content.ReadAsStringAsync(), StringComparison.Ordinal);

        var diff = await manager.GetFromJsonAsync<JsonElement>("/api/v1/orgs/soa/soa/compare?from=1&to=2");

        Assert.Empty(diff.GetProperty("added").EnumerateArray());
        Assert.Empty(diff.GetProperty("removed").EnumerateArray());
        var rows = diff.GetProperty("changed").EnumerateArray().ToDictionary(c => c.GetProperty("controlIdentifier").GetString()!);
        Assert.Equal(["A.7.4", "A.8.13"], rows.Keys.Order(StringComparer.Ordinal));
        Assert.Equal("Office lease ended in May", rows["A.7.4"].GetProperty("reason").GetString());
        var fields = rows["A.7.4"].GetProperty("changes").EnumerateArray().ToDictionary(c => c.GetProperty("field").GetString()!);
        Assert.Equal("Yes", fields["Applicable"].GetProperty("before").GetString());
        Assert.Equal("No", fields["Applicable"].GetProperty("after").GetString());
        Assert.Equal("Not applicable", fields["Implementation status"].GetProperty("after").GetString());

        var versions = await manager.GetFromJsonAsync<JsonElement>("/api/v1/orgs/soa/soa/versions");
        Assert.Equal(2, versions[0].GetProperty("number").GetInt32());
        Assert.Equal("ciso@soa.test (API token)", versions[0].GetProperty("approver").GetString());
        Assert.Equal(92, versions[0].GetProperty("applicable").GetInt32());
        var v1Xlsx = await manager.GetAsync("/api/v1/orgs/soa/soa/versions/1/export.xlsx");
        Assert.Equal("application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", v1Xlsx.Content.Headers.ContentType?.MediaType);
        using var workbook = new XLWorkbook(await v1Xlsx.Content.ReadAsStreamAsync());
        var sheet = workbook.Worksheet(1);
        Assert.Equal("Yes", sheet.Cell(RowOf(await v1Xlsx.Content.ReadAsByteArrayAsync(), "A.7.4"), 4).GetString());
        Assert.True(sheet.AutoFilter.IsEnabled);
        Assert.Equal(1, sheet.SheetView.SplitRow);
    }

    private async Task<HttpResponseMessage> ImportAsync(byte[] xlsx)
    {
        using var content = new MultipartFormDataContent { { new ByteArrayContent(xlsx), "file", "soa.xlsx" } };
        return await manager.PostAsync("/api/v1/orgs/soa/soa/import", content);
    }

    private async Task<Dictionary<string, JsonElement>> DraftAsync()
    {
        var draft = await manager.GetFromJsonAsync<JsonElement>("/api/v1/orgs/soa/soa?pageSize=200");
        return draft.GetProperty("items").EnumerateArray().ToDictionary(r => r.GetProperty("control").GetString()!);
    }

    private static byte[] Edit(byte[] xlsx, Action<IXLWorksheet> edit)
    {
        using var input = new MemoryStream(xlsx);
        using var workbook = new XLWorkbook(input);
        edit(workbook.Worksheet(1));
        using var output = new MemoryStream();
        workbook.SaveAs(output);
        return output.ToArray();
    }

    private static void SetRow(IXLWorksheet sheet, string control, string applicable, string justification, string status)
    {
        var row = sheet.Column(1).CellsUsed().Single(c => c.GetString() == control).Address.RowNumber;
        sheet.Cell(row, 4).SetValue(applicable);
        sheet.Cell(row, 5).SetValue(justification);
        sheet.Cell(row, 6).SetValue(status);
    }

    private static int RowOf(byte[] xlsx, string control)
    {
        using var input = new MemoryStream(xlsx);
        using var workbook = new XLWorkbook(input);
        return workbook.Worksheet(1).Column(1).CellsUsed().Single(c => c.GetString() == control).Address.RowNumber;
    }
}

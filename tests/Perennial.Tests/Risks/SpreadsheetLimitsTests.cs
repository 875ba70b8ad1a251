using System.Net;
using ClosedXML.Excel;
using Perennial.Tests.Infrastructure;

namespace Perennial.Tests.Risks;

/// <summary>Uploaded workbooks are bounded before they are read.</summary>
public sealed class SpreadsheetLimitsTests
{
    [Fact]
    public async Task A_workbook_with_a_stray_cell_far_to_the_right_is_refused_and_imports_nothing()
    {
        await using var app = await TestApp.StartAsync();
        var admin = await app.CreateUserAsync("ciso@limits.test");
        await app.CreateOrganisationAsync("limits", admin.Id);
        var client = app.CreateApiClient(await app.CreateTokenAsync(admin.Id));
        using var workbook = new XLWorkbook();
        var sheet = workbook.AddWorksheet("Risks");
        sheet.Cell(1, 1).SetValue("Title");
        sheet.Cell(1, 2).SetValue("Likelihood");
        sheet.Cell(1, 3).SetValue("Impact");
        sheet.Cell(1, 4).SetValue("Treatment");
        sheet.Cell(2, 1).SetValue("Stolen laptop");
        sheet.Cell(2, 2).SetValue(3);
        sheet.Cell(2, 3).SetValue(3);
        sheet.Cell(2, 4).SetValue("modify");
        sheet.Cell(2, 16000).SetValue("x");
        using var stream = new MemoryStream();
        workbook.SaveAs(stream);
        using var content = new MultipartFormDataContent { { new ByteArrayContent(stream.ToArray()), "file", "wide.xlsx" } };

        var response = await client.PostAsync("/api/v1/orgs/limits/risks/import", content);

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Contains("at most 100 columns", await response.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        var list = await client.GetStringAsync("/api/v1/orgs/limits/risks");
        Assert.Contains("\"total\":0", list, StringComparison.Ordinal);
    }
}

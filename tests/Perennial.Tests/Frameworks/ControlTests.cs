using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using ClosedXML.Excel;
using Perennial.Organisations;
using Perennial.Tests.Infrastructure;

namespace Perennial.Tests.Frameworks;

/// <summary>Implementing controls, linking documents, and showing licensed wording.</summary>
public sealed class ControlTests : IAsyncLifetime
{
    private TestApp app = null!;
    private HttpClient manager = null!;
    private Guid ownerId;

    public async ValueTask InitializeAsync()
    {
        app = await TestApp.StartAsync();
        var admin = await app.CreateUserAsync("ciso@controls.test");
        var org = await app.CreateOrganisationAsync("controls", admin.Id);
        ownerId = (await app.CreateUserAsync("it@controls.test")).Id;
        await app.AddMemberAsync(org.Id, "it@controls.test", OrgRole.Contributor);
        manager = app.CreateApiClient(await app.CreateTokenAsync(admin.Id));
    }

    public async ValueTask DisposeAsync() => await app.DisposeAsync();

    [Fact]
    public async Task A_control_gets_an_owner_a_status_notes_and_documents()
    {
        var updated = await manager.PutAsJsonAsync("/api/v1/orgs/controls/frameworks/iso27001-2022/controls/A.8.13",
            new { ownerUserId = ownerId, status = "partial", implementationNotes = "Nightly snapshots; restore test pending." });
        Assert.Equal(HttpStatusCode.OK, updated.StatusCode);
        var document = await manager.PostAsJsonAsync("/api/v1/orgs/controls/frameworks/iso27001-2022/controls/A.8.13/documents",
            new { title = "Backup policy", link = "https://intranet.example/policies/backup", version = "1.2", reviewDate = "2026-09-30" });
        Assert.Equal(HttpStatusCode.Created, document.StatusCode);

        var control = await manager.GetFromJsonAsync<JsonElement>("/api/v1/orgs/controls/frameworks/iso27001-2022/controls/A.8.13");
        Assert.Equal("partial", control.GetProperty("status").GetString());
        Assert.Equal(ownerId, control.GetProperty("ownerUserId").GetGuid());
        Assert.Equal("Backup policy", control.GetProperty("documents")[0].GetProperty("title").GetString());
        var history = await manager.GetFromJsonAsync<JsonElement>("/api/v1/orgs/controls/history?entityType=Control");
        Assert.Contains(history.GetProperty("items")[0].GetProperty("changes").EnumerateArray(), c => c.GetProperty("field").GetString() == "Status" && c.GetProperty("after").GetString() == "Partial");
    }

    [Theory]
    [InlineData("{\"ownerUserId\": \"00000000-0000-0000-0000-000000000001\", \"status\": \"partial\"}", "ownerUserId")]
    [InlineData("{\"status\": \"almost\"}", "status")]
    public async Task A_bad_control_update_is_refused_naming_the_field(string json, string field)
    {
        var response = await manager.PutAsync("/api/v1/orgs/controls/frameworks/iso27001-2022/controls/A.8.13", new StringContent(json, Encoding.UTF8, "application/json"));

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.True((await response.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("errors").TryGetProperty(field, out _));
    }

    [Fact]
    public async Task A_document_link_must_be_a_web_address()
    {
        var response = await manager.PostAsJsonAsync("/api/v1/orgs/controls/frameworks/iso27001-2022/controls/A.8.13/documents",
            new { title = "Policy", link = "javascript:alert(1)" });

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Contains("link", await response.Content.ReadAsStringAsync(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Licensed_wording_from_CSV_replaces_the_labels_and_a_bad_file_changes_nothing()
    {
        var good = "id,title,text\nA.5.1,\"Licensed title, with a comma\",\"Licensed text\nover two lines\"\n9.2.1,Licensed clause title,\n";
        var imported = await UploadAsync("/api/v1/orgs/controls/frameworks/iso27001-2022/wording", Encoding.UTF8.GetBytes(good), "wording.csv");
        Assert.Equal(HttpStatusCode.OK, imported.StatusCode);

        var control = await manager.GetFromJsonAsync<JsonElement>("/api/v1/orgs/controls/frameworks/iso27001-2022/controls/A.5.1");
        Assert.Equal("Licensed title, with a comma", control.GetProperty("title").GetString());
        Assert.Equal("Licensed text\nover two lines", control.GetProperty("description").GetString());
        Assert.True(control.GetProperty("licensedWording").GetBoolean());

        var bad = "id,title,text\nA.5.2,Another,Text\nA.99.1,Nope,Text\n";
        var rejected = await UploadAsync("/api/v1/orgs/controls/frameworks/iso27001-2022/wording", Encoding.UTF8.GetBytes(bad), "wording.csv");
        Assert.Equal(HttpStatusCode.BadRequest, rejected.StatusCode);
        var error = Assert.Single((await rejected.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("errors").EnumerateArray());
        Assert.Equal(3, error.GetProperty("row").GetInt32());
        var untouched = await manager.GetFromJsonAsync<JsonElement>("/api/v1/orgs/controls/frameworks/iso27001-2022/controls/A.5.2");
        Assert.False(untouched.GetProperty("licensedWording").GetBoolean());
    }

    [Fact]
    public async Task Licensed_wording_also_imports_from_XLSX()
    {
        using var workbook = new XLWorkbook();
        var sheet = workbook.AddWorksheet("Wording");
        sheet.Cell(1, 1).SetValue("id");
        sheet.Cell(1, 2).SetValue("title");
        sheet.Cell(1, 3).SetValue("text");
        sheet.Cell(2, 1).SetValue("A.8.13");
        sheet.Cell(2, 2).SetValue("Licensed backup title");
        using var stream = new MemoryStream();
        workbook.SaveAs(stream);

        var imported = await UploadAsync("/api/v1/orgs/controls/frameworks/iso27001-2022/wording", stream.ToArray(), "wording.xlsx");

        Assert.Equal(HttpStatusCode.OK, imported.StatusCode);
        var control = await manager.GetFromJsonAsync<JsonElement>("/api/v1/orgs/controls/frameworks/iso27001-2022/controls/A.8.13");
        Assert.Equal("Licensed backup title", control.GetProperty("title").GetString());
        var soa = await manager.GetFromJsonAsync<JsonElement>("/api/v1/orgs/controls/soa?pageSize=200");
        Assert.Contains(soa.GetProperty("items").EnumerateArray(), r => r.GetProperty("title").GetString() == "Licensed backup title");
    }

    private async Task<HttpResponseMessage> UploadAsync(string path, byte[] bytes, string name)
    {
        using var content = new MultipartFormDataContent { { new ByteArrayContent(bytes), "file", name } };
        return await manager.PostAsync(path, content);
    }
}

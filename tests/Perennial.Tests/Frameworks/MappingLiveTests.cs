using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Perennial.Tests.Infrastructure;

namespace Perennial.Tests.Frameworks;

/// <summary>NIST SP 800-53 brought in through the API with its mapping to ISO/IEC 27001: the links come alive.</summary>
public sealed class MappingLiveTests : IAsyncLifetime
{
    private TestApp app = null!;
    private HttpClient manager = null!;

    public async ValueTask InitializeAsync()
    {
        app = await TestApp.StartAsync();
        var admin = await app.CreateUserAsync("ciso@nist.test");
        await app.CreateOrganisationAsync("nist", admin.Id);
        manager = app.CreateApiClient(await app.CreateTokenAsync(admin.Id));
    }

    public async ValueTask DisposeAsync() => await app.DisposeAsync();

    [Fact]
    public async Task Mapped_controls_are_kept_by_identifier_and_become_links_when_the_framework_is_imported()
    {
        var mapping = await ImportAsync("intuitem-ciso-assistant-mappings/mapping-nist-sp-800-53-rev5-to-iso27001-2022.yaml");
        Assert.Equal(HttpStatusCode.OK, mapping.StatusCode);

        var before = await manager.GetFromJsonAsync<JsonElement>("/api/v1/orgs/nist/frameworks/iso27001-2022/controls/A.5.15");
        var ac3 = before.GetProperty("mappings").EnumerateArray().Single(m => m.GetProperty("identifier").GetString() == "ac-3");
        Assert.Equal("nist-sp-800-53-rev5", ac3.GetProperty("family").GetString());
        Assert.False(ac3.GetProperty("live").GetBoolean());

        var catalog = await ImportAsync("usnistgov-oscal-content/SP800-53-rev5/NIST_SP-800-53_rev5_LOW-baseline-resolved-profile_catalog.json");
        Assert.Equal(HttpStatusCode.OK, catalog.StatusCode);
        var imported = await catalog.Content.ReadFromJsonAsync<JsonElement>();
        Assert.Equal(149, imported.GetProperty("count").GetInt32());

        var after = await manager.GetFromJsonAsync<JsonElement>("/api/v1/orgs/nist/frameworks/iso27001-2022/controls/A.5.15");
        var live = after.GetProperty("mappings").EnumerateArray().Single(m => m.GetProperty("identifier").GetString() == "ac-3");
        Assert.True(live.GetProperty("live").GetBoolean());
        Assert.Equal(imported.GetProperty("key").GetString(), live.GetProperty("frameworks")[0].GetString());
        Assert.Equal(after.GetProperty("mappings").GetArrayLength(), after.GetProperty("mappings").EnumerateArray().Select(m => m.GetProperty("identifier").GetString()).Distinct().Count());

        var nist = await manager.GetFromJsonAsync<JsonElement>($"/api/v1/orgs/nist/frameworks/{imported.GetProperty("key").GetString()}/controls/ac-3");
        Assert.Contains(nist.GetProperty("mappings").EnumerateArray(), m => m.GetProperty("identifier").GetString() == "A.5.15" && m.GetProperty("live").GetBoolean());
        var browser = await app.SignInAsync("ciso@nist.test");
        var page = await browser.GetStringAsync("/o/nist/frameworks/iso27001-2022/controls/A.5.15");
        Assert.Contains($"/o/nist/frameworks/{imported.GetProperty("key").GetString()}/controls/ac-3", page, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_malformed_upload_is_refused_naming_the_path_and_changes_nothing()
    {
        using var content = new MultipartFormDataContent { { new ByteArrayContent("{\"catalog\": {\"uuid\": 5}}"u8.ToArray()), "file", "broken.json" } };

        var response = await manager.PostAsync("/api/v1/orgs/nist/frameworks/import", content);

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Contains("$.catalog", await response.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        var frameworks = await manager.GetFromJsonAsync<JsonElement>("/api/v1/orgs/nist/frameworks");
        Assert.Equal(1, frameworks.GetProperty("total").GetInt32());
    }

    private async Task<HttpResponseMessage> ImportAsync(string corpusPath)
    {
        var path = Corpus.File(corpusPath);
        using var content = new MultipartFormDataContent { { new ByteArrayContent(await File.ReadAllBytesAsync(path)), "file", Path.GetFileName(path) } };
        return await manager.PostAsync("/api/v1/orgs/nist/frameworks/import", content);
    }
}

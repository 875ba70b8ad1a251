using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Perennial.Data;
using Perennial.Organisations;
using Perennial.Risks;
using Perennial.Tests.Infrastructure;

namespace Perennial.Tests.Assets;

/// <summary>Listing, editing and deleting assets, and the assets page: SQLite only.</summary>
public sealed class SqliteAssetTests() : AssetTests(DatabaseProvider.Sqlite)
{
    [Fact]
    public async Task Assets_are_listed_by_name_filtered_by_kind_and_search_and_paged()
    {
        foreach (var (name, kind) in new[] { ("Payroll system", "system"), ("Customer database", "information"), ("Cloud host", "supplier"), ("Mail server", "system") })
        {
            Assert.Equal(HttpStatusCode.Created, (await Contributor.PostAsJsonAsync("/api/v1/orgs/acme/assets", new { name, kind, description = $"The {name}" })).StatusCode);
        }

        var all = await Auditor.GetFromJsonAsync<JsonElement>("/api/v1/orgs/acme/assets");
        Assert.Equal(["Cloud host", "Customer database", "Mail server", "Payroll system"], Names(all));
        Assert.Equal("internal", all.GetProperty("items")[0].GetProperty("classification").GetString());
        Assert.Equal(["Mail server", "Payroll system"], Names(await Auditor.GetFromJsonAsync<JsonElement>("/api/v1/orgs/acme/assets?kind=system")));
        Assert.Equal(["Customer database"], Names(await Auditor.GetFromJsonAsync<JsonElement>("/api/v1/orgs/acme/assets?search=CUSTOMER")));
        var second = await Auditor.GetFromJsonAsync<JsonElement>("/api/v1/orgs/acme/assets?page=2&pageSize=3");
        Assert.Equal(["Payroll system"], Names(second));
        Assert.Equal(4, second.GetProperty("total").GetInt32());

        Assert.Equal(HttpStatusCode.BadRequest, (await Auditor.GetAsync("/api/v1/orgs/acme/assets?kind=spaceship")).StatusCode);
        Assert.Equal(HttpStatusCode.Forbidden, (await Auditor.PostAsJsonAsync("/api/v1/orgs/acme/assets", new { name = "X", kind = "site" })).StatusCode);
        var duplicate = await Contributor.PostAsJsonAsync("/api/v1/orgs/acme/assets", new { name = "mail SERVER", kind = "system" });
        Assert.Equal(HttpStatusCode.Conflict, duplicate.StatusCode);
        var badKind = await Contributor.PostAsJsonAsync("/api/v1/orgs/acme/assets", new { name = "Van", kind = "vehicle" });
        Assert.Equal(HttpStatusCode.BadRequest, badKind.StatusCode);
        Assert.Contains("kind", await badKind.Content.ReadAsStringAsync(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task An_asset_is_updated_and_deleting_it_unlinks_its_risks_with_a_revision()
    {
        var created = await (await Contributor.PostAsJsonAsync("/api/v1/orgs/acme/assets", new { name = "Laptops", kind = "system" })).Content.ReadFromJsonAsync<JsonElement>();
        var id = created.GetProperty("id").GetGuid();
        var updated = await Contributor.PutAsJsonAsync($"/api/v1/orgs/acme/assets/{id}", new { name = "Staff laptops", kind = "system", classification = "restricted", ownerUserId = ContributorId });
        Assert.Equal(HttpStatusCode.OK, updated.StatusCode);
        var body = await updated.Content.ReadFromJsonAsync<JsonElement>();
        Assert.Equal("restricted", body.GetProperty("classification").GetString());
        Assert.Equal("contributor", body.GetProperty("owner").GetString());

        var riskId = await App.WithScopeAsync(async s => (await s.GetRequiredService<RiskService>().CreateAsync(OrgId,
            new RiskInput("Laptop theft", null, null, null, null, 3, 3, null, TreatmentOption.Modify, null, 2, 2, 12, [id], []), CancellationToken.None)).Id);
        Assert.Equal(1, (await Auditor.GetFromJsonAsync<JsonElement>($"/api/v1/orgs/acme/assets/{id}")).GetProperty("risks").GetInt32());

        var deleted = await Contributor.DeleteAsync($"/api/v1/orgs/acme/assets/{id}");

        Assert.Equal(HttpStatusCode.OK, deleted.StatusCode);
        var result = await deleted.Content.ReadFromJsonAsync<JsonElement>();
        Assert.Equal(1, result.GetProperty("unlinkedRisks").GetInt32());
        Assert.Equal(HttpStatusCode.NotFound, (await Auditor.GetAsync($"/api/v1/orgs/acme/assets/{id}")).StatusCode);
        await App.WithScopeAsync(async s =>
        {
            var service = s.GetRequiredService<RiskService>();
            var risk = (await service.GetAsync(OrgId, riskId, CancellationToken.None))!;
            Assert.Empty(risk.Assets);
            var revisions = await service.RevisionsAsync(OrgId, riskId, CancellationToken.None);
            Assert.Equal([2, 1], revisions.Select(r => r.Number));
            Assert.Equal("asset 'Staff laptops' deleted", revisions[0].Reason);
            Assert.Empty(revisions[0].Snapshot.Assets);
            Assert.Equal(["Staff laptops"], revisions[1].Snapshot.Assets);
            Assert.NotNull(revisions[1].ValidTo);
        });
        Assert.True((await App.VerifyAuditTrailAsync()).Intact);
    }

    [Fact]
    public async Task The_assets_page_lists_adds_and_imports()
    {
        var browser = await App.SignInAsync("contributor@acme.test");
        var add = await TestApp.PostFormAsync(browser, "/o/acme/assets", new Dictionary<string, string>
        {
            ["Form.Name"] = "Office Wi-Fi",
            ["Form.Kind"] = "system",
            ["Form.Classification"] = "confidential",
            ["Form.OwnerUserId"] = ContributorId.ToString(),
            ["Form.Description"] = "Guest and staff networks",
        }, "Save");
        Assert.Equal(HttpStatusCode.Redirect, add.StatusCode);

        var page = await browser.GetStringAsync("/o/acme/assets");
        Assert.Contains("Asset &#x27;Office Wi-Fi&#x27; added.", page, StringComparison.Ordinal);
        Assert.Contains("Guest and staff networks", page, StringComparison.Ordinal);
        Assert.Contains("Import assets", page, StringComparison.Ordinal);

        var readOnly = await (await App.SignInAsync("auditor@acme.test")).GetStringAsync("/o/acme/assets?kind=system&search=wi-fi");
        Assert.Contains("Office Wi-Fi", readOnly, StringComparison.Ordinal);
        Assert.DoesNotContain("Import assets", readOnly, StringComparison.Ordinal);
    }
}

public sealed class PostgresAssetTests() : AssetTests(DatabaseProvider.Postgres);

/// <summary>Assets imported from CSV: all or nothing, each problem named by row and column.</summary>
public abstract class AssetTests(DatabaseProvider provider) : IAsyncLifetime
{
    protected TestApp App { get; private set; } = null!;
    protected HttpClient Contributor { get; private set; } = null!;
    protected HttpClient Auditor { get; private set; } = null!;
    protected Guid OrgId { get; private set; }
    protected Guid ContributorId { get; private set; }

    public async ValueTask InitializeAsync()
    {
        App = await TestApp.StartAsync(provider);
        var admin = await App.CreateUserAsync("admin@acme.test");
        OrgId = (await App.CreateOrganisationAsync("acme", admin.Id)).Id;
        var contributorUser = await App.CreateUserAsync("contributor@acme.test");
        ContributorId = contributorUser.Id;
        await App.AddMemberAsync(OrgId, "contributor@acme.test", OrgRole.Contributor);
        var auditorUser = await App.CreateUserAsync("auditor@acme.test");
        await App.AddMemberAsync(OrgId, "auditor@acme.test", OrgRole.Auditor);
        Contributor = App.CreateApiClient(await App.CreateTokenAsync(contributorUser.Id));
        Auditor = App.CreateApiClient(await App.CreateTokenAsync(auditorUser.Id));
    }

    public async ValueTask DisposeAsync() => await App.DisposeAsync();

    [Fact]
    public async Task A_CSV_of_assets_imports_completely_or_not_at_all()
    {
        var bad = "name,kind,owner,classification,description\n"
            + "Customer database,information,contributor@acme.test,confidential,\"Orders, invoices and contacts\"\n"
            + "Payroll system,system,,restricted,\n"
            + "Head office,building,,,\n"
            + "Cloud host,supplier,nobody@elsewhere.test,,\n"
            + "customer database,information,,,Again\n";

        var rejected = await ImportAsync(bad);

        Assert.Equal(HttpStatusCode.BadRequest, rejected.StatusCode);
        var errors = (await rejected.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("errors").EnumerateArray()
            .Select(e => (e.GetProperty("row").GetInt32(), e.GetProperty("column").GetString())).ToList();
        Assert.Equal(new (int, string?)[] { (4, "kind"), (5, "owner"), (6, "name") }, errors);
        Assert.Equal(0, await CountAsync());

        var good = bad.Replace("building", "site", StringComparison.Ordinal)
            .Replace("nobody@elsewhere.test", "CONTRIBUTOR@acme.test", StringComparison.Ordinal)
            .Replace("customer database,information,,,Again\n", "", StringComparison.Ordinal);
        var imported = await ImportAsync(good);

        Assert.True(imported.StatusCode == HttpStatusCode.OK, await imported.Content.ReadAsStringAsync());
        Assert.Equal(4, (await imported.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("imported").GetInt32());
        var list = await Auditor.GetFromJsonAsync<JsonElement>("/api/v1/orgs/acme/assets");
        var customer = list.GetProperty("items").EnumerateArray().Single(a => a.GetProperty("name").GetString() == "Customer database");
        Assert.Equal("Orders, invoices and contacts", customer.GetProperty("description").GetString());
        Assert.Equal("confidential", customer.GetProperty("classification").GetString());
        Assert.Equal(ContributorId, customer.GetProperty("ownerUserId").GetGuid());
        var site = list.GetProperty("items").EnumerateArray().Single(a => a.GetProperty("name").GetString() == "Head office");
        Assert.Equal("site", site.GetProperty("kind").GetString());
        Assert.Equal("internal", site.GetProperty("classification").GetString());

        var again = await ImportAsync(good);
        Assert.Equal(HttpStatusCode.BadRequest, again.StatusCode);
        Assert.Equal(4, await CountAsync());
    }

    private async Task<HttpResponseMessage> ImportAsync(string csv)
    {
        using var content = new MultipartFormDataContent { { new ByteArrayContent(Encoding.UTF8.GetBytes(csv)), "file", "assets.csv" } };
        return await Contributor.PostAsync("/api/v1/orgs/acme/assets/import", content);
    }

    private Task<int> CountAsync() =>
        App.WithScopeAsync(s => s.GetRequiredService<PerennialDbContext>().Assets.CountAsync());

    protected static List<string> Names(JsonElement page) =>
        page.GetProperty("items").EnumerateArray().Select(a => a.GetProperty("name").GetString()!).ToList();
}

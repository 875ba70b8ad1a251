using System.Net.Http.Json;
using System.Text.Json;
using Perennial.Frameworks;
using Perennial.Tests.Infrastructure;

namespace Perennial.Tests.Frameworks;

public sealed class IsoCatalogTests
{
    [Fact]
    public void The_built_in_catalog_has_all_93_Annex_A_controls_exactly_once_with_their_themes()
    {
        var annexA = Iso27001Catalog.Entries.Where(e => e.Kind == ControlKind.Control).ToList();

        Assert.Equal(93, annexA.Count);
        Assert.Equal(93, annexA.Select(e => e.Identifier).Distinct(StringComparer.Ordinal).Count());
        var expected = Enumerable.Range(1, 37).Select(n => $"A.5.{n}")
            .Concat(Enumerable.Range(1, 8).Select(n => $"A.6.{n}"))
            .Concat(Enumerable.Range(1, 14).Select(n => $"A.7.{n}"))
            .Concat(Enumerable.Range(1, 34).Select(n => $"A.8.{n}"));
        Assert.Equal(expected, annexA.Select(e => e.Identifier));
        Assert.Equal(37, annexA.Count(e => e.Theme == "Organisational"));
        Assert.Equal(8, annexA.Count(e => e.Theme == "People"));
        Assert.Equal(14, annexA.Count(e => e.Theme == "Physical"));
        Assert.Equal(34, annexA.Count(e => e.Theme == "Technological"));
        Assert.All(annexA, e => Assert.False(string.IsNullOrWhiteSpace(e.Title)));
    }

    [Fact]
    public void The_clauses_4_to_10_are_present_with_their_sub_clauses()
    {
        var clauses = Iso27001Catalog.Entries.Where(e => e.Kind == ControlKind.Clause).Select(e => e.Identifier).ToList();

        Assert.Equal(clauses.Count, clauses.Distinct(StringComparer.Ordinal).Count());
        foreach (var id in new[] { "4.1", "4.4", "5.2", "6.1.2", "6.1.3", "6.3", "7.5.3", "8.3", "9.2.2", "9.3.3", "10.2" })
        {
            Assert.Contains(id, clauses);
        }

        Assert.Equal("6.1", Iso27001Catalog.Entries.Single(e => e.Identifier == "6.1.3").ParentIdentifier);
    }

    [Fact]
    public async Task A_new_organisation_starts_with_the_catalog_listed_by_the_API()
    {
        await using var app = await TestApp.StartAsync();
        var admin = await app.CreateUserAsync("ciso@catalog.test");
        await app.CreateOrganisationAsync("catalog", admin.Id);
        var client = app.CreateApiClient(await app.CreateTokenAsync(admin.Id));

        var frameworks = await client.GetFromJsonAsync<JsonElement>("/api/v1/orgs/catalog/frameworks");
        var iso = Assert.Single(frameworks.GetProperty("items").EnumerateArray());
        Assert.Equal("iso27001-2022", iso.GetProperty("id").GetString());
        Assert.Equal(Iso27001Catalog.Entries.Count, iso.GetProperty("controlCount").GetInt32());

        var page = await client.GetFromJsonAsync<JsonElement>("/api/v1/orgs/catalog/frameworks/iso27001-2022/controls?search=A.8.1&pageSize=50");
        Assert.Contains(page.GetProperty("items").EnumerateArray(), c => c.GetProperty("identifier").GetString() == "A.8.13");
        var control = await client.GetFromJsonAsync<JsonElement>("/api/v1/orgs/catalog/frameworks/iso27001-2022/controls/A.8.13");
        Assert.Equal("Technological", control.GetProperty("group").GetString());
        Assert.Equal("not-started", control.GetProperty("status").GetString());
    }
}

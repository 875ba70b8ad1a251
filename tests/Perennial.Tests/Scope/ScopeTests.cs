using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Perennial.Tests.Infrastructure;

namespace Perennial.Tests.Scope;

public sealed class ScopeTests : IAsyncLifetime
{
    private TestApp app = null!;
    private HttpClient manager = null!;
    private HttpClient auditor = null!;

    public async ValueTask InitializeAsync()
    {
        app = await TestApp.StartAsync();
        var admin = await app.CreateUserAsync("ciso@scope.test");
        var org = await app.CreateOrganisationAsync("scope", admin.Id);
        manager = app.CreateApiClient(await app.CreateTokenAsync(admin.Id));
        var reader = await app.CreateUserAsync("auditor@scope.test");
        await app.AddMemberAsync(org.Id, "auditor@scope.test", Perennial.Organisations.OrgRole.Auditor);
        auditor = app.CreateApiClient(await app.CreateTokenAsync(reader.Id));
    }

    public async ValueTask DisposeAsync() => await app.DisposeAsync();

    [Fact]
    public async Task Every_save_is_a_new_version_with_its_author_and_any_two_compare()
    {
        var first = await manager.PutAsJsonAsync("/api/v1/orgs/scope/scope", new
        {
            statement = "The ISMS covers the analytics platform and the teams that build and run it.",
            boundaries = new[] { new { kind = "site", name = "Berlin office", notes = (string?)null }, new { kind = "system", name = "Analytics platform (AWS eu-central-1)", notes = (string?)"production only" } },
            exclusions = new[] { new { item = "Marketing website", reason = "Hosted by an agency; holds no customer data" } },
            interestedParties = new[] { new { name = "Customers", requirements = "Confidentiality of their data; 99.9% availability" } },
            issues = new[] { new { kind = "external", description = "New EU data rules for analytics" } },
            changeNote = "First description",
        });
        Assert.Equal(HttpStatusCode.OK, first.StatusCode);

        var second = await manager.PutAsJsonAsync("/api/v1/orgs/scope/scope", new
        {
            statement = "The ISMS covers the analytics platform and the teams that build and run it.",
            boundaries = new[] { new { kind = "system", name = "Analytics platform (AWS eu-central-1)", notes = (string?)"production only" }, new { kind = "site", name = "Lisbon office", notes = (string?)null } },
            exclusions = new[] { new { item = "Marketing website", reason = "Hosted by an agency; holds no customer data" } },
            interestedParties = new[] { new { name = "Customers", requirements = "Confidentiality of their data; 99.9% availability" } },
            changeNote = "Moved from Berlin to Lisbon",
        });
        Assert.Equal(2, (await second.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("number").GetInt32());

        var versions = await auditor.GetFromJsonAsync<JsonElement>("/api/v1/orgs/scope/scope/versions");
        Assert.Equal(2, versions.GetProperty("total").GetInt32());
        Assert.Equal("ciso@scope.test (API token)", versions.GetProperty("items")[0].GetProperty("author").GetString());
        Assert.Equal("Moved from Berlin to Lisbon", versions.GetProperty("items")[0].GetProperty("changeNote").GetString());

        var diff = await auditor.GetFromJsonAsync<JsonElement>("/api/v1/orgs/scope/scope/compare?from=1&to=2");
        Assert.False(diff.GetProperty("statementChanged").GetBoolean());
        var lists = diff.GetProperty("lists").EnumerateArray().ToDictionary(l => l.GetProperty("list").GetString()!);
        Assert.Equal(["Site: Lisbon office"], lists["Boundaries"].GetProperty("added").EnumerateArray().Select(x => x.GetString()!));
        Assert.Equal(["Site: Berlin office"], lists["Boundaries"].GetProperty("removed").EnumerateArray().Select(x => x.GetString()!));
        Assert.Equal(["External: New EU data rules for analytics"], lists["Issues"].GetProperty("removed").EnumerateArray().Select(x => x.GetString()!));
        Assert.Empty(lists["Exclusions"].GetProperty("added").EnumerateArray());

        var v1 = await auditor.GetFromJsonAsync<JsonElement>("/api/v1/orgs/scope/scope/versions/1");
        Assert.Equal("Berlin office", v1.GetProperty("boundaries")[0].GetProperty("name").GetString());
    }

    [Fact]
    public async Task Saving_an_unchanged_scope_adds_no_version()
    {
        var body = new { statement = "All of it." };
        await manager.PutAsJsonAsync("/api/v1/orgs/scope/scope", body);
        await manager.PutAsJsonAsync("/api/v1/orgs/scope/scope", body);

        var versions = await manager.GetFromJsonAsync<JsonElement>("/api/v1/orgs/scope/scope/versions");
        Assert.Equal(1, versions.GetProperty("total").GetInt32());
    }

    [Theory]
    [InlineData("{\"statement\": \"\"}", "statement")]
    [InlineData("{\"statement\": \"x\", \"exclusions\": [{\"item\": \"Website\", \"reason\": \"\"}]}", "exclusions[0].reason")]
    [InlineData("{\"statement\": \"x\", \"boundaries\": [{\"kind\": \"planet\", \"name\": \"Mars\"}]}", "boundaries[0].kind")]
    public async Task A_bad_scope_is_refused_naming_the_field_and_adds_no_version(string json, string field)
    {
        var response = await manager.PutAsync("/api/v1/orgs/scope/scope", new StringContent(json, System.Text.Encoding.UTF8, "application/json"));

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        var problem = await response.Content.ReadFromJsonAsync<JsonElement>();
        Assert.True(problem.GetProperty("errors").TryGetProperty(field, out _), problem.ToString());
        Assert.Equal(HttpStatusCode.NotFound, (await manager.GetAsync("/api/v1/orgs/scope/scope")).StatusCode);
    }

    [Fact]
    public async Task An_auditor_reads_the_scope_but_cannot_change_it()
    {
        var response = await auditor.PutAsJsonAsync("/api/v1/orgs/scope/scope", new { statement = "Nothing." });

        Assert.Equal(HttpStatusCode.Forbidden, response.StatusCode);
    }
}

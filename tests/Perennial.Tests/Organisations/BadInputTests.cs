using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Perennial.Tests.Infrastructure;

namespace Perennial.Tests.Organisations;

/// <summary>Bad requests get a 400 ProblemDetails naming the field, and change nothing.</summary>
public sealed class BadInputTests : IAsyncLifetime
{
    private TestApp app = null!;
    private HttpClient client = null!;

    public async ValueTask InitializeAsync()
    {
        app = await TestApp.StartAsync();
        var admin = await app.CreateUserAsync("root@input.test", installationAdmin: true);
        await app.CreateOrganisationAsync("home", admin.Id);
        client = app.CreateApiClient(await app.CreateTokenAsync(admin.Id));
    }

    public async ValueTask DisposeAsync() => await app.DisposeAsync();

    [Theory]
    [InlineData("{\"slug\": \"acme\", \"name\": ", "name")]
    [InlineData("not json at all", "body")]
    [InlineData("{\"slug\": 42, \"name\": \"Acme\"}", "slug")]
    [InlineData("{\"slug\": \"acme\", \"name\": [\"Acme\"]}", "name")]
    [InlineData("{\"slug\": \"acme\", \"name\": \"Acme\", \"colour\": \"red\"}", "colour")]
    [InlineData("{\"name\": \"Acme\"}", "slug")]
    [InlineData("{\"slug\": \"acme\", \"name\": \"NAME_OF_201_CHARS\"}", "name")]
    [InlineData("{\"slug\": \"Not A Slug!\", \"name\": \"Acme\"}", "slug")]
    public async Task Creating_an_organisation_from_a_bad_body_is_refused_naming_the_field_and_changes_nothing(string json, string field)
    {
        json = json.Replace("NAME_OF_201_CHARS", new string('x', 201), StringComparison.Ordinal);
        var trailBefore = (await app.VerifyAuditTrailAsync()).EntriesChecked;

        var response = await client.PostJsonTextAsync("/api/v1/orgs", json);

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        var problem = await response.Content.ReadFromJsonAsync<JsonElement>();
        Assert.Equal(400, problem.GetProperty("status").GetInt32());
        var errors = problem.GetProperty("errors");
        Assert.True(errors.TryGetProperty(field, out var messages), $"errors should name '{field}': {problem}");
        Assert.NotEmpty(messages.EnumerateArray().First().GetString()!);

        var orgs = await client.GetFromJsonAsync<JsonElement>("/api/v1/orgs");
        Assert.Equal(1, orgs.GetProperty("total").GetInt32());
        Assert.Equal(trailBefore, (await app.VerifyAuditTrailAsync()).EntriesChecked);
    }

    [Fact]
    public async Task A_body_that_is_not_JSON_is_refused_with_problem_details()
    {
        var response = await client.PostAsync("/api/v1/orgs", new StringContent("slug=acme", System.Text.Encoding.UTF8, "application/x-www-form-urlencoded"));

        Assert.True(response.StatusCode == HttpStatusCode.UnsupportedMediaType, await response.Content.ReadAsStringAsync());
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
    }

    [Theory]
    [InlineData("page=0", "page")]
    [InlineData("pageSize=0", "pageSize")]
    [InlineData("pageSize=1000", "pageSize")]
    [InlineData("page=50000000", "page")]
    public async Task A_bad_page_request_is_refused_naming_the_parameter(string query, string field)
    {
        var response = await client.GetAsync($"/api/v1/orgs/home/members?{query}");

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        var problem = await response.Content.ReadFromJsonAsync<JsonElement>();
        Assert.True(problem.GetProperty("errors").TryGetProperty(field, out _), problem.ToString());
    }

    [Fact]
    public async Task A_query_value_of_the_wrong_type_is_a_400_not_a_500()
    {
        var response = await client.GetAsync("/api/v1/orgs/home/members?page=abc");

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        Assert.Contains("page", await response.Content.ReadAsStringAsync(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Adding_a_member_with_an_unknown_role_is_refused_naming_role()
    {
        await app.CreateUserAsync("someone@input.test");

        var response = await client.PostAsJsonAsync("/api/v1/orgs/home/members", new { email = "someone@input.test", role = "owner" });

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        var problem = await response.Content.ReadFromJsonAsync<JsonElement>();
        Assert.True(problem.GetProperty("errors").TryGetProperty("role", out _), problem.ToString());
        var members = await client.GetFromJsonAsync<JsonElement>("/api/v1/orgs/home/members");
        Assert.Equal(1, members.GetProperty("total").GetInt32());
    }

    [Theory]
    [InlineData("9999-12-31")]
    [InlineData("1999-01-01")]
    public async Task A_token_expiry_far_away_or_past_is_refused_naming_the_field(string expiresOn)
    {
        var response = await client.PostAsJsonAsync("/api/v1/me/tokens", new { name = "scanner", expiresOn });

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        var problem = await response.Content.ReadFromJsonAsync<JsonElement>();
        Assert.True(problem.GetProperty("errors").TryGetProperty("expires", out _), problem.ToString());
    }

    [Fact]
    public async Task Lists_are_paged_with_a_total()
    {
        for (var i = 0; i < 5; i++)
        {
            await app.CreateUserAsync($"member{i}@input.test");
            var added = await client.PostAsJsonAsync("/api/v1/orgs/home/members", new { email = $"member{i}@input.test", role = "contributor" });
            Assert.Equal(HttpStatusCode.Created, added.StatusCode);
        }

        var page = await client.GetFromJsonAsync<JsonElement>("/api/v1/orgs/home/members?page=2&pageSize=4");

        Assert.Equal(6, page.GetProperty("total").GetInt32());
        Assert.Equal(2, page.GetProperty("page").GetInt32());
        Assert.Equal(4, page.GetProperty("pageSize").GetInt32());
        Assert.Equal(2, page.GetProperty("items").GetArrayLength());
    }
}

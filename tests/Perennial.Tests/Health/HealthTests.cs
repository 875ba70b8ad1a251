using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Perennial.Tests.Infrastructure;

namespace Perennial.Tests.Health;

public sealed class HealthTests
{
    [Fact]
    public async Task Health_is_200_when_the_database_answers()
    {
        await using var app = await TestApp.StartAsync();

        var response = await app.CreateClient().GetAsync("/health");

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("healthy", (await response.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("status").GetString());
    }

    [Fact]
    public async Task Health_is_503_when_the_database_cannot_be_reached()
    {
        await using var app = await TestApp.StartAsync(TestDatabase.Unreachable(), migrate: false);

        var response = await app.CreateClient().GetAsync("/health");

        Assert.Equal(HttpStatusCode.ServiceUnavailable, response.StatusCode);
        Assert.Equal("unhealthy", (await response.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("status").GetString());
    }

    [Fact]
    public async Task The_OpenAPI_document_describes_the_API_without_signing_in()
    {
        await using var app = await TestApp.StartAsync();

        var document = await app.CreateClient().GetFromJsonAsync<JsonElement>("/openapi/v1.json");

        var paths = document.GetProperty("paths");
        Assert.True(paths.TryGetProperty("/api/v1/orgs", out _), "the document should list /api/v1/orgs");
        Assert.True(paths.TryGetProperty("/api/v1/orgs/{org}/members", out _));
        Assert.True(paths.TryGetProperty("/health", out _));
        var scheme = document.GetProperty("components").GetProperty("securitySchemes").GetProperty("bearer");
        Assert.Equal("http", scheme.GetProperty("type").GetString());
        Assert.Equal("bearer", scheme.GetProperty("scheme").GetString());
    }
}

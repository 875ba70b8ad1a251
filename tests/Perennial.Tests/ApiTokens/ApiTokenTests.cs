using System.Net;
using System.Net.Http.Json;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Perennial.Data;
using Perennial.Tests.Infrastructure;

namespace Perennial.Tests.ApiTokens;

public sealed class SqliteApiTokenTests() : ApiTokenTests(DatabaseProvider.Sqlite);

public sealed class PostgresApiTokenTests() : ApiTokenTests(DatabaseProvider.Postgres);

public abstract class ApiTokenTests(DatabaseProvider provider) : IAsyncLifetime
{
    private TestApp app = null!;
    private Guid userId;

    public async ValueTask InitializeAsync()
    {
        app = await TestApp.StartAsync(provider);
        userId = (await app.CreateUserAsync("pipeline@tokens.test")).Id;
    }

    public async ValueTask DisposeAsync() => await app.DisposeAsync();

    [Fact]
    public async Task A_token_is_stored_only_as_its_SHA256_hash()
    {
        var secret = await app.CreateTokenAsync(userId, "ci");

        var row = await app.WithScopeAsync(s => s.GetRequiredService<PerennialDbContext>().ApiTokens.AsNoTracking().SingleAsync());

        Assert.Equal(Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(secret))), row.TokenHash);
        Assert.DoesNotContain(secret, JsonSerializer.Serialize(row), StringComparison.Ordinal);
        Assert.StartsWith(row.Prefix, secret, StringComparison.Ordinal);
        Assert.True(secret.Length > row.Prefix.Length + 30);
    }

    [Fact]
    public async Task A_token_authenticates_the_API_until_it_is_revoked()
    {
        var client = app.CreateApiClient(await app.CreateTokenAsync(userId, "ci"));
        var me = await client.GetFromJsonAsync<JsonElement>("/api/v1/me");
        Assert.Equal("pipeline@tokens.test", me.GetProperty("email").GetString());

        var tokens = await client.GetFromJsonAsync<JsonElement>("/api/v1/me/tokens");
        var id = tokens.GetProperty("items")[0].GetProperty("id").GetString();
        Assert.DoesNotContain("secret", tokens.ToString(), StringComparison.OrdinalIgnoreCase);
        Assert.Equal(HttpStatusCode.NoContent, (await client.DeleteAsync($"/api/v1/me/tokens/{id}")).StatusCode);

        var after = await client.GetAsync("/api/v1/me");
        Assert.Equal(HttpStatusCode.Unauthorized, after.StatusCode);
    }

    [Fact]
    public async Task A_token_stops_working_after_its_last_day()
    {
        var today = DateOnly.FromDateTime(app.Time.GetUtcNow().UtcDateTime);
        var client = app.CreateApiClient(await app.CreateTokenAsync(userId, "short-lived", today.AddDays(1)));
        Assert.Equal(HttpStatusCode.OK, (await client.GetAsync("/api/v1/me")).StatusCode);

        app.Time.Advance(TimeSpan.FromDays(1));
        Assert.Equal(HttpStatusCode.OK, (await client.GetAsync("/api/v1/me")).StatusCode);

        app.Time.Advance(TimeSpan.FromDays(1));
        Assert.Equal(HttpStatusCode.Unauthorized, (await client.GetAsync("/api/v1/me")).StatusCode);
    }

    [Fact]
    public async Task A_locked_out_account_cannot_use_its_tokens()
    {
        var client = app.CreateApiClient(await app.CreateTokenAsync(userId, "ci"));
        var browser = app.CreateClient(handleCookies: true);
        for (var i = 0; i < 5; i++)
        {
            await TestApp.PostFormAsync(browser, "/account/sign-in", new Dictionary<string, string> { ["Email"] = "pipeline@tokens.test", ["Password"] = "wrong-password-" + i });
        }

        Assert.Equal(HttpStatusCode.Unauthorized, (await client.GetAsync("/api/v1/me")).StatusCode);
    }

    [Fact]
    public async Task An_unknown_token_is_refused_with_401_problem_details()
    {
        var client = app.CreateApiClient("prn_not-a-real-token");

        var response = await client.GetAsync("/api/v1/orgs");

        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
    }

    [Fact]
    public async Task A_token_created_through_the_API_is_shown_once_and_works()
    {
        var client = app.CreateApiClient(await app.CreateTokenAsync(userId, "bootstrap"));

        var created = await client.PostAsJsonAsync("/api/v1/me/tokens", new { name = "scanner", expiresOn = "2027-01-31" });

        Assert.Equal(HttpStatusCode.Created, created.StatusCode);
        var body = await created.Content.ReadFromJsonAsync<JsonElement>();
        var secret = body.GetProperty("secret").GetString()!;
        Assert.Equal("2027-02-01T00:00:00+00:00", body.GetProperty("token").GetProperty("expiresAt").GetDateTimeOffset().ToString("yyyy-MM-ddTHH:mm:sszzz", System.Globalization.CultureInfo.InvariantCulture));
        var me = await app.CreateApiClient(secret).GetAsync("/api/v1/me");
        Assert.Equal(HttpStatusCode.OK, me.StatusCode);
    }

    [Fact]
    public async Task A_browser_session_can_read_the_API_but_not_change_through_it()
    {
        var browser = await app.SignInAsync("pipeline@tokens.test");

        Assert.Equal(HttpStatusCode.OK, (await browser.GetAsync("/api/v1/me")).StatusCode);
        var post = await browser.PostAsJsonAsync("/api/v1/me/tokens", new { name = "from a cross-site form" });
        Assert.Equal(HttpStatusCode.Unauthorized, post.StatusCode);
        var count = await app.WithScopeAsync(s => s.GetRequiredService<PerennialDbContext>().ApiTokens.CountAsync());
        Assert.Equal(0, count);
    }
}

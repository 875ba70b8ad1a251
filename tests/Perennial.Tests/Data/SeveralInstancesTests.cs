using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Perennial.Tests.Infrastructure;

namespace Perennial.Tests.Data;

/// <summary>Two app instances on one PostgreSQL database behave as one installation.</summary>
public sealed class SeveralInstancesTests
{
    [Fact]
    public async Task A_session_started_on_one_instance_works_on_another_and_both_extend_one_audit_trail()
    {
        await using var database = await TestDatabase.CreatePostgresAsync();
        await using var first = await TestApp.StartAsync(database, ownsDatabase: false);
        await using var second = await TestApp.StartAsync(database, migrate: false, ownsDatabase: false);
        var user = await first.CreateUserAsync("shared@instances.test", installationAdmin: true);
        await first.CreateOrganisationAsync("shared", user.Id);

        var browser = first.CreateClient(handleCookies: true);
        var signIn = await TestApp.PostFormAsync(browser, "/account/sign-in",
            new Dictionary<string, string> { ["Email"] = "shared@instances.test", ["Password"] = TestApp.TestPassword });
        Assert.Equal(HttpStatusCode.Redirect, signIn.StatusCode);
        var sessionCookie = signIn.Headers.GetValues("Set-Cookie").Single(c => c.StartsWith("perennial.auth=", StringComparison.Ordinal)).Split(';')[0];

        using var onSecond = new HttpRequestMessage(HttpMethod.Get, "/api/v1/orgs");
        onSecond.Headers.Add("Cookie", sessionCookie);
        var response = await second.CreateClient().SendAsync(onSecond);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var orgs = await response.Content.ReadFromJsonAsync<JsonElement>();
        Assert.Equal("shared", orgs.GetProperty("items")[0].GetProperty("slug").GetString());

        var token = await second.CreateTokenAsync(user.Id);
        var created = await first.CreateApiClient(token).PostAsJsonAsync("/api/v1/orgs", new { slug = "made-on-first", name = "Made on the first instance" });
        Assert.Equal(HttpStatusCode.Created, created.StatusCode);
        await second.CreateOrganisationAsync("made-on-second", user.Id);

        var trail = await second.VerifyAuditTrailAsync();
        Assert.True(trail.Intact, trail.Message);
    }
}

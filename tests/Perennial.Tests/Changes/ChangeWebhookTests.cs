using System.Net;
using System.Net.Http.Json;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Perennial.Data;

namespace Perennial.Tests.Changes;

public sealed class SqliteChangeWebhookTests() : ChangeWebhookTests(DatabaseProvider.Sqlite);

public sealed class PostgresChangeWebhookTests() : ChangeWebhookTests(DatabaseProvider.Postgres);

/// <summary>The signed webhook: authentication by HMAC, replays refused, payload errors named.</summary>
public abstract class ChangeWebhookTests(DatabaseProvider provider) : IAsyncLifetime
{
    private const string Webhook = "/api/v1/orgs/acme/changes/webhook";
    private const string Payload = """
        {"id":"OPS-1234","title":"Move payroll to Payflow","description":"Payroll moves to a hosted provider.","type":"supplier",
         "requester":"ana@acme.test","plannedDate":"2026-04-30","impact":{"supplier":true,"scope":false}}
        """;

    private ChangeFixture f = null!;
    private HttpClient anonymous = null!;

    public async ValueTask InitializeAsync()
    {
        f = await ChangeFixture.CreateAsync(provider);
        anonymous = f.App.CreateClient();
    }

    public async ValueTask DisposeAsync() => await f.App.DisposeAsync();

    [Fact]
    public async Task Without_a_secret_every_delivery_is_refused_as_unauthorised()
    {
        var response = await PostAsync(Payload, Sign(Payload, "guessed-secret"));

        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        Assert.Equal(0, await f.CountChangesAsync());
    }

    [Fact]
    public async Task A_bad_or_missing_signature_is_refused_and_creates_nothing()
    {
        var secret = await CreateSecretAsync();

        var wrongSecret = await PostAsync(Payload, Sign(Payload, secret + "x"));
        var otherBody = await PostAsync(Payload, Sign(Payload.Replace("Payflow", "Payroll Co", StringComparison.Ordinal), secret));
        var missing = await PostAsync(Payload, null);
        var garbage = await PostAsync(Payload, "sha256=not-hex");

        Assert.All([wrongSecret, otherBody, missing, garbage], r => Assert.Equal(HttpStatusCode.Unauthorized, r.StatusCode));
        var details = await Task.WhenAll(new[] { wrongSecret, missing }.Select(r => r.Content.ReadFromJsonAsync<JsonElement>()));
        Assert.Equal(details[0].GetProperty("detail").GetString(), details[1].GetProperty("detail").GetString());
        Assert.Equal(0, await f.CountChangesAsync());
    }

    [Fact]
    public async Task A_good_signature_is_accepted_exactly_once()
    {
        var secret = await CreateSecretAsync();

        var first = await PostAsync(Payload, Sign(Payload, secret));
        var replay = await PostAsync(Payload, Sign(Payload, secret));

        Assert.Equal(HttpStatusCode.Created, first.StatusCode);
        var change = await first.Content.ReadFromJsonAsync<JsonElement>();
        Assert.Equal("CH-001", change.GetProperty("reference").GetString());
        Assert.Equal("webhook", change.GetProperty("source").GetString());
        Assert.Equal("OPS-1234", change.GetProperty("externalId").GetString());
        Assert.Equal("supplier", change.GetProperty("type").GetString());
        Assert.Equal("2026-04-30", change.GetProperty("plannedDate").GetString());
        Assert.Equal(f.ContributorId, change.GetProperty("requesterUserId").GetGuid());
        Assert.True(change.GetProperty("impact").GetProperty("affectsSupplier").GetBoolean());
        var task = Assert.Single(change.GetProperty("tasks").EnumerateArray());
        Assert.Equal("reassess-risks", task.GetProperty("kind").GetString());

        Assert.Equal(HttpStatusCode.Conflict, replay.StatusCode);
        var replayDetail = (await replay.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("detail").GetString()!;
        Assert.Contains("already been received and recorded as CH-001", replayDetail, StringComparison.Ordinal);
        Assert.Equal(1, await f.CountChangesAsync());

        // Another body for the same ticket is not a second change either.
        var sameTicket = Payload.Replace("hosted provider", "hosted payroll provider", StringComparison.Ordinal);
        var duplicate = await PostAsync(sameTicket, Sign(sameTicket, secret));
        Assert.Equal(HttpStatusCode.Conflict, duplicate.StatusCode);
        Assert.Equal(1, await f.CountChangesAsync());

        // The replay is refused by the body itself, even once the change no longer carries the ticket id.
        var id = change.GetProperty("id").GetGuid();
        var moved = await f.Contributor.PutAsJsonAsync($"/api/v1/orgs/acme/changes/{id}", new { title = "Move payroll to Payflow", type = "supplier", externalId = "OPS-1234-moved" });
        Assert.Equal(HttpStatusCode.OK, moved.StatusCode);
        Assert.Equal(HttpStatusCode.Conflict, (await PostAsync(Payload, Sign(Payload, secret))).StatusCode);
        Assert.Equal(1, await f.CountChangesAsync());
    }

    [Fact]
    public async Task A_good_signature_on_a_bad_payload_is_a_400_naming_the_field()
    {
        var secret = await CreateSecretAsync();
        (string Body, string Field)[] cases =
        [
            ("""{"id":"OPS-2","title":"New site","plannedDate":"30/04/2026"}""", "plannedDate"),
            ("""{"id":"OPS-3","title":"New site","type":"office"}""", "type"),
            ("""{"id":7,"title":"New site"}""", "id"),
            ("""{"id":"OPS-4"}""", "title"),
            ("""{"id":"OPS-5","title":"New site","impact":{"supplier":"yes"}}""", "impact.supplier"),
            ("""{"id":"OPS-6","title":"New site","priority":"high"}""", "priority"),
            ("""{"id":"OPS-7","title":""", "body"),
        ];

        foreach (var (body, field) in cases)
        {
            var response = await PostAsync(body, Sign(body, secret));

            Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
            var problem = await response.Content.ReadFromJsonAsync<JsonElement>();
            Assert.True(problem.GetProperty("errors").TryGetProperty(field, out _), $"expected an error on '{field}': {problem}");
        }

        Assert.Equal(0, await f.CountChangesAsync());
    }

    [Fact]
    public async Task The_secret_is_stored_encrypted_and_a_new_one_replaces_the_old()
    {
        var old = await CreateSecretAsync();
        var stored = await f.App.WithScopeAsync(s => s.GetRequiredService<PerennialDbContext>().WebhookSecrets.AsNoTracking().SingleAsync());
        Assert.DoesNotContain(old, stored.ProtectedSecret, StringComparison.Ordinal);
        Assert.Equal(43, old.Length);

        var current = await CreateSecretAsync();

        Assert.NotEqual(old, current);
        Assert.Equal(HttpStatusCode.Unauthorized, (await PostAsync(Payload, Sign(Payload, old))).StatusCode);
        Assert.Equal(HttpStatusCode.Created, (await PostAsync(Payload, Sign(Payload, current))).StatusCode);
        Assert.Equal(HttpStatusCode.Forbidden, (await f.Manager.PostAsync($"{Webhook}/secret", null)).StatusCode);
    }

    [Fact]
    public async Task An_unknown_organisation_gets_the_same_answer_as_a_bad_signature()
    {
        await CreateSecretAsync();

        var response = await anonymous.SendAsync(Request("/api/v1/orgs/nowhere/changes/webhook", Payload, "sha256=00"));

        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
    }

    private async Task<string> CreateSecretAsync()
    {
        var response = await f.Admin.PostAsync($"{Webhook}/secret", null);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        return (await response.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("secret").GetString()!;
    }

    private Task<HttpResponseMessage> PostAsync(string body, string? signature) => anonymous.SendAsync(Request(Webhook, body, signature));

    private static HttpRequestMessage Request(string path, string body, string? signature)
    {
        var request = new HttpRequestMessage(HttpMethod.Post, path) { Content = new StringContent(body, Encoding.UTF8, "application/json") };
        if (signature is not null)
        {
            request.Headers.Add("X-Perennial-Signature", signature);
        }

        return request;
    }

    /// <summary>What a sender computes: hex HMAC-SHA256 of the exact body bytes, keyed with the secret's text.</summary>
    private static string Sign(string body, string secret) =>
        "sha256=" + Convert.ToHexStringLower(HMACSHA256.HashData(Encoding.UTF8.GetBytes(secret), Encoding.UTF8.GetBytes(body)));
}

#pragma warning disable CA1861 // Request bodies are written inline for readability.
using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using System.Text.RegularExpressions;
using Perennial.Data;
using Perennial.Organisations;
using Perennial.Tests.Infrastructure;

namespace Perennial.Tests.AccessReviews;

public sealed class SqliteAccessReviewPagesTests() : AccessReviewPagesTests(DatabaseProvider.Sqlite);

public sealed class PostgresAccessReviewPagesTests() : AccessReviewPagesTests(DatabaseProvider.Postgres);

/// <summary>The access review pages as the owner and an auditor use them: server-rendered forms with their antiforgery tokens.</summary>
public abstract partial class AccessReviewPagesTests(DatabaseProvider provider) : IAsyncLifetime
{
    private const string Slug = "acme";
    private TestApp app = null!;
    private Guid occurrenceId;

    public async ValueTask InitializeAsync()
    {
        app = await TestApp.StartAsync(provider);
        var admin = await app.CreateUserAsync("admin@acme.test");
        var orgId = (await app.CreateOrganisationAsync(Slug, admin.Id)).Id;
        var manager = await app.CreateUserAsync("manager@acme.test");
        await app.AddMemberAsync(orgId, "manager@acme.test", OrgRole.Manager);
        await app.CreateUserAsync("owner@acme.test");
        await app.AddMemberAsync(orgId, "owner@acme.test", OrgRole.Contributor);
        await app.CreateUserAsync("auditor@acme.test");
        await app.AddMemberAsync(orgId, "auditor@acme.test", OrgRole.Auditor);

        var api = app.CreateApiClient(await app.CreateTokenAsync(manager.Id));
        var created = await api.PostAsJsonAsync($"/api/v1/orgs/{Slug}/activities/from-templates",
            new { templates = new[] { "privileged-access-review" }, ownerEmail = "owner@acme.test", startDate = "2026-03-31" });
        var activityId = (await created.Content.ReadFromJsonAsync<JsonElement>())[0].GetProperty("id").GetString();
        occurrenceId = (await api.GetFromJsonAsync<JsonElement>($"/api/v1/orgs/{Slug}/activities/{activityId}/occurrences"))[0].GetProperty("id").GetGuid();
    }

    public async ValueTask DisposeAsync() => await app.DisposeAsync();

    [Fact]
    public async Task The_owner_starts_a_review_from_a_csv_decides_on_the_review_page_and_signs_off()
    {
        var owner = await app.SignInAsync("owner@acme.test");
        var occurrencePage = await owner.GetStringAsync($"/o/{Slug}/occurrences/{occurrenceId}");
        Assert.Contains($"href=\"/o/{Slug}/access-reviews/new?occurrence={occurrenceId}\"", occurrencePage, StringComparison.Ordinal);

        var start = await owner.GetStringAsync($"/o/{Slug}/access-reviews/new?occurrence={occurrenceId}");
        Assert.Contains($"<option value=\"{occurrenceId}\" selected=\"selected\">", start, StringComparison.Ordinal);
        using (var form = new MultipartFormDataContent
        {
            { new StringContent(Token(start)), "__RequestVerificationToken" },
            { new StringContent(occurrenceId.ToString()), "OccurrenceId" },
            { new StringContent("billing-db"), "system" },
        })
        {
            var file = new ByteArrayContent(Encoding.UTF8.GetBytes("account,name,access\npostgres,Superuser,superuser\nreporting,Reports,\"pg_read_all_data;login\"\n"));
            file.Headers.ContentType = new MediaTypeHeaderValue("text/csv");
            form.Add(file, "file", "roles.csv");
            var response = await owner.PostAsync($"/o/{Slug}/access-reviews/new", form);
            Assert.Equal(HttpStatusCode.Redirect, response.StatusCode);
            reviewPath = response.Headers.Location!.OriginalString;
        }

        Assert.StartsWith($"/o/{Slug}/access-reviews/", reviewPath, StringComparison.Ordinal);
        var page = await owner.GetStringAsync(reviewPath);
        Assert.Contains("Access review of billing-db", page, StringComparison.Ordinal);
        Assert.Contains("0 of 2 decided", page, StringComparison.Ordinal);
        Assert.Contains("pg_read_all_data, login", page, StringComparison.Ordinal);
        var entries = EntryField().Matches(page).Select(m => m.Groups[1].Value).ToList();
        Assert.Equal(2, entries.Count);

        // A change without a note is refused on the page, naming what is missing.
        var refused = await PostAsync(owner, reviewPath, "Decide", new() { ["entryId"] = entries[1], ["decision"] = "change" });
        Assert.Equal(HttpStatusCode.OK, refused.StatusCode);
        Assert.Contains("A change needs a note", await refused.Content.ReadAsStringAsync(), StringComparison.Ordinal);

        var decided = await PostAsync(owner, reviewPath, "Decide", new() { ["entryId"] = entries[0], ["decision"] = "revoke", ["note"] = "Use named admin accounts" });
        Assert.Equal(HttpStatusCode.Redirect, decided.StatusCode);
        page = await owner.GetStringAsync(reviewPath);
        Assert.Contains("1 of 2 decided", page, StringComparison.Ordinal);
        Assert.Contains("postgres: revoke.", page, StringComparison.Ordinal);
        Assert.Contains("1 of 2 accounts are still undecided", page, StringComparison.Ordinal);

        var undecided = await owner.GetStringAsync(reviewPath + "?undecided=true");
        Assert.DoesNotContain($"value=\"{entries[0]}\"", undecided, StringComparison.Ordinal);
        Assert.Contains($"value=\"{entries[1]}\"", undecided, StringComparison.Ordinal);

        // An auditor reads the review but has no controls and cannot post decisions.
        var auditor = await app.SignInAsync("auditor@acme.test");
        var auditorPage = await auditor.GetStringAsync(reviewPath);
        Assert.Contains("1 of 2 decided", auditorPage, StringComparison.Ordinal);
        Assert.DoesNotContain("Save decision", auditorPage, StringComparison.Ordinal);
        Assert.Equal(HttpStatusCode.Forbidden, (await PostAsync(auditor, reviewPath, "Decide", new() { ["entryId"] = entries[1], ["decision"] = "keep" })).StatusCode);

        Assert.Equal(HttpStatusCode.Redirect, (await PostAsync(owner, reviewPath, "KeepUndecided", new() { ["access"] = "" })).StatusCode);
        var signed = await PostAsync(owner, reviewPath, "SignOff", new() { ["note"] = "All privileged roles checked" });
        Assert.Equal(HttpStatusCode.Redirect, signed.StatusCode);
        page = await owner.GetStringAsync(reviewPath);
        Assert.Contains("Signed off 2026-03-02", page, StringComparison.Ordinal);
        Assert.Contains("the signed-off record", page, StringComparison.Ordinal);
        Assert.DoesNotContain("Save decision", page, StringComparison.Ordinal);

        var actions = await auditor.GetStringAsync($"/o/{Slug}/access-reviews/actions");
        Assert.Contains("postgres", actions, StringComparison.Ordinal);
        Assert.Contains("Use named admin accounts", actions, StringComparison.Ordinal);
        var list = await auditor.GetStringAsync($"/o/{Slug}/access-reviews");
        Assert.Contains("2 of 2 decided", list, StringComparison.Ordinal);
        Assert.Contains("aria-current=\"page\">Access reviews</a>", list, StringComparison.Ordinal);
        occurrencePage = await owner.GetStringAsync($"/o/{Slug}/occurrences/{occurrenceId}");
        Assert.Contains("billing-db</a>: signed off 2026-03-02", occurrencePage, StringComparison.Ordinal);
    }

    private string reviewPath = "";

    private static async Task<HttpResponseMessage> PostAsync(HttpClient client, string path, string handler, Dictionary<string, string> fields)
    {
        fields["__RequestVerificationToken"] = Token(await client.GetStringAsync(path));
        return await client.PostAsync($"{path}?handler={handler}", new FormUrlEncodedContent(fields));
    }

    private static string Token(string page) =>
        AntiforgeryField().Match(page) is { Success: true } m ? m.Groups[1].Value : throw new InvalidOperationException("No antiforgery token on the page.");

    [GeneratedRegex("name=\"__RequestVerificationToken\" type=\"hidden\" value=\"([^\"]+)\"")]
    private static partial Regex AntiforgeryField();

    [GeneratedRegex("name=\"entryId\" value=\"([0-9a-f-]+)\"")]
    private static partial Regex EntryField();
}

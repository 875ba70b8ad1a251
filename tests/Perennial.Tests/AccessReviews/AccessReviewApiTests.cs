#pragma warning disable CA1861 // Request bodies are written inline for readability.
using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using Perennial.Data;
using Perennial.Evidence;
using Perennial.Organisations;
using Perennial.Tests.Infrastructure;

namespace Perennial.Tests.AccessReviews;

public sealed class SqliteAccessReviewApiTests() : AccessReviewApiTests(DatabaseProvider.Sqlite);

public sealed class PostgresAccessReviewApiTests() : AccessReviewApiTests(DatabaseProvider.Postgres);

/// <summary>
/// An access review through the API as a team runs it: a directory snapshot pushed as evidence, the
/// owner's decisions, sign-off into the occurrence's evidence, and revokes confirmed by the next snapshot.
/// </summary>
public abstract class AccessReviewApiTests(DatabaseProvider provider) : IAsyncLifetime
{
    private const string Base = "/api/v1/orgs/acme";
    private const string System = "ldap://dir.acme.test";
    private TestApp app = null!;
    private HttpClient manager = null!;
    private HttpClient owner = null!;
    private HttpClient other = null!;
    private HttpClient auditor = null!;
    private Guid occurrenceId;

    public async ValueTask InitializeAsync()
    {
        app = await TestApp.StartAsync(provider);
        var admin = await app.CreateUserAsync("admin@acme.test");
        var orgId = (await app.CreateOrganisationAsync("acme", admin.Id)).Id;
        manager = await ApiClientAsync(orgId, "manager@acme.test", OrgRole.Manager);
        owner = await ApiClientAsync(orgId, "owner@acme.test", OrgRole.Contributor);
        other = await ApiClientAsync(orgId, "other@acme.test", OrgRole.Contributor);
        auditor = await ApiClientAsync(orgId, "auditor@acme.test", OrgRole.Auditor);

        var created = await manager.PostAsJsonAsync($"{Base}/activities/from-templates",
            new { templates = new[] { "user-access-review" }, ownerEmail = "owner@acme.test", startDate = "2026-03-31" });
        Assert.Equal(HttpStatusCode.Created, created.StatusCode);
        var activityId = (await created.Content.ReadFromJsonAsync<JsonElement>())[0].GetProperty("id").GetString();
        var occurrences = await manager.GetFromJsonAsync<JsonElement>($"{Base}/activities/{activityId}/occurrences");
        occurrenceId = occurrences[0].GetProperty("id").GetGuid();
    }

    public async ValueTask DisposeAsync() => await app.DisposeAsync();

    private async Task<HttpClient> ApiClientAsync(Guid orgId, string email, OrgRole role)
    {
        var user = await app.CreateUserAsync(email);
        await app.AddMemberAsync(orgId, email, role);
        return app.CreateApiClient(await app.CreateTokenAsync(user.Id));
    }

    [Fact]
    public async Task A_review_goes_from_a_snapshot_to_signed_off_evidence_and_the_next_snapshot_confirms_the_revokes()
    {
        var first = await PushSnapshotAsync(new AccountSnapshot("ldap", System, app.Time.GetUtcNow().AddHours(-1),
        [
            new("uid=alice", "Alice Archer", "alice@acme.test", false, ["staff"]),
            new("uid=bob", "Bob Baker", "bob@acme.test", false, ["staff", "finance"]),
            new("uid=carol", "Carol Cole", null, false, ["contractors"]),
            new("uid=dave", "Dave Dunn", "dave@acme.test", false, ["staff", "admins"]),
            new("uid=erin", "Erin Eve", "erin@acme.test", false, ["staff"]),
        ]));

        var started = await owner.PostAsJsonAsync($"{Base}/access-reviews", new { occurrenceId, snapshotEvidenceId = first });
        Assert.Equal(HttpStatusCode.Created, started.StatusCode);
        var review = await started.Content.ReadFromJsonAsync<JsonElement>();
        var reviewId = review.GetProperty("review").GetProperty("id").GetString();
        Assert.Equal(System, review.GetProperty("review").GetProperty("system").GetString());
        Assert.Equal(5, review.GetProperty("review").GetProperty("accounts").GetInt32());
        Assert.Equal(0, review.GetProperty("review").GetProperty("decided").GetInt32());
        Assert.Equal("owner@acme.test", review.GetProperty("review").GetProperty("reviewer").GetString());
        var entries = review.GetProperty("entries").GetProperty("items").EnumerateArray()
            .ToDictionary(e => e.GetProperty("account").GetString()!, e => e.GetProperty("id").GetString()!);
        Assert.Equal(["uid=alice", "uid=bob", "uid=carol", "uid=dave", "uid=erin"], entries.Keys);

        string Entry(string account) => $"{Base}/access-reviews/{reviewId}/entries/{entries[account]}";

        // Auditors read; a contributor who neither owns nor reviews cannot decide.
        Assert.Equal(HttpStatusCode.Forbidden, (await auditor.PutAsJsonAsync(Entry("uid=alice"), new { decision = "keep" })).StatusCode);
        Assert.Equal(HttpStatusCode.Forbidden, (await other.PutAsJsonAsync(Entry("uid=alice"), new { decision = "keep" })).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await auditor.GetAsync($"{Base}/access-reviews/{reviewId}")).StatusCode);

        var kept = await owner.PutAsJsonAsync(Entry("uid=alice"), new { decision = "keep" });
        Assert.Equal(HttpStatusCode.OK, kept.StatusCode);
        var alice = await kept.Content.ReadFromJsonAsync<JsonElement>();
        Assert.Equal("keep", alice.GetProperty("decision").GetString());
        Assert.Equal("owner@acme.test", alice.GetProperty("decidedBy").GetString());
        Assert.Equal(HttpStatusCode.OK, (await owner.PutAsJsonAsync(Entry("uid=bob"), new { decision = "revoke", note = "Left in February" })).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await owner.PutAsJsonAsync(Entry("uid=carol"), new { decision = "revoke" })).StatusCode);

        var noNote = await owner.PutAsJsonAsync(Entry("uid=dave"), new { decision = "change" });
        Assert.Equal(HttpStatusCode.BadRequest, noNote.StatusCode);
        Assert.Contains("\"note\"", await noNote.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        var badDecision = await owner.PutAsJsonAsync(Entry("uid=dave"), new { decision = "maybe" });
        Assert.Equal(HttpStatusCode.BadRequest, badDecision.StatusCode);
        Assert.Contains("\"decision\"", await badDecision.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        Assert.Equal(HttpStatusCode.OK, (await owner.PutAsJsonAsync(Entry("uid=dave"),
            new { decision = "change", note = "No longer an administrator", accessToRemove = new[] { "admins" } })).StatusCode);

        // One account is still undecided: sign-off is refused, naming how many remain.
        var early = await owner.PostAsJsonAsync($"{Base}/access-reviews/{reviewId}/sign-off", new { note = "Quarterly review" });
        Assert.Equal(HttpStatusCode.Conflict, early.StatusCode);
        Assert.Contains("1 account is still undecided", await early.Content.ReadAsStringAsync(), StringComparison.Ordinal);

        var undecided = await owner.GetFromJsonAsync<JsonElement>($"{Base}/access-reviews/{reviewId}?undecided=true");
        Assert.Equal(["uid=erin"], undecided.GetProperty("entries").GetProperty("items").EnumerateArray().Select(e => e.GetProperty("account").GetString()));
        Assert.Equal(HttpStatusCode.OK, (await owner.PutAsJsonAsync(Entry("uid=erin"), new { decision = "keep" })).StatusCode);

        // A contributor who does not own the activity cannot sign off, even with every account decided.
        Assert.Equal(HttpStatusCode.Forbidden, (await other.PostAsJsonAsync($"{Base}/access-reviews/{reviewId}/sign-off", new { })).StatusCode);
        app.Time.Advance(TimeSpan.FromHours(2));
        var signed = await owner.PostAsJsonAsync($"{Base}/access-reviews/{reviewId}/sign-off", new { note = "Quarterly review", actionsDue = "2026-03-20" });
        Assert.Equal(HttpStatusCode.OK, signed.StatusCode);
        var done = await signed.Content.ReadFromJsonAsync<JsonElement>();
        Assert.Equal("signed-off", done.GetProperty("review").GetProperty("state").GetString());
        Assert.Equal("owner@acme.test", done.GetProperty("review").GetProperty("signedOffBy").GetString());
        var actions = done.GetProperty("actions").EnumerateArray().ToList();
        Assert.Equal(["uid=bob:revoke:open", "uid=carol:revoke:open", "uid=dave:change:open"],
            actions.Select(a => $"{a.GetProperty("account").GetString()}:{a.GetProperty("kind").GetString()}:{a.GetProperty("state").GetString()}").Order());
        Assert.All(actions, a => Assert.Equal("2026-03-20", a.GetProperty("dueDate").GetString()));

        // The signed-off record is evidence of the occurrence, hashed, naming every decision and who made it.
        var recordId = done.GetProperty("review").GetProperty("recordEvidenceId").GetString();
        var item = await auditor.GetFromJsonAsync<JsonElement>($"{Base}/evidence/{recordId}");
        Assert.Equal("system", item.GetProperty("source").GetString());
        Assert.Contains(occurrenceId, item.GetProperty("occurrenceIds").EnumerateArray().Select(o => o.GetGuid()));
        Assert.Single(item.GetProperty("activityIds").EnumerateArray());
        var bytes = await auditor.GetByteArrayAsync($"{Base}/evidence/{recordId}/content");
        Assert.Equal(item.GetProperty("sha256").GetString(), Convert.ToHexStringLower(SHA256.HashData(bytes)));
        using (var record = JsonDocument.Parse(bytes))
        {
            var root = record.RootElement;
            Assert.Equal(System, root.GetProperty("system").GetString());
            Assert.Equal("owner@acme.test", root.GetProperty("signedOffBy").GetProperty("email").GetString());
            Assert.Equal("Quarterly review", root.GetProperty("signOffNote").GetString());
            var snapshotItem = await auditor.GetFromJsonAsync<JsonElement>($"{Base}/evidence/{first}");
            Assert.Equal(snapshotItem.GetProperty("sha256").GetString(), root.GetProperty("snapshot").GetProperty("sha256").GetString());
            var decisions = root.GetProperty("accounts").EnumerateArray().ToDictionary(a => a.GetProperty("account").GetString()!);
            Assert.Equal(5, decisions.Count);
            Assert.Equal("keep", decisions["uid=alice"].GetProperty("decision").GetString());
            Assert.Equal("revoke", decisions["uid=bob"].GetProperty("decision").GetString());
            Assert.Equal("Left in February", decisions["uid=bob"].GetProperty("note").GetString());
            Assert.Equal("change", decisions["uid=dave"].GetProperty("decision").GetString());
            Assert.Equal(["admins"], decisions["uid=dave"].GetProperty("accessToRemove").EnumerateArray().Select(a => a.GetString()));
            Assert.All(decisions.Values, a =>
            {
                Assert.Equal("owner@acme.test", a.GetProperty("decidedBy").GetProperty("email").GetString());
                Assert.Equal(JsonValueKind.String, a.GetProperty("decidedAt").ValueKind);
            });
        }

        // The occurrence shows the record among its evidence, answering the signed export it asks for, and stays open.
        var occurrence = await owner.GetFromJsonAsync<JsonElement>($"{Base}/occurrences/{occurrenceId}");
        Assert.Equal("open", occurrence.GetProperty("occurrence").GetProperty("state").GetString());
        var attached = Assert.Single(occurrence.GetProperty("evidence").EnumerateArray());
        Assert.Equal("Signed review export", attached.GetProperty("requirement").GetString());
        Assert.Equal(item.GetProperty("sha256").GetString(), attached.GetProperty("sha256").GetString());

        // Signed off means settled.
        Assert.Equal(HttpStatusCode.Conflict, (await owner.PutAsJsonAsync(Entry("uid=alice"), new { decision = "revoke" })).StatusCode);
        Assert.Equal(HttpStatusCode.Conflict, (await owner.PostAsJsonAsync($"{Base}/access-reviews/{reviewId}/sign-off", new { })).StatusCode);

        // Next day's snapshot: Bob is gone, Dave lost admins, Carol is still there.
        app.Time.Advance(TimeSpan.FromDays(1));
        var second = await PushSnapshotAsync(new AccountSnapshot("ldap", System, app.Time.GetUtcNow(),
        [
            new("uid=alice", "Alice Archer", "alice@acme.test", false, ["staff"]),
            new("uid=carol", "Carol Cole", null, false, ["contractors"]),
            new("uid=dave", "Dave Dunn", "dave@acme.test", false, ["staff"]),
            new("uid=erin", "Erin Eve", "erin@acme.test", false, ["staff"]),
        ]));
        Assert.Equal(HttpStatusCode.Forbidden, (await auditor.PostAsync($"{Base}/access-reviews/confirm-from/{second}", null)).StatusCode);
        var applied = await owner.PostAsync($"{Base}/access-reviews/confirm-from/{second}", null);
        Assert.Equal(HttpStatusCode.OK, applied.StatusCode);
        var result = await applied.Content.ReadFromJsonAsync<JsonElement>();
        Assert.Equal(2, result.GetProperty("confirmed").GetInt32());
        Assert.Equal(1, result.GetProperty("stillOpen").GetInt32());

        var open = await auditor.GetFromJsonAsync<JsonElement>($"{Base}/access-reviews/actions");
        Assert.Equal(["uid=carol"], open.GetProperty("items").EnumerateArray().Select(a => a.GetProperty("account").GetString()));
        var all = await auditor.GetFromJsonAsync<JsonElement>($"{Base}/access-reviews/actions?state=confirmed");
        var confirmed = all.GetProperty("items").EnumerateArray().ToList();
        Assert.Equal(["uid=bob", "uid=dave"], confirmed.Select(a => a.GetProperty("account").GetString()).Order());
        Assert.All(confirmed, a =>
        {
            Assert.Equal(second, a.GetProperty("confirmingSnapshotEvidenceId").GetGuid());
            Assert.Equal(app.Time.GetUtcNow().UtcDateTime.Date, a.GetProperty("confirmedAt").GetDateTimeOffset().UtcDateTime.Date);
        });

        // The review's own snapshot never confirms anything.
        var again = await (await owner.PostAsync($"{Base}/access-reviews/confirm-from/{first}", null)).Content.ReadFromJsonAsync<JsonElement>();
        Assert.Equal(0, again.GetProperty("confirmed").GetInt32());
    }

    [Fact]
    public async Task A_review_needs_an_access_review_occurrence_and_a_snapshot_of_this_organisation()
    {
        var snapshot = await PushSnapshotAsync(new AccountSnapshot("ldap", System, app.Time.GetUtcNow(), [new("uid=alice", null, null, false, [])]));
        var missing = await owner.PostAsJsonAsync($"{Base}/access-reviews", new { occurrenceId });
        Assert.Equal(HttpStatusCode.BadRequest, missing.StatusCode);
        Assert.Contains("snapshotEvidenceId", await missing.Content.ReadAsStringAsync(), StringComparison.Ordinal);

        var unknown = await owner.PostAsJsonAsync($"{Base}/access-reviews", new { occurrenceId, snapshotEvidenceId = Guid.NewGuid() });
        Assert.Equal(HttpStatusCode.BadRequest, unknown.StatusCode);
        Assert.Contains("snapshotEvidenceId", await unknown.Content.ReadAsStringAsync(), StringComparison.Ordinal);

        // A file that is not an account snapshot is refused.
        using var note = new MultipartFormDataContent
        {
            { new StringContent("{\"kind\":\"file\"}", Encoding.UTF8, "application/json"), "metadata" },
            { new ByteArrayContent("just some text"u8.ToArray()), "file" },
        };
        var noteItem = await (await owner.PostAsync($"{Base}/evidence", note)).Content.ReadFromJsonAsync<JsonElement>();
        var notSnapshot = await owner.PostAsJsonAsync($"{Base}/access-reviews", new { occurrenceId, snapshotEvidenceId = noteItem.GetProperty("id").GetGuid() });
        Assert.Equal(HttpStatusCode.BadRequest, notSnapshot.StatusCode);
        Assert.Contains("not an account snapshot", await notSnapshot.Content.ReadAsStringAsync(), StringComparison.Ordinal);

        // Another organisation's snapshot is not found from here.
        var stranger = await app.CreateUserAsync("admin@other.test");
        await app.CreateOrganisationAsync("other", stranger.Id);
        var otherClient = app.CreateApiClient(await app.CreateTokenAsync(stranger.Id));
        var foreign = await otherClient.PostAsJsonAsync("/api/v1/orgs/other/access-reviews", new { occurrenceId, snapshotEvidenceId = snapshot });
        Assert.Equal(HttpStatusCode.BadRequest, foreign.StatusCode);
        Assert.Contains("occurrenceId", await foreign.Content.ReadAsStringAsync(), StringComparison.Ordinal);

        // A contributor who is not the owner cannot start one.
        Assert.Equal(HttpStatusCode.Forbidden, (await other.PostAsJsonAsync($"{Base}/access-reviews", new { occurrenceId, snapshotEvidenceId = snapshot })).StatusCode);
        var list = await auditor.GetFromJsonAsync<JsonElement>($"{Base}/access-reviews");
        Assert.Equal(0, list.GetProperty("total").GetInt32());
    }

    [Fact]
    public async Task A_csv_with_a_malformed_line_is_refused_naming_the_line_and_nothing_is_created()
    {
        const string bad = "account,name,email,access,disabled\n"
            + "jdoe,Jane Doe,jane@acme.test,staff;vpn,no\n"
            + "\"rroe,Richard Roe,richard@acme.test,staff,perhaps\n";
        var refused = await PostCsvAsync(bad);
        Assert.Equal(HttpStatusCode.BadRequest, refused.StatusCode);
        var problem = await refused.Content.ReadAsStringAsync();
        Assert.Contains("Line 3", problem, StringComparison.Ordinal);

        var badValue = await PostCsvAsync("account,name,disabled\njdoe,Jane,no\nrroe,Richard,perhaps\n");
        Assert.Equal(HttpStatusCode.BadRequest, badValue.StatusCode);
        Assert.Contains("Line 3, column 'disabled'", await badValue.Content.ReadAsStringAsync(), StringComparison.Ordinal);

        var noHeader = await PostCsvAsync("jdoe,Jane Doe,jane@acme.test,staff,no\n");
        Assert.Equal(HttpStatusCode.BadRequest, noHeader.StatusCode);
        Assert.Contains("Line 1", await noHeader.Content.ReadAsStringAsync(), StringComparison.Ordinal);

        Assert.Equal(0, (await auditor.GetFromJsonAsync<JsonElement>($"{Base}/access-reviews")).GetProperty("total").GetInt32());
        Assert.Equal(0, (await auditor.GetFromJsonAsync<JsonElement>($"{Base}/evidence")).GetProperty("total").GetInt32());

        var good = await PostCsvAsync("Account,Name,Email,Access,Disabled\r\n"
            + "jdoe,\"Doe, Jane\",jane@acme.test,staff;vpn,no\r\n"
            + "svc-backup,,,\"backup;db-read\",yes\r\n");
        Assert.Equal(HttpStatusCode.Created, good.StatusCode);
        var review = await good.Content.ReadFromJsonAsync<JsonElement>();
        Assert.Equal("erp", review.GetProperty("review").GetProperty("system").GetString());
        var rows = review.GetProperty("entries").GetProperty("items").EnumerateArray().ToList();
        Assert.Equal("Doe, Jane", rows[0].GetProperty("name").GetString());
        Assert.Equal(["staff", "vpn"], rows[0].GetProperty("access").EnumerateArray().Select(a => a.GetString()));
        Assert.True(rows[1].GetProperty("disabled").GetBoolean());
        Assert.Equal(["backup", "db-read"], rows[1].GetProperty("access").EnumerateArray().Select(a => a.GetString()));

        // The CSV itself is kept as a snapshot of the occurrence.
        var snapshotId = review.GetProperty("review").GetProperty("snapshotEvidenceId").GetString();
        var item = await auditor.GetFromJsonAsync<JsonElement>($"{Base}/evidence/{snapshotId}");
        Assert.Equal("snapshot", item.GetProperty("kind").GetString());
        Assert.Equal("text/csv", item.GetProperty("contentType").GetString());
        Assert.Contains(occurrenceId, item.GetProperty("occurrenceIds").EnumerateArray().Select(o => o.GetGuid()));
    }

    private async Task<HttpResponseMessage> PostCsvAsync(string csv)
    {
        using var content = new MultipartFormDataContent
        {
            { new StringContent(occurrenceId.ToString()), "occurrenceId" },
            { new StringContent("erp"), "system" },
        };
        var file = new ByteArrayContent(Encoding.UTF8.GetBytes(csv));
        file.Headers.ContentType = new MediaTypeHeaderValue("text/csv");
        content.Add(file, "file", "accounts.csv");
        return await owner.PostAsync($"{Base}/access-reviews", content);
    }

    private async Task<Guid> PushSnapshotAsync(AccountSnapshot snapshot)
    {
        var file = new ByteArrayContent(snapshot.ToJson());
        file.Headers.ContentType = new MediaTypeHeaderValue(AccountSnapshot.ContentType);
        using var content = new MultipartFormDataContent
        {
            { new StringContent("{\"kind\":\"snapshot\",\"title\":\"Directory accounts\"}", Encoding.UTF8, "application/json"), "metadata" },
            // Without a file name: the part is then a plain form field, which every version of the upload reader takes.
            { file, "file" },
        };
        var response = await owner.PostAsync($"{Base}/evidence", content);
        Assert.True(response.StatusCode == HttpStatusCode.Created, await response.Content.ReadAsStringAsync());
        return (await response.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("id").GetGuid();
    }
}

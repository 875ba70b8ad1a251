using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Perennial.Data;
using Perennial.Organisations;
using Perennial.Tests.Infrastructure;

namespace Perennial.Tests.Evidence;

public sealed class SqliteEvidenceApiTests() : EvidenceApiTests(DatabaseProvider.Sqlite);

public sealed class PostgresEvidenceApiTests() : EvidenceApiTests(DatabaseProvider.Postgres);

/// <summary>The evidence upload contract: stored hashes, periods, idempotency, supersession, links and roles.</summary>
public abstract class EvidenceApiTests(DatabaseProvider provider) : IAsyncLifetime
{
    private const string Base = "/api/v1/orgs/acme";
    private TestApp app = null!;
    private Guid orgId;
    private HttpClient manager = null!;
    private HttpClient contributor = null!;
    private HttpClient auditor = null!;

    public async ValueTask InitializeAsync()
    {
        app = await TestApp.StartAsync(provider);
        var admin = await app.CreateUserAsync("admin@acme.test");
        orgId = (await app.CreateOrganisationAsync("acme", admin.Id)).Id;
        var m = await app.CreateUserAsync("manager@acme.test");
        await app.AddMemberAsync(orgId, "manager@acme.test", OrgRole.Manager);
        var c = await app.CreateUserAsync("pipeline@acme.test");
        await app.AddMemberAsync(orgId, "pipeline@acme.test", OrgRole.Contributor);
        var a = await app.CreateUserAsync("auditor@acme.test");
        await app.AddMemberAsync(orgId, "auditor@acme.test", OrgRole.Auditor);
        manager = app.CreateApiClient(await app.CreateTokenAsync(m.Id));
        contributor = app.CreateApiClient(await app.CreateTokenAsync(c.Id, "ci"));
        auditor = app.CreateApiClient(await app.CreateTokenAsync(a.Id));
    }

    public async ValueTask DisposeAsync() => await app.DisposeAsync();

    [Fact]
    public async Task An_upload_records_the_hash_size_and_period_of_the_original_bytes_and_downloads_them_unchanged()
    {
        var bytes = RandomNumberGenerator.GetBytes(300_000);
        var response = await UploadAsync(contributor, bytes, "firewall-export.json", new { title = "Firewall rules export", periodFrom = "2026-01-01", periodTo = "2026-01-31" });
        Assert.Equal(HttpStatusCode.Created, response.StatusCode);
        var item = await response.Content.ReadFromJsonAsync<JsonElement>();
        var id = item.GetProperty("id").GetGuid();
        Assert.Equal($"{Base}/evidence/{id}", response.Headers.Location?.OriginalString);

        var read = await GetJsonAsync(auditor, $"{Base}/evidence/{id}");
        Assert.Equal(Convert.ToHexStringLower(SHA256.HashData(bytes)), read.GetProperty("sha256").GetString());
        Assert.Equal(bytes.Length, read.GetProperty("size").GetInt64());
        Assert.Equal("2026-01-01", read.GetProperty("periodFrom").GetString());
        Assert.Equal("2026-01-31", read.GetProperty("periodTo").GetString());
        // Uploaded on 2 March for January: the period covered is not the upload time.
        Assert.Equal(app.Time.GetUtcNow(), read.GetProperty("collectedAt").GetDateTimeOffset());
        Assert.Equal("file", read.GetProperty("kind").GetString());
        Assert.Equal("current", read.GetProperty("status").GetString());
        Assert.Equal("api-token", read.GetProperty("source").GetString());
        Assert.Equal("pipeline@acme.test", read.GetProperty("sourceUser").GetString());
        Assert.NotEqual(JsonValueKind.Null, read.GetProperty("sourceTokenId").ValueKind);
        Assert.Equal("Firewall rules export", read.GetProperty("title").GetString());

        var content = await auditor.GetAsync($"{Base}/evidence/{id}/content");
        Assert.Equal(HttpStatusCode.OK, content.StatusCode);
        Assert.Equal(bytes, await content.Content.ReadAsByteArrayAsync());
        Assert.Equal("attachment", content.Content.Headers.ContentDisposition?.DispositionType);
        Assert.Equal("nosniff", content.Headers.GetValues("X-Content-Type-Options").Single());
    }

    [Fact]
    public async Task A_retried_upload_with_the_same_client_key_returns_the_first_item_and_different_bytes_are_refused()
    {
        var bytes = Encoding.UTF8.GetBytes("scan output v1");
        var first = await UploadAsync(contributor, bytes, "scan.txt", new { clientKey = "build-4711/scan" });
        Assert.Equal(HttpStatusCode.Created, first.StatusCode);
        var id = (await first.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("id").GetGuid();

        var retry = await UploadAsync(contributor, bytes, "scan.txt", new { clientKey = "build-4711/scan" });
        Assert.Equal(HttpStatusCode.OK, retry.StatusCode);
        Assert.Equal(id, (await retry.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("id").GetGuid());

        var clash = await UploadAsync(contributor, Encoding.UTF8.GetBytes("scan output v2"), "scan.txt", new { clientKey = "build-4711/scan" });
        Assert.Equal(HttpStatusCode.Conflict, clash.StatusCode);
        Assert.Contains("clientKey", await clash.Content.ReadAsStringAsync(), StringComparison.Ordinal);

        Assert.Equal(1, await CountItemsAsync());
    }

    [Fact]
    public async Task Concurrent_retries_with_one_client_key_record_one_item()
    {
        var bytes = Encoding.UTF8.GetBytes("the same report, sent by a flaky runner");
        var answers = await Task.WhenAll(Enumerable.Range(0, 6).Select(_ => UploadAsync(contributor, bytes, "r.txt", new { clientKey = "flaky" })));
        Assert.All(answers, a => Assert.True(a.IsSuccessStatusCode, a.StatusCode.ToString()));
        var ids = await Task.WhenAll(answers.Select(async a => (await a.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("id").GetGuid()));
        Assert.Single(ids.Distinct());
        Assert.Equal(1, await CountItemsAsync());
    }

    [Fact]
    public async Task Parallel_pushes_from_several_tokens_are_each_recorded_for_their_own_uploader()
    {
        var uploads = await Task.WhenAll(Enumerable.Range(0, 24).Select(async i =>
        {
            var (client, email) = (i % 2 == 0) ? (contributor, "pipeline@acme.test") : (manager, "manager@acme.test");
            var response = await UploadAsync(client, Encoding.UTF8.GetBytes($"nightly check {i}"), $"check-{i}.txt", new { title = $"Check {i}", clientKey = $"check-{i}" });
            return (Id: await ItemAsync(response), Email: email);
        }));

        Assert.Equal(24, uploads.Select(u => u.Id).Distinct().Count());
        foreach (var (id, email) in uploads)
        {
            Assert.Equal(email, (await GetJsonAsync(auditor, $"{Base}/evidence/{id}")).GetProperty("sourceUser").GetString());
        }

        await app.WithScopeAsync(async sp =>
        {
            var db = sp.GetRequiredService<PerennialDbContext>();
            var users = await db.Users.ToDictionaryAsync(u => u.Email!, u => u.Id);
            var ids = uploads.Select(u => u.Id).ToList();
            var actors = await db.AuditEntries.Where(e => ids.Contains(e.EntityId)).ToDictionaryAsync(e => e.EntityId, e => e.ActorUserId);
            Assert.All(uploads, u => Assert.Equal(users[u.Email], actors[u.Id]));
        });
        Assert.True((await app.VerifyAuditTrailAsync()).Intact);
    }

    [Fact]
    public async Task The_same_bytes_uploaded_twice_are_stored_once_as_two_items()
    {
        var bytes = RandomNumberGenerator.GetBytes(10_000);
        await UploadAsync(contributor, bytes, "a.bin", new { periodTo = "2026-02-01" });
        await UploadAsync(contributor, bytes, "b.bin", new { periodTo = "2026-03-01" });
        Assert.Equal(2, await CountItemsAsync());
        var store = Path.Combine(app.Database.DataDirectory, "evidence");
        var blobs = Directory.EnumerateFiles(store, "*", SearchOption.AllDirectories)
            .Where(f => !Path.GetRelativePath(store, f).StartsWith("tmp", StringComparison.Ordinal)).ToList();
        Assert.Single(blobs);
        Assert.Equal(Convert.ToHexStringLower(SHA256.HashData(bytes)), Path.GetFileName(blobs[0]));
    }

    [Fact]
    public async Task A_new_version_supersedes_the_old_one_which_stays_readable()
    {
        var old = await ItemAsync(await UploadAsync(contributor, Encoding.UTF8.GetBytes("policy v1"), "policy.txt", new { title = "Policy" }));
        var newer = await ItemAsync(await UploadAsync(contributor, Encoding.UTF8.GetBytes("policy v2"), "policy.txt", new { title = "Policy", supersedes = old }));

        var oldRead = await GetJsonAsync(auditor, $"{Base}/evidence/{old}");
        Assert.Equal("superseded", oldRead.GetProperty("status").GetString());
        Assert.Equal(newer, oldRead.GetProperty("supersededById").GetGuid());
        Assert.Equal("policy v1", await (await auditor.GetAsync($"{Base}/evidence/{old}/content")).Content.ReadAsStringAsync());
        Assert.Equal(old, (await GetJsonAsync(auditor, $"{Base}/evidence/{newer}")).GetProperty("supersedesId").GetGuid());

        var again = await UploadAsync(contributor, Encoding.UTF8.GetBytes("policy v2b"), "policy.txt", new { supersedes = old });
        Assert.Equal(HttpStatusCode.Conflict, again.StatusCode);

        var current = await GetJsonAsync(auditor, $"{Base}/evidence?status=current");
        Assert.Equal([newer], current.GetProperty("items").EnumerateArray().Select(i => i.GetProperty("id").GetGuid()));
    }

    [Fact]
    public async Task Evidence_for_an_activity_goes_to_its_earliest_open_occurrence_and_shows_there()
    {
        var activity = await (await manager.PostAsJsonAsync($"{Base}/activities", new
        {
            title = "Vulnerability scan",
            ownerEmail = "pipeline@acme.test",
            rrule = "FREQ=MONTHLY;BYMONTHDAY=15",
            dtStart = "2026-01-15T09:00:00",
            timeZone = "UTC",
        })).Content.ReadFromJsonAsync<JsonElement>();
        var activityId = activity.GetProperty("id").GetGuid();

        var item = await GetJsonAsync(auditor, $"{Base}/evidence/{await ItemAsync(await UploadAsync(contributor, Encoding.UTF8.GetBytes("{}"), "trivy.json", new { activityId, periodFrom = "2026-03-01", periodTo = "2026-03-02" }))}");
        Assert.Equal([activityId], item.GetProperty("activityIds").EnumerateArray().Select(e => e.GetGuid()));
        var occurrenceId = Assert.Single(item.GetProperty("occurrenceIds").EnumerateArray()).GetGuid();

        var occurrences = await GetJsonAsync(auditor, $"{Base}/activities/{activityId}/occurrences?from=2026-03-01&to=2026-04-30");
        var march = occurrences.EnumerateArray().First();
        Assert.Equal(occurrenceId, march.GetProperty("id").GetGuid());
        Assert.Equal("2026-03-15T09:00:00", march.GetProperty("due").GetString());
        var detail = await GetJsonAsync(auditor, $"{Base}/occurrences/{occurrenceId}");
        Assert.Equal("trivy.json", Assert.Single(detail.GetProperty("evidence").EnumerateArray()).GetProperty("fileName").GetString());

        var listed = await GetJsonAsync(auditor, $"{Base}/evidence?activity={activityId}");
        Assert.Equal(1, listed.GetProperty("total").GetInt32());
    }

    [Fact]
    public async Task An_activity_with_evidence_cannot_be_deleted_even_when_no_occurrence_holds_it()
    {
        // A single date in the past: no occurrence is generated, so the evidence is linked to the activity alone.
        var activityId = (await (await manager.PostAsJsonAsync($"{Base}/activities", new
        {
            title = "One-off penetration test",
            ownerEmail = "pipeline@acme.test",
            rrule = "FREQ=YEARLY;COUNT=1",
            dtStart = "2026-01-10T09:00:00",
            timeZone = "UTC",
        })).Content.ReadFromJsonAsync<JsonElement>()).GetProperty("id").GetGuid();
        var item = await GetJsonAsync(auditor, $"{Base}/evidence/{await ItemAsync(await UploadAsync(contributor, Encoding.UTF8.GetBytes("pentest report"), "report.pdf", new { activityId, periodTo = "2026-01-20" }))}");
        Assert.Empty(item.GetProperty("occurrenceIds").EnumerateArray());

        var delete = await manager.DeleteAsync($"{Base}/activities/{activityId}");
        Assert.Equal(HttpStatusCode.Conflict, delete.StatusCode);
        Assert.Equal([activityId], (await GetJsonAsync(auditor, $"{Base}/evidence/{item.GetProperty("id").GetGuid()}")).GetProperty("activityIds").EnumerateArray().Select(e => e.GetGuid()));
    }

    [Fact]
    public async Task Completing_an_occurrence_with_a_file_records_an_evidence_item_for_it()
    {
        var activityId = (await (await manager.PostAsJsonAsync($"{Base}/activities", new
        {
            title = "Backup restore test",
            ownerEmail = "pipeline@acme.test",
            rrule = "FREQ=MONTHLY;BYMONTHDAY=10",
            dtStart = "2026-01-10T09:00:00",
            timeZone = "UTC",
        })).Content.ReadFromJsonAsync<JsonElement>()).GetProperty("id").GetGuid();
        var occurrenceId = (await GetJsonAsync(auditor, $"{Base}/activities/{activityId}/occurrences?from=2026-03-01&to=2026-03-31"))[0].GetProperty("id").GetGuid();
        using var form = new MultipartFormDataContent();
        var log = Encoding.UTF8.GetBytes("restore completed in 14 minutes");
        form.Add(new ByteArrayContent(log), "files", "restore.log");
        Assert.Equal(HttpStatusCode.OK, (await contributor.PostAsync($"{Base}/occurrences/{occurrenceId}/complete", form)).StatusCode);

        var listed = await GetJsonAsync(auditor, $"{Base}/evidence?occurrence={occurrenceId}");
        var item = Assert.Single(listed.GetProperty("items").EnumerateArray());
        Assert.Equal(Convert.ToHexStringLower(SHA256.HashData(log)), item.GetProperty("sha256").GetString());
        Assert.Equal("occurrence", item.GetProperty("source").GetString());
        Assert.Equal("2026-03-02", item.GetProperty("periodTo").GetString());
        Assert.Equal(log, await (await auditor.GetAsync(item.GetProperty("contentUrl").GetString())).Content.ReadAsByteArrayAsync());
    }

    [Fact]
    public async Task Links_and_notes_are_recorded_from_a_json_body_and_a_note_is_hashed_like_a_file()
    {
        var link = await contributor.PostAsJsonAsync($"{Base}/evidence", new { kind = "link", url = "https://wiki.example.test/change-board/2026-02", periodTo = "2026-02-28" });
        Assert.Equal(HttpStatusCode.Created, link.StatusCode);
        var linkItem = await link.Content.ReadFromJsonAsync<JsonElement>();
        Assert.Equal(JsonValueKind.Null, linkItem.GetProperty("sha256").ValueKind);
        Assert.Equal(HttpStatusCode.NotFound, (await auditor.GetAsync($"{Base}/evidence/{linkItem.GetProperty("id").GetGuid()}/content")).StatusCode);

        var note = await contributor.PostAsJsonAsync($"{Base}/evidence", new { kind = "note", text = "Reviewed the supplier list with procurement; no changes." });
        Assert.Equal(HttpStatusCode.Created, note.StatusCode);
        var noteItem = await note.Content.ReadFromJsonAsync<JsonElement>();
        Assert.Equal(Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes("Reviewed the supplier list with procurement; no changes."))), noteItem.GetProperty("sha256").GetString());

        var badLink = await contributor.PostAsJsonAsync($"{Base}/evidence", new { kind = "link", url = "javascript:alert(1)" });
        await AssertInvalidAsync(badLink, "url");
    }

    [Theory]
    [InlineData("{\"periodFrom\":\"2026-02-10\",\"periodTo\":\"2026-02-01\"}", "periodFrom")]
    [InlineData("{\"periodTo\":\"2027-01-01\"}", "periodTo")]
    [InlineData("{\"periodFrom\":\"last month\"}", "metadata.periodFrom")]
    [InlineData("{\"activityId\":\"5f0c4f7e-1d1e-4c55-9a64-111111111111\"}", "activityId")]
    [InlineData("{\"controlId\":\"5f0c4f7e-1d1e-4c55-9a64-111111111111\"}", "controlId")]
    [InlineData("{\"kind\":\"video\"}", "metadata.kind")]
    [InlineData("{\"activityId\":\"x\"}", "metadata.activityId")]
    [InlineData("{\"activity\":\"x\"}", "metadata")]
    [InlineData("{\"report\":\"nessus\"}", "report")]
    [InlineData("not json", "metadata")]
    public async Task Bad_metadata_is_refused_naming_the_field_and_records_nothing(string metadata, string field)
    {
        using var form = new MultipartFormDataContent();
        form.Add(new StringContent(metadata, Encoding.UTF8, "application/json"), "metadata");
        form.Add(new ByteArrayContent(Encoding.UTF8.GetBytes("bytes")), "file", "x.txt");
        var response = await contributor.PostAsync($"{Base}/evidence", form);
        await AssertInvalidAsync(response, field);
        Assert.Equal(0, await CountItemsAsync());
    }

    [Fact]
    public async Task Malformed_bodies_get_400_not_500()
    {
        await AssertInvalidAsync(await contributor.PostAsync($"{Base}/evidence", new StringContent("hello", Encoding.UTF8, "text/plain")), "body");

        var truncated = new ByteArrayContent(Encoding.UTF8.GetBytes("--b\r\nContent-Disposition: form-data; name=\"file\"; filename=\"a\"\r\n\r\npartial"));
        truncated.Headers.ContentType = MediaTypeHeaderValue.Parse("multipart/form-data; boundary=b");
        await AssertInvalidAsync(await contributor.PostAsync($"{Base}/evidence", truncated), "body");

        using var twoFiles = new MultipartFormDataContent();
        twoFiles.Add(new ByteArrayContent([1]), "file", "a");
        twoFiles.Add(new ByteArrayContent([2]), "file", "b");
        await AssertInvalidAsync(await contributor.PostAsync($"{Base}/evidence", twoFiles), "file");

        using var stray = new MultipartFormDataContent();
        stray.Add(new StringContent("x"), "comment");
        await AssertInvalidAsync(await contributor.PostAsync($"{Base}/evidence", stray), "comment");

        using var snapshotWithoutFile = new MultipartFormDataContent();
        snapshotWithoutFile.Add(new StringContent("{\"kind\":\"snapshot\"}", Encoding.UTF8, "application/json"), "metadata");
        await AssertInvalidAsync(await contributor.PostAsync($"{Base}/evidence", snapshotWithoutFile), "file");
        Assert.Equal(0, await CountItemsAsync());
    }

    [Fact]
    public async Task Auditors_read_and_download_but_cannot_upload_and_other_organisations_see_nothing()
    {
        var id = await ItemAsync(await UploadAsync(contributor, Encoding.UTF8.GetBytes("x"), "x.txt", new { }));
        Assert.Equal(HttpStatusCode.Forbidden, (await UploadAsync(auditor, Encoding.UTF8.GetBytes("y"), "y.txt", new { })).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await auditor.GetAsync($"{Base}/evidence/{id}/content")).StatusCode);

        var outsider = await app.CreateUserAsync("outsider@other.test");
        await app.CreateOrganisationAsync("other", outsider.Id);
        var stranger = app.CreateApiClient(await app.CreateTokenAsync(outsider.Id));
        Assert.Equal(HttpStatusCode.NotFound, (await stranger.GetAsync($"/api/v1/orgs/other/evidence/{id}")).StatusCode);
        // Not a member of acme: indistinguishable from an organisation that does not exist.
        Assert.Equal(HttpStatusCode.NotFound, (await stranger.GetAsync($"{Base}/evidence/{id}")).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await stranger.GetAsync($"{Base}/evidence/{id}/content")).StatusCode);
    }

    [Fact]
    public async Task Lists_filter_by_period_overlap_and_text_and_page()
    {
        for (var month = 1; month <= 12; month++)
        {
            await UploadAsync(contributor, Encoding.UTF8.GetBytes($"m{month}"), $"report-{month:00}.txt",
                new { periodFrom = $"2025-{month:00}-01", periodTo = $"2025-{month:00}-{DateTime.DaysInMonth(2025, month):00}" });
        }

        var q2 = await GetJsonAsync(auditor, $"{Base}/evidence?from=2025-04-15&to=2025-06-01");
        Assert.Equal(["report-06.txt", "report-05.txt", "report-04.txt"], q2.GetProperty("items").EnumerateArray().Select(i => i.GetProperty("fileName").GetString()));
        var page = await GetJsonAsync(auditor, $"{Base}/evidence?pageSize=5&page=3");
        Assert.Equal(12, page.GetProperty("total").GetInt32());
        Assert.Equal(2, page.GetProperty("items").GetArrayLength());
        Assert.Equal(1, (await GetJsonAsync(auditor, $"{Base}/evidence?q=REPORT-07")).GetProperty("total").GetInt32());
        await AssertInvalidAsync(await auditor.GetAsync($"{Base}/evidence?status=old"), "status");
    }

    private async Task<int> CountItemsAsync() =>
        await app.WithScopeAsync(s => s.GetRequiredService<PerennialDbContext>().EvidenceItems.CountAsync(e => e.OrganisationId == orgId));

    private static async Task<HttpResponseMessage> UploadAsync(HttpClient client, byte[] bytes, string fileName, object metadata)
    {
        using var form = new MultipartFormDataContent();
        form.Add(JsonContent.Create(metadata), "metadata");
        form.Add(new ByteArrayContent(bytes), "file", fileName);
        return await client.PostAsync($"{Base}/evidence", form);
    }

    private static async Task<Guid> ItemAsync(HttpResponseMessage response)
    {
        Assert.True(response.IsSuccessStatusCode, $"{response.StatusCode}: {await response.Content.ReadAsStringAsync()}");
        return (await response.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("id").GetGuid();
    }

    private static async Task<JsonElement> GetJsonAsync(HttpClient client, string path)
    {
        var response = await client.GetAsync(path);
        Assert.True(response.IsSuccessStatusCode, $"{path}: {response.StatusCode} {await response.Content.ReadAsStringAsync()}");
        return await response.Content.ReadFromJsonAsync<JsonElement>();
    }

    private static async Task AssertInvalidAsync(HttpResponseMessage response, string field)
    {
        var body = await response.Content.ReadAsStringAsync();
        Assert.True(response.StatusCode == HttpStatusCode.BadRequest, $"{response.StatusCode}: {body}");
        var problem = JsonDocument.Parse(body).RootElement;
        Assert.True(problem.TryGetProperty("errors", out var errors) && errors.TryGetProperty(field, out _), $"expected an error on '{field}': {body}");
    }
}

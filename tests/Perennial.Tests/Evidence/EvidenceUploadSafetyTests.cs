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

public sealed class SqliteEvidenceUploadSafetyTests() : EvidenceUploadSafetyTests(DatabaseProvider.Sqlite);

public sealed class PostgresEvidenceUploadSafetyTests() : EvidenceUploadSafetyTests(DatabaseProvider.Postgres);

/// <summary>
/// Uploads through POST /api/v1/orgs/{slug}/evidence that try to escape the store, run in the browser,
/// exceed the size limit or repeat themselves.
/// </summary>
public abstract class EvidenceUploadSafetyTests(DatabaseProvider provider) : IAsyncLifetime
{
    private const string Base = "/api/v1/orgs/acme/evidence";
    private const int MaxUploadBytes = 4096;
    private TestApp app = null!;
    private HttpClient contributor = null!;
    private HttpClient auditor = null!;

    private string StoreRoot => Path.Combine(app.Database.DataDirectory, "evidence");

    public async ValueTask InitializeAsync()
    {
        app = await TestApp.StartAsync(provider, settings: new Dictionary<string, string?> { ["Perennial:Evidence:MaxUploadBytes"] = MaxUploadBytes.ToString(System.Globalization.CultureInfo.InvariantCulture) });
        var admin = await app.CreateUserAsync("admin@acme.test");
        var org = await app.CreateOrganisationAsync("acme", admin.Id);
        var c = await app.CreateUserAsync("contributor@acme.test");
        await app.AddMemberAsync(org.Id, "contributor@acme.test", OrgRole.Contributor);
        var a = await app.CreateUserAsync("auditor@acme.test");
        await app.AddMemberAsync(org.Id, "auditor@acme.test", OrgRole.Auditor);
        contributor = app.CreateApiClient(await app.CreateTokenAsync(c.Id));
        auditor = app.CreateApiClient(await app.CreateTokenAsync(a.Id));
    }

    public async ValueTask DisposeAsync() => await app.DisposeAsync();

    [Theory]
    [InlineData("../../x")]
    [InlineData("..\\..\\x")]
    [InlineData("/etc/passwd")]
    [InlineData("C:\\Windows\\win.ini")]
    public async Task A_traversal_file_name_is_stored_sanitised_and_nothing_is_written_outside_the_store(string name)
    {
        var data = app.Database.DataDirectory;
        var escaped = Path.Combine(Directory.GetParent(data)!.FullName, "x");
        var existedBefore = File.Exists(escaped);
        var before = SnapshotFiles(data);
        var bytes = Encoding.UTF8.GetBytes($"payload for {name}");

        var item = await UploadAsync(bytes, name, "text/plain");

        var stored = item.GetProperty("fileName").GetString()!;
        Assert.DoesNotContain("/", stored, StringComparison.Ordinal);
        Assert.DoesNotContain("\\", stored, StringComparison.Ordinal);
        Assert.DoesNotContain("..", stored, StringComparison.Ordinal);
        Assert.False(string.IsNullOrWhiteSpace(stored));
        // Everything new in the data folder is in the store (beside the database's own files), and nothing landed above it.
        var created = SnapshotFiles(data).Except(before).Where(p => !Path.GetFileName(p).StartsWith("perennial.db", StringComparison.Ordinal)).ToList();
        Assert.NotEmpty(created);
        Assert.All(created, path => Assert.StartsWith(StoreRoot + Path.DirectorySeparatorChar, path, StringComparison.Ordinal));
        Assert.Equal(existedBefore, File.Exists(escaped));

        var download = await auditor.GetAsync($"{Base}/{item.GetProperty("id").GetGuid()}/content");
        Assert.Equal(HttpStatusCode.OK, download.StatusCode);
        Assert.Equal(stored, download.Content.Headers.ContentDisposition!.FileNameStar ?? download.Content.Headers.ContentDisposition.FileName!.Trim('"'));
        Assert.Equal(bytes, await download.Content.ReadAsByteArrayAsync());
    }

    [Theory]
    [InlineData("report.html", "text/html", "<html><script>alert(1)</script></html>")]
    [InlineData("diagram.svg", "image/svg+xml", "<svg xmlns=\"http://www.w3.org/2000/svg\" onload=\"alert(1)\"/>")]
    public async Task Html_and_svg_uploads_are_served_as_attachments_that_no_browser_renders(string name, string type, string body)
    {
        var item = await UploadAsync(Encoding.UTF8.GetBytes(body), name, type);

        var download = await auditor.GetAsync($"{Base}/{item.GetProperty("id").GetGuid()}/content");

        Assert.Equal(HttpStatusCode.OK, download.StatusCode);
        Assert.Equal("attachment", download.Content.Headers.ContentDisposition!.DispositionType);
        Assert.Equal("nosniff", Assert.Single(download.Headers.GetValues("X-Content-Type-Options")));
        var served = download.Content.Headers.ContentType!.MediaType!;
        Assert.DoesNotContain("html", served, StringComparison.OrdinalIgnoreCase);
        Assert.DoesNotContain("svg", served, StringComparison.OrdinalIgnoreCase);
        Assert.DoesNotContain("xml", served, StringComparison.OrdinalIgnoreCase);
        Assert.Equal(body, await download.Content.ReadAsStringAsync());
    }

    [Fact]
    public async Task An_upload_above_the_limit_is_refused_naming_file_and_leaves_no_item_and_no_blob()
    {
        var response = await contributor.PostAsync(Base, Multipart(new byte[MaxUploadBytes + 1], "big.bin", "application/octet-stream", "{\"title\":\"Too big\"}"));

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        var problem = await response.Content.ReadFromJsonAsync<JsonElement>();
        Assert.True(problem.GetProperty("errors").TryGetProperty("file", out _), problem.GetRawText());
        Assert.Equal(0, await app.WithScopeAsync(s => s.GetRequiredService<PerennialDbContext>().EvidenceItems.CountAsync()));
        Assert.Empty(Blobs());
    }

    [Fact]
    public async Task The_same_bytes_twice_are_stored_once_but_recorded_as_two_items_or_one_with_the_same_client_key()
    {
        var bytes = Encoding.UTF8.GetBytes("access review export, March 2026");

        var first = await UploadAsync(bytes, "review.csv", "text/csv");
        var second = await UploadAsync(bytes, "review-again.csv", "text/csv");

        Assert.NotEqual(first.GetProperty("id").GetGuid(), second.GetProperty("id").GetGuid());
        Assert.Equal(first.GetProperty("sha256").GetString(), second.GetProperty("sha256").GetString());
        Assert.Single(Blobs());

        var keyed = await contributor.PostAsync(Base, Multipart(bytes, "review.csv", "text/csv", "{\"clientKey\":\"ci-run-42\"}"));
        Assert.Equal(HttpStatusCode.Created, keyed.StatusCode);
        var retried = await contributor.PostAsync(Base, Multipart(bytes, "review.csv", "text/csv", "{\"clientKey\":\"ci-run-42\"}"));
        Assert.Equal(HttpStatusCode.OK, retried.StatusCode);
        Assert.Equal(
            (await keyed.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("id").GetGuid(),
            (await retried.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("id").GetGuid());
        Assert.Equal(3, await app.WithScopeAsync(s => s.GetRequiredService<PerennialDbContext>().EvidenceItems.CountAsync()));
        Assert.Single(Blobs());
    }

    [Fact]
    public async Task The_stored_sha256_is_the_sha256_of_the_original_bytes()
    {
        var bytes = new byte[3000];
        new Random(27001).NextBytes(bytes);

        var item = await UploadAsync(bytes, "scan.bin", "application/octet-stream");

        var expected = Convert.ToHexStringLower(SHA256.HashData(bytes));
        Assert.Equal(expected, item.GetProperty("sha256").GetString());
        Assert.Equal(bytes.Length, item.GetProperty("size").GetInt64());
        var blob = Assert.Single(Blobs());
        Assert.Equal(expected, Convert.ToHexStringLower(SHA256.HashData(await File.ReadAllBytesAsync(blob))));
        var fetched = await auditor.GetFromJsonAsync<JsonElement>($"{Base}/{item.GetProperty("id").GetGuid()}");
        Assert.Equal(expected, fetched.GetProperty("sha256").GetString());
    }

    private async Task<JsonElement> UploadAsync(byte[] bytes, string fileName, string contentType)
    {
        var response = await contributor.PostAsync(Base, Multipart(bytes, fileName, contentType, "{}"));
        var text = await response.Content.ReadAsStringAsync();
        Assert.True(response.StatusCode == HttpStatusCode.Created, text);
        return JsonDocument.Parse(text).RootElement.Clone();
    }

    private static MultipartFormDataContent Multipart(byte[] bytes, string fileName, string contentType, string metadata)
    {
        var file = new ByteArrayContent(bytes);
        file.Headers.ContentType = MediaTypeHeaderValue.Parse(contentType);
        var content = new MultipartFormDataContent { { new StringContent(metadata, Encoding.UTF8, "application/json"), "metadata" } };

        // The name goes out exactly as given, as a hostile client would send it.
        file.Headers.ContentDisposition = new ContentDispositionHeaderValue("form-data") { Name = "\"file\"", FileName = "\"" + fileName.Replace("\\", "\\\\", StringComparison.Ordinal) + "\"" };
        content.Add(file);
        return content;
    }

    private List<string> Blobs() =>
        Directory.Exists(StoreRoot)
            ? [.. Directory.GetFiles(StoreRoot, "*", SearchOption.AllDirectories).Where(p => !p.StartsWith(Path.Combine(StoreRoot, "tmp"), StringComparison.Ordinal))]
            : [];

    private static HashSet<string> SnapshotFiles(string root) =>
        [.. Directory.GetFiles(root, "*", SearchOption.AllDirectories)];
}

using System.Net;
using System.Net.Http.Json;
using System.Security.Cryptography;
using System.Text.Json;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Perennial.Cli;
using Perennial.Data;
using Perennial.Evidence.Storage;
using Perennial.Frameworks;
using Perennial.Organisations;
using Perennial.Tests.Infrastructure;

namespace Perennial.Tests.Evidence;

/// <summary>
/// <c>perennial evidence push</c> against a real server on a loopback port, and <c>perennial evidence verify</c>
/// against the same installation's database and store.
/// </summary>
public abstract class CliEvidenceTests(DatabaseProvider provider) : IAsyncLifetime
{
    private const string Slug = "acme";
    private TestApp app = null!;
    private string token = null!;
    private HttpClient api = null!;
    private Guid activityId;
    private Guid controlId;
    private string folder = null!;

    public async ValueTask InitializeAsync()
    {
        app = await TestApp.StartAsync(provider, kestrel: true);
        var admin = await app.CreateUserAsync("admin@acme.test");
        var org = await app.CreateOrganisationAsync(Slug, admin.Id);
        var pipeline = await app.CreateUserAsync("pipeline@acme.test");
        await app.AddMemberAsync(org.Id, "pipeline@acme.test", OrgRole.Contributor);
        token = await app.CreateTokenAsync(pipeline.Id, "ci");
        api = app.CreateApiClient(await app.CreateTokenAsync(admin.Id));

        var created = await api.PostAsJsonAsync($"/api/v1/orgs/{Slug}/activities", new
        {
            title = "Vulnerability scan",
            ownerEmail = "pipeline@acme.test",
            rrule = "FREQ=MONTHLY;BYMONTHDAY=5",
            dtStart = "2026-02-05T09:00:00",
            timeZone = "UTC",
            reminderLeadDays = new List<int> { 3 },
            evidenceRequired = new List<string> { "Scanner report" },
        });
        Assert.Equal(HttpStatusCode.Created, created.StatusCode);
        activityId = (await created.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("id").GetGuid();
        controlId = await app.WithScopeAsync(async s =>
        {
            var framework = await s.GetRequiredService<FrameworkService>().EnsureIsoCatalogAsync(org.Id, CancellationToken.None);
            return await s.GetRequiredService<PerennialDbContext>().Controls
                .Where(c => c.FrameworkId == framework.Id && c.Identifier == "A.8.8").Select(c => c.Id).SingleAsync();
        });
        folder = Directory.CreateTempSubdirectory("perennial-push-").FullName;
    }

    public async ValueTask DisposeAsync()
    {
        api.Dispose();
        await app.DisposeAsync();
        Directory.Delete(folder, recursive: true);
    }

    [Fact]
    public async Task Push_records_each_file_with_the_sha256_of_its_bytes_and_the_period_it_covers()
    {
        var large = WriteFile("scan-full.json", RandomBytes(3 * 1024 * 1024 + 17));
        var small = WriteFile("summary.txt", "0 critical, 2 high\n"u8.ToArray());

        var result = await PushAsync("--activity", activityId.ToString(), "--period-from", "2026-02-01", "--period-to", "2026-02-28", large, small);

        Assert.True(result.ExitCode == 0, result.Stderr);
        var lines = Lines(result.Stdout);
        Assert.Equal(2, lines.Length);
        foreach (var (line, path) in lines.Zip([large, small]))
        {
            var fields = line.Split(' ');
            var bytes = await File.ReadAllBytesAsync(path);
            var sha = Convert.ToHexStringLower(SHA256.HashData(bytes));
            Assert.Equal(sha, fields[1]);
            Assert.Equal(bytes.Length.ToString(System.Globalization.CultureInfo.InvariantCulture), fields[2]);
            Assert.Equal(path, fields[3]);

            var item = await api.GetFromJsonAsync<JsonElement>($"/api/v1/orgs/{Slug}/evidence/{fields[0]}");
            Assert.Equal(sha, item.GetProperty("sha256").GetString());
            Assert.Equal(bytes.Length, item.GetProperty("size").GetInt64());
            Assert.Equal("2026-02-01", item.GetProperty("periodFrom").GetString());
            Assert.Equal("2026-02-28", item.GetProperty("periodTo").GetString());
            Assert.Equal("api-token", item.GetProperty("source").GetString());
            Assert.Equal(Path.GetFileName(path), item.GetProperty("fileName").GetString());
            Assert.Contains(activityId, item.GetProperty("activityIds").EnumerateArray().Select(e => e.GetGuid()));
            Assert.Single(item.GetProperty("occurrenceIds").EnumerateArray());
            Assert.Equal(bytes, await api.GetByteArrayAsync($"/api/v1/orgs/{Slug}/evidence/{fields[0]}/content"));
        }

        // Progress for the large file only, as lines (stderr is not a terminal here).
        Assert.Contains("scan-full.json: 100%", result.Stderr, StringComparison.Ordinal);
        Assert.DoesNotContain("summary.txt:", result.Stderr, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Pushing_the_same_file_twice_records_it_once_and_stores_its_bytes_once()
    {
        var file = WriteFile("users.csv", RandomBytes(40_000));

        var first = await PushAsync("--control", controlId.ToString(), "--period-from", "2026-01-01", "--period-to", "2026-01-31", file);
        var second = await PushAsync("--control", controlId.ToString(), "--period-from", "2026-01-01", "--period-to", "2026-01-31", file);
        var otherPeriod = await PushAsync("--control", controlId.ToString(), "--period-from", "2026-02-01", "--period-to", "2026-02-28", file);

        Assert.True(first.ExitCode == 0, first.Stderr);
        Assert.True(second.ExitCode == 0, second.Stderr);
        Assert.Equal(first.Stdout, second.Stdout);
        Assert.Contains("already recorded", second.Stderr, StringComparison.Ordinal);
        Assert.True(otherPeriod.ExitCode == 0, otherPeriod.Stderr);
        Assert.NotEqual(first.Stdout.Split(' ')[0], otherPeriod.Stdout.Split(' ')[0]);

        var list = await api.GetFromJsonAsync<JsonElement>($"/api/v1/orgs/{Slug}/evidence?control={controlId}");
        Assert.Equal(2, list.GetProperty("total").GetInt32());
        Assert.Single(StoredBlobs());
    }

    [Fact]
    public async Task A_client_key_given_twice_for_different_bytes_is_refused_with_the_servers_reason()
    {
        var one = WriteFile("one.txt", "one"u8.ToArray());
        var two = WriteFile("two.txt", "two"u8.ToArray());

        var first = await PushAsync("--activity", activityId.ToString(), "--client-key", "nightly-42", one);
        var second = await PushAsync("--activity", activityId.ToString(), "--client-key", "nightly-42", two);

        Assert.Equal(0, first.ExitCode);
        Assert.Equal(1, second.ExitCode);
        Assert.Contains("409", second.Stderr, StringComparison.Ordinal);
        Assert.Contains("clientKey", second.Stderr, StringComparison.Ordinal);
        Assert.Equal("", second.Stdout);
    }

    [Fact]
    public async Task A_wrong_token_exits_non_zero_saying_the_token_was_refused()
    {
        var file = WriteFile("report.json", "{}"u8.ToArray());

        var result = await PerennialCliAsync("evidence", "push", "--server", app.BaseAddress.ToString(), "--token", "prn_not-a-real-token",
            "--org", Slug, "--activity", activityId.ToString(), file);

        Assert.Equal(1, result.ExitCode);
        Assert.Contains("refused the token (401", result.Stderr, StringComparison.Ordinal);
        Assert.Equal("", result.Stdout);
        Assert.Equal(0, await CountItemsAsync());
    }

    [Fact]
    public async Task An_unknown_activity_exits_non_zero_with_the_field_and_the_servers_detail()
    {
        var file = WriteFile("report.json", "{}"u8.ToArray());

        var result = await PushAsync("--activity", Guid.NewGuid().ToString(), file);

        Assert.Equal(1, result.ExitCode);
        Assert.Contains("400", result.Stderr, StringComparison.Ordinal);
        Assert.Contains("activityId: No such activity in this organisation.", result.Stderr, StringComparison.Ordinal);
        Assert.Equal(0, await CountItemsAsync());
    }

    [Fact]
    public async Task A_missing_file_is_named_and_nothing_is_pushed_not_even_the_files_that_exist()
    {
        var present = WriteFile("present.txt", "here"u8.ToArray());
        var missing = Path.Combine(folder, "absent.txt");

        var result = await PushAsync("--activity", activityId.ToString(), present, missing);

        Assert.Equal(2, result.ExitCode);
        Assert.Contains($"no file '{missing}'", result.Stderr, StringComparison.Ordinal);
        Assert.Equal(0, await CountItemsAsync());
    }

    [Theory]
    [InlineData(new[] { "--period-from", "2026-02-30" }, "--period-from '2026-02-30' is not a date in the form YYYY-MM-DD")]
    [InlineData(new[] { "--period-from", "2026-02-10", "--period-to", "2026-02-01" }, "--period-from (2026-02-10) is after --period-to (2026-02-01)")]
    [InlineData(new[] { "--control", "A.8.8" }, "exactly one of --activity ID or --control ID")]
    [InlineData(new[] { "--client-key", "k" }, "--client-key names one upload")]
    public async Task Bad_options_are_refused_before_any_upload(string[] extra, string message)
    {
        var a = WriteFile("a.txt", "a"u8.ToArray());
        var b = WriteFile("b.txt", "b"u8.ToArray());

        var result = await PushAsync(["--activity", activityId.ToString(), .. extra, a, b]);

        Assert.Equal(2, result.ExitCode);
        Assert.Contains(message, result.Stderr, StringComparison.Ordinal);
        Assert.Equal(0, await CountItemsAsync());
    }

    [Fact]
    public async Task An_unreachable_server_is_retried_then_reported()
    {
        var file = WriteFile("a.txt", "a"u8.ToArray());
        using var listener = new System.Net.Sockets.TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        var port = ((IPEndPoint)listener.LocalEndpoint).Port;
        listener.Stop();

        var result = await PerennialCliAsync("evidence", "push", "--server", $"http://127.0.0.1:{port}", "--token", token,
            "--org", Slug, "--activity", activityId.ToString(), "--retries", "1", file);

        Assert.Equal(1, result.ExitCode);
        Assert.Contains("retrying in 1 s with the same client key", result.Stderr, StringComparison.Ordinal);
        Assert.Contains($"cannot reach http://127.0.0.1:{port}", result.Stderr, StringComparison.Ordinal);
        Assert.Contains("gave up after 2 attempts", result.Stderr, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Verify_passes_on_intact_content_and_names_altered_and_missing_items()
    {
        var kept = WriteFile("kept.txt", "kept"u8.ToArray());
        var altered = WriteFile("altered.txt", "altered"u8.ToArray());
        var deleted = WriteFile("deleted.txt", "deleted"u8.ToArray());
        var pushed = await PushAsync("--activity", activityId.ToString(), kept, altered, deleted);
        Assert.True(pushed.ExitCode == 0, pushed.Stderr);
        var ids = Lines(pushed.Stdout).Select(l => l.Split(' ')).ToArray();

        var intact = await VerifyAsync();
        Assert.Equal(0, intact.ExitCode);
        Assert.Contains("3 evidence item(s) checked", intact.Stdout, StringComparison.Ordinal);
        Assert.Contains("all intact", intact.Stdout, StringComparison.Ordinal);

        var store = (FileSystemEvidenceStore)app.Services.GetRequiredService<IEvidenceStore>();
        await File.WriteAllTextAsync(store.PathOf(ids[1][1]), "tampered");
        File.Delete(store.PathOf(ids[2][1]));

        var broken = await VerifyAsync();
        Assert.Equal(1, broken.ExitCode);
        var reported = Lines(broken.Stdout);
        Assert.Equal(2, reported.Length);
        var changed = Assert.Single(reported, l => l.StartsWith(ids[1][0], StringComparison.Ordinal));
        Assert.Contains($"expected sha256 {ids[1][1]}: content has changed", changed, StringComparison.Ordinal);
        Assert.Contains("\"altered.txt\"", changed, StringComparison.Ordinal);
        Assert.Contains("org acme", changed, StringComparison.Ordinal);
        var gone = Assert.Single(reported, l => l.StartsWith(ids[2][0], StringComparison.Ordinal));
        Assert.Contains("content is missing from the store", gone, StringComparison.Ordinal);
        Assert.DoesNotContain(ids[0][0], broken.Stdout, StringComparison.Ordinal);
        Assert.Contains("2 item(s) whose content is missing or no longer matches", broken.Stderr, StringComparison.Ordinal);

        var scoped = await VerifyAsync("--org", Slug);
        Assert.Equal(1, scoped.ExitCode);
    }

    [Fact]
    public async Task Verify_for_an_unknown_organisation_says_so()
    {
        var result = await VerifyAsync("--org", "nowhere");

        Assert.Equal(1, result.ExitCode);
        Assert.Contains("no organisation has the slug 'nowhere'", result.Stderr, StringComparison.Ordinal);
    }

    private Task<CliResult> PushAsync(params string[] args) =>
        PerennialCliAsync(["evidence", "push", "--server", app.BaseAddress.ToString(), "--token", token, "--org", Slug, .. args]);

    private Task<CliResult> VerifyAsync(params string[] args) =>
        app.RunCliAsync("", ["evidence", "verify", "--data", app.Database.DataDirectory, .. args]);

    private static async Task<CliResult> PerennialCliAsync(params string[] args)
    {
        using var stdout = new StringWriter();
        using var stderr = new StringWriter();
        var exit = await PerennialCli.RunAsync(args, stdout, stderr, new StringReader(""));
        return new CliResult(exit, stdout.ToString(), stderr.ToString());
    }

    private async Task<int> CountItemsAsync() =>
        (await api.GetFromJsonAsync<JsonElement>($"/api/v1/orgs/{Slug}/evidence")).GetProperty("total").GetInt32();

    private string[] StoredBlobs()
    {
        var root = Path.Combine(app.Database.DataDirectory, "evidence");
        return Directory.EnumerateFiles(root, "*", SearchOption.AllDirectories)
            .Where(f => !Path.GetRelativePath(root, f).StartsWith("tmp", StringComparison.Ordinal)).ToArray();
    }

    private string WriteFile(string name, byte[] bytes)
    {
        var path = Path.Combine(folder, name);
        File.WriteAllBytes(path, bytes);
        return path;
    }

    private static byte[] RandomBytes(int length)
    {
        var bytes = new byte[length];
        Random.Shared.NextBytes(bytes);
        return bytes;
    }

    private static string[] Lines(string text) => text.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
}

public sealed class SqliteCliEvidenceTests() : CliEvidenceTests(DatabaseProvider.Sqlite);

public sealed class PostgresCliEvidenceTests() : CliEvidenceTests(DatabaseProvider.Postgres);

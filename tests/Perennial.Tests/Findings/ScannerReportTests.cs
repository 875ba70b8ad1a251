#pragma warning disable CA1861 // Request bodies are written inline for readability.
using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Perennial.Data;
using Perennial.Organisations;
using Perennial.Tests.Frameworks;
using Perennial.Tests.Infrastructure;

namespace Perennial.Tests.Findings;

public sealed class SqliteScannerReportTests() : ScannerReportTests(DatabaseProvider.Sqlite);

public sealed class PostgresScannerReportTests() : ScannerReportTests(DatabaseProvider.Postgres);

/// <summary>
/// Scanner reports pushed through the evidence API become findings: every real report in the corpus
/// imports with the number of findings it holds, a malformed one is refused whole, and findings are
/// fixed, reopened and made overdue as later reports and the clock say.
/// </summary>
public abstract class ScannerReportTests(DatabaseProvider provider) : IAsyncLifetime
{
    private const string Base = "/api/v1/orgs/acme";
    private static readonly string[] CorpusFolders = ["aquasecurity-trivy", "microsoft-sarif-sdk"];

    /// <summary>
    /// Counted by hand with python3's json module (Trivy: Vulnerabilities + failed Misconfigurations +
    /// Secrets over Results; SARIF: runs[].results; CycloneDX: vulnerabilities × affects), and checked
    /// again below by a separate walk of each file.
    /// </summary>
    private static readonly Dictionary<string, int> ExpectedFindings = new(StringComparer.Ordinal)
    {
        ["alpine-310.json.golden"] = 4,
        ["centos-7.json.golden"] = 3,
        ["alpine-310.sarif.golden"] = 4,
        ["dockerfile.json.golden"] = 1,
        ["secrets.json.golden"] = 2,
        ["centos-7-cyclonedx.json"] = 0,
        ["OneResultWithTwoTraces.fpr.sarif"] = 1,
        ["SomeErrors.txt.sarif"] = 7,
    };

    /// <summary>Files that are not reports: the SARIF schema, and BinSkim output with a trailing comma (python3: "line 1061 column 13").</summary>
    private static readonly Dictionary<string, string> ExpectedRejections = new(StringComparer.Ordinal)
    {
        ["sarif-2.1.0.json"] = "sarif-2.1.0.json: not a Trivy, SARIF or CycloneDX report",
        ["gcc.no_fortification_required.sarif"] = "gcc.no_fortification_required.sarif: not valid JSON at line 1061",
    };

    private TestApp app = null!;
    private Guid orgId;
    private HttpClient manager = null!;
    private HttpClient contributor = null!;

    public async ValueTask InitializeAsync()
    {
        app = await TestApp.StartAsync(provider);
        var admin = await app.CreateUserAsync("admin@acme.test");
        orgId = (await app.CreateOrganisationAsync("acme", admin.Id)).Id;
        var m = await app.CreateUserAsync("manager@acme.test");
        await app.AddMemberAsync(orgId, "manager@acme.test", OrgRole.Manager);
        var c = await app.CreateUserAsync("ci@acme.test");
        await app.AddMemberAsync(orgId, "ci@acme.test", OrgRole.Contributor);
        await app.CreateUserAsync("auditor@acme.test");
        await app.AddMemberAsync(orgId, "auditor@acme.test", OrgRole.Auditor);
        manager = app.CreateApiClient(await app.CreateTokenAsync(m.Id));
        contributor = app.CreateApiClient(await app.CreateTokenAsync(c.Id));
    }

    public async ValueTask DisposeAsync() => await app.DisposeAsync();

    [Fact]
    public async Task Every_corpus_scanner_file_imports_with_the_findings_it_holds_and_files_that_are_not_reports_change_nothing()
    {
        // Folders found through their licence files, read in place from ../shared/corpus.
        var files = CorpusFolders.Select(f => Path.GetDirectoryName(Corpus.File($"{f}/LICENSE"))!).SelectMany(Directory.GetFiles)
            .Where(f => !Path.GetFileName(f).StartsWith("LICENSE", StringComparison.Ordinal))
            .OrderBy(f => f, StringComparer.Ordinal).ToList();
        Assert.Equal(ExpectedFindings.Count + ExpectedRejections.Count, files.Count);

        foreach (var file in files)
        {
            var name = Path.GetFileName(file);
            var bytes = await File.ReadAllBytesAsync(file);
            var before = await CountsAsync();
            var response = await PushAsync(contributor, name, bytes, new { report = "auto" });
            var after = await CountsAsync();

            if (ExpectedRejections.TryGetValue(name, out var message))
            {
                Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
                var problem = await response.Content.ReadFromJsonAsync<JsonElement>();
                var error = problem.GetProperty("errors").GetProperty("file")[0].GetString()!;
                Assert.StartsWith(message, error, StringComparison.Ordinal);
                Assert.Equal(before, after);
                continue;
            }

            Assert.True(response.StatusCode == HttpStatusCode.Created, $"{name}: {(int)response.StatusCode} {await response.Content.ReadAsStringAsync()}");
            var expected = ExpectedFindings[name];
            Assert.Equal(expected, CountIndependently(bytes));
            Assert.Equal((before.Evidence + 1, before.Findings + expected), after);
            var item = (await response.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("id").GetGuid();
            var imported = await app.WithScopeAsync(s => s.GetRequiredService<PerennialDbContext>().Findings.CountAsync(f => f.FirstEvidenceItemId == item));
            Assert.Equal(expected, imported);
        }
    }

    [Fact]
    public async Task A_malformed_report_is_refused_with_its_file_and_line_and_leaves_no_item_and_no_findings()
    {
        var bad = "{\n  \"SchemaVersion\": 2,\n  \"ArtifactName\": \"web:1.0\",\n  \"Results\": [\n    { \"Target\": \"x\", }\n  ]\n}\n";
        var response = await PushAsync(contributor, "trivy-web.json", Encoding.UTF8.GetBytes(bad), new { report = "trivy" });
        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        var problem = await response.Content.ReadFromJsonAsync<JsonElement>();
        Assert.StartsWith("trivy-web.json: not valid JSON at line 5", problem.GetProperty("errors").GetProperty("file")[0].GetString(), StringComparison.Ordinal);
        Assert.Equal((0, 0), await CountsAsync());

        var wrongFormat = await PushAsync(contributor, "SomeErrors.txt.sarif", await File.ReadAllBytesAsync(Corpus.File("microsoft-sarif-sdk/SomeErrors.txt.sarif")), new { report = "trivy" });
        Assert.Equal(HttpStatusCode.BadRequest, wrongFormat.StatusCode);
        Assert.Contains("not a Trivy report (it looks like SARIF)", await wrongFormat.Content.ReadAsStringAsync(), StringComparison.Ordinal);

        var unknownFormat = await PushAsync(contributor, "r.json", Encoding.UTF8.GetBytes(Trivy("web:1.0")), new { report = "nessus" });
        Assert.Equal(HttpStatusCode.BadRequest, unknownFormat.StatusCode);
        Assert.Equal((0, 0), await CountsAsync());
    }

    [Fact]
    public async Task A_finding_missing_from_a_later_report_of_the_same_target_is_fixed_and_reopens_when_it_comes_back()
    {
        var first = await PushOkAsync("scan-1.json", Trivy("web:1.0", ("CVE-2026-0001", "openssl", "CRITICAL"), ("CVE-2026-0002", "zlib", "HIGH")));
        var firstAt = app.Time.GetUtcNow();
        // Another image's report never fixes this one's findings.
        await PushOkAsync("other.json", Trivy("api:2.0", ("CVE-2026-0009", "curl", "LOW")));

        app.Time.Advance(TimeSpan.FromDays(3));
        var second = await PushOkAsync("scan-2.json", Trivy("web:1.0", ("CVE-2026-0002", "zlib", "HIGH")));
        var secondAt = app.Time.GetUtcNow();

        var a = await FindingAsync("CVE-2026-0001");
        var b = await FindingAsync("CVE-2026-0002");
        Assert.Equal("fixed", a.GetProperty("status").GetString());
        Assert.Equal(secondAt, a.GetProperty("fixedAt").GetDateTimeOffset());
        Assert.Equal(firstAt, a.GetProperty("lastSeenAt").GetDateTimeOffset());
        Assert.Equal(first, a.GetProperty("lastEvidenceItemId").GetGuid());
        Assert.Equal("open", b.GetProperty("status").GetString());
        Assert.Equal(firstAt, b.GetProperty("firstSeenAt").GetDateTimeOffset());
        Assert.Equal(secondAt, b.GetProperty("lastSeenAt").GetDateTimeOffset());
        Assert.Equal(first, b.GetProperty("firstEvidenceItemId").GetGuid());
        Assert.Equal(second, b.GetProperty("lastEvidenceItemId").GetGuid());
        Assert.Equal("open", (await FindingAsync("CVE-2026-0009")).GetProperty("status").GetString());
        Assert.Equal(["CVE-2026-0001"], await RuleIdsAsync("status=fixed"));

        app.Time.Advance(TimeSpan.FromDays(2));
        await PushOkAsync("scan-3.json", Trivy("web:1.0", ("CVE-2026-0001", "openssl", "CRITICAL"), ("CVE-2026-0002", "zlib", "HIGH")));
        var thirdAt = app.Time.GetUtcNow();
        a = await FindingAsync("CVE-2026-0001");
        Assert.Equal("open", a.GetProperty("status").GetString());
        Assert.Equal(JsonValueKind.Null, a.GetProperty("fixedAt").ValueKind);
        Assert.Equal(thirdAt, a.GetProperty("reopenedAt").GetDateTimeOffset());
        Assert.Equal(firstAt, a.GetProperty("firstSeenAt").GetDateTimeOffset());
        Assert.Empty(await RuleIdsAsync("status=fixed"));

        // A backfilled report collected before the latest one does not undo what the latest one says.
        await PushOkAsync("late.json", Trivy("web:1.0"), new { report = "auto", collectedAt = firstAt.AddHours(1) });
        Assert.Empty(await RuleIdsAsync("status=fixed"));
    }

    [Fact]
    public async Task A_critical_finding_open_for_eight_days_is_overdue_and_changing_the_deadlines_moves_every_due_date()
    {
        await PushOkAsync("scan.json", Trivy("web:1.0", ("CVE-2026-0001", "openssl", "CRITICAL"), ("CVE-2026-0003", "libxml2", "MEDIUM"), ("CVE-2026-0004", "tzdata", "UNKNOWN")));
        var critical = await FindingAsync("CVE-2026-0001");
        Assert.Equal("2026-03-09", critical.GetProperty("dueOn").GetString());
        Assert.Equal("2026-05-31", (await FindingAsync("CVE-2026-0003")).GetProperty("dueOn").GetString());
        Assert.Equal(JsonValueKind.Null, (await FindingAsync("CVE-2026-0004")).GetProperty("dueOn").ValueKind);

        app.Time.Advance(TimeSpan.FromDays(7));
        Assert.Empty(await RuleIdsAsync("status=overdue"));
        app.Time.Advance(TimeSpan.FromDays(1));
        Assert.Equal(["CVE-2026-0001"], await RuleIdsAsync("status=overdue"));
        Assert.Equal(["CVE-2026-0001"], await RuleIdsAsync("status=open&severity=critical"));
        Assert.True((await FindingAsync("CVE-2026-0001")).GetProperty("overdue").GetBoolean());

        var deadlines = await contributor.GetFromJsonAsync<JsonElement>($"{Base}/finding-deadlines");
        Assert.Equal(7, deadlines.GetProperty("critical").GetInt32());
        Assert.Equal(180, deadlines.GetProperty("low").GetInt32());
        Assert.Equal(HttpStatusCode.Forbidden, (await contributor.PutAsJsonAsync($"{Base}/finding-deadlines", new { critical = 14 })).StatusCode);
        var invalid = await manager.PutAsJsonAsync($"{Base}/finding-deadlines", new { critical = 0 });
        Assert.Equal(HttpStatusCode.BadRequest, invalid.StatusCode);
        Assert.True((await invalid.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("errors").TryGetProperty("critical", out _));

        var changed = await manager.PutAsJsonAsync($"{Base}/finding-deadlines", new { critical = 14, medium = 30 });
        Assert.Equal(HttpStatusCode.OK, changed.StatusCode);
        Assert.Equal(30, (await changed.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("high").GetInt32());
        Assert.Equal("2026-03-16", (await FindingAsync("CVE-2026-0001")).GetProperty("dueOn").GetString());
        Assert.Equal("2026-04-01", (await FindingAsync("CVE-2026-0003")).GetProperty("dueOn").GetString());
        Assert.Empty(await RuleIdsAsync("status=overdue"));

        // New findings take the organisation's deadlines too.
        await PushOkAsync("scan-2.json", Trivy("web:1.0", ("CVE-2026-0001", "openssl", "CRITICAL"), ("CVE-2026-0005", "bash", "CRITICAL")));
        Assert.Equal("2026-03-24", (await FindingAsync("CVE-2026-0005")).GetProperty("dueOn").GetString());

        var bad = await contributor.GetAsync($"{Base}/findings?status=late");
        Assert.Equal(HttpStatusCode.BadRequest, bad.StatusCode);
        Assert.True((await bad.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("errors").TryGetProperty("status", out _));
    }

    [Fact]
    public async Task Overdue_findings_show_on_the_vulnerability_remediation_activity_and_the_findings_page()
    {
        var created = await manager.PostAsJsonAsync($"{Base}/activities/from-templates", new { templates = new[] { "vulnerability-scan", "backup-restore-test" }, ownerEmail = "manager@acme.test" });
        var activities = (await created.Content.ReadFromJsonAsync<JsonElement>()).EnumerateArray().ToList();
        var scan = activities[0].GetProperty("id").GetGuid();
        var backup = activities[1].GetProperty("id").GetGuid();

        // No activity given: the findings go to the organisation's vulnerability-scan activity.
        await PushOkAsync("scan.json", Trivy("web:1.0", ("CVE-2026-0001", "openssl", "CRITICAL"), ("CVE-2026-0002", "zlib", "LOW")));
        // Pushed to another activity: its findings follow that activity.
        await PushOkAsync("restore-host.json", Trivy("backup-host", ("CVE-2026-0007", "rsync", "HIGH")), new { report = "auto", activityId = backup });
        Assert.Equal(scan, (await FindingAsync("CVE-2026-0001")).GetProperty("activityId").GetGuid());
        Assert.Equal(backup, (await FindingAsync("CVE-2026-0007")).GetProperty("activityId").GetGuid());

        app.Time.Advance(TimeSpan.FromDays(8));
        var auditorSession = await app.SignInAsync("auditor@acme.test");
        var page = await auditorSession.GetStringAsync($"/o/acme/activities/{scan}");
        var panel = page[page.IndexOf("id=\"open-findings\"", StringComparison.Ordinal)..];
        panel = panel[..panel.IndexOf("</section>", StringComparison.Ordinal)];
        Assert.Contains("Open findings", panel, StringComparison.Ordinal);
        Assert.Contains("critical</span> 1", panel, StringComparison.Ordinal);
        Assert.Contains("low</span> 1", panel, StringComparison.Ordinal);
        Assert.Contains("1 finding is past the remediation deadline", panel, StringComparison.Ordinal);
        Assert.Contains("CVE-2026-0001", panel, StringComparison.Ordinal);
        Assert.DoesNotContain("CVE-2026-0002", panel, StringComparison.Ordinal);
        Assert.DoesNotContain("CVE-2026-0007", panel, StringComparison.Ordinal);
        Assert.Contains("href=\"/o/acme/findings?status=overdue", panel, StringComparison.Ordinal);

        var backupPage = await auditorSession.GetStringAsync($"/o/acme/activities/{backup}");
        Assert.Contains("high</span> 1", backupPage, StringComparison.Ordinal);
        Assert.DoesNotContain("critical</span>", backupPage, StringComparison.Ordinal);

        var list = await auditorSession.GetStringAsync("/o/acme/findings?status=open");
        Assert.Matches("<tr id=\"finding-[0-9a-f-]+\" class=\"overdue\">\\s*<td><span class=\"tag severity-critical\">", list);
        Assert.Contains("CVE-2026-0002", list, StringComparison.Ordinal);
        var filtered = await auditorSession.GetStringAsync("/o/acme/findings?status=open&target=backup");
        Assert.Contains("CVE-2026-0007", filtered, StringComparison.Ordinal);
        Assert.DoesNotContain("CVE-2026-0001", filtered, StringComparison.Ordinal);
        var none = await auditorSession.GetStringAsync("/o/acme/findings?status=fixed");
        Assert.Contains("No fixed findings.", none, StringComparison.Ordinal);

        // Deadlines: readable by everyone, written by managers on the settings form.
        var form = await auditorSession.GetStringAsync("/o/acme/findings/deadlines");
        Assert.DoesNotContain("Save deadlines", form, StringComparison.Ordinal);
        Assert.Contains("<dt>Critical</dt><dd>7 days</dd>", form, StringComparison.Ordinal);
        var managerSession = await app.SignInAsync("manager@acme.test");
        var saved = await TestApp.PostFormAsync(managerSession, "/o/acme/findings/deadlines",
            new Dictionary<string, string> { ["Critical"] = "30", ["High"] = "30", ["Medium"] = "90", ["Low"] = "180" });
        Assert.Equal(HttpStatusCode.Redirect, saved.StatusCode);
        var after = await auditorSession.GetStringAsync($"/o/acme/activities/{scan}");
        Assert.Contains("None is overdue.", after, StringComparison.Ordinal);
    }

    /// <summary>
    /// Uploads a report as the pipelines do: metadata part first, then the file. The file's name travels
    /// as the item's title: this upload API still refuses parts that carry a filename.
    /// </summary>
    private static async Task<HttpResponseMessage> PushAsync(HttpClient client, string fileName, byte[] bytes, object metadata)
    {
        var fields = JsonSerializer.SerializeToNode(metadata)!.AsObject();
        fields["title"] ??= fileName;
        using var content = new MultipartFormDataContent();
        content.Add(new StringContent(fields.ToJsonString(), Encoding.UTF8, "application/json"), "metadata");
        var file = new ByteArrayContent(bytes);
        file.Headers.ContentType = new MediaTypeHeaderValue("application/json");
        content.Add(file, "file");
        return await client.PostAsync($"{Base}/evidence", content);
    }

    private async Task<Guid> PushOkAsync(string fileName, string json, object? metadata = null)
    {
        var response = await PushAsync(contributor, fileName, Encoding.UTF8.GetBytes(json), metadata ?? new { report = "auto" });
        Assert.True(response.StatusCode == HttpStatusCode.Created, await response.Content.ReadAsStringAsync());
        return (await response.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("id").GetGuid();
    }

    private async Task<(int Evidence, int Findings)> CountsAsync()
    {
        var evidence = await contributor.GetFromJsonAsync<JsonElement>($"{Base}/evidence?pageSize=1");
        var findings = await contributor.GetFromJsonAsync<JsonElement>($"{Base}/findings?pageSize=1");
        return (evidence.GetProperty("total").GetInt32(), findings.GetProperty("total").GetInt32());
    }

    private async Task<List<string>> RuleIdsAsync(string query)
    {
        var page = await contributor.GetFromJsonAsync<JsonElement>($"{Base}/findings?pageSize=200&{query}");
        return [.. page.GetProperty("items").EnumerateArray().Select(f => f.GetProperty("ruleId").GetString()!).Order(StringComparer.Ordinal)];
    }

    private async Task<JsonElement> FindingAsync(string ruleId)
    {
        var page = await contributor.GetFromJsonAsync<JsonElement>($"{Base}/findings?pageSize=200");
        var id = page.GetProperty("items").EnumerateArray().Single(f => f.GetProperty("ruleId").GetString() == ruleId).GetProperty("id").GetGuid();
        return await contributor.GetFromJsonAsync<JsonElement>($"{Base}/findings/{id}");
    }

    /// <summary>A small Trivy JSON report of one image with the given vulnerabilities.</summary>
    private static string Trivy(string artifact, params (string Id, string Package, string Severity)[] vulnerabilities) =>
        new JsonObject
        {
            ["SchemaVersion"] = 2,
            ["ArtifactName"] = artifact,
            ["ArtifactType"] = "container_image",
            ["Results"] = new JsonArray(new JsonObject
            {
                ["Target"] = $"{artifact} (debian 12.5)",
                ["Class"] = "os-pkgs",
                ["Vulnerabilities"] = new JsonArray([.. vulnerabilities.Select(v => (JsonNode)new JsonObject
                {
                    ["VulnerabilityID"] = v.Id,
                    ["PkgName"] = v.Package,
                    ["InstalledVersion"] = "1.0",
                    ["FixedVersion"] = "1.1",
                    ["Title"] = $"{v.Package}: a flaw",
                    ["Severity"] = v.Severity,
                })]),
            }),
        }.ToJsonString();

    /// <summary>Counts the problems a report lists by walking its JSON, apart from the importer's own reading.</summary>
    private static int CountIndependently(byte[] bytes)
    {
        var root = JsonNode.Parse(Encoding.UTF8.GetString(bytes).TrimStart('\uFEFF'))!.AsObject();
        static int Length(JsonNode? node) => node is JsonArray array ? array.Count : 0;
        if (root.ContainsKey("SchemaVersion"))
        {
            return root["Results"]!.AsArray().Sum(r =>
                Length(r!["Vulnerabilities"]) + Length(r["Secrets"])
                + (r["Misconfigurations"] as JsonArray ?? []).Count(m => (string?)m!["Status"] == "FAIL"));
        }

        if (root.ContainsKey("runs"))
        {
            return root["runs"]!.AsArray().Sum(run => (run!["results"] as JsonArray ?? []).Count(r => (string?)r!["kind"] is not ("pass" or "notApplicable")));
        }

        return (root["vulnerabilities"] as JsonArray ?? []).Sum(v => Math.Max(1, Length(v!["affects"])));
    }
}

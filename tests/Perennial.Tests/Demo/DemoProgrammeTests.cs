using System.Net.Http.Json;
using System.Text.Json;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Perennial.Data;
using Perennial.Demo;

namespace Perennial.Tests.Demo;

/// <summary>The demo's internal audit programme and nonconformity loop, read back through the API.</summary>
public sealed class DemoProgrammeTests(DemoFixture demo) : IClassFixture<DemoFixture>
{
    private async Task<HttpClient> ApiAsync()
    {
        var admin = await demo.App.WithScopeAsync(s => s.GetRequiredService<PerennialDbContext>().Users.Where(u => u.Email == DemoSeeder.AdminEmail).Select(u => u.Id).SingleAsync());
        return demo.App.CreateApiClient(await demo.App.CreateTokenAsync(admin, "demo-programme"));
    }

    [Fact]
    public async Task The_coverage_matrix_equals_an_independent_count_over_the_published_soa_and_the_programme()
    {
        var api = await ApiAsync();
        var versions = await api.GetFromJsonAsync<JsonElement>("/api/v1/orgs/demo/soa/versions");
        var latest = versions.EnumerateArray().Max(v => v.GetProperty("number").GetInt32());
        var applicable = (await api.GetFromJsonAsync<JsonElement>($"/api/v1/orgs/demo/soa/versions/{latest}")).EnumerateArray()
            .Where(r => r.GetProperty("applicable").GetBoolean()).Select(r => r.GetProperty("control").GetString()!).ToList();
        string[] clauses = ["4.1", "4.2", "4.3", "4.4", "5.1", "5.2", "5.3", "6.1", "6.2", "6.3", "7.1", "7.2", "7.3", "7.4", "7.5", "8.1", "8.2", "8.3", "9.1", "9.2", "9.3", "10.1", "10.2"];
        var programme = await api.GetFromJsonAsync<JsonElement>("/api/v1/orgs/demo/internal-audits");
        var scopes = new HashSet<string>(StringComparer.Ordinal);
        foreach (var audit in programme.GetProperty("items").EnumerateArray())
        {
            var full = await api.GetFromJsonAsync<JsonElement>($"/api/v1/orgs/demo/internal-audits/{audit.GetProperty("id").GetGuid()}");
            scopes.UnionWith(full.GetProperty("scope").EnumerateArray().Select(s => s.GetProperty("identifier").GetString()!));
        }

        var expected = clauses.Concat(applicable).ToList();
        var coverage = await api.GetFromJsonAsync<JsonElement>("/api/v1/orgs/demo/internal-audits/coverage");
        var items = coverage.GetProperty("items").EnumerateArray().ToList();
        Assert.Equal(expected, items.Select(i => i.GetProperty("identifier").GetString()!));
        var covered = expected.Where(scopes.Contains).ToList();
        Assert.Equal(covered, items.Where(i => i.GetProperty("auditIds").GetArrayLength() > 0).Select(i => i.GetProperty("identifier").GetString()!));
        Assert.Equal((double)covered.Count / expected.Count, coverage.GetProperty("coverage").GetDouble(), 6);

        // Deliberate gaps: the later organisational controls and the last technological ones.
        Assert.InRange(expected.Count - covered.Count, 10, 40);
        Assert.Contains("A.5.30", expected.Except(covered));
        Assert.Equal(["reported", "reported", "planned"], programme.GetProperty("items").EnumerateArray().Select(a => a.GetProperty("status").GetString()!));
    }

    [Fact]
    public async Task The_held_audits_have_signed_off_reports_a_sample_a_minor_nonconformity_and_an_improvement_and_the_loop_has_every_state()
    {
        var api = await ApiAsync();
        var programme = await api.GetFromJsonAsync<JsonElement>("/api/v1/orgs/demo/internal-audits?status=reported");
        var results = new List<string>();
        var samples = 0;
        foreach (var audit in programme.GetProperty("items").EnumerateArray())
        {
            var id = audit.GetProperty("id").GetGuid();
            var full = await api.GetFromJsonAsync<JsonElement>($"/api/v1/orgs/demo/internal-audits/{id}");
            Assert.True(full.GetProperty("reportEvidenceId").ValueKind == JsonValueKind.String);
            results.AddRange(full.GetProperty("checklist").EnumerateArray().Select(i => i.GetProperty("result").GetString()!));
            var checklist = await api.GetFromJsonAsync<JsonElement>($"/api/v1/orgs/demo/internal-audits/{id}/checklist");
            samples += checklist.GetProperty("items").EnumerateArray().SelectMany(i => i.GetProperty("activities").EnumerateArray()).Count(a => a.GetProperty("sample").ValueKind == JsonValueKind.Object);
        }

        Assert.Equal(1, results.Count(r => r == "minor-nonconformity"));
        Assert.Equal(1, results.Count(r => r == "opportunity-for-improvement"));
        Assert.True(samples >= 1, "no sample drawn in the demo's held audits");
        Assert.Equal(1, (await api.GetFromJsonAsync<JsonElement>("/api/v1/orgs/demo/improvements")).GetProperty("total").GetInt32());

        var log = await api.GetFromJsonAsync<JsonElement>("/api/v1/orgs/demo/nonconformities?pageSize=100");
        var states = log.GetProperty("items").EnumerateArray().Select(n => n.GetProperty("status").GetString()!).ToHashSet();
        Assert.Superset(new HashSet<string> { "raised", "contained", "analysed", "actions-planned", "actions-done", "effectiveness-check", "closed" }, states);
        Assert.Contains(log.GetProperty("items").EnumerateArray(), n => n.GetProperty("round").GetInt32() == 2);
    }
}

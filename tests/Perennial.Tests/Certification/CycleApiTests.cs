using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Perennial.Data;
using Perennial.Tests.Infrastructure;

namespace Perennial.Tests.Certification;

public sealed class SqliteCycleApiTests() : CycleApiTests(DatabaseProvider.Sqlite);

public sealed class PostgresCycleApiTests() : CycleApiTests(DatabaseProvider.Postgres);

/// <summary>The certificate, its external audits, findings and the next cycle, through the API.</summary>
public abstract class CycleApiTests(DatabaseProvider provider) : IAsyncLifetime
{
    private TestApp app = null!;
    private HttpClient manager = null!;

    public async ValueTask InitializeAsync()
    {
        app = await TestApp.StartAsync(provider);
        var admin = await app.CreateUserAsync("ciso@cycle.test");
        await app.CreateOrganisationAsync("cycle", admin.Id);
        manager = app.CreateApiClient(await app.CreateTokenAsync(admin.Id));
    }

    public async ValueTask DisposeAsync() => await app.DisposeAsync();

    [Fact]
    public async Task Recording_a_certificate_plans_the_three_external_audits()
    {
        Assert.Equal(HttpStatusCode.NotFound, (await manager.GetAsync("/api/v1/orgs/cycle/cycle")).StatusCode);

        var saved = await manager.PutAsJsonAsync("/api/v1/orgs/cycle/cycle", new
        {
            certificationBody = "Example Certification Ltd",
            certificateNumber = "IS 700001",
            stage2AuditDate = "2025-05-20",
            issueDate = "2025-06-15",
        });

        Assert.Equal(HttpStatusCode.OK, saved.StatusCode);
        var cycle = await manager.GetFromJsonAsync<JsonElement>("/api/v1/orgs/cycle/cycle");
        Assert.Equal("2028-06-14", cycle.GetProperty("expiryDate").GetString());
        var audits = cycle.GetProperty("audits").EnumerateArray().ToList();
        Assert.Equal(["surveillance-1", "surveillance-2", "recertification"], audits.Select(a => a.GetProperty("kind").GetString()!));
        Assert.Equal("2026-06-15", audits[0].GetProperty("windowEnd").GetString());
        // The fake clock reads 2 March 2026: surveillance 1 is planned for 15 May 2026.
        Assert.Equal("surveillance-1", cycle.GetProperty("nextAudit").GetString());
        Assert.Equal(74, cycle.GetProperty("daysToNextAudit").GetInt32());
    }

    [Fact]
    public async Task An_audit_is_moved_held_and_its_findings_recorded_with_closure_deadlines()
    {
        await CertifyAsync("2024-06-15");

        var moved = await manager.PutAsJsonAsync("/api/v1/orgs/cycle/cycle/audits/surveillance-1", new
        {
            plannedDate = "2025-06-01",
            windowStart = "2025-03-15",
            windowEnd = "2025-06-15",
            heldOn = "2025-06-02",
            auditors = "J. Auditor",
        });
        Assert.Equal(HttpStatusCode.OK, moved.StatusCode);

        var outside = await manager.PutAsJsonAsync("/api/v1/orgs/cycle/cycle/audits/surveillance-2", new
        {
            plannedDate = "2027-01-01",
            windowStart = "2026-03-15",
            windowEnd = "2026-06-15",
        });
        Assert.Equal(HttpStatusCode.BadRequest, outside.StatusCode);
        Assert.Contains("plannedDate", await outside.Content.ReadAsStringAsync(), StringComparison.Ordinal);

        var noDeadline = await manager.PostAsJsonAsync("/api/v1/orgs/cycle/cycle/audits/surveillance-1/findings", new
        {
            kind = "minor",
            reference = "NC-1",
            description = "Access reviews skipped in Q3",
        });
        Assert.Equal(HttpStatusCode.BadRequest, noDeadline.StatusCode);
        var finding = await manager.PostAsJsonAsync("/api/v1/orgs/cycle/cycle/audits/surveillance-1/findings", new
        {
            kind = "minor",
            reference = "NC-1",
            description = "Access reviews skipped in Q3",
            controlIdentifier = "A.5.18",
            closureDeadline = "2025-08-31",
        });
        Assert.Equal(HttpStatusCode.Created, finding.StatusCode);

        var cycle = await manager.GetFromJsonAsync<JsonElement>("/api/v1/orgs/cycle/cycle");
        var s1 = cycle.GetProperty("audits")[0];
        Assert.Equal("2025-06-02", s1.GetProperty("heldOn").GetString());
        var recorded = Assert.Single(s1.GetProperty("findings").EnumerateArray());
        Assert.Equal("minor", recorded.GetProperty("kind").GetString());
        Assert.Equal("2025-08-31", recorded.GetProperty("closureDeadline").GetString());
        Assert.Equal("surveillance-2", cycle.GetProperty("nextAudit").GetString());
    }

    [Fact]
    public async Task After_recertification_a_new_cycle_starts_and_the_old_one_is_kept()
    {
        await CertifyAsync("2023-01-10");
        var early = await manager.PostAsJsonAsync("/api/v1/orgs/cycle/cycle/next", new { certificationBody = "Example Certification Ltd", issueDate = "2026-01-09" });
        Assert.Equal(HttpStatusCode.Conflict, early.StatusCode);

        var recert = (await manager.GetFromJsonAsync<JsonElement>("/api/v1/orgs/cycle/cycle")).GetProperty("audits")[2];
        var held = await manager.PutAsJsonAsync("/api/v1/orgs/cycle/cycle/audits/recertification", new
        {
            plannedDate = recert.GetProperty("plannedDate").GetString(),
            windowStart = recert.GetProperty("windowStart").GetString(),
            windowEnd = recert.GetProperty("windowEnd").GetString(),
            heldOn = "2025-10-01",
        });
        Assert.Equal(HttpStatusCode.OK, held.StatusCode);

        var next = await manager.PostAsJsonAsync("/api/v1/orgs/cycle/cycle/next", new { certificationBody = "Example Certification Ltd", certificateNumber = "IS 700002", issueDate = "2026-01-09" });

        Assert.Equal(HttpStatusCode.OK, next.StatusCode);
        var cycles = await manager.GetFromJsonAsync<JsonElement>("/api/v1/orgs/cycle/cycles");
        Assert.Equal(2, cycles.GetArrayLength());
        Assert.Equal(2, cycles[0].GetProperty("number").GetInt32());
        Assert.True(cycles[0].GetProperty("current").GetBoolean());
        Assert.False(cycles[1].GetProperty("current").GetBoolean());
        Assert.Equal("2025-10-01", cycles[1].GetProperty("audits")[2].GetProperty("heldOn").GetString());
    }

    [Fact]
    public async Task An_expiry_before_the_second_surveillance_audit_is_refused()
    {
        var response = await manager.PutAsJsonAsync("/api/v1/orgs/cycle/cycle", new { certificationBody = "CB", issueDate = "2025-06-15", expiryDate = "2026-06-15" });

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Contains("expiryDate", await response.Content.ReadAsStringAsync(), StringComparison.Ordinal);
    }

    private async Task CertifyAsync(string issueDate)
    {
        var response = await manager.PutAsJsonAsync("/api/v1/orgs/cycle/cycle", new { certificationBody = "Example Certification Ltd", issueDate });
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
    }
}

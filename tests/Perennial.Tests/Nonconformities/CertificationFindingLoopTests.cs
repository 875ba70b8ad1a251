using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Perennial.Certification;
using Perennial.Data;
using Perennial.Reminders;
using Perennial.Tests.Infrastructure;

namespace Perennial.Tests.Nonconformities;

/// <summary>
/// A certification body's major or minor nonconformity enters the corrective-action loop as a
/// nonconformity that keeps the body's closure deadline, also for findings recorded before the loop existed.
/// </summary>
public sealed class CertificationFindingLoopTests : IAsyncLifetime
{
    private const string Cycle = "/api/v1/orgs/acme/cycle";
    private TestApp app = null!;
    private HttpClient manager = null!;

    public async ValueTask InitializeAsync()
    {
        app = await TestApp.StartAsync();
        var admin = await app.CreateUserAsync("ciso@acme.test");
        await app.CreateOrganisationAsync("acme", admin.Id);
        manager = app.CreateApiClient(await app.CreateTokenAsync(admin.Id));
        var certified = await manager.PutAsJsonAsync(Cycle, new { certificationBody = "Example Certification Ltd", issueDate = "2024-06-15" });
        Assert.Equal(HttpStatusCode.OK, certified.StatusCode);
        var held = await manager.PutAsJsonAsync($"{Cycle}/audits/surveillance-1", new
        {
            plannedDate = "2025-06-01",
            windowStart = "2025-03-15",
            windowEnd = "2025-06-15",
            heldOn = "2025-06-02",
        });
        Assert.Equal(HttpStatusCode.OK, held.StatusCode);
    }

    public async ValueTask DisposeAsync() => await app.DisposeAsync();

    private async Task<JsonElement> AddFindingAsync(object body)
    {
        var response = await manager.PostAsJsonAsync($"{Cycle}/audits/surveillance-1/findings", body);
        Assert.Equal(HttpStatusCode.Created, response.StatusCode);
        return await response.Content.ReadFromJsonAsync<JsonElement>();
    }

    private async Task<List<JsonElement>> CertificationBodyNonconformitiesAsync()
    {
        var list = await manager.GetFromJsonAsync<JsonElement>("/api/v1/orgs/acme/nonconformities?source=certification-body");
        return [.. list.GetProperty("items").EnumerateArray()];
    }

    [Fact]
    public async Task A_minor_finding_raises_one_nonconformity_that_follows_the_finding_deadline()
    {
        var finding = await AddFindingAsync(new { kind = "minor", reference = "F-7", description = "Access reviews skipped in Q3\nSecond line", controlIdentifier = "A.5.18", closureDeadline = "2026-04-30" });
        await AddFindingAsync(new { kind = "observation", reference = "O-1", description = "Backups are tested only on one server" });

        var item = Assert.Single(await CertificationBodyNonconformitiesAsync());
        var id = item.GetProperty("id").GetGuid();
        var nc = await manager.GetFromJsonAsync<JsonElement>($"/api/v1/orgs/acme/nonconformities/{id}");
        Assert.Equal("raised", nc.GetProperty("status").GetString());
        Assert.Equal("minor", nc.GetProperty("severity").GetString());
        Assert.Equal("A.5.18", nc.GetProperty("identifier").GetString());
        Assert.Equal("2026-04-30", nc.GetProperty("dueOn").GetString());
        Assert.False(nc.GetProperty("overdue").GetBoolean());
        Assert.Equal(finding.GetProperty("id").GetGuid(), nc.GetProperty("auditFindingId").GetGuid());
        Assert.Equal("Example Certification Ltd finding F-7: Access reviews skipped in Q3", nc.GetProperty("title").GetString());
        Assert.Equal("Example Certification Ltd", nc.GetProperty("raisedBy").GetString());
        Assert.Equal(new DateTimeOffset(2025, 6, 2, 0, 0, 0, TimeSpan.Zero), nc.GetProperty("raisedAt").GetDateTimeOffset());

        // The body moves its deadline into the past and calls it major: the nonconformity follows, and is overdue.
        var updated = await manager.PutAsJsonAsync($"{Cycle}/findings/{finding.GetProperty("id").GetGuid()}", new
        {
            kind = "major",
            reference = "F-7",
            description = "Access reviews skipped in Q3",
            controlIdentifier = "A.5.18",
            closureDeadline = "2026-02-28",
        });
        Assert.Equal(HttpStatusCode.OK, updated.StatusCode);
        var moved = Assert.Single(await CertificationBodyNonconformitiesAsync());
        Assert.Equal(id, moved.GetProperty("id").GetGuid());
        Assert.Equal("2026-02-28", moved.GetProperty("dueOn").GetString());
        Assert.Equal("major", moved.GetProperty("severity").GetString());
        Assert.True(moved.GetProperty("overdue").GetBoolean());

        var overdue = await manager.GetFromJsonAsync<JsonElement>("/api/v1/orgs/acme/nonconformities?overdue=true");
        Assert.Contains(overdue.GetProperty("items").EnumerateArray(), n => n.GetProperty("id").GetGuid() == id);
    }

    [Fact]
    public async Task Findings_recorded_before_the_loop_existed_are_taken_in_once_by_the_sweep()
    {
        // Written straight to the table, as the findings of an installation upgraded to this version are.
        await app.WithScopeAsync(async s =>
        {
            var db = s.GetRequiredService<PerennialDbContext>();
            var audit = await db.ExternalAudits.SingleAsync(a => a.Kind == ExternalAuditKind.Surveillance1);
            db.AuditFindings.AddRange(
                new AuditFinding { Id = Guid.NewGuid(), OrganisationId = audit.OrganisationId, ExternalAuditId = audit.Id, Kind = FindingKind.MajorNonconformity, Reference = "F-1", Description = "No risk treatment plan", ControlIdentifier = "6.1.3", ClosureDeadline = new DateOnly(2026, 5, 31) },
                new AuditFinding { Id = Guid.NewGuid(), OrganisationId = audit.OrganisationId, ExternalAuditId = audit.Id, Kind = FindingKind.MinorNonconformity, Reference = "F-2", Description = "Visitor log incomplete", ClosureDeadline = new DateOnly(2025, 8, 31), ClosedOn = new DateOnly(2025, 8, 20) },
                new AuditFinding { Id = Guid.NewGuid(), OrganisationId = audit.OrganisationId, ExternalAuditId = audit.Id, Kind = FindingKind.OpportunityForImprovement, Reference = "F-3", Description = "Automate the joiner checklist" });
            await db.SaveChangesAsync();
        });
        Assert.Empty(await CertificationBodyNonconformitiesAsync());

        var first = await app.WithScopeAsync(s => s.GetRequiredService<ReminderSweep>().RunAsync(app.Time.GetUtcNow(), CancellationToken.None));
        var again = await app.WithScopeAsync(s => s.GetRequiredService<ReminderSweep>().RunAsync(app.Time.GetUtcNow(), CancellationToken.None));
        Assert.Equal(2, first.NonconformitiesRaised);
        Assert.Equal(0, again.NonconformitiesRaised);

        var items = (await CertificationBodyNonconformitiesAsync()).OrderBy(n => n.GetProperty("title").GetString(), StringComparer.Ordinal).ToList();
        Assert.Equal(2, items.Count);
        Assert.Equal("Example Certification Ltd finding F-1: No risk treatment plan", items[0].GetProperty("title").GetString());
        Assert.Equal("raised", items[0].GetProperty("status").GetString());
        Assert.Equal("major", items[0].GetProperty("severity").GetString());
        Assert.Equal("2026-05-31", items[0].GetProperty("dueOn").GetString());

        // The body had already closed F-2: its record is closed, saying so, not left open for someone to chase.
        var closed = await manager.GetFromJsonAsync<JsonElement>($"/api/v1/orgs/acme/nonconformities/{items[1].GetProperty("id").GetGuid()}");
        Assert.Equal("closed", closed.GetProperty("status").GetString());
        Assert.Contains("closed finding F-2 on 2025-08-20", closed.GetProperty("closureJustification").GetString(), StringComparison.Ordinal);
    }
}

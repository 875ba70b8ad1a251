using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Perennial.Activities;
using Perennial.Certification;
using Perennial.Data;
using Perennial.Frameworks;
using Perennial.Organisations;
using Perennial.Tests.Infrastructure;

namespace Perennial.Tests.Calendar;

public sealed class SqliteCalendarFixture() : CalendarFixture(DatabaseProvider.Sqlite);

public sealed class PostgresCalendarFixture() : CalendarFixture(DatabaseProvider.Postgres);

/// <summary>
/// An organisation "acme" on 2026-03-02 with a certificate issued 2025-08-01 and a small routine:
/// a quarterly backup restore test (last completed on time), a monthly vulnerability scan (last
/// completed late, one occurrence overdue), a yearly policy review due soon, a paused supplier
/// review, a retired firewall review and the cycle-driven external audit. A second organisation,
/// "empty", has nothing.
/// </summary>
public abstract class CalendarFixture(DatabaseProvider provider) : IAsyncLifetime
{
    public const string Slug = "acme";

    public TestApp App { get; private set; } = null!;
    public HttpClient Manager { get; private set; } = null!;
    public HttpClient Auditor { get; private set; } = null!;
    public HttpClient EmptyOrgAdmin { get; private set; } = null!;
    public Guid OrganisationId { get; private set; }
    public Guid JonasId { get; private set; }
    public Guid PriyaId { get; private set; }
    public Guid MayaId { get; private set; }
    public Guid BackupControlId { get; private set; }
    public Guid PolicyControlId { get; private set; }
    public Guid IsoFrameworkId { get; private set; }

    /// <summary>Activities by role: backup, scan, policy, supplier (paused), firewall (retired), audit (cycle-driven).</summary>
    public Dictionary<string, Guid> Activities { get; } = new(StringComparer.Ordinal);

    public async ValueTask InitializeAsync()
    {
        App = await TestApp.StartAsync(provider);
        var admin = await App.CreateUserAsync("admin@acme.test");
        var org = await App.CreateOrganisationAsync(Slug, admin.Id);
        OrganisationId = org.Id;
        MayaId = (await App.CreateUserAsync("maya@acme.test")).Id;
        await App.AddMemberAsync(org.Id, "maya@acme.test", OrgRole.Manager);
        JonasId = (await App.CreateUserAsync("jonas@acme.test")).Id;
        await App.AddMemberAsync(org.Id, "jonas@acme.test", OrgRole.Contributor);
        PriyaId = (await App.CreateUserAsync("priya@acme.test")).Id;
        await App.AddMemberAsync(org.Id, "priya@acme.test", OrgRole.Contributor);
        await App.CreateUserAsync("lena@acme.test");
        await App.AddMemberAsync(org.Id, "lena@acme.test", OrgRole.Auditor);
        var other = await App.CreateUserAsync("admin@empty.test");
        await App.CreateOrganisationAsync("empty", other.Id);

        await App.WithScopeAsync(async s =>
        {
            var db = s.GetRequiredService<PerennialDbContext>();
            var iso = await db.Controls.Where(c => c.OrganisationId == org.Id && c.Framework!.Key == Framework.IsoKey)
                .Select(c => new { c.Id, c.Identifier, c.FrameworkId }).ToListAsync();
            BackupControlId = iso.Single(c => c.Identifier == "A.8.13").Id;
            PolicyControlId = iso.Single(c => c.Identifier == "A.5.1").Id;
            IsoFrameworkId = iso[0].FrameworkId;

            await s.GetRequiredService<CycleService>().SaveCertificateAsync(org.Id,
                new CertificateInput("Example Certification Ltd", "ISMS-1", null, new DateOnly(2025, 7, 8), new DateOnly(2025, 8, 1), null, null), CancellationToken.None);

            var activities = s.GetRequiredService<ActivityService>();
            async Task<Guid> Create(string key, string title, Guid owner, Guid? deputy, string rrule, DateTime start, Guid[] controls, string[] evidence, bool past)
            {
                var activity = await activities.CreateAsync(org.Id, new ActivityInput(
                    title, null, owner, deputy, null, rrule, start, "Europe/London",
                    EvidenceRequired: evidence, ControlIds: controls), CancellationToken.None, includePast: past);
                Activities[key] = activity.Id;
                return activity.Id;
            }

            await Create("backup", "Backup restore test", JonasId, PriyaId, "FREQ=MONTHLY;INTERVAL=3;BYMONTHDAY=-1", new DateTime(2025, 12, 31, 9, 0, 0), [BackupControlId], ["Restore log"], past: true);
            await Create("scan", "Vulnerability scan", PriyaId, null, "FREQ=MONTHLY;BYMONTHDAY=20", new DateTime(2026, 1, 20, 9, 0, 0), [], ["Scan report"], past: true);
            await Create("policy", "Information security policy review", MayaId, JonasId, "FREQ=YEARLY", new DateTime(2026, 3, 10, 9, 0, 0), [PolicyControlId], [], past: false);
            var supplier = await Create("supplier", "Supplier security review", PriyaId, null, "FREQ=YEARLY", new DateTime(2026, 6, 1, 9, 0, 0), [], [], past: false);
            var firewall = await Create("firewall", "Firewall rule review", JonasId, null, "FREQ=MONTHLY", new DateTime(2026, 4, 1, 9, 0, 0), [], [], past: false);
            await activities.SetStateAsync(org.Id, supplier, ActivityState.Paused, CancellationToken.None);
            await activities.SetStateAsync(org.Id, firewall, ActivityState.Retired, CancellationToken.None);
            var audit = await activities.CreateFromTemplatesAsync(org.Id, ["external-audit"], MayaId, new DateOnly(2026, 3, 2), "Europe/London", CancellationToken.None);
            Activities["audit"] = audit.Single().Id;

            // History: the December restore test done the day before it was due, the January scan five days late.
            await CompleteAsync(s, "backup", new DateOnly(2025, 12, 31), JonasId, new DateTimeOffset(2025, 12, 30, 15, 0, 0, TimeSpan.Zero));
            await CompleteAsync(s, "scan", new DateOnly(2026, 1, 20), PriyaId, new DateTimeOffset(2026, 1, 25, 11, 0, 0, TimeSpan.Zero));
        });

        Manager = await App.SignInAsync("maya@acme.test");
        Auditor = await App.SignInAsync("lena@acme.test");
        EmptyOrgAdmin = await App.SignInAsync("admin@empty.test");
    }

    private async Task CompleteAsync(IServiceProvider s, string activity, DateOnly due, Guid by, DateTimeOffset at)
    {
        var db = s.GetRequiredService<PerennialDbContext>();
        var id = await db.Occurrences.Where(o => o.ActivityId == Activities[activity] && o.DueDate == due).Select(o => o.Id).SingleAsync();
        var occurrences = new OccurrenceService(db, new FixedTime(at), s.GetRequiredService<Perennial.Evidence.Storage.IEvidenceStore>());
        using var content = new MemoryStream("evidence"u8.ToArray());
        await occurrences.CompleteAsync(OrganisationId, id, new OccurrenceActor(by, OrgRole.Contributor), null,
            [new EvidenceFile("evidence.txt", "text/plain", content)], [], 1024 * 1024, CancellationToken.None);
    }

    public Task<Guid> OccurrenceIdAsync(string activity, DateOnly due) =>
        App.WithScopeAsync(s => s.GetRequiredService<PerennialDbContext>().Occurrences
            .Where(o => o.ActivityId == Activities[activity] && o.DueDate == due).Select(o => o.Id).SingleAsync());

    public async ValueTask DisposeAsync() => await App.DisposeAsync();

    private sealed class FixedTime(DateTimeOffset now) : TimeProvider
    {
        public override DateTimeOffset GetUtcNow() => now;
    }
}

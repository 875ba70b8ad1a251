using System.Diagnostics;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Perennial.Accounts;
using Perennial.Certification;
using Perennial.Data;
using Perennial.Frameworks;
using Perennial.InternalAudits;
using Perennial.Organisations;
using Perennial.Soa;

namespace Perennial.Benchmarks;

internal sealed record AuditsResult(
    string Provider, string DatabaseVersion, AuditsSize Size, TimeSpan SeedTime, string LoadBefore, string LoadAfter, IReadOnlyList<ScenarioResult> Scenarios,
    ReviewsSize? Reviews = null)
{
    public DateTimeOffset FinishedAt { get; } = TimeProvider.System.GetUtcNow();
    public bool Passed => Scenarios.All(s => s.Passed);
}

/// <summary>
/// The internal audit programme and the nonconformity loop at scale, on one database: three
/// certification cycles with ten internal audits a year planned through the use case, the
/// maintenance calendar of the current cycle (about 20,000 occurrences) seeded as the calendar
/// benchmark seeds it, the results of every audit held and a log of 2,000 nonconformities with
/// 6,000 corrective actions written in bulk, and one audit in progress over the whole of Annex A;
/// then the coverage matrix, the log's first and filtered pages and that audit's checklist timed
/// over HTTP.
/// </summary>
/// <remarks>
/// With <c>reviews</c> the same dataset grows into the management review's (<see cref="ReviewsSeeder"/>)
/// and the run times the review pack and the daily recomputation of the built-in measures instead.
/// With <c>readiness</c> it grows the same way (a busy organisation: about 400 activities with
/// 20,000 occurrences over three years, 50,000 evidence items, 10,000 risks) and times readiness with
/// its forecast for an audit two months ahead.
/// </remarks>
internal sealed class AuditsRun(BenchOptions options, TextWriter log, bool reviews = false, bool readiness = false)
{
    private const string Slug = "audits";
    private const string Password = "Correct-horse-battery-9";
    private const int Activities = 300;
    private const int AuditsPerYear = 10;
    private const int Nonconformities = 2_000;
    private const int CorrectiveActions = 6_000;

    public async Task<AuditsResult> RunAsync(DatabaseProvider provider, CancellationToken ct)
    {
        await using var database = await BenchDatabase.CreateAsync(provider);
        database.Keep = options.Keep;
        await log.WriteLineAsync($"[{database.ProviderName}] audits: database {database.PostgresName ?? database.ConnectionString}");
        var timings = new ServerTimings();
        await using var app = await BenchHost.BuildAsync(database, timings, ct);
        var services = app.Services;

        var now = TimeProvider.System.GetUtcNow();
        var today = DateOnly.FromDateTime(now.UtcDateTime);
        var seedClock = Stopwatch.StartNew();
        var (organisationId, people, cycles) = await SeedOrganisationAsync(services, today, ct);
        var manager = people[0];
        var owners = people.Where(p => p.Role != OrgRole.Auditor).Select(p => new Owner(p.UserId, p.Email, p.Name)).ToList();
        var auditors = people.Where(p => p.Role == OrgRole.Auditor).ToList();
        var applicable = await PublishSoaAsync(services, organisationId, ct);

        // The calendar first, so that the audits' own calendar entries get their history with the rest.
        var calendar = new CalendarSeeder(services, organisationId, owners, manager.UserId, cycles[^1].IssueDate);
        await calendar.SeedActivitiesAsync(Math.Max(2, (int)(Activities * options.Scale)), await ControlsAsync(services, organisationId, ct), m => log.WriteLine($"  seeded {m}"), ct);
        var planned = await PlanProgrammeAsync(services, organisationId, manager, auditors, cycles, applicable, ct);
        await log.WriteLineAsync($"  planned {planned.Count} internal audits");
        await calendar.SeedHistoryAsync(now, m => log.WriteLine($"  seeded {m}"), ct);

        // The sweep raises the nonconformities of the year's missed occurrences, as the daily sweeps would have.
        var (_, sweep) = await CalendarRun.SweepAsync(services, now, ct);
        var seeder = new AuditsSeeder(services, organisationId, owners, manager.UserId);
        var held = planned.Where(p => p.End.AddDays(3) < today).ToList();
        var (_, raised) = await seeder.SeedAuditHistoryAsync(held, ct);
        await seeder.SeedLogAsync((int)(Nonconformities * options.Scale), (int)(CorrectiveActions * options.Scale), raised, cycles[0].IssueDate, now, ct);
        var evidence = await seeder.SeedEvidenceAsync(ct);
        await log.WriteLineAsync($"  seeded {held.Count} audits' results, {raised.Count} nonconformities from them, {sweep.NonconformitiesRaised} from missed occurrences, {evidence:N0} evidence items");
        var inProgress = await StartFullAuditAsync(services, organisationId, manager, auditors, applicable, today, ct);
        var growth = reviews || readiness ? new ReviewsSeeder(services, organisationId, owners, manager.UserId) : null;
        var nextReview = growth is null ? Guid.Empty : await growth.SeedAsync(options.Scale, now, m => log.WriteLine($"  seeded {m}"), ct);
        seedClock.Stop();
        var reviewsSize = growth is null ? null : await growth.CountAsync(ct);

        var size = await seeder.CountAsync(inProgress, ct);
        var databaseVersion = await BenchHost.PrepareStatisticsAsync(services, provider, ct);
        await log.WriteLineAsync($"[{database.ProviderName}] seeded {size.Audits} audits ({size.ChecklistItems:N0} checklist items), {size.Nonconformities:N0} nonconformities ({size.OpenNonconformities:N0} open), {size.Actions:N0} corrective actions, {size.Occurrences:N0} occurrences in {seedClock.Elapsed.TotalSeconds:N0} s");

        await app.StartAsync(ct);
        try
        {
            var address = services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();
            using var client = await BenchHost.SignInAsync(new Uri(address), manager.Email, Password, ct);
            var owner = owners[1];
            var api = $"/api/v1/orgs/{Slug}";
            var auditDay = today.AddDays(60).ToString("yyyy-MM-dd", System.Globalization.CultureInfo.InvariantCulture);
            Scenario[] scenarios = readiness
            ?
            [
                new("Readiness API with forecast", $"{api}/readiness?auditDate={auditDay}", 300),
                new("Readiness API, next external audit", $"{api}/readiness", 300),
                new("Readiness page", $"/o/{Slug}/readiness?auditDate={auditDay}", double.PositiveInfinity),
                new("Auditor's workspace (every control's evidence timeline)", $"/o/{Slug}/auditor?auditDate={auditDay}", double.PositiveInfinity),
            ]
            : reviews
            ?
            [
                new("Review pack API, live", $"{api}/management-reviews/{nextReview}/pack", 500),
                new("Review page with its pack", $"/o/{Slug}/management-reviews/{nextReview}", double.PositiveInfinity),
                new("Review pack as DOCX", $"{api}/management-reviews/{nextReview}/pack.docx", double.PositiveInfinity),
                new("Measures page", $"/o/{Slug}/measures", double.PositiveInfinity),
            ]
            :
            [
                new("Coverage matrix page", $"/o/{Slug}/internal-audits/coverage", 100),
                new("Coverage API", $"{api}/internal-audits/coverage", 100),
                new("Coverage API, first cycle", $"{api}/internal-audits/coverage?cycle=1", 100),
                new("Nonconformity log, first page", $"/o/{Slug}/nonconformities", 100),
                new("Log page, filtered", $"/o/{Slug}/nonconformities?status=all&severity=major&owner={owner.UserId}", 100),
                new("Log page, overdue", $"/o/{Slug}/nonconformities?overdue=true", 100),
                new("Log API, first page", $"{api}/nonconformities", 100),
                new("Log API, filtered", $"{api}/nonconformities?source=internal-audit&owner={Uri.EscapeDataString(owner.Email)}", 100),
                new("Audit checklist page", $"/o/{Slug}/internal-audits/{inProgress}", 100),
                new("Audit API with checklist", $"{api}/internal-audits/{inProgress}", 100),
                new("Checklist API", $"{api}/internal-audits/{inProgress}/checklist", 100),
                // No target for these; timed to show where they stand.
                new("Programme page", $"/o/{Slug}/internal-audits", double.PositiveInfinity),
                new("Recurring nonconformities", $"/o/{Slug}/nonconformities/recurring", double.PositiveInfinity),
                new("Log export (XLSX), all", $"{api}/nonconformities/export.xlsx", double.PositiveInfinity),
            ];

            var loadBefore = BenchHost.LoadAverage();
            var results = (await BenchHost.MeasureAsync(client, timings, scenarios, options, ct)).ToList();
            if (reviews)
            {
                results.Add(await RecomputeAsync(services, organisationId, today, ct));
            }

            var loadAfter = BenchHost.LoadAverage();
            foreach (var result in results)
            {
                await log.WriteLineAsync(FormattableString.Invariant(
                    $"[{database.ProviderName}] {result.Scenario.Name,-30} median {result.Median,7:N1} ms  p95 {result.P95,7:N1} ms  {(double.IsPositiveInfinity(result.Scenario.TargetMs) ? "(no target)" : $"(target {result.Scenario.TargetMs} ms: {(result.Passed ? "pass" : "FAIL")})")}{(result.Total is { } total ? $"  {total:N0} rows" : "")}"));
            }

            return new AuditsResult(database.ProviderName, databaseVersion, size, seedClock.Elapsed, loadBefore, loadAfter, results, reviewsSize);
        }
        finally
        {
            await app.StopAsync(CancellationToken.None);
        }
    }

    /// <summary>
    /// The daily job's work for one organisation: every built-in measure computed for a day and kept,
    /// timed in process (it runs in the background, not behind a request), each run in a fresh scope.
    /// </summary>
    private async Task<ScenarioResult> RecomputeAsync(IServiceProvider services, Guid organisationId, DateOnly today, CancellationToken ct)
    {
        var times = new List<double>();
        for (var i = 0; i < options.Warmup + options.Requests; i++)
        {
            await using var scope = services.CreateAsyncScope();
            var measures = scope.ServiceProvider.GetRequiredService<Measurement.MeasureService>();
            var start = Stopwatch.GetTimestamp();
            await measures.RecomputeAsync(organisationId, today.AddDays(-(i % 7)), ct);
            var ms = Stopwatch.GetElapsedTime(start).TotalMilliseconds;
            if (i >= options.Warmup)
            {
                times.Add(ms);
            }
        }

        return new ScenarioResult(new Scenario("Recompute all built-in measures for a day", "in-process: MeasureService.RecomputeAsync", 1_000), times, times, 0, null);
    }

    private sealed record Person(Guid UserId, string Email, string Name, OrgRole Role);

    /// <summary>
    /// The organisation, its members, and three certification cycles: the two past ones as the
    /// records of a finished cycle stand, the current one (issued a year ago) through <see cref="CycleService"/>.
    /// </summary>
    private static async Task<(Guid OrganisationId, IReadOnlyList<Person> People, IReadOnlyList<CertificationCycle> Cycles)> SeedOrganisationAsync(
        IServiceProvider services, DateOnly today, CancellationToken ct)
    {
        await using var scope = services.CreateAsyncScope();
        var accounts = scope.ServiceProvider.GetRequiredService<AccountService>();
        var organisations = scope.ServiceProvider.GetRequiredService<OrganisationService>();
        var db = scope.ServiceProvider.GetRequiredService<PerennialDbContext>();
        var admin = await accounts.CreateAsync("admin@audits.example", "Audits Administrator", Password, installationAdmin: true, ct);
        var organisation = await organisations.CreateAsync(Slug, "Audits Benchmark Ltd", admin.User.Id, isDemo: false, ct);
        var people = new List<Person>();
        foreach (var (email, name, role) in AuditsPeople.All)
        {
            var account = await accounts.CreateAsync(email, name, Password, installationAdmin: false, ct);
            await organisations.AddMemberAsync(organisation.Id, email, role, null, ct);
            people.Add(new Person(account.User.Id, email, name, role));
        }

        var issued = today.AddYears(-1);
        for (var number = 1; number <= 2; number++)
        {
            var start = issued.AddYears(-3 * (3 - number));
            db.CertificationCycles.Add(new CertificationCycle
            {
                OrganisationId = organisation.Id,
                Number = number,
                IsCurrent = false,
                CertificationBody = "Example Certification Ltd",
                CertificateNumber = $"ISMS-BENCH-{number}",
                IssueDate = start,
                ExpiryDate = start.AddYears(3).AddDays(-1),
                Stage2AuditDate = start.AddDays(-21),
                CreatedAt = new DateTimeOffset(start.ToDateTime(TimeOnly.MinValue), TimeSpan.Zero),
            });
        }

        await db.SaveChangesAsync(ct);
        await scope.ServiceProvider.GetRequiredService<CycleService>().SaveCertificateAsync(organisation.Id,
            new CertificateInput("Example Certification Ltd", "ISMS-BENCH-3", null, issued.AddDays(-21), issued, null, null), ct);
        var cycles = await db.CertificationCycles.AsNoTracking().Where(c => c.OrganisationId == organisation.Id).OrderBy(c => c.Number).ToListAsync(ct);
        return (organisation.Id, people, cycles);
    }

    /// <summary>The Statement of Applicability published with all but a few controls applicable; the applicable ones, in catalog order.</summary>
    private static async Task<IReadOnlyList<string>> PublishSoaAsync(IServiceProvider services, Guid organisationId, CancellationToken ct)
    {
        await using var scope = services.CreateAsyncScope();
        var soa = scope.ServiceProvider.GetRequiredService<SoaService>();
        var draft = await soa.EnsureDraftAsync(organisationId, ct);
        string[] excluded = ["A.7.11", "A.8.28", "A.8.30"];
        foreach (var row in draft.Rows)
        {
            row.Applicable = !excluded.Contains(row.ControlIdentifier);
            row.Justification = row.Applicable == true ? "Needed to treat the risks in the register." : "No such activity in the scope of the ISMS.";
        }

        await scope.ServiceProvider.GetRequiredService<PerennialDbContext>().SaveChangesAsync(ct);
        await soa.PublishAsync(organisationId, "Benchmark SoA", ct);
        return [.. AuditableItems.All.Where(i => i.Kind == ScopeItemKind.Control && !excluded.Contains(i.Identifier)).Select(i => i.Identifier)];
    }

    private static async Task<IReadOnlyList<Guid>> ControlsAsync(IServiceProvider services, Guid organisationId, CancellationToken ct)
    {
        await using var scope = services.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<PerennialDbContext>();
        return await db.Controls.Where(c => c.OrganisationId == organisationId && c.Kind == ControlKind.Control).Select(c => c.Id).ToListAsync(ct);
    }

    /// <summary>
    /// Ten audits a year over each cycle, planned through <see cref="InternalAuditService.PlanAsync"/>
    /// (which checks the scope and the auditors' impartiality and puts each on the calendar): each
    /// year's ten split the clauses and applicable controls between them.
    /// </summary>
    private async Task<List<PlannedAudit>> PlanProgrammeAsync(
        IServiceProvider services, Guid organisationId, Person manager, IReadOnlyList<Person> auditors, IReadOnlyList<CertificationCycle> cycles,
        IReadOnlyList<string> applicable, CancellationToken ct)
    {
        var wanted = AuditableItems.Clauses.Select(c => c.Identifier).Concat(applicable).ToList();
        var perYear = Math.Max(1, (int)Math.Round(AuditsPerYear * options.Scale));
        var planned = new List<PlannedAudit>();
        foreach (var cycle in cycles)
        {
            for (var year = 0; year < 3; year++)
            {
                for (var k = 0; k < perYear; k++)
                {
                    var start = cycle.IssueDate.AddYears(year).AddDays(20 + (k * 340 / perYear));
                    if (start.DayOfWeek is DayOfWeek.Saturday or DayOfWeek.Sunday)
                    {
                        start = start.AddDays(start.DayOfWeek == DayOfWeek.Saturday ? 2 : 1);
                    }

                    var scope = wanted.Where((_, i) => i % perYear == k).ToList();
                    var lead = auditors[(k + year) % auditors.Count];
                    var second = auditors[(k + year + 1) % auditors.Count];
                    await using var s = services.CreateAsyncScope();
                    var audit = await s.ServiceProvider.GetRequiredService<InternalAuditService>().PlanAsync(organisationId, new InternalAuditActor(manager.UserId, OrgRole.Manager),
                        new InternalAuditInput($"Internal audit {year + 1}.{k + 1}: {scope[0]} to {scope[^1]}", cycle.Number, start, start.AddDays(2), lead.UserId, [second.UserId],
                            "ISO/IEC 27001:2022 and the ISMS handbook", scope, k % 3 == 0 ? ["Engineering", "IT"] : null), ct);
                    planned.Add(new PlannedAudit(audit.Id, lead.UserId, start, start.AddDays(2), scope));
                }
            }
        }

        return planned;
    }

    /// <summary>
    /// The audit being timed: the whole of Annex A in one audit, started today over the last twelve
    /// months (<see cref="ChecklistService.StartAsync"/>), with samples drawn for a fifth of its
    /// items and results recorded for a third, as an auditor halfway through would leave it.
    /// </summary>
    private static async Task<Guid> StartFullAuditAsync(
        IServiceProvider services, Guid organisationId, Person manager, IReadOnlyList<Person> auditors, IReadOnlyList<string> applicable, DateOnly today, CancellationToken ct)
    {
        Guid id;
        await using (var scope = services.CreateAsyncScope())
        {
            var audit = await scope.ServiceProvider.GetRequiredService<InternalAuditService>().PlanAsync(organisationId, new InternalAuditActor(manager.UserId, OrgRole.Manager),
                new InternalAuditInput("Annual audit of every applicable Annex A control", null, today, today.AddDays(4), auditors[0].UserId, [auditors[1].UserId],
                    "ISO/IEC 27001:2022 Annex A and the Statement of Applicability", applicable, null), ct);
            id = audit.Id;
        }

        var actor = new ChecklistActor(auditors[0].UserId, auditors[0].Name, OrgRole.Auditor);
        await using (var scope = services.CreateAsyncScope())
        {
            await scope.ServiceProvider.GetRequiredService<ChecklistService>().StartAsync(organisationId, id, actor, null, null, ct);
        }

        IReadOnlyList<ChecklistItemView> checklist;
        await using (var scope = services.CreateAsyncScope())
        {
            checklist = await scope.ServiceProvider.GetRequiredService<ChecklistService>().ChecklistAsync(organisationId, id, ct);
        }

        var seed = 1;
        foreach (var view in checklist.Where((_, i) => i % 5 == 0))
        {
            if (view.Activities.FirstOrDefault(a => a.Range is not null && a.Occurrences.Any(o => o.Outcome is not OccurrenceOutcome.Open and not OccurrenceOutcome.Overdue)) is { } activity)
            {
                await using var scope = services.CreateAsyncScope();
                await scope.ServiceProvider.GetRequiredService<ChecklistService>().DrawSampleAsync(organisationId, id, view.Item.Id, activity.Id, actor, seed++, ct);
            }
        }

        foreach (var view in checklist.Where((_, i) => i % 3 == 0))
        {
            await using var scope = services.CreateAsyncScope();
            await scope.ServiceProvider.GetRequiredService<ChecklistService>().RecordAsync(organisationId, id, view.Item.Id, actor,
                view.Item.SortOrder % 7 == 0 ? ChecklistResult.Observation : ChecklistResult.Conforming, "Sampled occurrences done on time; evidence present and hashed.", null, ct);
        }

        return id;
    }
}

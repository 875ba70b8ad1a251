using System.Diagnostics;
using System.Globalization;
using Ical.Net.CalendarComponents;
using Ical.Net.DataTypes;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Perennial.Accounts;
using Perennial.Activities;
using Perennial.Certification;
using Perennial.Data;
using Perennial.Frameworks;
using Perennial.Organisations;
using Perennial.Reminders;

namespace Perennial.Benchmarks;

/// <summary>Times of an in-process operation (not an HTTP request), in milliseconds.</summary>
internal sealed record TimedRuns(string Name, IReadOnlyList<double> Ms, double TargetMs, string Detail)
{
    public double Median => ScenarioResult.Percentile(Ms, 0.5);
    public double P95 => ScenarioResult.Percentile(Ms, 0.95);
    public bool Passed => Median < TargetMs;
}

internal sealed record CalendarResult(
    string Provider, string DatabaseVersion, CalendarSize Size, TimeSpan SeedTime, DateOnly CycleStart, DateOnly CycleEnd,
    string LoadBefore, string LoadAfter, IReadOnlyList<ScenarioResult> Scenarios, IReadOnlyList<TimedRuns> Sweeps,
    double FirstSweepMs, SweepResult FirstSweep, TimedRuns Expansion, int ExpandedOccurrences)
{
    public DateTimeOffset FinishedAt { get; } = TimeProvider.System.GetUtcNow();
    public bool Passed => Scenarios.All(s => s.Passed) && Sweeps.All(s => s.Passed);
}

/// <summary>
/// The maintenance calendar at scale, on one database: 400 activities over a three-year
/// certification cycle seeded through the use cases, then the one-page calendar, the month view
/// and the three-year calendar API timed over HTTP, a reminder sweep timed in process, and a bare
/// Ical.Net expansion of the same rules for comparison.
/// </summary>
internal sealed class CalendarRun(BenchOptions options, TextWriter log)
{
    private const string Slug = "calendar";
    private const string Password = "Correct-horse-battery-9";
    private const string SignInEmail = "isms.manager@calendar.example";
    private const int Activities = 400;
    private const int SweepRuns = 10;

    public async Task<CalendarResult> RunAsync(DatabaseProvider provider, CancellationToken ct)
    {
        await using var database = await BenchDatabase.CreateAsync(provider);
        database.Keep = options.Keep;
        await log.WriteLineAsync($"[{database.ProviderName}] calendar: database {database.PostgresName ?? database.ConnectionString}");
        var timings = new ServerTimings();
        await using var app = await BenchHost.BuildAsync(database, timings, ct);

        var now = TimeProvider.System.GetUtcNow();
        var today = DateOnly.FromDateTime(now.UtcDateTime);
        var seedClock = Stopwatch.StartNew();
        var (organisationId, owners, cycle) = await SeedOrganisationAsync(app.Services, today, ct);
        var manager = owners.Single(o => o.Email == SignInEmail);
        var seeder = new CalendarSeeder(app.Services, organisationId, owners, manager.UserId, cycle.IssueDate);
        var count = Math.Max(2, (int)(Activities * options.Scale));
        await seeder.SeedActivitiesAsync(count, await ControlsAsync(app.Services, organisationId, ct), m => log.WriteLine($"  seeded {m}"), ct);
        await seeder.SeedHistoryAsync(now, m => log.WriteLine($"  seeded {m}"), ct);
        seedClock.Stop();

        // The first sweep after seeding raises the nonconformities for the year's missed occurrences
        // and queues the reminders owed today; from then on a sweep only finds what became due or
        // missed since the last one.
        var (firstSweepMs, firstSweep) = await SweepAsync(app.Services, now, ct);
        var size = await seeder.CountAsync(cycle.IssueDate, cycle.ExpiryDate, today, ct);
        var databaseVersion = await BenchHost.PrepareStatisticsAsync(app.Services, provider, ct);
        await log.WriteLineAsync($"[{database.ProviderName}] seeded {size.Activities} activities, {size.Occurrences:N0} occurrences ({size.InCycle:N0} in the cycle) in {seedClock.Elapsed.TotalSeconds:N0} s; first sweep {firstSweepMs:N0} ms raised {firstSweep.NonconformitiesRaised} nonconformities and queued {firstSweep.Queued} reminders");

        await app.StartAsync(ct);
        try
        {
            var address = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();
            using var client = await BenchHost.SignInAsync(new Uri(address), SignInEmail, Password, ct);
            var owner = owners.First(o => o.Email != SignInEmail).UserId;
            var from = cycle.IssueDate.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture);
            var to = cycle.ExpiryDate.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture);
            Scenario[] scenarios =
            [
                new("One-page calendar", $"/o/{Slug}/calendar", 100),
                new("One-page calendar, one owner", $"/o/{Slug}/calendar?owner={owner}", 100),
                new("Month view", $"/o/{Slug}/calendar/month", 100),
                new("Month view, one owner", $"/o/{Slug}/calendar/month?owner={owner}", 100),
                new("Calendar API, 3 years", $"/api/v1/orgs/{Slug}/calendar?from={from}&to={to}", 200),
                // No target for these; timed to show where they stand.
                new("Year view", $"/o/{Slug}/calendar/year", double.PositiveInfinity),
                new("Three-year view", $"/o/{Slug}/calendar/cycle", double.PositiveInfinity),
                new("Export (XLSX)", $"/o/{Slug}/calendar/export.xlsx", double.PositiveInfinity),
            ];

            var loadBefore = BenchHost.LoadAverage();
            var results = await BenchHost.MeasureAsync(client, timings, scenarios, options, ct);
            var sweeps = await TimeSweepsAsync(app.Services, now, ct);
            var (expansion, expanded) = await TimeExpansionAsync(app.Services, organisationId, cycle, ct);
            var loadAfter = BenchHost.LoadAverage();
            foreach (var result in results)
            {
                await log.WriteLineAsync(FormattableString.Invariant(
                    $"[{database.ProviderName}] {result.Scenario.Name,-30} median {result.Median,7:N1} ms  p95 {result.P95,7:N1} ms  {(double.IsPositiveInfinity(result.Scenario.TargetMs) ? "(no target)" : $"(target {result.Scenario.TargetMs} ms: {(result.Passed ? "pass" : "FAIL")})")}{(result.Total is { } total ? $"  {total:N0} rows" : "")}"));
            }

            foreach (var sweep in sweeps)
            {
                await log.WriteLineAsync(FormattableString.Invariant($"[{database.ProviderName}] {sweep.Name,-30} median {sweep.Median,7:N1} ms  p95 {sweep.P95,7:N1} ms  (target {sweep.TargetMs} ms: {(sweep.Passed ? "pass" : "FAIL")})  {sweep.Detail}"));
            }

            await log.WriteLineAsync(FormattableString.Invariant($"[{database.ProviderName}] {expansion.Name,-30} median {expansion.Median,7:N1} ms  ({expanded:N0} instances)"));
            return new CalendarResult(database.ProviderName, databaseVersion, size, seedClock.Elapsed, cycle.IssueDate, cycle.ExpiryDate,
                loadBefore, loadAfter, results, sweeps, firstSweepMs, firstSweep, expansion, expanded);
        }
        finally
        {
            await app.StopAsync(CancellationToken.None);
        }
    }

    /// <summary>The organisation, its members and a certificate issued a year ago, through the app's services.</summary>
    private static async Task<(Guid OrganisationId, IReadOnlyList<Owner> Owners, CertificationCycle Cycle)> SeedOrganisationAsync(IServiceProvider services, DateOnly today, CancellationToken ct)
    {
        (string Email, string Name, OrgRole Role)[] people =
        [
            (SignInEmail, "Isabel Manager", OrgRole.Manager),
            ("eng.lead@calendar.example", "Eduardo Engineer", OrgRole.Contributor),
            ("it.admin@calendar.example", "Ines Admin", OrgRole.Contributor),
            ("hr.lead@calendar.example", "Helena People", OrgRole.Contributor),
            ("finance.lead@calendar.example", "Filipe Finance", OrgRole.Contributor),
            ("sales.lead@calendar.example", "Sofia Sales", OrgRole.Contributor),
            ("support.lead@calendar.example", "Sergio Support", OrgRole.Contributor),
            ("auditor@calendar.example", "Ana Auditor", OrgRole.Auditor),
        ];

        await using var scope = services.CreateAsyncScope();
        var accounts = scope.ServiceProvider.GetRequiredService<AccountService>();
        var organisations = scope.ServiceProvider.GetRequiredService<OrganisationService>();
        var admin = await accounts.CreateAsync("admin@calendar.example", "Calendar Administrator", Password, installationAdmin: true, ct);
        var organisation = await organisations.CreateAsync(Slug, "Calendar Benchmark Ltd", admin.User.Id, isDemo: false, ct);
        var owners = new List<Owner>();
        foreach (var (email, name, role) in people)
        {
            var account = await accounts.CreateAsync(email, name, Password, installationAdmin: false, ct);
            await organisations.AddMemberAsync(organisation.Id, email, role, null, ct);
            if (role != OrgRole.Auditor)
            {
                owners.Add(new Owner(account.User.Id, email, name));
            }
        }

        var issued = today.AddYears(-1);
        var cycle = await scope.ServiceProvider.GetRequiredService<CycleService>().SaveCertificateAsync(organisation.Id,
            new CertificateInput("Example Certification Ltd", "ISMS-BENCH-1", null, issued.AddDays(-21), issued, null, null), ct);
        return (organisation.Id, owners, cycle);
    }

    private static async Task<IReadOnlyList<Guid>> ControlsAsync(IServiceProvider services, Guid organisationId, CancellationToken ct)
    {
        await using var scope = services.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<PerennialDbContext>();
        return await db.Controls.Where(c => c.OrganisationId == organisationId && c.Kind == ControlKind.Control).Select(c => c.Id).ToListAsync(ct);
    }

    /// <summary>
    /// The real sweep, timed in two states, the runs of each in a row: "first of the day", with the
    /// outbox emptied beforehand (untimed) so that every reminder owed today is planned, built and
    /// inserted; and "steady", a sweep again at the same instant, which finds every reminder already
    /// queued and inserts nothing. Nonconformities for the missed occurrences were raised by the
    /// sweep after seeding, so neither raises any.
    /// </summary>
    private async Task<IReadOnlyList<TimedRuns>> TimeSweepsAsync(IServiceProvider services, DateTimeOffset now, CancellationToken ct)
    {
        var open = await OpenOccurrencesAsync(services, ct);
        var first = new List<double>();
        var steady = new List<double>();
        string firstDetail = "", steadyDetail = "";
        for (var i = 0; i < options.Warmup + SweepRuns; i++)
        {
            await ClearOutboxAsync(services, ct);
            var (ms, result) = await SweepAsync(services, now, ct);
            if (i >= options.Warmup)
            {
                first.Add(ms);
                var (queuedEmails, _) = await CountOutboxAsync(services, ct);
                firstDetail = $"outbox emptied first; {result.Queued:N0} reminders queued ({queuedEmails:N0} e-mails) over {open:N0} open occurrences, {result.NonconformitiesRaised} nonconformities raised";
            }
        }

        for (var i = 0; i < options.Warmup + SweepRuns; i++)
        {
            var (ms, result) = await SweepAsync(services, now, ct);
            if (i >= options.Warmup)
            {
                steady.Add(ms);
                var (queued, _) = await CountOutboxAsync(services, ct);
                steadyDetail = $"again at the same instant, {queued:N0} reminders already queued; {result.Queued:N0} queued, {result.NonconformitiesRaised} nonconformities raised";
            }
        }

        return
        [
            new TimedRuns("Reminder sweep, first of the day", first, 1000, firstDetail),
            new TimedRuns("Reminder sweep, steady", steady, 1000, steadyDetail),
        ];
    }

    /// <summary>
    /// One <see cref="ReminderSweep.RunAsync"/> at <paramref name="now"/>, in a fresh scope with one
    /// open connection, as <see cref="ReminderRunner"/> runs it for the scheduled job: raise the
    /// nonconformities for occurrences past their grace period, decide the reminders owed and queue
    /// the new ones in the outbox. Delivery (the dispatcher) is not part of it, and nothing is sent.
    /// </summary>
    internal static async Task<(double Ms, SweepResult Result)> SweepAsync(IServiceProvider services, DateTimeOffset now, CancellationToken ct)
    {
        await using var scope = services.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<PerennialDbContext>();
        var sweep = scope.ServiceProvider.GetRequiredService<ReminderSweep>();
        var start = Stopwatch.GetTimestamp();
        await db.Database.OpenConnectionAsync(ct);
        try
        {
            var result = await sweep.RunAsync(now, ct);
            return (Stopwatch.GetElapsedTime(start).TotalMilliseconds, result);
        }
        finally
        {
            await db.Database.CloseConnectionAsync();
        }
    }

    private static async Task ClearOutboxAsync(IServiceProvider services, CancellationToken ct)
    {
        await using var scope = services.CreateAsyncScope();
        await scope.ServiceProvider.GetRequiredService<PerennialDbContext>().Outbox.ExecuteDeleteAsync(ct);
    }

    private static async Task<(int Emails, int Chats)> CountOutboxAsync(IServiceProvider services, CancellationToken ct)
    {
        await using var scope = services.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<PerennialDbContext>();
        var emails = await db.Outbox.CountAsync(m => m.Channel == OutboxChannel.Email, ct);
        return (emails, await db.Outbox.CountAsync(ct) - emails);
    }

    private static async Task<int> OpenOccurrencesAsync(IServiceProvider services, CancellationToken ct)
    {
        await using var scope = services.CreateAsyncScope();
        return await scope.ServiceProvider.GetRequiredService<PerennialDbContext>().Occurrences
            .CountAsync(o => o.State == OccurrenceState.Open && o.Activity!.State == ActivityState.Active, ct);
    }

    /// <summary>The same rules expanded by Ical.Net alone over the same three years: the floor for any calendar built on it.</summary>
    private async Task<(TimedRuns Runs, int Instances)> TimeExpansionAsync(IServiceProvider services, Guid organisationId, CertificationCycle cycle, CancellationToken ct)
    {
        await using var scope = services.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<PerennialDbContext>();
        var rules = (await db.Activities.AsNoTracking()
            .Where(a => a.OrganisationId == organisationId && a.ScheduleSource == ScheduleSource.Rule)
            .Select(a => new { a.Rrule, a.StartDate, a.StartTime, a.TimeZone }).ToListAsync(ct))
            .Select(a => (Rule: a.Rrule!, Start: a.StartDate.ToDateTime(a.StartTime), a.TimeZone)).ToList();
        var from = cycle.IssueDate.ToDateTime(TimeOnly.MinValue);
        var to = cycle.ExpiryDate.AddDays(1).ToDateTime(TimeOnly.MinValue);
        var times = new List<double>();
        var instances = 0;
        for (var i = 0; i < options.Warmup + SweepRuns; i++)
        {
            var start = Stopwatch.GetTimestamp();
            var n = 0;
            foreach (var (rule, dtStart, zone) in rules)
            {
                var ev = new CalendarEvent { DtStart = new CalDateTime(dtStart, zone), RecurrenceRule = new RecurrencePattern(rule) };
                foreach (var occurrence in ev.GetOccurrences(new CalDateTime(from, zone)))
                {
                    if (occurrence.Period.StartTime.Value >= to)
                    {
                        break;
                    }

                    n++;
                }
            }

            if (i >= options.Warmup)
            {
                times.Add(Stopwatch.GetElapsedTime(start).TotalMilliseconds);
            }

            instances = n;
        }

        return (new TimedRuns("Bare Ical.Net expansion", times, double.MaxValue, $"{rules.Count} rules"), instances);
    }
}

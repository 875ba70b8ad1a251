using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Perennial.AccessReviews;
using Perennial.Activities;
using Perennial.Data;
using Perennial.Evidence;
using Perennial.Findings;
using Perennial.Frameworks;
using Perennial.Measurement;
using Perennial.Nonconformities;
using Perennial.Organisations;
using Perennial.Risks;
using Perennial.Tests.Infrastructure;

namespace Perennial.Tests.Measurement;

public sealed class SqliteBuiltInMeasureTests() : BuiltInMeasureTests(DatabaseProvider.Sqlite);

public sealed class PostgresBuiltInMeasureTests() : BuiltInMeasureTests(DatabaseProvider.Postgres);

/// <summary>
/// Every built-in measure, computed by Perennial over seeded records, equals the same figure computed
/// here independently from the seeded rows in memory — with the edge cases: nothing due in a period,
/// an occurrence completed on its due day in a time zone where that is already the next UTC day, and
/// one completed on what is still its due day in UTC but the next day where the activity is.
/// </summary>
public abstract class BuiltInMeasureTests(DatabaseProvider provider) : IAsyncLifetime
{
    private static readonly DateOnly Day = new(2026, 3, 1);
    private TestApp app = null!;
    private Guid orgId;
    private Guid ownerId;

    // What was seeded, kept to compute the expected figures independently.
    private readonly List<(DateOnly Due, OccurrenceState State, DateTimeOffset? CompletedAt, string Zone)> occurrences = [];
    private readonly List<(DateTimeOffset Raised, DateTimeOffset? Closed)> nonconformities = [];
    private readonly List<(DateOnly Due, DateOnly? Done, CorrectiveActionStatus Status, DateTimeOffset Created)> actions = [];
    private readonly List<(DateTimeOffset From, DateTimeOffset? To, int L, int I, RiskStatus Status)> revisions = [];
    private readonly List<(ActionStatus Status, DateOnly? Completed, bool RiskOpen)> treatment = [];
    private readonly List<(DateOnly Due, DateTimeOffset? Fixed)> findings = [];
    private readonly List<(DateOnly Due, DateTimeOffset? SignedOff, string Zone)> reviews = [];
    private readonly List<(Guid Control, DateOnly From, DateOnly To, DateTimeOffset Recorded)> controlEvidence = [];
    private readonly List<DateOnly> incidents = [];

    public async ValueTask InitializeAsync()
    {
        app = await TestApp.StartAsync(provider);
        var admin = await app.CreateUserAsync("admin@acme.test");
        orgId = (await app.CreateOrganisationAsync("acme", admin.Id)).Id;
        ownerId = admin.Id;
        await SeedAsync();
    }

    public async ValueTask DisposeAsync() => await app.DisposeAsync();

    [Fact]
    public async Task Each_built_in_measure_equals_an_independent_computation_over_the_seeded_records()
    {
        var threshold = await ThresholdAsync();
        var expected = new Dictionary<string, double?>
        {
            [BuiltInMeasures.OccurrencesOnTime] = ExpectedOnTime(Day.AddMonths(-1), Day),
            [BuiltInMeasures.ControlsWithFreshEvidence] = await ExpectedFreshControlsAsync(Day.AddMonths(-1), Day),
            [BuiltInMeasures.OpenNonconformities] = OpenAt(Day).Count,
            [BuiltInMeasures.NonconformityMeanAge] = Math.Round(OpenAt(Day).Average(n => (double)(Day.DayNumber - DateOnly.FromDateTime(n.Raised.UtcDateTime).DayNumber)), 1),
            [BuiltInMeasures.OverdueCorrectiveActions] = actions.Count(a => a.Status != CorrectiveActionStatus.Cancelled && a.Created < End(Day) && a.Due < Day && (a.Done is null || a.Done > Day)),
            [BuiltInMeasures.DaysToCloseNonconformity] = Math.Round(nonconformities
                .Where(n => n.Closed is { } c && DateOnly.FromDateTime(c.UtcDateTime) > Day.AddMonths(-1) && DateOnly.FromDateTime(c.UtcDateTime) <= Day)
                .Average(n => (double)(DateOnly.FromDateTime(n.Closed!.Value.UtcDateTime).DayNumber - DateOnly.FromDateTime(n.Raised.UtcDateTime).DayNumber)), 1),
            [BuiltInMeasures.RisksAboveThreshold] = revisions.Count(r => r.From < End(Day) && (r.To is null || r.To >= End(Day)) && r.Status == RiskStatus.Open && r.L * r.I > threshold),
            [BuiltInMeasures.TreatmentPlanProgress] = Math.Round(100.0 * treatment.Count(t => t.RiskOpen && t.Status == ActionStatus.Done && t.Completed <= Day) / treatment.Count(t => t.RiskOpen), 2),
            [BuiltInMeasures.FindingsRemediatedOnTime] = Math.Round(100.0 * findings.Count(f => InPeriod(f.Due) && f.Fixed is { } x && DateOnly.FromDateTime(x.UtcDateTime) <= f.Due) / findings.Count(f => InPeriod(f.Due)), 2),
            [BuiltInMeasures.AccessReviewsOnTime] = ExpectedAccessReviews(),
            [BuiltInMeasures.Incidents] = incidents.Count(InPeriod),
        };

        var computed = await app.WithScopeAsync(async sp =>
        {
            var service = sp.GetRequiredService<MeasureService>();
            Assert.Equal(BuiltInMeasures.All.Count, await service.RecomputeAsync(orgId, Day, CancellationToken.None));
            var db = sp.GetRequiredService<PerennialDbContext>();
            return await (from v in db.MeasureValues join m in db.Measures on v.MeasureId equals m.Id where m.OrganisationId == orgId && v.On == Day select new { m.Key, v.Value, v.Detail })
                .ToDictionaryAsync(v => v.Key!, v => (v.Value, v.Detail));
        });

        Assert.Equal(expected.Keys.Order(), computed.Keys.Order());
        foreach (var (key, value) in expected)
        {
            Assert.True(value is not null, $"the seed gives {key} something to measure");
            Assert.True(computed[key].Value is { } got && Math.Abs(got - value!.Value) < 0.005, $"{key}: expected {value}, Perennial computed {computed[key].Value} ({computed[key].Detail})");
        }

        // The two time-zone edge cases decide the on-time share: 3 of the 5 known outcomes in February.
        Assert.Equal(60, expected[BuiltInMeasures.OccurrencesOnTime]);
        Assert.Equal("3 of 5 occurrences due in the period completed on time", computed[BuiltInMeasures.OccurrencesOnTime].Detail);
        Assert.Equal(3, expected[BuiltInMeasures.Incidents]);
    }

    [Fact]
    public async Task A_period_with_nothing_due_has_no_value_rather_than_zero_and_recomputing_a_day_replaces_its_value()
    {
        await app.WithScopeAsync(async sp =>
        {
            var service = sp.GetRequiredService<MeasureService>();
            var db = sp.GetRequiredService<PerennialDbContext>();
            var onTime = await db.Measures.SingleAsync(m => m.OrganisationId == orgId && m.Key == BuiltInMeasures.OccurrencesOnTime);
            var weekly = new MeasureInput(onTime.Name, onTime.Description, onTime.Method, MeasureFrequency.Weekly, null, null, null, onTime.Target, onTime.Threshold);
            await service.UpdateAsync(orgId, onTime.Id, new MeasureActor(ownerId, OrgRole.Admin), weekly, CancellationToken.None);

            // The week to 2026-01-10 holds no occurrence (the seed's January one is due on the 15th).
            var quiet = new DateOnly(2026, 1, 10);
            await service.RecomputeAsync(orgId, quiet, CancellationToken.None);
            var value = await db.MeasureValues.AsNoTracking().SingleAsync(v => v.MeasureId == onTime.Id && v.On == quiet);
            Assert.Null(value.Value);
            Assert.Equal("No occurrence fell due in the period.", value.Detail);
            Assert.Null(ExpectedOnTime(quiet.AddDays(-7), quiet));

            // The week to 2026-02-14 holds the two time-zone cases: one on time, one late.
            var week = new DateOnly(2026, 2, 14);
            await service.RecomputeAsync(orgId, week, CancellationToken.None);
            await service.RecomputeAsync(orgId, week, CancellationToken.None);
            var values = await db.MeasureValues.AsNoTracking().Where(v => v.MeasureId == onTime.Id && v.On == week).ToListAsync();
            Assert.Single(values);
            Assert.Equal(ExpectedOnTime(week.AddDays(-7), week), values[0].Value);
            Assert.Equal(50, values[0].Value);
        });
    }

    private double? ExpectedOnTime(DateOnly start, DateOnly day)
    {
        var counted = occurrences.Where(o => o.Due > start && o.Due <= day && o.State != OccurrenceState.Skipped && !(o.State == OccurrenceState.Open && o.Due == day)).ToList();
        if (counted.Count == 0)
        {
            return null;
        }

        var onTime = counted.Count(o => o.State == OccurrenceState.Completed
            && DateOnly.FromDateTime(TimeZoneInfo.ConvertTime(o.CompletedAt!.Value, TimeZoneInfo.FindSystemTimeZoneById(o.Zone)).DateTime) <= o.Due);
        return Math.Round(100.0 * onTime / counted.Count, 2);
    }

    private double ExpectedAccessReviews()
    {
        var counted = reviews.Where(r => InPeriod(r.Due) && !(r.SignedOff is null && r.Due == Day)).ToList();
        var onTime = counted.Count(r => r.SignedOff is { } s && DateOnly.FromDateTime(TimeZoneInfo.ConvertTime(s, TimeZoneInfo.FindSystemTimeZoneById(r.Zone)).DateTime) <= r.Due);
        return Math.Round(100.0 * onTime / counted.Count, 2);
    }

    private async Task<double> ExpectedFreshControlsAsync(DateOnly start, DateOnly day)
    {
        var controls = await app.WithScopeAsync(sp => sp.GetRequiredService<PerennialDbContext>().Controls.AsNoTracking()
            .Where(c => c.OrganisationId == orgId && c.Kind == ControlKind.Control && c.Status != ImplementationStatus.NotApplicable)
            .Select(c => new { c.Id, c.EvidenceFreshnessDays }).ToListAsync());
        var period = day.DayNumber - start.DayNumber;
        var fresh = controls.Count(c => controlEvidence.Any(e => e.Control == c.Id && e.Recorded < End(day) && e.From <= day && e.To > day.AddDays(-(c.EvidenceFreshnessDays ?? period))));
        return Math.Round(100.0 * fresh / controls.Count, 2);
    }

    private List<(DateTimeOffset Raised, DateTimeOffset? Closed)> OpenAt(DateOnly day) =>
        [.. nonconformities.Where(n => n.Raised < End(day) && (n.Closed is null || n.Closed >= End(day)))];

    private async Task<int> ThresholdAsync() =>
        await app.WithScopeAsync(sp => sp.GetRequiredService<PerennialDbContext>().RiskMethods.Where(m => m.OrganisationId == orgId).Select(m => m.AcceptanceThreshold).FirstAsync());

    private static bool InPeriod(DateOnly due) => due > Day.AddMonths(-1) && due <= Day;

    private static DateTimeOffset End(DateOnly day) => new(day.AddDays(1).ToDateTime(TimeOnly.MinValue), TimeSpan.Zero);

    private static DateTimeOffset Utc(int month, int day, int hour, int minute = 0) => new(2026, month, day, hour, minute, 0, TimeSpan.Zero);

    private async Task SeedAsync()
    {
        await app.WithScopeAsync(async sp =>
        {
            var db = sp.GetRequiredService<PerennialDbContext>();
            var now = app.Time.GetUtcNow();
            Activity NewActivity(string reference, string zone) => new()
            {
                Id = Guid.NewGuid(),
                OrganisationId = orgId,
                Reference = reference,
                Title = reference,
                OwnerUserId = ownerId,
                Rrule = "FREQ=MONTHLY",
                StartDate = new DateOnly(2025, 1, 1),
                TimeZone = zone,
                ScheduleChangedAt = now,
                CreatedAt = now,
            };
            var la = NewActivity("ACT-LA", "America/Los_Angeles");
            var auckland = NewActivity("ACT-AKL", "Pacific/Auckland");
            var utc = NewActivity("ACT-UTC", "UTC");
            db.Activities.AddRange(la, auckland, utc);
            var sequence = 0;
            void Occurrence(Activity activity, DateOnly due, OccurrenceState state, DateTimeOffset? completed)
            {
                db.Occurrences.Add(new Occurrence
                {
                    Id = Guid.NewGuid(),
                    OrganisationId = orgId,
                    ActivityId = activity.Id,
                    RecurrenceKey = $"k{sequence++}",
                    DueDate = due,
                    DueTime = new TimeOnly(9, 0),
                    DueAt = new DateTimeOffset(due.ToDateTime(new TimeOnly(9, 0)), TimeSpan.Zero),
                    State = state,
                    CompletedAt = completed,
                    CompletedByUserId = completed is null ? null : ownerId,
                    SkipReason = state == OccurrenceState.Skipped ? "not needed" : null,
                    UpdatedAt = now,
                });
                occurrences.Add((due, state, completed, activity.TimeZone));
            }

            // Completed at 23:30 on the due day in Los Angeles: 07:30 UTC the next day, still on time.
            Occurrence(la, new DateOnly(2026, 2, 10), OccurrenceState.Completed, Utc(2, 11, 7, 30));
            // Completed at 11:00 UTC on the due day: already the next day in Auckland (UTC+13), so late.
            Occurrence(auckland, new DateOnly(2026, 2, 12), OccurrenceState.Completed, Utc(2, 12, 11));
            Occurrence(utc, new DateOnly(2026, 2, 15), OccurrenceState.Open, null); // overdue
            Occurrence(utc, new DateOnly(2026, 2, 20), OccurrenceState.Skipped, null); // not counted
            Occurrence(utc, new DateOnly(2026, 2, 24), OccurrenceState.Completed, Utc(2, 24, 16)); // on the due day
            Occurrence(utc, new DateOnly(2026, 2, 25), OccurrenceState.Completed, Utc(2, 23, 10)); // early
            Occurrence(utc, new DateOnly(2026, 3, 1), OccurrenceState.Open, null); // due on the day measured, not late yet
            Occurrence(utc, new DateOnly(2026, 1, 15), OccurrenceState.Completed, Utc(1, 20, 10)); // before the period

            // Evidence for controls: direct, through an activity, stale, recorded after the day, and before the period began.
            var controls = await db.Controls.Where(c => c.OrganisationId == orgId && c.Kind == ControlKind.Control).OrderBy(c => c.SortOrder).Take(6).ToListAsync();
            controls[5].Status = ImplementationStatus.NotApplicable;
            controls[4].EvidenceFreshnessDays = 90;
            db.ActivityControls.Add(new ActivityControl { ActivityId = utc.Id, ControlId = controls[1].Id });
            void Evidence(Guid? control, Guid? activity, DateOnly from, DateOnly to, DateTimeOffset recorded, Guid? forControl = null)
            {
                var item = new EvidenceItem
                {
                    Id = Guid.NewGuid(),
                    OrganisationId = orgId,
                    Kind = EvidenceKind.Note,
                    Title = "evidence",
                    PeriodFrom = from,
                    PeriodTo = to,
                    CollectedAt = recorded,
                    RecordedAt = recorded,
                    Source = EvidenceSource.Upload,
                    SourceUserId = ownerId,
                };
                item.Links.Add(new EvidenceItemLink { Id = Guid.NewGuid(), ControlId = control, ActivityId = activity });
                db.EvidenceItems.Add(item);
                controlEvidence.Add((forControl ?? control!.Value, from, to, recorded));
            }

            Evidence(controls[0].Id, null, new DateOnly(2026, 2, 1), new DateOnly(2026, 2, 28), Utc(2, 28, 12));
            Evidence(null, utc.Id, new DateOnly(2026, 2, 20), new DateOnly(2026, 2, 20), Utc(2, 21, 8), controls[1].Id);
            Evidence(controls[2].Id, null, new DateOnly(2025, 12, 1), new DateOnly(2026, 1, 15), Utc(1, 16, 8)); // stale for a month
            Evidence(controls[3].Id, null, new DateOnly(2026, 2, 1), new DateOnly(2026, 2, 28), Utc(3, 2, 8)); // recorded after the day
            Evidence(controls[4].Id, null, new DateOnly(2025, 12, 10), new DateOnly(2026, 1, 5), Utc(1, 6, 8)); // fresh within its 90 days
            Evidence(controls[5].Id, null, new DateOnly(2026, 2, 1), new DateOnly(2026, 2, 28), Utc(2, 28, 9)); // not applicable

            // Nonconformities and their corrective actions.
            var number = 0;
            Nonconformity Nc(DateTimeOffset raised, DateTimeOffset? closed)
            {
                var nc = new Nonconformity
                {
                    Id = Guid.NewGuid(),
                    OrganisationId = orgId,
                    Reference = $"NC-{++number:000}",
                    Title = $"Nonconformity {number}",
                    Source = NonconformitySource.Manual,
                    RaisedByName = "Admin",
                    RaisedAt = raised,
                    ClosedAt = closed,
                    Status = closed is null ? NonconformityStatus.Raised : NonconformityStatus.Closed,
                };
                db.Nonconformities.Add(nc);
                nonconformities.Add((raised, closed));
                return nc;
            }

            var first = Nc(Utc(1, 5, 10), null);
            Nc(Utc(1, 20, 10), Utc(2, 10, 9));
            Nc(Utc(2, 3, 10), Utc(2, 27, 23, 59));
            Nc(Utc(2, 14, 10), Utc(3, 1, 23, 59)); // closed late on the day measured
            Nc(Utc(3, 1, 23, 30), null); // raised late on the day measured
            Nc(Utc(3, 2, 0, 0), null); // raised the next day: not open yet
            Nc(Utc(1, 10, 10), Utc(2, 1, 12)); // closed on the period's first day, which is not in it
            void Action(Nonconformity nc, DateOnly due, DateOnly? done, CorrectiveActionStatus status, DateTimeOffset created)
            {
                db.CorrectiveActions.Add(new CorrectiveAction
                {
                    Id = Guid.NewGuid(),
                    OrganisationId = orgId,
                    NonconformityId = nc.Id,
                    Round = 1,
                    Title = "Fix it",
                    OwnerUserId = ownerId,
                    DueOn = due,
                    Status = status,
                    DoneOn = done,
                    CreatedAt = created,
                });
                actions.Add((due, done, status, created));
            }

            Action(first, new DateOnly(2026, 2, 1), null, CorrectiveActionStatus.Open, Utc(1, 6, 9)); // overdue
            Action(first, new DateOnly(2026, 2, 10), new DateOnly(2026, 3, 3), CorrectiveActionStatus.Done, Utc(1, 6, 9)); // done after the day: overdue on it
            Action(first, new DateOnly(2026, 2, 10), new DateOnly(2026, 2, 9), CorrectiveActionStatus.Done, Utc(1, 6, 9)); // done in time
            Action(first, new DateOnly(2026, 2, 1), null, CorrectiveActionStatus.Cancelled, Utc(1, 6, 9)); // cancelled
            Action(first, new DateOnly(2026, 3, 1), null, CorrectiveActionStatus.Open, Utc(1, 6, 9)); // due on the day: not overdue yet

            // Risks with revisions: the revision in force at the end of the day counts.
            var method = await db.RiskMethods.FirstAsync(m => m.OrganisationId == orgId);
            var riskNumber = 0;
            Risk NewRisk(RiskStatus status)
            {
                var risk = new Risk
                {
                    Id = Guid.NewGuid(),
                    OrganisationId = orgId,
                    Reference = $"R-{++riskNumber:000}",
                    Title = $"Risk {riskNumber}",
                    MethodId = method.Id,
                    InherentLikelihood = 5,
                    InherentImpact = 5,
                    InherentScore = 25,
                    InherentLevel = "High",
                    ResidualLikelihood = 1,
                    ResidualImpact = 1,
                    ResidualScore = 1,
                    ResidualLevel = "Low",
                    Status = status,
                    NextReviewOn = new DateOnly(2027, 1, 1),
                    CreatedAt = Utc(1, 1, 0),
                    UpdatedAt = Utc(1, 1, 0),
                };
                db.Risks.Add(risk);
                return risk;
            }

            void Revision(Risk risk, int n, DateTimeOffset from, DateTimeOffset? to, int l, int i, RiskStatus status)
            {
                db.RiskRevisions.Add(new RiskRevision
                {
                    Id = Guid.NewGuid(),
                    OrganisationId = orgId,
                    RiskId = risk.Id,
                    Number = n,
                    ValidFrom = from,
                    ValidTo = to,
                    Author = "Admin",
                    Reason = "seed",
                    Reference = risk.Reference,
                    Title = risk.Title,
                    ResidualLikelihood = l,
                    ResidualImpact = i,
                    ResidualLevel = "x",
                    Status = status,
                });
                revisions.Add((from, to, l, i, status));
            }

            var high = NewRisk(RiskStatus.Open);
            Revision(high, 1, Utc(1, 1, 0), null, 5, 5, RiskStatus.Open); // above
            var lowered = NewRisk(RiskStatus.Open);
            Revision(lowered, 1, Utc(1, 1, 0), Utc(2, 15, 0), 5, 4, RiskStatus.Open);
            Revision(lowered, 2, Utc(2, 15, 0), null, 1, 2, RiskStatus.Open); // lowered before the day
            var raisedLater = NewRisk(RiskStatus.Open);
            Revision(raisedLater, 1, Utc(1, 1, 0), Utc(3, 2, 0), 1, 1, RiskStatus.Open);
            Revision(raisedLater, 2, Utc(3, 2, 0), null, 5, 5, RiskStatus.Open); // raised after the day
            var closedRisk = NewRisk(RiskStatus.Closed);
            Revision(closedRisk, 1, Utc(1, 1, 0), Utc(2, 1, 0), 4, 5, RiskStatus.Open);
            Revision(closedRisk, 2, Utc(2, 1, 0), null, 4, 5, RiskStatus.Closed); // closed
            var atThreshold = NewRisk(RiskStatus.Open);
            var side = (int)Math.Floor(Math.Sqrt(method.AcceptanceThreshold));
            Revision(atThreshold, 1, Utc(1, 1, 0), null, 1, method.AcceptanceThreshold <= 5 ? method.AcceptanceThreshold : side, RiskStatus.Open); // not above

            void Treatment(Risk risk, ActionStatus status, DateOnly? completed, bool riskOpen)
            {
                db.RiskActions.Add(new RiskAction { Id = Guid.NewGuid(), OrganisationId = orgId, RiskId = risk.Id, Title = "Treat", Status = status, CompletedOn = completed, DueOn = new DateOnly(2026, 4, 1) });
                treatment.Add((status, completed, riskOpen));
            }

            Treatment(high, ActionStatus.Done, new DateOnly(2026, 2, 1), true);
            Treatment(high, ActionStatus.Open, null, true);
            Treatment(high, ActionStatus.InProgress, null, true);
            Treatment(lowered, ActionStatus.Done, new DateOnly(2026, 2, 20), true);
            Treatment(closedRisk, ActionStatus.Done, new DateOnly(2026, 1, 20), false); // its risk is closed

            // Scanner findings with deadlines in and out of the period.
            var report = new EvidenceItem
            {
                Id = Guid.NewGuid(),
                OrganisationId = orgId,
                Kind = EvidenceKind.File,
                Title = "scan",
                PeriodFrom = new DateOnly(2026, 1, 1),
                PeriodTo = new DateOnly(2026, 1, 1),
                CollectedAt = Utc(1, 1, 0),
                RecordedAt = Utc(1, 1, 0),
                Source = EvidenceSource.Upload,
                SourceUserId = ownerId,
            };
            db.EvidenceItems.Add(report);
            var f = 0;
            void Finding(DateOnly due, DateTimeOffset? fixedAt)
            {
                db.Findings.Add(new Finding
                {
                    Id = Guid.NewGuid(),
                    OrganisationId = orgId,
                    Fingerprint = $"fp{++f}",
                    Tool = "trivy",
                    Format = "trivy",
                    Target = "app",
                    RuleId = $"CVE-{f}",
                    Title = $"Finding {f}",
                    Severity = FindingSeverity.High,
                    FirstSeenAt = Utc(1, 1, 0),
                    LastSeenAt = Utc(1, 1, 0),
                    FixedAt = fixedAt,
                    DueOn = due,
                    FirstEvidenceItemId = report.Id,
                    LastEvidenceItemId = report.Id,
                });
                findings.Add((due, fixedAt));
            }

            Finding(new DateOnly(2026, 2, 10), Utc(2, 10, 23, 59)); // fixed on the deadline day
            Finding(new DateOnly(2026, 2, 12), Utc(2, 13, 0, 1)); // a minute late
            Finding(new DateOnly(2026, 2, 20), null); // not fixed
            Finding(new DateOnly(2026, 3, 10), null); // deadline after the period
            Finding(new DateOnly(2026, 2, 1), Utc(1, 30, 0)); // deadline on the excluded first day

            // Access reviews: signed off on the due day in Auckland (late in UTC terms is not the rule), late, open.
            void Review(Activity activity, DateOnly due, DateTimeOffset? signedOff)
            {
                var occurrence = new Occurrence
                {
                    Id = Guid.NewGuid(),
                    OrganisationId = orgId,
                    ActivityId = activity.Id,
                    RecurrenceKey = $"k{sequence++}",
                    DueDate = due,
                    DueTime = new TimeOnly(9, 0),
                    DueAt = new DateTimeOffset(due.ToDateTime(new TimeOnly(9, 0)), TimeSpan.Zero),
                    State = OccurrenceState.Skipped,
                    SkipReason = "access review",
                    UpdatedAt = now,
                };
                db.Occurrences.Add(occurrence);
                db.AccessReviews.Add(new AccessReview
                {
                    Id = Guid.NewGuid(),
                    OrganisationId = orgId,
                    OccurrenceId = occurrence.Id,
                    System = "github",
                    SnapshotEvidenceItemId = report.Id,
                    SnapshotTakenAt = Utc(1, 1, 0),
                    ReviewerUserId = ownerId,
                    CreatedByUserId = ownerId,
                    CreatedAt = Utc(1, 1, 0),
                    SignedOffAt = signedOff,
                    SignedOffByUserId = signedOff is null ? null : ownerId,
                    State = signedOff is null ? AccessReviewState.Open : AccessReviewState.SignedOff,
                });
                reviews.Add((due, signedOff, activity.TimeZone));
            }

            Review(auckland, new DateOnly(2026, 2, 18), Utc(2, 18, 10, 30)); // 23:30 on the due day in Auckland
            Review(la, new DateOnly(2026, 2, 18), Utc(2, 19, 9)); // 01:00 the next day in Los Angeles
            Review(utc, new DateOnly(2026, 2, 26), null); // still open, overdue
            Review(utc, new DateOnly(2026, 3, 1), null); // due on the day, not late yet
            // Incidents: in the period, on its excluded first day, on the day measured, after it.
            var n = 0;
            foreach (var occurred in new[] { new DateOnly(2026, 2, 3), new DateOnly(2026, 2, 1), new DateOnly(2026, 3, 1), new DateOnly(2026, 2, 20) })
            {
                db.Incidents.Add(new Perennial.Incidents.Incident
                {
                    Id = Guid.NewGuid(),
                    OrganisationId = orgId,
                    Reference = $"IN-{++n:000}",
                    OccurredOn = occurred,
                    Title = "Incident",
                    Severity = Perennial.Incidents.IncidentSeverity.Medium,
                    CreatedAt = now,
                });
                incidents.Add(occurred);
            }

            await db.SaveChangesAsync();
            return 0;
        });
    }
}

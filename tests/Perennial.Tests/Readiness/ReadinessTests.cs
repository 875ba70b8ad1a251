using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Perennial.Activities;
using Perennial.Certification;
using Perennial.Data;
using Perennial.Evidence;
using Perennial.Evidence.Collectors;
using Perennial.Frameworks;
using Perennial.InternalAudits;
using Perennial.ManagementReviews;
using Perennial.Nonconformities;
using Perennial.Organisations;
using Perennial.Readiness;
using Perennial.Reminders;
using Perennial.Risks;
using Perennial.Scheduling;
using Perennial.Scope;
using Perennial.Soa;
using Perennial.Tests.Infrastructure;
using Perennial.Tests.Reminders;

namespace Perennial.Tests.Readiness;

public sealed class SqliteReadinessTests() : ReadinessTests(DatabaseProvider.Sqlite);

public sealed class PostgresReadinessTests() : ReadinessTests(DatabaseProvider.Postgres);

/// <summary>
/// Readiness over a seeded organisation with a fake clock, against lists of gaps worked out by hand
/// from the seed: today's gaps, the forecast for the audit day with each item's do-by date, and the
/// audit day itself. Two organisations get the same seed; in one nobody acts, and the audit day finds
/// exactly what the forecast named; in the other the owners do the listed items, and only what they
/// left (or could no longer undo) remains.
/// </summary>
public abstract class ReadinessTests(DatabaseProvider provider) : IAsyncLifetime
{
    private static readonly DateOnly AuditDay = new(2026, 5, 1);
    private static readonly string[] SoaControls = ["A.5.1", "A.8.13", "A.8.14"];
    private static readonly DateTimeOffset ForecastDay = At(4, 1, 10);
    private TestApp app = null!;
    private Guid adminId;
    private readonly Dictionary<string, Guid> users = [];

    public ValueTask InitializeAsync() => new(StartAsync(null));

    /// <summary>Starts the app with the people every test uses (again with other settings, for a test that needs them).</summary>
    private async Task StartAsync(IDictionary<string, string?>? settings)
    {
        app = await TestApp.StartAsync(provider, settings: settings);
        var admin = await app.CreateUserAsync("admin@acme.test");
        adminId = admin.Id;
        users["admin"] = admin.Id;
        foreach (var name in new[] { "ana", "bob", "dee", "audrey" })
        {
            users[name] = (await app.CreateUserAsync($"{name}@acme.test")).Id;
        }
    }

    public async ValueTask DisposeAsync() => await app.DisposeAsync();

    /// <summary>What one seeded organisation holds, so a gap can be named the way the hand-made lists name it.</summary>
    private sealed class World
    {
        public Guid OrgId { get; init; }
        public string Slug { get; init; } = "";
        public Dictionary<Guid, string> Labels { get; } = [];
        public Dictionary<string, Guid> Ids { get; } = [];

        public string Label(ReadinessGap gap) => gap.SubjectId is { } id && Labels.TryGetValue(id, out var label) ? label : gap.Subject;
    }

    private static DateTimeOffset At(int month, int day, int hour) => new(2026, month, day, hour, 0, 0, TimeSpan.Zero);

    private static DateOnly D(int month, int day) => new(2026, month, day);

    /// <summary>
    /// Certification cycle issued 2025-05-01 with its first surveillance audit on 2026-05-01, so the audit
    /// period runs from 2025-05-01. SoA v1 (published 2025-04-20) makes A.5.1 and A.8.13 applicable. A
    /// monthly backup check on the 10th from January (owner ana, deputy bob): January done late, February
    /// missed, March on time, April still ahead. An access review activity owned by dee, whose access
    /// ends 2026-04-15, with no deputy. Evidence for A.5.1 up to 2026-04-15 and none for A.8.13. Risk R1 due
    /// for review 2026-03-20, R2 on 2026-04-25. A corrective action due 2026-04-10. No management review,
    /// no internal audit, and a collector whose last run failed.
    /// </summary>
    private async Task<World> SeedAsync(string slug)
    {
        var org = await app.CreateOrganisationAsync(slug, adminId);
        var world = new World { OrgId = org.Id, Slug = slug };
        await app.AddMemberAsync(org.Id, "ana@acme.test", OrgRole.Contributor);
        await app.AddMemberAsync(org.Id, "bob@acme.test", OrgRole.Contributor);
        await app.AddMemberAsync(org.Id, "dee@acme.test", OrgRole.Contributor, new DateOnly(2026, 4, 15));
        await app.AddMemberAsync(org.Id, "audrey@acme.test", OrgRole.Auditor, new DateOnly(2026, 6, 30));

        var backup = await app.WithScopeAsync(s => s.GetRequiredService<ActivityService>().CreateAsync(org.Id, new ActivityInput(
            "Backup restore check", null, users["ana"], users["bob"], null, "FREQ=MONTHLY;BYMONTHDAY=10", new DateTime(2026, 1, 10, 9, 0, 0), "UTC"), default, includePast: true));
        var access = await app.WithScopeAsync(s => s.GetRequiredService<ActivityService>().CreateAsync(org.Id, new ActivityInput(
            "Access review of the finance system", null, users["dee"], null, null, "FREQ=YEARLY", new DateTime(2026, 6, 1, 9, 0, 0), "UTC"), default));
        world.Labels[backup.Id] = "backup";
        world.Labels[access.Id] = "access";
        world.Ids["access"] = access.Id;

        await app.WithScopeAsync(async s =>
        {
            var db = s.GetRequiredService<PerennialDbContext>();
            var now = app.Time.GetUtcNow();
            foreach (var o in await db.Occurrences.Where(o => o.ActivityId == backup.Id && o.DueDate <= AuditDay).ToListAsync())
            {
                world.Labels[o.Id] = $"backup {o.DueDate:MM-dd}";
                world.Ids[$"backup {o.DueDate:MM-dd}"] = o.Id;
                if (o.DueDate == D(1, 10))
                {
                    (o.State, o.CompletedAt, o.CompletedByUserId) = (OccurrenceState.Completed, At(3, 2, 8), users["ana"]);
                }
                else if (o.DueDate == D(3, 10))
                {
                    (o.State, o.CompletedAt, o.CompletedByUserId) = (OccurrenceState.Completed, At(3, 10, 8), users["ana"]);
                }
            }

            var cycle = new CertificationCycle
            {
                Id = Guid.NewGuid(),
                OrganisationId = org.Id,
                Number = 1,
                IsCurrent = true,
                CertificationBody = "Example Certification Ltd",
                IssueDate = new DateOnly(2025, 5, 1),
                ExpiryDate = new DateOnly(2028, 4, 30),
                CreatedAt = now,
            };
            db.CertificationCycles.Add(cycle);
            var surveillance = new ExternalAudit
            {
                Id = Guid.NewGuid(),
                OrganisationId = org.Id,
                CycleId = cycle.Id,
                Kind = ExternalAuditKind.Surveillance1,
                PlannedDate = AuditDay,
                WindowStart = AuditDay.AddMonths(-1),
                WindowEnd = AuditDay.AddMonths(1),
            };
            db.ExternalAudits.Add(surveillance);
            world.Ids["audit"] = surveillance.Id;

            var soa = new SoaVersion { Id = Guid.NewGuid(), OrganisationId = org.Id, Number = 1, PublishedAt = new DateTimeOffset(2025, 4, 20, 12, 0, 0, TimeSpan.Zero), ApproverUserId = adminId, ApproverName = "Admin" };
            soa.Rows.AddRange(SoaControls.Select((id, i) => new SoaRow
            {
                Id = Guid.NewGuid(),
                OrganisationId = org.Id,
                ControlIdentifier = id,
                SortOrder = i,
                Applicable = id != "A.8.14",
                Justification = id == "A.8.14" ? "A single site without redundancy needs" : "Required by the risk assessment",
            }));
            db.SoaVersions.Add(soa);
            world.Labels[soa.Id] = "SoA v1";
            db.ScopeVersions.Add(new ScopeVersion { Id = Guid.NewGuid(), OrganisationId = org.Id, Number = 1, CreatedAt = new DateTimeOffset(2025, 6, 1, 12, 0, 0, TimeSpan.Zero), AuthorName = "Admin", Statement = "The SaaS platform" });

            var controls = await db.Controls.Where(c => c.OrganisationId == org.Id && c.Framework!.Key == Framework.IsoKey && c.Kind == ControlKind.Control).ToDictionaryAsync(c => c.Identifier);
            foreach (var id in SoaControls[..2])
            {
                world.Labels[controls[id].Id] = id;
                world.Ids[id] = controls[id].Id;
            }

            db.ActivityControls.Add(new ActivityControl { ActivityId = backup.Id, ControlId = controls["A.8.13"].Id });
            db.EvidenceItems.Add(Evidence(org.Id, controls["A.5.1"].Id, new DateOnly(2025, 5, 1), D(4, 15), At(3, 1, 12)));

            var method = await db.RiskMethods.FirstAsync(m => m.OrganisationId == org.Id);
            foreach (var (reference, review) in new[] { ("R1", D(3, 20)), ("R2", D(4, 25)) })
            {
                var risk = NewRisk(org.Id, method.Id, reference, review, users["ana"]);
                db.Risks.Add(risk);
                world.Labels[risk.Id] = reference;
                world.Ids[reference] = risk.Id;
            }

            var nc = new Nonconformity
            {
                Id = Guid.NewGuid(),
                OrganisationId = org.Id,
                Reference = "NC-001",
                Title = "Restore test skipped in February",
                Source = NonconformitySource.Manual,
                OwnerUserId = users["bob"],
                RaisedByName = "Admin",
                RaisedAt = At(3, 1, 10),
                Status = NonconformityStatus.Planned,
            };
            db.Nonconformities.Add(nc);
            var action = new CorrectiveAction
            {
                Id = Guid.NewGuid(),
                OrganisationId = org.Id,
                NonconformityId = nc.Id,
                Round = 1,
                Title = "Automate the restore test",
                OwnerUserId = users["bob"],
                DueOn = D(4, 10),
                Status = CorrectiveActionStatus.Open,
                CreatedAt = At(3, 1, 10),
            };
            db.CorrectiveActions.Add(action);
            world.Labels[action.Id] = "CA automate";
            world.Ids["CA automate"] = action.Id;

            var collector = new Collector
            {
                Id = Guid.NewGuid(),
                OrganisationId = org.Id,
                Name = "Cloud backup report",
                Kind = "http",
                StartDate = D(1, 1),
                OwnerUserId = users["bob"],
                LastRunAt = At(3, 1, 6),
                LastOutcome = CollectorRunOutcome.Failed,
                LastSummary = "HTTP 503 from the backup service",
                CreatedAt = now,
            };
            db.Collectors.Add(collector);
            world.Labels[collector.Id] = "collector";
            await db.SaveChangesAsync();
        });

        return world;
    }

    private static EvidenceItem Evidence(Guid orgId, Guid controlId, DateOnly from, DateOnly to, DateTimeOffset recorded)
    {
        var item = new EvidenceItem
        {
            Id = Guid.NewGuid(),
            OrganisationId = orgId,
            Kind = EvidenceKind.Note,
            Title = $"Evidence {from:yyyy-MM-dd} to {to:yyyy-MM-dd}",
            PeriodFrom = from,
            PeriodTo = to,
            CollectedAt = recorded,
            RecordedAt = recorded,
            Source = EvidenceSource.Upload,
        };
        item.Links.Add(new EvidenceItemLink { Id = Guid.NewGuid(), ControlId = controlId });
        return item;
    }

    private static Risk NewRisk(Guid orgId, Guid methodId, string reference, DateOnly review, Guid owner) => new()
    {
        Id = Guid.NewGuid(),
        OrganisationId = orgId,
        Reference = reference,
        Title = $"Risk {reference}",
        MethodId = methodId,
        InherentLikelihood = 3,
        InherentImpact = 3,
        InherentScore = 9,
        InherentLevel = "Medium",
        ResidualLikelihood = 2,
        ResidualImpact = 2,
        ResidualScore = 4,
        ResidualLevel = "Low",
        Status = RiskStatus.Open,
        OwnerUserId = owner,
        NextReviewOn = review,
        CreatedAt = At(1, 5, 9),
        UpdatedAt = At(1, 5, 9),
    };

    private Task<ReadinessReport> ComputeAsync(World world, DateTimeOffset now, DateOnly? auditDate = null) =>
        app.WithScopeAsync(s => s.GetRequiredService<ReadinessService>().ComputeAsync(world.OrgId, new ReadinessQuery(auditDate), now, default));

    /// <summary>Every clause of the standard and each applicable control, none covered by an internal audit.</summary>
    private static IEnumerable<string> Coverage(string? doBy = null) =>
        AuditableItems.Clauses.Select(c => c.Identifier).Concat(["A.5.1", "A.8.13"])
            .Select(id => $"{GapKinds.InternalAuditCoverage} {id}{(doBy is null ? "" : $" {doBy}")}");

    private static List<string> Named(World world, IEnumerable<ReadinessGap> gaps, bool withDoBy) =>
        [.. gaps.Select(g => $"{g.Kind} {world.Label(g)}{(withDoBy ? $" {(g.Fixable ? g.DoBy?.ToString("MM-dd", System.Globalization.CultureInfo.InvariantCulture) : "unfixable")}" : "")}").Order(StringComparer.Ordinal)];

    private static List<string> Sorted(IEnumerable<string> items) => [.. items.Order(StringComparer.Ordinal)];

    [Fact]
    public async Task Gaps_today_the_forecast_and_the_audit_day_equal_the_hand_made_lists_and_acting_on_the_forecast_removes_its_items()
    {
        var idle = await SeedAsync("beta");
        var acme = await SeedAsync("acme");

        // 30 days before the audit.
        app.Time.SetUtcNow(ForecastDay);
        var report = await ComputeAsync(idle, ForecastDay);
        Assert.Equal((AuditDay, new DateOnly(2025, 5, 1), idle.Ids["audit"]), (report.AuditDate, report.PeriodFrom, report.ExternalAuditId));

        List<string> today =
        [
            "occurrence-missed backup 02-10",
            "occurrence-late backup 01-10",
            "evidence-gap A.8.13",
            "activity-deputy access",
            "risk-review R1",
            "management-review Management review",
            "collector-failing collector",
            .. Coverage(),
        ];
        Assert.Equal(Sorted(today), Named(idle, report.Gaps, false));

        List<string> forecast =
        [
            "occurrence-missed backup 04-10 04-10",
            "occurrence-missed backup 02-10 unfixable",
            "occurrence-late backup 01-10 unfixable",
            "evidence-gap A.5.1 04-30",
            "evidence-gap A.8.13 04-01",
            "activity-owner access 04-15",
            "activity-deputy access 04-01",
            "risk-review R1 04-01",
            "risk-review R2 04-25",
            "soa-review SoA v1 04-20",
            "corrective-action CA automate 04-10",
            "management-review Management review 04-30",
            "collector-failing collector 04-01",
            .. Coverage("04-30"),
        ];
        Assert.Equal(Sorted(forecast), Named(idle, report.Forecast, true));

        // Owners, reasons and paths say who acts and where.
        var owner = report.Forecast.Single(g => g.Kind == GapKinds.ActivityOwner);
        Assert.Equal((users["dee"], $"activities/{idle.Ids["access"]}"), (owner.OwnerUserId!.Value, owner.Path));
        Assert.EndsWith("has access until 2026-04-15", owner.Reason, StringComparison.Ordinal);
        var missed = report.Forecast.Single(g => g.SubjectId == idle.Ids["backup 04-10"]);
        Assert.Equal((users["ana"], $"occurrences/{idle.Ids["backup 04-10"]}", "A.8.13"), (missed.OwnerUserId!.Value, missed.Path, Assert.Single(missed.Controls)));
        Assert.Equal("no evidence at all for the audit period", report.Gaps.Single(g => g.Kind == GapKinds.EvidenceGap).Reason);

        // The dated list per owner: ana's earliest item first; the past cannot be undone and is listed apart.
        var todo = report.TodoByOwner();
        var ana = todo.Single(t => t.OwnerUserId == users["ana"]);
        Assert.Equal(["risk-review R1 04-01", "occurrence-missed backup 04-10 04-10", "risk-review R2 04-25"], ana.Items.Select(i => Named(idle, [i], true)[0]));
        Assert.Equal(users["ana"], todo[0].OwnerUserId);
        Assert.Equal(["occurrence-late backup 01-10 unfixable", "occurrence-missed backup 02-10 unfixable"], Named(idle, report.Unfixable, true));
        Assert.True(report.ForecastScore.Value < report.Score.Value, $"more is missing on the audit day ({report.ForecastScore.Value}) than today ({report.Score.Value})");

        // In acme the owners do what the list says, each by its date.
        var forecastAcme = await ComputeAsync(acme, ForecastDay);
        Assert.Equal(Named(idle, report.Forecast, true), Named(acme, forecastAcme.Forecast, true));
        await ActOnTheForecastAsync(acme);

        // The audit day. Nobody acted in beta: exactly the forecast's gaps, not one more.
        app.Time.SetUtcNow(At(5, 1, 8));
        var onTheDay = await ComputeAsync(idle, At(5, 1, 8));
        Assert.Equal(Sorted(forecast.Select(f => f[..f.LastIndexOf(' ')])), Named(idle, onTheDay.Gaps, false));
        Assert.Equal(report.Forecast.Select(g => g.Key).Order(StringComparer.Ordinal), onTheDay.Gaps.Select(g => g.Key).Order(StringComparer.Ordinal));

        // In acme only what could not be undone or was left undone remains, and each was in the forecast.
        var done = await ComputeAsync(acme, At(5, 1, 8));
        List<string> left =
        [
            "occurrence-missed backup 02-10",
            "occurrence-late backup 01-10",
            "collector-failing collector",
            .. Coverage(),
        ];
        Assert.Equal(Sorted(left), Named(acme, done.Gaps, false));
        Assert.Subset(forecastAcme.Forecast.Select(g => g.Key).ToHashSet(), done.Gaps.Select(g => g.Key).ToHashSet());
        Assert.True(done.Score.Value > onTheDay.Score.Value, $"acting raised the score ({done.Score.Value} against {onTheDay.Score.Value})");
    }

    /// <summary>What the owners of acme do between the forecast and the audit day, on the dates the forecast gave.</summary>
    private async Task ActOnTheForecastAsync(World world)
    {
        await app.WithScopeAsync(async s =>
        {
            var db = s.GetRequiredService<PerennialDbContext>();
            var april = await db.Occurrences.SingleAsync(o => o.Id == world.Ids["backup 04-10"]);
            (april.State, april.CompletedAt, april.CompletedByUserId) = (OccurrenceState.Completed, At(4, 8, 15), users["ana"]);

            var action = await db.CorrectiveActions.SingleAsync(a => a.Id == world.Ids["CA automate"]);
            (action.Status, action.DoneOn) = (CorrectiveActionStatus.Done, D(4, 9));

            var access = await db.Activities.SingleAsync(a => a.OrganisationId == world.OrgId && a.Title.StartsWith("Access review"));
            (access.OwnerUserId, access.DeputyUserId) = (users["ana"], users["bob"]);

            foreach (var risk in await db.Risks.Where(r => r.OrganisationId == world.OrgId).ToListAsync())
            {
                risk.NextReviewOn = D(4, 14).AddYears(1);
            }

            // Evidence: the missing year of backups exported at once, and A.5.1's last fortnight before the audit.
            db.EvidenceItems.Add(Evidence(world.OrgId, world.Ids["A.8.13"], new DateOnly(2025, 5, 1), D(4, 30), At(4, 30, 17)));
            db.EvidenceItems.Add(Evidence(world.OrgId, world.Ids["A.5.1"], D(4, 16), D(4, 30), At(4, 30, 17)));

            var v1 = await db.SoaVersions.Include(v => v.Rows).SingleAsync(v => v.OrganisationId == world.OrgId && v.Number == 1);
            var v2 = new SoaVersion { Id = Guid.NewGuid(), OrganisationId = world.OrgId, Number = 2, PublishedAt = At(4, 18, 12), ApproverUserId = adminId, ApproverName = "Admin", Summary = "Annual review" };
            v2.Rows.AddRange(v1.Rows.Select(r => new SoaRow { Id = Guid.NewGuid(), OrganisationId = world.OrgId, ControlIdentifier = r.ControlIdentifier, SortOrder = r.SortOrder, Applicable = r.Applicable, Justification = r.Justification }));
            db.SoaVersions.Add(v2);

            db.ManagementReviews.Add(new ManagementReview
            {
                Id = Guid.NewGuid(),
                OrganisationId = world.OrgId,
                Reference = "MR-001",
                Title = "Before surveillance",
                ScheduledOn = D(4, 22),
                ChairUserId = adminId,
                Status = ReviewStatus.Held,
                HeldAt = At(4, 22, 11),
                HeldByUserId = adminId,
                CreatedAt = At(4, 2, 9),
                UpdatedAt = At(4, 22, 11),
            });
            await db.SaveChangesAsync();
        });
    }

    [Fact]
    public async Task Each_owner_gets_the_forecast_30_14_and_7_days_before_the_audit_unless_they_turned_it_off()
    {
        await using var mail = await MailSink.StartAsync();
        await app.DisposeAsync();
        await StartAsync(new Dictionary<string, string?>(mail.Settings) { ["Perennial:PublicUrl"] = "https://isms.acme.test" });
        var world = await SeedAsync("acme");

        // Bob turns the forecast off through the API; the others keep the default.
        using var bob = app.CreateApiClient(await app.CreateTokenAsync(users["bob"]));
        using var put = await bob.PutAsJsonAsync("/api/v1/orgs/acme/members/me/notifications", new { readinessDigest = false });
        Assert.Equal(HttpStatusCode.OK, put.StatusCode);
        Assert.False((await put.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("readinessDigest").GetBoolean());

        var received = new List<(string Person, DateOnly Day, ReceivedMail Mail)>();
        for (var day = At(3, 30, 7); day <= At(4, 30, 7); day = day.AddDays(1))
        {
            if (day == At(4, 1, 7))
            {
                // The forecast goes out in the morning rounds only: not at 05:00.
                app.Time.SetUtcNow(At(4, 1, 5));
                var early = mail.Count;
                Assert.Equal(0, (await app.WithScopeAsync(s => s.GetRequiredService<ReminderRunner>().RunAsync(At(4, 1, 5), default))).Failed);
                Assert.DoesNotContain(mail.Messages(early), m => m.Kind == ReminderKinds.ReadinessDigest);
            }

            app.Time.SetUtcNow(day);
            var before = mail.Count;
            var run = await app.WithScopeAsync(s => s.GetRequiredService<ReminderRunner>().RunAsync(day, default));
            Assert.Equal(0, run.Failed);
            received.AddRange(mail.Messages(before).Where(m => m.Kind == ReminderKinds.ReadinessDigest)
                .Select(m => (m.To.Split('@')[0], DateOnly.FromDateTime(day.UtcDateTime), m)));
        }

        // dee's access ends on 2026-04-15: from then on her items go to the admin, who also gets everything nobody owns.
        Assert.Equal(
            ["04-01 admin", "04-01 ana", "04-01 dee", "04-17 admin", "04-17 ana", "04-24 admin", "04-24 ana"],
            received.Select(r => $"{r.Day:MM-dd} {r.Person}").Order(StringComparer.Ordinal));

        var first = received.Single(r => r.Person == "ana" && r.Day == D(4, 1)).Mail;
        Assert.Equal("Surveillance audit 1 (certification cycle 1) in 30 days: 3 items to do in Organisation acme", first.Message.Subject);
        var text = first.Text.ReplaceLineEndings("\n");
        Assert.Contains($"- now: Risk R1: review due 2026-03-20\n  https://isms.acme.test/o/acme/risks/{world.Ids["R1"]}\n", text, StringComparison.Ordinal);
        Assert.Contains("- by 10 April 2026: ACT-001 Backup restore check: due 2026-04-10 and not done yet", text, StringComparison.Ordinal);
        Assert.Contains("- by 25 April 2026: Risk R2: review due 2026-04-25", text, StringComparison.Ordinal);
        Assert.DoesNotContain("Nobody is named", text, StringComparison.Ordinal);
        Assert.Contains("https://isms.acme.test/o/acme/settings/my-notifications", text, StringComparison.Ordinal);

        // A week before, ana's missed April occurrence is past saving and no longer on her list.
        var last = received.Single(r => r.Person == "ana" && r.Day == D(4, 24)).Mail.Text;
        Assert.DoesNotContain("Backup restore check", last, StringComparison.Ordinal);
        var admin = received.Single(r => r.Person == "admin" && r.Day == D(4, 17)).Mail.Text;
        Assert.Contains("Nobody is named for these", admin, StringComparison.Ordinal);
        Assert.Contains("Access review of the finance system: the owner, dee, lost access after 2026-04-15", admin, StringComparison.Ordinal);
        Assert.Contains("Statement of Applicability", admin, StringComparison.Ordinal);
    }

    [Fact]
    public async Task The_page_shows_the_score_its_explanation_the_dated_list_per_owner_and_the_gaps_to_an_auditor()
    {
        await SeedAsync("acme");
        app.Time.SetUtcNow(ForecastDay);
        await app.WithScopeAsync(s => s.GetRequiredService<ReadinessSnapshots>().TakeAsync(s.GetRequiredService<PerennialDbContext>().Organisations.Single(o => o.Slug == "acme").Id, ForecastDay, default));
        using var auditor = await app.SignInAsync("audrey@acme.test");
        var html = await auditor.GetStringAsync("/o/acme/readiness");
        Assert.Contains("Surveillance audit 1 of certification cycle 1 on 2026-05-01", html, StringComparison.Ordinal);
        Assert.Contains("the score is the average of", html, StringComparison.Ordinal);
        Assert.Contains("<svg", html, StringComparison.Ordinal);
        Assert.Matches(@"<h3>ana</h3>\s*<table class=""todo"">[\s\S]*?<td>2026-04-01</td>\s*<td><a href=""/o/acme/risks/[0-9a-f-]+"">Risk R1</a></td>", html);
        Assert.Contains("Already on the record", html, StringComparison.Ordinal);
        Assert.Contains("no deputy named", html, StringComparison.Ordinal);

        // The dashboard shows the latest snapshot and links here; a bad date is named, not a server error.
        var dashboard = await auditor.GetStringAsync("/o/acme");
        Assert.Contains("href=\"/o/acme/readiness\"", dashboard, StringComparison.Ordinal);
        Assert.Contains("Readiness for the audit on 2026-05-01", dashboard, StringComparison.Ordinal);
        using var bad = await auditor.GetAsync("/o/acme/readiness?auditDate=2026-02-30");
        Assert.Equal(HttpStatusCode.OK, bad.StatusCode);
        Assert.Contains("The audit date &#x27;2026-02-30&#x27; is not a date such as 2026-09-15.", await bad.Content.ReadAsStringAsync(), StringComparison.Ordinal);

        await app.CreateUserAsync("stranger@other.test");
        using var stranger = await app.SignInAsync("stranger@other.test");
        using var refused = await stranger.GetAsync("/o/acme/readiness");
        Assert.Equal(HttpStatusCode.NotFound, refused.StatusCode);
    }

    [Fact]
    public async Task The_api_returns_the_contract_fields_to_an_auditor_and_refuses_a_malformed_date_with_400()
    {
        var world = await SeedAsync("acme");
        app.Time.SetUtcNow(ForecastDay);
        var token = await app.CreateTokenAsync(users["audrey"]);
        using var client = app.CreateApiClient(token);

        using var response = await client.GetAsync("/api/v1/orgs/acme/readiness");
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        using var json = JsonDocument.Parse(await response.Content.ReadAsStringAsync());
        var root = json.RootElement;
        Assert.Equal("2026-05-01", root.GetProperty("auditDate").GetString());
        var score = root.GetProperty("score").GetInt32();
        Assert.InRange(score, 0, 99);
        Assert.Contains("average", root.GetProperty("scoreExplanation").GetString(), StringComparison.Ordinal);
        var gaps = root.GetProperty("gaps").EnumerateArray().ToList();
        var deputy = gaps.Single(g => g.GetProperty("kind").GetString() == GapKinds.ActivityDeputy);
        Assert.Equal("no deputy named", deputy.GetProperty("reason").GetString());
        Assert.Equal(users["dee"], deputy.GetProperty("owner").GetProperty("id").GetGuid());
        Assert.Equal(JsonValueKind.String, deputy.GetProperty("subjectId").ValueKind);
        var forecast = root.GetProperty("forecast").EnumerateArray().ToList();
        var risk = forecast.Single(g => g.GetProperty("kind").GetString() == GapKinds.RiskReview && g.GetProperty("subjectId").GetGuid() == world.Ids["R2"]);
        Assert.Equal(("2026-04-25", users["ana"]), (risk.GetProperty("doBy").GetString(), risk.GetProperty("owner").GetProperty("id").GetGuid()));
        Assert.True(forecast.Count > gaps.Count);
        Assert.Contains(root.GetProperty("drillDown").GetProperty("byKind").EnumerateArray(), k => k.GetProperty("key").GetString() == GapKinds.EvidenceGap && k.GetProperty("gaps").GetInt32() == 1);

        // A given date with a period; a date that is not one is refused and names the field.
        using var dated = await client.GetAsync("/api/v1/orgs/acme/readiness?auditDate=2026-04-15&periodFrom=2026-04-01");
        using var datedJson = JsonDocument.Parse(await dated.Content.ReadAsStringAsync());
        Assert.Equal(("2026-04-15", "2026-04-01"), (datedJson.RootElement.GetProperty("auditDate").GetString(), datedJson.RootElement.GetProperty("periodFrom").GetString()));
        using var bad = await client.GetAsync("/api/v1/orgs/acme/readiness?auditDate=2026-13-45");
        Assert.Equal(HttpStatusCode.BadRequest, bad.StatusCode);
        Assert.Contains("auditDate", await bad.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        using var backwards = await client.GetAsync("/api/v1/orgs/acme/readiness?auditDate=2026-04-15&periodFrom=2026-04-20");
        Assert.Equal(HttpStatusCode.BadRequest, backwards.StatusCode);
        Assert.Contains("periodFrom", await backwards.Content.ReadAsStringAsync(), StringComparison.Ordinal);

        // Someone outside the organisation gets nothing; the auditor loses access when the membership ends.
        var stranger = await app.CreateUserAsync("stranger@other.test");
        using var strangerClient = app.CreateApiClient(await app.CreateTokenAsync(stranger.Id));
        using var refused = await strangerClient.GetAsync("/api/v1/orgs/acme/readiness");
        Assert.Equal(HttpStatusCode.NotFound, refused.StatusCode);
        app.Time.SetUtcNow(At(7, 1, 9));
        using var expired = await client.GetAsync("/api/v1/orgs/acme/readiness?auditDate=2026-05-01");
        Assert.Contains(expired.StatusCode, new[] { HttpStatusCode.Forbidden, HttpStatusCode.NotFound });
    }

    [Fact]
    public async Task The_cli_computes_as_of_now_and_exits_zero_whatever_it_finds_and_a_daily_snapshot_feeds_the_trend()
    {
        await SeedAsync("acme");
        var result = await app.RunCliAsync("", "readiness", "--org", "acme", "--now", "2026-04-01T10:00:00Z", "--json");
        Assert.True(result.ExitCode == 0, result.Stderr);
        using var json = JsonDocument.Parse(result.Stdout);
        Assert.Equal("2026-04-01T10:00:00+00:00", json.RootElement.GetProperty("computedAt").GetString());
        Assert.Contains(json.RootElement.GetProperty("forecast").EnumerateArray(), g => g.GetProperty("kind").GetString() == GapKinds.SoaReview && g.GetProperty("doBy").GetString() == "2026-04-20");

        var text = await app.RunCliAsync("", "readiness", "--org", "acme", "--now", "2026-04-01T10:00:00Z");
        Assert.Equal(0, text.ExitCode);
        Assert.Contains("2026-04-25", text.Stdout, StringComparison.Ordinal);
        Assert.Contains("  ana\n    by 2026-04-01  Risk R1: review due 2026-03-20\n    by 2026-04-10  ACT-001 Backup restore check: due 2026-04-10 and not done yet\n", text.Stdout.ReplaceLineEndings("\n"), StringComparison.Ordinal);
        Assert.Contains("    Collector Cloud backup report: its last run (2026-03-01) failed: HTTP 503 from the backup service [bob]", text.Stdout, StringComparison.Ordinal);

        var badDate = await app.RunCliAsync("", "readiness", "--org", "acme", "--audit-date", "May 1st");
        Assert.Equal(2, badDate.ExitCode);
        Assert.Contains("--audit-date", badDate.Stderr, StringComparison.Ordinal);
        var unknown = await app.RunCliAsync("", "readiness", "--org", "nobody");
        Assert.Equal(1, unknown.ExitCode);

        // The daily job keeps one snapshot per organisation and day; the trend reads them back.
        foreach (var day in new[] { At(4, 1, 3), At(4, 1, 20), At(4, 2, 3) })
        {
            app.Time.SetUtcNow(day);
            var run = await app.WithScopeAsync(s => new ReadinessSnapshotJob().RunAsync(s, default));
            Assert.True(run.Outcome != JobOutcome.Failed, run.Message);
        }

        var token = await app.CreateTokenAsync(users["audrey"]);
        using var client = app.CreateApiClient(token);
        using var trend = JsonDocument.Parse(await client.GetStringAsync("/api/v1/orgs/acme/readiness/trend?from=2026-03-01&to=2026-04-30"));
        var points = trend.RootElement.EnumerateArray().ToList();
        Assert.Equal(["2026-04-01", "2026-04-02"], points.Select(p => p.GetProperty("day").GetString()));
        Assert.All(points, p => Assert.Equal("2026-05-01", p.GetProperty("auditDate").GetString()));
        Assert.True(points[1].GetProperty("gaps").GetInt32() > 0);
    }
}

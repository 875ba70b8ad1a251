using System.Security.Cryptography;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Perennial.Activities;
using Perennial.Data;
using Perennial.Evidence;
using Perennial.InternalAudits;
using Perennial.Nonconformities;
using Perennial.Organisations;

namespace Perennial.Benchmarks;

/// <summary>How much of the audit programme's and the nonconformity loop's data the run ended up with (counted after seeding).</summary>
internal sealed record AuditsSize(
    int Cycles, int Audits, int ReportedAudits, int ChecklistItems, int Nonconformities, int OpenNonconformities, int Rounds, int Actions,
    int Occurrences, int Activities, int EvidenceItems, int InProgressItems);

/// <summary>A past audit as planned through the use case, for the history written afterwards.</summary>
internal sealed record PlannedAudit(Guid Id, Guid LeadUserId, DateOnly Start, DateOnly End, IReadOnlyList<string> Scope);

/// <summary>
/// Writes the history of the audit programme and the nonconformity loop in bulk (<see
/// cref="BulkInserter"/>), the rows as the use cases leave them: the results of every audit held,
/// the nonconformities those results raised, and the rest of the log from every other source, each
/// with its rounds and corrective actions in the state its age makes likely; plus evidence items
/// on the completed occurrences, as the evidence store holds them.
/// </summary>
internal sealed class AuditsSeeder(IServiceProvider services, Guid organisationId, IReadOnlyList<Owner> owners, Guid managerId)
{
    private static readonly string[] Causes = ["process", "people", "technology", "supplier", "resources", "communication"];
    private static readonly string[] Problems =
    [
        "Access review not evidenced", "Leaver's account still active", "Backup restore test overdue", "Supplier assessment missing",
        "Change deployed without approval", "Vulnerability left past its deadline", "Awareness training incomplete", "Log review skipped",
        "Firewall rule without an owner", "Encryption missing on a laptop", "Asset register out of date", "Incident not reported in time",
    ];

    private readonly Random random = new(20_261_204);

    /// <summary>
    /// Past audits become reported: their checklists hold a result per scope item (mostly
    /// conforming; about one in ten a nonconformity, which raises one in the loop).
    /// </summary>
    public async Task<(int Items, List<Nonconformity> Raised)> SeedAuditHistoryAsync(IReadOnlyList<PlannedAudit> held, CancellationToken ct)
    {
        var items = new List<ChecklistItem>();
        var raised = new List<Nonconformity>();
        await using var scope = services.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<PerennialDbContext>();
        var ids = held.Select(h => h.Id).ToList();
        var audits = await db.InternalAudits.Where(a => ids.Contains(a.Id)).ToListAsync(ct);
        foreach (var audit in audits)
        {
            var plan = held.Single(h => h.Id == audit.Id);
            var signed = new DateTimeOffset(plan.End.AddDays(3).ToDateTime(new TimeOnly(16, 0)), TimeSpan.Zero);
            audit.Status = InternalAuditStatus.Reported;
            audit.PeriodFrom = plan.Start.AddMonths(-12).AddDays(1);
            audit.PeriodTo = plan.Start;
            audit.StartedAt = new DateTimeOffset(plan.Start.ToDateTime(new TimeOnly(9, 0)), TimeSpan.Zero);
            audit.SignedOffAt = signed;
            audit.SignedOffByUserId = plan.LeadUserId;
            for (var i = 0; i < plan.Scope.Count; i++)
            {
                var roll = random.NextDouble();
                var result = roll switch
                {
                    < 0.78 => ChecklistResult.Conforming,
                    < 0.86 => ChecklistResult.Observation,
                    < 0.94 => ChecklistResult.MinorNonconformity,
                    < 0.96 => ChecklistResult.MajorNonconformity,
                    < 0.99 => ChecklistResult.Improvement,
                    _ => ChecklistResult.NotAudited,
                };
                var item = new ChecklistItem
                {
                    Id = Guid.NewGuid(),
                    OrganisationId = organisationId,
                    InternalAuditId = audit.Id,
                    Identifier = plan.Scope[i],
                    Kind = plan.Scope[i].StartsWith("A.", StringComparison.Ordinal) ? ScopeItemKind.Control : ScopeItemKind.Clause,
                    SortOrder = i,
                    Result = result,
                    Notes = result == ChecklistResult.Conforming ? null : "Sampled occurrences and their evidence reviewed with the owner; see the finding.",
                    RecordedAt = audit.StartedAt.Value.AddHours(1 + random.Next(40)),
                    RecordedByUserId = plan.LeadUserId,
                };
                if (result is ChecklistResult.MinorNonconformity or ChecklistResult.MajorNonconformity)
                {
                    var nc = NewNonconformity(NonconformitySource.InternalAudit, item.RecordedAt.Value,
                        result == ChecklistResult.MajorNonconformity ? NonconformitySeverity.Major : NonconformitySeverity.Minor, plan.Scope[i]);
                    nc.InternalAuditId = audit.Id;
                    nc.ChecklistItemId = item.Id;
                    nc.RaisedByUserId = plan.LeadUserId;
                    nc.RaisedByName = "Lead auditor";
                    item.NonconformityId = nc.Id;
                    raised.Add(nc);
                }

                items.Add(item);
            }
        }

        await db.SaveChangesAsync(ct);
        db.ChangeTracker.Clear();
        // The nonconformities first: the checklist items point at them.
        await WriteNonconformitiesAsync(db, raised, 0, ct);
        await new BulkInserter(db).InsertAsync(items, ct);
        return (items.Count, raised);
    }

    /// <summary>
    /// The rest of the log, to <paramref name="total"/> nonconformities in all, with
    /// <paramref name="actions"/> corrective actions over those that reached planning (the audit
    /// results' ones included, whose rows are written here too).
    /// </summary>
    public async Task SeedLogAsync(int total, int actions, IReadOnlyList<Nonconformity> fromAudits, DateOnly firstDay, DateTimeOffset now, CancellationToken ct)
    {
        await using var scope = services.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<PerennialDbContext>();
        var existing = await db.Nonconformities.CountAsync(n => n.OrganisationId == organisationId, ct);
        var span = now.UtcDateTime.Date - firstDay.ToDateTime(TimeOnly.MinValue);
        var rest = new List<Nonconformity>();
        for (var i = existing; i < total; i++)
        {
            // More of them recently: the register grows with the ISMS.
            var at = now.AddDays(-span.TotalDays * Math.Pow(random.NextDouble(), 1.4)).AddMinutes(-random.Next(600));
            var roll = random.NextDouble();
            var source = roll switch
            {
                < 0.35 => NonconformitySource.Manual,
                < 0.60 => NonconformitySource.Incident,
                < 0.80 => NonconformitySource.CertificationBody,
                _ => NonconformitySource.ManagementReview,
            };
            rest.Add(NewNonconformity(source, at, random.NextDouble() < 0.15 ? NonconformitySeverity.Major : NonconformitySeverity.Minor, RandomIdentifier()));
        }

        var all = fromAudits.Concat(rest).ToList();
        var rounds = new List<NonconformityRound>();
        var today = DateOnly.FromDateTime(now.UtcDateTime);
        foreach (var nc in all)
        {
            Progress(nc, today, now, rounds);
        }

        // Spread the corrective actions: every nonconformity that reached planning gets at least one.
        var planned = all.Where(n => n.Status >= NonconformityStatus.Planned).ToList();
        var counts = planned.Select(_ => actions / Math.Max(1, planned.Count)).ToArray();
        var remainder = actions - counts.Sum();
        for (var r = 0; r < remainder; r++)
        {
            counts[random.Next(counts.Length)]++;
        }

        for (var moves = 0; moves < planned.Count * 2; moves++)
        {
            var (a, b) = (random.Next(counts.Length), random.Next(counts.Length));
            if (counts[a] > 1 && a != b)
            {
                counts[a]--;
                counts[b]++;
            }
        }

        var rows = new List<CorrectiveAction>();
        for (var k = 0; k < planned.Count; k++)
        {
            rows.AddRange(Actions(planned[k], counts[k], rounds, today));
        }

        // The audit results' nonconformities were written with their checklists; update them in place.
        await WriteNonconformitiesAsync(db, rest, existing, ct);
        foreach (var nc in fromAudits)
        {
            await db.Nonconformities.Where(n => n.Id == nc.Id).ExecuteUpdateAsync(u => u
                .SetProperty(n => n.Status, nc.Status).SetProperty(n => n.Containment, nc.Containment).SetProperty(n => n.ContainedOn, nc.ContainedOn)
                .SetProperty(n => n.CurrentRound, nc.CurrentRound).SetProperty(n => n.ClosedAt, nc.ClosedAt).SetProperty(n => n.ClosedByUserId, nc.ClosedByUserId), ct);
        }

        var bulk = new BulkInserter(db);
        await bulk.InsertAsync(rounds, ct);
        await bulk.InsertAsync(rows, ct);
    }

    /// <summary>One evidence item (a file, with its hash) on each completed occurrence of every other activity.</summary>
    public async Task<int> SeedEvidenceAsync(CancellationToken ct)
    {
        await using var scope = services.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<PerennialDbContext>();
        var completed = await db.Occurrences.AsNoTracking()
            .Where(o => o.OrganisationId == organisationId && o.State == OccurrenceState.Completed && o.Activity!.ScheduleSource == ScheduleSource.Rule)
            .Select(o => new { o.Id, o.ActivityId, o.DueDate, o.CompletedAt, o.CompletedByUserId, o.Activity!.Reference })
            .ToListAsync(ct);
        var items = new List<EvidenceItem>();
        var links = new List<EvidenceItemLink>();
        foreach (var o in completed.Where(o => (o.ActivityId.GetHashCode() & 1) == 0))
        {
            var item = EvidenceItem.New(organisationId, EvidenceKind.File, o.DueDate.AddDays(-30), o.DueDate, o.CompletedAt!.Value, o.CompletedAt.Value,
                new EvidenceOrigin(EvidenceSource.Upload, o.CompletedByUserId, null, null));
            item.Title = $"{o.Reference} {o.DueDate:yyyy-MM-dd} export";
            item.FileName = $"{o.Reference}-{o.DueDate:yyyyMMdd}.csv";
            item.ContentType = "text/csv";
            item.Size = 2_000 + random.Next(200_000);
            item.Sha256 = Convert.ToHexStringLower(SHA256.HashData(o.Id.ToByteArray()));
            items.Add(item);
            links.Add(new EvidenceItemLink { Id = Guid.NewGuid(), EvidenceItemId = item.Id, OccurrenceId = o.Id });
        }

        var bulk = new BulkInserter(db);
        await bulk.InsertAsync(items, ct);
        await bulk.InsertAsync(links, ct);
        return items.Count;
    }

    public async Task<AuditsSize> CountAsync(Guid inProgressAuditId, CancellationToken ct)
    {
        await using var scope = services.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<PerennialDbContext>();
        var ncs = db.Nonconformities.Where(n => n.OrganisationId == organisationId);
        return new AuditsSize(
            await db.CertificationCycles.CountAsync(c => c.OrganisationId == organisationId, ct),
            await db.InternalAudits.CountAsync(a => a.OrganisationId == organisationId, ct),
            await db.InternalAudits.CountAsync(a => a.OrganisationId == organisationId && a.Status == InternalAuditStatus.Reported, ct),
            await db.ChecklistItems.CountAsync(i => i.OrganisationId == organisationId, ct),
            await ncs.CountAsync(ct),
            await ncs.CountAsync(n => n.Status != NonconformityStatus.Closed, ct),
            await db.NonconformityRounds.CountAsync(r => r.OrganisationId == organisationId, ct),
            await db.CorrectiveActions.CountAsync(a => a.OrganisationId == organisationId, ct),
            await db.Occurrences.CountAsync(o => o.OrganisationId == organisationId, ct),
            await db.Activities.CountAsync(a => a.OrganisationId == organisationId, ct),
            await db.EvidenceItems.CountAsync(e => e.OrganisationId == organisationId, ct),
            await db.ChecklistItems.CountAsync(i => i.InternalAuditId == inProgressAuditId, ct));
    }

    private Nonconformity NewNonconformity(NonconformitySource source, DateTimeOffset at, NonconformitySeverity severity, string? identifier)
    {
        var owner = owners[random.Next(owners.Count)];
        var raiser = owners[random.Next(owners.Count)];
        return new Nonconformity
        {
            Id = Guid.NewGuid(),
            OrganisationId = organisationId,
            Title = $"{Problems[random.Next(Problems.Length)]}{(identifier is null ? "" : $" ({identifier})")}",
            Description = "Found while checking the records of the period; details and the records looked at are attached.",
            Source = source,
            Severity = severity,
            Identifier = identifier,
            OwnerUserId = owner.UserId,
            RaisedByUserId = raiser.UserId,
            RaisedByName = raiser.DisplayName,
            RaisedAt = at,
            DueOn = DateOnly.FromDateTime(at.UtcDateTime).AddDays(severity == NonconformitySeverity.Major ? 30 : 90),
        };
    }

    /// <summary>Where a nonconformity has got to, by its age: old ones are mostly closed, recent ones anywhere in the loop.</summary>
    private void Progress(Nonconformity nc, DateOnly today, DateTimeOffset now, List<NonconformityRound> rounds)
    {
        var raised = DateOnly.FromDateTime(nc.RaisedAt.UtcDateTime);
        var age = today.DayNumber - raised.DayNumber;
        var roll = random.NextDouble();
        nc.Status = age switch
        {
            > 240 => roll < 0.94 ? NonconformityStatus.Closed : roll < 0.97 ? NonconformityStatus.Checking : NonconformityStatus.Planned,
            > 60 => roll switch
            {
                < 0.45 => NonconformityStatus.Closed,
                < 0.65 => NonconformityStatus.Checking,
                < 0.75 => NonconformityStatus.Done,
                < 0.90 => NonconformityStatus.Planned,
                < 0.95 => NonconformityStatus.Analysed,
                _ => NonconformityStatus.Contained,
            },
            _ => roll switch
            {
                < 0.30 => NonconformityStatus.Raised,
                < 0.50 => NonconformityStatus.Contained,
                < 0.70 => NonconformityStatus.Analysed,
                < 0.95 => NonconformityStatus.Planned,
                _ => NonconformityStatus.Done,
            },
        };

        // One in twelve of those checked took a second round: the first check found the action not effective.
        nc.CurrentRound = nc.Status >= NonconformityStatus.Planned && age > 120 && random.Next(12) == 0 ? 2 : 1;
        var step = Math.Max(1, age / 8);
        if (nc.Status >= NonconformityStatus.Contained)
        {
            nc.Containment = "Immediate correction made and the affected records put right.";
            nc.ContainedOn = raised.AddDays(Math.Min(2, age));
        }

        for (var number = 1; number <= nc.CurrentRound; number++)
        {
            var last = number == nc.CurrentRound;
            var round = new NonconformityRound { Id = Guid.NewGuid(), OrganisationId = organisationId, NonconformityId = nc.Id, Number = number };
            var start = raised.AddDays((number - 1) * step * 4);
            if (!last || nc.Status >= NonconformityStatus.Analysed)
            {
                round.Method = RootCauseMethod.FreeText;
                round.RootCause = "The procedure did not say who checks the result, so nobody did.";
                round.CauseCategory = Causes[random.Next(Causes.Length)];
                round.AnalysedAt = At(start.AddDays(step), now);
                round.AnalysedByUserId = nc.OwnerUserId;
            }

            if (!last || nc.Status >= NonconformityStatus.Done)
            {
                round.ActionsDoneOn = Min(start.AddDays(step * 2), today);
                round.CheckDueOn = round.ActionsDoneOn.Value.AddDays(60);
            }

            if (!last || nc.Status == NonconformityStatus.Closed)
            {
                round.CheckResult = last ? EffectivenessResult.Effective : EffectivenessResult.NotEffective;
                round.CheckedAt = At(Min(round.CheckDueOn!.Value, today), now);
                round.CheckedByUserId = managerId;
                round.CheckNotes = last ? "Three later periods sampled: all done on time." : "The same gap was found again in the next period.";
            }

            rounds.Add(round);
        }

        if (nc.Status == NonconformityStatus.Closed)
        {
            nc.ClosedAt = rounds[^1].CheckedAt;
            nc.ClosedByUserId = managerId;
        }
    }

    private IEnumerable<CorrectiveAction> Actions(Nonconformity nc, int count, List<NonconformityRound> rounds, DateOnly today)
    {
        var raised = DateOnly.FromDateTime(nc.RaisedAt.UtcDateTime);
        for (var i = 0; i < count; i++)
        {
            // Earlier rounds' actions were all done; the current round's follow the nonconformity's state.
            var number = nc.CurrentRound > 1 && i < count / 2 ? 1 : nc.CurrentRound;
            var round = rounds.First(r => r.NonconformityId == nc.Id && r.Number == number);
            var due = raised.AddDays(20 + random.Next(70));
            var done = number < nc.CurrentRound || nc.Status >= NonconformityStatus.Done || random.Next(3) == 0;
            var owner = owners[random.Next(owners.Count)].UserId;
            var doneOn = done ? Min(round.ActionsDoneOn ?? due.AddDays(random.Next(-10, 10)), today) : (DateOnly?)null;
            yield return new CorrectiveAction
            {
                Id = Guid.NewGuid(),
                OrganisationId = organisationId,
                NonconformityId = nc.Id,
                Round = number,
                Title = $"Action {i + 1}: {(i % 3 == 0 ? "change the procedure" : i % 3 == 1 ? "brief the team" : "add an automated check")}",
                OwnerUserId = owner,
                DueOn = due,
                Status = done ? CorrectiveActionStatus.Done : CorrectiveActionStatus.Open,
                DoneOn = doneOn,
                CreatedAt = nc.RaisedAt.AddDays(Math.Max(1, (today.DayNumber - raised.DayNumber) / 8)),
            };
        }
    }

    /// <summary>Seven in ten name a clause or control, a few of them far more often than the rest, as real logs do.</summary>
    private string? RandomIdentifier()
    {
        if (random.NextDouble() >= 0.7)
        {
            return null;
        }

        var all = AuditableItems.All;
        var skewed = (int)(all.Count * Math.Pow(random.NextDouble(), 2.5));
        return all[Math.Min(all.Count - 1, (skewed * 37) % all.Count)].Identifier;
    }

    private static async Task WriteNonconformitiesAsync(PerennialDbContext db, List<Nonconformity> rows, int after, CancellationToken ct)
    {
        var taken = (await db.Nonconformities.Select(n => n.Reference).ToListAsync(ct)).ToHashSet(StringComparer.Ordinal);
        var number = after;
        foreach (var nc in rows.OrderBy(n => n.RaisedAt))
        {
            do
            {
                nc.Reference = $"NC-{++number:000}";
            }
            while (taken.Contains(nc.Reference));
        }

        await new BulkInserter(db).InsertAsync(rows, ct);
    }

    private static DateOnly Min(DateOnly a, DateOnly b) => a < b ? a : b;

    private static DateTimeOffset At(DateOnly day, DateTimeOffset now)
    {
        var at = new DateTimeOffset(day.ToDateTime(new TimeOnly(15, 0)), TimeSpan.Zero);
        return at < now ? at : now.AddMinutes(-5);
    }
}

/// <summary>The members who plan and run the programme.</summary>
internal static class AuditsPeople
{
    public static readonly (string Email, string Name, OrgRole Role)[] All =
    [
        ("isms.manager@audits.example", "Irene Manager", OrgRole.Manager),
        ("eng.lead@audits.example", "Elias Engineer", OrgRole.Contributor),
        ("it.admin@audits.example", "Ivo Admin", OrgRole.Contributor),
        ("hr.lead@audits.example", "Hanna People", OrgRole.Contributor),
        ("finance.lead@audits.example", "Felix Finance", OrgRole.Contributor),
        ("sales.lead@audits.example", "Sara Sales", OrgRole.Contributor),
        ("support.lead@audits.example", "Simon Support", OrgRole.Contributor),
        ("lead.auditor@audits.example", "Lena Auditor", OrgRole.Auditor),
        ("auditor.two@audits.example", "Aaron Auditor", OrgRole.Auditor),
        ("auditor.three@audits.example", "Alma Auditor", OrgRole.Auditor),
    ];
}

using System.Security.Cryptography;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Perennial.Data;
using Perennial.Evidence;
using Perennial.Frameworks;
using Perennial.ManagementReviews;
using Perennial.Measurement;
using Perennial.OrganisationContext;
using Perennial.Organisations;
using Perennial.Risks;

namespace Perennial.Benchmarks;

/// <summary>What the reviews suite adds to the audits dataset, counted.</summary>
internal sealed record ReviewsSize(int EvidenceItems, int Risks, int RiskRevisions, int ContextEntries, int MeasureValues);

/// <summary>
/// Grows the audit benchmark's organisation into three years of a busy ISMS for the management
/// review: evidence items up to 50,000 (linked to controls and activities), 10,000 risks with their
/// revisions (the risk benchmark's seeder), a context register with history, a year of computed
/// measures, and a management review held a year ago whose decisions the next pack reports.
/// </summary>
internal sealed class ReviewsSeeder(IServiceProvider services, Guid organisationId, IReadOnlyList<Owner> owners, Guid managerId)
{
    public const int EvidenceTarget = 50_000;
    private readonly Random random = new(20_261_204);

    public async Task<Guid> SeedAsync(double scale, DateTimeOffset now, Action<string> progress, CancellationToken ct)
    {
        var today = DateOnly.FromDateTime(now.UtcDateTime);
        await using (var scope = services.CreateAsyncScope())
        {
            var db = scope.ServiceProvider.GetRequiredService<PerennialDbContext>();
            var existing = await db.EvidenceItems.CountAsync(e => e.OrganisationId == organisationId, ct);
            var controls = await db.Controls.AsNoTracking().Where(c => c.OrganisationId == organisationId && c.Kind == ControlKind.Control).Select(c => c.Id).ToListAsync(ct);
            var items = new List<EvidenceItem>();
            var links = new List<EvidenceItemLink>();
            for (var i = existing; i < (int)(EvidenceTarget * scale); i++)
            {
                var to = today.AddDays(-random.Next(0, 3 * 365));
                var at = new DateTimeOffset(to.ToDateTime(new TimeOnly(12, 0)), TimeSpan.Zero);
                var item = EvidenceItem.New(organisationId, EvidenceKind.File, to.AddDays(-30), to, at, at, new EvidenceOrigin(EvidenceSource.Collector, null, null, null));
                item.Title = $"Collected export {i}";
                item.FileName = $"export-{i}.json";
                item.ContentType = "application/json";
                item.Size = 1_000 + random.Next(50_000);
                item.Sha256 = Convert.ToHexStringLower(SHA256.HashData(item.Id.ToByteArray()));
                items.Add(item);
                links.Add(new EvidenceItemLink { Id = Guid.NewGuid(), EvidenceItemId = item.Id, ControlId = controls[random.Next(controls.Count)] });
            }

            var bulk = new BulkInserter(db);
            await bulk.InsertAsync(items, ct);
            await bulk.InsertAsync(links, ct);
            progress($"{items.Count:N0} more evidence items");

            var method = await scope.ServiceProvider.GetRequiredService<RiskService>().CurrentMethodAsync(organisationId, ct);
            var identified = await db.Controls.AsNoTracking().Where(c => c.OrganisationId == organisationId && c.Kind == ControlKind.Control)
                .Select(c => new { c.Id, c.Identifier }).ToListAsync(ct);
            var size = new DatasetSize(500, 10_000, 3, 200).Scaled(scale);
            await new Seeder(db, organisationId, method, owners, [.. identified.Select(c => (c.Id, c.Identifier))], now).SeedAsync(size, progress, ct);
        }

        // The context register and a review held a year ago, through the use cases, at the times they happened.
        var yearAgo = now.AddYears(-1);
        var manager = new ContextActor(managerId, "ISMS manager", OrgRole.Manager);
        for (var i = 0; i < 40; i++)
        {
            await using var scope = services.CreateAsyncScope();
            var db = scope.ServiceProvider.GetRequiredService<PerennialDbContext>();
            var kind = i % 3 == 0 ? ContextKind.InterestedParty : i % 3 == 1 ? ContextKind.ExternalIssue : ContextKind.InternalIssue;
            var register = new ContextRegister(db, new FixedClock(now.AddDays(-1000 + (i * 20))));
            var entry = await register.CreateAsync(organisationId, manager, new ContextInput(kind, $"Context entry {i}", null, "benchmark", false, true, owners[i % owners.Count].UserId, 6,
                kind == ContextKind.InterestedParty ? [new RequirementInput("A requirement", true, "A control")] : null), ct);
            await new ContextRegister(db, new FixedClock(now.AddDays(-200 + i))).ReviewAsync(organisationId, entry.Id, manager, "Still holds", ct);
        }

        var reviewer = new ReviewActor(managerId, OrgRole.Manager);
        ManagementReviewService Reviews(IServiceProvider sp, DateTimeOffset at) =>
            new(sp.GetRequiredService<PerennialDbContext>(), new FixedClock(at), sp.GetRequiredService<ReviewPackBuilder>(), sp.GetRequiredService<EvidenceService>());
        Guid next;
        await using (var scope = services.CreateAsyncScope())
        {
            var sp = scope.ServiceProvider;
            var held = await Reviews(sp, yearAgo.AddDays(-14)).ScheduleAsync(organisationId, reviewer,
                new ReviewInput("Last year's review", DateOnly.FromDateTime(yearAgo.UtcDateTime), null, managerId, [.. owners.Take(3).Select(o => o.UserId)], DateOnly.FromDateTime(yearAgo.AddYears(-2).UtcDateTime)), ct);
            await Reviews(sp, yearAgo).HoldAsync(organisationId, held.Id, reviewer, ct);
            for (var d = 0; d < 12; d++)
            {
                await Reviews(sp, yearAgo).DecideAsync(organisationId, held.Id, reviewer, new DecisionInput(DecisionKind.Improvement, "g", $"Decision {d}", null,
                    owners[d % owners.Count].UserId, DateOnly.FromDateTime(yearAgo.AddMonths(1 + d).UtcDateTime)), ct);
            }

            next = (await Reviews(sp, now).ScheduleAsync(organisationId, reviewer, new ReviewInput("This year's review", DateOnly.FromDateTime(now.UtcDateTime).AddDays(7), null, managerId,
                [.. owners.Take(3).Select(o => o.UserId)], null), ct)).Id;
        }

        // A year of weekly values for the built-in measures, as the daily job would have left (one a week keeps the seed short).
        for (var week = 52; week >= 1; week--)
        {
            await using var scope = services.CreateAsyncScope();
            await scope.ServiceProvider.GetRequiredService<MeasureService>().RecomputeAsync(organisationId, today.AddDays(-7 * week), ct);
        }

        progress("context register, a held review with 12 decisions, a year of measures");
        return next;
    }

    public async Task<ReviewsSize> CountAsync(CancellationToken ct)
    {
        await using var scope = services.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<PerennialDbContext>();
        return new ReviewsSize(
            await db.EvidenceItems.CountAsync(e => e.OrganisationId == organisationId, ct),
            await db.Risks.CountAsync(r => r.OrganisationId == organisationId, ct),
            await db.RiskRevisions.CountAsync(r => r.OrganisationId == organisationId, ct),
            await db.ContextEntries.CountAsync(e => e.OrganisationId == organisationId, ct),
            await db.MeasureValues.CountAsync(v => v.OrganisationId == organisationId, ct));
    }

    private sealed class FixedClock(DateTimeOffset at) : TimeProvider
    {
        public override DateTimeOffset GetUtcNow() => at;
    }
}

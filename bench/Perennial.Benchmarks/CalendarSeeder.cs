using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Perennial.Activities;
using Perennial.Data;

namespace Perennial.Benchmarks;

/// <summary>How much of the calendar's data the run ended up with (counted after seeding).</summary>
internal sealed record CalendarSize(int Activities, int Occurrences, int InCycle, int Completed, int Skipped, int OpenPast, int Evidence);

/// <summary>
/// Seeds the calendar benchmark's organisation through the app's own use cases: each activity
/// with <see cref="ActivityService.CreateAsync"/> (which validates it and writes its occurrences,
/// from its start a year ago up to the horizon, each with its audit-trail entry), and a year of
/// history written on the tracked entities as the use cases leave them: occurrences completed on
/// time or late with an evidence link, some skipped by the ISMS manager, a few left open.
/// </summary>
internal sealed class CalendarSeeder(IServiceProvider services, Guid organisationId, IReadOnlyList<Owner> owners, Guid managerId, DateOnly start)
{
    private static readonly string[] Zones = ["Europe/London", "Europe/London", "Europe/London", "Europe/Lisbon", "America/New_York", "Asia/Singapore"];
    private static readonly string[] Weekdays = ["MO", "TU", "WE", "TH", "FR"];
    private static readonly string[] Subjects =
    [
        "Access review", "Firewall rule review", "Vulnerability scan", "Backup restore test", "Log review", "Patch compliance check",
        "Supplier review", "Endpoint encryption check", "Privileged account review", "Key rotation", "Awareness refresher",
        "Capacity review", "Certificate expiry check", "Data retention check", "Physical access log review", "Change advisory review",
    ];

    private static readonly string[] Systems =
    [
        "production platform", "identity provider", "HR system", "finance system", "CRM", "data warehouse", "office network",
        "CI/CD pipeline", "laptops", "cloud account", "support desk", "payroll provider", "mail service", "source repositories",
    ];

    private readonly Random random = new(20_260_302);

    /// <summary>The schedule mix: weekly, monthly, quarterly and yearly rules as ISMS teams write them.</summary>
    private static string Rule(int i)
    {
        var kind = i % 100;
        return kind switch
        {
            < 18 => $"FREQ=WEEKLY;BYDAY={Weekdays[i % Weekdays.Length]}",
            < 40 => $"FREQ=MONTHLY;BYMONTHDAY={1 + (i % 28)}",
            < 52 => $"FREQ=MONTHLY;BYDAY=1{Weekdays[i % Weekdays.Length]}",
            < 63 => "FREQ=MONTHLY;BYMONTHDAY=-1",
            < 76 => "FREQ=MONTHLY;INTERVAL=3;BYMONTHDAY=-1",
            < 88 => "FREQ=MONTHLY;BYMONTH=3,6,9,12;BYDAY=MO,TU,WE,TH,FR;BYSETPOS=-1",
            < 94 => "FREQ=MONTHLY;INTERVAL=6",
            _ => "FREQ=YEARLY",
        };
    }

    public async Task SeedActivitiesAsync(int count, IReadOnlyList<Guid> controls, Action<string> progress, CancellationToken ct)
    {
        await using (var scope = services.CreateAsyncScope())
        {
            // The external audits of the certification cycle, as the template makes them.
            await scope.ServiceProvider.GetRequiredService<ActivityService>()
                .CreateFromTemplatesAsync(organisationId, ["external-audit"], managerId, start, "Europe/London", ct, includePast: true);
        }

        for (var first = 1; first < count; first += 50)
        {
            await using var scope = services.CreateAsyncScope();
            var db = scope.ServiceProvider.GetRequiredService<PerennialDbContext>();
            var activities = scope.ServiceProvider.GetRequiredService<ActivityService>();
            for (var i = first; i < Math.Min(first + 50, count); i++)
            {
                var owner = owners[i % owners.Count];
                var deputy = random.Next(4) == 0 ? null : (Guid?)owners[(i + 1 + random.Next(owners.Count - 1)) % owners.Count].UserId;
                var linked = Enumerable.Range(0, 1 + random.Next(3)).Select(_ => controls[random.Next(controls.Count)]).Distinct().ToList();
                var dtStart = start.AddDays(random.Next(0, 28)).ToDateTime(new TimeOnly(8 + random.Next(0, 4), 0));
                await activities.CreateAsync(organisationId, new ActivityInput(
                    $"{Subjects[i % Subjects.Length]}: {Systems[(i / Subjects.Length) % Systems.Length]}",
                    "Follow the procedure in the ISMS handbook and attach the evidence listed.",
                    owner.UserId, deputy == owner.UserId ? null : deputy, null, Rule(i), dtStart, Zones[random.Next(Zones.Length)],
                    EvidenceRequired: random.Next(3) == 0 ? ["Export", "Sign-off"] : ["Report"],
                    ControlIds: linked), ct, includePast: true);
                db.ChangeTracker.Clear();
            }

            progress($"{Math.Min(first + 49, count):N0} activities");
        }
    }

    /// <summary>
    /// The past year as it would have gone: of the occurrences due more than a month ago, 78% done
    /// on time, 17% late, 4% skipped and 1% missed; of the last month's, 60% done and the rest open.
    /// </summary>
    public async Task SeedHistoryAsync(DateTimeOffset now, Action<string> progress, CancellationToken ct)
    {
        var today = DateOnly.FromDateTime(now.UtcDateTime);
        List<(Guid Id, DateTimeOffset DueAt, DateOnly DueDate)> past;
        await using (var scope = services.CreateAsyncScope())
        {
            var db = scope.ServiceProvider.GetRequiredService<PerennialDbContext>();
            past = [.. (await db.Occurrences.AsNoTracking()
                .Where(o => o.OrganisationId == organisationId && o.State == OccurrenceState.Open && o.DueDate < today)
                .Select(o => new { o.Id, o.DueAt, o.DueDate }).ToListAsync(ct))
                .OrderBy(o => o.DueAt).Select(o => (o.Id, o.DueAt, o.DueDate))];
        }

        var done = 0;
        foreach (var chunk in past.Chunk(500))
        {
            await using var scope = services.CreateAsyncScope();
            var db = scope.ServiceProvider.GetRequiredService<PerennialDbContext>();
            var ids = chunk.Select(c => c.Id).ToList();
            var occurrences = await db.Occurrences.Include(o => o.Activity).Where(o => ids.Contains(o.Id)).ToListAsync(ct);
            foreach (var o in occurrences)
            {
                var recent = today.DayNumber - o.DueDate.DayNumber <= 30;
                var roll = random.NextDouble();
                if (recent ? roll >= 0.6 : roll >= 0.99)
                {
                    continue;
                }

                if (!recent && roll >= 0.95)
                {
                    o.State = OccurrenceState.Skipped;
                    o.SkipReason = "Not needed this period: covered by the previous occurrence's wider review.";
                    o.SkipApprovedByUserId = managerId;
                    o.CompletedAt = o.DueAt.AddDays(-2);
                }
                else
                {
                    var late = roll >= 0.78 * (recent ? 0.6 : 1);
                    var at = late ? o.DueAt.AddDays(1 + random.Next(10)).AddHours(random.Next(8)) : o.DueAt.AddHours(-random.Next(1, 96));
                    o.State = OccurrenceState.Completed;
                    o.CompletedAt = at < now ? at : now.AddHours(-1);
                    o.CompletedByUserId = o.Activity!.OwnerUserId;
                    foreach (var requirement in o.Activity.EvidenceRequired)
                    {
                        db.OccurrenceEvidence.Add(new OccurrenceEvidence
                        {
                            OrganisationId = organisationId,
                            OccurrenceId = o.Id,
                            Kind = OccurrenceEvidenceKind.Link,
                            Requirement = requirement,
                            Url = $"https://evidence.example/{o.Id:N}/{requirement.ToLowerInvariant()}",
                            AddedByUserId = o.CompletedByUserId,
                            AddedAt = o.CompletedAt.Value,
                        });
                    }
                }

                o.Sequence++;
                o.UpdatedAt = o.CompletedAt!.Value;
            }

            await db.SaveChangesAsync(ct);
            done += chunk.Length;
            progress($"history of {done:N0} past occurrences");
        }
    }

    public async Task<CalendarSize> CountAsync(DateOnly cycleStart, DateOnly cycleEnd, DateOnly today, CancellationToken ct)
    {
        await using var scope = services.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<PerennialDbContext>();
        var occurrences = db.Occurrences.Where(o => o.OrganisationId == organisationId);
        return new CalendarSize(
            await db.Activities.CountAsync(a => a.OrganisationId == organisationId, ct),
            await occurrences.CountAsync(ct),
            await occurrences.CountAsync(o => o.DueDate >= cycleStart && o.DueDate <= cycleEnd, ct),
            await occurrences.CountAsync(o => o.State == OccurrenceState.Completed, ct),
            await occurrences.CountAsync(o => o.State == OccurrenceState.Skipped, ct),
            await occurrences.CountAsync(o => o.State == OccurrenceState.Open && o.DueDate < today, ct),
            await db.OccurrenceEvidence.CountAsync(e => e.OrganisationId == organisationId, ct));
    }
}

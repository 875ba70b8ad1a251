using System.Text;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Perennial.Activities;
using Perennial.Data;
using Perennial.Organisations;
using Perennial.Tests.Infrastructure;

namespace Perennial.Tests.Activities;

public sealed class SqliteScheduleEditTests() : ScheduleEditTests(DatabaseProvider.Sqlite);

public sealed class PostgresScheduleEditTests() : ScheduleEditTests(DatabaseProvider.Postgres);

/// <summary>
/// Editing an activity's schedule changes its future only: what is past, completed, skipped or
/// moved by hand stays as it was, with its evidence.
/// </summary>
public abstract class ScheduleEditTests(DatabaseProvider provider) : IAsyncLifetime
{
    private const string London = "Europe/London";
    private static readonly byte[] RestoreLog = Encoding.UTF8.GetBytes("restored 1,204 files from the 14 January backup in 11 minutes\n");

    private TestApp app = null!;
    private Guid organisationId;
    private Guid ownerId;

    private OccurrenceActor Owner => new(ownerId, OrgRole.Admin);

    public async ValueTask InitializeAsync()
    {
        app = await TestApp.StartAsync(provider);
        var owner = await app.CreateUserAsync("owner@acme.example");
        ownerId = owner.Id;
        organisationId = (await app.CreateOrganisationAsync("acme", owner.Id)).Id;
    }

    public async ValueTask DisposeAsync() => await app.DisposeAsync();

    [Fact]
    public async Task A_new_rule_replaces_future_open_occurrences_and_leaves_past_completed_skipped_and_moved_ones_with_their_evidence()
    {
        // Monthly restore test on the 15th at 09:00 since January; today is 2 March 2026.
        var activity = await CreateAsync("FREQ=MONTHLY;BYMONTHDAY=15");
        var before = await OccurrencesAsync(activity.Id);
        var january = before.Single(o => o.DueDate == new DateOnly(2026, 1, 15));
        var february = before.Single(o => o.DueDate == new DateOnly(2026, 2, 15));
        var march = before.Single(o => o.DueDate == new DateOnly(2026, 3, 15));
        var april = before.Single(o => o.DueDate == new DateOnly(2026, 4, 15));
        var may = before.Single(o => o.DueDate == new DateOnly(2026, 5, 15));

        await Occurrences(s => s.CompleteAsync(organisationId, january.Id, Owner, "Restore went fine",
            [new EvidenceFile("restore.log", "text/plain", new MemoryStream(RestoreLog), "Restore log")], [], Perennial.Evidence.EvidenceOptions.DefaultMaxBytes, CancellationToken.None));
        await Occurrences(s => s.SkipAsync(organisationId, february.Id, Owner, "Backup system replaced this month", CancellationToken.None));
        await Occurrences(s => s.RescheduleAsync(organisationId, april.Id, Owner, new DateTime(2026, 4, 17, 10, 0, 0, DateTimeKind.Unspecified), CancellationToken.None));

        // On 20 March, with March's restore test not done, the activity moves to the last working day of each quarter.
        app.Time.SetUtcNow(new DateTimeOffset(2026, 3, 20, 9, 0, 0, TimeSpan.Zero));
        var quarterly = SchedulePresets.Rule(SchedulePresets.LastWorkingDayOfQuarter, new DateOnly(2026, 1, 15))!;
        await app.WithScopeAsync(s => s.GetRequiredService<ActivityService>().UpdateAsync(organisationId, activity.Id, Input(quarterly), CancellationToken.None));

        var after = (await OccurrencesAsync(activity.Id)).ToDictionary(o => o.Id);

        var completed = after[january.Id];
        Assert.Equal(OccurrenceState.Completed, completed.State);
        Assert.Equal((january.RecurrenceKey, january.DueDate, january.DueTime, january.DueAt), (completed.RecurrenceKey, completed.DueDate, completed.DueTime, completed.DueAt));
        Assert.Equal("Restore went fine", completed.Notes);
        var evidence = Assert.Single(completed.Evidence);
        Assert.Equal(("restore.log", "Restore log", Convert.ToHexStringLower(System.Security.Cryptography.SHA256.HashData(RestoreLog))), (evidence.FileName, evidence.Requirement, evidence.Sha256));
        var (_, content) = await app.WithScopeAsync(s => s.GetRequiredService<OccurrenceService>().OpenEvidenceAsync(organisationId, evidence.Id, CancellationToken.None));
        await using (content)
        {
            using var copy = new MemoryStream();
            await content.CopyToAsync(copy);
            Assert.Equal(RestoreLog, copy.ToArray());
        }

        var skipped = after[february.Id];
        Assert.Equal((OccurrenceState.Skipped, "Backup system replaced this month", february.DueAt), (skipped.State, skipped.SkipReason, skipped.DueAt));

        // March's is overdue: it stays, still open, for someone to complete or skip.
        var overdue = after[march.Id];
        Assert.Equal((OccurrenceState.Open, march.DueAt), (overdue.State, overdue.DueAt));

        var moved = after[april.Id];
        Assert.Equal((new DateOnly(2026, 4, 17), new TimeOnly(10, 0), true, april.RecurrenceKey), (moved.DueDate, moved.DueTime, moved.Rescheduled, moved.RecurrenceKey));

        Assert.False(after.ContainsKey(may.Id));
        var future = after.Values.Where(o => o.DueDate >= new DateOnly(2026, 3, 20) && !o.Rescheduled).OrderBy(o => o.DueAt).ToList();
        Assert.Equal(
            [new DateOnly(2026, 3, 31), new DateOnly(2026, 6, 30), new DateOnly(2026, 9, 30), new DateOnly(2026, 12, 31), new DateOnly(2027, 3, 31)],
            future.Take(5).Select(o => o.DueDate));
        Assert.All(future, o => Assert.Equal((OccurrenceState.Open, new TimeOnly(9, 0)), (o.State, o.DueTime)));
        Assert.All(future, o => Assert.Equal(0, o.DueDate.Month % 3));
        // Up to the horizon (39 months from the start of this month): the quarters from March 2026 to March 2029.
        Assert.Equal(13, future.Count);
        Assert.Equal(new DateOnly(2029, 3, 30), future[^1].DueDate);
        Assert.Equal(4 + 13, after.Count);
    }

    [Fact]
    public async Task A_new_time_zone_moves_future_open_occurrences_in_place_and_leaves_past_ones_where_they_were()
    {
        var activity = await CreateAsync("FREQ=MONTHLY;BYMONTHDAY=15");
        var january = (await OccurrencesAsync(activity.Id)).Single(o => o.DueDate == new DateOnly(2026, 1, 15));
        await Occurrences(s => s.CompleteAsync(organisationId, january.Id, Owner, null,
            [new EvidenceFile("restore.log", "text/plain", new MemoryStream(RestoreLog))], [], Perennial.Evidence.EvidenceOptions.DefaultMaxBytes, CancellationToken.None));
        var before = await OccurrencesAsync(activity.Id);

        await app.WithScopeAsync(s => s.GetRequiredService<ActivityService>().UpdateAsync(organisationId, activity.Id, Input("FREQ=MONTHLY;BYMONTHDAY=15", "America/New_York"), CancellationToken.None));

        var after = (await OccurrencesAsync(activity.Id)).ToDictionary(o => o.Id);
        Assert.Equal(before.Select(o => o.Id).Order(), after.Keys.Order());
        foreach (var old in before)
        {
            var now = after[old.Id];
            Assert.Equal((old.RecurrenceKey, old.DueDate, old.DueTime), (now.RecurrenceKey, now.DueDate, now.DueTime));
            if (old.DueDate < new DateOnly(2026, 3, 2))
            {
                // January (completed) and February (overdue) keep the instant they were due at.
                Assert.Equal((old.DueAt, old.Sequence), (now.DueAt, now.Sequence));
            }
            else
            {
                // 09:00 in New York: 13:00 UTC in summer time (the 15th of March to October), 14:00 UTC otherwise.
                var hour = now.DueDate.Month is 1 or 2 or 11 or 12 ? 14 : 13;
                Assert.Equal(new DateTimeOffset(now.DueDate.ToDateTime(new TimeOnly(hour, 0)), TimeSpan.Zero), now.DueAt);
                Assert.Equal(old.Sequence + 1, now.Sequence);
            }
        }

        Assert.Equal(OccurrenceState.Completed, after[january.Id].State);
        Assert.Single(after[january.Id].Evidence);
    }

    [Fact]
    public async Task A_rule_that_gives_no_dates_is_refused_naming_the_rule_and_changes_nothing()
    {
        var activity = await CreateAsync("FREQ=MONTHLY;BYMONTHDAY=15");
        var before = await OccurrencesAsync(activity.Id);

        var error = await Assert.ThrowsAsync<Perennial.Common.UseCaseException>(() => app.WithScopeAsync(s =>
            s.GetRequiredService<ActivityService>().UpdateAsync(organisationId, activity.Id, Input("FREQ=YEARLY;BYMONTH=2;BYMONTHDAY=30"), CancellationToken.None)));

        Assert.Equal("rrule", error.Field);
        var after = await OccurrencesAsync(activity.Id);
        Assert.Equal(before.Select(o => (o.Id, o.DueAt)), after.Select(o => (o.Id, o.DueAt)));
    }

    private ActivityInput Input(string rrule, string timeZone = London) =>
        new("Backup restore test", "Restore a sample and time it.", ownerId, null, null, rrule,
            new DateTime(2026, 1, 15, 9, 0, 0, DateTimeKind.Unspecified), timeZone, EvidenceRequired: ["Restore log"]);

    private Task<Activity> CreateAsync(string rrule) =>
        app.WithScopeAsync(s => s.GetRequiredService<ActivityService>().CreateAsync(organisationId, Input(rrule), CancellationToken.None, includePast: true));

    private Task Occurrences(Func<OccurrenceService, Task> action) =>
        app.WithScopeAsync(s => action(s.GetRequiredService<OccurrenceService>()));

    private Task<List<Occurrence>> OccurrencesAsync(Guid activityId) =>
        app.WithScopeAsync(s => s.GetRequiredService<PerennialDbContext>().Occurrences.AsNoTracking()
            .Include(o => o.Evidence).Where(o => o.ActivityId == activityId).OrderBy(o => o.DueAt).ToListAsync());
}

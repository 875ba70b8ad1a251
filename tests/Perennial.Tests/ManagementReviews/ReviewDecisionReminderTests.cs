using Microsoft.Extensions.DependencyInjection;
using Perennial.Data;
using Perennial.ManagementReviews;
using Perennial.Organisations;
using Perennial.Tests.Reminders;

namespace Perennial.Tests.ManagementReviews;

public sealed class SqliteReviewDecisionReminderTests() : ReviewDecisionReminderTests(DatabaseProvider.Sqlite);

public sealed class PostgresReviewDecisionReminderTests() : ReviewDecisionReminderTests(DatabaseProvider.Postgres);

/// <summary>
/// A management review's decisions are followed like corrective actions: over six weeks of daily
/// reminder rounds against a real SMTP server each owner hears a week before and on the day, a late
/// one is escalated to the owner's line manager with a copy to the owner, every message arrives once;
/// the review itself is announced to its chair and attendees; and the next pack's input (a) shows
/// what became of each decision.
/// </summary>
public abstract class ReviewDecisionReminderTests(DatabaseProvider provider)
{
    private static readonly DateTimeOffset FirstRound = new(2026, 3, 2, 10, 0, 0, TimeSpan.Zero);

    private sealed record Mail(string Person, DateOnly Day, string Kind, string Item);

    [Fact]
    public async Task Decisions_are_reminded_once_escalated_when_late_and_reported_in_the_next_pack()
    {
        await using var mail = await MailSink.StartAsync();
        var world = await ReminderWorld.CreateAsync(provider, mail);
        await using var app = world.App;
        var org = world.OrganisationId;
        var manager = new ReviewActor(world.Users["manager"], OrgRole.Manager);
        Task<T> Reviews<T>(Func<ManagementReviewService, Task<T>> step) => app.WithScopeAsync(s => step(s.GetRequiredService<ManagementReviewService>()));

        var first = await Reviews(r => r.ScheduleAsync(org, manager, new ReviewInput("Annual review", new DateOnly(2026, 3, 2), null, world.Users["manager"], [world.Users["carl"]], new DateOnly(2025, 3, 1)), default));
        var second = await Reviews(r => r.ScheduleAsync(org, manager, new ReviewInput("Before surveillance", new DateOnly(2026, 4, 10), null, world.Users["manager"], [world.Users["carl"]], null), default));
        ReviewDecision? restore = null, training = null, third = null;

        var plan = new Dictionary<DateOnly, Func<Task>>
        {
            [new DateOnly(2026, 3, 2)] = async () =>
            {
                await Reviews(r => r.HoldAsync(org, first.Id, manager, default));
                restore = await Reviews(r => r.DecideAsync(org, first.Id, manager, new DecisionInput(DecisionKind.IsmsChange, "d1", "Quarterly restore test", null, world.Users["ana"], new DateOnly(2026, 3, 20)), default));
                training = await Reviews(r => r.DecideAsync(org, first.Id, manager, new DecisionInput(DecisionKind.Resources, null, "Security training budget", null, world.Users["dee"], new DateOnly(2026, 3, 16)), default));
            },
            [new DateOnly(2026, 3, 16)] = () => Reviews(r => r.CompleteDecisionAsync(org, training!.Id, new ReviewActor(world.Users["dee"], OrgRole.Contributor), "Budget approved", default)),
            [new DateOnly(2026, 3, 25)] = () => Reviews(r => r.CompleteDecisionAsync(org, restore!.Id, new ReviewActor(world.Users["ana"], OrgRole.Contributor), "Restore test passed", default)),
            [new DateOnly(2026, 4, 10)] = async () =>
            {
                var pack = await Reviews(r => r.PackAsync(org, second.Id, default));
                var a = pack.Sections.Single(s => s.Input == "a");
                Assert.Equal([("MR-001-D1", "done"), ("MR-001-D2", "done")], a.Records.Select(r => (r.Reference, r.Status!)).Order());
                await Reviews(r => r.HoldAsync(org, second.Id, manager, default));
                third = await Reviews(r => r.DecideAsync(org, second.Id, manager, new DecisionInput(DecisionKind.Improvement, "g", "Automate access reviews", null, world.Users["erin"], new DateOnly(2026, 9, 30)), default));
            },
        };

        var actual = new List<Mail>();
        for (var day = 0; day < 45; day++)
        {
            var now = FirstRound.AddDays(day);
            var today = DateOnly.FromDateTime(now.UtcDateTime);
            app.Time.SetUtcNow(now);
            var before = mail.Count;
            Assert.Equal(0, (await world.RunAsync(now)).Failed);
            foreach (var m in mail.Messages(before))
            {
                var subject = m.Message.Subject ?? "";
                var item = subject.Contains("restore", StringComparison.Ordinal) ? "restore"
                    : subject.Contains("training", StringComparison.Ordinal) ? "training"
                    : subject.Contains("MR-002", StringComparison.Ordinal) ? "MR-002"
                    : subject.Contains("MR-001", StringComparison.Ordinal) ? "MR-001" : subject;
                actual.Add(new Mail(m.To.Split('@')[0], today, m.Kind!, item));
                var review = item is "MR-002" ? second.Id : first.Id;
                Assert.Contains($"/o/acme/management-reviews/{review}", m.Text, StringComparison.Ordinal);
            }

            if (plan.TryGetValue(today, out var step))
            {
                await step();
            }
        }

        Mail[] expected =
        [
            new("manager", new(2026, 3, 2), "review:due", "MR-001"),
            new("carl", new(2026, 3, 2), "review:due", "MR-001"),
            new("dee", new(2026, 3, 9), "decision:lead-7", "training"),
            new("ana", new(2026, 3, 13), "decision:lead-7", "restore"),
            new("dee", new(2026, 3, 16), "decision:due", "training"),
            new("ana", new(2026, 3, 20), "decision:due", "restore"),
            new("bob", new(2026, 3, 21), "decision:overdue-0", "restore"),
            new("ana", new(2026, 3, 21), "decision:overdue-0", "restore"),
            new("manager", new(2026, 3, 27), "review:lead-14", "MR-002"),
            new("carl", new(2026, 3, 27), "review:lead-14", "MR-002"),
            new("manager", new(2026, 4, 9), "review:lead-1", "MR-002"),
            new("carl", new(2026, 4, 9), "review:lead-1", "MR-002"),
            new("manager", new(2026, 4, 10), "review:due", "MR-002"),
            new("carl", new(2026, 4, 10), "review:due", "MR-002"),
        ];
        Assert.Equal(
            expected.OrderBy(m => m.Day).ThenBy(m => m.Person, StringComparer.Ordinal).ThenBy(m => m.Kind, StringComparer.Ordinal).ToList(),
            actual.OrderBy(m => m.Day).ThenBy(m => m.Person, StringComparer.Ordinal).ThenBy(m => m.Kind, StringComparer.Ordinal).ToList());

        // The review after the second sees only the second's decision: the first's were closed before its period began.
        var next = await Reviews(r => r.ScheduleAsync(org, manager, new ReviewInput("Next", new DateOnly(2026, 10, 1), null, world.Users["manager"], [], null), default));
        var nextPack = await Reviews(r => r.PackAsync(org, next.Id, default));
        Assert.Equal([third!.Id], nextPack.Sections.Single(s => s.Input == "a").Records.Select(r => r.Id));

        // The owner finds the open decision on the dashboard, under its own heading while it is not due soon.
        var agenda = await app.WithScopeAsync(s => s.GetRequiredService<Perennial.Dashboard.AgendaService>().ForOrganisationAsync(org, default));
        var mine = Assert.Single(agenda.For(world.Users["erin"]));
        Assert.Equal((Perennial.Dashboard.AgendaGroup.ManagementReview, "MR-002-D1", $"management-reviews/{second.Id}"), (mine.Group, mine.Reference, mine.Path));
    }
}

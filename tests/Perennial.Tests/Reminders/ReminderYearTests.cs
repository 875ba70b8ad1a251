using System.Globalization;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Perennial.Activities;
using Perennial.Data;

namespace Perennial.Tests.Reminders;

public sealed class SqliteReminderYearTests() : ReminderYearTests(DatabaseProvider.Sqlite);

public sealed class PostgresReminderYearTests() : ReminderYearTests(DatabaseProvider.Postgres);

/// <summary>
/// A simulated year of daily reminder rounds against a real SMTP server. What each person should
/// receive is worked out here from the occurrences' due dates and the completion plan alone: a
/// reminder at each lead time, the due notice (owner and deputy), escalation the day after due and
/// weekly while open with a copy to the owner, nothing stale after a later reminder's day has come,
/// mute respected except for escalations, and the Monday digest for the one who asked.
/// </summary>
public abstract class ReminderYearTests(DatabaseProvider provider)
{
    // 23:30 UTC is already the next day in Tokyo, and in London during summer time, whose switch
    // days the rounds then skip (29 March) and repeat (25 October) in local time.
    private static readonly DateTimeOffset FirstRound = new(2026, 3, 2, 23, 30, 0, TimeSpan.Zero);
    private const int Days = 365;

    private sealed record Plan(Activity Activity, string Owner, string? Deputy, string[] EscalateTo, Dictionary<int, int> DaysLate);

    private sealed record Mail(string Person, int Day, string Kind, string Occurrence);

    [Fact]
    public async Task Over_a_year_each_person_receives_exactly_the_expected_reminders_in_order()
    {
        await using var mail = await MailSink.StartAsync();
        var world = await ReminderWorld.CreateAsync(provider, mail);
        await using var app = world.App;
        await world.WithSettingsAsync(s => s.SetPreferencesAsync(world.OrganisationId, world.Users["carl"], muteEmail: true, weeklyDigest: null, readinessDigest: null, CancellationToken.None));
        await world.WithSettingsAsync(s => s.SetPreferencesAsync(world.OrganisationId, world.Users["dee"], muteEmail: null, weeklyDigest: true, readinessDigest: null, CancellationToken.None));

        var plans = new List<Plan>
        {
            // Monthly access review in London: owner Ana (line manager Bob), deputy Dee; May's is 21 days late.
            new(await world.CreateActivityAsync("User access review", "ana", "FREQ=MONTHLY;BYMONTHDAY=15", new DateTime(2026, 3, 15, 9, 0, 0), "Europe/London",
                [14, 3], deputy: "dee", evidence: ["signed review export"]), "ana", "dee", ["bob"], new() { [2] = 21 }),
            // Quarterly scan in New York: owner Carl (muted), escalation contact Erin; July's is 10 days late.
            new(await world.CreateActivityAsync("Vulnerability scan", "carl", "FREQ=MONTHLY;INTERVAL=3;BYMONTHDAY=1", new DateTime(2026, 4, 1, 10, 0, 0), "America/New_York",
                [7], escalation: "erin"), "carl", null, ["erin"], new() { [1] = 10 }),
            // Restore test on the last Friday of the month in Tokyo: Carl, no contact: every ISMS manager and admin.
            new(await world.CreateActivityAsync("Backup restore test", "carl", "FREQ=MONTHLY;BYDAY=-1FR", new DateTime(2026, 3, 27, 16, 0, 0), "Asia/Tokyo",
                [3]), "carl", null, ["admin", "manager"], new() { [4] = 8 }),
        };
        string[] muted = ["carl"];

        // The occurrences and when each is completed (local date in its zone), from the plan.
        var occurrences = new List<(Plan Plan, Occurrence Occurrence, string Label, DateOnly CompletedOn)>();
        foreach (var plan in plans)
        {
            var list = await world.OccurrencesAsync(plan.Activity.Id);
            Assert.True(list.Count >= 4, $"{plan.Activity.Title} has occurrences");
            occurrences.AddRange(list.Select((o, i) => (plan, o, $"{plan.Activity.Reference}#{i}", o.DueDate.AddDays(plan.DaysLate.GetValueOrDefault(i)))));
        }

        var labels = occurrences.ToDictionary(o => o.Occurrence.Id, o => o.Label);
        var expected = new List<Mail>();
        var actual = new List<Mail>();
        var owed = new HashSet<(Guid, string)>();
        var completed = new HashSet<Guid>();
        for (var day = 0; day < Days; day++)
        {
            var now = FirstRound.AddDays(day);
            app.Time.SetUtcNow(now);

            foreach (var (plan, occurrence, label, _) in occurrences.Where(o => !completed.Contains(o.Occurrence.Id)))
            {
                var today = LocalDate(now, plan.Activity.TimeZone);
                var latest = KindsOf(occurrence.DueDate, plan.Activity.ReminderLeadDays, today).Where(k => k.Day <= today).OrderBy(k => k.Day).LastOrDefault();
                if (latest.Kind is null || !owed.Add((occurrence.Id, latest.Kind)))
                {
                    continue;
                }

                var to = new List<string>();
                if (latest.Kind.StartsWith("overdue-", StringComparison.Ordinal))
                {
                    to.AddRange(plan.EscalateTo);
                    to.Add(plan.Owner);
                }
                else
                {
                    to.Add(plan.Owner);
                    if (latest.Kind == "due" && plan.Deputy is not null)
                    {
                        to.Add(plan.Deputy);
                    }

                    to.RemoveAll(muted.Contains);
                }

                expected.AddRange(to.Distinct().Select(p => new Mail(p, day, latest.Kind, label)));
            }

            var londonToday = LocalDate(now, "Europe/London");
            if (londonToday.DayOfWeek == DayOfWeek.Monday && occurrences.Any(o => o.Plan.Deputy == "dee" && !completed.Contains(o.Occurrence.Id) && o.Occurrence.DueDate <= londonToday.AddDays(30)))
            {
                expected.Add(new Mail("dee", day, "digest", "-"));
            }

            var before = mail.Count;
            var result = await world.RunAsync(now);
            Assert.Equal(0, result.Failed);
            foreach (var m in mail.Messages(before))
            {
                var person = m.To.Split('@')[0];
                actual.Add(new Mail(person, day, m.Kind!, m.Occurrence is Guid id ? labels[id] : "-"));
            }

            foreach (var (plan, occurrence, _, completedOn) in occurrences.Where(o => !completed.Contains(o.Occurrence.Id)))
            {
                if (LocalDate(now, plan.Activity.TimeZone) == completedOn)
                {
                    await world.CompleteAsync(occurrence.Id, plan.Owner);
                    completed.Add(occurrence.Id);
                }
            }
        }

        Assert.True(expected.Count > 100, $"the year should hold many reminders, not {expected.Count}");
        foreach (var person in ReminderWorld.People)
        {
            Assert.Equal(Describe(expected, person), Describe(actual, person));
        }

        // Every kind happened, and the mute held for Carl's reminders but not for his escalations.
        Assert.Contains(actual, m => m.Person == "ana" && m.Kind == "lead-14");
        Assert.Contains(actual, m => m.Person == "dee" && m.Kind == "due");
        Assert.Contains(actual, m => m.Person == "bob" && m.Kind == "overdue-2");
        Assert.Contains(actual, m => m.Person == "carl" && m.Kind == "overdue-1");
        Assert.DoesNotContain(actual, m => m.Person == "carl" && !m.Kind.StartsWith("overdue-", StringComparison.Ordinal));
        // Every Monday of the year, the first and the last round included.
        Assert.Equal(53, actual.Count(m => m.Kind == "digest"));

        var all = mail.Messages();
        Assert.Equal(all.Count, all.Select(m => m.Message.MessageId).Distinct().Count());

        // One e-mail read as a person would: what, by when (local time and zone), how, which evidence, where.
        var accessReview = occurrences.First(o => o.Plan == plans[0]).Occurrence;
        var reminder = all.First(m => m.To == ReminderWorld.Email("ana") && m.Kind == "lead-3" && m.Occurrence == accessReview.Id);
        Assert.Equal("Reminder: ACT-001 User access review is due in 3 days", reminder.Message.Subject);
        Assert.Contains("due in 3 days, on Sunday 15 March 2026 at 09:00 (Europe/London).", reminder.Text, StringComparison.Ordinal);
        Assert.Contains("How to do it: the procedure for user access review.", reminder.Text, StringComparison.Ordinal);
        Assert.Contains("- signed review export", reminder.Text, StringComparison.Ordinal);
        Assert.Contains($"{ReminderWorld.PublicUrl}/o/acme/occurrences/{accessReview.Id}", reminder.Text, StringComparison.Ordinal);
        Assert.Contains($"href=\"{ReminderWorld.PublicUrl}/o/acme/occurrences/{accessReview.Id}\"", reminder.Message.HtmlBody, StringComparison.Ordinal);

        var may = occurrences.Single(o => o.Label == "ACT-001#2").Occurrence;
        var escalation = all.First(m => m.To == ReminderWorld.Email("bob") && m.Occurrence == may.Id);
        Assert.Contains("line manager of ana", escalation.Text, StringComparison.Ordinal);
        Assert.StartsWith("Overdue: ACT-001 User access review (owner ana)", escalation.Message.Subject, StringComparison.Ordinal);
        var copy = all.First(m => m.To == ReminderWorld.Email("ana") && m.Kind == "overdue-0" && m.Occurrence == may.Id);
        Assert.Contains("bob has been told", copy.Text, StringComparison.Ordinal);

        // The May review ran past its 14-day grace period: one nonconformity, raised by the sweep.
        var nonconformities = await app.WithScopeAsync(s => s.GetRequiredService<PerennialDbContext>().Nonconformities.AsNoTracking().ToListAsync());
        Assert.Equal(may.Id, Assert.Single(nonconformities).OccurrenceId);
    }

    /// <summary>Every reminder an occurrence can get and its local day, worked out independently of the sweep.</summary>
    private static IEnumerable<(string Kind, DateOnly Day)> KindsOf(DateOnly due, IEnumerable<int> leadDays, DateOnly until)
    {
        foreach (var lead in leadDays)
        {
            yield return ($"lead-{lead}", due.AddDays(-lead));
        }

        yield return ("due", due);
        for (var week = 0; due.AddDays(1 + (7 * week)) <= until; week++)
        {
            yield return ($"overdue-{week}", due.AddDays(1 + (7 * week)));
        }
    }

    private static DateOnly LocalDate(DateTimeOffset instant, string zone) =>
        DateOnly.FromDateTime(TimeZoneInfo.ConvertTime(instant, TimeZoneInfo.FindSystemTimeZoneById(zone)).DateTime);

    /// <summary>A person's mail as lines in day order (within a day, by kind and occurrence), for a readable diff.</summary>
    private static string Describe(IEnumerable<Mail> mails, string person) =>
        $"{person}:\n" + string.Join("\n", mails.Where(m => m.Person == person)
            .OrderBy(m => m.Day).ThenBy(m => m.Kind, StringComparer.Ordinal).ThenBy(m => m.Occurrence, StringComparer.Ordinal)
            .Select(m => string.Create(CultureInfo.InvariantCulture, $"{FirstRound.AddDays(m.Day):yyyy-MM-dd} {m.Kind} {m.Occurrence}")));
}

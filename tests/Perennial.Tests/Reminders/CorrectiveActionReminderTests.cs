using Microsoft.Extensions.DependencyInjection;
using Perennial.Data;
using Perennial.Nonconformities;
using Perennial.Organisations;

namespace Perennial.Tests.Reminders;

public sealed class SqliteCorrectiveActionReminderTests() : CorrectiveActionReminderTests(DatabaseProvider.Sqlite);

public sealed class PostgresCorrectiveActionReminderTests() : CorrectiveActionReminderTests(DatabaseProvider.Postgres);

/// <summary>
/// Corrective actions and effectiveness checks are dated obligations: over a simulated quarter of
/// daily reminder rounds against a real SMTP server, each owner hears a week before and on the day,
/// a late one is escalated (the owner's line manager, else the ISMS managers) with a copy to the
/// owner, and every message arrives exactly once.
/// </summary>
public abstract class CorrectiveActionReminderTests(DatabaseProvider provider)
{
    private static readonly DateTimeOffset FirstRound = new(2026, 3, 2, 10, 0, 0, TimeSpan.Zero);

    private sealed record Mail(string Person, DateOnly Day, string Kind, string Item);

    [Fact]
    public async Task Over_a_quarter_actions_and_the_check_are_reminded_once_each_and_escalated_when_late()
    {
        await using var mail = await MailSink.StartAsync();
        var world = await ReminderWorld.CreateAsync(provider, mail);
        await using var app = world.App;
        var org = world.OrganisationId;
        NonconformityActor Actor(string person, OrgRole role = OrgRole.Contributor) => new(world.Users[person], person, role);
        Task<Nonconformity> Workflow(Func<NonconformityWorkflow, Task<Nonconformity>> step) =>
            app.WithScopeAsync(s => step(s.GetRequiredService<NonconformityWorkflow>()));

        await app.WithScopeAsync(async s =>
        {
            var db = s.GetRequiredService<PerennialDbContext>();
            db.NonconformitySettings.Add(new NonconformitySettings { Id = Guid.NewGuid(), OrganisationId = org, EffectivenessCheckDays = 30 });
            await db.SaveChangesAsync();
        });

        // Carl owns the nonconformity; Ana (line manager Bob) and Dee own its two actions.
        var manager = Actor("manager", OrgRole.Manager);
        var nc = await Workflow(w => w.RaiseAsync(org, manager, new RaiseNonconformity("Leavers kept their accounts", null, NonconformitySeverity.Major, NonconformitySource.Manual, "A.5.18", world.Users["carl"], null), default));
        await Workflow(w => w.ContainAsync(org, nc.Id, manager, "Accounts disabled by hand", new DateOnly(2026, 3, 2), default));
        await Workflow(w => w.AnalyseAsync(org, nc.Id, manager, null, "HR does not tell IT about leavers", "process", default));
        nc = await Workflow(w => w.PlanAsync(org, nc.Id, manager,
            [new NewCorrectiveAction("Revoke leaver accounts", world.Users["ana"], new DateOnly(2026, 3, 20)),
             new NewCorrectiveAction("Automate the leaver checklist", world.Users["dee"], new DateOnly(2026, 4, 10))], default));
        var revoke = nc.Actions.Single(a => a.Title.StartsWith("Revoke", StringComparison.Ordinal)).Id;
        var automate = nc.Actions.Single(a => a.Title.StartsWith("Automate", StringComparison.Ordinal)).Id;

        // Ana finishes a week late, Dee on the day; the check falls due 30 days after (10 May) and Carl records it three days late.
        var plan = new Dictionary<DateOnly, Func<Task>>
        {
            [new DateOnly(2026, 3, 27)] = () => Workflow(w => w.FinishActionAsync(org, nc.Id, revoke, Actor("ana"), false, "Done", default)),
            [new DateOnly(2026, 4, 10)] = () => Workflow(w => w.FinishActionAsync(org, nc.Id, automate, Actor("dee"), false, "Done", default)),
            [new DateOnly(2026, 5, 13)] = () => Workflow(w => w.CheckAsync(org, nc.Id, Actor("carl"), EffectivenessResult.Effective, "No leaver kept access since April", null, default)),
        };

        var actual = new List<Mail>();
        for (var day = 0; day < 92; day++)
        {
            var now = FirstRound.AddDays(day);
            var today = DateOnly.FromDateTime(now.UtcDateTime);
            app.Time.SetUtcNow(now);
            var before = mail.Count;
            var result = await world.RunAsync(now);
            Assert.Equal(0, result.Failed);
            foreach (var m in mail.Messages(before))
            {
                var subject = m.Message.Subject ?? "";
                var item = subject.Contains("Revoke", StringComparison.Ordinal) ? "revoke"
                    : subject.Contains("Automate", StringComparison.Ordinal) ? "automate"
                    : subject.Contains("Effectiveness check", StringComparison.Ordinal) ? "check" : subject;
                actual.Add(new Mail(m.To.Split('@')[0], today, m.Kind!, item));
                Assert.Contains($"/o/acme/nonconformities/{nc.Id}", m.Text, StringComparison.Ordinal);
            }

            if (plan.TryGetValue(today, out var step))
            {
                await step();
            }
        }

        Mail[] expected =
        [
            new("ana", new(2026, 3, 13), "action:lead-7", "revoke"),
            new("ana", new(2026, 3, 20), "action:due", "revoke"),
            new("bob", new(2026, 3, 21), "action:overdue-0", "revoke"),
            new("ana", new(2026, 3, 21), "action:overdue-0", "revoke"),
            new("dee", new(2026, 4, 3), "action:lead-7", "automate"),
            new("dee", new(2026, 4, 10), "action:due", "automate"),
            new("carl", new(2026, 5, 3), "check:lead-7", "check"),
            new("carl", new(2026, 5, 10), "check:due", "check"),
            // Carl has no line manager and the organisation no default contact: the ISMS managers and admins hear.
            new("admin", new(2026, 5, 11), "check:overdue-0", "check"),
            new("manager", new(2026, 5, 11), "check:overdue-0", "check"),
            new("carl", new(2026, 5, 11), "check:overdue-0", "check"),
        ];
        Assert.Equal(
            expected.OrderBy(m => m.Day).ThenBy(m => m.Person, StringComparer.Ordinal).ToList(),
            actual.OrderBy(m => m.Day).ThenBy(m => m.Person, StringComparer.Ordinal).ToList());
    }
}

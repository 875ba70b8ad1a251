using Microsoft.Extensions.DependencyInjection;
using Perennial.AuditorWorkspace;
using Perennial.Data;
using Perennial.Nonconformities;
using Perennial.Organisations;
using Perennial.Reminders;
using Perennial.Tests.Reminders;

namespace Perennial.Tests.AuditorWorkspace;

public sealed class SqliteAuditRequestReminderTests() : AuditRequestReminderTests(DatabaseProvider.Sqlite);

public sealed class PostgresAuditRequestReminderTests() : AuditRequestReminderTests(DatabaseProvider.Postgres);

/// <summary>
/// An auditor's request is reminded like any obligation: over three weeks of daily reminder rounds
/// against a real SMTP server its assignee hears a week before and on the day, a late one goes to
/// the assignee's line manager with a copy to the assignee, an answered request falls silent, and
/// asking again starts its reminders afresh for the new round. Open requests are on the assignee's calendar.
/// </summary>
public abstract class AuditRequestReminderTests(DatabaseProvider provider)
{
    private static readonly DateTimeOffset FirstRound = new(2026, 3, 2, 10, 0, 0, TimeSpan.Zero);

    private sealed record Mail(string Person, DateOnly Day, string Kind, string Item);

    [Fact]
    public async Task Requests_are_reminded_to_their_assignee_escalated_when_late_and_afresh_when_asked_again()
    {
        await using var mail = await MailSink.StartAsync();
        var world = await ReminderWorld.CreateAsync(provider, mail);
        await using var app = world.App;
        var org = world.OrganisationId;
        var auditor = await app.CreateUserAsync("audrey@audit.test");
        await app.AddMemberAsync(org, "audrey@audit.test", OrgRole.Auditor, new DateOnly(2026, 12, 31));
        var audrey = new WorkspaceActor(auditor.Id, OrgRole.Auditor);
        Task<T> Workspace<T>(Func<AuditorWorkspaceService, Task<T>> step) => app.WithScopeAsync(s => step(s.GetRequiredService<AuditorWorkspaceService>()));

        var restore = await Workspace(w => w.RaiseAsync(org, audrey, new AuditRequestInput(
            "Show the restore test of March\nwith the log of the restored set", null, null, null, new DateOnly(2026, 3, 12), world.Users["ana"]), null, default));
        var firewall = await Workspace(w => w.RaiseAsync(org, audrey, new AuditRequestInput(
            "Firewall rule review", null, null, null, new DateOnly(2026, 3, 5), world.Users["carl"]), null, default));

        // The open requests are on their assignee's calendar, linked to the workspace.
        var calendar = await app.WithScopeAsync(s => s.GetRequiredService<ObligationCalendar>().ListAsync(org, new DateOnly(2026, 3, 1), new DateOnly(2026, 3, 31), world.Users["ana"], default));
        var entry = Assert.Single(calendar);
        Assert.Equal((ObligationKind.AuditRequest, "REQ-001", "auditor#request-REQ-001", new DateOnly(2026, 3, 12), "Auditor's request: Show the restore test of March"),
            (entry.Kind, entry.RecordReference, entry.Path, entry.DueOn, entry.Title));

        var plan = new Dictionary<DateOnly, Func<Task>>
        {
            [new DateOnly(2026, 3, 4)] = () => Workspace(w => w.AnswerAsync(org, firewall.Id, new WorkspaceActor(world.Users["carl"], OrgRole.Contributor), "Reviewed on 2026-03-03, minutes attached to the change record.", null, default)),
            [new DateOnly(2026, 3, 16)] = () => Workspace(w => w.AnswerAsync(org, restore.Id, new WorkspaceActor(world.Users["ana"], OrgRole.Contributor), "Restore log attached.", null, default)),
            [new DateOnly(2026, 3, 17)] = () => Workspace(w => w.AskAgainAsync(org, restore.Id, audrey, "The log does not name the restored set.", new DateOnly(2026, 3, 20), default)),
            [new DateOnly(2026, 3, 20)] = () => Workspace(w => w.AnswerAsync(org, restore.Id, new WorkspaceActor(world.Users["ana"], OrgRole.Contributor), "Set 2026-03-01 was restored.", null, default)),
        };

        var actual = new List<Mail>();
        for (var day = 0; day < 24; day++)
        {
            var now = FirstRound.AddDays(day);
            var today = DateOnly.FromDateTime(now.UtcDateTime);
            app.Time.SetUtcNow(now);
            var before = mail.Count;
            Assert.Equal(0, (await world.RunAsync(now)).Failed);
            foreach (var m in mail.Messages(before))
            {
                var subject = m.Message.Subject ?? "";
                var item = subject.Contains("REQ-001", StringComparison.Ordinal) ? "REQ-001" : subject.Contains("REQ-002", StringComparison.Ordinal) ? "REQ-002" : subject;
                actual.Add(new Mail(m.To.Split('@')[0], today, m.Kind!, item));
                Assert.Contains($"{ReminderWorld.PublicUrl}/o/acme/auditor#request-{item}", m.Text, StringComparison.Ordinal);
                Assert.Contains("Answer it on the auditor's workspace", m.Text, StringComparison.Ordinal);
            }

            if (plan.TryGetValue(today, out var step))
            {
                await step();
            }
        }

        Mail[] expected =
        [
            new("carl", new(2026, 3, 2), "request:lead-7", "REQ-002"),
            new("ana", new(2026, 3, 5), "request:lead-7", "REQ-001"),
            new("ana", new(2026, 3, 12), "request:due", "REQ-001"),
            new("bob", new(2026, 3, 13), "request:overdue-0", "REQ-001"),
            new("ana", new(2026, 3, 13), "request:overdue-0", "REQ-001"),

            // Asked again on the 17th, due the 20th: the new round's reminders start from its lead stage.
            new("ana", new(2026, 3, 18), "request:lead-7", "REQ-001"),
            new("ana", new(2026, 3, 20), "request:due", "REQ-001"),
        ];
        Assert.Equal(
            expected.OrderBy(m => m.Day).ThenBy(m => m.Person, StringComparer.Ordinal).ThenBy(m => m.Kind, StringComparer.Ordinal).ToList(),
            actual.OrderBy(m => m.Day).ThenBy(m => m.Person, StringComparer.Ordinal).ThenBy(m => m.Kind, StringComparer.Ordinal).ToList());

        // Answered, the request leaves the calendar.
        var after = await app.WithScopeAsync(s => s.GetRequiredService<ObligationCalendar>().ListAsync(org, new DateOnly(2026, 3, 1), new DateOnly(2026, 3, 31), null, default));
        Assert.DoesNotContain(after, o => o.Kind == ObligationKind.AuditRequest);
    }
}

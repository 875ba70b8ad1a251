using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Microsoft.Extensions.DependencyInjection;
using Perennial.Data;
using Perennial.Reminders;
using Perennial.Scheduling;

namespace Perennial.Tests.Reminders;

public sealed class SqliteReminderDeliveryTests() : ReminderDeliveryTests(DatabaseProvider.Sqlite);

public sealed class PostgresReminderDeliveryTests() : ReminderDeliveryTests(DatabaseProvider.Postgres);

/// <summary>Delivery through the outbox: outages lose nothing, retries back off, chat channels get each event once.</summary>
public abstract class ReminderDeliveryTests(DatabaseProvider provider)
{
    private static readonly DateTimeOffset Morning = new(2026, 3, 3, 10, 0, 0, TimeSpan.Zero);

    [Fact]
    public async Task With_the_SMTP_server_stopped_for_a_week_nothing_is_lost_and_everything_arrives_once_it_is_back()
    {
        await using var mail = await MailSink.StartAsync();
        var world = await ReminderWorld.CreateAsync(provider, mail);
        await using var app = world.App;
        await world.CreateActivityAsync("Daily log review", "ana", "FREQ=DAILY", new DateTime(2026, 3, 3, 9, 0, 0), "UTC", [1], deputy: "dee");
        await mail.StopServerAsync();

        // First failure, then retries only once each back-off has passed: 1, 2, 4 minutes.
        app.Time.SetUtcNow(Morning);
        var first = await world.RunAsync(Morning);
        Assert.True(first.Queued > 0);
        Assert.Equal((0, first.Queued), (first.Sent, first.Failed));
        await AssertAttemptsAsync(world, 1, Morning.AddMinutes(1));
        Assert.Equal((0, 0), Counts(await world.DispatchAsync(Morning.AddSeconds(59))));
        await AssertAttemptsAsync(world, 1, Morning.AddMinutes(1));
        Assert.Equal((0, first.Queued), Counts(await world.DispatchAsync(Morning.AddMinutes(1))));
        await AssertAttemptsAsync(world, 2, Morning.AddMinutes(1 + 2));
        Assert.Equal((0, first.Queued), Counts(await world.DispatchAsync(Morning.AddMinutes(3))));
        await AssertAttemptsAsync(world, 3, Morning.AddMinutes(3 + 4));

        // A week of daily rounds with the server down: reminders and escalations pile up, none is sent.
        for (var day = 1; day <= 7; day++)
        {
            var now = Morning.AddDays(day);
            app.Time.SetUtcNow(now);
            var round = await world.RunAsync(now);
            Assert.Equal(0, round.Sent);
            Assert.True(round.Failed > 0);
        }

        var waiting = await world.OutboxAsync();
        Assert.Contains(waiting, m => m.Kind == "overdue-0" && m.Recipient == ReminderWorld.Email("bob"));
        Assert.All(waiting, m =>
        {
            Assert.Null(m.SentAt);
            Assert.Contains($"127.0.0.1:{mail.Port}", m.LastError, StringComparison.Ordinal);
        });
        Assert.Equal(0, mail.Count);

        // The server is back: one delivery pass sends every queued message, each exactly once.
        await mail.StartServerAsync();
        var back = Morning.AddDays(7).AddHours(2);
        app.Time.SetUtcNow(back);
        var delivered = await world.DispatchAsync(back);
        Assert.Equal((waiting.Count, 0), Counts(delivered));
        var received = mail.Messages();
        Assert.Equal(waiting.Count, received.Count);
        Assert.Equal(received.Count, received.Select(m => (m.To, m.Kind, m.Occurrence)).Distinct().Count());
        Assert.Equal(
            waiting.Select(m => $"{m.Recipient} {m.Kind} {m.OccurrenceId}").Order(StringComparer.Ordinal),
            received.Select(m => $"{m.To} {m.Kind} {m.Occurrence}").Order(StringComparer.Ordinal));
        Assert.Equal(waiting.Select(m => $"{m.Id:N}@isms.acme.test").Order(StringComparer.Ordinal), received.Select(m => m.Message.MessageId).Order(StringComparer.Ordinal));
        Assert.All(await world.OutboxAsync(), m => Assert.Equal(back, m.SentAt));

        // Nothing goes twice: another pass and another round at the same instant send nothing again.
        Assert.Equal((0, 0), Counts(await world.DispatchAsync(back)));
        var again = await world.RunAsync(back);
        Assert.Equal(0, again.Queued);
        Assert.Equal(waiting.Count, mail.Count);
    }

    [Fact]
    public async Task A_reminder_whose_occurrence_is_completed_before_delivery_is_withdrawn_not_sent()
    {
        await using var mail = await MailSink.StartAsync();
        var world = await ReminderWorld.CreateAsync(provider, mail);
        await using var app = world.App;
        var activity = await world.CreateActivityAsync("Firewall rule review", "ana", "FREQ=MONTHLY", new DateTime(2026, 3, 5, 9, 0, 0), "UTC", [3]);
        await mail.StopServerAsync();
        app.Time.SetUtcNow(Morning);
        Assert.Equal(1, (await world.RunAsync(Morning)).Failed);

        await world.CompleteAsync((await world.OccurrencesAsync(activity.Id))[0].Id, "ana");
        await mail.StartServerAsync();
        var result = await world.DispatchAsync(Morning.AddHours(1));

        Assert.Equal((0, 0, 1), (result.Sent, result.Failed, result.Withdrawn));
        Assert.Equal(0, mail.Count);
        var row = Assert.Single(await world.OutboxAsync());
        Assert.StartsWith("Not sent: the occurrence was completed", row.LastError, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Teams_and_Slack_get_each_event_once_and_a_failing_webhook_is_retried_after_its_back_off()
    {
        await using var hooks = new WebhookSink();
        var world = await ReminderWorld.CreateAsync(provider, mail: null);
        await using var app = world.App;
        var admin = app.CreateApiClient(await app.CreateTokenAsync(world.Users["admin"]));
        var put = await admin.PutAsJsonAsync("/api/v1/orgs/acme/notification-settings", new { teamsWebhookUrl = hooks.Url("teams"), slackWebhookUrl = hooks.Url("slack") });
        Assert.Equal(HttpStatusCode.OK, put.StatusCode);
        var shown = await put.Content.ReadAsStringAsync();
        Assert.DoesNotContain("s3cr3t", shown, StringComparison.Ordinal);
        var settings = JsonDocument.Parse(shown).RootElement;
        Assert.Equal($"127.0.0.1:{hooks.Port}", settings.GetProperty("teams").GetProperty("host").GetString());
        Assert.True(settings.GetProperty("slack").GetProperty("configured").GetBoolean());

        var activity = await world.CreateActivityAsync("Phishing drill", "ana", "FREQ=MONTHLY", new DateTime(2026, 3, 5, 9, 0, 0), "UTC", [3], evidence: ["drill report"]);
        var occurrence = (await world.OccurrencesAsync(activity.Id))[0];
        hooks.Fail("slack", true);
        app.Time.SetUtcNow(Morning);
        var round = await world.RunAsync(Morning);

        // E-mail is off (no SMTP server set): the owner's e-mail waits; the chat messages go.
        Assert.NotNull(round.EmailDisabledReason);
        Assert.Equal(1, round.Held);
        Assert.Equal((1, 1), (round.Sent, round.Failed));
        var teams = Assert.Single(hooks.Calls("teams"));
        Assert.Equal("MessageCard", teams.Body.GetProperty("@type").GetString());
        Assert.Contains("ACT-001 Phishing drill (owner ana) is due in 2 days", teams.Text, StringComparison.Ordinal);
        Assert.Contains("Evidence: drill report.", teams.Text, StringComparison.Ordinal);
        Assert.Contains($"({ReminderWorld.PublicUrl}/o/acme/occurrences/{occurrence.Id})", teams.Text, StringComparison.Ordinal);
        var slackRow = (await world.OutboxAsync()).Single(m => m.Channel == OutboxChannel.Slack);
        Assert.Equal(1, slackRow.Attempts);
        Assert.Contains("answered 500", slackRow.LastError, StringComparison.Ordinal);
        Assert.DoesNotContain("s3cr3t", slackRow.LastError, StringComparison.Ordinal);

        // Before the back-off has passed nothing is tried again; after it, Slack gets its message once.
        Assert.Equal((0, 0), Counts(await world.RunAsync(Morning.AddSeconds(30))));
        Assert.Equal(1, hooks.Refused);
        hooks.Fail("slack", false);
        Assert.Equal((1, 0), Counts(await world.DispatchAsync(Morning.AddMinutes(1))));
        var slack = Assert.Single(hooks.Calls("slack"));
        Assert.Contains($"<{ReminderWorld.PublicUrl}/o/acme/occurrences/{occurrence.Id}|Open the occurrence>", slack.Text, StringComparison.Ordinal);
        Assert.Single(hooks.Calls("teams"));

        // The due day brings one more message per channel, not a repeat of the reminder.
        var dueDay = new DateTimeOffset(2026, 3, 5, 7, 0, 0, TimeSpan.Zero);
        Assert.Equal(2, (await world.RunAsync(dueDay)).Sent);
        Assert.Equal(2, hooks.Calls("teams").Count);
        Assert.StartsWith("Due today: ACT-001 Phishing drill", hooks.Calls("slack")[1].Text, StringComparison.Ordinal);
    }

    [Fact]
    public async Task The_reminders_job_runs_a_round_every_five_minutes_and_reports_failed_deliveries()
    {
        await using var mail = await MailSink.StartAsync();
        var world = await ReminderWorld.CreateAsync(provider, mail);
        await using var app = world.App;
        await world.CreateActivityAsync("Badge audit", "ana", "FREQ=MONTHLY", new DateTime(2026, 3, 4, 9, 0, 0), "UTC", [3]);
        // Only the IScheduledJob contract is used here: the scheduler engine that runs it is the host's business.
        var job = app.Services.GetServices<IScheduledJob>().Single(j => j.Name == "reminders");
        Assert.Equal(TimeSpan.FromMinutes(5), job.Interval);

        var ok = await app.WithScopeAsync(s => job.RunAsync(s, CancellationToken.None));
        Assert.Equal(JobOutcome.Succeeded, ok.Outcome);
        Assert.Contains("1 sent, 0 failed", ok.Message, StringComparison.Ordinal);
        Assert.Equal("lead-3", Assert.Single(mail.Messages()).Kind);

        await mail.StopServerAsync();
        app.Time.Advance(TimeSpan.FromDays(2));
        var failed = await app.WithScopeAsync(s => job.RunAsync(s, CancellationToken.None));
        Assert.Equal(JobOutcome.Failed, failed.Outcome);
        Assert.Contains("0 sent, 1 failed", failed.Message, StringComparison.Ordinal);
    }

    private static (int Sent, int Failed) Counts(DispatchResult result) => (result.Sent, result.Failed);

    private static (int Sent, int Failed) Counts(ReminderRunResult result) => (result.Sent, result.Failed);

    private static async Task AssertAttemptsAsync(ReminderWorld world, int attempts, DateTimeOffset next)
    {
        var rows = await world.OutboxAsync();
        Assert.NotEmpty(rows);
        Assert.All(rows, m =>
        {
            Assert.Equal(attempts, m.Attempts);
            Assert.Equal(next, m.NextAttemptAt);
            Assert.Null(m.ClaimedUntil);
        });
    }
}

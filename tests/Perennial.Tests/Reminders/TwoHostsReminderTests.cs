using System.Net.Http.Json;
using Microsoft.Extensions.DependencyInjection;
using Perennial.Reminders;
using Perennial.Tests.Infrastructure;

namespace Perennial.Tests.Reminders;

/// <summary>Two app instances on one PostgreSQL database, sweeping and delivering at the same instant.</summary>
public sealed class TwoHostsReminderTests
{
    [Fact]
    public async Task Two_hosts_sweeping_and_delivering_at_the_same_moment_send_no_duplicates()
    {
        await using var database = await TestDatabase.CreatePostgresAsync();
        await using var mail = await MailSink.StartAsync();
        await using var hooks = new WebhookSink();
        var settings = new Dictionary<string, string?>(mail.Settings)
        {
            ["Perennial:Scheduler:Enabled"] = "false",
            ["Perennial:PublicUrl"] = ReminderWorld.PublicUrl,
        };
        await using var first = await TestApp.StartAsync(database, settings: settings, ownsDatabase: false);
        await using var second = await TestApp.StartAsync(database, settings: settings, migrate: false, ownsDatabase: false);
        var world = await ReminderWorld.SetUpAsync(first);
        var admin = first.CreateApiClient(await first.CreateTokenAsync(world.Users["admin"]));
        (await admin.PutAsJsonAsync("/api/v1/orgs/acme/notification-settings", new { teamsWebhookUrl = hooks.Url("teams") })).EnsureSuccessStatusCode();

        // Twelve weekly activities due on consecutive days, owned by three people, one with a deputy.
        string[] owners = ["ana", "carl", "dee"];
        for (var i = 0; i < 12; i++)
        {
            await world.CreateActivityAsync($"Check {i:00}", owners[i % 3], "FREQ=WEEKLY", new DateTime(2026, 3, 3 + i, 9, 0, 0), "Europe/London", [14, 3],
                deputy: i % 3 == 0 ? "erin" : null);
        }

        var rounds = new List<ReminderRunResult>();
        foreach (var now in new[] { new DateTimeOffset(2026, 3, 4, 6, 0, 0, TimeSpan.Zero), new DateTimeOffset(2026, 3, 12, 6, 0, 0, TimeSpan.Zero), new DateTimeOffset(2026, 3, 20, 6, 0, 0, TimeSpan.Zero) })
        {
            first.Time.SetUtcNow(now);
            second.Time.SetUtcNow(now);
            for (var repeat = 0; repeat < 3; repeat++)
            {
                var both = await Task.WhenAll(Task.Run(() => RoundAsync(first, now)), Task.Run(() => RoundAsync(second, now)));
                rounds.AddRange(both);
            }
        }

        var outbox = await world.OutboxAsync();
        var emails = outbox.Where(m => m.Channel == OutboxChannel.Email).ToList();
        var received = mail.Messages();
        Assert.True(emails.Count > 50, $"expected a busy outbox, got {emails.Count} e-mails");
        Assert.Contains(emails, m => m.Kind == "overdue-1");
        Assert.All(outbox, m => Assert.NotNull(m.SentAt));
        Assert.Equal(emails.Count, received.Count);
        Assert.Equal(received.Count, received.Select(m => (m.To, m.Kind, m.Occurrence)).Distinct().Count());
        Assert.Equal(received.Count, received.Select(m => m.Message.MessageId).Distinct().Count());
        Assert.Equal(outbox.Count, rounds.Sum(r => r.Sent));
        Assert.Equal(outbox.Count, rounds.Sum(r => r.Queued));
        var teams = hooks.Calls("teams");
        Assert.Equal(outbox.Count(m => m.Channel == OutboxChannel.Teams), teams.Count);
        Assert.Equal(teams.Count, teams.Select(c => c.Text).Distinct().Count());
    }

    private static Task<ReminderRunResult> RoundAsync(TestApp app, DateTimeOffset now) =>
        app.WithScopeAsync(s => s.GetRequiredService<ReminderRunner>().RunAsync(now, CancellationToken.None));
}

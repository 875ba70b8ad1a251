using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Perennial.Data;
using Perennial.Reminders;
using Perennial.Tests.Infrastructure;

namespace Perennial.Tests.Reminders;

public sealed class SqliteNotificationSettingsTests() : NotificationSettingsTests(DatabaseProvider.Sqlite);

public sealed class PostgresNotificationSettingsTests() : NotificationSettingsTests(DatabaseProvider.Postgres);

/// <summary>Notification settings through the API, the pages and the command line; who escalations reach.</summary>
public abstract class NotificationSettingsTests(DatabaseProvider provider)
{
    private const string TeamsUrl = "https://contoso.webhook.office.com/webhookb2/aaaa-secret-path/IncomingWebhook/bbbb/cccc";

    [Fact]
    public async Task Webhook_urls_are_write_only_stored_encrypted_and_bad_input_names_its_field()
    {
        var world = await ReminderWorld.CreateAsync(provider, mail: null);
        await using var app = world.App;
        var admin = app.CreateApiClient(await app.CreateTokenAsync(world.Users["admin"]));
        const string path = "/api/v1/orgs/acme/notification-settings";

        await AssertFieldAsync(await admin.PutAsJsonAsync(path, new { teamsWebhookUrl = "not a url" }), "teamsWebhookUrl");
        await AssertFieldAsync(await admin.PutAsJsonAsync(path, new { slackWebhookUrl = "ftp://hooks.slack.com/x" }), "slackWebhookUrl");
        await AssertFieldAsync(await admin.PutAsJsonAsync(path, new { defaultEscalationEmail = "nobody@acme.test" }), "defaultEscalationEmail");
        await AssertFieldAsync(await admin.PutAsJsonAsync(path, new { teamsWebhookUrl = true }), "teamsWebhookUrl");

        var saved = await admin.PutAsJsonAsync(path, new { teamsWebhookUrl = TeamsUrl, defaultEscalationEmail = ReminderWorld.Email("erin") });
        Assert.Equal(HttpStatusCode.OK, saved.StatusCode);
        var text = await (await admin.GetAsync(path)).Content.ReadAsStringAsync();
        Assert.DoesNotContain("secret-path", text, StringComparison.Ordinal);
        var json = JsonDocument.Parse(text).RootElement;
        Assert.Equal("contoso.webhook.office.com", json.GetProperty("teams").GetProperty("host").GetString());
        Assert.False(json.GetProperty("slack").GetProperty("configured").GetBoolean());
        Assert.Equal(ReminderWorld.Email("erin"), json.GetProperty("defaultEscalation").GetProperty("email").GetString());

        var stored = await app.WithScopeAsync(s => s.GetRequiredService<PerennialDbContext>().NotificationSettings.AsNoTracking().SingleAsync());
        Assert.DoesNotContain("secret-path", stored.TeamsWebhookProtected, StringComparison.Ordinal);
        Assert.Equal(new Uri(TeamsUrl), await world.WithSettingsAsync(s => s.WebhookAsync(world.OrganisationId, OutboxChannel.Teams, CancellationToken.None)));

        // Absent fields keep their values; "" removes.
        Assert.Equal(HttpStatusCode.OK, (await admin.PutAsJsonAsync(path, new { })).StatusCode);
        Assert.True((await admin.GetFromJsonAsync<JsonElement>(path)).GetProperty("teams").GetProperty("configured").GetBoolean());
        var removed = await (await admin.PutAsJsonAsync(path, new { teamsWebhookUrl = "", defaultEscalationEmail = "" })).Content.ReadFromJsonAsync<JsonElement>();
        Assert.False(removed.GetProperty("teams").GetProperty("configured").GetBoolean());
        Assert.Equal(JsonValueKind.Null, removed.GetProperty("defaultEscalation").ValueKind);

        var contributor = app.CreateApiClient(await app.CreateTokenAsync(world.Users["ana"]));
        Assert.Equal(HttpStatusCode.Forbidden, (await contributor.GetAsync(path)).StatusCode);
    }

    [Fact]
    public async Task Members_set_their_own_e_mail_preferences_and_admins_set_line_managers()
    {
        var world = await ReminderWorld.CreateAsync(provider, mail: null);
        await using var app = world.App;
        var ana = app.CreateApiClient(await app.CreateTokenAsync(world.Users["ana"]));
        var admin = app.CreateApiClient(await app.CreateTokenAsync(world.Users["admin"]));

        var mine = await (await ana.PutAsJsonAsync("/api/v1/orgs/acme/members/me/notifications", new { muteEmail = true })).Content.ReadFromJsonAsync<JsonElement>();
        Assert.True(mine.GetProperty("muteEmail").GetBoolean());
        Assert.False(mine.GetProperty("weeklyDigest").GetBoolean());
        Assert.Equal(ReminderWorld.Email("bob"), mine.GetProperty("manager").GetProperty("email").GetString());
        await AssertFieldAsync(await ana.PutAsJsonAsync("/api/v1/orgs/acme/members/me/notifications", new { weeklyDigest = "yes" }), "weeklyDigest");
        var read = await ana.GetFromJsonAsync<JsonElement>("/api/v1/orgs/acme/members/me/notifications");
        Assert.True(read.GetProperty("muteEmail").GetBoolean());

        var carlPath = $"/api/v1/orgs/acme/members/{world.Users["carl"]}/manager";
        var set = await (await admin.PutAsJsonAsync(carlPath, new { managerEmail = ReminderWorld.Email("erin") })).Content.ReadFromJsonAsync<JsonElement>();
        Assert.Equal(ReminderWorld.Email("erin"), set.GetProperty("manager").GetProperty("email").GetString());
        await AssertFieldAsync(await admin.PutAsJsonAsync(carlPath, new { managerEmail = ReminderWorld.Email("carl") }), "managerEmail");
        Assert.Equal(HttpStatusCode.NotFound, (await admin.PutAsJsonAsync($"/api/v1/orgs/acme/members/{Guid.NewGuid()}/manager", new { managerEmail = "" })).StatusCode);
        Assert.Equal(HttpStatusCode.Forbidden, (await ana.PutAsJsonAsync(carlPath, new { managerEmail = "" })).StatusCode);
        var members = await admin.GetFromJsonAsync<JsonElement>("/api/v1/orgs/acme/members/notifications");
        Assert.Contains(members.EnumerateArray(), m => m.GetProperty("email").GetString() == ReminderWorld.Email("ana") && m.GetProperty("muteEmail").GetBoolean());
    }

    [Fact]
    public async Task The_pages_save_chat_channels_line_managers_and_personal_preferences()
    {
        var world = await ReminderWorld.CreateAsync(provider, mail: null);
        await using var app = world.App;
        var admin = await app.SignInAsync(ReminderWorld.Email("admin"));
        const string page = "/o/acme/settings/notifications";

        var saved = await TestApp.PostFormAsync(admin, page, new Dictionary<string, string> { ["TeamsUrl"] = TeamsUrl, ["SlackUrl"] = "" }, "Chat");
        var html = await saved.Content.ReadAsStringAsync();
        Assert.Equal(HttpStatusCode.OK, saved.StatusCode);
        Assert.Contains("Set: posts to contoso.webhook.office.com", html, StringComparison.Ordinal);
        Assert.DoesNotContain("secret-path", html, StringComparison.Ordinal);
        var refused = await (await TestApp.PostFormAsync(admin, page, new Dictionary<string, string> { ["SlackUrl"] = "hooks.slack.com" }, "Chat")).Content.ReadAsStringAsync();
        Assert.Contains("must be an absolute https://", refused, StringComparison.Ordinal);

        await TestApp.PostFormAsync(admin, page, new Dictionary<string, string> { ["userId"] = world.Users["carl"].ToString(), ["managerUserId"] = world.Users["erin"].ToString() }, "Manager");
        await TestApp.PostFormAsync(admin, page, new Dictionary<string, string> { ["defaultEscalationUserId"] = world.Users["manager"].ToString() }, "Escalation");
        var view = await world.WithSettingsAsync(s => s.GetAsync(world.OrganisationId, CancellationToken.None));
        Assert.Equal(world.Users["manager"], view.DefaultEscalationUserId);
        Assert.Equal(world.Users["erin"], (await world.WithSettingsAsync(s => s.PreferencesAsync(world.OrganisationId, world.Users["carl"], CancellationToken.None))).ManagerUserId);

        var dee = await app.SignInAsync(ReminderWorld.Email("dee"));
        Assert.Contains("Mute reminder e-mails", await dee.GetStringAsync("/o/acme/settings/my-notifications"), StringComparison.Ordinal);
        var mine = await TestApp.PostFormAsync(dee, "/o/acme/settings/my-notifications", new Dictionary<string, string> { ["MuteEmail"] = "true", ["WeeklyDigest"] = "false" });
        Assert.Contains("Your notification settings are saved.", await mine.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        var prefs = await world.WithSettingsAsync(s => s.PreferencesAsync(world.OrganisationId, world.Users["dee"], CancellationToken.None));
        Assert.True(prefs.MuteEmail);
        Assert.False(prefs.WeeklyDigest);
        Assert.Equal(HttpStatusCode.Forbidden, (await dee.GetAsync(page)).StatusCode);
    }

    [Fact]
    public async Task Escalations_go_to_the_named_contact_else_the_line_manager_else_the_default_contact_else_every_ISMS_manager()
    {
        var world = await ReminderWorld.CreateAsync(provider, mail: null);
        await using var app = world.App;
        await world.CreateActivityAsync("Named contact", "ana", "FREQ=MONTHLY", new DateTime(2026, 3, 5, 9, 0, 0), "UTC", [3], escalation: "erin");
        await world.CreateActivityAsync("Line manager", "ana", "FREQ=MONTHLY", new DateTime(2026, 3, 5, 9, 0, 0), "UTC", [3]);
        await world.CreateActivityAsync("Nobody named", "carl", "FREQ=MONTHLY", new DateTime(2026, 3, 5, 9, 0, 0), "UTC", [3]);
        await world.WithSettingsAsync(s => s.SetPreferencesAsync(world.OrganisationId, world.Users["carl"], muteEmail: true, weeklyDigest: null, readinessDigest: null, CancellationToken.None));

        var firstWeek = new DateTimeOffset(2026, 3, 6, 8, 0, 0, TimeSpan.Zero);
        await world.RunAsync(firstWeek);
        await world.WithSettingsAsync(s => s.UpdateAsync(world.OrganisationId, new NotificationSettingsChange(ChangeDefaultEscalation: true, DefaultEscalationUserId: world.Users["dee"]), CancellationToken.None));
        await world.RunAsync(firstWeek.AddDays(7));

        var rows = (await world.OutboxAsync()).Where(m => m.Kind.StartsWith("overdue-", StringComparison.Ordinal)).ToList();
        var titles = await app.WithScopeAsync(s => s.GetRequiredService<PerennialDbContext>().Occurrences.AsNoTracking()
            .Select(o => new { o.Id, o.Activity!.Title }).ToDictionaryAsync(o => o.Id, o => o.Title));
        string To(string title, string kind) => string.Join(",", rows.Where(m => titles[m.OccurrenceId!.Value] == title && m.Kind == kind)
            .Select(m => m.Recipient.Split('@')[0]).Order(StringComparer.Ordinal));

        Assert.Equal("ana,erin", To("Named contact", "overdue-0"));
        Assert.Equal("ana,bob", To("Line manager", "overdue-0"));
        Assert.Equal("admin,carl,manager", To("Nobody named", "overdue-0"));
        Assert.Equal("carl,dee", To("Nobody named", "overdue-1"));
        Assert.Equal("ana,bob", To("Line manager", "overdue-1"));
    }

    [Fact]
    public async Task The_reminders_run_command_sweeps_and_delivers_as_of_the_given_instant_and_fails_when_delivery_fails()
    {
        await using var mail = await MailSink.StartAsync();
        var world = await ReminderWorld.CreateAsync(provider, mail);
        await using var app = world.App;
        await world.CreateActivityAsync("Key rotation", "ana", "FREQ=MONTHLY", new DateTime(2026, 3, 20, 9, 0, 0), "Europe/London", [14, 3], deputy: "dee");
        string[] smtp = [.. mail.Settings.Select(s => $"--{s.Key}={s.Value}"), $"--Perennial:PublicUrl={ReminderWorld.PublicUrl}"];

        var run = await app.RunCliAsync("", ["reminders", "run", "--now", "2026-03-06T08:00:00Z", .. smtp]);
        Assert.True(run.ExitCode == 0, run.Stderr);
        Assert.Contains("queued: 1\nsent: 1\nfailed: 0", run.Stdout.ReplaceLineEndings("\n"), StringComparison.Ordinal);
        Assert.Equal("lead-14", Assert.Single(mail.Messages()).Kind);

        // Without an offset the instant is UTC; the due day reaches owner and deputy.
        var due = await app.RunCliAsync("", ["reminders", "run", "--now", "2026-03-20T07:00", .. smtp]);
        Assert.Equal(0, due.ExitCode);
        Assert.Contains("sent: 2", due.Stdout, StringComparison.Ordinal);

        await mail.StopServerAsync();
        var down = await app.RunCliAsync("", ["reminders", "run", "--now", "2026-03-21T07:00:00+00:00", .. smtp]);
        Assert.Equal(1, down.ExitCode);
        Assert.Contains("failed: 2", down.Stdout, StringComparison.Ordinal);
        Assert.Contains("stay queued", down.Stderr, StringComparison.Ordinal);

        var off = await app.RunCliAsync("", "reminders", "run", "--now", "2026-03-22T07:00:00Z");
        Assert.Equal(0, off.ExitCode);
        Assert.Contains("e-mail is off", off.Stderr, StringComparison.Ordinal);

        var bad = await app.RunCliAsync("", "reminders", "run", "--now", "next tuesday");
        Assert.Equal(2, bad.ExitCode);
        Assert.Contains("--now 'next tuesday' is not an ISO 8601 date-time", bad.Stderr, StringComparison.Ordinal);
    }

    private static async Task AssertFieldAsync(HttpResponseMessage response, string field)
    {
        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        var problem = await response.Content.ReadFromJsonAsync<JsonElement>();
        Assert.True(problem.GetProperty("errors").TryGetProperty(field, out _), $"expected an error for '{field}': {problem}");
    }
}

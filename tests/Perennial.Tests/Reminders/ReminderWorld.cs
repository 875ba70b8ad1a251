using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Perennial.Activities;
using Perennial.Data;
using Perennial.Organisations;
using Perennial.Reminders;
using Perennial.Tests.Infrastructure;

namespace Perennial.Tests.Reminders;

/// <summary>
/// An organisation "acme" whose reminders go to a real SMTP server: an admin and an ISMS manager,
/// owners Ana (whose line manager is Bob) and Carl, a deputy Dee and an escalation contact Erin.
/// The background scheduler is off: tests run reminder rounds themselves, at chosen instants.
/// </summary>
public sealed class ReminderWorld
{
    public const string Slug = "acme";
    public const string PublicUrl = "https://isms.acme.test";

    public static readonly string[] People = ["admin", "manager", "ana", "bob", "carl", "dee", "erin"];

    public required TestApp App { get; init; }
    public required Guid OrganisationId { get; init; }
    public Dictionary<string, Guid> Users { get; } = new(StringComparer.Ordinal);

    public static string Email(string person) => $"{person}@acme.test";

    public static async Task<ReminderWorld> CreateAsync(DatabaseProvider provider, MailSink? mail, IDictionary<string, string?>? settings = null, bool kestrel = false)
    {
        var all = new Dictionary<string, string?>(mail?.Settings ?? new Dictionary<string, string?>())
        {
            ["Perennial:Scheduler:Enabled"] = "false",
            ["Perennial:PublicUrl"] = PublicUrl,
        };
        foreach (var (key, value) in settings ?? new Dictionary<string, string?>())
        {
            all[key] = value;
        }

        var app = await TestApp.StartAsync(provider, kestrel, all);
        return await SetUpAsync(app);
    }

    /// <summary>The people and their roles on an app whose database is still empty.</summary>
    public static async Task<ReminderWorld> SetUpAsync(TestApp app)
    {
        var admin = await app.CreateUserAsync(Email("admin"));
        var org = await app.CreateOrganisationAsync(Slug, admin.Id);
        var world = new ReminderWorld { App = app, OrganisationId = org.Id };
        world.Users["admin"] = admin.Id;
        foreach (var person in People.Skip(1))
        {
            var user = await app.CreateUserAsync(Email(person));
            await app.AddMemberAsync(org.Id, Email(person), person == "manager" ? OrgRole.Manager : OrgRole.Contributor);
            world.Users[person] = user.Id;
        }

        await world.WithSettingsAsync(s => s.SetManagerAsync(org.Id, world.Users["ana"], world.Users["bob"], CancellationToken.None));
        return world;
    }

    public Task<T> WithSettingsAsync<T>(Func<NotificationSettingsService, Task<T>> action) =>
        App.WithScopeAsync(s => action(s.GetRequiredService<NotificationSettingsService>()));

    public Task<Activity> CreateActivityAsync(
        string title, string owner, string rrule, DateTime dtStart, string timeZone, int[] leadDays,
        string? deputy = null, string? escalation = null, string[]? evidence = null, int graceDays = 14) =>
        App.WithScopeAsync(s => s.GetRequiredService<ActivityService>().CreateAsync(OrganisationId, new ActivityInput(
            title, $"How to do it: the procedure for {title.ToLowerInvariant()}.", Users[owner],
            deputy is null ? null : Users[deputy], escalation is null ? null : Users[escalation],
            rrule, dtStart, timeZone, GraceDays: graceDays, ReminderLeadDays: leadDays, EvidenceRequired: evidence ?? []), CancellationToken.None));

    /// <summary>The activity's occurrences, earliest first.</summary>
    public Task<List<Occurrence>> OccurrencesAsync(Guid activityId) =>
        App.WithScopeAsync(s => s.GetRequiredService<PerennialDbContext>().Occurrences.AsNoTracking()
            .Where(o => o.ActivityId == activityId).OrderBy(o => o.DueAt).ToListAsync());

    /// <summary>One reminder round (sweep, then delivery) as if it were <paramref name="now"/>.</summary>
    public Task<ReminderRunResult> RunAsync(DateTimeOffset now) =>
        App.WithScopeAsync(s => s.GetRequiredService<ReminderRunner>().RunAsync(now, CancellationToken.None));

    public Task<DispatchResult> DispatchAsync(DateTimeOffset now) =>
        App.WithScopeAsync(s => s.GetRequiredService<OutboxDispatcher>().DispatchAsync(now, CancellationToken.None));

    public Task<SweepResult> SweepAsync(DateTimeOffset now) =>
        App.WithScopeAsync(s => s.GetRequiredService<ReminderSweep>().RunAsync(now, CancellationToken.None));

    /// <summary>The owner completes the occurrence, leaving a link as evidence.</summary>
    public Task CompleteAsync(Guid occurrenceId, string person) =>
        App.WithScopeAsync(s => s.GetRequiredService<OccurrenceService>().CompleteAsync(
            OrganisationId, occurrenceId, new OccurrenceActor(Users[person], OrgRole.Contributor), "done",
            [], [new EvidenceLink($"https://evidence.acme.test/{occurrenceId}")], 1_000_000, CancellationToken.None));

    public Task<List<OutboxMessage>> OutboxAsync() =>
        App.WithScopeAsync(s => s.GetRequiredService<PerennialDbContext>().Outbox.AsNoTracking().OrderBy(m => m.CreatedAt).ToListAsync());
}

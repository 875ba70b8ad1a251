using Microsoft.AspNetCore.Http.HttpResults;
using Perennial.Organisations;
using Perennial.Security;

namespace Perennial.Reminders;

/// <summary>A chat channel as the API shows it: whether it is set and its host, never the URL.</summary>
public sealed record WebhookDto(bool Configured, string? Host);

public sealed record PersonRefDto(Guid UserId, string? Email, string? Name);

public sealed record DeliveryStatusDto(int Queued, int Failing, string? LastError, DateTimeOffset? LastSentAt);

public sealed record NotificationSettingsDto(WebhookDto Teams, WebhookDto Slack, PersonRefDto? DefaultEscalation, DateTimeOffset? UpdatedAt, DeliveryStatusDto Delivery);

/// <summary>
/// Webhook URLs are write-only: null (or absent) keeps the current one, "" removes it.
/// defaultEscalationEmail: a member's e-mail (or user id), "" for none (every ISMS manager and admin), null keeps it.
/// </summary>
public sealed record NotificationSettingsRequest(string? TeamsWebhookUrl, string? SlackWebhookUrl, string? DefaultEscalationEmail);

public sealed record MyNotificationsDto(bool MuteEmail, bool WeeklyDigest, bool ReadinessDigest, PersonRefDto? Manager);

public sealed record MyNotificationsRequest(bool? MuteEmail, bool? WeeklyDigest, bool? ReadinessDigest = null);

/// <summary>managerEmail: a member's e-mail (or user id); null or "" clears it.</summary>
public sealed record ManagerRequest(string? ManagerEmail);

public sealed record MemberNotificationsDto(Guid UserId, string Name, string? Email, string Role, PersonRefDto? Manager, bool MuteEmail, bool WeeklyDigest);

public static class RemindersApi
{
    public static RouteGroupBuilder MapRemindersApi(this RouteGroupBuilder api)
    {
        var org = api.MapGroup("/orgs/{org}").WithTags("Reminders");
        org.MapGet("/notification-settings", GetSettings).WithAccess(Access.OrgAdmin)
            .WithSummary("Chat channels (host only), the default escalation contact and the outbox's delivery status");
        org.MapPut("/notification-settings", PutSettings).WithAccess(Access.OrgAdmin)
            .WithSummary("Set or remove the Teams/Slack incoming webhooks (write-only; \"\" removes) and the default escalation contact");
        org.MapGet("/members/me/notifications", GetMine).WithAccess(Access.OrgAuditor).WithSummary("Your reminder e-mail preferences here");
        org.MapPut("/members/me/notifications", PutMine).WithAccess(Access.OrgAuditor)
            .WithSummary("Mute reminder e-mails (escalations of overdue activities still arrive) and opt in to the Monday digest");
        org.MapGet("/members/notifications", ListMembers).WithAccess(Access.OrgAdmin).WithSummary("Every member's line manager and reminder preferences");
        org.MapPut("/members/{userId:guid}/manager", PutManager).WithAccess(Access.OrgAdmin)
            .WithSummary("Set a member's line manager, to whom their overdue activities escalate (null or \"\" clears)");
        return api;
    }

    private static async Task<Ok<NotificationSettingsDto>> GetSettings(CurrentOrg currentOrg, NotificationSettingsService settings, CancellationToken ct) =>
        TypedResults.Ok(ToDto(await settings.GetAsync(currentOrg.Id, ct), await settings.DeliveryStatusAsync(currentOrg.Id, ct)));

    private static async Task<Ok<NotificationSettingsDto>> PutSettings(NotificationSettingsRequest request, CurrentOrg currentOrg, NotificationSettingsService settings, CancellationToken ct)
    {
        var changeEscalation = request.DefaultEscalationEmail is not null;
        Guid? escalation = string.IsNullOrWhiteSpace(request.DefaultEscalationEmail)
            ? null
            : await settings.ResolveMemberAsync(currentOrg.Id, request.DefaultEscalationEmail, "defaultEscalationEmail", ct);
        var view = await settings.UpdateAsync(currentOrg.Id, new NotificationSettingsChange(request.TeamsWebhookUrl, request.SlackWebhookUrl, changeEscalation, escalation), ct);
        return TypedResults.Ok(ToDto(view, await settings.DeliveryStatusAsync(currentOrg.Id, ct)));
    }

    private static async Task<Ok<MyNotificationsDto>> GetMine(CurrentOrg currentOrg, CurrentUser user, NotificationSettingsService settings, CancellationToken ct) =>
        TypedResults.Ok(ToMine(await settings.PreferencesAsync(currentOrg.Id, user.RequireId(), ct), await settings.MembersAsync(currentOrg.Id, ct)));

    private static async Task<Ok<MyNotificationsDto>> PutMine(MyNotificationsRequest request, CurrentOrg currentOrg, CurrentUser user, NotificationSettingsService settings, CancellationToken ct)
    {
        var row = await settings.SetPreferencesAsync(currentOrg.Id, user.RequireId(), request.MuteEmail, request.WeeklyDigest, request.ReadinessDigest, ct);
        return TypedResults.Ok(ToMine(row, await settings.MembersAsync(currentOrg.Id, ct)));
    }

    private static async Task<Ok<List<MemberNotificationsDto>>> ListMembers(CurrentOrg currentOrg, NotificationSettingsService settings, CancellationToken ct)
    {
        var members = await settings.MembersAsync(currentOrg.Id, ct);
        return TypedResults.Ok(members.Select(m => ToMember(m, members)).ToList());
    }

    private static async Task<Ok<MemberNotificationsDto>> PutManager(Guid userId, ManagerRequest request, CurrentOrg currentOrg, NotificationSettingsService settings, CancellationToken ct)
    {
        Guid? manager = string.IsNullOrWhiteSpace(request.ManagerEmail)
            ? null
            : await settings.ResolveMemberAsync(currentOrg.Id, request.ManagerEmail, "managerEmail", ct);
        var row = await settings.SetManagerAsync(currentOrg.Id, userId, manager, ct);
        return TypedResults.Ok(ToMember(row, await settings.MembersAsync(currentOrg.Id, ct)));
    }

    private static NotificationSettingsDto ToDto(NotificationSettingsView v, DeliveryStatus delivery) => new(
        new WebhookDto(v.TeamsWebhookHint is not null, v.TeamsWebhookHint),
        new WebhookDto(v.SlackWebhookHint is not null, v.SlackWebhookHint),
        v.DefaultEscalationUserId is Guid id ? new PersonRefDto(id, v.DefaultEscalationEmail, v.DefaultEscalationName) : null,
        v.UpdatedAt,
        new DeliveryStatusDto(delivery.Queued, delivery.Failing, delivery.LastError, delivery.LastSentAt));

    private static PersonRefDto? Manager(Guid? managerId, IReadOnlyList<MemberNotificationRow> members)
    {
        if (managerId is not Guid id)
        {
            return null;
        }

        var m = members.FirstOrDefault(x => x.UserId == id);
        return new PersonRefDto(id, m?.Email, m?.Name);
    }

    private static MyNotificationsDto ToMine(MemberNotificationRow row, IReadOnlyList<MemberNotificationRow> members) =>
        new(row.MuteEmail, row.WeeklyDigest, row.ReadinessDigest, Manager(row.ManagerUserId, members));

    private static MemberNotificationsDto ToMember(MemberNotificationRow row, IReadOnlyList<MemberNotificationRow> members) =>
        new(row.UserId, row.Name, row.Email, row.Role.ToName(), Manager(row.ManagerUserId, members), row.MuteEmail, row.WeeklyDigest);
}

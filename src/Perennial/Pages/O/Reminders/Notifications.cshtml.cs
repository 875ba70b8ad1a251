using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;
using Perennial.Common;
using Perennial.Organisations;
using Perennial.Reminders;
using Perennial.Security;

namespace Perennial.Pages.O.Reminders;

/// <summary>The organisation's reminder settings: chat channels, who overdue activities escalate to, delivery status.</summary>
public sealed class NotificationsModel(CurrentOrg org, NotificationSettingsService settings) : PageModel
{
    public CurrentOrg Org => org;
    public NotificationSettingsView Settings { get; private set; } = new(null, null, null, null, null, null);
    public DeliveryStatus Delivery { get; private set; } = new(0, 0, null, null);
    public IReadOnlyList<MemberNotificationRow> Members { get; private set; } = [];
    public string? Saved { get; private set; }

    /// <summary>Members who may be escalation contacts or line managers (auditors only read).</summary>
    public IEnumerable<MemberNotificationRow> Contacts => Members.Where(m => m.Role >= OrgRole.Contributor);

    [BindProperty]
    public string? TeamsUrl { get; set; }

    [BindProperty]
    public string? SlackUrl { get; set; }

    [BindProperty]
    public bool RemoveTeams { get; set; }

    [BindProperty]
    public bool RemoveSlack { get; set; }

    public async Task OnGetAsync(CancellationToken ct) => await LoadAsync(ct);

    public async Task<IActionResult> OnPostChatAsync(CancellationToken ct)
    {
        var teams = RemoveTeams ? "" : string.IsNullOrWhiteSpace(TeamsUrl) ? null : TeamsUrl;
        var slack = RemoveSlack ? "" : string.IsNullOrWhiteSpace(SlackUrl) ? null : SlackUrl;
        await RunAsync(() => settings.UpdateAsync(org.Id, new NotificationSettingsChange(teams, slack), ct), "Chat channels saved.");
        TeamsUrl = SlackUrl = null;
        ModelState.Remove(nameof(TeamsUrl));
        ModelState.Remove(nameof(SlackUrl));
        await LoadAsync(ct);
        return Page();
    }

    public async Task<IActionResult> OnPostEscalationAsync(Guid? defaultEscalationUserId, CancellationToken ct)
    {
        await RunAsync(() => settings.UpdateAsync(org.Id, new NotificationSettingsChange(ChangeDefaultEscalation: true, DefaultEscalationUserId: defaultEscalationUserId), ct),
            "Default escalation contact saved.");
        await LoadAsync(ct);
        return Page();
    }

    public async Task<IActionResult> OnPostManagerAsync(Guid userId, Guid? managerUserId, CancellationToken ct)
    {
        await RunAsync(() => settings.SetManagerAsync(org.Id, userId, managerUserId, ct), "Line manager saved.");
        await LoadAsync(ct);
        return Page();
    }

    private async Task RunAsync(Func<Task> action, string done)
    {
        try
        {
            await action();
            Saved = done;
        }
        catch (UseCaseException e)
        {
            ModelState.AddModelError(string.Empty, e.Message);
        }
    }

    private async Task LoadAsync(CancellationToken ct)
    {
        Settings = await settings.GetAsync(org.Id, ct);
        Delivery = await settings.DeliveryStatusAsync(org.Id, ct);
        Members = await settings.MembersAsync(org.Id, ct);
    }
}

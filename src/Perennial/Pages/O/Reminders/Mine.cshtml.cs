using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;
using Perennial.Reminders;
using Perennial.Security;

namespace Perennial.Pages.O.Reminders;

/// <summary>A member's own reminder preferences in this organisation.</summary>
public sealed class MineModel(CurrentOrg org, CurrentUser user, NotificationSettingsService settings) : PageModel
{
    public CurrentOrg Org => org;
    public MemberNotificationRow? Me { get; private set; }
    public bool Saved { get; private set; }

    [BindProperty]
    public bool MuteEmail { get; set; }

    [BindProperty]
    public bool WeeklyDigest { get; set; }

    [BindProperty]
    public bool ReadinessDigest { get; set; }

    public async Task OnGetAsync(CancellationToken ct)
    {
        Me = await settings.PreferencesAsync(org.Id, user.RequireId(), ct);
        MuteEmail = Me.MuteEmail;
        WeeklyDigest = Me.WeeklyDigest;
        ReadinessDigest = Me.ReadinessDigest;
    }

    public async Task<IActionResult> OnPostAsync(CancellationToken ct)
    {
        Me = await settings.SetPreferencesAsync(org.Id, user.RequireId(), MuteEmail, WeeklyDigest, ReadinessDigest, ct);
        Saved = true;
        return Page();
    }
}

using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;
using Perennial.Changes;
using Perennial.Security;

namespace Perennial.Pages.O.Changes;

public sealed class WebhookModel(CurrentOrg org, ChangeWebhook webhook) : PageModel
{
    public CurrentOrg Org => org;
    public DateTimeOffset? SecretCreatedAt { get; private set; }

    /// <summary>Shown in the response to the create request only; stored encrypted, never shown again.</summary>
    public string? NewSecret { get; private set; }

    public string WebhookUrl => ChangesApi.WebhookUrl(Request, org.Slug);

    public async Task OnGetAsync(CancellationToken ct) => SecretCreatedAt = await webhook.SecretCreatedAtAsync(org.Id, ct);

    public async Task<IActionResult> OnPostAsync(CancellationToken ct)
    {
        NewSecret = await webhook.CreateSecretAsync(org.Id, ct);
        SecretCreatedAt = await webhook.SecretCreatedAtAsync(org.Id, ct);
        return Page();
    }
}

using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;
using Perennial.Common;
using Perennial.Feeds;
using Perennial.Hosting;
using Perennial.Organisations;
using Perennial.Security;

namespace Perennial.Pages.O.Feeds;

/// <summary>The signed-in person's calendar subscription URLs in this organisation: create, replace, revoke.</summary>
public sealed class IndexModel(CurrentOrg org, CurrentUser user, CalendarFeedService feeds, PerennialOptions options) : PageModel
{
    public CurrentOrg Org => org;
    public IReadOnlyList<CalendarFeedSummary> Feeds { get; private set; } = [];

    /// <summary>Shown in the response to the create request only: Perennial keeps just the token's hash.</summary>
    public string? NewUrl { get; private set; }
    public FeedScope? NewScope { get; private set; }

    public bool CanHaveOrganisationFeed => org.Can(CalendarFeedService.MinimumRole(FeedScope.Organisation));

    public CalendarFeedSummary? Current(FeedScope scope) => Feeds.FirstOrDefault(f => f.Scope == scope);

    public async Task OnGetAsync(CancellationToken ct) => await LoadAsync(ct);

    public async Task<IActionResult> OnPostCreateAsync(string? scope, CancellationToken ct)
    {
        try
        {
            var parsed = FeedsApi.ParseScope(scope);
            var created = await feeds.CreateAsync(org.Id, user.RequireId(), parsed, ct);
            NewUrl = FeedsApi.SubscriptionUrl(options.PublicUri(), created.Token);
            NewScope = parsed;
        }
        catch (UseCaseException e)
        {
            ModelState.AddModelError(string.Empty, e.Message);
        }

        await LoadAsync(ct);
        return Page();
    }

    public async Task<IActionResult> OnPostRevokeAsync(Guid id, CancellationToken ct)
    {
        try
        {
            await feeds.RevokeAsync(org.Id, user.RequireId(), id, ct);
        }
        catch (UseCaseException)
        {
            return NotFound();
        }

        return RedirectToPage();
    }

    public static string Label(FeedScope scope) => scope == FeedScope.Organisation ? "Organisation-wide feed" : "My feed";

    public static string Describe(FeedScope scope) => scope == FeedScope.Organisation
        ? "every occurrence of every activity in the organisation"
        : "the occurrences of the activities you own or deputise for";

    public static string Webcal(string url) => FeedsApi.WebcalUrl(url);

    public static OrgRole MinimumRole(FeedScope scope) => CalendarFeedService.MinimumRole(scope);

    private async Task LoadAsync(CancellationToken ct) => Feeds = await feeds.ListAsync(org.Id, user.RequireId(), ct);
}

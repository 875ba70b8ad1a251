using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;
using Perennial.AccessReviews;
using Perennial.Activities;
using Perennial.Common;
using Perennial.Organisations;
using Perennial.Pages.Shared;
using Perennial.Paging;
using Perennial.Security;

namespace Perennial.Pages.O.AccessReviews;

/// <summary>
/// One review: the accounts with their access and a keep / revoke / change control each, paged for big
/// directories, the progress, sign-off, and the follow-up actions once signed off.
/// </summary>
public sealed class DetailModel(CurrentOrg org, CurrentUser user, AccessReviewService reviews) : PageModel
{
    private const string Message = "access-review-message";

    [FromQuery(Name = "undecided")] public bool Undecided { get; set; }
    [FromQuery(Name = "q")] public string? Search { get; set; }
    [FromQuery(Name = "page")] public int PageNumber { get; set; } = 1;

    public CurrentOrg Org => org;
    public AccessReview Review { get; private set; } = null!;
    public Activity Activity => Review.Occurrence!.Activity!;
    public Paged<AccessReviewEntry> Entries { get; private set; } = new([], 1, PageRequest.DefaultPageSize, 0);
    public IReadOnlyList<AccessReviewAction> Actions { get; private set; } = [];
    public int Decided { get; private set; }
    public int Total { get; private set; }
    public string? Notice { get; private set; }
    public bool IsOpen => Review.State == AccessReviewState.Open;

    public bool CanDecide => org.Can(OrgRole.Manager)
        || (org.Can(OrgRole.Contributor) && user.Id is Guid me && (Review.ReviewerUserId == me || Activity.OwnerUserId == me || Activity.DeputyUserId == me));

    public bool CanSignOff => org.Can(OrgRole.Manager) || (org.Can(OrgRole.Contributor) && user.Id is Guid me && Activity.OwnerUserId == me);

    public string Query => $"{(Undecided ? "&undecided=true" : "")}{(string.IsNullOrWhiteSpace(Search) ? "" : "&q=" + Uri.EscapeDataString(Search))}";

    public PagerModel Pager => new($"/o/{org.Slug}/access-reviews/{Review.Id}", Entries.Page, Entries.PageSize, Entries.Total, Query);

    public async Task<IActionResult> OnGetAsync(Guid id, CancellationToken ct)
    {
        Notice = TempData[Message] as string;
        return await LoadAsync(id, ct) ? Page() : NotFound();
    }

    public Task<IActionResult> OnPostDecideAsync(Guid id, Guid entryId, string? decision, string? note, string? accessToRemove, CancellationToken ct) =>
        ActAsync(id, async actor =>
        {
            if (!AccessReviewService.TryParseDecision(decision, out var parsed))
            {
                throw UseCaseException.Invalid("decision", "Choose keep, revoke or change.");
            }

            var remove = (accessToRemove ?? "").Split([';', '\n', '\r'], StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
            var entry = await reviews.DecideAsync(org.Id, id, entryId, new AccessDecisionInput(parsed, note, remove), actor, ct);
            return $"{entry.AccountId}: {AccessReviewService.ToName(entry.Decision)}.";
        }, ct);

    public Task<IActionResult> OnPostKeepUndecidedAsync(Guid id, string? access, CancellationToken ct) =>
        ActAsync(id, async actor =>
        {
            var kept = await reviews.KeepUndecidedAsync(org.Id, id, access, actor, ct);
            return $"Kept {kept} undecided account{(kept == 1 ? "" : "s")}{(string.IsNullOrWhiteSpace(access) ? "" : $" holding {access.Trim()}")}.";
        }, ct);

    public Task<IActionResult> OnPostSignOffAsync(Guid id, string? note, DateOnly? actionsDue, CancellationToken ct) =>
        ActAsync(id, async actor =>
        {
            await reviews.SignOffAsync(org.Id, id, note, actionsDue, actor, ct);
            return "Signed off. The review record is stored as evidence of the occurrence; complete the occurrence when the work is done.";
        }, ct);

    private async Task<IActionResult> ActAsync(Guid id, Func<OccurrenceActor, Task<string>> action, CancellationToken ct)
    {
        try
        {
            TempData[Message] = await action(new OccurrenceActor(user.RequireId(), org.Role));
            return Redirect($"/o/{org.Slug}/access-reviews/{id}?page={PageNumber}{Query}");
        }
        catch (UseCaseException e) when (e.Kind == UseCaseErrorKind.NotFound)
        {
            return NotFound();
        }
        catch (UseCaseException e) when (e.Kind == UseCaseErrorKind.Forbidden)
        {
            return StatusCode(StatusCodes.Status403Forbidden);
        }
        catch (UseCaseException e)
        {
            ModelState.AddModelError(e.Field ?? string.Empty, e.Message);
            return await LoadAsync(id, ct) ? Page() : NotFound();
        }
    }

    private async Task<bool> LoadAsync(Guid id, CancellationToken ct)
    {
        try
        {
            Review = await reviews.GetAsync(org.Id, id, ct);
        }
        catch (UseCaseException e) when (e.Kind == UseCaseErrorKind.NotFound)
        {
            return false;
        }

        (Decided, Total) = await reviews.ProgressAsync(id, ct);
        Entries = await reviews.EntriesAsync(org.Id, id, Undecided, Search, PageRequest.ForUi(PageNumber), ct);
        Actions = (await reviews.ActionsAsync(org.Id, id, null, new PageRequest(1, PageRequest.MaxPageSize), ct)).Items;
        return true;
    }
}

using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;
using Perennial.Common;
using Perennial.Data;
using Perennial.ManagementReviews;
using Perennial.Organisations;
using Perennial.Paging;
using Perennial.Security;

namespace Perennial.Pages.O.ManagementReviews;

/// <summary>
/// One management review: its pack section by section (live until held, frozen after), the minutes
/// of each input, its decisions and their follow-up. The chair or a manager records minutes and
/// decisions and holds the review; a decision's owner marks it done.
/// </summary>
public sealed class DetailModel(CurrentOrg org, CurrentUser user, ManagementReviewService reviews, OrganisationService organisations, PerennialDbContext db, TimeProvider time) : PageModel
{
    public CurrentOrg Org => org;
    public ReviewDetail Detail { get; private set; } = null!;
    public ManagementReview Review => Detail.Review;
    public ReviewPackModel Pack { get; private set; } = null!;
    public IReadOnlyList<MemberSummary> Members { get; private set; } = [];
    public IReadOnlyDictionary<string, string> Minutes { get; private set; } = new Dictionary<string, string>();
    public bool CanManage => org.Can(OrgRole.Manager);
    public bool CanRun => Review.Status != ReviewStatus.Cancelled && (CanManage || (org.Can(OrgRole.Contributor) && user.Id == Review.ChairUserId));
    public Guid? UserId => user.Id;
    public DateOnly Today => DateOnly.FromDateTime(time.GetUtcNow().UtcDateTime);

    public async Task<IActionResult> OnGetAsync(Guid id, CancellationToken ct) => await LoadAsync(id, ct) ? Page() : NotFound();

    public Task<IActionResult> OnPostHoldAsync(Guid id, CancellationToken ct) =>
        ActAsync(id, "status", () => reviews.HoldAsync(org.Id, id, Actor, ct), ct);

    public Task<IActionResult> OnPostCancelAsync(Guid id, string? reason, CancellationToken ct) =>
        ActAsync(id, "reason", () => reviews.CancelAsync(org.Id, id, Actor, reason, ct), ct);

    public Task<IActionResult> OnPostMinutesAsync(Guid id, string? input, string? text, CancellationToken ct) =>
        ActAsync(id, $"minutes-{input}", () => reviews.RecordMinutesAsync(org.Id, id, Actor, input, text, ct), ct, $"#section-{input}");

    public Task<IActionResult> OnPostDecisionAsync(Guid id, string? kind, string? input, string? title, string? description, Guid? ownerUserId, DateOnly? dueOn, CancellationToken ct) =>
        ActAsync(id, "decision-title", () => reviews.DecideAsync(org.Id, id, Actor,
            new DecisionInput(ReviewNames.ParseKind(kind), input, title, description, ownerUserId, dueOn), ct), ct, "#decisions");

    public Task<IActionResult> OnPostDoneAsync(Guid id, Guid decisionId, string? note, CancellationToken ct) =>
        ActAsync(id, "done-note", () => reviews.CompleteDecisionAsync(org.Id, decisionId, Actor, note, ct), ct, "#decisions");

    private ReviewActor Actor => new(user.RequireId(), org.Role);

    private async Task<IActionResult> ActAsync<T>(Guid id, string field, Func<Task<T>> step, CancellationToken ct, string anchor = "")
    {
        if (!org.Can(OrgRole.Contributor))
        {
            return StatusCode(StatusCodes.Status403Forbidden);
        }

        try
        {
            await step();
            return Redirect($"/o/{org.Slug}/management-reviews/{id}{anchor}");
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
            db.ChangeTracker.Clear();
            ModelState.AddModelError(e.Field is null || e.Field == "text" || e.Field == "title" ? field : e.Field, e.Message);
            return await LoadAsync(id, ct) ? Page() : NotFound();
        }
    }

    private async Task<bool> LoadAsync(Guid id, CancellationToken ct)
    {
        try
        {
            Detail = await reviews.DetailAsync(org.Id, id, ct);
        }
        catch (UseCaseException e) when (e.Kind == UseCaseErrorKind.NotFound)
        {
            return false;
        }

        Pack = await reviews.PackAsync(org.Id, id, ct);
        Minutes = Detail.Minutes.ToDictionary(m => m.Input, m => m.Text, StringComparer.Ordinal);
        if (CanRun)
        {
            Members = [.. (await organisations.ListMembersAsync(org.Id, new PageRequest(1, PageRequest.MaxPageSize), ct)).Items.Where(m => m.Active && m.Role >= OrgRole.Contributor)];
        }

        return true;
    }
}

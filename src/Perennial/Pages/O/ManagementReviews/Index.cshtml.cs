using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;
using Perennial.Common;
using Perennial.Data;
using Perennial.ManagementReviews;
using Perennial.Organisations;
using Perennial.Pages.Shared;
using Perennial.Paging;
using Perennial.Security;

namespace Perennial.Pages.O.ManagementReviews;

/// <summary>Management reviews, held and to come, with the decisions still open; managers schedule reviews here.</summary>
public sealed class IndexModel(CurrentOrg org, CurrentUser user, ManagementReviewService reviews, OrganisationService organisations, PerennialDbContext db, TimeProvider time) : PageModel
{
    [FromQuery(Name = "page")] public int PageNumber { get; set; } = 1;

    public CurrentOrg Org => org;
    public bool CanManage => org.Can(OrgRole.Manager);
    public DateOnly Today => DateOnly.FromDateTime(time.GetUtcNow().UtcDateTime);
    public Paged<ManagementReview> Reviews { get; private set; } = new([], 1, PageRequest.DefaultPageSize, 0);
    public IReadOnlyList<DecisionRow> OpenDecisions { get; private set; } = [];
    public IReadOnlyList<MemberSummary> Members { get; private set; } = [];
    public IReadOnlyDictionary<Guid, string> Names { get; private set; } = new Dictionary<Guid, string>();
    public string? Scheduled { get; private set; }

    /// <summary>Said when the programme falls short of one review a year: none held in the last twelve months and none scheduled within them.</summary>
    public string? Interval { get; private set; }

    public PagerModel Pager => new($"/o/{org.Slug}/management-reviews", Reviews.Page, Reviews.PageSize, Reviews.Total, "");

    public async Task OnGetAsync(CancellationToken ct) => await LoadAsync(ct);

    public async Task<IActionResult> OnPostAsync(string? title, DateOnly? scheduledOn, Guid? chairUserId, List<Guid>? attendeeUserIds, DateOnly? firstPeriodFrom, string? location, CancellationToken ct)
    {
        if (!CanManage)
        {
            return StatusCode(StatusCodes.Status403Forbidden);
        }

        try
        {
            var review = await reviews.ScheduleAsync(org.Id, Actor, new ReviewInput(title, scheduledOn, location, chairUserId, attendeeUserIds ?? [], firstPeriodFrom), ct);
            return Redirect($"/o/{org.Slug}/management-reviews/{review.Id}");
        }
        catch (UseCaseException e)
        {
            db.ChangeTracker.Clear();
            ModelState.AddModelError(e.Field ?? "scheduledOn", e.Message);
            await LoadAsync(ct);
            return Page();
        }
    }

    public async Task<IActionResult> OnPostForAuditsAsync(CancellationToken ct)
    {
        if (!CanManage)
        {
            return StatusCode(StatusCodes.Status403Forbidden);
        }

        var created = await reviews.ScheduleForAuditsAsync(org.Id, Actor, null, ct);
        await LoadAsync(ct);
        Scheduled = created.Count == 0
            ? "Every coming external audit already has a review before it (or none is planned)."
            : $"Scheduled {string.Join(", ", created.Select(r => $"{r.Reference} on {r.ScheduledOn:yyyy-MM-dd}"))}.";
        return Page();
    }

    private ReviewActor Actor => new(user.RequireId(), org.Role);

    private async Task LoadAsync(CancellationToken ct)
    {
        Reviews = await reviews.ListAsync(org.Id, new ReviewQuery(), PageRequest.ForUi(PageNumber), ct);
        var held1 = (await reviews.ListAsync(org.Id, new ReviewQuery(ReviewStatus.Held), new PageRequest(1, 1), ct)).Items;
        var lastHeld = held1.Count > 0 ? held1[0] : null;
        var next = await reviews.NextAsync(org.Id, ct);
        var due = lastHeld?.HeldAt is { } held ? DateOnly.FromDateTime(held.UtcDateTime).AddYears(1) : (DateOnly?)null;
        Interval = next is null && lastHeld is null && Reviews.Total > 0 ? "No review has been held and none is scheduled: top management reviews the ISMS at least once a year."
            : next is null && due is { } d ? $"No review is scheduled. The last was held {lastHeld!.HeldAt:yyyy-MM-dd}; the next is due by {d:yyyy-MM-dd} at the latest."
            : next is not null && due is { } by && next.ScheduledOn > by ? $"The next review ({next.Reference}, {next.ScheduledOn:yyyy-MM-dd}) falls more than a year after the last one (held {lastHeld!.HeldAt:yyyy-MM-dd})."
            : null;
        OpenDecisions = await reviews.OpenDecisionsAsync(org.Id, null, ct);
        var members = (await organisations.ListMembersAsync(org.Id, new PageRequest(1, PageRequest.MaxPageSize), ct)).Items;
        Names = members.ToDictionary(m => m.UserId, m => m.DisplayName);
        Members = [.. members.Where(m => m.Active && m.Role >= OrgRole.Contributor)];
    }
}

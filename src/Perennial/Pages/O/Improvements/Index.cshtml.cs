using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;
using Microsoft.EntityFrameworkCore;
using Perennial.Common;
using Perennial.Data;
using Perennial.Improvements;
using Perennial.Organisations;
using Perennial.Pages.Shared;
using Perennial.Paging;
using Perennial.Security;

namespace Perennial.Pages.O.Improvements;

/// <summary>The improvement register: proposals from audits, reviews and staff, decided by a manager and carried out by their owner.</summary>
public sealed class IndexModel(CurrentOrg org, CurrentUser user, ImprovementRegister register, OrganisationService organisations, PerennialDbContext db) : PageModel
{
    [FromQuery(Name = "page")] public int PageNumber { get; set; } = 1;

    public CurrentOrg Org => org;
    public bool CanPropose => org.Can(OrgRole.Contributor);
    public bool CanDecide => org.Can(OrgRole.Manager);
    public Paged<Improvement> Items { get; private set; } = new([], 1, PageRequest.DefaultPageSize, 0);
    public IReadOnlyDictionary<Guid, string> Names { get; private set; } = new Dictionary<Guid, string>();
    public IReadOnlyList<MemberSummary> Members { get; private set; } = [];
    public PagerModel Pager => new($"/o/{org.Slug}/improvements", Items.Page, Items.PageSize, Items.Total);

    public static string Label(ImprovementStatus status) => status switch
    {
        ImprovementStatus.Open => "Open: to decide",
        ImprovementStatus.InProgress => "Adopted, in progress",
        ImprovementStatus.Done => "Done",
        _ => "Rejected",
    };

    public static string Label(ImprovementSource source) => source switch
    {
        ImprovementSource.InternalAudit => "Internal audit",
        ImprovementSource.ManagementReview => "Management review",
        ImprovementSource.CertificationBody => "Certification body",
        _ => "Staff",
    };

    public async Task OnGetAsync(CancellationToken ct) => await LoadAsync(ct);

    public Task<IActionResult> OnPostProposeAsync(string? title, string? description, Guid? ownerUserId, CancellationToken ct) =>
        ActAsync(() => register.AddAsync(org.Id, user.RequireId(), new NewImprovement(title, description, ImprovementSource.Staff, null, ownerUserId), ct), "title", ct);

    public Task<IActionResult> OnPostDecideAsync(Guid id, string? decision, string? reason, Guid? ownerUserId, CancellationToken ct)
    {
        if (!CanDecide)
        {
            return Task.FromResult<IActionResult>(StatusCode(StatusCodes.Status403Forbidden));
        }

        return ActAsync(() => register.DecideAsync(org.Id, id, user.RequireId(),
            decision == "rejected" ? ImprovementDecision.Rejected : decision == "adopted" ? ImprovementDecision.Adopted : throw UseCaseException.Invalid("decision", "Adopt it or reject it."),
            reason, ownerUserId, ct), $"decision-{id}", ct);
    }

    public Task<IActionResult> OnPostDoneAsync(Guid id, CancellationToken ct) =>
        ActAsync(() => register.CompleteAsync(org.Id, id, ct), $"done-{id}", ct);

    private async Task<IActionResult> ActAsync(Func<Task<Improvement>> step, string field, CancellationToken ct)
    {
        try
        {
            await step();
            return Redirect($"/o/{org.Slug}/improvements");
        }
        catch (UseCaseException e) when (e.Kind == UseCaseErrorKind.NotFound)
        {
            return NotFound();
        }
        catch (UseCaseException e)
        {
            db.ChangeTracker.Clear();
            ModelState.AddModelError(field, e.Message);
            await LoadAsync(ct);
            return Page();
        }
    }

    private async Task LoadAsync(CancellationToken ct)
    {
        Items = await register.ListAsync(org.Id, null, PageRequest.ForUi(PageNumber), ct);
        Members = [.. (await organisations.ListMembersAsync(org.Id, new PageRequest(1, PageRequest.MaxPageSize), ct)).Items.Where(m => m.Active && m.Role >= OrgRole.Contributor)];
        var people = Items.Items.Select(i => i.OwnerUserId).OfType<Guid>().Distinct().ToList();
        Names = await db.Users.AsNoTracking().Where(u => people.Contains(u.Id)).ToDictionaryAsync(u => u.Id, u => u.DisplayName, ct);
    }
}

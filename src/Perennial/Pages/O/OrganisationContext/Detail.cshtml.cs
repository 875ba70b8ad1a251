using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;
using Microsoft.EntityFrameworkCore;
using Perennial.Common;
using Perennial.Data;
using Perennial.OrganisationContext;
using Perennial.Organisations;
using Perennial.Paging;
using Perennial.Security;

namespace Perennial.Pages.O.OrganisationContext;

/// <summary>A requirement row of the edit form.</summary>
public sealed class RequirementField
{
    public string? Text { get; set; }
    public bool Addressed { get; set; }
    public string? How { get; set; }
}

/// <summary>One entry of the context register: its facts and requirements, its owner's review, a manager's edit or retirement, and its history.</summary>
public sealed class DetailModel(CurrentOrg org, CurrentUser user, ContextRegister register, OrganisationService organisations, PerennialDbContext db, TimeProvider time) : PageModel
{
    /// <summary>Empty requirement rows the edit form offers for new requirements.</summary>
    public const int SpareRows = 3;

    public CurrentOrg Org => org;
    public ContextEntry Entry { get; private set; } = null!;
    public IReadOnlyList<ContextRevision> Revisions { get; private set; } = [];
    public IReadOnlyList<MemberSummary> Members { get; private set; } = [];
    public string OwnerName { get; private set; } = "";
    public bool CanManage => org.Can(OrgRole.Manager);
    public bool CanReview => Entry.Status == ContextStatus.Active && (CanManage || (org.Can(OrgRole.Contributor) && user.Id == Entry.OwnerUserId));
    public bool ReviewDue => Entry.Status == ContextStatus.Active && Entry.NextReviewOn <= DateOnly.FromDateTime(time.GetUtcNow().UtcDateTime);

    public async Task<IActionResult> OnGetAsync(Guid id, CancellationToken ct) => await LoadAsync(id, ct) ? Page() : NotFound();

    public Task<IActionResult> OnPostReviewAsync(Guid id, string? note, CancellationToken ct) =>
        ActAsync(id, "note", () => register.ReviewAsync(org.Id, id, Actor, note, ct), ct);

    public Task<IActionResult> OnPostEditAsync(
        Guid id, string? title, string? description, string? category, bool climateChange, string? relevance, Guid? ownerUserId, int? reviewIntervalMonths,
        List<RequirementField>? requirements, string? note, CancellationToken ct)
    {
        if (!CanManage)
        {
            return Task.FromResult<IActionResult>(StatusCode(StatusCodes.Status403Forbidden));
        }

        var rows = (requirements ?? []).Where(r => !string.IsNullOrWhiteSpace(r.Text) || !string.IsNullOrWhiteSpace(r.How))
            .Select(r => new RequirementInput(r.Text, r.Addressed, r.How)).ToList();
        return ActAsync(id, "title", () => register.UpdateAsync(org.Id, id, Actor,
            new ContextInput(null, title, description, category, climateChange, relevance != "not-relevant", ownerUserId, reviewIntervalMonths, rows), note, ct), ct);
    }

    public Task<IActionResult> OnPostRetireAsync(Guid id, string? reason, CancellationToken ct) =>
        CanManage
            ? ActAsync(id, "reason", () => register.RetireAsync(org.Id, id, Actor, reason, ct), ct)
            : Task.FromResult<IActionResult>(StatusCode(StatusCodes.Status403Forbidden));

    private ContextActor Actor => new(user.RequireId(), user.DisplayName, org.Role);

    private async Task<IActionResult> ActAsync(Guid id, string field, Func<Task<ContextEntry>> step, CancellationToken ct)
    {
        try
        {
            await step();
            return Redirect($"/o/{org.Slug}/context/{id}");
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
            ModelState.AddModelError(e.Field ?? field, e.Message);
            return await LoadAsync(id, ct) ? Page() : NotFound();
        }
    }

    private async Task<bool> LoadAsync(Guid id, CancellationToken ct)
    {
        try
        {
            Entry = await register.GetAsync(org.Id, id, ct);
        }
        catch (UseCaseException e) when (e.Kind == UseCaseErrorKind.NotFound)
        {
            return false;
        }

        Revisions = await register.RevisionsAsync(org.Id, id, ct);
        OwnerName = await db.Users.AsNoTracking().Where(u => u.Id == Entry.OwnerUserId).Select(u => u.DisplayName).FirstOrDefaultAsync(ct) ?? "someone no longer a member";
        if (CanManage)
        {
            Members = [.. (await organisations.ListMembersAsync(org.Id, new PageRequest(1, PageRequest.MaxPageSize), ct)).Items.Where(m => m.Active && m.Role >= OrgRole.Contributor)];
        }

        return true;
    }
}

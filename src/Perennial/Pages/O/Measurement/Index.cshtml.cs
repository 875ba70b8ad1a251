using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;
using Perennial.Common;
using Perennial.Data;
using Perennial.Measurement;
using Perennial.Organisations;
using Perennial.Paging;
using Perennial.Security;

namespace Perennial.Pages.O.Measurement;

/// <summary>Security objectives and the measures that track them, each with its newest value against its target; managers add both here.</summary>
public sealed class IndexModel(CurrentOrg org, CurrentUser user, MeasureService measures, ObjectiveService objectives, OrganisationService organisations, PerennialDbContext db) : PageModel
{
    public CurrentOrg Org => org;
    public bool CanManage => org.Can(OrgRole.Manager);
    public IReadOnlyList<MeasureSummary> Measures { get; private set; } = [];
    public IReadOnlyList<ObjectiveSummary> Objectives { get; private set; } = [];
    public IReadOnlyList<MemberSummary> Members { get; private set; } = [];

    public async Task OnGetAsync(CancellationToken ct) => await LoadAsync(ct);

    public async Task<IActionResult> OnPostMeasureAsync(
        string? name, string? description, string? method, string? frequency, Guid? analystUserId, string? unit, string? direction, double? target, double? threshold, CancellationToken ct)
    {
        if (!CanManage)
        {
            return StatusCode(StatusCodes.Status403Forbidden);
        }

        return await ActAsync("name", async () =>
        {
            var measure = await measures.CreateAsync(org.Id, Actor, new MeasureInput(name, description, method, MeasureNames.ParseFrequency(frequency), analystUserId, unit,
                MeasureNames.ParseDirection(direction), target, threshold), ct);
            return $"/o/{org.Slug}/measures/{measure.Id}";
        }, ct);
    }

    public async Task<IActionResult> OnPostObjectiveAsync(string? title, string? description, Guid? ownerUserId, Guid? measureId, double? target, DateOnly? dueOn, CancellationToken ct)
    {
        if (!CanManage)
        {
            return StatusCode(StatusCodes.Status403Forbidden);
        }

        return await ActAsync("title", async () =>
        {
            var objective = await objectives.CreateAsync(org.Id, Actor, new ObjectiveInput(title, description, ownerUserId, measureId, target, dueOn, null, null), ct);
            return $"/o/{org.Slug}/objectives/{objective.Id}";
        }, ct);
    }

    private MeasureActor Actor => new(user.RequireId(), org.Role);

    private async Task<IActionResult> ActAsync(string field, Func<Task<string>> step, CancellationToken ct)
    {
        try
        {
            return Redirect(await step());
        }
        catch (UseCaseException e)
        {
            db.ChangeTracker.Clear();
            ModelState.AddModelError(e.Field ?? field, e.Message);
            await LoadAsync(ct);
            return Page();
        }
    }

    private async Task LoadAsync(CancellationToken ct)
    {
        Measures = await measures.ListAsync(org.Id, false, ct);
        Objectives = await objectives.ListAsync(org.Id, null, ct);
        if (CanManage)
        {
            Members = [.. (await organisations.ListMembersAsync(org.Id, new PageRequest(1, PageRequest.MaxPageSize), ct)).Items.Where(m => m.Active && m.Role >= OrgRole.Contributor)];
        }
    }
}

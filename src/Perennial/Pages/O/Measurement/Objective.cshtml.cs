using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;
using Perennial.Common;
using Perennial.Data;
using Perennial.Measurement;
using Perennial.Organisations;
using Perennial.Security;

namespace Perennial.Pages.O.Measurement;

/// <summary>One objective: owner, target and due date, its measure's trend against the objective's target, and a manager's status update.</summary>
public sealed class ObjectiveModel(CurrentOrg org, CurrentUser user, ObjectiveService objectives, MeasureService measures, PerennialDbContext db, TimeProvider time) : PageModel
{
    public CurrentOrg Org => org;
    public ObjectiveSummary Summary { get; private set; } = null!;
    public Objective Objective => Summary.Objective;
    public string? Chart { get; private set; }
    public bool CanManage => org.Can(OrgRole.Manager);

    public async Task<IActionResult> OnGetAsync(Guid id, CancellationToken ct) => await LoadAsync(id, ct) ? Page() : NotFound();

    public async Task<IActionResult> OnPostAsync(Guid id, string? status, string? statusNote, double? target, DateOnly? dueOn, CancellationToken ct)
    {
        if (!CanManage)
        {
            return StatusCode(StatusCodes.Status403Forbidden);
        }

        try
        {
            var o = await objectives.GetAsync(org.Id, id, ct);
            await objectives.UpdateAsync(org.Id, id, new MeasureActor(user.RequireId(), org.Role),
                new ObjectiveInput(o.Title, o.Description, o.OwnerUserId, o.MeasureId, target, dueOn ?? o.DueOn, MeasureNames.ParseStatus(status), statusNote), ct);
            return Redirect($"/o/{org.Slug}/objectives/{id}");
        }
        catch (UseCaseException e) when (e.Kind == UseCaseErrorKind.NotFound)
        {
            return NotFound();
        }
        catch (UseCaseException e)
        {
            db.ChangeTracker.Clear();
            ModelState.AddModelError(e.Field ?? "status", e.Message);
            return await LoadAsync(id, ct) ? Page() : NotFound();
        }
    }

    private async Task<bool> LoadAsync(Guid id, CancellationToken ct)
    {
        try
        {
            Summary = await objectives.SummaryAsync(org.Id, id, ct);
        }
        catch (UseCaseException e) when (e.Kind == UseCaseErrorKind.NotFound)
        {
            return false;
        }

        if (Summary.Measure is { } m)
        {
            var today = DateOnly.FromDateTime(time.GetUtcNow().UtcDateTime);
            var values = await measures.ValuesAsync(org.Id, m.Id, today.AddYears(-1), today, ct);
            Chart = TrendChart.Render($"{Objective.Reference} tracked by {m.Reference} {m.Name}", m.Unit, [.. values.Select(v => new ChartPoint(v.On, v.Value))],
                Summary.EffectiveTarget, Objective.Target is null ? m.Threshold : null);
        }

        return true;
    }
}

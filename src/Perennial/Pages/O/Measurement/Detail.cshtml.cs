using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;
using Perennial.Common;
using Perennial.Data;
using Perennial.Measurement;
using Perennial.Organisations;
using Perennial.Paging;
using Perennial.Security;

namespace Perennial.Pages.O.Measurement;

/// <summary>One measure: what and how it measures, its trend against the target as a chart, its values, and (for an entered measure) a value form.</summary>
public sealed class DetailModel(CurrentOrg org, CurrentUser user, MeasureService measures, OrganisationService organisations, PerennialDbContext db, TimeProvider time) : PageModel
{
    public CurrentOrg Org => org;
    public MeasureSummary Summary { get; private set; } = null!;
    public Measure Measure => Summary.Measure;
    public IReadOnlyList<MeasureValue> Values { get; private set; } = [];
    public string Chart { get; private set; } = "";
    public IReadOnlyList<MemberSummary> Members { get; private set; } = [];
    public bool CanManage => org.Can(OrgRole.Manager);
    public bool CanRecord => !Measure.IsBuiltIn && (CanManage || (org.Can(OrgRole.Contributor) && user.Id == Measure.AnalystUserId));
    public DateOnly Today => DateOnly.FromDateTime(time.GetUtcNow().UtcDateTime);

    public async Task<IActionResult> OnGetAsync(Guid id, CancellationToken ct) => await LoadAsync(id, ct) ? Page() : NotFound();

    public Task<IActionResult> OnPostValueAsync(Guid id, DateOnly? on, double? value, string? note, CancellationToken ct) =>
        ActAsync(id, "value", () => measures.RecordAsync(org.Id, id, new MeasureActor(user.RequireId(), org.Role), [new ValueInput(on, value, note)], ct), ct);

    public Task<IActionResult> OnPostEditAsync(
        Guid id, string? name, string? description, string? method, string? frequency, Guid? analystUserId, string? unit, string? direction, double? target, double? threshold, bool active,
        CancellationToken ct) =>
        !CanManageNow
            ? Task.FromResult<IActionResult>(StatusCode(StatusCodes.Status403Forbidden))
            : ActAsync(id, "name", () => measures.UpdateAsync(org.Id, id, new MeasureActor(user.RequireId(), org.Role),
                new MeasureInput(name, description, method, MeasureNames.ParseFrequency(frequency), analystUserId, unit, MeasureNames.ParseDirection(direction), target, threshold, active), ct), ct);

    public Task<IActionResult> OnPostRecomputeAsync(Guid id, CancellationToken ct) =>
        !CanManageNow
            ? Task.FromResult<IActionResult>(StatusCode(StatusCodes.Status403Forbidden))
            : ActAsync(id, "measure", () => measures.RecomputeAsync(org.Id, Today, ct), ct);

    private bool CanManageNow => org.Can(OrgRole.Manager);

    private async Task<IActionResult> ActAsync<T>(Guid id, string field, Func<Task<T>> step, CancellationToken ct)
    {
        try
        {
            await step();
            return Redirect($"/o/{org.Slug}/measures/{id}");
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
            Summary = await measures.SummaryAsync(org.Id, id, ct);
        }
        catch (UseCaseException e) when (e.Kind == UseCaseErrorKind.NotFound)
        {
            return false;
        }

        var today = Today;
        Values = await measures.ValuesAsync(org.Id, id, today.AddYears(-1), today, ct);
        Chart = TrendChart.Render($"{Measure.Reference} {Measure.Name} over the last year", Measure.Unit, [.. Values.Select(v => new ChartPoint(v.On, v.Value))], Measure.Target, Measure.Threshold);
        if (CanManage)
        {
            Members = [.. (await organisations.ListMembersAsync(org.Id, new PageRequest(1, PageRequest.MaxPageSize), ct)).Items.Where(m => m.Active && m.Role >= OrgRole.Contributor)];
        }

        return true;
    }
}

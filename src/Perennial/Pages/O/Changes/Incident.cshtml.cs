using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;
using Perennial.Common;
using Perennial.Data;
using Perennial.Incidents;
using Perennial.Nonconformities;
using Perennial.Organisations;
using Perennial.Security;

namespace Perennial.Pages.O.Changes;

/// <summary>One incident: what happened, its timeline, the assets and controls it touched, lessons learned, and the nonconformities raised from it.</summary>
public sealed class IncidentModel(CurrentOrg org, CurrentUser user, IncidentService incidents, NonconformityWorkflow workflow, PerennialDbContext db) : PageModel
{
    public CurrentOrg Org => org;
    public IncidentView View { get; private set; } = null!;
    public Incident Incident => View.Incident;
    public bool CanWrite => org.Can(OrgRole.Contributor);

    public async Task<IActionResult> OnGetAsync(Guid id, CancellationToken ct) => await LoadAsync(id, ct) ? Page() : NotFound();

    public Task<IActionResult> OnPostEventAsync(Guid id, DateTime? at, string? text, CancellationToken ct) =>
        ActAsync(id, "event-text", () => incidents.AddEventAsync(org.Id, id, at is { } local ? new DateTimeOffset(DateTime.SpecifyKind(local, DateTimeKind.Utc)) : null, text, user.DisplayName, ct), ct);

    public Task<IActionResult> OnPostResolveAsync(Guid id, DateOnly? resolvedOn, string? lessonsLearned, CancellationToken ct) =>
        ActAsync(id, "lessons", () => incidents.ResolveAsync(org.Id, id, resolvedOn, lessonsLearned, user.DisplayName, ct), ct);

    public Task<IActionResult> OnPostNonconformityAsync(Guid id, string? title, string? severity, CancellationToken ct) =>
        ActAsync(id, "nc-title", () => workflow.RaiseAsync(org.Id, new NonconformityActor(user.RequireId(), user.DisplayName, org.Role),
            new RaiseNonconformity(title, $"Raised from incident {Incident.Reference}: {Incident.Title}", severity == "major" ? NonconformitySeverity.Major : NonconformitySeverity.Minor,
                NonconformitySource.Incident, null, null, null, null, id), ct), ct, load: true);

    private async Task<IActionResult> ActAsync<T>(Guid id, string field, Func<Task<T>> step, CancellationToken ct, bool load = false)
    {
        if (!CanWrite)
        {
            return StatusCode(StatusCodes.Status403Forbidden);
        }

        try
        {
            if (load && !await LoadAsync(id, ct))
            {
                return NotFound();
            }

            await step();
            return Redirect($"/o/{org.Slug}/changes/incidents/{id}");
        }
        catch (UseCaseException e) when (e.Kind == UseCaseErrorKind.NotFound)
        {
            return NotFound();
        }
        catch (UseCaseException e)
        {
            db.ChangeTracker.Clear();
            ModelState.AddModelError(e.Field is null or "text" or "title" or "lessonsLearned" ? field : e.Field, e.Message);
            return await LoadAsync(id, ct) ? Page() : NotFound();
        }
    }

    private async Task<bool> LoadAsync(Guid id, CancellationToken ct)
    {
        try
        {
            View = await incidents.GetAsync(org.Id, id, ct);
            return true;
        }
        catch (UseCaseException e) when (e.Kind == UseCaseErrorKind.NotFound)
        {
            return false;
        }
    }
}

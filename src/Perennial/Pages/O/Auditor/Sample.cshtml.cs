using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;
using Microsoft.EntityFrameworkCore;
using Perennial.AuditorWorkspace;
using Perennial.Common;
using Perennial.Data;
using Perennial.Readiness;
using Perennial.Security;

namespace Perennial.Pages.O.Auditor;

/// <summary>
/// One sample: what was drawn, from which population and with which seed, and each sampled
/// occurrence with its state and the evidence attached to it. The auditor asks about one occurrence
/// from here; the request goes to the owner of its activity unless someone else is named.
/// </summary>
public sealed class SampleModel(CurrentOrg org, CurrentUser user, PerennialDbContext db, ReadinessService readiness, AuditorWorkspaceService workspace, TimeProvider time) : PageModel
{
    public CurrentOrg Org => org;
    public AuditSample Sample { get; private set; } = null!;
    public IReadOnlyList<SampledOccurrence> Occurrences { get; private set; } = [];

    /// <summary>The requests already raised about this sample, by occurrence (null: about the sample as a whole).</summary>
    public ILookup<Guid?, AuditRequest> Requests { get; private set; } = Array.Empty<AuditRequest>().ToLookup(r => r.OccurrenceId);
    public string DrawnBy { get; private set; } = "";
    public IReadOnlyList<(Guid Id, string Name)> Assignees { get; private set; } = [];

    [BindProperty(SupportsGet = true)]
    public Guid Id { get; set; }

    [BindProperty(SupportsGet = true)]
    public string? AuditDate { get; set; }

    [BindProperty]
    public Guid? OccurrenceId { get; set; }

    [BindProperty]
    public string? RequestText { get; set; }

    [BindProperty]
    public DateOnly? RequestDue { get; set; }

    [BindProperty]
    public Guid? RequestAssignee { get; set; }

    /// <summary>Where the workspace is, with the audit shown.</summary>
    public string Back => $"/o/{org.Slug}/auditor{(AuditDate is { Length: > 0 } d ? $"?auditDate={Uri.EscapeDataString(d)}" : "")}";

    public async Task<IActionResult> OnGetAsync(CancellationToken ct) => await LoadAsync(ct) ? Page() : NotFound();

    public async Task<IActionResult> OnPostRequestAsync(CancellationToken ct)
    {
        if (!await LoadAsync(ct))
        {
            return NotFound();
        }

        try
        {
            DateOnly? day = DateOnly.TryParse(AuditDate, System.Globalization.CultureInfo.InvariantCulture, out var d) ? d : null;
            var window = await readiness.WindowOrNoneAsync(org.Id, new ReadinessQuery(day), DateOnly.FromDateTime(time.GetUtcNow().UtcDateTime), ct);
            var request = await workspace.RaiseAsync(org.Id, new WorkspaceActor(user.RequireId(), org.Role),
                new AuditRequestInput(RequestText, null, OccurrenceId, Sample.Id, RequestDue, RequestAssignee), window?.ExternalAuditId, ct);
            TempData["Message"] = $"{request.Reference} raised about the occurrence of {Occurrences.FirstOrDefault(o => o.Id == OccurrenceId)?.DueDate:yyyy-MM-dd}.";
            return Redirect($"{Back}#request-{request.Reference}");
        }
        catch (UseCaseException e) when (e.Kind == UseCaseErrorKind.Forbidden)
        {
            return StatusCode(403);
        }
        catch (UseCaseException e) when (e.Kind is UseCaseErrorKind.Validation or UseCaseErrorKind.Conflict or UseCaseErrorKind.NotFound)
        {
            ModelState.AddModelError(e.Field ?? "", e.Message);
            return Page();
        }
    }

    private async Task<bool> LoadAsync(CancellationToken ct)
    {
        try
        {
            Sample = await workspace.SampleAsync(org.Id, Id, ct);
        }
        catch (UseCaseException e) when (e.Kind == UseCaseErrorKind.NotFound)
        {
            return false;
        }

        Occurrences = await workspace.SampledAsync(Sample, ct);
        Requests = (await db.AuditRequests.AsNoTracking().Where(r => r.OrganisationId == org.Id && r.SampleId == Sample.Id).OrderBy(r => r.Reference).ToListAsync(ct))
            .ToLookup(r => r.OccurrenceId);
        DrawnBy = await db.Users.AsNoTracking().Where(u => u.Id == Sample.DrawnByUserId).Select(u => u.DisplayName).FirstOrDefaultAsync(ct) ?? "someone no longer known";
        Assignees = await workspace.AssigneesAsync(org.Id, ct);
        return true;
    }
}

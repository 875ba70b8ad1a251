using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;
using Perennial.Common;
using Perennial.Data;
using Perennial.InternalAudits;
using Perennial.Organisations;
using Perennial.Paging;
using Perennial.Security;

namespace Perennial.Pages.O.InternalAudits;

/// <summary>Plans an internal audit; the proposal page fills it in (title, dates, scope) through the query string.</summary>
public sealed class NewModel(CurrentOrg org, CurrentUser user, InternalAuditService audits, OrganisationService organisations, PerennialDbContext db) : PageModel
{
    [BindProperty] public AuditForm Form { get; set; } = new();

    public CurrentOrg Org => org;
    public IReadOnlyList<MemberSummary> Members { get; private set; } = [];
    public AuditFormView FormView => new(Form, Members, "Plan the audit");

    public async Task OnGetAsync(string? title, DateOnly? plannedStart, DateOnly? plannedEnd, string? scope, CancellationToken ct)
    {
        Form = new AuditForm { Title = title, PlannedStart = plannedStart, PlannedEnd = plannedEnd, Scope = scope };
        await LoadAsync(ct);
    }

    public async Task<IActionResult> OnPostAsync(CancellationToken ct)
    {
        try
        {
            var audit = await audits.PlanAsync(org.Id, new InternalAuditActor(user.RequireId(), org.Role), await Form.ToInputAsync(org.Id, audits, ct), ct);
            return Redirect($"/o/{org.Slug}/internal-audits/{audit.Id}");
        }
        catch (UseCaseException e) when (e.Kind is UseCaseErrorKind.Validation or UseCaseErrorKind.Conflict or UseCaseErrorKind.Forbidden)
        {
            db.ChangeTracker.Clear();
            ModelState.AddModelError(e.Field ?? string.Empty, e.Message);
            await LoadAsync(ct);
            return Page();
        }
    }

    private async Task LoadAsync(CancellationToken ct) =>
        Members = AuditForm.Auditors((await organisations.ListMembersAsync(org.Id, new PageRequest(1, PageRequest.MaxPageSize), ct)).Items);
}

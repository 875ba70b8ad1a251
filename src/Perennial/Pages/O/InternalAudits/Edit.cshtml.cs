using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;
using Perennial.Common;
using Perennial.Data;
using Perennial.InternalAudits;
using Perennial.Organisations;
using Perennial.Paging;
using Perennial.Security;

namespace Perennial.Pages.O.InternalAudits;

/// <summary>Changes a planned audit; the proposal page links here with the items to add (?add=).</summary>
public sealed class EditModel(CurrentOrg org, CurrentUser user, InternalAuditService audits, OrganisationService organisations, PerennialDbContext db) : PageModel
{
    [BindProperty] public AuditForm Form { get; set; } = new();

    public CurrentOrg Org => org;
    public InternalAudit Audit { get; private set; } = null!;
    public IReadOnlyList<MemberSummary> Members { get; private set; } = [];
    public AuditFormView FormView => new(Form, Members, "Save the audit");

    public async Task<IActionResult> OnGetAsync(Guid id, string? add, CancellationToken ct)
    {
        if (!await LoadAsync(id, ct))
        {
            return NotFound();
        }

        Form = AuditForm.From(Audit);
        var extra = AuditForm.Split(add).Where(a => !AuditForm.Split(Form.Scope).Contains(a)).ToList();
        if (extra.Count > 0)
        {
            Form.Scope = string.Join(", ", AuditForm.Split(Form.Scope).Concat(extra));
        }

        return Page();
    }

    public async Task<IActionResult> OnPostAsync(Guid id, CancellationToken ct)
    {
        if (!await LoadAsync(id, ct))
        {
            return NotFound();
        }

        try
        {
            await audits.UpdateAsync(org.Id, id, new InternalAuditActor(user.RequireId(), org.Role), await Form.ToInputAsync(org.Id, audits, ct), ct);
            return Redirect($"/o/{org.Slug}/internal-audits/{id}");
        }
        catch (UseCaseException e) when (e.Kind is UseCaseErrorKind.Validation or UseCaseErrorKind.Conflict or UseCaseErrorKind.Forbidden)
        {
            db.ChangeTracker.Clear();
            ModelState.AddModelError(e.Field ?? string.Empty, e.Message);
            await LoadAsync(id, ct);
            return Page();
        }
    }

    private async Task<bool> LoadAsync(Guid id, CancellationToken ct)
    {
        try
        {
            Audit = await audits.GetAsync(org.Id, id, ct);
        }
        catch (UseCaseException e) when (e.Kind == UseCaseErrorKind.NotFound)
        {
            return false;
        }

        Members = AuditForm.Auditors((await organisations.ListMembersAsync(org.Id, new PageRequest(1, PageRequest.MaxPageSize), ct)).Items);
        return true;
    }
}

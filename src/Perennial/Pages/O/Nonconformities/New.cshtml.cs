using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;
using Microsoft.EntityFrameworkCore;
using Perennial.Common;
using Perennial.Data;
using Perennial.Nonconformities;
using Perennial.Organisations;
using Perennial.Paging;
using Perennial.Security;

namespace Perennial.Pages.O.Nonconformities;

/// <summary>Anyone who contributes reports a nonconformity; it starts at "raised" with its owner named.</summary>
public sealed class NewModel(CurrentOrg org, CurrentUser user, NonconformityWorkflow workflow, OrganisationService organisations, PerennialDbContext db) : PageModel
{
    [BindProperty] public string? Title { get; set; }
    [BindProperty] public string? Description { get; set; }
    [BindProperty] public string Severity { get; set; } = "minor";
    [BindProperty] public string Source { get; set; } = "report";
    [BindProperty] public string? Identifier { get; set; }
    [BindProperty] public Guid? OwnerUserId { get; set; }
    [BindProperty] public DateOnly? DueOn { get; set; }
    [BindProperty] public List<Guid> RiskIds { get; set; } = [];

    public IReadOnlyList<MemberSummary> Members { get; private set; } = [];
    public IReadOnlyList<(Guid Id, string Label)> RiskOptions { get; private set; } = [];

    public static IReadOnlyList<(string Value, string Label)> Sources { get; } =
    [
        ("report", "Report (seen at work)"),
        ("incident", "Incident"),
        ("management-review", "Management review"),
        ("internal-audit", "Internal audit"),
    ];

    public async Task OnGetAsync(CancellationToken ct)
    {
        OwnerUserId = user.Id;
        await LoadAsync(ct);
    }

    public async Task<IActionResult> OnPostAsync(CancellationToken ct)
    {
        try
        {
            var nc = await workflow.RaiseAsync(org.Id, new NonconformityActor(user.RequireId(), user.Email, org.Role), new RaiseNonconformity(
                Title, Description, NonconformityNames.ParseSeverity(Severity, "severity"), NonconformityNames.ParseSource(Source, "source"),
                Identifier, OwnerUserId, DueOn, RiskIds), ct);
            return Redirect($"/o/{org.Slug}/nonconformities/{nc.Id}");
        }
        catch (UseCaseException e)
        {
            db.ChangeTracker.Clear();
            ModelState.AddModelError(e.Field ?? string.Empty, e.Message);
            await LoadAsync(ct);
            return Page();
        }
    }

    private async Task LoadAsync(CancellationToken ct)
    {
        Members = (await organisations.ListMembersAsync(org.Id, new PageRequest(1, PageRequest.MaxPageSize), ct)).Items.Where(m => m.Active && m.Role >= OrgRole.Contributor).ToList();
        RiskOptions = (await db.Risks.AsNoTracking().Where(r => r.OrganisationId == org.Id).OrderBy(r => r.Reference).Take(500)
            .Select(r => new { r.Id, r.Reference, r.Title }).ToListAsync(ct)).Select(r => (r.Id, $"{r.Reference} {r.Title}")).ToList();
    }
}

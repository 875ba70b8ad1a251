using Microsoft.AspNetCore.Mvc.RazorPages;
using Microsoft.EntityFrameworkCore;
using Perennial.Data;
using Perennial.Risks;
using Perennial.Security;

namespace Perennial.Pages.O.Risks;

public sealed class TreatmentPlanModel(CurrentOrg org, PerennialDbContext db, TimeProvider time) : PageModel
{
    public sealed record Row(Guid RiskId, string Reference, string RiskTitle, string Title, string? Owner, DateOnly? DueOn, ActionStatus Status);

    public string Slug => org.Slug;
    public DateOnly Today => DateOnly.FromDateTime(time.GetUtcNow().UtcDateTime);
    public IReadOnlyList<Row> Actions { get; private set; } = [];

    public async Task OnGetAsync(CancellationToken ct) =>
        Actions = await db.RiskActions.AsNoTracking()
            .Where(a => a.OrganisationId == org.Id && a.Status != ActionStatus.Done)
            .Join(db.Risks, a => a.RiskId, r => r.Id, (a, r) => new { a, r })
            .Where(x => x.r.Status == RiskStatus.Open)
            .OrderBy(x => x.a.DueOn == null).ThenBy(x => x.a.DueOn).ThenBy(x => x.r.Reference)
            .Select(x => new Row(x.r.Id, x.r.Reference, x.r.Title, x.a.Title,
                db.Users.Where(u => u.Id == x.a.OwnerUserId).Select(u => u.DisplayName).FirstOrDefault(), x.a.DueOn, x.a.Status))
            .Take(1000)
            .ToListAsync(ct);
}

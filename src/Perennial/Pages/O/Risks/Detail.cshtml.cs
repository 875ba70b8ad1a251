using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;
using Microsoft.EntityFrameworkCore;
using Perennial.Common;
using Perennial.Data;
using Perennial.Organisations;
using Perennial.Risks;
using Perennial.Security;

namespace Perennial.Pages.O.Risks;

public sealed class DetailModel(CurrentOrg org, CurrentUser user, RiskService risks, OrganisationService organisations, PerennialDbContext db, TimeProvider time) : PageModel
{
    [BindProperty]
    public RiskForm Form { get; set; } = new();

    public string Slug => org.Slug;
    public bool CanEdit => org.Can(OrgRole.Contributor);
    public Risk Risk { get; private set; } = null!;
    public RiskMethod Method { get; private set; } = null!;
    public RiskFormOptions Options { get; private set; } = null!;
    public bool NeedsAcceptance { get; private set; }
    public bool IsOwner => Risk.OwnerUserId is not null && Risk.OwnerUserId == user.Id;
    public string? OwnerName { get; private set; }
    public string? AcceptedByName { get; private set; }
    public IReadOnlyList<string> AssetNames { get; private set; } = [];
    public IReadOnlyList<(string FrameworkKey, string Identifier)> ControlLinks { get; private set; } = [];
    public IReadOnlyList<RiskRevisionView> Revisions { get; private set; } = [];
    public IReadOnlyList<RiskReview> Reviews { get; private set; } = [];
    public IReadOnlyList<RiskFieldChange>? Comparison { get; private set; }
    public int? From { get; private set; }
    public int? To { get; private set; }
    public DateOnly Today => DateOnly.FromDateTime(time.GetUtcNow().UtcDateTime);

    public async Task<IActionResult> OnGetAsync(Guid id, int? from, int? to, CancellationToken ct)
    {
        if (!await LoadAsync(id, ct))
        {
            return NotFound();
        }

        Form = RiskForm.From(Risk);
        Options = Options with { Form = Form };
        if (from is { } f && to is { } t)
        {
            try
            {
                Comparison = await risks.CompareRevisionsAsync(org.Id, id, f, t, ct);
                (From, To) = (f, t);
            }
            catch (UseCaseException)
            {
                return NotFound();
            }
        }

        return Page();
    }

    public Task<IActionResult> OnPostEditAsync(Guid id, CancellationToken ct) =>
        ActAsync(id, () => risks.UpdateAsync(org.Id, id, Form.ToInput(), Form.Reason, ct), ct, keepForm: true);

    public Task<IActionResult> OnPostAcceptAsync(Guid id, DateOnly? acceptedUntil, string? justification, CancellationToken ct) =>
        ActAsync(id, () => risks.AcceptAsync(org.Id, id, acceptedUntil ?? throw UseCaseException.Invalid("acceptedUntil", "Give the date the acceptance runs until."), justification ?? "", ct), ct);

    public Task<IActionResult> OnPostReviewAsync(Guid id, string? notes, CancellationToken ct) =>
        ActAsync(id, () => risks.ReviewAsync(org.Id, id, notes ?? "", null, null, ct), ct);

    public Task<IActionResult> OnPostActionAsync(Guid id, string? title, Guid? ownerUserId, DateOnly? dueOn, CancellationToken ct) =>
        ActAsync(id, () => risks.AddActionAsync(org.Id, id, title ?? "", ownerUserId, dueOn, ct), ct);

    public Task<IActionResult> OnPostActionDoneAsync(Guid id, Guid actionId, CancellationToken ct) =>
        ActAsync(id, async () =>
        {
            if (!await db.RiskActions.AnyAsync(a => a.Id == actionId && a.RiskId == id && a.OrganisationId == org.Id, ct))
            {
                throw UseCaseException.NotFound("No such action on this risk.");
            }

            return await risks.SetActionStatusAsync(org.Id, actionId, ActionStatus.Done, ct);
        }, ct);

    private async Task<IActionResult> ActAsync<T>(Guid id, Func<Task<T>> action, CancellationToken ct, bool keepForm = false)
    {
        if (!await LoadAsync(id, ct))
        {
            return NotFound();
        }

        try
        {
            await action();
            return Redirect($"/o/{org.Slug}/risks/{id}");
        }
        catch (UseCaseException e)
        {
            db.ChangeTracker.Clear();
            ModelState.AddModelError(keepForm ? RiskFormErrors.Field(e) : string.Empty, e.Message);
            await LoadAsync(id, ct);
            if (keepForm)
            {
                Options = Options with { Form = Form };
            }
            else
            {
                Form = RiskForm.From(Risk);
                Options = Options with { Form = Form };
            }

            return Page();
        }
    }

    private async Task<bool> LoadAsync(Guid id, CancellationToken ct)
    {
        var risk = await risks.GetAsync(org.Id, id, ct);
        if (risk is null)
        {
            return false;
        }

        Risk = risk;
        Method = await risks.MethodOfAsync(risk, ct);
        NeedsAcceptance = risks.NeedsAcceptance(risk, Method);
        Options = await RiskFormOptions.LoadAsync(org.Id, RiskForm.From(risk), risks, organisations, db, ct);
        OwnerName = Options.Members.FirstOrDefault(m => m.UserId == risk.OwnerUserId)?.DisplayName;
        AcceptedByName = risk.AcceptedByUserId is { } a ? await db.Users.Where(u => u.Id == a).Select(u => u.DisplayName).FirstOrDefaultAsync(ct) : null;
        var assetIds = risk.Assets.Select(x => x.AssetId).ToList();
        AssetNames = await db.Assets.Where(x => assetIds.Contains(x.Id)).OrderBy(x => x.Name).Select(x => x.Name).ToListAsync(ct);
        var controlIds = risk.Controls.Select(x => x.ControlId).ToList();
        ControlLinks = (await db.Controls.Where(c => controlIds.Contains(c.Id)).OrderBy(c => c.SortOrder)
            .Select(c => new { c.Framework!.Key, c.Identifier }).ToListAsync(ct)).Select(c => (c.Key, c.Identifier)).ToList();
        Revisions = await risks.RevisionsAsync(org.Id, id, ct);
        Reviews = await risks.ReviewsAsync(org.Id, id, ct);
        return true;
    }
}

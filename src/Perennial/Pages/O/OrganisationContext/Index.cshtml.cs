using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;
using Microsoft.EntityFrameworkCore;
using Perennial.Common;
using Perennial.Data;
using Perennial.OrganisationContext;
using Perennial.Organisations;
using Perennial.Pages.Shared;
using Perennial.Paging;
using Perennial.Security;

namespace Perennial.Pages.O.OrganisationContext;

/// <summary>The context register: issues and interested parties, filtered by kind and due reviews; managers add entries here.</summary>
public sealed class IndexModel(CurrentOrg org, CurrentUser user, ContextRegister register, OrganisationService organisations, PerennialDbContext db, TimeProvider time) : PageModel
{
    [FromQuery(Name = "page")] public int PageNumber { get; set; } = 1;
    [FromQuery(Name = "kind")] public string? KindText { get; set; }
    [FromQuery(Name = "due")] public bool DueOnly { get; set; }
    [FromQuery(Name = "retired")] public bool Retired { get; set; }

    public CurrentOrg Org => org;
    public bool CanManage => org.Can(OrgRole.Manager);
    public DateOnly Today => DateOnly.FromDateTime(time.GetUtcNow().UtcDateTime);
    public Paged<ContextEntry> Entries { get; private set; } = new([], 1, PageRequest.DefaultPageSize, 0);
    public IReadOnlyDictionary<Guid, string> Names { get; private set; } = new Dictionary<Guid, string>();
    public IReadOnlyList<MemberSummary> Members { get; private set; } = [];
    public ClimateAssessment Climate { get; private set; }
    public IReadOnlyList<string> ClimateReferences { get; private set; } = [];
    public ContextKind? Kind => ContextNames.Parse(KindText);

    public string Query => string.Join("&", new[]
    {
        Kind is { } k ? $"kind={ContextNames.Name(k)}" : null,
        DueOnly ? "due=true" : null,
        Retired ? "retired=true" : null,
    }.OfType<string>());

    public PagerModel Pager => new($"/o/{org.Slug}/context", Entries.Page, Entries.PageSize, Entries.Total, Query);

    public async Task<IActionResult> OnGetAsync(CancellationToken ct)
    {
        if (!string.IsNullOrWhiteSpace(KindText) && Kind is null)
        {
            return BadRequest("kind: choose internal-issue, external-issue or interested-party.");
        }

        await LoadAsync(ct);
        return Page();
    }

    public async Task<IActionResult> OnPostAsync(
        string? kind, string? title, string? description, string? category, bool climateChange, string? relevance, Guid? ownerUserId, int? reviewIntervalMonths,
        CancellationToken ct)
    {
        if (!CanManage)
        {
            return StatusCode(StatusCodes.Status403Forbidden);
        }

        try
        {
            var entry = await register.CreateAsync(org.Id, new ContextActor(user.RequireId(), user.DisplayName, org.Role),
                new ContextInput(ContextNames.Parse(kind), title, description, category, climateChange, relevance != "not-relevant", ownerUserId, reviewIntervalMonths, null), ct);
            return Redirect($"/o/{org.Slug}/context/{entry.Id}");
        }
        catch (UseCaseException e)
        {
            db.ChangeTracker.Clear();
            ModelState.AddModelError(e.Field ?? "title", e.Message);
            await LoadAsync(ct);
            return Page();
        }
    }

    private async Task LoadAsync(CancellationToken ct)
    {
        Entries = await register.ListAsync(org.Id, new ContextQuery(Kind, Retired ? ContextStatus.Retired : ContextStatus.Active, null, DueOnly), PageRequest.ForUi(PageNumber), ct);
        (Climate, ClimateReferences) = await register.ClimateAsync(org.Id, ct);
        Members = [.. (await organisations.ListMembersAsync(org.Id, new PageRequest(1, PageRequest.MaxPageSize), ct)).Items.Where(m => m.Active && m.Role >= OrgRole.Contributor)];
        var people = Entries.Items.Select(e => e.OwnerUserId).Distinct().ToList();
        Names = await db.Users.AsNoTracking().Where(u => people.Contains(u.Id)).ToDictionaryAsync(u => u.Id, u => u.DisplayName, ct);
    }
}

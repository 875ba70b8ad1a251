using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;
using Perennial.Common;
using Perennial.Organisations;
using Perennial.Pages.Shared;
using Perennial.Paging;
using Perennial.Risks;
using Perennial.Security;

namespace Perennial.Pages.O.Risks;

public sealed class IndexModel(CurrentOrg org, RiskService risks, OrganisationService organisations) : PageModel
{
    public CurrentOrg Org => org;
    public Paged<RiskListItem> Risks { get; private set; } = new([], 1, PageRequest.DefaultPageSize, 0);
    public IReadOnlyList<MemberSummary> Members { get; private set; } = [];
    public IReadOnlyList<string> Bands { get; private set; } = [];

    [FromQuery(Name = "search")] public string? Search { get; set; }
    [FromQuery(Name = "owner")] public Guid? Owner { get; set; }
    [FromQuery(Name = "level")] public string? Level { get; set; }
    [FromQuery(Name = "treatment")] public string? Treatment { get; set; }
    [FromQuery(Name = "overdue")] public bool Overdue { get; set; }
    [FromQuery(Name = "needsAcceptance")] public bool NeedsAcceptance { get; set; }
    [FromQuery(Name = "closed")] public bool Closed { get; set; }
    [FromQuery(Name = "cell")] public string? Cell { get; set; }
    [FromQuery(Name = "sort")] public string Sort { get; set; } = "reference";
    [FromQuery(Name = "desc")] public bool Desc { get; set; }
    [FromQuery(Name = "page")] public int PageNumber { get; set; } = 1;

    public PagerModel Pager => new($"/o/{org.Slug}/risks", Risks.Page, Risks.PageSize, Risks.Total, Query(Sort, Desc));

    public string SortLink(string column) => $"/o/{org.Slug}/risks?page=1{Query(column, column == Sort && !Desc)}";

    public async Task<IActionResult> OnGetAsync(CancellationToken ct)
    {
        Members = (await organisations.ListMembersAsync(org.Id, new PageRequest(1, PageRequest.MaxPageSize), ct)).Items;
        Bands = (await risks.CurrentMethodAsync(org.Id, ct)).Bands.Select(b => b.Name).ToList();
        try
        {
            var query = new RiskQuery(
                Search: Search is { Length: > 200 } ? Search[..200] : Search,
                OwnerUserId: Owner,
                Level: string.IsNullOrEmpty(Level) ? null : Level,
                Treatment: string.IsNullOrEmpty(Treatment) ? null : RiskNames.ParseTreatment(Treatment, "treatment"),
                Status: Closed ? RiskStatus.Closed : RiskStatus.Open,
                OverdueOnly: Overdue,
                NeedsAcceptanceOnly: NeedsAcceptance,
                Cell: string.IsNullOrEmpty(Cell) ? null : RiskNames.ParseCell(Cell),
                Sort: Sort is "reference" or "title" or "residual" or "inherent" or "review" ? Sort : "reference",
                Descending: Desc);
            Risks = await risks.ListAsync(org.Id, query, PageRequest.ForUi(PageNumber), ct);
        }
        catch (UseCaseException)
        {
            return BadRequest();
        }

        return Page();
    }

    private string Query(string sort, bool desc)
    {
        string P(string name, string? value) => string.IsNullOrEmpty(value) ? "" : $"&{name}={Uri.EscapeDataString(value)}";
        return P("search", Search) + P("owner", Owner?.ToString()) + P("level", Level) + P("treatment", Treatment)
            + (Overdue ? "&overdue=true" : "") + (NeedsAcceptance ? "&needsAcceptance=true" : "") + (Closed ? "&closed=true" : "")
            + P("cell", Cell) + $"&sort={sort}" + (desc ? "&desc=true" : "");
    }
}

using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;
using Perennial.Pages.Shared;
using Perennial.Paging;
using Perennial.Risks;
using Perennial.Security;

namespace Perennial.Pages.O.Risks;

public sealed class HistoryModel(CurrentOrg org, RiskService risks, TimeProvider time) : PageModel
{
    [FromQuery(Name = "date")] public DateOnly? Date { get; set; }
    [FromQuery(Name = "compare")] public DateOnly? Compare { get; set; }
    [FromQuery(Name = "page")] public int PageNumber { get; set; } = 1;

    public Paged<RiskRevisionView>? AsOf { get; private set; }
    public RegisterComparison? Comparison { get; private set; }

    public PagerModel Pager => new($"/o/{org.Slug}/risks/history", AsOf!.Page, AsOf.PageSize, AsOf.Total,
        $"&date={Date:yyyy-MM-dd}" + (Compare is { } c ? $"&compare={c:yyyy-MM-dd}" : ""));

    public async Task OnGetAsync(CancellationToken ct)
    {
        Date ??= DateOnly.FromDateTime(time.GetUtcNow().UtcDateTime);
        AsOf = await risks.AsOfAsync(org.Id, Date.Value, PageRequest.ForUi(PageNumber), ct);
        if (Compare is { } other)
        {
            var (from, to) = other < Date.Value ? (other, Date.Value) : (Date.Value, other);
            Comparison = await risks.CompareRegisterAsync(org.Id, from, to, ct);
        }
    }
}

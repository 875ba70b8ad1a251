using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;
using Perennial.Common;
using Perennial.Findings;
using Perennial.Pages.Shared;
using Perennial.Paging;
using Perennial.Security;

namespace Perennial.Pages.O.Findings;

public sealed class IndexModel(CurrentOrg org, FindingService findings) : PageModel
{
    [FromQuery(Name = "status")] public string? Status { get; set; } = "open";
    [FromQuery(Name = "severity")] public string? Severity { get; set; }
    [FromQuery(Name = "target")] public string? Target { get; set; }

    // From the query string only: the route value "page" is the Razor page's own path.
    [FromQuery(Name = "page")] public int PageNumber { get; set; } = 1;

    public CurrentOrg Org => org;
    public Paged<Finding> Items { get; private set; } = new([], 1, PageRequest.DefaultPageSize, 0);
    public DateOnly Today { get; private set; }
    public FindingDeadlines Deadlines { get; private set; } = FindingDeadlines.Default;
    public bool Filtered => Severity is not null || !string.IsNullOrWhiteSpace(Target);

    public PagerModel Pager => new($"/o/{org.Slug}/findings", Items.Page, Items.PageSize, Items.Total,
        $"&status={Uri.EscapeDataString(Status ?? "")}&severity={Uri.EscapeDataString(Severity ?? "")}&target={Uri.EscapeDataString(Target ?? "")}");

    public async Task OnGetAsync(CancellationToken ct)
    {
        Today = findings.Today;
        FindingStatus? status;
        try
        {
            status = FindingsApi.ParseStatus(Status ?? "open");
        }
        catch (UseCaseException e)
        {
            ModelState.AddModelError(string.Empty, e.Message);
            status = FindingStatus.Open;
        }

        Status = status switch
        {
            FindingStatus.Open => "open",
            FindingStatus.Fixed => "fixed",
            FindingStatus.Overdue => "overdue",
            _ => "all",
        };

        FindingSeverity? severity = null;
        if (!string.IsNullOrWhiteSpace(Severity) && Severity != "all")
        {
            if (FindingNames.TryParseSeverity(Severity, out var s))
            {
                severity = s;
            }
            else
            {
                ModelState.AddModelError(string.Empty, $"Severity must be one of {FindingNames.SeverityNames}.");
            }
        }

        Severity = severity?.ToName();
        Deadlines = await findings.GetDeadlinesAsync(org.Id, ct);
        Items = await findings.ListAsync(org.Id, new FindingQuery(status, severity, Target), PageRequest.ForUi(PageNumber), ct);
    }
}

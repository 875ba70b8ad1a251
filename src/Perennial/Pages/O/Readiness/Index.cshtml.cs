using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;
using Perennial.Common;
using Perennial.Measurement;
using Perennial.Readiness;
using Perennial.Security;

namespace Perennial.Pages.O.Readiness;

/// <summary>
/// Readiness for an audit: the score and how it is computed, its trend, what an auditor would find
/// missing today, and the dated to-do list per owner for the audit day. Read-only: every role that
/// sees the organisation sees it, auditors included.
/// </summary>
public sealed class IndexModel(CurrentOrg org, ReadinessService readiness, ReadinessSnapshots snapshots, TimeProvider time) : PageModel
{
    public CurrentOrg Org => org;
    public ReadinessReport? Report { get; private set; }
    public IReadOnlyList<OwnerTodo> Todo { get; private set; } = [];
    public string Chart { get; private set; } = "";
    public int SnapshotCount { get; private set; }

    [BindProperty(SupportsGet = true)]
    public string? AuditDate { get; set; }

    [BindProperty(SupportsGet = true)]
    public string? PeriodFrom { get; set; }

    public async Task<IActionResult> OnGetAsync(CancellationToken ct)
    {
        var auditDate = Parse(AuditDate, "auditDate");
        var periodFrom = Parse(PeriodFrom, "periodFrom");
        var now = time.GetUtcNow();
        if (ModelState.IsValid)
        {
            try
            {
                Report = await readiness.ComputeAsync(org.Id, new ReadinessQuery(auditDate, periodFrom), now, ct);
                Todo = Report.TodoByOwner();
            }
            catch (UseCaseException e) when (e.Kind == UseCaseErrorKind.Validation)
            {
                ModelState.AddModelError(e.Field ?? "auditDate", e.Message);
            }
        }

        var today = DateOnly.FromDateTime(now.UtcDateTime);
        var points = await snapshots.BetweenAsync(org.Id, today.AddDays(-364), today, ct);
        SnapshotCount = points.Count;
        Chart = TrendChart.Render("Readiness score, one point a day", "%", [.. points.Select(p => new ChartPoint(p.Day, p.Score))], null, null);
        return Page();
    }

    private DateOnly? Parse(string? text, string field)
    {
        if (string.IsNullOrWhiteSpace(text))
        {
            return null;
        }

        if (DateOnly.TryParseExact(text.Trim(), "yyyy-MM-dd", System.Globalization.CultureInfo.InvariantCulture, System.Globalization.DateTimeStyles.None, out var day))
        {
            return day;
        }

        ModelState.AddModelError(field, $"{(field == "auditDate" ? "The audit date" : "The start of the period")} '{text}' is not a date such as 2026-09-15.");
        return null;
    }
}

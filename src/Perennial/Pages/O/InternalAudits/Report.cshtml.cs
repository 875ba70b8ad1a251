using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;
using Perennial.Common;
using Perennial.InternalAudits;
using Perennial.Security;

namespace Perennial.Pages.O.InternalAudits;

/// <summary>The audit report as a printable page, and as a Word document.</summary>
public sealed class AuditReportModel(CurrentOrg org, InternalAuditReport reports) : PageModel
{
    public CurrentOrg Org => org;
    public Guid Id { get; private set; }
    public global::Perennial.InternalAudits.ReportModel Report { get; private set; } = null!;

    public async Task<IActionResult> OnGetAsync(Guid id, CancellationToken ct)
    {
        try
        {
            Id = id;
            Report = await reports.ModelAsync(org.Id, id, ct);
            return Page();
        }
        catch (UseCaseException e) when (e.Kind == UseCaseErrorKind.NotFound)
        {
            return NotFound();
        }
    }

    public async Task<IActionResult> OnGetDocxAsync(Guid id, CancellationToken ct)
    {
        try
        {
            var model = await reports.ModelAsync(org.Id, id, ct);
            return File(InternalAuditReport.Docx(model), ChecklistService.DocxType, $"{model.Reference}-report{(model.SignedOffAt is null ? "-draft" : "")}.docx");
        }
        catch (UseCaseException e) when (e.Kind == UseCaseErrorKind.NotFound)
        {
            return NotFound();
        }
    }
}

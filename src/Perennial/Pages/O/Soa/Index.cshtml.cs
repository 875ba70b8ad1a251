using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;
using Perennial.Common;
using Perennial.Frameworks;
using Perennial.Paging;
using Perennial.Security;
using Perennial.Soa;

namespace Perennial.Pages.O.Soa;

public sealed class IndexModel(CurrentOrg org, FrameworkService frameworks, SoaService soa, SoaSpreadsheet spreadsheet) : PageModel
{
    private const string PublishedMessage = "soa-published";

    public CurrentOrg Org => org;
    public IReadOnlyList<FrameworkSummary> Frameworks { get; private set; } = [];
    public IReadOnlyList<SoaRowView> Rows { get; private set; } = [];
    public SoaVersionSummary? Latest { get; private set; }
    public int Decided => Rows.Count(r => r.Applicable is not null && !string.IsNullOrWhiteSpace(r.Justification));
    public IReadOnlyList<SpreadsheetRowError> ImportErrors { get; private set; } = [];
    public string? Message { get; private set; }

    [FromQuery(Name = "theme")]
    public string? Theme { get; set; }

    public async Task OnGetAsync(CancellationToken ct)
    {
        Theme = Iso27001Catalog.Themes.Contains(Theme) ? Theme : null;
        Message = TempData[PublishedMessage] as string;
        await LoadAsync(ct);
    }

    public async Task<IActionResult> OnPostImportAsync(IFormFile? file, CancellationToken ct)
    {
        if (file is null || file.Length == 0 || file.Length > SoaSpreadsheet.MaxImportBytes)
        {
            ModelState.AddModelError(string.Empty, $"Choose an XLSX file of at most {SoaSpreadsheet.MaxImportBytes / (1024 * 1024)} MB.");
        }
        else
        {
            await using var stream = file.OpenReadStream();
            var result = await spreadsheet.ImportAsync(org.Id, stream, ct);
            ImportErrors = result.Errors;
            if (result.Succeeded)
            {
                Message = result.ChangedRows.Count == 0 ? "The spreadsheet matches the draft: nothing changed." : $"{result.ChangedRows.Count} row(s) changed: {string.Join(", ", result.ChangedRows)}.";
            }
        }

        await LoadAsync(ct);
        return Page();
    }

    public async Task<IActionResult> OnPostPublishAsync(string? summary, CancellationToken ct)
    {
        try
        {
            var version = await soa.PublishAsync(org.Id, summary, ct);

            // Post/redirect/get: reloading the page must not publish the same draft again.
            TempData[PublishedMessage] = $"Version {version.Number} published.";
            return Redirect($"/o/{org.Slug}/controls");
        }
        catch (UseCaseException e)
        {
            ModelState.AddModelError(string.Empty, e.Message);
        }

        await LoadAsync(ct);
        return Page();
    }

    private async Task LoadAsync(CancellationToken ct)
    {
        Frameworks = (await frameworks.ListAsync(org.Id, new PageRequest(1, PageRequest.MaxPageSize), ct)).Items;
        Rows = Frameworks.Any(f => f.Key == Framework.IsoKey) ? await soa.RowsAsync(org.Id, SoaService.Draft, ct) : [];
        Latest = await soa.LatestPublishedAsync(org.Id, ct);
    }
}

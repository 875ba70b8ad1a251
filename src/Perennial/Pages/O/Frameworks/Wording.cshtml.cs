using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;
using Perennial.Frameworks;
using Perennial.Security;
using Perennial.Soa;

namespace Perennial.Pages.O.Frameworks;

public sealed class WordingModel(CurrentOrg org, FrameworkService frameworks) : PageModel
{
    public string Slug => org.Slug;
    public string Key { get; private set; } = "";
    public string FrameworkName { get; private set; } = "";
    public int? Updated { get; private set; }
    public IReadOnlyList<SpreadsheetRowError> Errors { get; private set; } = [];

    public async Task<IActionResult> OnGetAsync(string key, CancellationToken ct) =>
        await FindAsync(key, ct) is null ? NotFound() : Page();

    public async Task<IActionResult> OnPostAsync(string key, IFormFile? file, CancellationToken ct)
    {
        var framework = await FindAsync(key, ct);
        if (framework is null)
        {
            return NotFound();
        }

        if (file is null || file.Length == 0 || file.Length > SoaSpreadsheet.MaxImportBytes)
        {
            Errors = [new SpreadsheetRowError(0, "", $"Choose a CSV or XLSX file of at most {SoaSpreadsheet.MaxImportBytes / (1024 * 1024)} MB.")];
            return Page();
        }

        await using var stream = file.OpenReadStream();
        var result = await frameworks.ImportWordingAsync(org.Id, framework.Id, file.FileName, stream, ct);
        Errors = result.Errors;
        Updated = result.Succeeded ? result.Updated : null;
        return Page();
    }

    private async Task<FrameworkSummary?> FindAsync(string key, CancellationToken ct)
    {
        var framework = await frameworks.FindAsync(org.Id, key, ct);
        if (framework is not null)
        {
            Key = framework.Key;
            FrameworkName = framework.Name;
        }

        return framework;
    }
}

using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;
using Perennial.Common;
using Perennial.Frameworks;
using Perennial.Security;

namespace Perennial.Pages.O.Frameworks;

public sealed class ImportModel(CurrentOrg org, FrameworkImportService imports) : PageModel
{
    public string Slug => org.Slug;
    public FrameworkImportResult? Result { get; private set; }
    public string? Error { get; private set; }

    public void OnGet()
    {
    }

    public async Task<IActionResult> OnPostAsync(IFormFile? file, CancellationToken ct)
    {
        if (file is null || file.Length == 0 || file.Length > FrameworkImportService.MaxFileBytes)
        {
            Error = $"Choose a file of at most {FrameworkImportService.MaxFileBytes / (1024 * 1024)} MB.";
            return Page();
        }

        try
        {
            await using var stream = file.OpenReadStream();
            Result = await imports.ImportAsync(org.Id, file.FileName, stream, ct);
        }
        catch (UseCaseException e)
        {
            Error = e.Message;
        }

        return Page();
    }
}

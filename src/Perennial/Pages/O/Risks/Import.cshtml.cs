using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;
using Perennial.Risks;
using Perennial.Security;
using Perennial.Soa;

namespace Perennial.Pages.O.Risks;

/// <summary>
/// Importing a register in three steps: upload, match columns to fields while looking at the
/// preview and the problems, import. The file travels between the steps inside the form (base64
/// in a hidden field), so nothing is kept on the server between requests and any app instance can
/// answer the next step.
/// </summary>
[RequestFormLimits(ValueLengthLimit = FormLimit, MultipartBodyLengthLimit = FormLimit)]
[RequestSizeLimit(FormLimit)]
public sealed class ImportModel(CurrentOrg org, RiskSpreadsheet spreadsheet) : PageModel
{
    public const long MaxFileBytes = 5 * 1024 * 1024;

    /// <summary>
    /// Room for the file's base64 text (four characters for every three bytes, a little more once
    /// URL-encoded) or the uploaded file itself, with the rest of the form.
    /// </summary>
    private const int FormLimit = 16 * 1024 * 1024;

    private const string ImportedMessage = "risks-imported";

    /// <summary>One detected column and the field it is imported as (empty: left out).</summary>
    public sealed class ColumnChoice
    {
        public string Column { get; set; } = "";
        public string? Field { get; set; }
    }

    [BindProperty]
    public string? FileName { get; set; }

    [BindProperty]
    public string? FileData { get; set; }

    [BindProperty]
    public List<ColumnChoice> Columns { get; set; } = [];

    public CurrentOrg Org => org;
    public RiskImportAnalysis? Analysis { get; private set; }
    public string? Message { get; private set; }

    public void OnGet() => Message = TempData[ImportedMessage] as string;

    public async Task<IActionResult> OnPostUploadAsync(IFormFile? file, CancellationToken ct)
    {
        if (file is null || file.Length == 0 || file.Length > MaxFileBytes)
        {
            ModelState.AddModelError(string.Empty, $"Choose an XLSX or CSV file of at most {MaxFileBytes / (1024 * 1024)} MB.");
            return Page();
        }

        using var buffer = new MemoryStream();
        await file.CopyToAsync(buffer, ct);
        FileName = Path.GetFileName(file.FileName);
        FileData = Convert.ToBase64String(buffer.ToArray());
        await AnalyseAsync(buffer.ToArray(), mapping: null, ct);
        return Page();
    }

    public async Task<IActionResult> OnPostPreviewAsync(CancellationToken ct)
    {
        if (ReadFile() is { } bytes)
        {
            await AnalyseAsync(bytes, Mapping(), ct);
        }

        return Page();
    }

    public async Task<IActionResult> OnPostImportAsync(CancellationToken ct)
    {
        if (ReadFile() is not { } bytes)
        {
            return Page();
        }

        using var stream = new MemoryStream(bytes);
        var result = await spreadsheet.ImportAsync(org.Id, FileName ?? "", stream, Mapping(), ct);
        if (result.Succeeded)
        {
            // Post/redirect/get: reloading the page must not import the same file again.
            var count = result.References.Count;
            TempData[ImportedMessage] = count == 1
                ? $"1 risk imported: {result.References[0]}."
                : $"{count} risks imported: {result.References[0]} to {result.References[^1]}.";
            return Redirect($"/o/{org.Slug}/risks/import");
        }

        await AnalyseAsync(bytes, Mapping(), ct);
        if (Analysis is { Errors.Count: 0 })
        {
            foreach (var error in result.Errors)
            {
                ModelState.AddModelError(string.Empty, error.Message);
            }
        }

        return Page();
    }

    public static string Describe(SpreadsheetRowError e) =>
        (e.Row > 0 ? $"Row {e.Row}" : "File") + (e.Column.Length > 0 ? $", {e.Column}" : "") + ": " + e.Message;

    private async Task AnalyseAsync(byte[] bytes, IReadOnlyDictionary<string, string?>? mapping, CancellationToken ct)
    {
        using var stream = new MemoryStream(bytes);
        Analysis = await spreadsheet.AnalyseAsync(org.Id, FileName ?? "", stream, mapping, ct);
        if (Analysis.Columns.Count == 0)
        {
            // Unreadable: back to the upload step with the reason.
            foreach (var error in Analysis.Errors)
            {
                ModelState.AddModelError(string.Empty, error.Message);
            }

            Analysis = null;
        }
    }

    private byte[]? ReadFile()
    {
        var bytes = new byte[MaxFileBytes];
        if (string.IsNullOrEmpty(FileData) || !Convert.TryFromBase64String(FileData, bytes, out var length))
        {
            ModelState.AddModelError(string.Empty, "The uploaded file did not come back with the form; upload it again.");
            return null;
        }

        return bytes[..length];
    }

    private Dictionary<string, string?> Mapping()
    {
        var mapping = new Dictionary<string, string?>(StringComparer.Ordinal);
        foreach (var choice in Columns)
        {
            mapping.TryAdd(choice.Column, string.IsNullOrWhiteSpace(choice.Field) ? null : choice.Field);
        }

        return mapping;
    }
}

using ClosedXML.Excel;
using Perennial.Common;
using Perennial.Frameworks;

namespace Perennial.Soa;

/// <summary>A problem with one row of an imported spreadsheet (row numbers as Excel shows them).</summary>
public sealed record SpreadsheetRowError(int Row, string Column, string Message);

public sealed record SoaImportResult(IReadOnlyList<string> ChangedRows, IReadOnlyList<SpreadsheetRowError> Errors)
{
    public bool Succeeded => Errors.Count == 0;
}

/// <summary>
/// The Statement of Applicability as an XLSX workbook: one sheet, the columns auditors expect, a
/// frozen header row with filters. The same layout imports back into the draft.
/// </summary>
public sealed class SoaSpreadsheet(SoaService soa)
{
    public const string SheetName = "Statement of Applicability";
    public const long MaxImportBytes = 10 * 1024 * 1024;

    internal static readonly string[] Columns =
    [
        "Control", "Title", "Theme", "Applicable", "Justification", "Implementation status",
        "Owner", "Linked risks", "Linked activities", "Notes",
    ];

    private static readonly string[] RequiredColumns = ["Control", "Applicable", "Justification", "Implementation status"];

    private static readonly double[] Widths = [10, 45, 15, 11, 60, 20, 25, 25, 25, 40];

    public async Task ExportAsync(Guid organisationId, int number, string organisationName, Stream output, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(output);
        var rows = await soa.RowsAsync(organisationId, number, ct);
        using var workbook = new XLWorkbook();
        workbook.Properties.Title = number == SoaService.Draft
            ? $"{organisationName}: Statement of Applicability (draft)"
            : $"{organisationName}: Statement of Applicability, version {number}";
        workbook.Properties.Author = "Perennial";
        var sheet = workbook.AddWorksheet(SheetName);
        for (var c = 0; c < Columns.Length; c++)
        {
            var cell = sheet.Cell(1, c + 1);
            cell.Value = Columns[c];
            cell.Style.Font.Bold = true;
            cell.Style.Fill.BackgroundColor = XLColor.FromHtml("#DDE7E0");
            sheet.Column(c + 1).Width = Widths[c];
        }

        var r = 2;
        foreach (var row in rows)
        {
            object?[] values =
            [
                row.ControlIdentifier, row.Title, row.Theme, SoaService.YesNo(row.Applicable), row.Justification,
                row.Status.ToLabel(), row.OwnerName, row.LinkedRisks, row.LinkedActivities, row.Notes,
            ];
            for (var c = 0; c < values.Length; c++)
            {
                // Text cells throughout: identifiers such as 5.10 must not become numbers.
                sheet.Cell(r, c + 1).SetValue(values[c]?.ToString() ?? "");
            }

            r++;
        }

        sheet.Columns(5, 5).Style.Alignment.WrapText = true;
        sheet.Range(1, 1, Math.Max(1, r - 1), Columns.Length).SetAutoFilter();
        sheet.SheetView.FreezeRows(1);
        workbook.SaveAs(output);
    }

    /// <summary>
    /// Updates the draft from a workbook in the export's layout, matched by the Control column. Every
    /// row is checked first; if any row is wrong nothing changes and every problem is reported.
    /// </summary>
    public async Task<SoaImportResult> ImportAsync(Guid organisationId, Stream input, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(input);
        XLWorkbook workbook;
        try
        {
            workbook = new XLWorkbook(input);
        }
#pragma warning disable CA1031 // Any unreadable upload is the uploader's problem, reported as such.
        catch (Exception e)
#pragma warning restore CA1031
        {
            return new SoaImportResult([], [new SpreadsheetRowError(0, "", $"The file is not a readable XLSX workbook ({e.GetType().Name}).")]);
        }

        using (workbook)
        {
            var sheet = workbook.Worksheets.FirstOrDefault(s => s.Name == SheetName) ?? workbook.Worksheets.First();
            var header = sheet.Row(1);
            var positions = new Dictionary<string, int>(StringComparer.OrdinalIgnoreCase);
            foreach (var cell in header.CellsUsed())
            {
                positions.TryAdd(cell.GetString().Trim(), cell.Address.ColumnNumber);
            }

            var missing = RequiredColumns.Where(c => !positions.ContainsKey(c)).ToList();
            if (missing.Count > 0)
            {
                return new SoaImportResult([], [new SpreadsheetRowError(1, string.Join(", ", missing), $"The header row lacks the column(s) {string.Join(", ", missing)}.")]);
            }

            var draft = await soa.DraftByIdentifierAsync(organisationId, ct);
            var errors = new List<SpreadsheetRowError>();
            var changes = new List<(string, SoaRowInput)>();
            var seen = new Dictionary<string, int>(StringComparer.OrdinalIgnoreCase);
            var lastRow = sheet.LastRowUsed()?.RowNumber() ?? 1;
            for (var r = 2; r <= lastRow; r++)
            {
                string Text(string column) => positions.TryGetValue(column, out var c) ? sheet.Cell(r, c).GetString().Trim() : "";
                var identifier = Text("Control");
                if (identifier.Length == 0)
                {
                    if (sheet.Row(r).CellsUsed().Any())
                    {
                        errors.Add(new SpreadsheetRowError(r, "Control", "The control identifier is empty."));
                    }

                    continue;
                }

                if (!draft.TryGetValue(identifier, out var current))
                {
                    errors.Add(new SpreadsheetRowError(r, "Control", $"'{identifier}' is not an Annex A control of this Statement of Applicability."));
                    continue;
                }

                if (seen.TryGetValue(current.ControlIdentifier, out var firstRow))
                {
                    errors.Add(new SpreadsheetRowError(r, "Control", $"'{identifier}' appears again (first on row {firstRow})."));
                    continue;
                }

                seen[current.ControlIdentifier] = r;
                bool? applicable = Text("Applicable").ToLowerInvariant() switch
                {
                    "" => null,
                    "yes" or "y" or "true" or "applicable" => true,
                    "no" or "n" or "false" or "not applicable" => false,
                    var other => Fail(errors, r, "Applicable", $"'{other}' is neither Yes nor No."),
                };
                var statusText = Text("Implementation status");
                var status = ImplementationStatus.NotStarted;
                if (statusText.Length > 0 && !ImplementationStatuses.TryParse(statusText, out status))
                {
                    errors.Add(new SpreadsheetRowError(r, "Implementation status", $"'{statusText}' is not one of Not started, Partial, Implemented, Not applicable."));
                    continue;
                }

                var rowInput = new SoaRowInput(applicable, Text("Justification"), status,
                    positions.ContainsKey("Owner") ? Text("Owner") : current.OwnerName,
                    positions.ContainsKey("Linked risks") ? Text("Linked risks") : current.LinkedRisks,
                    positions.ContainsKey("Linked activities") ? Text("Linked activities") : current.LinkedActivities,
                    positions.ContainsKey("Notes") ? Text("Notes") : current.Notes,
                    "Imported from a spreadsheet");
                try
                {
                    var clean = SoaService.Validate(rowInput, "");
                    var unchanged = new SoaRowView(current.ControlIdentifier, current.Title, current.Theme, clean.Applicable, clean.Justification,
                        clean.Status, clean.OwnerName, clean.LinkedRisks, clean.LinkedActivities, clean.Notes, current.ChangeReason);
                    if (SoaService.Changes(current, unchanged).Count > 0)
                    {
                        changes.Add((current.ControlIdentifier, clean));
                    }
                }
                catch (UseCaseException e)
                {
                    errors.Add(new SpreadsheetRowError(r, e.Field ?? "", e.Message));
                }
            }

            if (errors.Count > 0)
            {
                return new SoaImportResult([], errors);
            }

            return new SoaImportResult(await soa.ApplyDraftChangesAsync(organisationId, changes, ct), []);
        }
    }

    private static bool? Fail(List<SpreadsheetRowError> errors, int row, string column, string message)
    {
        errors.Add(new SpreadsheetRowError(row, column, message));
        return null;
    }
}

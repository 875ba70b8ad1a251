using System.Globalization;
using System.Text;
using ClosedXML.Excel;

namespace Perennial.Common;

/// <summary>One data row of an uploaded table: its row number as a spreadsheet program shows it, and its cells as text.</summary>
public sealed record TableRow(int Number, IReadOnlyList<string> Cells)
{
    public string this[int column] => column >= 0 && column < Cells.Count ? Cells[column] : "";
}

/// <summary>
/// An uploaded XLSX or CSV file as a table of text: the header row's column names (made unique) and
/// the non-empty rows below it.
/// </summary>
public sealed record Table(int HeaderRow, IReadOnlyList<string> Columns, IReadOnlyList<TableRow> Rows);

/// <summary>Reading tables from uploaded spreadsheets, and writing cells that no spreadsheet program takes for a formula.</summary>
public static class Spreadsheets
{
    public const string XlsxContentType = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet";

    /// <summary>Header rows are looked for among the first rows with content, below any title lines.</summary>
    private const int HeaderSearchRows = 10;

    /// <summary>
    /// Text that a spreadsheet program could run as a formula when it opens or re-saves the file
    /// (CSV injection): it starts with =, +, -, @, a tab or a carriage return.
    /// </summary>
    public static bool LooksLikeFormula(string? text) =>
        text is { Length: > 0 } && text[0] is '=' or '+' or '-' or '@' or '\t' or '\r';

    /// <summary>
    /// Writes text as a text cell. Formula-like text also gets Excel's quote prefix, so that editing
    /// the cell or converting the sheet keeps it text.
    /// </summary>
    public static void SetText(IXLCell cell, string? value)
    {
        ArgumentNullException.ThrowIfNull(cell);
        cell.SetValue(value ?? "");
        if (LooksLikeFormula(value))
        {
            cell.Style.IncludeQuotePrefix = true;
        }
    }

    /// <summary>Bold, shaded column headers with widths; the header row stays in view and carries filters (call <see cref="Finish"/>).</summary>
    public static void WriteHeader(IXLWorksheet sheet, IReadOnlyList<string> columns, IReadOnlyList<double> widths)
    {
        ArgumentNullException.ThrowIfNull(sheet);
        ArgumentNullException.ThrowIfNull(columns);
        ArgumentNullException.ThrowIfNull(widths);
        for (var c = 0; c < columns.Count; c++)
        {
            var cell = sheet.Cell(1, c + 1);
            cell.SetValue(columns[c]);
            cell.Style.Font.Bold = true;
            cell.Style.Fill.BackgroundColor = XLColor.FromHtml("#DDE7E0");
            sheet.Column(c + 1).Width = c < widths.Count ? widths[c] : 20;
        }
    }

    public static void Finish(IXLWorksheet sheet, int lastRow, int columns)
    {
        ArgumentNullException.ThrowIfNull(sheet);
        sheet.Range(1, 1, Math.Max(1, lastRow), columns).SetAutoFilter();
        sheet.SheetView.FreezeRows(1);
    }

    /// <summary>
    /// Reads the first sheet of an XLSX workbook (or <paramref name="preferredSheet"/> when it has
    /// one), or a CSV file, as text. Formula cells are read as their formula text and never
    /// evaluated. Throws <see cref="FormatException"/> with a message for the uploader.
    /// </summary>
    public static async Task<Table> ReadAsync(string? fileName, Stream content, int maxRows, string? preferredSheet, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(content);
        using var buffer = new MemoryStream();
        await content.CopyToAsync(buffer, ct);
        var bytes = buffer.ToArray();
        var name = fileName ?? "";
        List<(int Number, List<string> Cells)> rows;
        if (bytes.Length >= 4 && bytes[0] == 'P' && bytes[1] == 'K' && bytes[2] == 3 && bytes[3] == 4)
        {
            buffer.Position = 0;
            CheckUnpackedSize(buffer);
            buffer.Position = 0;
            rows = ReadXlsx(buffer, preferredSheet, maxRows);
        }
        else if (name.EndsWith(".xlsx", StringComparison.OrdinalIgnoreCase))
        {
            throw new FormatException("The file is not a readable XLSX workbook.");
        }
        else if (name.EndsWith(".xls", StringComparison.OrdinalIgnoreCase) || (bytes.Length >= 4 && bytes[0] == 0xD0 && bytes[1] == 0xCF))
        {
            throw new FormatException("Old Excel workbooks (.xls) cannot be read; save the file as XLSX or CSV.");
        }
        else
        {
            rows = Csv.Parse(Decode(bytes)).Select((r, i) => (i + 1, r.Fields)).ToList();
        }

        return ToTable(rows, maxRows);
    }

    /// <summary>The most a workbook may unpack to: a small file that expands to gigabytes is refused unread.</summary>
    public const long MaxUnpackedBytes = 200L * 1024 * 1024;

    /// <summary>The widest sheet read; a stray cell far to the right would otherwise make every row that wide.</summary>
    public const int MaxColumns = 100;

    private static void CheckUnpackedSize(Stream stream)
    {
        try
        {
            using var zip = new System.IO.Compression.ZipArchive(stream, System.IO.Compression.ZipArchiveMode.Read, leaveOpen: true);
            long total = 0;
            foreach (var entry in zip.Entries)
            {
                total += entry.Length;
                if (total > MaxUnpackedBytes)
                {
                    throw new FormatException($"The workbook unpacks to more than {MaxUnpackedBytes / (1024 * 1024)} MB; it is not read.");
                }
            }
        }
        catch (InvalidDataException e)
        {
            throw new FormatException("The file is not a readable XLSX workbook.", e);
        }
    }

    private static List<(int, List<string>)> ReadXlsx(Stream stream, string? preferredSheet, int maxRows)
    {
        XLWorkbook workbook;
        try
        {
            workbook = new XLWorkbook(stream);
        }
#pragma warning disable CA1031 // Any unreadable upload is the uploader's problem, reported as such.
        catch (Exception e)
#pragma warning restore CA1031
        {
            throw new FormatException($"The file is not a readable XLSX workbook ({e.GetType().Name}).", e);
        }

        using (workbook)
        {
            var sheet = preferredSheet is not null && workbook.TryGetWorksheet(preferredSheet, out var named) ? named : workbook.Worksheets.First();
            var lastRow = sheet.LastRowUsed()?.RowNumber() ?? 0;
            var lastColumn = sheet.LastColumnUsed()?.ColumnNumber() ?? 0;
            if (lastColumn > MaxColumns)
            {
                throw new FormatException($"The sheet uses column {ColumnLetter(lastColumn)}; at most {MaxColumns} columns are read. Delete the cells beyond the table.");
            }

            if (lastRow > maxRows + HeaderSearchRows + 1)
            {
                // Enough to report the limit without reading a huge sheet.
                lastRow = maxRows + HeaderSearchRows + 2;
            }

            var rows = new List<(int, List<string>)>(lastRow);
            for (var r = 1; r <= lastRow; r++)
            {
                var row = sheet.Row(r);
                var cells = new List<string>(lastColumn);
                for (var c = 1; c <= lastColumn; c++)
                {
                    cells.Add(Text(row.Cell(c)));
                }

                rows.Add((r, cells));
            }

            return rows;
        }
    }

    /// <summary>A cell's content as text. A formula is kept as the formula text, never evaluated.</summary>
    private static string Text(IXLCell cell)
    {
        if (cell.HasFormula)
        {
            var formula = cell.FormulaA1 ?? "";
            return formula.StartsWith('=') ? formula : "=" + formula;
        }

        return cell.DataType switch
        {
            XLDataType.Number => cell.GetDouble().ToString(CultureInfo.InvariantCulture),
            XLDataType.Boolean => cell.GetBoolean() ? "TRUE" : "FALSE",
            XLDataType.DateTime => cell.GetDateTime() is var d && d.TimeOfDay == TimeSpan.Zero
                ? d.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture)
                : d.ToString("yyyy-MM-dd HH:mm", CultureInfo.InvariantCulture),
            _ => cell.GetString(),
        };
    }

    /// <summary>UTF-8 (with or without a byte order mark) or UTF-16 with one; otherwise Latin-1, as older spreadsheet programs save CSV.</summary>
    private static string Decode(byte[] bytes)
    {
        if (bytes.Length >= 3 && bytes[0] == 0xEF && bytes[1] == 0xBB && bytes[2] == 0xBF)
        {
            return Encoding.UTF8.GetString(bytes, 3, bytes.Length - 3);
        }

        if (bytes.Length >= 2 && bytes[0] == 0xFF && bytes[1] == 0xFE)
        {
            return Encoding.Unicode.GetString(bytes, 2, bytes.Length - 2);
        }

        if (bytes.Length >= 2 && bytes[0] == 0xFE && bytes[1] == 0xFF)
        {
            return Encoding.BigEndianUnicode.GetString(bytes, 2, bytes.Length - 2);
        }

        try
        {
            return new UTF8Encoding(false, throwOnInvalidBytes: true).GetString(bytes);
        }
        catch (DecoderFallbackException)
        {
            return Encoding.Latin1.GetString(bytes);
        }
    }

    private static Table ToTable(List<(int Number, List<string> Cells)> rows, int maxRows)
    {
        static bool Empty(List<string> cells) => cells.All(string.IsNullOrWhiteSpace);
        var candidates = rows.Where(r => !Empty(r.Cells)).Take(HeaderSearchRows).ToList();
        if (candidates.Count == 0)
        {
            throw new FormatException("The file is empty.");
        }

        // Title lines above the table have one filled cell; the header row names several columns.
        var header = candidates.FirstOrDefault(r => r.Cells.Count(c => !string.IsNullOrWhiteSpace(c)) >= 2);
        if (header.Cells is null)
        {
            header = candidates[0];
        }

        var data = rows.Where(r => r.Number > header.Number && !Empty(r.Cells)).ToList();
        if (data.Count > maxRows)
        {
            throw new FormatException($"The file has more than {maxRows} rows; split it into smaller files.");
        }

        var width = Math.Max(LastFilled(header.Cells), data.Count == 0 ? 0 : data.Max(r => LastFilled(r.Cells)));
        var columns = new List<string>(width);
        var seen = new Dictionary<string, int>(StringComparer.OrdinalIgnoreCase);
        for (var c = 0; c < width; c++)
        {
            var name = c < header.Cells.Count ? header.Cells[c].Trim() : "";
            if (name.Length == 0)
            {
                name = "Column " + ColumnLetter(c + 1);
            }

            if (seen.TryGetValue(name, out var n))
            {
                seen[name] = n + 1;
                name = $"{name} ({n + 1})";
            }
            else
            {
                seen[name] = 1;
            }

            columns.Add(name);
        }

        return new Table(header.Number, columns, data.Select(r => new TableRow(r.Number, r.Cells.Take(width).ToList())).ToList());
    }

    private static int LastFilled(List<string> cells)
    {
        for (var i = cells.Count - 1; i >= 0; i--)
        {
            if (!string.IsNullOrWhiteSpace(cells[i]))
            {
                return i + 1;
            }
        }

        return 0;
    }

    public static string ColumnLetter(int number)
    {
        var letters = "";
        while (number > 0)
        {
            var rest = (number - 1) % 26;
            letters = (char)('A' + rest) + letters;
            number = (number - rest - 1) / 26;
        }

        return letters;
    }

    /// <summary>Lower-case letters and digits only: "Likelihood (inherent)" → "likelihoodinherent".</summary>
    public static string Normalise(string? header) =>
        new((header ?? "").ToLowerInvariant().Where(char.IsLetterOrDigit).ToArray());
}

using System.Globalization;
using System.Text;

namespace Perennial.Common;

/// <summary>RFC 4180 CSV, as spreadsheet programs write and read it.</summary>
public static class Csv
{
    /// <summary>
    /// Splits CSV text into records, each with the line it starts on: quoted fields may hold
    /// delimiters, quotes ("") and line breaks. A header line with semicolons and no commas makes
    /// the semicolon the delimiter.
    /// </summary>
    public static List<(int Line, List<string> Fields)> Parse(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        // Spreadsheets saved in some locales separate fields with semicolons; the header line tells.
        var firstLine = text.Split('\n', 2)[0];
        var delimiter = firstLine.Contains(';', StringComparison.Ordinal) && !firstLine.Contains(',', StringComparison.Ordinal) ? ';' : ',';
        var records = new List<(int, List<string>)>();
        var fields = new List<string>();
        var field = new StringBuilder();
        var quoted = false;
        var line = 1;
        var recordLine = 1;
        for (var i = 0; i < text.Length; i++)
        {
            var c = text[i];
            if (quoted)
            {
                if (c == '"' && i + 1 < text.Length && text[i + 1] == '"')
                {
                    field.Append('"');
                    i++;
                }
                else if (c == '"')
                {
                    quoted = false;
                }
                else
                {
                    if (c == '\n')
                    {
                        line++;
                    }

                    field.Append(c);
                }
            }
            else if (c == '"' && field.Length == 0)
            {
                quoted = true;
            }
            else if (c == delimiter)
            {
                fields.Add(field.ToString());
                field.Clear();
            }
            else if (c == '\n' || c == '\r')
            {
                if (c == '\r' && i + 1 < text.Length && text[i + 1] == '\n')
                {
                    i++;
                }

                fields.Add(field.ToString());
                field.Clear();
                records.Add((recordLine, fields));
                fields = [];
                line++;
                recordLine = line;
            }
            else
            {
                field.Append(c);
            }
        }

        if (quoted)
        {
            throw new FormatException(string.Create(CultureInfo.InvariantCulture, $"Line {recordLine}: a quoted field is not closed."));
        }

        if (field.Length > 0 || fields.Count > 0)
        {
            fields.Add(field.ToString());
            records.Add((recordLine, fields));
        }

        return records;
    }

    /// <summary>A header and records as CSV (see <see cref="Write(IEnumerable{IReadOnlyList{string}})"/>).</summary>
    public static string Write(IEnumerable<string> header, IEnumerable<IEnumerable<string?>> records)
    {
        ArgumentNullException.ThrowIfNull(header);
        ArgumentNullException.ThrowIfNull(records);
        return Write(new[] { header.ToList() }.Concat(records.Select(r => r.Select(f => f ?? "").ToList())));
    }

    /// <summary>
    /// Writes records as RFC 4180 CSV with CRLF line ends. Fields holding a delimiter, quote or line
    /// break are quoted; text a spreadsheet program would run as a formula gets a leading apostrophe
    /// (CSV injection), as Excel's quote prefix does in XLSX.
    /// </summary>
    public static string Write(IEnumerable<IReadOnlyList<string>> records)
    {
        ArgumentNullException.ThrowIfNull(records);
        var text = new StringBuilder();
        foreach (var record in records)
        {
            for (var i = 0; i < record.Count; i++)
            {
                if (i > 0)
                {
                    text.Append(',');
                }

                var field = record[i] ?? "";
                if (Spreadsheets.LooksLikeFormula(field))
                {
                    field = "'" + field;
                }

                if (field.AsSpan().IndexOfAny(",\"\r\n;") >= 0)
                {
                    text.Append('"').Append(field.Replace("\"", "\"\"", StringComparison.Ordinal)).Append('"');
                }
                else
                {
                    text.Append(field);
                }
            }

            text.Append("\r\n");
        }

        return text.ToString();
    }
}


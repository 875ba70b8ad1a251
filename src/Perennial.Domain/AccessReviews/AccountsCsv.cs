using System.Text;
using Perennial.Common;
using Perennial.Evidence;

namespace Perennial.AccessReviews;

/// <summary>
/// Reads an accounts list exported as CSV (RFC 4180 quoting): a header row naming the columns
/// <c>account, name, email, access, disabled</c> in any order (only <c>account</c> is required), then
/// one account per row; access holds several values separated by semicolons. Every error names the
/// line and column, and nothing is accepted from a file with an error.
/// </summary>
public static class AccountsCsv
{
    public const string ContentType = "text/csv";
    public const string Columns = "account, name, email, access, disabled";

    private static readonly string[] Known = ["account", "name", "email", "access", "disabled"];

    public static IReadOnlyList<SnapshotAccount> Parse(string text, string field = "file")
    {
        ArgumentNullException.ThrowIfNull(text);
        var rows = ReadRows(text, field);
        if (rows.Count == 0 || rows[0].Cells.All(string.IsNullOrWhiteSpace))
        {
            throw UseCaseException.Invalid(field, $"Line 1: the file is empty; it needs a header row with the columns {Columns}.");
        }

        var header = rows[0].Cells.Select(c => c.Trim().TrimStart('\uFEFF').ToLowerInvariant()).ToList();
        foreach (var (name, index) in header.Select((h, i) => (h, i)))
        {
            if (!Known.Contains(name))
            {
                throw UseCaseException.Invalid(field, $"Line 1, column {index + 1}: unknown column '{name}'; the columns are {Columns}.");
            }

            if (header.IndexOf(name) != index)
            {
                throw UseCaseException.Invalid(field, $"Line 1, column {index + 1}: column '{name}' appears twice.");
            }
        }

        if (!header.Contains("account"))
        {
            throw UseCaseException.Invalid(field, $"Line 1: the header row has no 'account' column; the columns are {Columns}.");
        }

        var accounts = new List<SnapshotAccount>();
        var seen = new Dictionary<string, int>(StringComparer.OrdinalIgnoreCase);
        foreach (var row in rows.Skip(1))
        {
            if (row.Cells.All(string.IsNullOrWhiteSpace))
            {
                continue;
            }

            if (row.Cells.Count != header.Count)
            {
                throw UseCaseException.Invalid(field, $"Line {row.Line}: {row.Cells.Count} columns where the header has {header.Count}.");
            }

            string? Cell(string column)
            {
                var i = header.IndexOf(column);
                return i < 0 || string.IsNullOrWhiteSpace(row.Cells[i]) ? null : row.Cells[i].Trim();
            }

            var id = Cell("account") ?? throw UseCaseException.Invalid(field, $"Line {row.Line}, column 'account': the account is empty.");
            Check(id, AccessReviewEntry.AccountIdMaxLength, row.Line, "account", field);
            if (seen.TryGetValue(id, out var first))
            {
                throw UseCaseException.Invalid(field, $"Line {row.Line}, column 'account': '{id}' is already on line {first}.");
            }

            seen[id] = row.Line;
            var name = Cell("name");
            Check(name, AccessReviewEntry.NameMaxLength, row.Line, "name", field);
            var email = Cell("email");
            Check(email, AccessReviewEntry.EmailMaxLength, row.Line, "email", field);
            var disabled = Cell("disabled")?.ToLowerInvariant() switch
            {
                null or "false" or "no" or "0" or "n" => false,
                "true" or "yes" or "1" or "y" => true,
                var other => throw UseCaseException.Invalid(field, $"Line {row.Line}, column 'disabled': '{other}' is not true/false or yes/no."),
            };
            var access = (Cell("access") ?? "").Split(';', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)
                .Distinct(StringComparer.Ordinal).ToList();
            accounts.Add(new SnapshotAccount(id, name, email, disabled, access));
        }

        if (accounts.Count == 0)
        {
            throw UseCaseException.Invalid(field, "The file has a header row but no accounts.");
        }

        return accounts;
    }

    private static void Check(string? value, int max, int line, string column, string field)
    {
        if (value is { Length: var length } && length > max)
        {
            throw UseCaseException.Invalid(field, $"Line {line}, column '{column}': longer than {max} characters.");
        }
    }

    private sealed record Row(int Line, List<string> Cells);

    /// <summary>Splits into rows of cells; a quoted cell may hold commas, doubled quotes and line breaks.</summary>
    private static List<Row> ReadRows(string text, string field)
    {
        var rows = new List<Row>();
        var cells = new List<string>();
        var cell = new StringBuilder();
        var line = 1;
        var rowLine = 1;
        var quoted = false;
        var wasQuoted = false;
        for (var i = 0; i < text.Length; i++)
        {
            var c = text[i];
            if (quoted)
            {
                if (c == '"')
                {
                    if (i + 1 < text.Length && text[i + 1] == '"')
                    {
                        cell.Append('"');
                        i++;
                    }
                    else
                    {
                        quoted = false;
                    }
                }
                else
                {
                    if (c == '\n')
                    {
                        line++;
                    }

                    cell.Append(c);
                }

                continue;
            }

            switch (c)
            {
                case '"' when cell.Length == 0 && !wasQuoted:
                    quoted = true;
                    wasQuoted = true;
                    break;
                case '"':
                    throw UseCaseException.Invalid(field, $"Line {line}, column {cells.Count + 1}: a quote inside an unquoted value; quote the whole value and double the quote.");
                case ',':
                    cells.Add(cell.ToString());
                    cell.Clear();
                    wasQuoted = false;
                    break;
                case '\r':
                    break;
                case '\n':
                    cells.Add(cell.ToString());
                    rows.Add(new Row(rowLine, cells));
                    cells = [];
                    cell.Clear();
                    wasQuoted = false;
                    line++;
                    rowLine = line;
                    break;
                default:
                    if (wasQuoted && !char.IsWhiteSpace(c))
                    {
                        throw UseCaseException.Invalid(field, $"Line {line}, column {cells.Count + 1}: text after a closing quote.");
                    }

                    cell.Append(c);
                    break;
            }
        }

        if (quoted)
        {
            throw UseCaseException.Invalid(field, $"Line {rowLine}, column {cells.Count + 1}: a quoted value is never closed.");
        }

        if (cell.Length > 0 || cells.Count > 0)
        {
            cells.Add(cell.ToString());
            rows.Add(new Row(rowLine, cells));
        }

        return rows;
    }
}

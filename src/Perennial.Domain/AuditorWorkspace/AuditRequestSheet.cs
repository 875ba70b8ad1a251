using System.Globalization;
using ClosedXML.Excel;
using Perennial.Common;

namespace Perennial.AuditorWorkspace;

/// <summary>The auditor's request list as an XLSX workbook, one row per request.</summary>
public static class AuditRequestSheet
{
    public const string ContentType = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet";
    public const string SheetName = "Requests";

    public sealed record Row(
        string Reference, string Text, string? Identifier, DateOnly DueOn, string Status, int Round, string? RaisedBy, DateTimeOffset RaisedAt, string? Assignee,
        string? Answer, int EvidenceItems, DateTimeOffset? AnsweredAt, string? AuditorNote, DateTimeOffset? AcceptedAt, bool Overdue);

    public static readonly IReadOnlyList<string> Columns =
    [
        "Reference", "Request", "Clause or control", "Due", "Status", "Round", "Raised by", "Raised", "Assigned to", "Answer", "Evidence items", "Answered",
        "Asked again because", "Accepted", "Overdue",
    ];

    private static readonly double[] Widths = [11, 50, 14, 12, 11, 7, 22, 17, 22, 50, 9, 17, 40, 17, 9];

    public static byte[] Xlsx(string organisation, IReadOnlyList<Row> rows, DateTimeOffset generatedAt)
    {
        ArgumentNullException.ThrowIfNull(rows);
        using var workbook = new XLWorkbook();
        workbook.Properties.Title = $"{organisation}: audit requests, {generatedAt:yyyy-MM-dd}";
        workbook.Properties.Author = "Perennial";
        var sheet = workbook.AddWorksheet(SheetName);
        Spreadsheets.WriteHeader(sheet, Columns, Widths);
        var r = 2;
        foreach (var row in rows)
        {
            Spreadsheets.SetText(sheet.Cell(r, 1), row.Reference);
            Spreadsheets.SetText(sheet.Cell(r, 2), row.Text);
            Spreadsheets.SetText(sheet.Cell(r, 3), row.Identifier);
            sheet.Cell(r, 4).SetValue(row.DueOn.ToDateTime(TimeOnly.MinValue));
            sheet.Cell(r, 4).Style.DateFormat.Format = "yyyy-mm-dd";
            Spreadsheets.SetText(sheet.Cell(r, 5), row.Status);
            sheet.Cell(r, 6).SetValue(row.Round);
            Spreadsheets.SetText(sheet.Cell(r, 7), row.RaisedBy);
            Spreadsheets.SetText(sheet.Cell(r, 8), Instant(row.RaisedAt));
            Spreadsheets.SetText(sheet.Cell(r, 9), row.Assignee);
            Spreadsheets.SetText(sheet.Cell(r, 10), row.Answer);
            sheet.Cell(r, 11).SetValue(row.EvidenceItems);
            Spreadsheets.SetText(sheet.Cell(r, 12), row.AnsweredAt is { } a ? Instant(a) : null);
            Spreadsheets.SetText(sheet.Cell(r, 13), row.AuditorNote);
            Spreadsheets.SetText(sheet.Cell(r, 14), row.AcceptedAt is { } c ? Instant(c) : null);
            Spreadsheets.SetText(sheet.Cell(r, 15), row.Overdue ? "yes" : "no");
            r++;
        }

        sheet.Column(2).Style.Alignment.WrapText = true;
        sheet.Column(10).Style.Alignment.WrapText = true;
        Spreadsheets.Finish(sheet, r - 1, Columns.Count);
        using var stream = new MemoryStream();
        workbook.SaveAs(stream);
        return stream.ToArray();
    }

    private static string Instant(DateTimeOffset at) => at.UtcDateTime.ToString("yyyy-MM-dd HH:mm 'UTC'", CultureInfo.InvariantCulture);
}

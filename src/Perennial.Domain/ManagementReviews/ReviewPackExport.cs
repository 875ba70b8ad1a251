using System.Globalization;
using ClosedXML.Excel;
using DocumentFormat.OpenXml;
using DocumentFormat.OpenXml.Packaging;
using DocumentFormat.OpenXml.Wordprocessing;
using Perennial.Common;
using static Perennial.Common.WordDocuments;

namespace Perennial.ManagementReviews;

/// <summary>The pack and minutes as a Word document for management, and the figures as a workbook.</summary>
public static class ReviewPackExport
{
    public const string DocxType = WordDocuments.DocxType;

    public static byte[] Docx(ReviewPackModel pack, ReviewDetail detail)
    {
        ArgumentNullException.ThrowIfNull(pack);
        ArgumentNullException.ThrowIfNull(detail);
        var review = detail.Review;
        using var stream = new MemoryStream();
        using (var document = WordprocessingDocument.Create(stream, WordprocessingDocumentType.Document))
        {
            var main = document.AddMainDocumentPart();
            var body = new Body();
            main.Document = new Document(body);
            body.Append(Heading($"Management review {review.Reference}: {review.Title}", 32));
            body.Append(Para(pack.OrganisationName));
            body.Append(Para($"Period reviewed: {Instant(pack.PeriodFrom)} to {Instant(pack.PeriodTo)}."));
            body.Append(Para(review.Status == ReviewStatus.Held && review.HeldAt is { } held
                ? $"Held on {Instant(held)}; the pack below is frozen as it stood then (SHA-256 {review.PackSha256})."
                : $"Scheduled for {review.ScheduledOn.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture)}; the pack below is built from the records as they stood at {Instant(pack.BuiltAt)}."));
            body.Append(Para($"Chair: {detail.ChairName}" + (detail.Attendees.Count == 0 ? "." : $"; attendees: {string.Join(", ", detail.Attendees.Select(a => a.Name))}.")));
            var minutes = detail.Minutes.ToDictionary(m => m.Input, m => m.Text, StringComparer.Ordinal);
            foreach (var section in pack.Sections.Concat(pack.Also))
            {
                body.Append(Heading(section.Title, 26));
                body.Append(Para(section.Summary));
                if (section.Records.Count > 0)
                {
                    body.Append(Table(["Record", "Title", "Status", "Detail"], section.Records.Select(r => (IReadOnlyList<string>)[r.Reference, r.Title, r.Status ?? "", r.Detail ?? ""])));
                }

                if (minutes.TryGetValue(section.Input, out var text))
                {
                    body.Append(Para("Minutes: " + text, italic: true));
                }
            }

            if (minutes.TryGetValue("general", out var general))
            {
                body.Append(Heading("General minutes", 26));
                body.Append(Para(general));
            }

            body.Append(Heading("Decisions and actions", 26));
            if (detail.Decisions.Count == 0)
            {
                body.Append(Para("No decision recorded."));
            }
            else
            {
                body.Append(Table(["Decision", "Kind", "Owner", "Due", "Status"], detail.Decisions.Select(d => (IReadOnlyList<string>)
                [
                    $"{d.Decision.Reference} {d.Decision.Title}", ReviewNames.Label(d.Decision.Kind), d.OwnerName,
                    d.Decision.DueOn.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture), d.Overdue ? "overdue" : ReviewNames.Name(d.Decision.Status),
                ])));
            }

            main.Document.Save();
        }

        return stream.ToArray();
    }

    /// <summary>One sheet of figures (input, figure, value) and one of the records behind them.</summary>
    public static byte[] Xlsx(ReviewPackModel pack)
    {
        ArgumentNullException.ThrowIfNull(pack);
        using var workbook = new XLWorkbook();
        var figures = workbook.Worksheets.Add("Figures");
        Spreadsheets.WriteHeader(figures, ["Input", "Section", "Figure", "Value"], [10, 50, 28, 12]);
        var row = 2;
        foreach (var section in pack.Sections.Concat(pack.Also))
        {
            foreach (var (name, value) in section.Figures)
            {
                Spreadsheets.SetText(figures.Cell(row, 1), section.Input);
                Spreadsheets.SetText(figures.Cell(row, 2), section.Title);
                Spreadsheets.SetText(figures.Cell(row, 3), name);
                if (value is { } v)
                {
                    figures.Cell(row, 4).SetValue(v);
                }

                row++;
            }
        }

        Spreadsheets.Finish(figures, row - 1, 4);
        var records = workbook.Worksheets.Add("Records");
        Spreadsheets.WriteHeader(records, ["Input", "Type", "Reference", "Title", "Status", "Detail", "Id"], [10, 16, 16, 50, 14, 60, 38]);
        row = 2;
        foreach (var section in pack.Sections.Concat(pack.Also))
        {
            foreach (var r in section.Records)
            {
                Spreadsheets.SetText(records.Cell(row, 1), section.Input);
                Spreadsheets.SetText(records.Cell(row, 2), r.Type);
                Spreadsheets.SetText(records.Cell(row, 3), r.Reference);
                Spreadsheets.SetText(records.Cell(row, 4), r.Title);
                Spreadsheets.SetText(records.Cell(row, 5), r.Status);
                Spreadsheets.SetText(records.Cell(row, 6), r.Detail);
                Spreadsheets.SetText(records.Cell(row, 7), r.Id.ToString());
                row++;
            }
        }

        Spreadsheets.Finish(records, row - 1, 7);
        using var stream = new MemoryStream();
        workbook.SaveAs(stream);
        return stream.ToArray();
    }

    private static string Instant(DateTimeOffset at) => at.UtcDateTime.ToString("yyyy-MM-dd HH:mm", CultureInfo.InvariantCulture) + " UTC";
}

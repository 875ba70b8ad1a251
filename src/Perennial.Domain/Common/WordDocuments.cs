using System.Globalization;
using DocumentFormat.OpenXml;
using DocumentFormat.OpenXml.Wordprocessing;
using WordRow = DocumentFormat.OpenXml.Wordprocessing.TableRow;
using WordTable = DocumentFormat.OpenXml.Wordprocessing.Table;

namespace Perennial.Common;

/// <summary>The pieces Perennial's Word documents are built from, in the order the schema wants their parts.</summary>
public static class WordDocuments
{
    public const string DocxType = "application/vnd.openxmlformats-officedocument.wordprocessingml.document";

    public static Paragraph Heading(string text, int halfPoints) =>
        new(new Run(new RunProperties(new Bold(), new FontSize { Val = halfPoints.ToString(CultureInfo.InvariantCulture) }), new Text(text) { Space = SpaceProcessingModeValues.Preserve }));

    public static Paragraph Para(string text, bool italic = false) =>
        new(new Run(italic ? new RunProperties(new Italic()) : new RunProperties(), new Text(text) { Space = SpaceProcessingModeValues.Preserve }));

    /// <summary>A bordered table with a bold header row; the grid declares one column per header cell, as the schema requires.</summary>
    public static WordTable Table(IReadOnlyList<string> header, IEnumerable<IReadOnlyList<string>> rows)
    {
        ArgumentNullException.ThrowIfNull(header);
        ArgumentNullException.ThrowIfNull(rows);
        var table = new WordTable(
            new TableProperties(
                new TableWidth { Type = TableWidthUnitValues.Pct, Width = "5000" },
                new TableBorders(
                    new TopBorder { Val = BorderValues.Single, Size = 4 }, new LeftBorder { Val = BorderValues.Single, Size = 4 },
                    new BottomBorder { Val = BorderValues.Single, Size = 4 }, new RightBorder { Val = BorderValues.Single, Size = 4 },
                    new InsideHorizontalBorder { Val = BorderValues.Single, Size = 4 }, new InsideVerticalBorder { Val = BorderValues.Single, Size = 4 })),
            new TableGrid(header.Select(_ => new GridColumn { Width = (9000 / Math.Max(1, header.Count)).ToString(CultureInfo.InvariantCulture) })));
        table.Append(Row(true, header));
        foreach (var cells in rows)
        {
            table.Append(Row(false, cells));
        }

        return table;
    }

    private static WordRow Row(bool header, IReadOnlyList<string> cells) =>
        new(cells.Select(c => new TableCell(new Paragraph(new Run(header ? new RunProperties(new Bold()) : new RunProperties(), new Text(c) { Space = SpaceProcessingModeValues.Preserve })))));
}

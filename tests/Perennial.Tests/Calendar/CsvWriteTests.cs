using Perennial.Common;

namespace Perennial.Tests.Calendar;

/// <summary>CSV as the exports write it: read back by the importer's own parser, and never run as a formula.</summary>
public sealed class CsvWriteTests
{
    [Fact]
    public void Fields_with_delimiters_quotes_and_line_breaks_survive_a_round_trip()
    {
        string[][] records =
        [
            ["Reference", "Activity", "Frequency"],
            ["ACT-001", "Review \"admin\" accounts", "Monthly in Mar, Jun, Sep, Dec"],
            ["ACT-002", "Two\r\nlines; and a semicolon", ""],
        ];

        var text = Csv.Write(records);

        Assert.EndsWith("\r\n", text, StringComparison.Ordinal);
        Assert.Equal(records.Select(r => r.ToList()), Csv.Parse(text).Select(r => r.Fields));
    }

    [Theory]
    [InlineData("=HYPERLINK(\"http://evil.example\")")]
    [InlineData("+1+1")]
    [InlineData("-2+3")]
    [InlineData("@SUM(A1)")]
    public void Text_that_looks_like_a_formula_is_written_with_a_leading_apostrophe(string title)
    {
        var text = Csv.Write([["ACT-001", title]]);

        var field = Csv.Parse(text)[0].Fields[1];
        Assert.Equal("'" + title, field);
    }
}

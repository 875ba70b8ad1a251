using System.Globalization;
using System.Text;
using System.Text.Encodings.Web;
using Perennial.Risks;

namespace Perennial.Pages.O.Risks;

/// <summary>A heat map as SVG: likelihood up the side, impact along the bottom; each cell links to its risks.</summary>
public static class HeatMapSvg
{
    private const int Cell = 64;
    private const int Left = 140;
    private const int Top = 10;

    public static string Render(HeatMap map, string registerPath)
    {
        ArgumentNullException.ThrowIfNull(map);
        var e = HtmlEncoder.Default;
        var rows = map.Likelihood.Count;
        var cols = map.Impact.Count;
        var width = Left + (cols * Cell) + 10;
        var height = Top + (rows * Cell) + 60;
        var kind = map.Residual ? "residual" : "inherent";
        var svg = new StringBuilder();
        svg.Append(CultureInfo.InvariantCulture, $"<svg class=\"heatmap\" viewBox=\"0 0 {width} {height}\" role=\"group\" aria-label=\"{(map.Residual ? "Residual" : "Inherent")} risk heat map\">");
        foreach (var c in map.Cells)
        {
            var x = Left + ((c.Impact - 1) * Cell);
            var y = Top + ((rows - c.Likelihood) * Cell);
            var label = $"Likelihood {c.Likelihood}, impact {c.Impact}: {c.Level}, {c.Count} risk{(c.Count == 1 ? "" : "s")}";
            svg.Append(CultureInfo.InvariantCulture, $"<a href=\"{e.Encode($"{registerPath}?cell={kind}:{c.Likelihood}:{c.Impact}")}\" aria-label=\"{e.Encode(label)}\">");
            svg.Append(CultureInfo.InvariantCulture, $"<rect x=\"{x}\" y=\"{y}\" width=\"{Cell - 2}\" height=\"{Cell - 2}\" fill=\"{e.Encode(c.Colour)}\" fill-opacity=\"{(c.Count > 0 ? "0.9" : "0.35")}\"/>");
            svg.Append(CultureInfo.InvariantCulture, $"<text x=\"{x + (Cell / 2) - 1}\" y=\"{y + (Cell / 2) + 6}\" text-anchor=\"middle\" class=\"count\">{c.Count}</text></a>");
        }

        for (var l = 1; l <= rows; l++)
        {
            var y = Top + ((rows - l) * Cell) + (Cell / 2) + 4;
            svg.Append(CultureInfo.InvariantCulture, $"<text x=\"{Left - 6}\" y=\"{y}\" text-anchor=\"end\">{e.Encode($"{l} {map.Likelihood[l - 1].Name}")}</text>");
        }

        for (var i = 1; i <= cols; i++)
        {
            var x = Left + ((i - 1) * Cell) + (Cell / 2);
            svg.Append(CultureInfo.InvariantCulture, $"<text x=\"{x}\" y=\"{Top + (rows * Cell) + 16}\" text-anchor=\"middle\">{i}</text>");
            svg.Append(CultureInfo.InvariantCulture, $"<text x=\"{x}\" y=\"{Top + (rows * Cell) + 30}\" text-anchor=\"middle\" class=\"small\">{e.Encode(map.Impact[i - 1].Name)}</text>");
        }

        svg.Append(CultureInfo.InvariantCulture, $"<text x=\"{Left + (cols * Cell / 2)}\" y=\"{height - 6}\" text-anchor=\"middle\">Impact</text>");
        svg.Append(CultureInfo.InvariantCulture, $"<text x=\"12\" y=\"{Top + (rows * Cell / 2)}\" text-anchor=\"middle\" transform=\"rotate(-90 12 {Top + (rows * Cell / 2)})\">Likelihood</text>");
        svg.Append("</svg>");
        return svg.ToString();
    }
}

using System.Globalization;
using System.Xml.Linq;

namespace Perennial.Measurement;

/// <summary>One point of a chart: a day and its value (null: nothing to measure that day).</summary>
public sealed record ChartPoint(DateOnly On, double? Value);

/// <summary>
/// A measure's trend as a small server-rendered SVG line chart with its target (and warning
/// threshold) drawn as lines, readable without JavaScript: the title and description say in words
/// what the chart shows, for screen readers and for anyone who cannot see the lines.
/// </summary>
public static class TrendChart
{
    public const int Width = 640;
    public const int Height = 220;
    private const int Left = 56;
    private const int Right = 16;
    private const int Top = 16;
    private const int Bottom = 36;

    private static readonly XNamespace Svg = "http://www.w3.org/2000/svg";

    public static string Render(string title, string unit, IReadOnlyList<ChartPoint> points, double? target, double? threshold)
    {
        ArgumentNullException.ThrowIfNull(points);
        var values = points.Where(p => p.Value is not null).OrderBy(p => p.On).ToList();
        var id = "chart-" + Math.Abs(StringComparer.Ordinal.GetHashCode(title)).ToString(CultureInfo.InvariantCulture);
        var root = new XElement(Svg + "svg",
            new XAttribute("viewBox", $"0 0 {Width} {Height}"),
            new XAttribute("width", Width), new XAttribute("height", Height),
            new XAttribute("role", "img"), new XAttribute("aria-labelledby", $"{id}-t {id}-d"),
            new XAttribute("class", "trend-chart"),
            new XElement(Svg + "title", new XAttribute("id", $"{id}-t"), title),
            new XElement(Svg + "desc", new XAttribute("id", $"{id}-d"), Describe(unit, values, target)));
        root.Add(new XElement(Svg + "rect", new XAttribute("x", 0), new XAttribute("y", 0), new XAttribute("width", Width), new XAttribute("height", Height),
            new XAttribute("fill", "#ffffff"), new XAttribute("stroke", "#d0d7de")));
        if (values.Count == 0)
        {
            root.Add(Text(Width / 2.0, Height / 2.0, "No values yet", "middle", "#57606a"));
            return root.ToString(SaveOptions.DisableFormatting);
        }

        var numbers = values.Select(v => v.Value!.Value).ToList();
        var lowest = new[] { numbers.Min(), target ?? double.MaxValue, threshold ?? double.MaxValue }.Min();
        var highest = new[] { numbers.Max(), target ?? double.MinValue, threshold ?? double.MinValue }.Max();
        if (unit == "%")
        {
            lowest = Math.Max(0, Math.Min(lowest, 0));
            highest = Math.Min(100, Math.Max(highest, 100));
        }
        else
        {
            lowest = Math.Min(lowest, 0);
        }

        if (highest - lowest < 1e-9)
        {
            highest = lowest + 1;
        }

        var first = values[0].On;
        var last = values[^1].On;
        var span = Math.Max(1, last.DayNumber - first.DayNumber);
        double X(DateOnly day) => Left + (Width - Left - Right) * (double)(day.DayNumber - first.DayNumber) / span;
        double Y(double v) => Top + (Height - Top - Bottom) * (1 - ((v - lowest) / (highest - lowest)));

        // Axes and their labels.
        root.Add(Line(Left, Top, Left, Height - Bottom, "#8c959f", null));
        root.Add(Line(Left, Height - Bottom, Width - Right, Height - Bottom, "#8c959f", null));
        root.Add(Text(Left - 6, Y(highest) + 4, Number(highest), "end", "#57606a"));
        root.Add(Text(Left - 6, Y(lowest) + 4, Number(lowest), "end", "#57606a"));
        root.Add(Text(Left, Height - 12, Day(first), "start", "#57606a"));
        if (last != first)
        {
            root.Add(Text(Width - Right, Height - 12, Day(last), "end", "#57606a"));
        }

        if (threshold is { } w)
        {
            root.Add(Line(Left, Y(w), Width - Right, Y(w), "#bf8700", "4 4"));
            root.Add(Text(Width - Right - 4, Y(w) - 4, $"warning {Number(w)}", "end", "#7d4e00"));
        }

        if (target is { } t)
        {
            root.Add(Line(Left, Y(t), Width - Right, Y(t), "#1a7f37", "6 3"));
            root.Add(Text(Width - Right - 4, Y(t) - 4, $"target {Number(t)}", "end", "#116329"));
        }

        var path = string.Join(' ', values.Select((v, i) => string.Create(CultureInfo.InvariantCulture, $"{(i == 0 ? 'M' : 'L')}{X(v.On):0.#},{Y(v.Value!.Value):0.#}")));
        root.Add(new XElement(Svg + "path", new XAttribute("d", path), new XAttribute("fill", "none"), new XAttribute("stroke", "#0969da"), new XAttribute("stroke-width", 2)));
        var final = values[^1];
        root.Add(new XElement(Svg + "circle", new XAttribute("cx", Coordinate(X(final.On))), new XAttribute("cy", Coordinate(Y(final.Value!.Value))), new XAttribute("r", 3.5),
            new XAttribute("fill", "#0969da")));
        return root.ToString(SaveOptions.DisableFormatting);
    }

    private static string Describe(string unit, List<ChartPoint> values, double? target)
    {
        if (values.Count == 0)
        {
            return "No values recorded in the range shown.";
        }

        var first = values[0];
        var last = values[^1];
        var text = $"{values.Count} values from {Day(first.On)} to {Day(last.On)}: first {MeasureNames.Format(first.Value, unit)}, latest {MeasureNames.Format(last.Value, unit)}, "
            + $"lowest {MeasureNames.Format(values.Min(v => v.Value), unit)}, highest {MeasureNames.Format(values.Max(v => v.Value), unit)}.";
        return target is { } t ? $"{text} Target {MeasureNames.Format(t, unit)}." : text;
    }

    private static XElement Line(double x1, double y1, double x2, double y2, string colour, string? dash)
    {
        var line = new XElement(Svg + "line",
            new XAttribute("x1", Coordinate(x1)), new XAttribute("y1", Coordinate(y1)), new XAttribute("x2", Coordinate(x2)), new XAttribute("y2", Coordinate(y2)),
            new XAttribute("stroke", colour), new XAttribute("stroke-width", 1));
        if (dash is not null)
        {
            line.Add(new XAttribute("stroke-dasharray", dash));
        }

        return line;
    }

    private static XElement Text(double x, double y, string text, string anchor, string colour) =>
        new(Svg + "text", new XAttribute("x", Coordinate(x)), new XAttribute("y", Coordinate(y)), new XAttribute("text-anchor", anchor),
            new XAttribute("font-size", 12), new XAttribute("font-family", "sans-serif"), new XAttribute("fill", colour), text);

    private static string Coordinate(double v) => v.ToString("0.#", CultureInfo.InvariantCulture);

    private static string Number(double v) => v.ToString("0.##", CultureInfo.InvariantCulture);

    private static string Day(DateOnly d) => d.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture);
}

using System.Globalization;
using System.Text;
using System.Text.Encodings.Web;
using Perennial.Certification;

namespace Perennial.Pages.Shared;

/// <summary>The certification cycle drawn as a line from issue to expiry, with each audit's window and today.</summary>
public sealed class CycleTimelineModel
{
    public const double Width = 800;
    public const double Left = 20;
    public const double Right = 780;

    public CycleTimelineModel(CertificationCycle cycle, DateOnly today, ExternalAudit? next, int? daysToNext)
    {
        ArgumentNullException.ThrowIfNull(cycle);
        Cycle = cycle;
        Today = today;
        Next = next;
        DaysToNext = daysToNext;
    }

    public CertificationCycle Cycle { get; }
    public DateOnly Today { get; }
    public ExternalAudit? Next { get; }
    public int? DaysToNext { get; }

    public double X(DateOnly date)
    {
        var span = Math.Max(1, Cycle.ExpiryDate.DayNumber - Cycle.IssueDate.DayNumber);
        var fraction = Math.Clamp((double)(date.DayNumber - Cycle.IssueDate.DayNumber) / span, 0, 1);
        return Math.Round(Left + (fraction * (Right - Left)), 1);
    }

    /// <summary>The drawing as SVG markup; every text in it is encoded.</summary>
    public string Svg()
    {
        var e = HtmlEncoder.Default;
        var svg = new StringBuilder();
        svg.Append(CultureInfo.InvariantCulture, $"<svg class=\"timeline\" viewBox=\"0 0 800 110\" role=\"img\" aria-label=\"{e.Encode(Summary)}\">");
        svg.Append("<line x1=\"20\" y1=\"55\" x2=\"780\" y2=\"55\" stroke=\"#4b5563\" stroke-width=\"2\"/>");
        svg.Append(CultureInfo.InvariantCulture, $"<text x=\"20\" y=\"95\">issued {Cycle.IssueDate:yyyy-MM-dd}</text>");
        svg.Append(CultureInfo.InvariantCulture, $"<text x=\"780\" y=\"95\" text-anchor=\"end\">expires {Cycle.ExpiryDate:yyyy-MM-dd}</text>");
        foreach (var a in Cycle.Audits.OrderBy(a => a.Kind))
        {
            var x1 = X(a.WindowStart);
            var x2 = X(a.WindowEnd);
            var colour = a.HeldOn is not null ? "#1d5b3a" : a.WindowEnd < Today ? "#9b1c1c" : "#8a5300";
            var label = a.Kind switch { ExternalAuditKind.Surveillance1 => "S1", ExternalAuditKind.Surveillance2 => "S2", _ => "Recert." };
            svg.Append(CultureInfo.InvariantCulture, $"<rect x=\"{x1}\" y=\"45\" width=\"{Math.Max(2, x2 - x1)}\" height=\"20\" fill=\"{colour}\" fill-opacity=\"0.25\" stroke=\"{colour}\"/>");
            svg.Append(CultureInfo.InvariantCulture, $"<circle cx=\"{X(a.HeldOn ?? a.PlannedDate)}\" cy=\"55\" r=\"6\" fill=\"{colour}\"/>");
            svg.Append(CultureInfo.InvariantCulture, $"<text x=\"{X(a.PlannedDate)}\" y=\"35\" text-anchor=\"middle\">{label}</text>");
        }

        if (TodayInCycle)
        {
            var x = X(Today);
            svg.Append(CultureInfo.InvariantCulture, $"<line x1=\"{x}\" y1=\"20\" x2=\"{x}\" y2=\"80\" stroke=\"#1a56db\" stroke-width=\"2\" stroke-dasharray=\"4 3\"/>");
            svg.Append(CultureInfo.InvariantCulture, $"<text x=\"{x}\" y=\"15\" text-anchor=\"middle\">today</text>");
        }

        svg.Append("</svg>");
        return svg.ToString();
    }

    public bool TodayInCycle => Today >= Cycle.IssueDate && Today <= Cycle.ExpiryDate;

    public string Summary =>
        $"Certificate issued {Cycle.IssueDate:yyyy-MM-dd}, expires {Cycle.ExpiryDate:yyyy-MM-dd}. "
        + string.Join(" ", Cycle.Audits.OrderBy(a => a.Kind).Select(a =>
            $"{a.Kind.ToLabel()}: {(a.HeldOn is { } held ? $"held {held:yyyy-MM-dd}" : $"planned {a.PlannedDate:yyyy-MM-dd}, window {a.WindowStart:yyyy-MM-dd} to {a.WindowEnd:yyyy-MM-dd}")}."))
        + (Next is null ? "" : $" Next: {Next.Kind.ToLabel()} in {DaysToNext} days.");
}

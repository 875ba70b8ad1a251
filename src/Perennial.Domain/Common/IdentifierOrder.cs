using System.Globalization;

namespace Perennial.Common;

/// <summary>Clause and control identifiers in natural order: 4.1 before 10.1, A.5.9 before A.5.10, clauses before Annex A.</summary>
public sealed class IdentifierOrder : IComparer<string>
{
    public static readonly IdentifierOrder Instance = new();

    public int Compare(string? x, string? y)
    {
        var a = (x ?? "").Split('.');
        var b = (y ?? "").Split('.');
        for (var i = 0; i < Math.Min(a.Length, b.Length); i++)
        {
            var bothNumbers = int.TryParse(a[i], CultureInfo.InvariantCulture, out var m) & int.TryParse(b[i], CultureInfo.InvariantCulture, out var n);
            var c = bothNumbers ? m.CompareTo(n) : string.CompareOrdinal(a[i], b[i]);
            if (c != 0)
            {
                return c;
            }
        }

        return a.Length.CompareTo(b.Length);
    }
}

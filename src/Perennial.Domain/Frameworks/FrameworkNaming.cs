using System.Globalization;
using System.Text;
using System.Text.RegularExpressions;

namespace Perennial.Frameworks;

/// <summary>
/// Family and key of an imported framework, from its document's title. Every NIST SP 800-53
/// revision 5 document (the catalog and each baseline) belongs to the family
/// <c>nist-sp-800-53-rev5</c>; its key adds the baseline: <c>nist-sp-800-53-rev5-high</c>, and
/// <c>-profile</c> for a profile. Other documents take a slug of their title.
/// </summary>
public static partial class FrameworkNaming
{
    public const int MaxLength = 100;

    public static string? NistFamily(string title)
    {
        var match = Nist80053().Match(title);
        return match.Success ? $"nist-sp-800-53-rev{match.Groups["rev"].Value}" : null;
    }

    /// <summary>The family a catalog's title names.</summary>
    public static string CatalogFamily(string title) => NistFamily(title) ?? Slug(title, MaxLength, "catalog");

    /// <summary>
    /// The key of a document. <paramref name="family"/> is the family of the catalog the
    /// controls come from (for a profile, the catalog it resolved against).
    /// </summary>
    public static string Key(string title, string family, bool profile)
    {
        var suffix = profile ? "-profile" : "";
        var nist = Nist80053().Match(title);
        string key;
        if (nist.Success && NistFamily(title) == family)
        {
            // What distinguishes one 800-53 document from another is its baseline.
            var baseline = Baseline().Match(title[(nist.Index + nist.Length)..]);
            key = baseline.Success ? $"{family}-{baseline.Value.ToLowerInvariant()}" : family;
        }
        else
        {
            key = Slug(title, MaxLength - suffix.Length, profile ? "profile" : "catalog");
        }

        return key + suffix;
    }

    /// <summary>Lower-case letters and digits joined by single hyphens, at most <paramref name="max"/> long.</summary>
    public static string Slug(string text, int max = MaxLength, string fallback = "framework")
    {
        var decomposed = text.Normalize(NormalizationForm.FormD);
        var slug = new StringBuilder();
        foreach (var c in decomposed)
        {
            if (CharUnicodeInfo.GetUnicodeCategory(c) == UnicodeCategory.NonSpacingMark)
            {
                continue;
            }

            if (char.IsAsciiLetterOrDigit(c))
            {
                slug.Append(char.ToLowerInvariant(c));
            }
            else if (slug.Length > 0 && slug[^1] != '-')
            {
                slug.Append('-');
            }
        }

        var result = slug.ToString().Trim('-');
        if (result.Length > max)
        {
            result = result[..max].TrimEnd('-');
        }

        return result.Length == 0 ? fallback : result;
    }

    [GeneratedRegex(@"\bNIST\b.*?\b(?:Special\s+Publication|SP)\s*800-53(?![0-9A-Za-z])\s*,?\s*(?:Revision|Rev\.?)\s*(?<rev>\d+)", RegexOptions.IgnoreCase | RegexOptions.CultureInvariant)]
    private static partial Regex Nist80053();

    [GeneratedRegex(@"\b(?:low|moderate|high|privacy)\b", RegexOptions.IgnoreCase | RegexOptions.CultureInvariant)]
    private static partial Regex Baseline();
}

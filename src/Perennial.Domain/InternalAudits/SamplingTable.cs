using System.Globalization;
using Perennial.Common;

namespace Perennial.InternalAudits;

/// <summary>A sample size range for one frequency: the lower end normally, the upper end for a higher-risk item.</summary>
public sealed record SampleRange(int Min, int Max)
{
    public override string ToString() => Min == Max ? Min.ToString(CultureInfo.InvariantCulture) : $"{Min}-{Max}";
}

/// <summary>
/// How many occurrences of a recurring activity the auditor samples, by the activity's frequency.
/// The defaults follow common audit practice; an organisation may set its own. The lower end of the
/// range is used, the upper end when the item is higher-risk (a linked risk rated high or above, or
/// a nonconformity already raised on it); never more than the occurrences there are.
/// </summary>
public static class SamplingTable
{
    public static readonly IReadOnlyList<string> Frequencies = ["annual", "semi-annual", "quarterly", "monthly", "weekly", "daily"];

    public static IReadOnlyDictionary<string, SampleRange> Defaults { get; } = new Dictionary<string, SampleRange>(StringComparer.Ordinal)
    {
        ["annual"] = new(1, 1),
        ["semi-annual"] = new(1, 2),
        ["quarterly"] = new(2, 2),
        ["monthly"] = new(2, 5),
        ["weekly"] = new(5, 15),
        ["daily"] = new(20, 40),
    };

    /// <summary>The organisation's table: its own ranges where set, the defaults elsewhere.</summary>
    public static IReadOnlyDictionary<string, SampleRange> For(InternalAuditSettings? settings)
    {
        var table = new Dictionary<string, SampleRange>(Defaults, StringComparer.Ordinal);
        foreach (var (frequency, text) in settings?.SampleSizes ?? [])
        {
            table[frequency] = Parse(text, $"sampleSizes.{frequency}");
        }

        return table;
    }

    public static SampleRange Parse(string? text, string field)
    {
        var parts = (text ?? "").Split('-', StringSplitOptions.TrimEntries);
        if (parts.Length is 1 or 2
            && int.TryParse(parts[0], NumberStyles.None, CultureInfo.InvariantCulture, out var min)
            && int.TryParse(parts[^1], NumberStyles.None, CultureInfo.InvariantCulture, out var max)
            && min >= 1 && max >= min && max <= 200)
        {
            return new SampleRange(min, max);
        }

        throw UseCaseException.Invalid(field, $"{field} must be a number of occurrences (1–200) or a range such as 2-5.");
    }

    /// <summary>The frequency an RFC 5545 rule recurs at, in the table's words; null for a rule the table does not know.</summary>
    public static string? FrequencyOf(string? rrule)
    {
        if (string.IsNullOrWhiteSpace(rrule))
        {
            return "annual";
        }

        var parts = rrule.Split(';', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)
            .Select(p => p.Split('=', 2)).Where(p => p.Length == 2)
            .ToDictionary(p => p[0].ToUpperInvariant(), p => p[1].ToUpperInvariant(), StringComparer.Ordinal);
        if (parts.TryGetValue("COUNT", out var count) && count == "1")
        {
            // A one-off has no frequency to sample by.
            return null;
        }

        var interval = parts.TryGetValue("INTERVAL", out var i) && int.TryParse(i, NumberStyles.None, CultureInfo.InvariantCulture, out var n) && n > 0 ? n : 1;
        var byDay = parts.TryGetValue("BYDAY", out var d) ? d.Split(',').Length : 1;
        return parts.GetValueOrDefault("FREQ") switch
        {
            "YEARLY" => "annual",
            "MONTHLY" when interval >= 12 => "annual",
            "MONTHLY" when interval >= 6 => "semi-annual",
            "MONTHLY" when interval >= 3 => "quarterly",
            "MONTHLY" => "monthly",
            "WEEKLY" when interval >= 4 => "monthly",
            "WEEKLY" when byDay >= 5 => "daily",
            "WEEKLY" => "weekly",
            "DAILY" when interval >= 7 => "weekly",
            "DAILY" => "daily",
            _ => null,
        };
    }

    public static int SizeFor(SampleRange range, int population, bool higherRisk)
    {
        ArgumentNullException.ThrowIfNull(range);
        return Math.Min(population, higherRisk ? range.Max : range.Min);
    }

    /// <summary>
    /// Draws <paramref name="size"/> of the population, which the caller gives in a stable order (by
    /// due date, then id): a Fisher–Yates shuffle driven by <see cref="Random"/> seeded with
    /// <paramref name="seed"/>, so the same seed over the same population draws the same sample.
    /// </summary>
    public static IReadOnlyList<T> Draw<T>(IReadOnlyList<T> population, int size, int seed)
    {
        ArgumentNullException.ThrowIfNull(population);
        var items = population.ToArray();
#pragma warning disable CA5394 // Sampling for an audit, not security: the seed is published so the draw can be repeated.
        var random = new Random(seed);
        var take = Math.Min(size, items.Length);
        for (var k = 0; k < take; k++)
        {
            var j = random.Next(k, items.Length);
            (items[k], items[j]) = (items[j], items[k]);
        }
#pragma warning restore CA5394

        return items[..take];
    }
}

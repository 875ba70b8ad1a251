using System.Globalization;
using Perennial.Activities;

namespace Perennial.Tests.Activities;

/// <summary>How a vector's DTSTART and instances are written: floating local time, UTC ("Z") or a DATE.</summary>
internal enum VectorValueKind
{
    Floating,
    Utc,
    Date,
}

/// <summary>
/// One case of libical's <c>icalrecur_test.txt</c>: a comment, RRULE, DTSTART, an optional
/// START-AT, and the INSTANCES libical expects (or its "UNIMPLEMENTED" marker).
/// </summary>
internal sealed record LibicalVector(int Line, string Comment, string Rule, string DtStart, string? StartAt, IReadOnlyList<string>? Instances)
{
    public VectorValueKind Kind => DtStart.Length == 8 ? VectorValueKind.Date
        : DtStart.EndsWith('Z') ? VectorValueKind.Utc
        : VectorValueKind.Floating;

    /// <summary>"RRULE … / DTSTART …" for messages.</summary>
    public string Label => $"line {Line}: RRULE:{Rule} DTSTART:{DtStart}" + (Comment.Length > 0 ? $" ({Comment})" : "");

    /// <summary>
    /// The vector as a Perennial schedule. Floating and UTC start times both run in the UTC zone:
    /// it has no daylight-saving shifts, so its local times are the vector's wall-clock times. A
    /// DATE start becomes an all-day schedule.
    /// </summary>
    public ActivitySchedule ToSchedule() => new(Rule, ParseValue(DtStart), "UTC", []) { AllDay = Kind == VectorValueKind.Date };

    public static DateTime ParseValue(string text)
    {
        string[] formats = ["yyyyMMdd'T'HHmmss'Z'", "yyyyMMdd'T'HHmmss", "yyyyMMdd"];
        return DateTime.ParseExact(text, formats, CultureInfo.InvariantCulture, DateTimeStyles.None);
    }

    /// <summary>An instance written the way this vector writes its values.</summary>
    public string Format(ScheduledInstance instance) => Kind switch
    {
        VectorValueKind.Date => instance.Local.ToString("yyyyMMdd", CultureInfo.InvariantCulture),
        VectorValueKind.Utc => instance.Utc.UtcDateTime.ToString("yyyyMMdd'T'HHmmss'Z'", CultureInfo.InvariantCulture),
        _ => instance.Local.ToString("yyyyMMdd'T'HHmmss", CultureInfo.InvariantCulture),
    };

    /// <summary>Reads every case of the file, in order.</summary>
    public static IReadOnlyList<LibicalVector> Read(string path)
    {
        var vectors = new List<LibicalVector>();
        var comment = new List<string>();
        string? rule = null, dtStart = null, startAt = null;
        var ruleLine = 0;
        var lineNumber = 0;
        foreach (var raw in File.ReadLines(path))
        {
            lineNumber++;
            var line = raw.Trim();
            if (line.Length == 0)
            {
                continue;
            }

            if (line.StartsWith('#'))
            {
                if (rule is null)
                {
                    comment.Add(line.TrimStart('#').Trim());
                }

                continue;
            }

            var colon = line.IndexOf(':', StringComparison.Ordinal);
            if (colon < 0)
            {
                throw new InvalidDataException($"icalrecur_test.txt line {lineNumber}: '{line}' is not NAME:VALUE.");
            }

            var name = line[..colon];
            var value = line[(colon + 1)..].Trim();
            switch (name)
            {
                case "RRULE":
                    rule = value;
                    ruleLine = lineNumber;
                    break;
                case "DTSTART":
                    dtStart = value;
                    break;
                case "START-AT":
                    startAt = value;
                    break;
                case "INSTANCES":
                    if (rule is null || dtStart is null)
                    {
                        throw new InvalidDataException($"icalrecur_test.txt line {lineNumber}: INSTANCES without RRULE and DTSTART.");
                    }

                    IReadOnlyList<string>? instances = value.StartsWith('*') ? null
                        : value.Length == 0 ? []
                        : value.Split(',', StringSplitOptions.TrimEntries);
                    vectors.Add(new LibicalVector(ruleLine, string.Join(" ", comment), rule, dtStart, startAt, instances));
                    comment.Clear();
                    rule = dtStart = startAt = null;
                    break;
                default:
                    throw new InvalidDataException($"icalrecur_test.txt line {lineNumber}: unknown property {name}.");
            }
        }

        return vectors;
    }
}

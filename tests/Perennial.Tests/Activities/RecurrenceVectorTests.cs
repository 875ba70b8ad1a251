using System.Globalization;
using Perennial.Activities;
using Perennial.Tests.Frameworks;

namespace Perennial.Tests.Activities;

/// <summary>
/// Recurrence correctness against test vectors nobody on this project wrote: libical's
/// <c>icalrecur_test.txt</c> and dateutil's <c>test_rrule.py</c>, read in place from the shared
/// corpus and expanded through <see cref="ActivitySchedule"/>, the code activities use.
/// The unsupported lists are exact: a vector not on them must pass, and every vector on them must
/// still fail (or be out of scope), so neither list can drift from the truth.
/// </summary>
public sealed class RecurrenceVectorTests(ITestOutputHelper output)
{
    private const string LibicalFile = "libical-rrule/icalrecur_test.txt";
    private const string DateutilFile = "dateutil-rrule/test_rrule.py";

    private const string StartAt = "START-AT is an option of libical's test program (start iterating later than DTSTART), not part of RFC 5545";

    private const string YearlyMonthFromStart = "YEARLY with BYMONTHDAY and no BYMONTH: dateutil takes every month of the year; Ical.Net keeps DTSTART's month, as libical does (its 'yearly, by Feb 29th day of month' vectors pass)";
    private const string YearlyWeekFromStart = "YEARLY with BYWEEKNO and no BYDAY: dateutil takes all seven days of the week; Ical.Net keeps DTSTART's weekday, as libical does (its 'first 2 weeks of year' vectors pass)";
    private const string YearDayIgnoresMonth = "YEARLY with BYMONTH and BYYEARDAY: Ical.Net 5.2.4 does not limit the year days to the months (gives 31 December and 1 January) and stops after three";
    private const string SparseSubDaily = "a minutely or secondly rule whose first instance is months after DTSTART: more than ActivitySchedule.MaxEmptySteps (100,000) empty steps, where Perennial stops by design";

    /// <summary>libical vectors Perennial does not pass, by rule text, with the reason. The README lists the same.</summary>
    internal static readonly IReadOnlyDictionary<string, string> LibicalUnsupported = new Dictionary<string, string>(StringComparer.Ordinal)
    {
        ["FREQ=YEARLY;INTERVAL=2;UNTIL=20211231T140000Z;BYMONTH=2;BYDAY=WE"] = StartAt,
        ["FREQ=MONTHLY;UNTIL=20171229T000000Z;BYDAY=1FR"] = StartAt,
        ["FREQ=WEEKLY;UNTIL=20170127T000000Z;WKST=MO;BYDAY=SU,TU,TH;INTERVAL=2"] = StartAt,
        ["FREQ=DAILY;UNTIL=20170131T140000Z;BYMONTH=1;INTERVAL=3"] = StartAt,
        ["FREQ=HOURLY;INTERVAL=3;UNTIL=20170903T170000Z"] = StartAt,
        ["FREQ=HOURLY;UNTIL=20210303T000000Z"] = StartAt,
        ["FREQ=YEARLY;BYMONTH=12;BYMONTHDAY=30;BYWEEKNO=1;UNTIL=20320101"] =
            "libical itself answers UNIMPLEMENTED for BYWEEKNO with BYMONTH and BYMONTHDAY, so there is no expected answer (Ical.Net gives 30 December 2024, 2025, 2030, 2031)",
        ["FREQ=DAILY;BYHOUR=9,10,11,12,13,14,15,16,9;BYMINUTE=0,20,40,0;COUNT=2"] =
            "repeated values in BYHOUR and BYMINUTE: Ical.Net 5.2.4 spends COUNT on the duplicate 09:00 and gives 09:00 only, not 09:00 and 09:20",
        ["FREQ=YEARLY;BYWEEKNO=53;INTERVAL=6;BYDAY=TH;COUNT=1"] =
            "BYWEEKNO=53 with INTERVAL from a DTSTART (3 January 2027) in week 53 of 2026: libical counts the interval from 2027 and expects 31 December 2093; Ical.Net counts from 2026 and gives 30 December 2032",
        ["FREQ=YEARLY;BYWEEKNO=53;INTERVAL=5;BYDAY=TH;COUNT=1"] =
            "BYWEEKNO=53 with INTERVAL from a DTSTART (3 January 2027) in week 53 of 2026: libical counts the interval from 2027 and expects 30 December 2032; Ical.Net counts from 2026 and gives 31 December 2071",
    };

    /// <summary>dateutil cases Perennial does not pass: test name, rule text as translated, reason. The README lists the same.</summary>
    internal static readonly IReadOnlyList<(string Test, string Rule, string Reason)> DateutilUnsupported =
    [
        ("testYearlyByMonthDay", "FREQ=YEARLY;COUNT=3;BYMONTHDAY=1,3", YearlyMonthFromStart),
        ("testYearlyByMonthDayAndWeekDay", "FREQ=YEARLY;COUNT=3;BYMONTHDAY=1,3;BYDAY=TU,TH", YearlyMonthFromStart),
        ("testYearlyBySetPos", "FREQ=YEARLY;COUNT=3;BYMONTHDAY=15;BYHOUR=6,18;BYSETPOS=3,-3", YearlyMonthFromStart),
        ("testYearlyByWeekNo", "FREQ=YEARLY;COUNT=3;BYWEEKNO=20", YearlyWeekFromStart),
        ("testYearlyByMonthAndYearDay", "FREQ=YEARLY;COUNT=4;BYMONTH=4,7;BYYEARDAY=1,100,200,365", YearDayIgnoresMonth),
        ("testYearlyByMonthAndYearDayNeg", "FREQ=YEARLY;COUNT=4;BYMONTH=4,7;BYYEARDAY=-365,-266,-166,-1", YearDayIgnoresMonth),
        ("testMinutelyByMonth", "FREQ=MINUTELY;COUNT=3;BYMONTH=1,3", SparseSubDaily),
        ("testMinutelyByMonthAndMonthDay", "FREQ=MINUTELY;COUNT=3;BYMONTH=1,3;BYMONTHDAY=5,7", SparseSubDaily),
        ("testMinutelyByMonthAndWeekDay", "FREQ=MINUTELY;COUNT=3;BYMONTH=1,3;BYDAY=TU,TH", SparseSubDaily),
        ("testMinutelyByMonthAndNWeekDay", "FREQ=MINUTELY;COUNT=3;BYMONTH=1,3;BYDAY=TU,TH", SparseSubDaily),
        ("testMinutelyByMonthDayAndWeekDay", "FREQ=MINUTELY;COUNT=3;BYMONTHDAY=1,3;BYDAY=TU,TH", SparseSubDaily),
        ("testMinutelyByMonthAndMonthDayAndWeekDay", "FREQ=MINUTELY;COUNT=3;BYMONTH=1,3;BYMONTHDAY=1,3;BYDAY=TU,TH", SparseSubDaily),
        ("testMinutelyByYearDay", "FREQ=MINUTELY;COUNT=4;BYYEARDAY=1,100,200,365", SparseSubDaily),
        ("testMinutelyByYearDayNeg", "FREQ=MINUTELY;COUNT=4;BYYEARDAY=-365,-266,-166,-1", SparseSubDaily),
        ("testMinutelyByMonthAndYearDay", "FREQ=MINUTELY;COUNT=4;BYMONTH=4,7;BYYEARDAY=1,100,200,365", SparseSubDaily),
        ("testMinutelyByMonthAndYearDayNeg", "FREQ=MINUTELY;COUNT=4;BYMONTH=4,7;BYYEARDAY=-365,-266,-166,-1", SparseSubDaily),
        ("testSecondlyByMonth", "FREQ=SECONDLY;COUNT=3;BYMONTH=1,3", SparseSubDaily),
        ("testSecondlyByMonthAndMonthDay", "FREQ=SECONDLY;COUNT=3;BYMONTH=1,3;BYMONTHDAY=5,7", SparseSubDaily),
        ("testSecondlyByMonthAndWeekDay", "FREQ=SECONDLY;COUNT=3;BYMONTH=1,3;BYDAY=TU,TH", SparseSubDaily),
        ("testSecondlyByMonthAndNWeekDay", "FREQ=SECONDLY;COUNT=3;BYMONTH=1,3;BYDAY=TU,TH", SparseSubDaily),
        ("testSecondlyByMonthDayAndWeekDay", "FREQ=SECONDLY;COUNT=3;BYMONTHDAY=1,3;BYDAY=TU,TH", SparseSubDaily),
        ("testSecondlyByMonthAndMonthDayAndWeekDay", "FREQ=SECONDLY;COUNT=3;BYMONTH=1,3;BYMONTHDAY=1,3;BYDAY=TU,TH", SparseSubDaily),
        ("testSecondlyByYearDay", "FREQ=SECONDLY;COUNT=4;BYYEARDAY=1,100,200,365", SparseSubDaily),
        ("testSecondlyByYearDayNeg", "FREQ=SECONDLY;COUNT=4;BYYEARDAY=-365,-266,-166,-1", SparseSubDaily),
        ("testSecondlyByMonthAndYearDay", "FREQ=SECONDLY;COUNT=4;BYMONTH=4,7;BYYEARDAY=1,100,200,365", SparseSubDaily),
        ("testSecondlyByMonthAndYearDayNeg", "FREQ=SECONDLY;COUNT=4;BYMONTH=4,7;BYYEARDAY=-365,-266,-166,-1", SparseSubDaily),
    ];

    private static readonly Lazy<IReadOnlyList<(LibicalVector Vector, string? Failure)>> LibicalResults = new(() =>
        [.. LibicalVector.Read(Corpus.File(LibicalFile)).Select(v => (v, v.StartAt is null ? Check(v) : "uses START-AT"))]);

    private static readonly Lazy<IReadOnlyList<(DateutilCase Case, string? Failure)>> DateutilResults = new(() =>
        [.. DateutilVectors.Read(Corpus.File(DateutilFile)).Select(c => (c, c.Used ? Check(c) : null))]);

    [Fact]
    public void Every_libical_vector_not_listed_as_unsupported_expands_to_exactly_its_instances()
    {
        var results = LibicalResults.Value;
        var failing = results.Where(r => r.Failure is not null && !LibicalUnsupported.ContainsKey(r.Vector.Rule)).ToList();
        var applicable = results.Count(r => r.Vector.StartAt is null);
        var passing = results.Count(r => r.Failure is null);
        // The form's validation must accept every rule Perennial expands correctly.
        var refused = results.Where(r => r.Failure is null && r.Vector.ToSchedule().Validate().Count > 0)
            .Select(r => r.Vector.Label + "\n  refused: " + string.Join("; ", r.Vector.ToSchedule().Validate().Select(e => e.Message))).ToList();
        output.WriteLine($"libical: {results.Count} vectors, {applicable} applicable (the rest use START-AT), {passing} pass, {results.Count - passing} listed as unsupported.");
        Assert.True(failing.Count == 0, string.Join("\n\n", failing.Select(f => f.Vector.Label + "\n  " + f.Failure)));
        Assert.True(refused.Count == 0, string.Join("\n\n", refused));
        Assert.True(passing >= 135, $"Only {passing} vectors passed.");
    }

    [Fact]
    public void Every_libical_vector_listed_as_unsupported_is_in_the_file_and_still_fails()
    {
        var results = LibicalResults.Value;
        var problems = new List<string>();
        foreach (var (rule, reason) in LibicalUnsupported)
        {
            var matching = results.Where(r => r.Vector.Rule == rule).ToList();
            if (matching.Count == 0)
            {
                problems.Add($"{rule}: no such vector.");
            }
            else if (reason == StartAt && matching.Any(m => m.Vector.StartAt is null))
            {
                problems.Add($"{rule}: listed for START-AT, but a vector with this rule has none.");
            }
            else if (matching.Any(m => m.Failure is null))
            {
                problems.Add($"{rule}: listed as unsupported, but it passes now; take it off the list (and the README).");
            }
        }

        foreach (var (vector, failure) in results.Where(r => r.Failure is not null))
        {
            output.WriteLine($"unsupported: {vector.Label}\n  {failure}");
        }

        Assert.True(problems.Count == 0, string.Join("\n", problems));
    }

    [Fact]
    public void Hundreds_of_dateutil_cases_expand_to_exactly_their_instances()
    {
        var results = DateutilResults.Value;
        var listed = DateutilUnsupported.Select(u => u.Test).ToHashSet(StringComparer.Ordinal);
        var used = results.Where(r => r.Case.Used).ToList();
        var failing = used.Where(r => r.Failure is not null && !listed.Contains(r.Case.Name)).ToList();
        output.WriteLine($"dateutil: {results.Count} test methods; {used.Count} used, {used.Count(r => r.Failure is null)} pass, {used.Count(r => r.Failure is not null)} listed as unsupported; {results.Count - used.Count} skipped by rule:");
        foreach (var group in results.Where(r => !r.Case.Used).GroupBy(r => r.Case.SkipReason).OrderByDescending(g => g.Count()))
        {
            output.WriteLine($"  {group.Count(),4}  {group.Key}");
        }

        Assert.True(failing.Count == 0, string.Join("\n\n", failing.Select(f => f.Case.Label + "\n  " + f.Failure)));
        var refused = used.Where(r => r.Failure is null && r.Case.Expected.Count > 0 && r.Case.ToSchedule().Validate().Count > 0)
            .Select(r => r.Case.Label + "\n  refused: " + string.Join("; ", r.Case.ToSchedule().Validate().Select(e => e.Message))).ToList();
        Assert.True(refused.Count == 0, string.Join("\n\n", refused));
        Assert.True(used.Count >= 170, $"Only {used.Count} of {results.Count} dateutil cases were used.");
    }

    [Fact]
    public void Every_dateutil_case_listed_as_unsupported_is_used_translates_to_its_rule_and_still_fails()
    {
        var results = DateutilResults.Value.ToDictionary(r => r.Case.Name, StringComparer.Ordinal);
        var problems = new List<string>();
        foreach (var (test, rule, _) in DateutilUnsupported)
        {
            if (!results.TryGetValue(test, out var result) || !result.Case.Used)
            {
                problems.Add($"{test}: no such case among those used.");
            }
            else if (result.Case.Rule != rule)
            {
                problems.Add($"{test}: translates to {result.Case.Rule}, listed as {rule}.");
            }
            else if (result.Failure is null)
            {
                problems.Add($"{test}: listed as unsupported, but it passes now; take it off the list (and the README).");
            }
        }

        foreach (var (c, failure) in results.Values.Where(r => r.Failure is not null))
        {
            output.WriteLine($"unsupported: {c.Label}\n  {failure}");
        }

        Assert.True(problems.Count == 0, string.Join("\n", problems));
    }

    /// <summary>Expands a libical vector; null when it gives exactly the expected instances.</summary>
    private static string? Check(LibicalVector vector)
    {
        if (vector.Instances is null)
        {
            // libical marks the rule unimplemented: there is no expected answer to match.
            return "libical marks this rule UNIMPLEMENTED" + Describe(() => [.. Expand(vector.ToSchedule(), 5).Select(vector.Format)]);
        }

        return Compare(vector.Instances, () => [.. Expand(vector.ToSchedule(), vector.Instances.Count + 1).Select(vector.Format)]);
    }

    private static string? Check(DateutilCase c)
    {
        static string Format(DateTime d) => d.ToString("yyyyMMdd'T'HHmmss", CultureInfo.InvariantCulture);
        var bounded = c.Rule.Contains("COUNT=", StringComparison.Ordinal) || c.Rule.Contains("UNTIL=", StringComparison.Ordinal);
        return Compare([.. c.Expected.Select(Format)], () => [.. Expand(c.ToSchedule(), c.Expected.Count + (bounded ? 1 : 0)).Select(i => Format(i.Local))]);
    }

    /// <summary>The first <paramref name="max"/> instances from DTSTART on.</summary>
    private static IReadOnlyList<ScheduledInstance> Expand(ActivitySchedule schedule, int max) => schedule.Next(schedule.DtStart, max);

    private static string? Compare(IReadOnlyList<string> expected, Func<IReadOnlyList<string>> expand)
    {
        IReadOnlyList<string> actual;
        try
        {
            actual = expand();
        }
        catch (Exception e) when (e is ArgumentException or InvalidOperationException or FormatException or NotSupportedException or Ical.Net.Evaluation.EvaluationException)
        {
            return $"expansion failed: {e.GetType().Name}: {e.Message}";
        }

        return actual.SequenceEqual(expected, StringComparer.Ordinal) ? null
            : $"expected {expected.Count}: {Shorten(expected)}\n  actual   {actual.Count}: {Shorten(actual)}";
    }

    private static string Describe(Func<IReadOnlyList<string>> expand)
    {
        try
        {
            return "; Perennial gives " + Shorten(expand());
        }
        catch (Exception e) when (e is ArgumentException or InvalidOperationException or Ical.Net.Evaluation.EvaluationException)
        {
            return $"; Perennial refuses it: {e.Message}";
        }
    }

    private static string Shorten(IReadOnlyList<string> values) =>
        values.Count <= 12 ? string.Join(",", values) : string.Join(",", values.Take(12)) + $",… ({values.Count - 12} more)";
}

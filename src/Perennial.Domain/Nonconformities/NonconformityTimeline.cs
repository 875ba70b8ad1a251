using System.Globalization;

namespace Perennial.Nonconformities;

/// <summary>One dated step of a nonconformity's way through the loop.</summary>
public sealed record TimelineEntry(DateOnly On, int Order, string What, string? Detail);

/// <summary>
/// The whole timeline of one nonconformity, read from its own record: raised, contained, and for
/// every round the root cause, the actions planned and finished, and the effectiveness check,
/// then closure. Oldest first; a round's steps stay in loop order when they fall on the same day.
/// </summary>
public static class NonconformityTimeline
{
    public static IReadOnlyList<TimelineEntry> Of(Nonconformity nc, IReadOnlyDictionary<Guid, string> names)
    {
        ArgumentNullException.ThrowIfNull(nc);
        ArgumentNullException.ThrowIfNull(names);
        string Who(Guid? id) => id is { } g && names.TryGetValue(g, out var n) ? n : "someone no longer a member";
        static DateOnly Day(DateTimeOffset at) => DateOnly.FromDateTime(at.UtcDateTime);
        static string D(DateOnly d) => d.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture);

        var entries = new List<TimelineEntry>
        {
            new(Day(nc.RaisedAt), 0, $"Raised by {nc.RaisedByName}", $"{nc.Source.Label()}, {nc.Severity.Name()}{(nc.Identifier is null ? "" : $", {nc.Identifier}")}"),
        };
        if (nc.ContainedOn is { } contained)
        {
            entries.Add(new(contained, 1, "Containment recorded", nc.Containment));
        }

        foreach (var round in nc.Rounds.OrderBy(r => r.Number))
        {
            var order = 10 * round.Number;
            var label = nc.Rounds.Count > 1 ? $" (round {round.Number})" : "";
            if (round.AnalysedAt is { } analysed)
            {
                var method = round.Method == RootCauseMethod.FiveWhys ? $"five whys, {NonconformityWorkflow.WhysOf(round).Count} steps" : "free text";
                entries.Add(new(Day(analysed), order + 1, $"Root cause analysed by {Who(round.AnalysedByUserId)}{label}",
                    $"{round.RootCause} ({method}{(round.CauseCategory is null ? "" : $", category {round.CauseCategory}")})"));
            }

            foreach (var a in nc.Actions.Where(a => a.Round == round.Number).OrderBy(a => a.CreatedAt).ThenBy(a => a.DueOn))
            {
                entries.Add(new(Day(a.CreatedAt), order + 2, $"Corrective action planned{label}", $"{a.Title}: {Who(a.OwnerUserId)}, due {D(a.DueOn)}"));
                if (a.Status == CorrectiveActionStatus.Done && a.DoneOn is { } done)
                {
                    entries.Add(new(done, order + 3, $"Corrective action done{label}",
                        $"{a.Title}{(done > a.DueOn ? Late(done.DayNumber - a.DueOn.DayNumber) : "")}{(a.Note is null ? "" : $": {a.Note}")}"));
                }
            }

            if (round.ActionsDoneOn is { } allDone && round.CheckDueOn is { } checkDue)
            {
                entries.Add(new(allDone, order + 4, $"Every action done{label}", $"effectiveness check scheduled for {D(checkDue)}"));
            }

            if (round.CheckedAt is { } checkedAt && round.CheckResult is { } result)
            {
                entries.Add(new(Day(checkedAt), order + 5,
                    result == EffectivenessResult.Effective ? $"Checked effective by {Who(round.CheckedByUserId)}{label}" : $"Checked not effective by {Who(round.CheckedByUserId)}{label}: a new round starts",
                    round.CheckNotes));
            }
        }

        if (nc.RiskReviewRequestedAt is { } review)
        {
            entries.Add(new(Day(review), 999, $"Risk review asked for by {nc.RiskReviewRequestedByName}",
                $"the reviews of its {(nc.Risks.Count == 1 ? "risk" : $"{nc.Risks.Count} risks")} were brought forward to {D(Day(review))}"));
        }

        if (nc.ClosedAt is { } closed)
        {
            entries.Add(new(Day(closed), 1000, $"Closed by {Who(nc.ClosedByUserId)}",
                nc.ClosureJustification is null ? "after an effective check" : $"without an effective check: {nc.ClosureJustification}"));
        }

        return [.. entries.OrderBy(e => e.On).ThenBy(e => e.Order)];
    }

    private static string Late(int days) => days == 1 ? ", 1 day late" : $", {days} days late";
}

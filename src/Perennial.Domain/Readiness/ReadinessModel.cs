using System.Globalization;

namespace Perennial.Readiness;

/// <summary>
/// The kinds of gap readiness reports, with the clause each belongs to and the words the page uses.
/// The names are what scripts read in <c>gaps[].kind</c>.
/// </summary>
public static class GapKinds
{
    public const string OccurrenceMissed = "occurrence-missed";
    public const string OccurrenceLate = "occurrence-late";
    public const string EvidenceGap = "evidence-gap";
    public const string ActivityOwner = "activity-owner";
    public const string ActivityDeputy = "activity-deputy";
    public const string RiskReview = "risk-review";
    public const string ContextReview = "context-review";
    public const string SoaReview = "soa-review";
    public const string ScopeReview = "scope-review";
    public const string CorrectiveAction = "corrective-action";
    public const string EffectivenessCheck = "effectiveness-check";
    public const string Nonconformity = "nonconformity";
    public const string AuditFinding = "audit-finding";
    public const string InternalAuditCoverage = "internal-audit-coverage";
    public const string ManagementReview = "management-review";
    public const string ReviewDecision = "review-decision";
    public const string AccessReview = "access-review";
    public const string ScannerFinding = "scanner-finding";
    public const string CollectorFailing = "collector-failing";

    public sealed record Info(string Kind, string Clause, string Label, string Check);

    /// <summary>Every kind in the order the page lists them: what is checked, and the clause it answers.</summary>
    public static IReadOnlyList<Info> All { get; } =
    [
        new(OccurrenceMissed, "8.1", "Occurrences missed", "each occurrence due in the audit period up to today was done or skipped with approval"),
        new(OccurrenceLate, "8.1", "Occurrences done late", "each occurrence done in the audit period was done by its due date"),
        new(EvidenceGap, "9.1", "Control evidence", "each control applicable in the SoA has evidence for every day of the audit period before today"),
        new(ActivityOwner, "5.3", "Activity owners", "each active activity's owner is a current member"),
        new(ActivityDeputy, "5.3", "Activity deputies", "each active activity has a deputy who is a current member"),
        new(RiskReview, "8.2", "Risk reviews", "each open risk is reviewed by its review date, and every reassessment a change asked for is done"),
        new(ContextReview, "4.1", "Context reviews", "each active context entry is reviewed by its review date"),
        new(SoaReview, "6.1.3", "SoA review", "a published SoA is in force, reviewed within 12 months and after every change that asked for it"),
        new(ScopeReview, "4.3", "Scope review", "the scope is recorded, reviewed within 12 months and after every change that asked for it"),
        new(CorrectiveAction, "10.2", "Corrective actions", "each corrective action is done by its due date"),
        new(EffectivenessCheck, "10.2", "Effectiveness checks", "each effectiveness check is recorded by its due date"),
        new(Nonconformity, "10.2", "Nonconformity deadlines", "each nonconformity with a closure deadline is closed by it"),
        new(AuditFinding, "10.2", "Certification-body findings", "each certification-body finding is closed by its closure deadline"),
        new(InternalAuditCoverage, "9.2", "Internal audit coverage", "every clause and applicable control is covered by an internal audit reported in the cycle before the audit"),
        new(ManagementReview, "9.3", "Management review held", "a management review was held in the 12 months before the audit"),
        new(ReviewDecision, "9.3", "Management review decisions", "each management review decision is done by its due date"),
        new(AccessReview, "9.1", "Access reviews signed off", "each access review whose occurrence has fallen due is signed off"),
        new(ScannerFinding, "8.1", "Scanner findings", "each scanner finding is fixed by its remediation deadline"),
        new(CollectorFailing, "9.1", "Evidence collectors", "each enabled collector's last run succeeded"),
    ];

    public static IReadOnlyDictionary<string, Info> ByKind { get; } = All.ToDictionary(i => i.Kind, StringComparer.Ordinal);
}

/// <summary>
/// One thing an auditor would find missing. <paramref name="SubjectId"/> is the record it concerns
/// (null for organisation-wide gaps such as "no management review held"); <paramref name="Subject"/>
/// is its reference as people read it. <paramref name="DoBy"/> is set on forecast gaps: the last day
/// on which doing the item keeps the audit day clean (today when it is already late), null when it
/// can no longer be undone.
/// </summary>
public sealed record ReadinessGap(
    string Kind, Guid? SubjectId, string Subject, string Title, string Reason, Guid? OwnerUserId, string? OwnerName,
    string Clause, IReadOnlyList<string> Controls, string Path, DateOnly? DoBy, bool Fixable)
{
    /// <summary>What makes two gaps the same gap: the kind and the record (or reference) it concerns.</summary>
    public string Key => $"{Kind}|{SubjectId?.ToString() ?? Subject}";

    /// <summary>The reference and title as one line, without saying the same words twice.</summary>
    public string Name =>
        Title == Subject || Title.StartsWith(Subject + " ", StringComparison.Ordinal) || Title.EndsWith(" " + Subject, StringComparison.Ordinal) ? Title : $"{Subject} {Title}";
}

/// <summary>One group of a drill-down: how many checks it holds, how many pass, and its score.</summary>
public sealed record ScoreGroup(string Key, string Label, int Checks, int Passed, int Gaps)
{
    public int Score => Checks == 0 ? 100 : (int)Math.Floor(100.0 * Passed / Checks);
}

/// <summary>
/// The score and its drill-downs. <see cref="Value"/> is the mean, over the kinds that have at least
/// one check, of each kind's share of checks passing, as a whole number from 0 to 100.
/// </summary>
public sealed record ReadinessScore(int Value, IReadOnlyList<ScoreGroup> ByKind, IReadOnlyList<ScoreGroup> ByClause, IReadOnlyList<ScoreGroup> ByOwner, IReadOnlyList<ScoreGroup> ByControl)
{
    public const string Explanation =
        "Perennial runs one check per record that an auditor would look at (each occurrence due, each applicable control's evidence, "
        + "each activity's owner and deputy, each review date, each action's deadline, each clause and control for internal audit coverage, …). "
        + "A check passes when nothing is missing. Each kind of check gets the share of its checks that pass; the score is the average of "
        + "those shares over the kinds that have checks, so a thousand risks do not drown out one missing management review. "
        + "100 means an auditor would find nothing listed here missing.";
}

/// <summary>Readiness for one audit day: the gaps today, and those the audit day will have if nothing changes.</summary>
public sealed record ReadinessReport(
    DateOnly AuditDate, DateOnly PeriodFrom, string AuditSource, Guid? ExternalAuditId, DateTimeOffset Now, DateOnly Today,
    ReadinessScore Score, IReadOnlyList<ReadinessGap> Gaps, ReadinessScore ForecastScore, IReadOnlyList<ReadinessGap> Forecast)
{
    /// <summary>The forecast as a dated to-do list per owner (null key: nobody named), earliest first.</summary>
    public IReadOnlyList<OwnerTodo> TodoByOwner() =>
    [
        .. Forecast.Where(g => g.Fixable)
            .GroupBy(g => (g.OwnerUserId, g.OwnerName))
            .Select(g => new OwnerTodo(g.Key.OwnerUserId, g.Key.OwnerName, [.. g.OrderBy(x => x.DoBy ?? DateOnly.MaxValue).ThenBy(x => x.Subject, StringComparer.Ordinal)]))
            .OrderBy(t => t.OwnerUserId is null)
            .ThenBy(t => t.Items[0].DoBy ?? DateOnly.MaxValue)
            .ThenBy(t => t.OwnerName, StringComparer.Ordinal),
    ];

    /// <summary>Gaps the forecast names that cannot be undone any more (an occurrence already missed, …).</summary>
    public IReadOnlyList<ReadinessGap> Unfixable => [.. Forecast.Where(g => !g.Fixable)];

    public static string Day(DateOnly d) => d.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture);
}

public sealed record OwnerTodo(Guid? OwnerUserId, string? OwnerName, IReadOnlyList<ReadinessGap> Items);

namespace Perennial.Certification;

/// <summary>A planned external audit: when it should happen and the window it must fall in.</summary>
public sealed record PlannedAudit(ExternalAuditKind Kind, DateOnly PlannedDate, DateOnly WindowStart, DateOnly WindowEnd);

/// <summary>
/// Places a certificate's external audits. Surveillance audit 1 is due within 12 months of the
/// certification decision, surveillance audit 2 within 24 months, and the recertification audit
/// the lead time before expiry. Each window opens three months before its due date and each audit
/// is planned one month before it, so there is room to move. Month arithmetic clamps to month
/// ends: a certificate decided on 29 February 2024 has surveillance 1 due on 28 February 2025.
/// </summary>
public static class CyclePlanner
{
    public const int DefaultRecertificationLeadDays = 90;
    public const int WindowMonths = 3;
    public const int PlanBeforeDueMonths = 1;

    public static IReadOnlyList<PlannedAudit> Plan(DateOnly issueDate, DateOnly expiryDate, int recertificationLeadDays = DefaultRecertificationLeadDays)
    {
        return
        [
            Around(ExternalAuditKind.Surveillance1, issueDate.AddMonths(12)),
            Around(ExternalAuditKind.Surveillance2, issueDate.AddMonths(24)),
            Around(ExternalAuditKind.Recertification, expiryDate.AddDays(-recertificationLeadDays)),
        ];
    }

    /// <summary>The usual expiry: three years after issue, the day before the anniversary.</summary>
    public static DateOnly DefaultExpiry(DateOnly issueDate) => issueDate.AddYears(3).AddDays(-1);

    private static PlannedAudit Around(ExternalAuditKind kind, DateOnly due) =>
        new(kind, due.AddMonths(-PlanBeforeDueMonths), due.AddMonths(-WindowMonths), due);
}

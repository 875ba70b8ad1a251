namespace Perennial.Activities;

/// <summary>A ready-made periodic ISMS activity: default schedule, evidence and the controls it serves.</summary>
public sealed record ActivityTemplate(
    string Key,
    string Title,
    string Procedure,
    string Preset,
    IReadOnlyList<string> Evidence,
    IReadOnlyList<string> Controls,
    ScheduleSource Source = ScheduleSource.Rule,
    int? EvidenceFreshnessDays = null);

/// <summary>
/// The periodic activities nearly every ISO/IEC 27001 ISMS runs. Titles and procedures are
/// Perennial's own words; control identifiers refer to the built-in catalog. Each says how recent its
/// evidence must be: one interval of its schedule plus about ten days' slack (monthly 35, quarterly
/// 100, yearly 380 days).
/// </summary>
public static class ActivityTemplates
{
    private const int Monthly = 35;
    private const int Quarterly = 100;
    private const int Yearly = 380;

    public static readonly IReadOnlyList<ActivityTemplate> All =
    [
        new("user-access-review", "User access review",
            "Export the accounts and their access rights from each in-scope system, have each system owner confirm every account is still needed at its level, and remove or reduce what is not. Record who decided what.",
            SchedulePresets.Quarterly, ["Signed review export", "Tickets for removed access"], ["A.5.15", "A.5.18", "A.8.2"], EvidenceFreshnessDays: Quarterly),
        new("privileged-access-review", "Privileged access review",
            "List every administrator and service account with elevated rights, confirm each one's need and owner, and revoke the rest.",
            SchedulePresets.Quarterly, ["Signed list of privileged accounts"], ["A.8.2", "A.8.18"], EvidenceFreshnessDays: Quarterly),
        new("vulnerability-scan", "Vulnerability scan and remediation follow-up",
            "Scan the in-scope systems, triage the findings by severity, open remediation tickets, and check that last period's findings are fixed within their deadlines.",
            SchedulePresets.Monthly, ["Scan report", "Remediation status"], ["A.8.8", "A.8.9"], EvidenceFreshnessDays: Monthly),
        new("backup-restore-test", "Backup restore test",
            "Restore a sample of backups to a separate environment, check the data is complete and usable, and note the time the restore took against the recovery objective.",
            SchedulePresets.Quarterly, ["Restore log"], ["A.8.13"], EvidenceFreshnessDays: Quarterly),
        new("supplier-review", "Supplier security review",
            "For each critical supplier, check its certifications and reports are current, review incidents and changes in its service, and record whether it still meets the agreed security terms.",
            SchedulePresets.Yearly, ["Supplier review record"], ["A.5.19", "A.5.22"], EvidenceFreshnessDays: Yearly),
        new("awareness-training", "Security awareness training",
            "Run the awareness refresher for all staff, follow up with those who have not completed it, and keep the completion list.",
            SchedulePresets.Yearly, ["Completion report"], ["A.6.3"], EvidenceFreshnessDays: Yearly),
        new("policy-review", "Information security policy review",
            "Review each security policy for fitness after changes in the business, technology and threats; update, approve and communicate the new versions.",
            SchedulePresets.Yearly, ["Approved policy versions"], ["A.5.1", "5.2"], EvidenceFreshnessDays: Yearly),
        new("risk-assessment-review", "Risk assessment review",
            "Re-assess the risk register: new threats, changed assets, treatment progress; record the updated ratings and accepted risks.",
            SchedulePresets.Yearly, ["Risk register export"], ["6.1.2", "8.2"], EvidenceFreshnessDays: Yearly),
        new("soa-review", "Statement of Applicability review",
            "Check each control's applicability and justification against the current risk treatment, update the implementation status, and publish a new version.",
            SchedulePresets.Yearly, ["Published SoA version"], ["6.1.3"], EvidenceFreshnessDays: Yearly),
        new("business-continuity-test", "Business continuity test",
            "Exercise the continuity plan for a critical service (table-top or live), record what worked and what did not, and raise actions.",
            SchedulePresets.Yearly, ["Exercise report"], ["A.5.29", "A.5.30"], EvidenceFreshnessDays: Yearly),
        new("incident-response-exercise", "Incident response exercise",
            "Walk the response team through a realistic incident scenario, time the key steps, and capture lessons and improvements to the procedure.",
            SchedulePresets.Yearly, ["Exercise report"], ["A.5.24", "A.5.26", "A.5.27"], EvidenceFreshnessDays: Yearly),
        new("internal-audit", "Internal audit",
            "Carry out the internal audit planned for this period, report the findings to management, and record nonconformities.",
            SchedulePresets.Yearly, ["Audit report"], ["9.2"], EvidenceFreshnessDays: Yearly),
        new("management-review", "Management review",
            "Hold the management review with top management: cover every required input, record the decisions and actions.",
            SchedulePresets.Yearly, ["Minutes with decisions"], ["9.3"], EvidenceFreshnessDays: Yearly),
        new("external-audit", "External certification audit",
            "Prepare for and host the certification body's audit planned in the certification cycle; record the findings.",
            SchedulePresets.Custom, ["Audit report from the certification body"], ["9.2"], ScheduleSource.CertificationCycle),
    ];

    public static ActivityTemplate? Find(string? key) =>
        All.FirstOrDefault(t => string.Equals(t.Key, key, StringComparison.OrdinalIgnoreCase));
}

using Perennial.Common;

namespace Perennial.Nonconformities;

/// <summary>The words the API and pages use for the loop's states, sources and results.</summary>
public static class NonconformityNames
{
    public static string Name(this NonconformityStatus status) => status switch
    {
        NonconformityStatus.Raised => "raised",
        NonconformityStatus.Contained => "contained",
        NonconformityStatus.Analysed => "analysed",
        NonconformityStatus.Planned => "actions-planned",
        NonconformityStatus.Done => "actions-done",
        NonconformityStatus.Checking => "effectiveness-check",
        _ => "closed",
    };

    public static string Label(this NonconformityStatus status) => status switch
    {
        NonconformityStatus.Raised => "Raised",
        NonconformityStatus.Contained => "Contained",
        NonconformityStatus.Analysed => "Root cause analysed",
        NonconformityStatus.Planned => "Corrective actions planned",
        NonconformityStatus.Done => "Actions done, check scheduled",
        NonconformityStatus.Checking => "Effectiveness check",
        _ => "Closed",
    };

    public static string Name(this NonconformitySource source) => source switch
    {
        NonconformitySource.MissedActivity => "missed-activity",
        NonconformitySource.InternalAudit => "internal-audit",
        NonconformitySource.CertificationBody => "certification-body",
        NonconformitySource.Incident => "incident",
        NonconformitySource.ManagementReview => "management-review",
        _ => "report",
    };

    public static string Label(this NonconformitySource source) => source switch
    {
        NonconformitySource.MissedActivity => "Missed activity",
        NonconformitySource.InternalAudit => "Internal audit",
        NonconformitySource.CertificationBody => "Certification body",
        NonconformitySource.Incident => "Incident",
        NonconformitySource.ManagementReview => "Management review",
        _ => "Report",
    };

    public static string Name(this NonconformitySeverity severity) => severity == NonconformitySeverity.Major ? "major" : "minor";

    public static string Name(this CorrectiveActionStatus status) => status switch
    {
        CorrectiveActionStatus.Done => "done",
        CorrectiveActionStatus.Cancelled => "cancelled",
        _ => "open",
    };

    public static string Name(this EffectivenessResult result) => result == EffectivenessResult.Effective ? "effective" : "not-effective";

    public static NonconformityStatus ParseStatus(string text, string field) =>
        Enum.GetValues<NonconformityStatus>().FirstOrDefault(s => string.Equals(s.Name(), text.Trim(), StringComparison.OrdinalIgnoreCase)) is var s && s != default
            ? s
            : throw UseCaseException.Invalid(field, $"{field} must be one of {string.Join(", ", Enum.GetValues<NonconformityStatus>().Select(v => v.Name()))}.");

    /// <summary>Any source, by its API name, for filtering the log.</summary>
    public static NonconformitySource ParseAnySource(string text, string field) =>
        Enum.GetValues<NonconformitySource>().FirstOrDefault(s => string.Equals(s.Name(), text.Trim(), StringComparison.OrdinalIgnoreCase)) is var s && s != default
            ? s
            : throw UseCaseException.Invalid(field, $"{field} must be one of {string.Join(", ", Enum.GetValues<NonconformitySource>().Select(v => v.Name()))}.");

    /// <summary>Sources a person may give when raising one by hand; the others are set by the feature that raises them.</summary>
    public static NonconformitySource ParseSource(string? text, string field) => (text ?? "report").Trim().ToLowerInvariant() switch
    {
        "report" or "" => NonconformitySource.Manual,
        "incident" => NonconformitySource.Incident,
        "management-review" => NonconformitySource.ManagementReview,
        "internal-audit" => NonconformitySource.InternalAudit,
        _ => throw UseCaseException.Invalid(field, $"{field} must be report, incident, management-review or internal-audit (missed activities and certification-body findings raise theirs themselves)."),
    };

    public static NonconformitySeverity ParseSeverity(string? text, string field) => (text ?? "").Trim().ToLowerInvariant() switch
    {
        "minor" => NonconformitySeverity.Minor,
        "major" => NonconformitySeverity.Major,
        _ => throw UseCaseException.Invalid(field, $"{field} must be major or minor."),
    };

    public static EffectivenessResult ParseResult(string? text, string field) => (text ?? "").Trim().ToLowerInvariant() switch
    {
        "effective" => EffectivenessResult.Effective,
        "not-effective" => EffectivenessResult.NotEffective,
        _ => throw UseCaseException.Invalid(field, $"{field} must be effective or not-effective."),
    };
}


using Perennial.Incidents;

namespace Perennial.Changes;

/// <summary>The names scripts and the webhook use for change types, statuses and tasks, and their labels.</summary>
public static class ChangeNames
{
    private static readonly (ChangeType Type, string Name, string Label)[] Types =
    [
        (ChangeType.NewProductOrService, "new-product", "New product or service"),
        (ChangeType.Supplier, "supplier", "New or changed supplier"),
        (ChangeType.Site, "site", "New site or office"),
        (ChangeType.Restructure, "restructure", "Organisational restructure"),
        (ChangeType.SystemOrTool, "system", "New or changed system or tool"),
        (ChangeType.Acquisition, "acquisition", "Acquisition"),
        (ChangeType.LegalOrRegulatory, "legal", "Legal or regulatory"),
        (ChangeType.Other, "other", "Other"),
    ];

    private static readonly (ChangeStatus Status, string Name, string Label)[] Statuses =
    [
        (ChangeStatus.Proposed, "proposed", "Proposed"),
        (ChangeStatus.Approved, "approved", "Approved"),
        (ChangeStatus.InProgress, "in-progress", "In progress"),
        (ChangeStatus.Implemented, "implemented", "Implemented"),
        (ChangeStatus.Closed, "closed", "Closed"),
        (ChangeStatus.Rejected, "rejected", "Rejected"),
    ];

    public const string TypeNames = "new-product, supplier, site, restructure, system, acquisition, legal, other";
    public const string StatusNames = "proposed, approved, in-progress, implemented, closed, rejected";
    public const string SeverityNames = "low, medium, high, critical";

    public static IReadOnlyList<ChangeType> AllTypes { get; } = Types.Select(t => t.Type).ToList();
    public static IReadOnlyList<ChangeStatus> AllStatuses { get; } = Statuses.Select(s => s.Status).ToList();

    public static string ToName(this ChangeType type) => Types.Single(t => t.Type == type).Name;

    public static string ToLabel(this ChangeType type) => Types.Single(t => t.Type == type).Label;

    public static bool TryParseType(string? name, out ChangeType type)
    {
        var key = (name ?? "").Trim().ToLowerInvariant();
        foreach (var t in Types)
        {
            if (t.Name == key)
            {
                type = t.Type;
                return true;
            }
        }

        type = default;
        return false;
    }

    public static string ToName(this ChangeStatus status) => Statuses.Single(s => s.Status == status).Name;

    public static string ToLabel(this ChangeStatus status) => Statuses.Single(s => s.Status == status).Label;

    public static bool TryParseStatus(string? name, out ChangeStatus status)
    {
        var key = (name ?? "").Trim().ToLowerInvariant().Replace('_', '-').Replace(' ', '-');
        foreach (var s in Statuses)
        {
            if (s.Name == key)
            {
                status = s.Status;
                return true;
            }
        }

        status = default;
        return false;
    }

    /// <summary>Closed and rejected changes are final.</summary>
    public static bool IsFinal(this ChangeStatus status) => status is ChangeStatus.Closed or ChangeStatus.Rejected;

    public static string ToName(this ChangeSource source) => source switch
    {
        ChangeSource.Manual => "manual",
        ChangeSource.Api => "api",
        ChangeSource.Webhook => "webhook",
        _ => throw new ArgumentOutOfRangeException(nameof(source)),
    };

    public static string ToName(this ChangeTaskKind kind) => kind switch
    {
        ChangeTaskKind.RevisitScope => "revisit-scope",
        ChangeTaskKind.ReassessRisks => "reassess-risks",
        ChangeTaskKind.ReviewSoa => "review-soa",
        _ => throw new ArgumentOutOfRangeException(nameof(kind)),
    };

    /// <summary>The title a follow-up task of this kind is opened with.</summary>
    public static string ToTitle(this ChangeTaskKind kind) => kind switch
    {
        ChangeTaskKind.RevisitScope => "Revisit the ISMS scope",
        ChangeTaskKind.ReassessRisks => "Reassess the affected risks",
        ChangeTaskKind.ReviewSoa => "Review the SoA rows concerned",
        _ => throw new ArgumentOutOfRangeException(nameof(kind)),
    };

    public static string ToName(this ChangeTaskStatus status) => status switch
    {
        ChangeTaskStatus.Open => "open",
        ChangeTaskStatus.Done => "done",
        ChangeTaskStatus.Waived => "waived",
        _ => throw new ArgumentOutOfRangeException(nameof(status)),
    };

    public static string ToName(this IncidentSeverity severity) => severity switch
    {
        IncidentSeverity.Low => "low",
        IncidentSeverity.Medium => "medium",
        IncidentSeverity.High => "high",
        IncidentSeverity.Critical => "critical",
        _ => throw new ArgumentOutOfRangeException(nameof(severity)),
    };

    public static bool TryParseSeverity(string? name, out IncidentSeverity severity)
    {
        switch ((name ?? "").Trim().ToLowerInvariant())
        {
            case "low": severity = IncidentSeverity.Low; return true;
            case "medium": severity = IncidentSeverity.Medium; return true;
            case "high": severity = IncidentSeverity.High; return true;
            case "critical": severity = IncidentSeverity.Critical; return true;
            default: severity = default; return false;
        }
    }
}

/// <summary>One of the ISMS impact questions every change answers, in plain words.</summary>
public sealed record ImpactQuestion(string Key, string Question, string Hint);

public static class ImpactQuestions
{
    /// <summary>
    /// The six questions, keyed by the webhook's names: a "yes" to scope or legal opens "revisit the
    /// scope"; to assets, supplier or access "reassess the affected risks"; to soa or legal "review
    /// the SoA rows concerned".
    /// </summary>
    public static IReadOnlyList<ImpactQuestion> All { get; } =
    [
        new("scope", "Does it change the scope or the boundaries of the ISMS?", "New or closed locations, products, teams or systems inside or outside the scope."),
        new("assets", "Does it bring new information assets or new processing of information?", "New data, new systems holding data, or data used for a new purpose."),
        new("supplier", "Does it add or change a supplier that handles our information?", "A new provider, a provider replaced, or a provider given new data."),
        new("access", "Does it change who has access to our information or systems?", "New people, roles, partners or tools with access, or access removed."),
        new("legal", "Does it change the legal, regulatory or contractual requirements we must meet?", "New laws or regulations, new markets, new customer contract terms."),
        new("soa", "Does it affect a control in the Statement of Applicability?", "A control starts or stops applying, or the way it is implemented changes."),
    ];
}

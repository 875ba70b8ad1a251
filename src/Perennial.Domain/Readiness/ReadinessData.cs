using Perennial.Activities;
using Perennial.Evidence;

namespace Perennial.Readiness;

/// <summary>
/// Everything readiness looks at for one audit, loaded once. <see cref="ReadinessEvaluator"/> reads it
/// for any day, so today's gaps and the audit day's forecast come from the very same records: when
/// nothing is done in between, the audit day finds exactly what the forecast named.
/// </summary>
internal sealed class ReadinessData
{
    public required DateOnly PeriodFrom { get; init; }
    public required DateOnly AuditDate { get; init; }
    public required DateOnly Today { get; init; }
    public required string FrameworkKey { get; init; }

    /// <summary>Members and until when they have access (null: no end).</summary>
    public required Dictionary<Guid, (string Name, DateOnly? ExpiresOn)> Members { get; init; }

    /// <summary>Display names of everyone the records mention, members or not.</summary>
    public required Dictionary<Guid, string> Names { get; init; }

    public required List<ActivityRow> Activities { get; init; }
    public required List<OccurrenceRow> Occurrences { get; init; }
    public required List<ControlRow> Controls { get; init; }

    /// <summary>SoA control identifiers marked applicable in the newest published version; null without one.</summary>
    public required SoaRow? Soa { get; init; }
    public required (Guid Id, int Number, DateOnly On)? Scope { get; init; }
    public required List<RiskRow> Risks { get; init; }
    public required List<NamedDated> ContextEntries { get; init; }
    public required List<ChangeTaskRow> ChangeTasks { get; init; }
    public required List<ActionRow> CorrectiveActions { get; init; }
    public required List<CheckRow> EffectivenessChecks { get; init; }
    public required List<NamedDated> Nonconformities { get; init; }
    public required List<NamedDated> AuditFindings { get; init; }
    public required CoverageData Coverage { get; init; }
    public required List<ReviewRow> ManagementReviews { get; init; }
    public required List<DecisionRow> Decisions { get; init; }
    public required List<AccessReviewRow> AccessReviews { get; init; }
    public required List<NamedDated> ScannerFindings { get; init; }
    public required List<CollectorRow> Collectors { get; init; }

    public string? NameOf(Guid? id) => id is { } g && Names.TryGetValue(g, out var n) ? n : null;

    public bool IsMember(Guid? id, DateOnly on) => id is { } g && Members.TryGetValue(g, out var m) && (m.ExpiresOn is null || on <= m.ExpiresOn);
}

internal sealed record ActivityRow(Guid Id, string Reference, string Title, Guid OwnerUserId, Guid? DeputyUserId, ActivityState State, IReadOnlyList<string> Controls);

internal sealed record OccurrenceRow(Guid Id, Guid ActivityId, DateOnly DueDate, OccurrenceState State, DateOnly? CompletedOn);

internal sealed record ControlRow(Guid Id, string Identifier, string Title, Guid? OwnerUserId, IReadOnlyList<EvidenceSpan> Spans);

internal sealed record SoaRow(Guid Id, int Number, DateOnly PublishedOn, IReadOnlySet<string> Applicable);

internal sealed record RiskRow(Guid Id, string Reference, string Title, DateOnly NextReviewOn, Guid? OwnerUserId, string? Trigger);

/// <summary>A record with a reference, an owner and the date it must be done by.</summary>
internal sealed record NamedDated(Guid Id, string Reference, string Title, DateOnly Due, Guid? OwnerUserId, string Path, bool Open, string? Extra = null);

internal sealed record ChangeTaskRow(Guid Id, Guid ChangeId, string ChangeReference, Changes.ChangeTaskKind Kind, string Title, DateOnly DueOn, Guid? OwnerUserId, bool Open);

internal sealed record ActionRow(Guid Id, Guid NonconformityId, string NonconformityReference, string Title, DateOnly DueOn, Guid OwnerUserId, bool Open);

internal sealed record CheckRow(Guid NonconformityId, string Reference, string Title, int Round, DateOnly DueOn, Guid? OwnerUserId, bool Open);

internal sealed record ReviewRow(Guid Id, string Reference, ManagementReviews.ReviewStatus Status, DateOnly ScheduledOn, DateOnly? HeldOn, Guid ChairUserId);

internal sealed record DecisionRow(Guid Id, Guid ReviewId, string Reference, string Title, DateOnly DueOn, Guid OwnerUserId, bool Open);

internal sealed record AccessReviewRow(Guid Id, string System, DateOnly DueDate, Guid ReviewerUserId, bool Open);

internal sealed record CollectorRow(Guid Id, string Name, Guid OwnerUserId, string? Summary, DateTimeOffset? LastRunAt, bool Failing);

/// <summary>The internal audits of the cycle that contains the audit day, with what each covers.</summary>
internal sealed record CoverageData(int? CycleNumber, IReadOnlyList<CoverageAuditRow> Audits);

internal sealed record CoverageAuditRow(Guid Id, string Reference, InternalAudits.InternalAuditStatus Status, DateOnly PlannedEnd, DateOnly? ReportedOn, Guid LeadAuditorUserId, IReadOnlySet<string> Scope);

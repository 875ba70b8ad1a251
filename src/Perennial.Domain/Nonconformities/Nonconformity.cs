using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;
using Perennial.AuditTrail;

namespace Perennial.Nonconformities;

public enum NonconformitySource
{
    MissedActivity = 1,

    /// <summary>Reported by a person (anyone in the organisation).</summary>
    Manual = 2,
    InternalAudit = 3,
    CertificationBody = 4,
    Incident = 5,
    ManagementReview = 6,
}

public enum NonconformitySeverity
{
    Minor = 1,
    Major = 2,
}

/// <summary>
/// Where a nonconformity stands in the corrective-action loop (ISO/IEC 27001 10.2). Stored by name
/// (at most ten characters); the API speaks the words in <see cref="NonconformityNames"/>.
/// </summary>
public enum NonconformityStatus
{
    Raised = 1,

    /// <summary>The immediate correction is recorded.</summary>
    Contained = 2,

    /// <summary>The root cause of the current round is recorded.</summary>
    Analysed = 3,

    /// <summary>Corrective actions are planned and not all done.</summary>
    Planned = 4,

    /// <summary>Every action of the round is done; the effectiveness check is scheduled.</summary>
    Done = 5,

    /// <summary>The effectiveness check is due or recorded as effective; the nonconformity can be closed.</summary>
    Checking = 6,
    Closed = 7,
}

public enum RootCauseMethod
{
    FiveWhys = 1,
    FreeText = 2,
}

public enum CorrectiveActionStatus
{
    Open = 1,
    Done = 2,
    Cancelled = 3,
}

public enum EffectivenessResult
{
    Effective = 1,
    NotEffective = 2,
}

/// <summary>
/// A nonconformity: what went wrong, where it came from, how severe it is, and its way through
/// containment, root cause, corrective action and the check that the action worked. A check that
/// finds the action did not work opens a new round; every round is kept.
/// </summary>
public sealed class Nonconformity : IAudited
{
    public const int TitleMaxLength = 300;
    public const int TextMaxLength = 8000;
    public const int IdentifierMaxLength = 50;

    public Guid Id { get; set; }
    public Guid OrganisationId { get; set; }

    /// <summary>NC-001, NC-002, ... per organisation.</summary>
    public string Reference { get; set; } = "";
    public string Title { get; set; } = "";
    public string? Description { get; set; }
    public NonconformitySource Source { get; set; }
    public NonconformitySeverity Severity { get; set; } = NonconformitySeverity.Minor;

    /// <summary>The clause (4.1 … 10.2) or control (A.5.1 …) affected, if known.</summary>
    public string? Identifier { get; set; }

    /// <summary>The missed occurrence, for <see cref="NonconformitySource.MissedActivity"/>.</summary>
    public Guid? OccurrenceId { get; set; }

    /// <summary>The certification-body finding this stands for, for <see cref="NonconformitySource.CertificationBody"/>.</summary>
    public Guid? AuditFindingId { get; set; }
    public Guid? IncidentId { get; set; }

    /// <summary>The internal audit and checklist item whose result raised this, for <see cref="NonconformitySource.InternalAudit"/>.</summary>
    public Guid? InternalAuditId { get; set; }
    public Guid? ChecklistItemId { get; set; }

    public Guid? OwnerUserId { get; set; }
    public Guid? RaisedByUserId { get; set; }
    public string RaisedByName { get; set; } = "";
    public DateTimeOffset RaisedAt { get; set; }

    /// <summary>When it must be closed by, if someone set a date (a certification body always does).</summary>
    public DateOnly? DueOn { get; set; }

    public NonconformityStatus Status { get; set; } = NonconformityStatus.Raised;

    public string? Containment { get; set; }
    public DateOnly? ContainedOn { get; set; }

    /// <summary>The round in progress, from 1; a failed effectiveness check starts the next.</summary>
    public int CurrentRound { get; set; } = 1;

    public DateTimeOffset? ClosedAt { get; set; }
    public Guid? ClosedByUserId { get; set; }

    /// <summary>Why a manager closed it without an effective check; shown in the log.</summary>
    public string? ClosureJustification { get; set; }

    /// <summary>When someone last asked for the linked risks to be reviewed because of this nonconformity, and who.</summary>
    public DateTimeOffset? RiskReviewRequestedAt { get; set; }
    public string? RiskReviewRequestedByName { get; set; }

    public List<NonconformityRound> Rounds { get; set; } = [];
    public List<CorrectiveAction> Actions { get; set; } = [];
    public List<NonconformityRisk> Risks { get; set; } = [];

    Guid? IAudited.OrganisationId => OrganisationId;

    public NonconformityRound? Round(int number) => Rounds.FirstOrDefault(r => r.Number == number);
}

/// <summary>One pass of root cause, corrective actions and effectiveness check.</summary>
public sealed class NonconformityRound : IAudited
{
    public Guid Id { get; set; }
    public Guid OrganisationId { get; set; }
    public Guid NonconformityId { get; set; }
    public int Number { get; set; }

    public RootCauseMethod? Method { get; set; }

    /// <summary>For five whys: JSON array of {why, because}, in order.</summary>
    public string? Whys { get; set; }
    public string? RootCause { get; set; }
    public string? CauseCategory { get; set; }
    public DateTimeOffset? AnalysedAt { get; set; }
    public Guid? AnalysedByUserId { get; set; }

    public DateOnly? ActionsDoneOn { get; set; }

    /// <summary>When the effectiveness check is due: the last action's completion plus the organisation's delay.</summary>
    public DateOnly? CheckDueOn { get; set; }
    public EffectivenessResult? CheckResult { get; set; }
    public string? CheckNotes { get; set; }
    public DateTimeOffset? CheckedAt { get; set; }
    public Guid? CheckedByUserId { get; set; }

    /// <summary>Evidence items the check rests on (JSON array of ids).</summary>
    public string? CheckEvidence { get; set; }

    Guid? IAudited.OrganisationId => OrganisationId;
}

public sealed class CorrectiveAction : IAudited
{
    public const int TitleMaxLength = 500;

    public Guid Id { get; set; }
    public Guid OrganisationId { get; set; }
    public Guid NonconformityId { get; set; }
    public int Round { get; set; }
    public string Title { get; set; } = "";
    public Guid OwnerUserId { get; set; }
    public DateOnly DueOn { get; set; }
    public CorrectiveActionStatus Status { get; set; } = CorrectiveActionStatus.Open;
    public DateOnly? DoneOn { get; set; }
    public string? Note { get; set; }
    public DateTimeOffset CreatedAt { get; set; }

    Guid? IAudited.OrganisationId => OrganisationId;
}

public sealed class NonconformityRisk
{
    public Guid NonconformityId { get; set; }
    public Guid RiskId { get; set; }
}

internal sealed class NonconformityConfiguration : IEntityTypeConfiguration<Nonconformity>
{
    public void Configure(EntityTypeBuilder<Nonconformity> builder)
    {
        builder.HasIndex(n => new { n.OrganisationId, n.Reference }).IsUnique();
        builder.HasIndex(n => new { n.OrganisationId, n.Status });
        builder.HasIndex(n => new { n.OrganisationId, n.Identifier });

        // One nonconformity per missed occurrence and per certification-body finding, however many sweeps notice it.
        builder.HasIndex(n => n.OccurrenceId).IsUnique();
        builder.HasIndex(n => n.AuditFindingId).IsUnique();
        builder.Property(n => n.Reference).HasMaxLength(20);
        builder.Property(n => n.Title).HasMaxLength(Nonconformity.TitleMaxLength);
        builder.Property(n => n.Description).HasMaxLength(Nonconformity.TextMaxLength);
        builder.Property(n => n.Source).HasConversion<string>().HasMaxLength(20);
        builder.Property(n => n.Status).HasConversion<string>().HasMaxLength(10);
        builder.Property(n => n.Severity).HasConversion<string>().HasMaxLength(10);
        builder.Property(n => n.Identifier).HasMaxLength(Nonconformity.IdentifierMaxLength);
        builder.Property(n => n.RaisedByName).HasMaxLength(256);
        builder.Property(n => n.RiskReviewRequestedByName).HasMaxLength(256);
        builder.Property(n => n.Containment).HasMaxLength(Nonconformity.TextMaxLength);
        builder.Property(n => n.ClosureJustification).HasMaxLength(Nonconformity.TextMaxLength);
        builder.HasOne<Organisations.Organisation>().WithMany().HasForeignKey(n => n.OrganisationId).OnDelete(DeleteBehavior.Cascade);
        builder.HasOne<Activities.Occurrence>().WithMany().HasForeignKey(n => n.OccurrenceId).OnDelete(DeleteBehavior.SetNull);
        builder.HasOne<Certification.AuditFinding>().WithMany().HasForeignKey(n => n.AuditFindingId).OnDelete(DeleteBehavior.SetNull);
        builder.HasOne<InternalAudits.InternalAudit>().WithMany().HasForeignKey(n => n.InternalAuditId).OnDelete(DeleteBehavior.SetNull);
        builder.HasIndex(n => n.ChecklistItemId).IsUnique();
        builder.HasOne<Incidents.Incident>().WithMany().HasForeignKey(n => n.IncidentId).OnDelete(DeleteBehavior.SetNull);
        builder.HasOne<Accounts.User>().WithMany().HasForeignKey(n => n.OwnerUserId).OnDelete(DeleteBehavior.SetNull);
        builder.HasOne<Accounts.User>().WithMany().HasForeignKey(n => n.RaisedByUserId).OnDelete(DeleteBehavior.SetNull);
        builder.HasOne<Accounts.User>().WithMany().HasForeignKey(n => n.ClosedByUserId).OnDelete(DeleteBehavior.SetNull);
        builder.HasMany(n => n.Rounds).WithOne().HasForeignKey(r => r.NonconformityId).OnDelete(DeleteBehavior.Cascade);
        builder.HasMany(n => n.Actions).WithOne().HasForeignKey(a => a.NonconformityId).OnDelete(DeleteBehavior.Cascade);
        builder.HasMany(n => n.Risks).WithOne().HasForeignKey(r => r.NonconformityId).OnDelete(DeleteBehavior.Cascade);
    }
}

internal sealed class NonconformityRoundConfiguration : IEntityTypeConfiguration<NonconformityRound>
{
    public void Configure(EntityTypeBuilder<NonconformityRound> builder)
    {
        builder.HasIndex(r => new { r.NonconformityId, r.Number }).IsUnique();
        builder.HasIndex(r => new { r.OrganisationId, r.CheckDueOn });
        builder.Property(r => r.Method).HasConversion<string>().HasMaxLength(10);
        builder.Property(r => r.Whys).HasMaxLength(Nonconformity.TextMaxLength);
        builder.Property(r => r.RootCause).HasMaxLength(Nonconformity.TextMaxLength);
        builder.Property(r => r.CauseCategory).HasMaxLength(50);
        builder.Property(r => r.CheckResult).HasConversion<string>().HasMaxLength(15);
        builder.Property(r => r.CheckNotes).HasMaxLength(Nonconformity.TextMaxLength);
        builder.Property(r => r.CheckEvidence).HasMaxLength(4000);
        builder.HasOne<Accounts.User>().WithMany().HasForeignKey(r => r.AnalysedByUserId).OnDelete(DeleteBehavior.SetNull);
        builder.HasOne<Accounts.User>().WithMany().HasForeignKey(r => r.CheckedByUserId).OnDelete(DeleteBehavior.SetNull);
    }
}

internal sealed class CorrectiveActionConfiguration : IEntityTypeConfiguration<CorrectiveAction>
{
    public void Configure(EntityTypeBuilder<CorrectiveAction> builder)
    {
        builder.HasIndex(a => new { a.OrganisationId, a.Status, a.DueOn });
        builder.HasIndex(a => a.OwnerUserId);
        builder.Property(a => a.Title).HasMaxLength(CorrectiveAction.TitleMaxLength);
        builder.Property(a => a.Status).HasConversion<string>().HasMaxLength(10);
        builder.Property(a => a.Note).HasMaxLength(Nonconformity.TextMaxLength);
        builder.HasOne<Accounts.User>().WithMany().HasForeignKey(a => a.OwnerUserId).OnDelete(DeleteBehavior.Restrict);
    }
}

internal sealed class NonconformityRiskConfiguration : IEntityTypeConfiguration<NonconformityRisk>
{
    public void Configure(EntityTypeBuilder<NonconformityRisk> builder)
    {
        builder.HasKey(r => new { r.NonconformityId, r.RiskId });
        builder.HasOne<Risks.Risk>().WithMany().HasForeignKey(r => r.RiskId).OnDelete(DeleteBehavior.Cascade);
    }
}

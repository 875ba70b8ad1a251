using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;
using Perennial.AuditTrail;

namespace Perennial.Findings;

/// <summary>How bad a finding is; the number orders them (higher is worse).</summary>
public enum FindingSeverity
{
    Unknown = 0,
    Info = 1,
    Low = 2,
    Medium = 3,
    High = 4,
    Critical = 5,
}

/// <summary>
/// One problem a scanner reported on one target (an image, a repository, a file), tracked across
/// reports: first seen, last seen, fixed when a later report of the same target no longer contains it,
/// reopened when it comes back. Not audited row by row: the reports it comes from are evidence items,
/// which are.
/// </summary>
public sealed class Finding
{
    public const int FingerprintLength = 64;
    public const int ToolMaxLength = 200;
    public const int FormatMaxLength = 20;
    public const int TargetMaxLength = 500;
    public const int RuleIdMaxLength = 300;
    public const int TitleMaxLength = 500;
    public const int PackageMaxLength = 300;
    public const int VersionMaxLength = 200;
    public const int LocationMaxLength = 1000;

    public Guid Id { get; set; }
    public Guid OrganisationId { get; set; }

    /// <summary>Lower-case hex SHA-256 of tool, target, rule and package or location: the same problem in every report.</summary>
    public string Fingerprint { get; set; } = "";

    /// <summary>The scanner, e.g. Trivy, CodeQL, MSBuild.</summary>
    public string Tool { get; set; } = "";

    /// <summary>The report format it came from: trivy, sarif or cyclonedx.</summary>
    public string Format { get; set; } = "";

    /// <summary>What was scanned: image or artifact name, repository, or the report's file name.</summary>
    public string Target { get; set; } = "";

    /// <summary>Vulnerability id (CVE-…) or the scanner's rule id.</summary>
    public string RuleId { get; set; } = "";

    public string Title { get; set; } = "";
    public FindingSeverity Severity { get; set; }
    public string? PackageName { get; set; }
    public string? InstalledVersion { get; set; }
    public string? FixedVersion { get; set; }

    /// <summary>Where in the target: file:line, or the part of an image the package is in.</summary>
    public string? Location { get; set; }

    public DateTimeOffset FirstSeenAt { get; set; }
    public DateTimeOffset LastSeenAt { get; set; }

    /// <summary>The collection time of the first later report of the target without it; null while open.</summary>
    public DateTimeOffset? FixedAt { get; set; }

    /// <summary>When it came back after being fixed (the latest time).</summary>
    public DateTimeOffset? ReopenedAt { get; set; }

    /// <summary>First seen plus the organisation's deadline for its severity; null for info and unknown.</summary>
    public DateOnly? DueOn { get; set; }

    public Guid FirstEvidenceItemId { get; set; }
    public Guid LastEvidenceItemId { get; set; }

    /// <summary>The remediation activity it belongs to: the report's activity, else the organisation's vulnerability-scan activity.</summary>
    public Guid? ActivityId { get; set; }

    public bool IsOpen => FixedAt is null;

    public bool IsOverdueOn(DateOnly today) => FixedAt is null && DueOn is { } due && due < today;
}

/// <summary>An organisation's remediation deadlines, in days from first seen, per severity.</summary>
public sealed class FindingSettings : IAudited
{
    public Guid Id { get; set; }
    public Guid OrganisationId { get; set; }
    public int CriticalDays { get; set; } = FindingDeadlines.Default.CriticalDays;
    public int HighDays { get; set; } = FindingDeadlines.Default.HighDays;
    public int MediumDays { get; set; } = FindingDeadlines.Default.MediumDays;
    public int LowDays { get; set; } = FindingDeadlines.Default.LowDays;
    public DateTimeOffset UpdatedAt { get; set; }

    Guid? IAudited.OrganisationId => OrganisationId;

    public FindingDeadlines ToDeadlines() => new(CriticalDays, HighDays, MediumDays, LowDays);
}

/// <summary>Days allowed to fix a finding of each severity; info and unknown findings have no deadline.</summary>
public sealed record FindingDeadlines(int CriticalDays, int HighDays, int MediumDays, int LowDays)
{
    public const int MaxDays = 3650;

    public static readonly FindingDeadlines Default = new(7, 30, 90, 180);

    public int? DaysFor(FindingSeverity severity) => severity switch
    {
        FindingSeverity.Critical => CriticalDays,
        FindingSeverity.High => HighDays,
        FindingSeverity.Medium => MediumDays,
        FindingSeverity.Low => LowDays,
        _ => null,
    };

    public DateOnly? DueOn(FindingSeverity severity, DateTimeOffset firstSeenAt) =>
        DaysFor(severity) is { } days ? DateOnly.FromDateTime(firstSeenAt.UtcDateTime).AddDays(days) : null;
}

public static class FindingNames
{
    public const string SeverityNames = "critical, high, medium, low, info, unknown";
    public const string StatusNames = "open, fixed, overdue";

    public static readonly IReadOnlyList<FindingSeverity> BySeverity =
        [FindingSeverity.Critical, FindingSeverity.High, FindingSeverity.Medium, FindingSeverity.Low, FindingSeverity.Info, FindingSeverity.Unknown];

    public static string ToName(this FindingSeverity severity) => severity switch
    {
        FindingSeverity.Critical => "critical",
        FindingSeverity.High => "high",
        FindingSeverity.Medium => "medium",
        FindingSeverity.Low => "low",
        FindingSeverity.Info => "info",
        _ => "unknown",
    };

    public static bool TryParseSeverity(string? text, out FindingSeverity severity)
    {
        switch ((text ?? "").Trim().ToLowerInvariant())
        {
            case "critical": severity = FindingSeverity.Critical; return true;
            case "high": severity = FindingSeverity.High; return true;
            case "medium" or "moderate": severity = FindingSeverity.Medium; return true;
            case "low": severity = FindingSeverity.Low; return true;
            case "info" or "informational" or "none" or "negligible": severity = FindingSeverity.Info; return true;
            case "unknown": severity = FindingSeverity.Unknown; return true;
            default: severity = FindingSeverity.Unknown; return false;
        }
    }
}

internal sealed class FindingConfiguration : IEntityTypeConfiguration<Finding>
{
    public void Configure(EntityTypeBuilder<Finding> builder)
    {
        builder.Property(f => f.Fingerprint).HasMaxLength(Finding.FingerprintLength);
        builder.Property(f => f.Tool).HasMaxLength(Finding.ToolMaxLength);
        builder.Property(f => f.Format).HasMaxLength(Finding.FormatMaxLength);
        builder.Property(f => f.Target).HasMaxLength(Finding.TargetMaxLength);
        builder.Property(f => f.RuleId).HasMaxLength(Finding.RuleIdMaxLength);
        builder.Property(f => f.Title).HasMaxLength(Finding.TitleMaxLength);
        builder.Property(f => f.PackageName).HasMaxLength(Finding.PackageMaxLength);
        builder.Property(f => f.InstalledVersion).HasMaxLength(Finding.VersionMaxLength);
        builder.Property(f => f.FixedVersion).HasMaxLength(Finding.VersionMaxLength);
        builder.Property(f => f.Location).HasMaxLength(Finding.LocationMaxLength);
        builder.Ignore(f => f.IsOpen);
        builder.HasIndex(f => new { f.OrganisationId, f.Fingerprint }).IsUnique();
        builder.HasIndex(f => new { f.OrganisationId, f.Tool, f.Target });
        builder.HasIndex(f => new { f.OrganisationId, f.FixedAt, f.DueOn });
        builder.HasIndex(f => f.ActivityId);
        builder.HasOne<Organisations.Organisation>().WithMany().HasForeignKey(f => f.OrganisationId).OnDelete(DeleteBehavior.Cascade);
        builder.HasOne<Evidence.EvidenceItem>().WithMany().HasForeignKey(f => f.FirstEvidenceItemId).OnDelete(DeleteBehavior.Cascade);
        builder.HasOne<Evidence.EvidenceItem>().WithMany().HasForeignKey(f => f.LastEvidenceItemId).OnDelete(DeleteBehavior.Cascade);
        builder.HasOne<Activities.Activity>().WithMany().HasForeignKey(f => f.ActivityId).OnDelete(DeleteBehavior.SetNull);
    }
}

internal sealed class FindingSettingsConfiguration : IEntityTypeConfiguration<FindingSettings>
{
    public void Configure(EntityTypeBuilder<FindingSettings> builder)
    {
        builder.HasIndex(s => s.OrganisationId).IsUnique();
        builder.HasOne<Organisations.Organisation>().WithMany().HasForeignKey(s => s.OrganisationId).OnDelete(DeleteBehavior.Cascade);
    }
}

using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;
using Perennial.Accounts;
using Perennial.AuditTrail;

namespace Perennial.Evidence;

public enum EvidenceKind
{
    /// <summary>An uploaded or pushed file.</summary>
    File = 1,

    /// <summary>A link to evidence kept elsewhere; no stored content.</summary>
    Link = 2,

    /// <summary>A written note, stored as UTF-8 text content.</summary>
    Note = 3,

    /// <summary>Structured data captured at one moment (a directory, a database's roles, a scan).</summary>
    Snapshot = 4,
}

public enum EvidenceSource
{
    /// <summary>Uploaded by a signed-in person (web page or API with a session).</summary>
    Upload = 1,

    /// <summary>Pushed by a script or pipeline with an API token.</summary>
    Token = 2,

    /// <summary>Produced by a collector run.</summary>
    Collector = 3,

    /// <summary>Attached while completing an occurrence.</summary>
    Occurrence = 4,

    /// <summary>Written by Perennial itself, e.g. a signed-off access review.</summary>
    System = 5,
}

public enum EvidenceStatus
{
    Current = 1,
    Superseded = 2,
    Expired = 3,
}

/// <summary>
/// One piece of evidence: what it is, the period it covers (which is not when it was uploaded), where it
/// came from, and the SHA-256 of its bytes. Items are never altered: a new version supersedes an old one,
/// which stays.
/// </summary>
public sealed class EvidenceItem : IAudited
{
    public const int TitleMaxLength = 300;
    public const int DescriptionMaxLength = 4000;
    public const int FileNameMaxLength = 255;
    public const int ContentTypeMaxLength = 200;
    public const int UrlMaxLength = 2000;
    public const int ClientKeyMaxLength = 200;

    public Guid Id { get; set; }
    public Guid OrganisationId { get; set; }
    public string Title { get; set; } = "";
    public string? Description { get; set; }
    public EvidenceKind Kind { get; set; }

    /// <summary>First day the evidence covers (a snapshot covers one day: its collection date).</summary>
    public DateOnly PeriodFrom { get; set; }

    /// <summary>Last day the evidence covers, inclusive.</summary>
    public DateOnly PeriodTo { get; set; }

    /// <summary>When the evidence was produced or captured (for a snapshot, the moment it shows).</summary>
    public DateTimeOffset CollectedAt { get; set; }

    /// <summary>When Perennial recorded the item.</summary>
    public DateTimeOffset RecordedAt { get; set; }

    public EvidenceSource Source { get; set; }
    public Guid? SourceUserId { get; set; }
    public User? SourceUser { get; set; }
    public Guid? SourceTokenId { get; set; }

    /// <summary>The collector run that produced the item, when a collector did.</summary>
    public Guid? CollectorRunId { get; set; }

    public string? FileName { get; set; }
    public string? ContentType { get; set; }

    /// <summary>Size of the stored content in bytes; null for links.</summary>
    public long? Size { get; set; }

    /// <summary>Lower-case hex SHA-256 of the stored content; the store addresses content by it. Null for links.</summary>
    public string? Sha256 { get; set; }

    public string? Url { get; set; }

    /// <summary>Keep the item at least until this day; after it the item shows as expired.</summary>
    public DateOnly? RetainUntil { get; set; }

    public Guid? SupersedesId { get; set; }
    public Guid? SupersededById { get; set; }
    public DateTimeOffset? SupersededAt { get; set; }

    /// <summary>The uploader's idempotency key: a retried upload with the same key returns the first item.</summary>
    public string? ClientKey { get; set; }

    public List<EvidenceItemLink> Links { get; set; } = [];

    Guid? IAudited.OrganisationId => OrganisationId;

    /// <summary>
    /// A new item's common part, the same for uploads, pushes, collector runs and occurrence completions:
    /// identity, kind, the period covered, when it was collected and recorded, and who or what it came from.
    /// The caller adds title, content and links.
    /// </summary>
    public static EvidenceItem New(Guid organisationId, EvidenceKind kind, DateOnly periodFrom, DateOnly periodTo, DateTimeOffset collectedAt, DateTimeOffset recordedAt, EvidenceOrigin origin)
    {
        ArgumentNullException.ThrowIfNull(origin);
        return new EvidenceItem
        {
            Id = Guid.CreateVersion7(recordedAt),
            OrganisationId = organisationId,
            Kind = kind,
            PeriodFrom = periodFrom,
            PeriodTo = periodTo,
            CollectedAt = collectedAt,
            RecordedAt = recordedAt,
            Source = origin.Source,
            SourceUserId = origin.UserId,
            SourceTokenId = origin.TokenId,
            CollectorRunId = origin.CollectorRunId,
        };
    }

    /// <summary>Links the item to what it is evidence for (any that are given).</summary>
    public EvidenceItem LinkTo(Guid? activityId = null, Guid? occurrenceId = null, Guid? controlId = null, Guid? frameworkId = null)
    {
        if (activityId is not null)
        {
            Links.Add(new EvidenceItemLink { Id = Guid.NewGuid(), EvidenceItemId = Id, ActivityId = activityId });
        }

        if (occurrenceId is not null)
        {
            Links.Add(new EvidenceItemLink { Id = Guid.NewGuid(), EvidenceItemId = Id, OccurrenceId = occurrenceId });
        }

        if (controlId is not null)
        {
            Links.Add(new EvidenceItemLink { Id = Guid.NewGuid(), EvidenceItemId = Id, ControlId = controlId });
        }

        if (frameworkId is not null)
        {
            Links.Add(new EvidenceItemLink { Id = Guid.NewGuid(), EvidenceItemId = Id, FrameworkId = frameworkId });
        }

        return this;
    }

    public EvidenceStatus StatusOn(DateOnly today) =>
        SupersededById is not null ? EvidenceStatus.Superseded
        : RetainUntil is { } until && until < today ? EvidenceStatus.Expired
        : EvidenceStatus.Current;

    /// <summary>True when the item is older than <paramref name="freshnessDays"/> on <paramref name="today"/>.</summary>
    public bool IsStaleOn(DateOnly today, int? freshnessDays) =>
        freshnessDays is { } days && PeriodTo.AddDays(days) < today;
}

/// <summary>What an evidence item is evidence for: exactly one of activity, occurrence, control or framework.</summary>
public sealed class EvidenceItemLink
{
    public Guid Id { get; set; }
    public Guid EvidenceItemId { get; set; }
    public Guid? ActivityId { get; set; }
    public Guid? OccurrenceId { get; set; }
    public Guid? ControlId { get; set; }
    public Guid? FrameworkId { get; set; }
}

public static class EvidenceNames
{
    public const string KindNames = "file, link, note, snapshot";
    public const string StatusNames = "current, superseded, expired";

    public static string ToName(this EvidenceKind kind) => kind switch
    {
        EvidenceKind.File => "file",
        EvidenceKind.Link => "link",
        EvidenceKind.Note => "note",
        EvidenceKind.Snapshot => "snapshot",
        _ => throw new ArgumentOutOfRangeException(nameof(kind)),
    };

    public static string ToName(this EvidenceStatus status) => status switch
    {
        EvidenceStatus.Current => "current",
        EvidenceStatus.Superseded => "superseded",
        EvidenceStatus.Expired => "expired",
        _ => throw new ArgumentOutOfRangeException(nameof(status)),
    };

    public static string ToName(this EvidenceSource source) => source switch
    {
        EvidenceSource.Upload => "upload",
        EvidenceSource.Token => "api-token",
        EvidenceSource.Collector => "collector",
        EvidenceSource.Occurrence => "occurrence",
        EvidenceSource.System => "system",
        _ => throw new ArgumentOutOfRangeException(nameof(source)),
    };

    public static bool TryParseKind(string? text, out EvidenceKind kind)
    {
        switch ((text ?? "").Trim().ToLowerInvariant())
        {
            case "file": kind = EvidenceKind.File; return true;
            case "link": kind = EvidenceKind.Link; return true;
            case "note" or "text": kind = EvidenceKind.Note; return true;
            case "snapshot": kind = EvidenceKind.Snapshot; return true;
            default: kind = default; return false;
        }
    }

    public static bool TryParseStatus(string? text, out EvidenceStatus status)
    {
        switch ((text ?? "").Trim().ToLowerInvariant())
        {
            case "current": status = EvidenceStatus.Current; return true;
            case "superseded": status = EvidenceStatus.Superseded; return true;
            case "expired": status = EvidenceStatus.Expired; return true;
            default: status = default; return false;
        }
    }
}

internal sealed class EvidenceItemConfiguration : IEntityTypeConfiguration<EvidenceItem>
{
    public void Configure(EntityTypeBuilder<EvidenceItem> builder)
    {
        builder.Property(e => e.Title).HasMaxLength(EvidenceItem.TitleMaxLength);
        builder.Property(e => e.Description).HasMaxLength(EvidenceItem.DescriptionMaxLength);
        builder.Property(e => e.Kind).HasConversion<string>().HasMaxLength(10);
        builder.Property(e => e.Source).HasConversion<string>().HasMaxLength(12);
        builder.Property(e => e.FileName).HasMaxLength(EvidenceItem.FileNameMaxLength);
        builder.Property(e => e.ContentType).HasMaxLength(EvidenceItem.ContentTypeMaxLength);
        builder.Property(e => e.Sha256).HasMaxLength(64);
        builder.Property(e => e.Url).HasMaxLength(EvidenceItem.UrlMaxLength);
        builder.Property(e => e.ClientKey).HasMaxLength(EvidenceItem.ClientKeyMaxLength);
        builder.HasIndex(e => new { e.OrganisationId, e.ClientKey }).IsUnique();
        // Covering for readiness's read of every item's span in a period: SQLite then reads no table rows.
        builder.HasIndex(e => new { e.OrganisationId, e.PeriodTo, e.PeriodFrom, e.Id });
        builder.HasIndex(e => e.Sha256);
        builder.HasIndex(e => e.CollectorRunId);
        builder.HasOne<Organisations.Organisation>().WithMany().HasForeignKey(e => e.OrganisationId).OnDelete(DeleteBehavior.Cascade);
        builder.HasOne(e => e.SourceUser).WithMany().HasForeignKey(e => e.SourceUserId).OnDelete(DeleteBehavior.Restrict);
        builder.HasOne<EvidenceItem>().WithMany().HasForeignKey(e => e.SupersedesId).OnDelete(DeleteBehavior.Restrict);
        builder.HasMany(e => e.Links).WithOne().HasForeignKey(l => l.EvidenceItemId).OnDelete(DeleteBehavior.Cascade);
    }
}

internal sealed class EvidenceLinkConfiguration : IEntityTypeConfiguration<EvidenceItemLink>
{
    public void Configure(EntityTypeBuilder<EvidenceItemLink> builder)
    {
        // Covering for the read of what each item evidences (readiness, timelines).
        builder.HasIndex(l => new { l.EvidenceItemId, l.ControlId, l.ActivityId });
        builder.HasIndex(l => l.ActivityId);
        builder.HasIndex(l => l.OccurrenceId);
        builder.HasIndex(l => l.ControlId);
        builder.HasIndex(l => l.FrameworkId);
        builder.HasOne<Activities.Activity>().WithMany().HasForeignKey(l => l.ActivityId).OnDelete(DeleteBehavior.Cascade);
        builder.HasOne<Activities.Occurrence>().WithMany().HasForeignKey(l => l.OccurrenceId).OnDelete(DeleteBehavior.Cascade);
        builder.HasOne<Frameworks.Control>().WithMany().HasForeignKey(l => l.ControlId).OnDelete(DeleteBehavior.Cascade);
        builder.HasOne<Frameworks.Framework>().WithMany().HasForeignKey(l => l.FrameworkId).OnDelete(DeleteBehavior.Cascade);
    }
}

using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;
using Perennial.AuditTrail;

namespace Perennial.OrganisationContext;

/// <summary>What an entry of the context register is (ISO/IEC 27001 4.1 and 4.2).</summary>
public enum ContextKind
{
    InternalIssue = 1,
    ExternalIssue = 2,
    InterestedParty = 3,
}

public enum ContextStatus
{
    Active = 1,

    /// <summary>No longer relevant; kept with its history.</summary>
    Retired = 2,
}

/// <summary>
/// An internal or external issue that bears on the ISMS's outcomes, or an interested party with its
/// relevant requirements and which of them the ISMS addresses. Each has an owner and a review
/// interval, like a risk; every change is kept as a <see cref="ContextRevision"/>.
/// </summary>
public sealed class ContextEntry : IAudited
{
    public const int TitleMaxLength = 300;
    public const int TextMaxLength = 4000;
    public const int CategoryMaxLength = 100;
    public const int MaxRequirements = 50;

    public Guid Id { get; set; }
    public Guid OrganisationId { get; set; }

    /// <summary>ISS-001 for issues (internal and external share the sequence), IP-001 for interested parties.</summary>
    public string Reference { get; set; } = "";
    public ContextKind Kind { get; set; }
    public string Title { get; set; } = "";
    public string? Description { get; set; }

    /// <summary>A free grouping such as legal, technological, market or people.</summary>
    public string? Category { get; set; }

    /// <summary>This issue is the organisation's assessment of climate change (4.1 as amended in 2024).</summary>
    public bool ClimateChange { get; set; }

    /// <summary>Whether the issue is judged relevant to the ISMS; an issue kept as "not relevant" records why.</summary>
    public bool Relevant { get; set; } = true;

    public Guid OwnerUserId { get; set; }
    public int ReviewIntervalMonths { get; set; } = 12;
    public DateOnly? LastReviewedOn { get; set; }
    public DateOnly NextReviewOn { get; set; }
    public ContextStatus Status { get; set; } = ContextStatus.Active;
    public int Revision { get; set; } = 1;
    public DateTimeOffset CreatedAt { get; set; }
    public DateTimeOffset UpdatedAt { get; set; }

    /// <summary>An interested party's relevant requirements, in order.</summary>
    public List<ContextRequirement> Requirements { get; set; } = [];

    Guid? IAudited.OrganisationId => OrganisationId;
}

/// <summary>A requirement of an interested party (4.2 b) and whether, and how, the ISMS addresses it (4.2 c).</summary>
public sealed class ContextRequirement
{
    public const int TextMaxLength = 1000;

    public Guid Id { get; set; }
    public Guid ContextEntryId { get; set; }
    public int SortOrder { get; set; }
    public string Text { get; set; } = "";
    public bool Addressed { get; set; }

    /// <summary>How the ISMS addresses it (a control, a policy, a contract clause), or why it does not.</summary>
    public string? How { get; set; }
}

/// <summary>One state of an entry as it stood from <see cref="At"/>, with who changed it and why.</summary>
public sealed class ContextRevision
{
    public Guid Id { get; set; }
    public Guid OrganisationId { get; set; }
    public Guid ContextEntryId { get; set; }
    public int Number { get; set; }
    public DateTimeOffset At { get; set; }
    public string Author { get; set; } = "";

    /// <summary>"created", "reviewed", "retired", or the editor's note.</summary>
    public string Reason { get; set; } = "";

    // Copied out of the snapshot for "what changed since" queries.
    public ContextKind Kind { get; set; }
    public string Reference { get; set; } = "";
    public string Title { get; set; } = "";

    /// <summary>The entry's fields as JSON (<see cref="ContextSnapshot"/>).</summary>
    public string SnapshotJson { get; set; } = "{}";
}

/// <summary>Everything a revision records about an entry, in the words the register shows.</summary>
public sealed record ContextSnapshot(
    string Reference, string Kind, string Title, string? Description, string? Category, bool ClimateChange, bool Relevant,
    string Owner, int ReviewIntervalMonths, DateOnly NextReviewOn, string Status, IReadOnlyList<ContextSnapshotRequirement> Requirements);

public sealed record ContextSnapshotRequirement(string Text, bool Addressed, string? How);

internal sealed class ContextEntryConfiguration : IEntityTypeConfiguration<ContextEntry>
{
    public void Configure(EntityTypeBuilder<ContextEntry> builder)
    {
        builder.HasIndex(e => new { e.OrganisationId, e.Reference }).IsUnique();
        builder.HasIndex(e => new { e.OrganisationId, e.Status, e.NextReviewOn });
        builder.Property(e => e.Reference).HasMaxLength(20);
        builder.Property(e => e.Title).HasMaxLength(ContextEntry.TitleMaxLength);
        builder.Property(e => e.Description).HasMaxLength(ContextEntry.TextMaxLength);
        builder.Property(e => e.Category).HasMaxLength(ContextEntry.CategoryMaxLength);
        builder.Property(e => e.Kind).HasConversion<string>().HasMaxLength(20);
        builder.Property(e => e.Status).HasConversion<string>().HasMaxLength(10);
        builder.HasMany(e => e.Requirements).WithOne().HasForeignKey(r => r.ContextEntryId).OnDelete(DeleteBehavior.Cascade);
        builder.HasOne<Organisations.Organisation>().WithMany().HasForeignKey(e => e.OrganisationId).OnDelete(DeleteBehavior.Cascade);
        builder.HasOne<Accounts.User>().WithMany().HasForeignKey(e => e.OwnerUserId).OnDelete(DeleteBehavior.Restrict);
    }
}

internal sealed class ContextRequirementConfiguration : IEntityTypeConfiguration<ContextRequirement>
{
    public void Configure(EntityTypeBuilder<ContextRequirement> builder)
    {
        builder.HasIndex(r => new { r.ContextEntryId, r.SortOrder });
        builder.Property(r => r.Text).HasMaxLength(ContextRequirement.TextMaxLength);
        builder.Property(r => r.How).HasMaxLength(ContextRequirement.TextMaxLength);
    }
}

internal sealed class ContextRevisionConfiguration : IEntityTypeConfiguration<ContextRevision>
{
    public void Configure(EntityTypeBuilder<ContextRevision> builder)
    {
        builder.HasIndex(r => new { r.ContextEntryId, r.Number }).IsUnique();
        builder.HasIndex(r => new { r.OrganisationId, r.At });
        builder.Property(r => r.Author).HasMaxLength(256);
        builder.Property(r => r.Reason).HasMaxLength(ContextEntry.TextMaxLength);
        builder.Property(r => r.Reference).HasMaxLength(20);
        builder.Property(r => r.Title).HasMaxLength(ContextEntry.TitleMaxLength);
        builder.Property(r => r.Kind).HasConversion<string>().HasMaxLength(20);
        builder.HasOne<ContextEntry>().WithMany().HasForeignKey(r => r.ContextEntryId).OnDelete(DeleteBehavior.Cascade);
    }
}

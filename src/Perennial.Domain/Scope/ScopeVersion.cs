using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;
using Perennial.AuditTrail;

namespace Perennial.Scope;

public enum BoundaryKind
{
    Site = 1,
    Product = 2,
    Team = 3,
    System = 4,
}

public enum IssueKind
{
    Internal = 1,
    External = 2,
}

public sealed record Boundary(BoundaryKind Kind, string Name, string? Notes);

public sealed record Exclusion(string Item, string Reason);

public sealed record InterestedParty(string Name, string Requirements);

public sealed record ContextIssue(IssueKind Kind, string Description);

/// <summary>The lists of a scope version.</summary>
public sealed record ScopeLists(
    IReadOnlyList<Boundary> Boundaries,
    IReadOnlyList<Exclusion> Exclusions,
    IReadOnlyList<InterestedParty> InterestedParties,
    IReadOnlyList<ContextIssue> Issues)
{
    public static readonly ScopeLists Empty = new([], [], [], []);
}

/// <summary>
/// The ISMS scope as saved at one moment. Saving the scope never edits a version: it adds the next
/// one, so any two can be compared.
/// </summary>
public sealed class ScopeVersion : IAudited
{
    public Guid Id { get; set; }
    public Guid OrganisationId { get; set; }
    public int Number { get; set; }
    public DateTimeOffset CreatedAt { get; set; }
    public Guid? AuthorUserId { get; set; }
    public string AuthorName { get; set; } = "";

    /// <summary>Why this version was saved (what changed).</summary>
    public string? ChangeNote { get; set; }

    public string Statement { get; set; } = "";

    /// <summary>Boundaries, exclusions, interested parties and issues as one JSON document (<see cref="ScopeLists"/>).</summary>
    public string ListsJson { get; set; } = "{}";

    Guid? IAudited.OrganisationId => OrganisationId;
}

internal sealed class ScopeVersionConfiguration : IEntityTypeConfiguration<ScopeVersion>
{
    public void Configure(EntityTypeBuilder<ScopeVersion> builder)
    {
        builder.HasIndex(s => new { s.OrganisationId, s.Number }).IsUnique();
        builder.Property(s => s.AuthorName).HasMaxLength(256);
        builder.Property(s => s.ChangeNote).HasMaxLength(1000);
        builder.Property(s => s.Statement).HasMaxLength(10_000);
        builder.HasOne<Organisations.Organisation>().WithMany().HasForeignKey(x => x.OrganisationId).OnDelete(DeleteBehavior.Cascade);
    }
}

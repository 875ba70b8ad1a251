using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;
using Perennial.AuditTrail;

namespace Perennial.Organisations;

/// <summary>An organisation whose ISMS Perennial keeps. Every ISMS record belongs to exactly one.</summary>
public sealed class Organisation : IAudited
{
    public const int SlugMaxLength = 64;
    public const int NameMaxLength = 200;

    public Guid Id { get; set; }
    public string Slug { get; set; } = "";
    public string Name { get; set; } = "";
    public bool IsDemo { get; set; }
    public DateTimeOffset CreatedAt { get; set; }

    public List<Membership> Memberships { get; set; } = [];

    Guid? IAudited.OrganisationId => Id;
}

internal sealed class OrganisationConfiguration : IEntityTypeConfiguration<Organisation>
{
    public void Configure(EntityTypeBuilder<Organisation> builder)
    {
        builder.Property(o => o.Slug).HasMaxLength(Organisation.SlugMaxLength);
        builder.HasIndex(o => o.Slug).IsUnique();
        builder.Property(o => o.Name).HasMaxLength(Organisation.NameMaxLength);
    }
}

using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;
using Perennial.AuditTrail;

namespace Perennial.Nonconformities;

/// <summary>An organisation's rules for the corrective-action loop.</summary>
public sealed class NonconformitySettings : IAudited
{
    public const int DefaultEffectivenessCheckDays = 60;
    public const int MaxEffectivenessCheckDays = 730;

    public Guid Id { get; set; }
    public Guid OrganisationId { get; set; }

    /// <summary>How long after the last corrective action is done its effectiveness is checked.</summary>
    public int EffectivenessCheckDays { get; set; } = DefaultEffectivenessCheckDays;

    Guid? IAudited.OrganisationId => OrganisationId;
}

internal sealed class NonconformitySettingsConfiguration : IEntityTypeConfiguration<NonconformitySettings>
{
    public void Configure(EntityTypeBuilder<NonconformitySettings> builder)
    {
        builder.HasIndex(s => s.OrganisationId).IsUnique();
        builder.HasOne<Organisations.Organisation>().WithMany().HasForeignKey(s => s.OrganisationId).OnDelete(DeleteBehavior.Cascade);
    }
}

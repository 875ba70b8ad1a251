using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace Perennial.AuditTrail;

public enum AuditAction
{
    Created = 1,
    Updated = 2,
    Deleted = 3,
}

/// <summary>
/// One append-only entry of the audit trail. Entries form a chain: each one's hash covers its own
/// content and the previous entry's hash, so editing or removing a row breaks the chain.
/// </summary>
public sealed class AuditEntry
{
    public const string GenesisHash = "0000000000000000000000000000000000000000000000000000000000000000";

    /// <summary>Position in the chain, starting at 1 with no gaps.</summary>
    public long Sequence { get; set; }
    public DateTimeOffset At { get; set; }
    public Guid? ActorUserId { get; set; }
    public string ActorName { get; set; } = "";
    public Guid? OrganisationId { get; set; }
    public string EntityType { get; set; } = "";
    public Guid EntityId { get; set; }
    public AuditAction Action { get; set; }

    /// <summary>JSON array of {field, before, after}.</summary>
    public string Changes { get; set; } = "[]";
    public string PreviousHash { get; set; } = GenesisHash;
    public string Hash { get; set; } = "";

    public string ComputeHash()
    {
        var text = string.Join('\n',
            Sequence.ToString(CultureInfo.InvariantCulture),
            At.UtcTicks.ToString(CultureInfo.InvariantCulture),
            ActorUserId?.ToString("D") ?? "",
            ActorName,
            OrganisationId?.ToString("D") ?? "",
            EntityType,
            EntityId.ToString("D"),
            ((int)Action).ToString(CultureInfo.InvariantCulture),
            Changes,
            PreviousHash);
        return Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(text)));
    }
}

/// <summary>
/// The single row that records the chain's last entry, so that removing the newest entries is
/// detected too.
/// </summary>
public sealed class AuditTrailHead
{
    public const int SingletonId = 1;

    public int Id { get; set; } = SingletonId;
    public long LastSequence { get; set; }
    public string LastHash { get; set; } = AuditEntry.GenesisHash;
}

internal sealed class AuditEntryConfiguration : IEntityTypeConfiguration<AuditEntry>
{
    public void Configure(EntityTypeBuilder<AuditEntry> builder)
    {
        builder.HasKey(e => e.Sequence);
        builder.Property(e => e.Sequence).ValueGeneratedNever();
        builder.Property(e => e.ActorName).HasMaxLength(256);
        builder.Property(e => e.EntityType).HasMaxLength(100);
        builder.Property(e => e.Action).HasConversion<string>().HasMaxLength(10);
        builder.Property(e => e.PreviousHash).HasMaxLength(64);
        builder.Property(e => e.Hash).HasMaxLength(64);
        builder.HasIndex(e => new { e.EntityType, e.EntityId });
        builder.HasIndex(e => e.OrganisationId);
    }
}

internal sealed class AuditTrailHeadConfiguration : IEntityTypeConfiguration<AuditTrailHead>
{
    public void Configure(EntityTypeBuilder<AuditTrailHead> builder)
    {
        builder.Property(h => h.Id).ValueGeneratedNever();
        builder.Property(h => h.LastHash).HasMaxLength(64);
    }
}

using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;
using Perennial.AuditTrail;

namespace Perennial.InternalAudits;

/// <summary>What the auditor found for one checklist item.</summary>
public enum ChecklistResult
{
    Conforming = 1,
    MinorNonconformity = 2,
    MajorNonconformity = 3,
    Observation = 4,
    Improvement = 5,
    NotAudited = 6,
}

/// <summary>
/// One clause or control of a started audit, with the auditor's result. Generated from the scope
/// when the audit starts; what it shows of activities, occurrences and evidence is read live.
/// </summary>
public sealed class ChecklistItem : IAudited
{
    public const int NotesMaxLength = 8000;

    public Guid Id { get; set; }
    public Guid OrganisationId { get; set; }
    public Guid InternalAuditId { get; set; }
    public string Identifier { get; set; } = "";
    public ScopeItemKind Kind { get; set; }
    public int SortOrder { get; set; }

    public ChecklistResult? Result { get; set; }
    public string? Notes { get; set; }
    public DateTimeOffset? RecordedAt { get; set; }
    public Guid? RecordedByUserId { get; set; }

    /// <summary>Evidence items the result rests on (existing ones or new uploads).</summary>
    public List<Guid> EvidenceIds { get; set; } = [];

    /// <summary>The nonconformity a minor or major result raised.</summary>
    public Guid? NonconformityId { get; set; }

    /// <summary>The improvement-register entry an opportunity for improvement created.</summary>
    public Guid? ImprovementId { get; set; }

    Guid? IAudited.OrganisationId => OrganisationId;
}

/// <summary>
/// A sample of one recurring activity's occurrences in the audit period, drawn for a checklist item.
/// The seed is kept so the same draw can be shown again.
/// </summary>
public sealed class ChecklistSample : IAudited
{
    public Guid Id { get; set; }
    public Guid OrganisationId { get; set; }
    public Guid ChecklistItemId { get; set; }
    public Guid ActivityId { get; set; }
    public string Frequency { get; set; } = "";
    public int Seed { get; set; }
    public int Population { get; set; }
    public int Size { get; set; }

    /// <summary>The drawn occurrences, in the order drawn.</summary>
    public List<Guid> OccurrenceIds { get; set; } = [];
    public DateTimeOffset DrawnAt { get; set; }
    public Guid? DrawnByUserId { get; set; }

    Guid? IAudited.OrganisationId => OrganisationId;
}

/// <summary>An organisation's sample sizes per frequency, replacing the defaults in <see cref="SamplingTable"/>.</summary>
public sealed class InternalAuditSettings
{
    public Guid Id { get; set; }
    public Guid OrganisationId { get; set; }

    /// <summary>frequency → "min-max" or "n", e.g. monthly → "2-5".</summary>
    public Dictionary<string, string> SampleSizes { get; set; } = [];
}

internal sealed class ChecklistItemConfiguration : IEntityTypeConfiguration<ChecklistItem>
{
    public void Configure(EntityTypeBuilder<ChecklistItem> builder)
    {
        builder.HasIndex(i => new { i.InternalAuditId, i.Identifier }).IsUnique();
        builder.Property(i => i.Identifier).HasMaxLength(20);
        builder.Property(i => i.Kind).HasConversion<string>().HasMaxLength(10);
        builder.Property(i => i.Result).HasConversion<string>().HasMaxLength(20);
        builder.Property(i => i.Notes).HasMaxLength(ChecklistItem.NotesMaxLength);
        builder.HasOne<InternalAudit>().WithMany().HasForeignKey(i => i.InternalAuditId).OnDelete(DeleteBehavior.Cascade);
        builder.HasOne<Accounts.User>().WithMany().HasForeignKey(i => i.RecordedByUserId).OnDelete(DeleteBehavior.SetNull);
        builder.HasOne<Nonconformities.Nonconformity>().WithMany().HasForeignKey(i => i.NonconformityId).OnDelete(DeleteBehavior.SetNull);
        builder.HasOne<Improvements.Improvement>().WithMany().HasForeignKey(i => i.ImprovementId).OnDelete(DeleteBehavior.SetNull);
    }
}

internal sealed class ChecklistSampleConfiguration : IEntityTypeConfiguration<ChecklistSample>
{
    public void Configure(EntityTypeBuilder<ChecklistSample> builder)
    {
        builder.HasIndex(s => new { s.ChecklistItemId, s.ActivityId }).IsUnique();
        builder.Property(s => s.Frequency).HasMaxLength(20);
        builder.HasOne<ChecklistItem>().WithMany().HasForeignKey(s => s.ChecklistItemId).OnDelete(DeleteBehavior.Cascade);
        builder.HasOne<Activities.Activity>().WithMany().HasForeignKey(s => s.ActivityId).OnDelete(DeleteBehavior.Cascade);
        builder.HasOne<Accounts.User>().WithMany().HasForeignKey(s => s.DrawnByUserId).OnDelete(DeleteBehavior.SetNull);
    }
}

internal sealed class InternalAuditSettingsConfiguration : IEntityTypeConfiguration<InternalAuditSettings>
{
    public void Configure(EntityTypeBuilder<InternalAuditSettings> builder)
    {
        builder.HasIndex(s => s.OrganisationId).IsUnique();
        builder.Property(s => s.SampleSizes).HasConversion(
            v => System.Text.Json.JsonSerializer.Serialize(v, (System.Text.Json.JsonSerializerOptions?)null),
            v => System.Text.Json.JsonSerializer.Deserialize<Dictionary<string, string>>(v, (System.Text.Json.JsonSerializerOptions?)null) ?? new Dictionary<string, string>(),
            new Microsoft.EntityFrameworkCore.ChangeTracking.ValueComparer<Dictionary<string, string>>(
                (a, b) => a!.Count == b!.Count && !a.Except(b).Any(),
                v => v.Aggregate(0, (h, p) => HashCode.Combine(h, p.Key, p.Value)),
                v => new Dictionary<string, string>(v))).HasMaxLength(1000);
        builder.HasOne<Organisations.Organisation>().WithMany().HasForeignKey(s => s.OrganisationId).OnDelete(DeleteBehavior.Cascade);
    }
}

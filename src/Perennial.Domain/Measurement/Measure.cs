using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;
using Perennial.AuditTrail;

namespace Perennial.Measurement;

/// <summary>How often a measure is taken; for a built-in measure also the period each value looks back over.</summary>
public enum MeasureFrequency
{
    Weekly = 1,
    Monthly = 2,
    Quarterly = 3,
    Yearly = 4,
}

/// <summary>Which way is good: a higher share of on-time work, or fewer overdue actions.</summary>
public enum MeasureDirection
{
    HigherIsBetter = 1,
    LowerIsBetter = 2,
}

/// <summary>Where a value came from.</summary>
public enum MeasureValueSource
{
    /// <summary>Computed by Perennial from its own records.</summary>
    Computed = 1,

    /// <summary>Entered by a person on the measure's page or through the API with their session.</summary>
    Manual = 2,

    /// <summary>Pushed by a script with an API token.</summary>
    Api = 3,
}

/// <summary>
/// A measure of the ISMS's performance (ISO/IEC 27001 9.1), defined as data: what is measured, how,
/// how often, who analyses the results, and the target and warning threshold its values are read
/// against. A built-in measure (<see cref="Key"/> set) is computed from Perennial's own records every
/// day; any other measure takes values entered by hand or pushed by scripts.
/// </summary>
public sealed class Measure : IAudited
{
    public const int NameMaxLength = 200;
    public const int TextMaxLength = 4000;
    public const int UnitMaxLength = 20;

    public Guid Id { get; set; }
    public Guid OrganisationId { get; set; }

    /// <summary>MS-001, MS-002, … per organisation.</summary>
    public string Reference { get; set; } = "";

    /// <summary>The built-in computation (<see cref="BuiltInMeasures"/>), or null for a measure that takes entered values.</summary>
    public string? Key { get; set; }
    public string Name { get; set; } = "";

    /// <summary>What is measured.</summary>
    public string? Description { get; set; }

    /// <summary>How it is measured.</summary>
    public string? Method { get; set; }
    public MeasureFrequency Frequency { get; set; } = MeasureFrequency.Monthly;

    /// <summary>Who analyses and evaluates the results (9.1 e, f).</summary>
    public Guid? AnalystUserId { get; set; }

    /// <summary>"%", "count", "days", or the unit of an entered measure.</summary>
    public string Unit { get; set; } = "";
    public MeasureDirection Direction { get; set; } = MeasureDirection.HigherIsBetter;
    public double? Target { get; set; }

    /// <summary>The warning line: a value past the target's side of it but short of the target is a warning; beyond it is off target.</summary>
    public double? Threshold { get; set; }
    public bool Active { get; set; } = true;
    public DateTimeOffset CreatedAt { get; set; }
    public DateTimeOffset UpdatedAt { get; set; }

    public bool IsBuiltIn => Key is not null;

    Guid? IAudited.OrganisationId => OrganisationId;
}

/// <summary>
/// One point of a measure's time series: the value on a day. A computed value with no
/// <see cref="Value"/> says the period held nothing to measure (nothing was due, say).
/// </summary>
public sealed class MeasureValue
{
    public const int NoteMaxLength = 1000;
    public const int DetailMaxLength = 300;

    public Guid Id { get; set; }
    public Guid OrganisationId { get; set; }
    public Guid MeasureId { get; set; }
    public DateOnly On { get; set; }
    public double? Value { get; set; }

    /// <summary>The figures behind a computed value, such as "14 of 16".</summary>
    public string? Detail { get; set; }
    public MeasureValueSource Source { get; set; }
    public DateTimeOffset RecordedAt { get; set; }
    public Guid? RecordedByUserId { get; set; }
    public Guid? RecordedByTokenId { get; set; }
    public string? Note { get; set; }
}

public enum ObjectiveStatus
{
    /// <summary>Being worked towards.</summary>
    Active = 1,
    Achieved = 2,
    NotAchieved = 3,
    Withdrawn = 4,
}

/// <summary>An information security objective (6.2): what is to be achieved, by whom, by when, and the measure that tracks it.</summary>
public sealed class Objective : IAudited
{
    public const int TitleMaxLength = 300;
    public const int TextMaxLength = 4000;

    public Guid Id { get; set; }
    public Guid OrganisationId { get; set; }

    /// <summary>OBJ-001, OBJ-002, … per organisation.</summary>
    public string Reference { get; set; } = "";
    public string Title { get; set; } = "";
    public string? Description { get; set; }
    public Guid OwnerUserId { get; set; }
    public Guid? MeasureId { get; set; }

    /// <summary>The value to reach; when null, the measure's own target.</summary>
    public double? Target { get; set; }
    public DateOnly DueOn { get; set; }
    public ObjectiveStatus Status { get; set; } = ObjectiveStatus.Active;
    public string? StatusNote { get; set; }
    public DateTimeOffset CreatedAt { get; set; }
    public DateTimeOffset UpdatedAt { get; set; }

    Guid? IAudited.OrganisationId => OrganisationId;
}

internal sealed class MeasureConfiguration : IEntityTypeConfiguration<Measure>
{
    public void Configure(EntityTypeBuilder<Measure> builder)
    {
        builder.HasIndex(m => new { m.OrganisationId, m.Reference }).IsUnique();
        builder.HasIndex(m => new { m.OrganisationId, m.Key }).IsUnique();
        builder.Property(m => m.Reference).HasMaxLength(20);
        builder.Property(m => m.Key).HasMaxLength(50);
        builder.Property(m => m.Name).HasMaxLength(Measure.NameMaxLength);
        builder.Property(m => m.Description).HasMaxLength(Measure.TextMaxLength);
        builder.Property(m => m.Method).HasMaxLength(Measure.TextMaxLength);
        builder.Property(m => m.Unit).HasMaxLength(Measure.UnitMaxLength);
        builder.Property(m => m.Frequency).HasConversion<string>().HasMaxLength(10);
        builder.Property(m => m.Direction).HasConversion<string>().HasMaxLength(20);
        builder.Ignore(m => m.IsBuiltIn);
        builder.HasOne<Organisations.Organisation>().WithMany().HasForeignKey(m => m.OrganisationId).OnDelete(DeleteBehavior.Cascade);
        builder.HasOne<Accounts.User>().WithMany().HasForeignKey(m => m.AnalystUserId).OnDelete(DeleteBehavior.SetNull);
    }
}

internal sealed class MeasureValueConfiguration : IEntityTypeConfiguration<MeasureValue>
{
    public void Configure(EntityTypeBuilder<MeasureValue> builder)
    {
        builder.HasIndex(v => new { v.MeasureId, v.On }).IsUnique();
        builder.Property(v => v.Detail).HasMaxLength(MeasureValue.DetailMaxLength);
        builder.Property(v => v.Note).HasMaxLength(MeasureValue.NoteMaxLength);
        builder.Property(v => v.Source).HasConversion<string>().HasMaxLength(10);
        builder.HasOne<Measure>().WithMany().HasForeignKey(v => v.MeasureId).OnDelete(DeleteBehavior.Cascade);
    }
}

internal sealed class ObjectiveConfiguration : IEntityTypeConfiguration<Objective>
{
    public void Configure(EntityTypeBuilder<Objective> builder)
    {
        builder.HasIndex(o => new { o.OrganisationId, o.Reference }).IsUnique();
        builder.Property(o => o.Reference).HasMaxLength(20);
        builder.Property(o => o.Title).HasMaxLength(Objective.TitleMaxLength);
        builder.Property(o => o.Description).HasMaxLength(Objective.TextMaxLength);
        builder.Property(o => o.StatusNote).HasMaxLength(Objective.TextMaxLength);
        builder.Property(o => o.Status).HasConversion<string>().HasMaxLength(12);
        builder.HasOne<Organisations.Organisation>().WithMany().HasForeignKey(o => o.OrganisationId).OnDelete(DeleteBehavior.Cascade);
        builder.HasOne<Accounts.User>().WithMany().HasForeignKey(o => o.OwnerUserId).OnDelete(DeleteBehavior.Restrict);
        builder.HasOne<Measure>().WithMany().HasForeignKey(o => o.MeasureId).OnDelete(DeleteBehavior.SetNull);
    }
}

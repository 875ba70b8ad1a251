using System.Text.Json;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;
using Perennial.AuditTrail;

namespace Perennial.Risks;

/// <summary>One level of a matrix axis: its value (1 = lowest), name and what it means here.</summary>
public sealed record ScaleLevel(int Value, string Name, string Description);

/// <summary>A level band, e.g. "High" for scores 10 to 14, with its colour.</summary>
public sealed record LevelBand(string Name, int MinScore, int MaxScore, string Colour);

/// <summary>
/// How an organisation assesses risk: a likelihood × impact matrix, the bands its scores fall into and
/// the threshold above which residual risk must be formally accepted. Changing the method makes a
/// new version; risks keep the version they were assessed with until they are reassessed.
/// </summary>
public sealed class RiskMethod : IAudited
{
    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web);

    public Guid Id { get; set; }
    public Guid OrganisationId { get; set; }
    public int Version { get; set; }
    public bool IsCurrent { get; set; }
    public DateTimeOffset CreatedAt { get; set; }
    public string CreatedBy { get; set; } = "";

    public string LikelihoodJson { get; set; } = "[]";
    public string ImpactJson { get; set; } = "[]";
    public string BandsJson { get; set; } = "[]";

    /// <summary>The highest score that may be retained without formal acceptance.</summary>
    public int AcceptanceThreshold { get; set; }

    Guid? IAudited.OrganisationId => OrganisationId;

    public IReadOnlyList<ScaleLevel> Likelihood => JsonSerializer.Deserialize<List<ScaleLevel>>(LikelihoodJson, Json) ?? [];
    public IReadOnlyList<ScaleLevel> Impact => JsonSerializer.Deserialize<List<ScaleLevel>>(ImpactJson, Json) ?? [];
    public IReadOnlyList<LevelBand> Bands => JsonSerializer.Deserialize<List<LevelBand>>(BandsJson, Json) ?? [];

    public void Set(IReadOnlyList<ScaleLevel> likelihood, IReadOnlyList<ScaleLevel> impact, IReadOnlyList<LevelBand> bands)
    {
        LikelihoodJson = JsonSerializer.Serialize(likelihood, Json);
        ImpactJson = JsonSerializer.Serialize(impact, Json);
        BandsJson = JsonSerializer.Serialize(bands, Json);
    }
}

internal sealed class RiskMethodConfiguration : IEntityTypeConfiguration<RiskMethod>
{
    public void Configure(EntityTypeBuilder<RiskMethod> builder)
    {
        builder.Ignore(m => m.Likelihood);
        builder.Ignore(m => m.Impact);
        builder.Ignore(m => m.Bands);
        builder.Property(m => m.CreatedBy).HasMaxLength(256);
        builder.HasIndex(m => new { m.OrganisationId, m.Version }).IsUnique();
        builder.HasOne<Organisations.Organisation>().WithMany().HasForeignKey(m => m.OrganisationId).OnDelete(DeleteBehavior.Cascade);
    }
}

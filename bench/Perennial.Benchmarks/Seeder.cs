using System.Text.Json;
using Perennial.Assets;
using Perennial.Changes;
using Perennial.Data;
using Perennial.Risks;

namespace Perennial.Benchmarks;

/// <summary>How much data to seed.</summary>
internal sealed record DatasetSize(int Assets, int Risks, int RevisionsPerRisk, int Changes)
{
    public static DatasetSize Full => new(5_000, 10_000, 20, 2_000);

    public DatasetSize Scaled(double scale) => scale == 1.0
        ? this
        : new(Math.Max(1, (int)(Assets * scale)), Math.Max(1, (int)(Risks * scale)), RevisionsPerRisk, Math.Max(1, (int)(Changes * scale)));
}

/// <summary>A member who owns risks and assets.</summary>
internal sealed record Owner(Guid UserId, string Email, string DisplayName);

/// <summary>
/// Seeds a large, realistic register: assets, risks with their full revision history (each
/// revision's snapshot serialised as <see cref="RiskService"/> writes it, valid-from instants spread
/// over the last two years and chained valid-to instants), risk–asset and risk–control links, and
/// changes. Rows are written in bulk, without the audit trail: seed data has no history to prove.
/// </summary>
internal sealed class Seeder(PerennialDbContext db, Guid organisationId, RiskMethod method, IReadOnlyList<Owner> owners, IReadOnlyList<(Guid Id, string Identifier)> controls, DateTimeOffset now)
{
    private const int RisksPerBatch = 500;

    // RiskService serialises snapshots with the web defaults; so does the seed.
    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web);

    private static readonly string[] Threats =
    [
        "Ransomware", "Credential phishing", "Malicious insider", "Supplier compromise", "Accidental disclosure", "Denial of service",
        "Exploitation of a known vulnerability", "Loss or theft of equipment", "Misconfiguration", "Power or cooling failure",
        "Unauthorised change", "Data corruption", "Regulatory change", "Social engineering", "Key person leaves",
    ];

    private static readonly string[] Vulnerabilities =
    [
        "Flat network between environments", "Push-based second factor", "Manual leaver process", "Single-region deployment",
        "Restores not tested regularly", "Encryption not enforced on all devices", "Dependency updates are irregular", "No secret scanning",
        "Limited supplier assurance", "Broad read access for support staff", "Short log retention", "Emergency changes skip review",
        "No deletion schedule", "Shared administrator account", "Long-lived access keys",
    ];

    private static readonly string[] Outcomes =
    [
        "stops the service", "exposes personal data", "corrupts records", "breaks a contractual commitment", "delays customer deliveries",
        "leaks source code", "triggers a regulatory fine", "damages the organisation's reputation",
    ];

    private static readonly string[] Plans =
    [
        "Enforce phishing-resistant authentication for every administrator.", "Segment the production network and restrict east-west traffic.",
        "Automate the leaver process from the HR system.", "Test restores every quarter and record the results.",
        "Add secret scanning to every repository.", "Review supplier assurance reports yearly.", "Extend log retention to twelve months.",
        "Introduce a change advisory review for emergency changes.", "Rotate access keys automatically every ninety days.",
    ];

    private static readonly string[] Reasons = ["reviewed and revised", "edited", "treatment plan updated", "residual risk accepted", "owner changed", "edited"];

    private static readonly AssetKind[] Kinds = Enum.GetValues<AssetKind>();
    private static readonly ChangeType[] ChangeTypes = Enum.GetValues<ChangeType>();
    private static readonly ChangeStatus[] ChangeStatuses = Enum.GetValues<ChangeStatus>();

    private readonly Random random = new(20_261_126);
    private readonly BulkInserter bulk = new(db);
    private readonly IReadOnlyList<LevelBand> bands = method.Bands;

    public async Task SeedAsync(DatasetSize size, Action<string> progress, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(size);
        var start = now.AddDays(-730);
        var assets = Assets(size.Assets, start);
        await bulk.InsertAsync(assets, ct);
        progress($"{assets.Count:N0} assets");

        for (var first = 1; first <= size.Risks; first += RisksPerBatch)
        {
            var risks = new List<Risk>();
            var revisions = new List<RiskRevision>();
            for (var number = first; number < first + RisksPerBatch && number <= size.Risks; number++)
            {
                risks.Add(RiskWithHistory(number, size.RevisionsPerRisk, start, assets, revisions));
            }

            await bulk.InsertAsync(risks, ct);
            await bulk.InsertAsync(risks.SelectMany(r => r.Assets), ct);
            await bulk.InsertAsync(risks.SelectMany(r => r.Controls), ct);
            await bulk.InsertAsync(revisions, ct);
            progress($"{Math.Min(first + RisksPerBatch - 1, size.Risks):N0} risks");
        }

        var changes = Changes(size.Changes, start, assets);
        await bulk.InsertAsync(changes, ct);
        await bulk.InsertAsync(changes.SelectMany(c => c.Assets), ct);
        progress($"{changes.Count:N0} changes");
    }

    private List<Asset> Assets(int count, DateTimeOffset start)
    {
        var assets = new List<Asset>(count);
        for (var i = 1; i <= count; i++)
        {
            var kind = Pick(Kinds);
            var created = start.AddMinutes(random.Next(0, 60 * 24 * 365));
            assets.Add(new Asset
            {
                Id = Guid.CreateVersion7(created),
                OrganisationId = organisationId,
                Name = $"{kind} asset {i:00000}",
                Kind = kind,
                Description = $"A {kind.ToString().ToLowerInvariant()} asset used by the {Pick(["finance", "engineering", "support", "sales", "people"])} team.",
                OwnerUserId = Pick(owners).UserId,
                Classification = (Classification)random.Next(1, 5),
                CreatedAt = created,
            });
        }

        return assets;
    }

    private Risk RiskWithHistory(int number, int revisionCount, DateTimeOffset start, List<Asset> assets, List<RiskRevision> revisions)
    {
        var created = start.AddMinutes(random.Next(0, 60 * 24 * 270));
        var span = (now - created).TotalMinutes - 60;
        var times = Enumerable.Range(0, revisionCount - 1).Select(_ => created.AddMinutes(60 + random.NextDouble() * span)).Order().Prepend(created).ToList();

        var threat = Pick(Threats);
        var asset = Pick(assets);
        var owner = Pick(owners);
        var risk = new Risk
        {
            Id = Guid.CreateVersion7(created),
            OrganisationId = organisationId,
            Reference = $"R-{number:000}",
            Title = $"{threat} {Pick(Outcomes)} ({asset.Name})",
            Description = $"{threat} against {asset.Name} could {Pick(Outcomes)}. The organisation depends on it for daily operations; an incident would be noticed by customers within hours and would need to be reported.",
            Threat = threat,
            Vulnerability = Pick(Vulnerabilities),
            OwnerUserId = owner.UserId,
            MethodId = method.Id,
            InherentLikelihood = 1 + random.Next(5),
            InherentImpact = 1 + random.Next(5),
            ExistingControls = "Access reviews twice a year; daily backups kept for thirty days; endpoint protection on managed devices.",
            Treatment = (TreatmentOption)Pick([1, 1, 1, 1, 2, 2, 3, 4]),
            TreatmentPlan = Pick(Plans),
            ReviewIntervalMonths = Pick([6, 12, 12, 12]),
            CreatedAt = created,
        };
        risk.InherentScore = RiskMatrix.Score(risk.InherentLikelihood, risk.InherentImpact);
        risk.InherentLevel = RiskMatrix.Band(bands, risk.InherentScore).Name;
        SetResidual(risk, Math.Max(1, risk.InherentLikelihood - random.Next(3)), Math.Max(1, risk.InherentImpact - random.Next(2)));
        risk.NextReviewOn = DateOnly.FromDateTime(created.UtcDateTime).AddMonths(risk.ReviewIntervalMonths);
        var linkedAssets = Enumerable.Range(0, random.Next(3)).Select(_ => Pick(assets)).Prepend(asset).DistinctBy(a => a.Id).ToList();
        var linkedControls = Enumerable.Range(0, controls.Count == 0 ? 0 : random.Next(4)).Select(_ => Pick(controls)).DistinctBy(c => c.Id).ToList();
        risk.Assets = linkedAssets.Select(a => new RiskAsset { RiskId = risk.Id, AssetId = a.Id }).ToList();
        risk.Controls = linkedControls.Select(c => new RiskControl { RiskId = risk.Id, ControlId = c.Id }).ToList();
        var assetNames = linkedAssets.Select(a => a.Name).Order(StringComparer.Ordinal).ToList();
        var controlNames = linkedControls.Select(c => c.Identifier).Order(StringComparer.Ordinal).ToList();

        RiskRevision? previous = null;
        for (var n = 1; n <= revisionCount; n++)
        {
            var at = times[n - 1];
            var reason = n == 1 ? "created" : Revise(risk, at, closing: n == revisionCount && random.Next(100) < 8);
            risk.RevisionCount = n;
            risk.UpdatedAt = at;
            if (previous is not null)
            {
                previous.ValidTo = at;
            }

            previous = Revision(risk, n, at, reason, assetNames, controlNames);
            revisions.Add(previous);
        }

        return risk;
    }

    /// <summary>Changes the risk the way people do over time; returns the revision's reason.</summary>
    private string Revise(Risk risk, DateTimeOffset at, bool closing)
    {
        var today = DateOnly.FromDateTime(at.UtcDateTime);
        if (closing)
        {
            risk.Status = RiskStatus.Closed;
            return "closed: the asset was retired";
        }

        var reason = Pick(Reasons);
        switch (reason)
        {
            case "reviewed and revised":
                var likelihood = Math.Clamp(risk.ResidualLikelihood + random.Next(-1, 2), 1, risk.InherentLikelihood);
                var impact = Math.Clamp(risk.ResidualImpact + random.Next(-1, 2), 1, risk.InherentImpact);
                if ((likelihood, impact) != (risk.ResidualLikelihood, risk.ResidualImpact))
                {
                    SetResidual(risk, likelihood, impact);
                    ClearAcceptance(risk);
                }

                risk.LastReviewedOn = today;
                risk.NextReviewOn = RiskService.NextReview(today, risk.ReviewIntervalMonths);
                break;
            case "treatment plan updated":
                risk.TreatmentPlan = $"{Pick(Plans)} Progress checked on {today:yyyy-MM-dd}.";
                break;
            case "residual risk accepted":
                var owner = owners.First(o => o.UserId == risk.OwnerUserId);
                risk.AcceptedByUserId = owner.UserId;
                risk.AcceptedAt = at;
                risk.AcceptedUntil = today.AddYears(1);
                risk.AcceptanceJustification = "The remaining risk is within appetite while the treatment plan is carried out.";
                break;
            case "owner changed":
                risk.OwnerUserId = Pick(owners).UserId;
                ClearAcceptance(risk);
                break;
            default:
                risk.Description = $"{risk.Description?[..Math.Min(risk.Description.Length, 180)]} Updated on {today:yyyy-MM-dd}.";
                break;
        }

        return reason;
    }

    private void SetResidual(Risk risk, int likelihood, int impact)
    {
        risk.ResidualLikelihood = likelihood;
        risk.ResidualImpact = impact;
        risk.ResidualScore = RiskMatrix.Score(likelihood, impact);
        risk.ResidualLevel = RiskMatrix.Band(bands, risk.ResidualScore).Name;
    }

    private static void ClearAcceptance(Risk risk)
    {
        risk.AcceptedByUserId = null;
        risk.AcceptedAt = null;
        risk.AcceptedUntil = null;
        risk.AcceptanceJustification = null;
    }

    private RiskRevision Revision(Risk risk, int number, DateTimeOffset at, string reason, List<string> assetNames, List<string> controlNames)
    {
        string? Name(Guid? id) => id is { } u ? owners.First(o => o.UserId == u).DisplayName : null;
        var snapshot = new RiskSnapshot(risk.Reference, risk.Title, risk.Description, risk.Threat, risk.Vulnerability, Name(risk.OwnerUserId), method.Version,
            risk.InherentLikelihood, risk.InherentImpact, risk.InherentScore, risk.InherentLevel, risk.ExistingControls, risk.Treatment, risk.TreatmentPlan,
            risk.ResidualLikelihood, risk.ResidualImpact, risk.ResidualScore, risk.ResidualLevel, risk.Status, risk.ReviewIntervalMonths, risk.NextReviewOn,
            Name(risk.AcceptedByUserId), risk.AcceptedUntil, risk.AcceptanceJustification, assetNames, controlNames);
        return new RiskRevision
        {
            Id = Guid.CreateVersion7(at),
            OrganisationId = organisationId,
            RiskId = risk.Id,
            Number = number,
            ValidFrom = at,
            Author = owners.First(o => o.UserId == risk.OwnerUserId).Email,
            Reason = reason,
            SnapshotJson = JsonSerializer.Serialize(snapshot, Json),
            Reference = risk.Reference,
            Title = risk.Title,
            OwnerUserId = risk.OwnerUserId,
            InherentLikelihood = risk.InherentLikelihood,
            InherentImpact = risk.InherentImpact,
            ResidualLikelihood = risk.ResidualLikelihood,
            ResidualImpact = risk.ResidualImpact,
            ResidualLevel = risk.ResidualLevel,
            Treatment = risk.Treatment,
            Status = risk.Status,
        };
    }

    private List<Change> Changes(int count, DateTimeOffset start, List<Asset> assets)
    {
        var changes = new List<Change>(count);
        for (var i = 1; i <= count; i++)
        {
            var created = start.AddMinutes(random.Next(0, 60 * 24 * 729));
            var type = Pick(ChangeTypes);
            var status = Pick(ChangeStatuses);
            var change = new Change
            {
                Id = Guid.CreateVersion7(created),
                OrganisationId = organisationId,
                Reference = $"C-{i:000}",
                Title = $"{type} change {i}: {Pick(Plans).TrimEnd('.')}",
                Description = "Planned by the service owner; the ISMS impact questions were answered at the change advisory board.",
                Type = type,
                RequesterName = Pick(owners).DisplayName,
                PlannedOn = DateOnly.FromDateTime(created.UtcDateTime).AddDays(random.Next(7, 60)),
                Status = status,
                Source = (ChangeSource)random.Next(1, 4),
                AffectsScope = random.Next(10) == 0,
                AddsAssetsOrProcessing = random.Next(4) == 0,
                AffectsSupplier = random.Next(5) == 0,
                AffectsAccess = random.Next(3) == 0,
                AffectsLegalRequirements = random.Next(20) == 0,
                AffectsSoaControl = random.Next(6) == 0,
                CreatedAt = created,
                ClosedOn = status is ChangeStatus.Closed or ChangeStatus.Rejected ? DateOnly.FromDateTime(created.UtcDateTime).AddDays(random.Next(10, 90)) : null,
            };
            if (assets.Count > 0)
            {
                change.Assets = [new ChangeAsset { ChangeId = change.Id, AssetId = Pick(assets).Id }];
            }

            changes.Add(change);
        }

        return changes;
    }

    private T Pick<T>(IReadOnlyList<T> items) => items[random.Next(items.Count)];
}

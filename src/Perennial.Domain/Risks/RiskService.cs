using System.Text.Json;
using Microsoft.EntityFrameworkCore;
using Perennial.AuditTrail;
using Perennial.Common;
using Perennial.Data;
using Perennial.Organisations;
using Perennial.Paging;

namespace Perennial.Risks;

/// <summary>The editable fields of a risk.</summary>
public sealed record RiskInput(
    string Title,
    string? Description,
    string? Threat,
    string? Vulnerability,
    Guid? OwnerUserId,
    int InherentLikelihood,
    int InherentImpact,
    string? ExistingControls,
    TreatmentOption Treatment,
    string? TreatmentPlan,
    int ResidualLikelihood,
    int ResidualImpact,
    int ReviewIntervalMonths,
    IReadOnlyList<Guid> AssetIds,
    IReadOnlyList<Guid> ControlIds,
    RiskStatus Status = RiskStatus.Open);

public sealed record RiskListItem(
    Guid Id, string Reference, string Title, Guid? OwnerUserId, string? Owner,
    int InherentLikelihood, int InherentImpact, int InherentScore, string InherentLevel,
    int ResidualLikelihood, int ResidualImpact, int ResidualScore, string ResidualLevel,
    TreatmentOption Treatment, RiskStatus Status, DateOnly NextReviewOn, bool ReviewOverdue, bool NeedsAcceptance, DateOnly? AcceptedUntil);

public sealed record RiskRevisionView(int Number, DateTimeOffset ValidFrom, DateTimeOffset? ValidTo, string Author, string Reason, RiskSnapshot Snapshot);

public sealed record RiskFieldChange(string Field, string? Before, string? After);

public sealed record RiskChanges(string Reference, IReadOnlyList<RiskFieldChange> Changes);

/// <summary>How the register changed between two dates: risks added, removed, and changed field by field.</summary>
public sealed record RegisterComparison(DateOnly From, DateOnly To, IReadOnlyList<string> Added, IReadOnlyList<string> Removed, IReadOnlyList<RiskChanges> Changed);

public sealed record HeatMapCell(int Likelihood, int Impact, int Score, string Level, string Colour, int Count);

public sealed record HeatMap(bool Residual, IReadOnlyList<ScaleLevel> Likelihood, IReadOnlyList<ScaleLevel> Impact, IReadOnlyList<HeatMapCell> Cells);

/// <summary>Filters, sort and the matrix cell of a register query.</summary>
public sealed record RiskQuery(
    string? Search = null,
    Guid? OwnerUserId = null,
    string? Level = null,
    TreatmentOption? Treatment = null,
    RiskStatus? Status = RiskStatus.Open,
    bool OverdueOnly = false,
    bool NeedsAcceptanceOnly = false,
    Guid? AssetId = null,
    Guid? ControlId = null,
    (bool Residual, int Likelihood, int Impact)? Cell = null,
    string Sort = "reference",
    bool Descending = false);

public sealed record OwnerProgress(Guid? OwnerUserId, string Owner, int Risks, int Reviewed);

/// <summary>The living risk register: assessment, treatment, acceptance, reviews and every revision.</summary>
public sealed partial class RiskService(PerennialDbContext db, TimeProvider time, IAuditActorAccessor actor)
{
    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web);

    private DateOnly Today => DateOnly.FromDateTime(time.GetUtcNow().UtcDateTime);

    // ---- Method -------------------------------------------------------------------------------

    /// <summary>The organisation's current method; a 5×5 default the first time.</summary>
    public async Task<RiskMethod> CurrentMethodAsync(Guid organisationId, CancellationToken ct)
    {
        var method = await db.RiskMethods.SingleOrDefaultAsync(m => m.OrganisationId == organisationId && m.IsCurrent, ct);
        if (method is not null)
        {
            return method;
        }

        var (likelihood, impact, bands, threshold) = RiskMatrix.Default(5);
        return await SaveMethodAsync(organisationId, likelihood, impact, bands, threshold, ct);
    }

    public async Task<IReadOnlyList<RiskMethod>> MethodsAsync(Guid organisationId, CancellationToken ct) =>
        await db.RiskMethods.AsNoTracking().Where(m => m.OrganisationId == organisationId).OrderByDescending(m => m.Version).ToListAsync(ct);

    /// <summary>Saves a new version of the method. Risks keep their version until they are reassessed.</summary>
    public async Task<RiskMethod> SaveMethodAsync(Guid organisationId, IReadOnlyList<ScaleLevel> likelihood, IReadOnlyList<ScaleLevel> impact, IReadOnlyList<LevelBand> bands, int threshold, CancellationToken ct)
    {
        ValidateMethod(likelihood, impact, bands, threshold);
        var previous = await db.RiskMethods.Where(m => m.OrganisationId == organisationId).OrderByDescending(m => m.Version).FirstOrDefaultAsync(ct);
        if (previous is not null)
        {
            previous.IsCurrent = false;
        }

        var method = new RiskMethod
        {
            OrganisationId = organisationId,
            Version = (previous?.Version ?? 0) + 1,
            IsCurrent = true,
            CreatedAt = time.GetUtcNow(),
            CreatedBy = actor.Current.Name,
            AcceptanceThreshold = threshold,
        };
        method.Set(likelihood, impact, bands);
        db.RiskMethods.Add(method);
        await db.SaveChangesAsync(ct);
        return method;
    }

    public static void ValidateMethod(IReadOnlyList<ScaleLevel> likelihood, IReadOnlyList<ScaleLevel> impact, IReadOnlyList<LevelBand> bands, int threshold)
    {
        void Axis(IReadOnlyList<ScaleLevel> levels, string field)
        {
            if (levels is null || levels.Count is < 2 or > 7)
            {
                throw UseCaseException.Invalid(field, $"{field} needs between 2 and 7 levels.");
            }

            for (var i = 0; i < levels.Count; i++)
            {
                if (levels[i].Value != i + 1)
                {
                    throw UseCaseException.Invalid($"{field}[{i}].value", $"{field} levels are numbered 1, 2, 3, … in order; level {i + 1} has value {levels[i].Value}.");
                }

                if (string.IsNullOrWhiteSpace(levels[i].Name) || levels[i].Name.Length > 50)
                {
                    throw UseCaseException.Invalid($"{field}[{i}].name", $"Each {field} level needs a name of at most 50 characters.");
                }
            }
        }

        Axis(likelihood, "likelihood");
        Axis(impact, "impact");
        var max = likelihood.Count * impact.Count;
        if (bands is null || bands.Count == 0)
        {
            throw UseCaseException.Invalid("bands", "At least one level band is needed.");
        }

        var expected = 1;
        foreach (var (band, i) in bands.OrderBy(b => b.MinScore).Select((b, i) => (b, i)))
        {
            if (band.MinScore != expected || band.MaxScore < band.MinScore)
            {
                throw UseCaseException.Invalid($"bands[{i}]", $"Bands must cover the scores 1 to {max} without gaps or overlaps; '{band.Name}' should start at {expected}.");
            }

            if (string.IsNullOrWhiteSpace(band.Name) || !System.Text.RegularExpressions.Regex.IsMatch(band.Colour ?? "", "^#[0-9a-fA-F]{6}$"))
            {
                throw UseCaseException.Invalid($"bands[{i}]", "Each band needs a name and a colour such as #c62828.");
            }

            expected = band.MaxScore + 1;
        }

        if (expected != max + 1)
        {
            throw UseCaseException.Invalid("bands", $"Bands must end at the highest score, {max}.");
        }

        if (threshold < 1 || threshold > max)
        {
            throw UseCaseException.Invalid("acceptanceThreshold", $"The acceptance threshold is a score between 1 and {max}.");
        }
    }

    // ---- Risks --------------------------------------------------------------------------------

    public async Task<Risk> CreateAsync(Guid organisationId, RiskInput input, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(input);
        var method = await CurrentMethodAsync(organisationId, ct);
        await ValidateAsync(organisationId, input, method, ct);
        await using var transaction = await db.Database.BeginTransactionAsync(ct);
        await db.LockAsync($"risks:{organisationId}", ct);
        var number = await db.Risks.CountAsync(r => r.OrganisationId == organisationId, ct) + 1;
        var now = time.GetUtcNow();
        var risk = new Risk
        {
            OrganisationId = organisationId,
            Reference = $"R-{number:000}",
            CreatedAt = now,
            NextReviewOn = Today.AddMonths(input.ReviewIntervalMonths),
        };
        while (await db.Risks.AnyAsync(r => r.OrganisationId == organisationId && r.Reference == risk.Reference, ct))
        {
            risk.Reference = $"R-{++number:000}";
        }

        Apply(risk, input, method);
        db.Risks.Add(risk);
        await AddRevisionAsync(risk, method, "created", ct);
        await db.SaveChangesAsync(ct);
        await transaction.CommitAsync(ct);
        return risk;
    }

    /// <summary>Saves an edit as the next revision. An edit that changes nothing writes nothing.</summary>
    public async Task<Risk> UpdateAsync(Guid organisationId, Guid riskId, RiskInput input, string? reason, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(input);
        var risk = await LoadAsync(organisationId, riskId, ct);
        var method = await CurrentMethodAsync(organisationId, ct);
        await ValidateAsync(organisationId, input, method, ct);
        var before = JsonSerializer.Serialize(await SnapshotAsync(risk, await MethodOfAsync(risk, ct), ct), Json);
        var residualBefore = (risk.ResidualLikelihood, risk.ResidualImpact, risk.MethodId, risk.OwnerUserId);
        Apply(risk, input, method);
        if (residualBefore != (risk.ResidualLikelihood, risk.ResidualImpact, risk.MethodId, risk.OwnerUserId))
        {
            // An acceptance covers the residual risk that was accepted, by the owner who accepted it.
            ClearAcceptance(risk);
        }

        if (JsonSerializer.Serialize(await SnapshotAsync(risk, method, ct), Json) == before)
        {
            db.ChangeTracker.Clear();
            return risk;
        }

        await SaveRevisionAsync(risk, method, string.IsNullOrWhiteSpace(reason) ? "edited" : reason.Trim(), ct);
        return risk;
    }

    /// <summary>The risk owner formally accepts the residual risk until a date.</summary>
    public async Task<Risk> AcceptAsync(Guid organisationId, Guid riskId, DateOnly acceptedUntil, string justification, CancellationToken ct)
    {
        var risk = await LoadAsync(organisationId, riskId, ct);
        var me = actor.Current.UserId;
        if (risk.OwnerUserId is null || risk.OwnerUserId != me)
        {
            throw new UseCaseException(UseCaseErrorKind.Forbidden, "owner", "Only the risk owner can accept the residual risk.");
        }

        if (string.IsNullOrWhiteSpace(justification) || justification.Length > RiskLimits.Text)
        {
            throw UseCaseException.Invalid("justification", "Say why the residual risk is acceptable (at most 4000 characters).");
        }

        if (acceptedUntil <= Today || acceptedUntil > Today.AddYears(3))
        {
            throw UseCaseException.Invalid("acceptedUntil", "An acceptance runs until a date after today and at most three years away.");
        }

        risk.AcceptedByUserId = me;
        risk.AcceptedAt = time.GetUtcNow();
        risk.AcceptedUntil = acceptedUntil;
        risk.AcceptanceJustification = justification.Trim();
        await SaveRevisionAsync(risk, await MethodOfAsync(risk, ct), "residual risk accepted", ct);
        return risk;
    }

    /// <summary>Records a review. With <paramref name="revision"/> the risk is revised too; without, it stands unchanged.</summary>
    public async Task<RiskReview> ReviewAsync(Guid organisationId, Guid riskId, string notes, RiskInput? revision, Guid? campaignId, CancellationToken ct)
    {
        if (string.IsNullOrWhiteSpace(notes) || notes.Length > RiskLimits.Text)
        {
            throw UseCaseException.Invalid("notes", "Say what the review reconsidered (at most 4000 characters).");
        }

        if (campaignId is { } campaign && !await db.ReviewCampaigns.AnyAsync(c => c.Id == campaign && c.OrganisationId == organisationId, ct))
        {
            throw UseCaseException.Invalid("campaignId", "No such review campaign in this organisation.");
        }

        var risk = revision is null ? await LoadAsync(organisationId, riskId, ct) : await UpdateAsync(organisationId, riskId, revision, "reviewed and revised", ct);
        if (revision is not null)
        {
            risk = await LoadAsync(organisationId, riskId, ct);
        }

        risk.LastReviewedOn = Today;
        risk.NextReviewOn = NextReview(Today, risk.ReviewIntervalMonths);
        risk.ReviewTrigger = null;
        var review = new RiskReview
        {
            OrganisationId = organisationId,
            RiskId = risk.Id,
            ReviewedOn = Today,
            ReviewerUserId = actor.Current.UserId,
            ReviewerName = actor.Current.Name,
            Notes = notes.Trim(),
            Revised = revision is not null,
            RevisionNumber = risk.RevisionCount,
            CampaignId = campaignId,
        };
        db.RiskReviews.Add(review);
        await db.SaveChangesAsync(ct);
        return review;
    }

    /// <summary>The next review after one completed on <paramref name="reviewedOn"/>: month arithmetic clamps to month ends.</summary>
    public static DateOnly NextReview(DateOnly reviewedOn, int intervalMonths) => reviewedOn.AddMonths(intervalMonths);

    /// <summary>Brings the reviews of these risks forward to today because something significant happened.</summary>
    public async Task<int> TriggerReviewsAsync(Guid organisationId, IReadOnlyCollection<Guid> riskIds, string reason, CancellationToken ct)
    {
        var risks = await db.Risks.Where(r => r.OrganisationId == organisationId && riskIds.Contains(r.Id) && r.Status == RiskStatus.Open).ToListAsync(ct);
        foreach (var risk in risks)
        {
            if (risk.NextReviewOn > Today)
            {
                risk.NextReviewOn = Today;
            }

            risk.ReviewTrigger = reason.Length > 300 ? reason[..300] : reason;
        }

        await db.SaveChangesAsync(ct);
        return risks.Count;
    }

    public async Task<RiskAction> AddActionAsync(Guid organisationId, Guid riskId, string title, Guid? ownerUserId, DateOnly? dueOn, CancellationToken ct)
    {
        var risk = await LoadAsync(organisationId, riskId, ct);
        if (string.IsNullOrWhiteSpace(title) || title.Length > RiskLimits.Line)
        {
            throw UseCaseException.Invalid("title", "The action needs a title (at most 1000 characters).");
        }

        await CheckMemberAsync(organisationId, ownerUserId, "ownerUserId", ct);
        var action = new RiskAction { OrganisationId = organisationId, RiskId = risk.Id, Title = title.Trim(), OwnerUserId = ownerUserId, DueOn = dueOn };
        db.RiskActions.Add(action);
        await db.SaveChangesAsync(ct);
        return action;
    }

    public async Task<RiskAction> SetActionStatusAsync(Guid organisationId, Guid actionId, ActionStatus status, CancellationToken ct)
    {
        var action = await db.RiskActions.SingleOrDefaultAsync(a => a.Id == actionId && a.OrganisationId == organisationId, ct)
            ?? throw UseCaseException.NotFound("No such action.");
        action.Status = Enum.IsDefined(status) ? status : throw UseCaseException.Invalid("status", "Unknown status.");
        action.CompletedOn = status == ActionStatus.Done ? Today : null;
        await db.SaveChangesAsync(ct);
        return action;
    }

    // ---- Reading ------------------------------------------------------------------------------

    public async Task<Paged<RiskListItem>> ListAsync(Guid organisationId, RiskQuery query, PageRequest page, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(query);
        var today = Today;
        var risks = db.Risks.AsNoTracking().Where(r => r.OrganisationId == organisationId);
        if (query.Status is { } status)
        {
            risks = risks.Where(r => r.Status == status);
        }

        if (!string.IsNullOrWhiteSpace(query.Search))
        {
            var term = query.Search.Trim().ToLowerInvariant();
#pragma warning disable CA1862 // ToLower().Contains translates to SQL on both providers.
            risks = risks.Where(r => r.Title.ToLower().Contains(term) || r.Reference.ToLower().Contains(term));
#pragma warning restore CA1862
        }

        if (query.OwnerUserId is { } owner)
        {
            risks = risks.Where(r => r.OwnerUserId == owner);
        }

        if (!string.IsNullOrWhiteSpace(query.Level))
        {
            risks = risks.Where(r => r.ResidualLevel == query.Level);
        }

        if (query.Treatment is { } treatment)
        {
            risks = risks.Where(r => r.Treatment == treatment);
        }

        if (query.OverdueOnly)
        {
            risks = risks.Where(r => r.NextReviewOn < today);
        }

        if (query.AssetId is { } asset)
        {
            risks = risks.Where(r => r.Assets.Any(a => a.AssetId == asset));
        }

        if (query.ControlId is { } control)
        {
            risks = risks.Where(r => r.Controls.Any(c => c.ControlId == control));
        }

        if (query.Cell is { } cell)
        {
            risks = cell.Residual
                ? risks.Where(r => r.ResidualLikelihood == cell.Likelihood && r.ResidualImpact == cell.Impact)
                : risks.Where(r => r.InherentLikelihood == cell.Likelihood && r.InherentImpact == cell.Impact);
        }

        var methods = await db.RiskMethods.AsNoTracking().Where(m => m.OrganisationId == organisationId).Select(m => new { m.Id, m.AcceptanceThreshold }).ToListAsync(ct);
        if (query.NeedsAcceptanceOnly)
        {
            risks = risks.Where(r => r.ResidualScore > db.RiskMethods.Where(m => m.Id == r.MethodId).Select(m => m.AcceptanceThreshold).First()
                && (r.AcceptedUntil == null || r.AcceptedUntil < today));
        }

        risks = (query.Sort, query.Descending) switch
        {
            ("title", false) => risks.OrderBy(r => r.Title),
            ("title", true) => risks.OrderByDescending(r => r.Title),
            ("residual", false) => risks.OrderBy(r => r.ResidualScore).ThenBy(r => r.Reference),
            ("residual", true) => risks.OrderByDescending(r => r.ResidualScore).ThenBy(r => r.Reference),
            ("inherent", false) => risks.OrderBy(r => r.InherentScore).ThenBy(r => r.Reference),
            ("inherent", true) => risks.OrderByDescending(r => r.InherentScore).ThenBy(r => r.Reference),
            ("review", false) => risks.OrderBy(r => r.NextReviewOn).ThenBy(r => r.Reference),
            ("review", true) => risks.OrderByDescending(r => r.NextReviewOn).ThenBy(r => r.Reference),
            (_, true) => risks.OrderByDescending(r => r.Reference.Length).ThenByDescending(r => r.Reference),
            _ => risks.OrderBy(r => r.Reference.Length).ThenBy(r => r.Reference),
        };

        var rows = await risks.ToPagedAsync(page, ct);
        var thresholds = methods.ToDictionary(m => m.Id, m => m.AcceptanceThreshold);
        var ownerIds = rows.Items.Where(r => r.OwnerUserId != null).Select(r => r.OwnerUserId!.Value).Distinct().ToList();
        var names = await db.Users.AsNoTracking().Where(u => ownerIds.Contains(u.Id)).ToDictionaryAsync(u => u.Id, u => u.DisplayName, ct);
        return new Paged<RiskListItem>(rows.Items.Select(r => ToItem(r, thresholds, names, today)).ToList(), rows.Page, rows.PageSize, rows.Total);
    }

    public async Task<Risk?> GetAsync(Guid organisationId, Guid riskId, CancellationToken ct) =>
        await db.Risks.AsNoTracking().Include(r => r.Assets).Include(r => r.Controls).Include(r => r.Actions).AsSplitQuery()
            .SingleOrDefaultAsync(r => r.OrganisationId == organisationId && r.Id == riskId, ct);

    public async Task<Risk?> FindByReferenceAsync(Guid organisationId, string reference, CancellationToken ct) =>
        await db.Risks.AsNoTracking().Include(r => r.Assets).Include(r => r.Controls).Include(r => r.Actions).AsSplitQuery()
            .SingleOrDefaultAsync(r => r.OrganisationId == organisationId && r.Reference == reference, ct);

    public bool NeedsAcceptance(Risk risk, RiskMethod method)
    {
        ArgumentNullException.ThrowIfNull(risk);
        ArgumentNullException.ThrowIfNull(method);
        return RiskMatrix.NeedsAcceptance(risk.ResidualScore, method.AcceptanceThreshold) && (risk.AcceptedUntil is null || risk.AcceptedUntil < Today);
    }

    public async Task<RiskMethod> MethodOfAsync(Risk risk, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(risk);
        return await db.RiskMethods.AsNoTracking().SingleAsync(m => m.Id == risk.MethodId, ct);
    }

    public async Task<IReadOnlyList<RiskRevisionView>> RevisionsAsync(Guid organisationId, Guid riskId, CancellationToken ct)
    {
        var revisions = await db.RiskRevisions.AsNoTracking()
            .Where(r => r.OrganisationId == organisationId && r.RiskId == riskId).OrderByDescending(r => r.Number).ToListAsync(ct);
        return revisions.Select(ToView).ToList();
    }

    public async Task<IReadOnlyList<RiskReview>> ReviewsAsync(Guid organisationId, Guid riskId, CancellationToken ct) =>
        await db.RiskReviews.AsNoTracking().Where(r => r.OrganisationId == organisationId && r.RiskId == riskId).OrderByDescending(r => r.ReviewedOn).ToListAsync(ct);

    /// <summary>The fields that differ between two revisions of one risk.</summary>
    public async Task<IReadOnlyList<RiskFieldChange>> CompareRevisionsAsync(Guid organisationId, Guid riskId, int from, int to, CancellationToken ct)
    {
        var revisions = await db.RiskRevisions.AsNoTracking()
            .Where(r => r.OrganisationId == organisationId && r.RiskId == riskId && (r.Number == from || r.Number == to)).ToListAsync(ct);
        var older = revisions.SingleOrDefault(r => r.Number == from) ?? throw UseCaseException.NotFound($"There is no revision {from}.");
        var newer = revisions.SingleOrDefault(r => r.Number == to) ?? throw UseCaseException.NotFound($"There is no revision {to}.");
        return Compare(ToView(older).Snapshot, ToView(newer).Snapshot);
    }

    /// <summary>The register as it stood at the end of <paramref name="date"/> (UTC): each risk's revision valid then.</summary>
    public async Task<Paged<RiskRevisionView>> AsOfAsync(Guid organisationId, DateOnly date, PageRequest page, CancellationToken ct)
    {
        var cutoff = new DateTimeOffset(date.AddDays(1).ToDateTime(TimeOnly.MinValue), TimeSpan.Zero);
        var rows = await db.RiskRevisions.AsNoTracking()
            .Where(r => r.OrganisationId == organisationId && r.ValidFrom < cutoff && (r.ValidTo == null || r.ValidTo >= cutoff))
            .OrderBy(r => r.Reference.Length).ThenBy(r => r.Reference)
            .ToPagedAsync(page, ct);
        return new Paged<RiskRevisionView>(rows.Items.Select(ToView).ToList(), rows.Page, rows.PageSize, rows.Total);
    }

    public async Task<RegisterComparison> CompareRegisterAsync(Guid organisationId, DateOnly from, DateOnly to, CancellationToken ct)
    {
        var all = new PageRequest(1, int.MaxValue / 2);
        var older = (await AsOfAsync(organisationId, from, all, ct)).Items.ToDictionary(r => r.Snapshot.Reference);
        var newer = (await AsOfAsync(organisationId, to, all, ct)).Items.ToDictionary(r => r.Snapshot.Reference);
        var changed = newer.Where(n => older.ContainsKey(n.Key))
            .Select(n => (Reference: n.Key, Changes: Compare(older[n.Key].Snapshot, n.Value.Snapshot)))
            .Where(c => c.Changes.Count > 0)
            .OrderBy(c => c.Reference, StringComparer.Ordinal)
            .ToList();
        return new RegisterComparison(from, to,
            newer.Keys.Except(older.Keys).Order(StringComparer.Ordinal).ToList(),
            older.Keys.Except(newer.Keys).Order(StringComparer.Ordinal).ToList(),
            changed.Select(c => new RiskChanges(c.Reference, c.Changes)).ToList());
    }

    public async Task<HeatMap> HeatMapAsync(Guid organisationId, bool residual, CancellationToken ct)
    {
        var method = await CurrentMethodAsync(organisationId, ct);
        var open = db.Risks.AsNoTracking().Where(r => r.OrganisationId == organisationId && r.Status == RiskStatus.Open);
        var counts = residual
            ? await open.GroupBy(r => new { L = r.ResidualLikelihood, I = r.ResidualImpact }).Select(g => new { g.Key.L, g.Key.I, N = g.Count() }).ToListAsync(ct)
            : await open.GroupBy(r => new { L = r.InherentLikelihood, I = r.InherentImpact }).Select(g => new { g.Key.L, g.Key.I, N = g.Count() }).ToListAsync(ct);
        var bands = method.Bands;
        var cells = new List<HeatMapCell>();
        foreach (var l in method.Likelihood)
        {
            foreach (var i in method.Impact)
            {
                var score = RiskMatrix.Score(l.Value, i.Value);
                var band = RiskMatrix.Band(bands, score);
                cells.Add(new HeatMapCell(l.Value, i.Value, score, band.Name, band.Colour, counts.Where(c => c.L == l.Value && c.I == i.Value).Sum(c => c.N)));
            }
        }

        return new HeatMap(residual, method.Likelihood, method.Impact, cells);
    }

    public async Task<IReadOnlyList<RiskListItem>> OverdueReviewsAsync(Guid organisationId, int take, CancellationToken ct) =>
        (await ListAsync(organisationId, new RiskQuery(OverdueOnly: true, Sort: "review"), new PageRequest(1, take), ct)).Items;

    public async Task<int> CountOverdueReviewsAsync(Guid organisationId, CancellationToken ct)
    {
        var today = Today;
        return await db.Risks.CountAsync(r => r.OrganisationId == organisationId && r.Status == RiskStatus.Open && r.NextReviewOn < today, ct);
    }

    // ---- Campaigns ----------------------------------------------------------------------------

    public async Task<ReviewCampaign> StartCampaignAsync(Guid organisationId, string title, DateOnly dueOn, CancellationToken ct)
    {
        if (string.IsNullOrWhiteSpace(title) || title.Length > 200)
        {
            throw UseCaseException.Invalid("title", "The campaign needs a title (at most 200 characters).");
        }

        if (dueOn <= Today)
        {
            throw UseCaseException.Invalid("dueOn", "The campaign's due date is after today.");
        }

        var campaign = new ReviewCampaign { OrganisationId = organisationId, Title = title.Trim(), StartedOn = Today, DueOn = dueOn };
        db.ReviewCampaigns.Add(campaign);
        await db.SaveChangesAsync(ct);
        return campaign;
    }

    public async Task<IReadOnlyList<ReviewCampaign>> CampaignsAsync(Guid organisationId, CancellationToken ct) =>
        await db.ReviewCampaigns.AsNoTracking().Where(c => c.OrganisationId == organisationId).OrderByDescending(c => c.StartedOn).ToListAsync(ct);

    /// <summary>Per risk owner: open risks, and how many have been reviewed since the campaign started.</summary>
    public async Task<IReadOnlyList<OwnerProgress>> CampaignProgressAsync(Guid organisationId, Guid campaignId, CancellationToken ct)
    {
        var campaign = await db.ReviewCampaigns.AsNoTracking().SingleOrDefaultAsync(c => c.Id == campaignId && c.OrganisationId == organisationId, ct)
            ?? throw UseCaseException.NotFound("No such campaign.");
        var rows = await db.Risks.AsNoTracking().Where(r => r.OrganisationId == organisationId && r.Status == RiskStatus.Open)
            .GroupBy(r => r.OwnerUserId)
            .Select(g => new { Owner = g.Key, Total = g.Count(), Reviewed = g.Count(r => r.LastReviewedOn >= campaign.StartedOn) })
            .ToListAsync(ct);
        var ids = rows.Where(r => r.Owner != null).Select(r => r.Owner!.Value).ToList();
        var names = await db.Users.AsNoTracking().Where(u => ids.Contains(u.Id)).ToDictionaryAsync(u => u.Id, u => u.DisplayName, ct);
        return rows.Select(r => new OwnerProgress(r.Owner, r.Owner is { } o && names.TryGetValue(o, out var n) ? n : "No owner", r.Total, r.Reviewed))
            .OrderBy(p => p.Owner, StringComparer.Ordinal).ToList();
    }

    // ---- Internals ----------------------------------------------------------------------------

    private async Task<Risk> LoadAsync(Guid organisationId, Guid riskId, CancellationToken ct) =>
        await db.Risks.Include(r => r.Assets).Include(r => r.Controls).AsSplitQuery()
            .SingleOrDefaultAsync(r => r.OrganisationId == organisationId && r.Id == riskId, ct)
        ?? throw UseCaseException.NotFound("No such risk.");

    private async Task ValidateAsync(Guid organisationId, RiskInput input, RiskMethod method, CancellationToken ct)
    {
        static void Length(string? value, int max, string field)
        {
            if (value is { Length: var n } && n > max)
            {
                throw UseCaseException.Invalid(field, $"{field} is at most {max} characters.");
            }
        }

        if (string.IsNullOrWhiteSpace(input.Title))
        {
            throw UseCaseException.Invalid("title", "The risk needs a title.");
        }

        Length(input.Title, RiskLimits.Title, "title");
        Length(input.Description, RiskLimits.Text, "description");
        Length(input.Threat, RiskLimits.Line, "threat");
        Length(input.Vulnerability, RiskLimits.Line, "vulnerability");
        Length(input.ExistingControls, RiskLimits.Text, "existingControls");
        Length(input.TreatmentPlan, RiskLimits.Text, "treatmentPlan");
        var maxL = method.Likelihood.Count;
        var maxI = method.Impact.Count;
        void Scale(int value, int max, string field)
        {
            if (value < 1 || value > max)
            {
                throw UseCaseException.Invalid(field, $"{field} must be between 1 and {max} on this organisation's {maxL}×{maxI} matrix; got {value}.");
            }
        }

        Scale(input.InherentLikelihood, maxL, "inherentLikelihood");
        Scale(input.InherentImpact, maxI, "inherentImpact");
        Scale(input.ResidualLikelihood, maxL, "residualLikelihood");
        Scale(input.ResidualImpact, maxI, "residualImpact");
        if (!Enum.IsDefined(input.Treatment))
        {
            throw UseCaseException.Invalid("treatment", "treatment must be one of modify, retain, avoid, share.");
        }

        if (input.ReviewIntervalMonths is < 1 or > 36)
        {
            throw UseCaseException.Invalid("reviewIntervalMonths", "The review interval is between 1 and 36 months.");
        }

        await CheckMemberAsync(organisationId, input.OwnerUserId, "ownerUserId", ct);
        var assets = input.AssetIds ?? [];
        if (assets.Count > 0 && await db.Assets.CountAsync(a => a.OrganisationId == organisationId && assets.Contains(a.Id), ct) != assets.Distinct().Count())
        {
            throw UseCaseException.Invalid("assetIds", "Every asset must be one of this organisation's assets.");
        }

        var controls = input.ControlIds ?? [];
        if (controls.Count > 0 && await db.Controls.CountAsync(c => c.OrganisationId == organisationId && controls.Contains(c.Id), ct) != controls.Distinct().Count())
        {
            throw UseCaseException.Invalid("controlIds", "Every control must be one of this organisation's controls.");
        }
    }

    private async Task CheckMemberAsync(Guid organisationId, Guid? userId, string field, CancellationToken ct)
    {
        var today = Today;
        if (userId is { } id && !await db.Memberships.ActiveOn(today).AnyAsync(m => m.OrganisationId == organisationId && m.UserId == id, ct))
        {
            throw UseCaseException.Invalid(field, "The owner must be a member of the organisation.");
        }
    }

    private static void Apply(Risk risk, RiskInput input, RiskMethod method)
    {
        static string? Clean(string? value) => string.IsNullOrWhiteSpace(value) ? null : value.Trim();
        var bands = method.Bands;
        risk.Title = input.Title.Trim();
        risk.Description = Clean(input.Description);
        risk.Threat = Clean(input.Threat);
        risk.Vulnerability = Clean(input.Vulnerability);
        risk.OwnerUserId = input.OwnerUserId;
        risk.MethodId = method.Id;
        risk.InherentLikelihood = input.InherentLikelihood;
        risk.InherentImpact = input.InherentImpact;
        risk.InherentScore = RiskMatrix.Score(input.InherentLikelihood, input.InherentImpact);
        risk.InherentLevel = RiskMatrix.Band(bands, risk.InherentScore).Name;
        risk.ExistingControls = Clean(input.ExistingControls);
        risk.Treatment = input.Treatment;
        risk.TreatmentPlan = Clean(input.TreatmentPlan);
        risk.ResidualLikelihood = input.ResidualLikelihood;
        risk.ResidualImpact = input.ResidualImpact;
        risk.ResidualScore = RiskMatrix.Score(input.ResidualLikelihood, input.ResidualImpact);
        risk.ResidualLevel = RiskMatrix.Band(bands, risk.ResidualScore).Name;
        risk.Status = input.Status;
        if (risk.ReviewIntervalMonths != input.ReviewIntervalMonths)
        {
            risk.ReviewIntervalMonths = input.ReviewIntervalMonths;
            if (risk.CreatedAt != default)
            {
                // The next review follows the new interval from the last review (or the assessment),
                // unless a change or incident has already brought it forward.
                var scheduled = NextReview(risk.LastReviewedOn ?? DateOnly.FromDateTime(risk.CreatedAt.UtcDateTime), input.ReviewIntervalMonths);
                risk.NextReviewOn = risk.ReviewTrigger is not null && risk.NextReviewOn < scheduled ? risk.NextReviewOn : scheduled;
            }
        }

        var assetIds = (input.AssetIds ?? []).Distinct().ToHashSet();
        risk.Assets.RemoveAll(a => !assetIds.Contains(a.AssetId));
        foreach (var id in assetIds.Where(id => risk.Assets.All(a => a.AssetId != id)))
        {
            risk.Assets.Add(new RiskAsset { RiskId = risk.Id, AssetId = id });
        }

        var controlIds = (input.ControlIds ?? []).Distinct().ToHashSet();
        risk.Controls.RemoveAll(c => !controlIds.Contains(c.ControlId));
        foreach (var id in controlIds.Where(id => risk.Controls.All(c => c.ControlId != id)))
        {
            risk.Controls.Add(new RiskControl { RiskId = risk.Id, ControlId = id });
        }
    }

    private static void ClearAcceptance(Risk risk)
    {
        risk.AcceptedByUserId = null;
        risk.AcceptedAt = null;
        risk.AcceptedUntil = null;
        risk.AcceptanceJustification = null;
    }

    private async Task SaveRevisionAsync(Risk risk, RiskMethod method, string reason, CancellationToken ct)
    {
        await using var transaction = await db.Database.BeginTransactionAsync(ct);
        await db.LockAsync($"risk:{risk.Id}", ct);
        var now = time.GetUtcNow();
        var current = await db.RiskRevisions.Where(r => r.RiskId == risk.Id && r.ValidTo == null).ToListAsync(ct);
        foreach (var open in current)
        {
            open.ValidTo = now;
        }

        // Numbered from what is stored, under the lock: two edits at once get consecutive revisions.
        risk.RevisionCount = await db.RiskRevisions.Where(r => r.RiskId == risk.Id).MaxAsync(r => (int?)r.Number, ct) ?? 0;
        await AddRevisionAsync(risk, method, reason, ct, now);
        await db.SaveChangesAsync(ct);
        await transaction.CommitAsync(ct);
    }

    private async Task AddRevisionAsync(Risk risk, RiskMethod method, string reason, CancellationToken ct, DateTimeOffset? at = null)
    {
        var now = at ?? time.GetUtcNow();
        risk.RevisionCount++;
        risk.UpdatedAt = now;
        db.RiskRevisions.Add(NewRevision(risk, await SnapshotAsync(risk, method, ct), actor.Current.Name, reason, now));
    }

    /// <summary>The revision row for a risk's current state; its number is the risk's revision count.</summary>
    internal static RiskRevision NewRevision(Risk risk, RiskSnapshot snapshot, string author, string reason, DateTimeOffset at) => new()
    {
        OrganisationId = risk.OrganisationId,
        RiskId = risk.Id,
        Number = risk.RevisionCount,
        ValidFrom = at,
        Author = author,
        Reason = reason.Length > RiskLimits.Line ? reason[..RiskLimits.Line] : reason,
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

    /// <summary>A risk's snapshot, given the names its ids stand for.</summary>
    internal static RiskSnapshot Snapshot(Risk risk, int methodVersion, string? owner, string? acceptedBy, IEnumerable<string> assets, IEnumerable<string> controls) =>
        new(risk.Reference, risk.Title, risk.Description, risk.Threat, risk.Vulnerability, owner, methodVersion,
            risk.InherentLikelihood, risk.InherentImpact, risk.InherentScore, risk.InherentLevel, risk.ExistingControls, risk.Treatment, risk.TreatmentPlan,
            risk.ResidualLikelihood, risk.ResidualImpact, risk.ResidualScore, risk.ResidualLevel, risk.Status, risk.ReviewIntervalMonths, risk.NextReviewOn,
            acceptedBy, risk.AcceptedUntil, risk.AcceptanceJustification,
            assets.Order(StringComparer.Ordinal).ToList(), controls.Order(StringComparer.Ordinal).ToList());

    private async Task<RiskSnapshot> SnapshotAsync(Risk risk, RiskMethod method, CancellationToken ct)
    {
        var assetIds = risk.Assets.Select(a => a.AssetId).ToList();
        var controlIds = risk.Controls.Select(c => c.ControlId).ToList();
        var owner = risk.OwnerUserId is { } o ? await db.Users.AsNoTracking().Where(u => u.Id == o).Select(u => u.DisplayName).FirstOrDefaultAsync(ct) : null;
        var acceptedBy = risk.AcceptedByUserId is { } a ? await db.Users.AsNoTracking().Where(u => u.Id == a).Select(u => u.DisplayName).FirstOrDefaultAsync(ct) : null;
        var assets = assetIds.Count == 0 ? [] : await db.Assets.AsNoTracking().Where(x => assetIds.Contains(x.Id)).Select(x => x.Name).ToListAsync(ct);
        var controls = controlIds.Count == 0 ? [] : await db.Controls.AsNoTracking().Where(x => controlIds.Contains(x.Id)).Select(x => x.Identifier).ToListAsync(ct);
        return Snapshot(risk, method.Version, owner, acceptedBy, assets, controls);
    }

    internal static IReadOnlyList<RiskFieldChange> Compare(RiskSnapshot a, RiskSnapshot b)
    {
        var changes = new List<RiskFieldChange>();
        void Check(string field, object? before, object? after)
        {
            var x = Text(before);
            var y = Text(after);
            if (!string.Equals(x, y, StringComparison.Ordinal))
            {
                changes.Add(new RiskFieldChange(field, x, y));
            }
        }

        Check("Title", a.Title, b.Title);
        Check("Description", a.Description, b.Description);
        Check("Threat", a.Threat, b.Threat);
        Check("Vulnerability", a.Vulnerability, b.Vulnerability);
        Check("Owner", a.Owner, b.Owner);
        Check("Method version", a.MethodVersion, b.MethodVersion);
        Check("Inherent level", $"{a.InherentLevel} ({a.InherentLikelihood}×{a.InherentImpact})", $"{b.InherentLevel} ({b.InherentLikelihood}×{b.InherentImpact})");
        Check("Existing controls", a.ExistingControls, b.ExistingControls);
        Check("Treatment", a.Treatment, b.Treatment);
        Check("Treatment plan", a.TreatmentPlan, b.TreatmentPlan);
        Check("Residual level", $"{a.ResidualLevel} ({a.ResidualLikelihood}×{a.ResidualImpact})", $"{b.ResidualLevel} ({b.ResidualLikelihood}×{b.ResidualImpact})");
        Check("Status", a.Status, b.Status);
        Check("Review interval (months)", a.ReviewIntervalMonths, b.ReviewIntervalMonths);
        Check("Accepted by", a.AcceptedBy, b.AcceptedBy);
        Check("Accepted until", a.AcceptedUntil, b.AcceptedUntil);
        Check("Acceptance justification", a.AcceptanceJustification, b.AcceptanceJustification);
        Check("Assets", string.Join(", ", a.Assets), string.Join(", ", b.Assets));
        Check("Controls", string.Join(", ", a.Controls), string.Join(", ", b.Controls));
        return changes;
    }

    private static string? Text(object? value) => value switch
    {
        null => null,
        DateOnly d => d.ToString("yyyy-MM-dd", System.Globalization.CultureInfo.InvariantCulture),
        IFormattable f => f.ToString(null, System.Globalization.CultureInfo.InvariantCulture),
        _ => value.ToString() is { Length: > 0 } s ? s : null,
    };

    private static RiskRevisionView ToView(RiskRevision r) =>
        new(r.Number, r.ValidFrom, r.ValidTo, r.Author, r.Reason, JsonSerializer.Deserialize<RiskSnapshot>(r.SnapshotJson, Json)!);

    private static RiskListItem ToItem(Risk r, Dictionary<Guid, int> thresholds, Dictionary<Guid, string> names, DateOnly today) =>
        new(r.Id, r.Reference, r.Title, r.OwnerUserId, r.OwnerUserId is { } o && names.TryGetValue(o, out var n) ? n : null,
            r.InherentLikelihood, r.InherentImpact, r.InherentScore, r.InherentLevel,
            r.ResidualLikelihood, r.ResidualImpact, r.ResidualScore, r.ResidualLevel,
            r.Treatment, r.Status, r.NextReviewOn, r.Status == RiskStatus.Open && r.NextReviewOn < today,
            thresholds.TryGetValue(r.MethodId, out var t) && RiskMatrix.NeedsAcceptance(r.ResidualScore, t) && (r.AcceptedUntil is null || r.AcceptedUntil < today),
            r.AcceptedUntil);
}

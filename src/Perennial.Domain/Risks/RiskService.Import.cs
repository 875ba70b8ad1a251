using System.Globalization;
using Microsoft.EntityFrameworkCore;
using Perennial.Common;

namespace Perennial.Risks;

/// <summary>
/// One risk of an imported register: its fields, and optionally the reference and review dates it had
/// in the register it comes from.
/// </summary>
public sealed record RiskImportItem(RiskInput Input, string? Reference = null, DateOnly? LastReviewedOn = null, DateOnly? NextReviewOn = null);

public sealed partial class RiskService
{
    /// <summary>Automatic references, … skipping those already taken.</summary>
    internal static List<string> AllocateReferences(int existingCount, ISet<string> taken, int count)
    {
        ArgumentNullException.ThrowIfNull(taken);
        var references = new List<string>(count);
        var number = existingCount + 1;
        while (references.Count < count)
        {
            var reference = string.Create(CultureInfo.InvariantCulture, $"R-{number++:000}");
            if (!taken.Contains(reference))
            {
                references.Add(reference);
            }
        }

        return references;
    }

    /// <summary>
    /// Creates many risks at once, all or none, in one transaction: each gets revision 1 exactly as
    /// <see cref="CreateAsync"/> writes it, with <paramref name="reason"/>. Returns the references
    /// in the order of <paramref name="items"/>.
    /// </summary>
    public async Task<IReadOnlyList<string>> CreateManyAsync(Guid organisationId, IReadOnlyList<RiskImportItem> items, string reason, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(items);
        ArgumentException.ThrowIfNullOrWhiteSpace(reason);
        if (items.Count == 0)
        {
            return [];
        }

        var method = await CurrentMethodAsync(organisationId, ct);
        var ownerIds = items.Select(i => i.Input.OwnerUserId).OfType<Guid>().Distinct().ToList();
        var owners = await db.Memberships.AsNoTracking()
            .Where(m => m.OrganisationId == organisationId && ownerIds.Contains(m.UserId))
            .Join(db.Users, m => m.UserId, u => u.Id, (m, u) => new { u.Id, u.DisplayName })
            .ToDictionaryAsync(u => u.Id, u => u.DisplayName, ct);
        var assetIds = items.SelectMany(i => i.Input.AssetIds ?? []).Distinct().ToList();
        var assets = await db.Assets.AsNoTracking().Where(a => a.OrganisationId == organisationId && assetIds.Contains(a.Id)).ToDictionaryAsync(a => a.Id, a => a.Name, ct);
        var controlIds = items.SelectMany(i => i.Input.ControlIds ?? []).Distinct().ToList();
        var controls = await db.Controls.AsNoTracking().Where(c => c.OrganisationId == organisationId && controlIds.Contains(c.Id)).ToDictionaryAsync(c => c.Id, c => c.Identifier, ct);
        var (maxL, maxI) = (method.Likelihood.Count, method.Impact.Count);
        for (var i = 0; i < items.Count; i++)
        {
            CheckImportItem(items[i], maxL, maxI, owners, assets, controls, i);
        }

        await using var transaction = await db.Database.BeginTransactionAsync(ct);
        await db.LockAsync($"risks:{organisationId}", ct);
        var existing = await db.Risks.Where(r => r.OrganisationId == organisationId).Select(r => r.Reference).ToListAsync(ct);
        var taken = new HashSet<string>(existing, StringComparer.OrdinalIgnoreCase);
        foreach (var given in items.Select(i => i.Reference).OfType<string>())
        {
            if (!taken.Add(given.Trim()))
            {
                throw UseCaseException.Conflict("reference", $"The reference {given.Trim()} is already taken in this register.");
            }
        }

        var automatic = new Queue<string>(AllocateReferences(existing.Count, taken, items.Count(i => string.IsNullOrWhiteSpace(i.Reference))));
        var now = time.GetUtcNow();
        var today = Today;
        var author = actor.Current.Name;
        var why = reason.Length > RiskLimits.Line ? reason[..RiskLimits.Line] : reason;
        var references = new List<string>(items.Count);
        foreach (var item in items)
        {
            var input = item.Input;
            var risk = new Risk
            {
                OrganisationId = organisationId,
                Reference = string.IsNullOrWhiteSpace(item.Reference) ? automatic.Dequeue() : item.Reference.Trim(),
                CreatedAt = now,
                NextReviewOn = today.AddMonths(input.ReviewIntervalMonths),
            };
            Apply(risk, input, method);
            if (item.LastReviewedOn is { } last)
            {
                risk.LastReviewedOn = last;
                risk.NextReviewOn = NextReview(last, risk.ReviewIntervalMonths);
            }

            if (item.NextReviewOn is { } next)
            {
                risk.NextReviewOn = next;
            }

            db.Risks.Add(risk);
            risk.RevisionCount++;
            risk.UpdatedAt = now;
            var snapshot = Snapshot(risk, method.Version, risk.OwnerUserId is { } o ? owners[o] : null, null,
                risk.Assets.Select(a => assets[a.AssetId]), risk.Controls.Select(c => controls[c.ControlId]));
            db.RiskRevisions.Add(NewRevision(risk, snapshot, author, why, now));
            references.Add(risk.Reference);
        }

        await db.SaveChangesAsync(ct);
        await transaction.CommitAsync(ct);
        db.ChangeTracker.Clear();
        return references;
    }

    /// <summary>
    /// Unlinks an asset that is about to be deleted from every risk that names it, writing each such
    /// risk's next revision. Runs in the caller's transaction; the caller saves.
    /// </summary>
    public async Task<int> UnlinkAssetAsync(Guid organisationId, Guid assetId, string reason, CancellationToken ct)
    {
        if (db.Database.CurrentTransaction is null)
        {
            throw new InvalidOperationException("UnlinkAssetAsync runs inside the caller's transaction.");
        }

        var riskIds = await db.RiskAssets.Where(a => a.AssetId == assetId).Select(a => a.RiskId).ToListAsync(ct);
        var now = time.GetUtcNow();
        foreach (var riskId in riskIds)
        {
            var risk = await LoadAsync(organisationId, riskId, ct);
            await db.LockAsync($"risk:{risk.Id}", ct);
            risk.Assets.RemoveAll(a => a.AssetId == assetId);
            foreach (var open in await db.RiskRevisions.Where(r => r.RiskId == risk.Id && r.ValidTo == null).ToListAsync(ct))
            {
                open.ValidTo = now;
            }

            await AddRevisionAsync(risk, await MethodOfAsync(risk, ct), reason, ct);
        }

        return riskIds.Count;
    }

    /// <summary>The checks of <c>ValidateAsync</c>, against members, assets and controls loaded once for the whole batch.</summary>
    private static void CheckImportItem(RiskImportItem item, int maxL, int maxI, Dictionary<Guid, string> members, Dictionary<Guid, string> assets, Dictionary<Guid, string> controls, int index)
    {
        var input = item.Input;
        var at = string.Create(CultureInfo.InvariantCulture, $"items[{index}]");
        static void Length(string? value, int max, string field)
        {
            if (value is { Length: var n } && n > max)
            {
                throw UseCaseException.Invalid(field, $"{field} is at most {max} characters.");
            }
        }

        if (string.IsNullOrWhiteSpace(input.Title))
        {
            throw UseCaseException.Invalid($"{at}.title", "The risk needs a title.");
        }

        Length(input.Title, RiskLimits.Title, $"{at}.title");
        Length(input.Description, RiskLimits.Text, $"{at}.description");
        Length(input.Threat, RiskLimits.Line, $"{at}.threat");
        Length(input.Vulnerability, RiskLimits.Line, $"{at}.vulnerability");
        Length(input.ExistingControls, RiskLimits.Text, $"{at}.existingControls");
        Length(input.TreatmentPlan, RiskLimits.Text, $"{at}.treatmentPlan");
        Length(item.Reference?.Trim(), 20, $"{at}.reference");
        void Scale(int value, int max, string field)
        {
            if (value < 1 || value > max)
            {
                throw UseCaseException.Invalid($"{at}.{field}", $"{field} must be between 1 and {max} on this organisation's {maxL}×{maxI} matrix; got {value}.");
            }
        }

        Scale(input.InherentLikelihood, maxL, "inherentLikelihood");
        Scale(input.InherentImpact, maxI, "inherentImpact");
        Scale(input.ResidualLikelihood, maxL, "residualLikelihood");
        Scale(input.ResidualImpact, maxI, "residualImpact");
        if (!Enum.IsDefined(input.Treatment) || !Enum.IsDefined(input.Status))
        {
            throw UseCaseException.Invalid($"{at}.treatment", "treatment must be one of modify, retain, avoid, share.");
        }

        if (input.ReviewIntervalMonths is < 1 or > 36)
        {
            throw UseCaseException.Invalid($"{at}.reviewIntervalMonths", "The review interval is between 1 and 36 months.");
        }

        if (input.OwnerUserId is { } owner && !members.ContainsKey(owner))
        {
            throw UseCaseException.Invalid($"{at}.ownerUserId", "The owner must be a member of the organisation.");
        }

        if ((input.AssetIds ?? []).Any(a => !assets.ContainsKey(a)))
        {
            throw UseCaseException.Invalid($"{at}.assetIds", "Every asset must be one of this organisation's assets.");
        }

        if ((input.ControlIds ?? []).Any(c => !controls.ContainsKey(c)))
        {
            throw UseCaseException.Invalid($"{at}.controlIds", "Every control must be one of this organisation's controls.");
        }
    }
}

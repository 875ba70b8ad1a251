using Microsoft.EntityFrameworkCore;
using Perennial.Common;
using Perennial.Data;
using Perennial.Risks;

namespace Perennial.Nonconformities;

/// <summary>
/// The risks a nonconformity touches: which they are, and "needs a risk review", which brings those
/// risks' reviews forward to today with the nonconformity as the reason. The review then shows on
/// each risk, in its owner's agenda and on the dashboard, as any review that falls due.
/// </summary>
public sealed class NonconformityRiskReview(PerennialDbContext db, TimeProvider time, NonconformityWorkflow workflow, RiskService risks)
{
    public const int MaxRisks = 100;

    /// <summary>Replaces the linked risks. The owner or a manager may change them until the nonconformity is closed.</summary>
    public async Task<Nonconformity> LinkAsync(Guid organisationId, Guid id, NonconformityActor actor, IReadOnlyList<Guid>? riskIds, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(actor);
        var nc = await workflow.GetAsync(organisationId, id, ct);
        Require(nc, actor, "change its risks");
        var wanted = (riskIds ?? []).Distinct().ToList();
        if (wanted.Count > MaxRisks)
        {
            throw UseCaseException.Invalid("riskIds", $"At most {MaxRisks} risks.");
        }

        var known = await db.Risks.Where(r => r.OrganisationId == organisationId && wanted.Contains(r.Id)).Select(r => r.Id).ToListAsync(ct);
        if (known.Count != wanted.Count)
        {
            throw UseCaseException.Invalid("riskIds", "Every risk must be one of this organisation's risks.");
        }

        nc.Risks.RemoveAll(r => !wanted.Contains(r.RiskId));
        nc.Risks.AddRange(wanted.Where(r => nc.Risks.All(x => x.RiskId != r)).Select(r => new NonconformityRisk { NonconformityId = nc.Id, RiskId = r }));
        await db.SaveChangesAsync(ct);
        return nc;
    }

    /// <summary>Brings the review of every open linked risk forward to today; refused when it names no open risk.</summary>
    public async Task<(Nonconformity Nonconformity, int Risks)> RequestAsync(Guid organisationId, Guid id, NonconformityActor actor, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(actor);
        var nc = await workflow.GetAsync(organisationId, id, ct);
        Require(nc, actor, "ask for a risk review");
        var riskIds = nc.Risks.Select(r => r.RiskId).ToList();
        if (riskIds.Count == 0)
        {
            throw UseCaseException.Conflict("riskIds", $"{nc.Reference} names no risk: link the risks it touches first.");
        }

        await using var transaction = await db.Database.BeginTransactionAsync(ct);
        var triggered = await risks.TriggerReviewsAsync(organisationId, riskIds, $"Nonconformity {nc.Reference}: {nc.Title}", ct);
        if (triggered == 0)
        {
            throw UseCaseException.Conflict("riskIds", $"None of the risks {nc.Reference} names is open: a closed risk has no review to bring forward.");
        }

        nc.RiskReviewRequestedAt = time.GetUtcNow();
        nc.RiskReviewRequestedByName = actor.Name;
        await db.SaveChangesAsync(ct);
        await transaction.CommitAsync(ct);
        return (nc, triggered);
    }

    private static void Require(Nonconformity nc, NonconformityActor actor, string what)
    {
        if (!NonconformityWorkflow.CanSteer(nc, actor))
        {
            throw UseCaseException.Forbidden($"Only the nonconformity's owner or a manager may {what}.");
        }

        if (nc.Status == NonconformityStatus.Closed)
        {
            throw UseCaseException.Conflict("status", $"{nc.Reference} is closed.");
        }
    }
}

using Microsoft.EntityFrameworkCore;
using Perennial.Common;
using Perennial.Data;
using Perennial.Paging;

namespace Perennial.Improvements;

public sealed record NewImprovement(string? Title, string? Description, ImprovementSource Source, string? Identifier, Guid? OwnerUserId, Guid? InternalAuditId = null);

/// <summary>
/// The improvement register (ISO/IEC 27001 10.1): opportunities for improvement with their owner,
/// the decision taken (adopted, or rejected with a reason) and their progress.
/// </summary>
public sealed class ImprovementRegister(PerennialDbContext db, TimeProvider time)
{
    public async Task<Improvement> AddAsync(Guid organisationId, Guid? raisedByUserId, NewImprovement input, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(input);
        var title = TextInput.Clean(input.Title, "title", Improvement.TitleMaxLength, required: true)!;
        var description = TextInput.Clean(input.Description, "description", Improvement.TextMaxLength);
        var own = db.Database.CurrentTransaction is null ? await db.Database.BeginTransactionAsync(ct) : null;
        await using (own)
        {
            await db.LockAsync($"improvements:{organisationId}", ct);
            var count = await db.Improvements.CountAsync(i => i.OrganisationId == organisationId, ct);
            var improvement = new Improvement
            {
                Id = Guid.NewGuid(),
                OrganisationId = organisationId,
                Reference = $"OFI-{count + 1:000}",
                Title = title,
                Description = description,
                Source = input.Source,
                Identifier = TextInput.Clean(input.Identifier, "identifier", 50),
                InternalAuditId = input.InternalAuditId,
                OwnerUserId = input.OwnerUserId,
                RaisedByUserId = raisedByUserId,
                RaisedAt = time.GetUtcNow(),
            };
            db.Improvements.Add(improvement);
            await db.SaveChangesAsync(ct);
            if (own is not null)
            {
                await own.CommitAsync(ct);
            }

            return improvement;
        }
    }

    public async Task<Paged<Improvement>> ListAsync(Guid organisationId, ImprovementStatus? status, PageRequest page, CancellationToken ct)
    {
        var query = db.Improvements.AsNoTracking().Where(i => i.OrganisationId == organisationId);
        if (status is { } s)
        {
            query = query.Where(i => i.Status == s);
        }

        return await query.OrderByDescending(i => i.Reference).ToPagedAsync(page, ct);
    }

    /// <summary>Adopts (→ in progress) or rejects (with a reason) an open opportunity.</summary>
    public async Task<Improvement> DecideAsync(Guid organisationId, Guid id, Guid deciderUserId, ImprovementDecision decision, string? reason, Guid? ownerUserId, CancellationToken ct)
    {
        var improvement = await db.Improvements.FirstOrDefaultAsync(i => i.OrganisationId == organisationId && i.Id == id, ct)
            ?? throw UseCaseException.NotFound("No such opportunity for improvement in this organisation.");
        if (improvement.Status != ImprovementStatus.Open)
        {
            throw UseCaseException.Conflict("status", "A decision is already recorded.");
        }

        improvement.DecisionReason = TextInput.Clean(reason, "reason", Improvement.TextMaxLength, required: decision == ImprovementDecision.Rejected);
        improvement.Decision = decision;
        improvement.DecidedAt = time.GetUtcNow();
        improvement.DecidedByUserId = deciderUserId;
        improvement.OwnerUserId = ownerUserId ?? improvement.OwnerUserId;
        improvement.Status = decision == ImprovementDecision.Adopted ? ImprovementStatus.InProgress : ImprovementStatus.Rejected;
        await db.SaveChangesAsync(ct);
        return improvement;
    }

    /// <summary>Marks an adopted opportunity carried out.</summary>
    public async Task<Improvement> CompleteAsync(Guid organisationId, Guid id, CancellationToken ct)
    {
        var improvement = await db.Improvements.FirstOrDefaultAsync(i => i.OrganisationId == organisationId && i.Id == id, ct)
            ?? throw UseCaseException.NotFound("No such opportunity for improvement in this organisation.");
        if (improvement.Status != ImprovementStatus.InProgress)
        {
            throw UseCaseException.Conflict("status", "Only an adopted opportunity in progress is marked done.");
        }

        improvement.Status = ImprovementStatus.Done;
        improvement.DoneOn = DateOnly.FromDateTime(time.GetUtcNow().UtcDateTime);
        await db.SaveChangesAsync(ct);
        return improvement;
    }
}

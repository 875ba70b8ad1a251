using Microsoft.EntityFrameworkCore;
using Perennial.Data;
using Perennial.Evidence;
using Perennial.Frameworks;

namespace Perennial.InternalAudits;

/// <summary>
/// An auditor's own evidence for a checklist item (interview notes, a screenshot, an export taken
/// during the audit): stored through the evidence store like any upload, linked to the item's clause
/// or control, dated over the audited period and cited on the item, in one transaction.
/// </summary>
public sealed class ChecklistAttachments(PerennialDbContext db, TimeProvider time, ChecklistService checklist, EvidenceService evidence)
{
    public async Task<(EvidenceItem Evidence, ChecklistItem Item)> AttachAsync(
        Guid organisationId, Guid auditId, Guid itemId, ChecklistActor actor, IncomingContent file, string? title, EvidenceOrigin origin, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(file);
        ArgumentNullException.ThrowIfNull(actor);
        var (audit, item) = await checklist.EditableItemAsync(organisationId, auditId, itemId, actor, "attach evidence", ct);
        var control = await db.Controls.Where(c => c.OrganisationId == organisationId && c.Identifier == item.Identifier && c.Framework!.Key == Framework.IsoKey)
            .Select(c => (Guid?)c.Id).FirstOrDefaultAsync(ct);
        var today = DateOnly.FromDateTime(time.GetUtcNow().UtcDateTime);
        var to = audit.PeriodTo is { } end && end < today ? end : today;
        var from = audit.PeriodFrom is { } start && start <= to ? start : to;
        var input = new EvidenceInput
        {
            Title = string.IsNullOrWhiteSpace(title) ? $"{audit.Reference} {item.Identifier}: {file.FileName}" : title,
            Description = $"Attached by {actor.Name} during internal audit {audit.Reference}.",
            Kind = EvidenceKind.File,
            PeriodFrom = from,
            PeriodTo = to,
            ControlId = control,
        };
        var checkedInput = await evidence.CheckAsync(organisationId, input, hasContent: true, ct);
        var stored = await evidence.StoreAsync(file.Content, ct);
        await using var transaction = await db.Database.BeginTransactionAsync(ct);
        var recorded = await evidence.RecordAsync(organisationId, checkedInput, stored, file.FileName, file.ContentType, origin, ct);
        item.EvidenceIds = [.. item.EvidenceIds.Where(id => id != recorded.Item.Id), recorded.Item.Id];
        await db.SaveChangesAsync(ct);
        await transaction.CommitAsync(ct);
        return (recorded.Item, item);
    }
}

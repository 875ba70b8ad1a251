using Perennial.AuditTrail;
using Perennial.Paging;

namespace Perennial.Pages.Shared;

/// <summary>One page of audit-trail entries and where its links point.</summary>
/// <param name="Described">Each entry as a sentence, by sequence, with links under <paramref name="RecordBase"/>.</param>
public sealed record HistoryTableModel(
    Paged<HistoryItem> Entries, string Path, string? EntityType, string? EntityId,
    IReadOnlyDictionary<long, DescribedChange>? Described = null, string? RecordBase = null)
{
    public PagerModel Pager => new(Path, Entries.Page, Entries.PageSize, Entries.Total,
        $"&entityType={Uri.EscapeDataString(EntityType ?? "")}&entityId={Uri.EscapeDataString(EntityId ?? "")}");

    public string RecordLink(HistoryItem item) =>
        $"{Path}?entityType={Uri.EscapeDataString(item.EntityType)}&entityId={item.EntityId}";
}

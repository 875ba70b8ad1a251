using Perennial.AuditTrail;
using Perennial.Paging;

namespace Perennial.Pages.Shared;

/// <summary>One page of audit-trail entries and where its links point.</summary>
public sealed record HistoryTableModel(Paged<HistoryItem> Entries, string Path, string? EntityType, string? EntityId)
{
    public PagerModel Pager => new(Path, Entries.Page, Entries.PageSize, Entries.Total,
        $"&entityType={Uri.EscapeDataString(EntityType ?? "")}&entityId={Uri.EscapeDataString(EntityId ?? "")}");

    public string RecordLink(HistoryItem item) =>
        $"{Path}?entityType={Uri.EscapeDataString(item.EntityType)}&entityId={item.EntityId}";
}

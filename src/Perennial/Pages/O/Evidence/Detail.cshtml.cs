using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;
using Microsoft.EntityFrameworkCore;
using Perennial.Common;
using Perennial.Data;
using Perennial.Evidence;
using Perennial.Security;

namespace Perennial.Pages.O.Evidence;

/// <summary>One version in an item's chain of versions, oldest first.</summary>
public sealed record EvidenceVersion(Guid Id, string Title, DateOnly PeriodFrom, DateOnly PeriodTo, DateTimeOffset RecordedAt);

public sealed class DetailModel(CurrentOrg org, EvidenceService evidence, EvidenceTimeline timeline, PerennialDbContext db, TimeProvider time) : PageModel
{
    /// <summary>How many versions either side of an item the page follows.</summary>
    private const int MaxChain = 50;

    public CurrentOrg Org => org;
    public EvidenceItem Item { get; private set; } = null!;
    public EvidenceDisplay Display { get; private set; } = null!;
    public EvidenceStatus Status { get; private set; }
    public bool Stale { get; private set; }
    public IReadOnlyList<EvidenceVersion> Versions { get; private set; } = [];
    public string? Notice { get; private set; }

    public string? ContentUrl => Item.Sha256 is null ? null : $"/api/v1/orgs/{org.Slug}/evidence/{Item.Id}/content";

    public async Task<IActionResult> OnGetAsync(Guid id, CancellationToken ct)
    {
        try
        {
            Item = await evidence.GetAsync(org.Id, id, ct);
        }
        catch (UseCaseException e) when (e.Kind == UseCaseErrorKind.NotFound)
        {
            return NotFound();
        }

        Notice = TempData[UploadModel.Message] as string;
        Status = Item.StatusOn(DateOnly.FromDateTime(time.GetUtcNow().UtcDateTime));
        Display = await EvidenceDisplay.LoadAsync(db, org.Id, org.Slug, [Item], ct);
        Stale = (await timeline.StaleAmongAsync(org.Id, [Item], ct)).Contains(Item.Id);
        Versions = await ChainAsync(ct);
        return Page();
    }

    /// <summary>The versions this item supersedes and those superseding it, oldest first.</summary>
    private async Task<IReadOnlyList<EvidenceVersion>> ChainAsync(CancellationToken ct)
    {
        if (Item.SupersedesId is null && Item.SupersededById is null)
        {
            return [];
        }

        var chain = new List<EvidenceVersion> { new(Item.Id, Item.Title, Item.PeriodFrom, Item.PeriodTo, Item.RecordedAt) };
        var older = Item.SupersedesId;
        for (var i = 0; older is { } olderId && i < MaxChain; i++)
        {
            var v = await db.EvidenceItems.AsNoTracking().Where(e => e.Id == olderId && e.OrganisationId == org.Id)
                .Select(e => new { e.Id, e.Title, e.PeriodFrom, e.PeriodTo, e.RecordedAt, e.SupersedesId }).SingleOrDefaultAsync(ct);
            if (v is null)
            {
                break;
            }

            chain.Insert(0, new EvidenceVersion(v.Id, v.Title, v.PeriodFrom, v.PeriodTo, v.RecordedAt));
            older = v.SupersedesId;
        }

        var newer = Item.SupersededById;
        for (var i = 0; newer is { } newerId && i < MaxChain; i++)
        {
            var v = await db.EvidenceItems.AsNoTracking().Where(e => e.Id == newerId && e.OrganisationId == org.Id)
                .Select(e => new { e.Id, e.Title, e.PeriodFrom, e.PeriodTo, e.RecordedAt, e.SupersededById }).SingleOrDefaultAsync(ct);
            if (v is null)
            {
                break;
            }

            chain.Add(new EvidenceVersion(v.Id, v.Title, v.PeriodFrom, v.PeriodTo, v.RecordedAt));
            newer = v.SupersededById;
        }

        return chain;
    }
}

using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;
using Microsoft.EntityFrameworkCore;
using Perennial.Data;
using Perennial.Evidence;
using Perennial.Pages.Shared;
using Perennial.Paging;
using Perennial.Security;

namespace Perennial.Pages.O.Evidence;

/// <summary>A choice in the list's activity and control filters.</summary>
public sealed record FilterChoice(Guid Id, string Label);

public sealed class IndexModel(CurrentOrg org, EvidenceService evidence, EvidenceTimeline timeline, PerennialDbContext db, TimeProvider time) : PageModel
{
    public const int PageSize = 50;

    // From the query string only: the route value "page" is the Razor page's own path.
    [FromQuery(Name = "page")]
    public int PageNumber { get; set; } = 1;

    [FromQuery(Name = "activity")]
    public Guid? Activity { get; set; }

    [FromQuery(Name = "control")]
    public Guid? Control { get; set; }

    [FromQuery(Name = "kind")]
    public string? Kind { get; set; }

    [FromQuery(Name = "status")]
    public string? Status { get; set; }

    [FromQuery(Name = "from")]
    public DateOnly? From { get; set; }

    [FromQuery(Name = "to")]
    public DateOnly? To { get; set; }

    [FromQuery(Name = "q")]
    public string? Text { get; set; }

    public CurrentOrg Org => org;
    public Paged<EvidenceItem> Items { get; private set; } = new([], 1, PageSize, 0);
    public EvidenceDisplay Display { get; private set; } = null!;
    public IReadOnlySet<Guid> Stale { get; private set; } = new HashSet<Guid>();
    public IReadOnlyList<FilterChoice> Activities { get; private set; } = [];
    public IReadOnlyList<FilterChoice> Controls { get; private set; } = [];
    public DateOnly Today { get; private set; }
    public IReadOnlyList<string> FilterProblems { get; private set; } = [];

    public bool Filtered => Activity is not null || Control is not null || Kind is { Length: > 0 } || Status is { Length: > 0 } || From is not null || To is not null || Text is { Length: > 0 };

    public string Query =>
        (Activity is { } a ? $"&activity={a}" : "") + (Control is { } c ? $"&control={c}" : "")
        + (Kind is { Length: > 0 } ? "&kind=" + Uri.EscapeDataString(Kind) : "") + (Status is { Length: > 0 } ? "&status=" + Uri.EscapeDataString(Status) : "")
        + (From is { } f ? $"&from={f:yyyy-MM-dd}" : "") + (To is { } t ? $"&to={t:yyyy-MM-dd}" : "")
        + (Text is { Length: > 0 } ? "&q=" + Uri.EscapeDataString(Text) : "");

    public PagerModel Pager => new($"/o/{org.Slug}/evidence", Items.Page, Items.PageSize, Items.Total, Query);

    public async Task OnGetAsync(CancellationToken ct)
    {
        Today = DateOnly.FromDateTime(time.GetUtcNow().UtcDateTime);
        var problems = new List<string>();
        EvidenceKind? kind = null;
        if (Kind is { Length: > 0 })
        {
            if (EvidenceNames.TryParseKind(Kind, out var k))
            {
                kind = k;
            }
            else
            {
                problems.Add($"Kind must be one of {EvidenceNames.KindNames}; the kind filter was left out.");
            }
        }

        EvidenceStatus? status = null;
        if (Status is { Length: > 0 })
        {
            if (EvidenceNames.TryParseStatus(Status, out var s))
            {
                status = s;
            }
            else
            {
                problems.Add($"Status must be one of {EvidenceNames.StatusNames}; the status filter was left out.");
            }
        }

        if (!ModelState.IsValid)
        {
            problems.AddRange(ModelState.Where(e => e.Value?.Errors.Count > 0).Select(e => $"'{e.Value!.AttemptedValue}' is not a date like 2026-03-31 ({e.Key}); that filter was left out."));
        }

        FilterProblems = problems;
        var query = new EvidenceQuery(ActivityId: Activity, ControlId: Control, Kind: kind, Status: status, CoversFrom: From, CoversTo: To,
            Text: Text is { Length: > 200 } ? Text[..200] : Text);
        Items = await evidence.ListAsync(org.Id, query, new PageRequest(Math.Max(1, PageNumber), PageSize), ct);
        Display = await EvidenceDisplay.LoadAsync(db, org.Id, org.Slug, Items.Items, ct);
        Stale = await timeline.StaleAmongAsync(org.Id, Items.Items, ct);

        Activities = (await db.Activities.AsNoTracking().Where(x => x.OrganisationId == org.Id).OrderBy(x => x.Reference)
            .Select(x => new { x.Id, x.Reference, x.Title }).ToListAsync(ct)).Select(x => new FilterChoice(x.Id, $"{x.Reference} {x.Title}")).ToList();

        // Controls that can have evidence here: linked to an activity or to an item (the full catalog would be hundreds long).
        Controls = (await db.Controls.AsNoTracking()
            .Where(x => x.OrganisationId == org.Id
                && (db.ActivityControls.Any(ac => ac.ControlId == x.Id) || db.EvidenceItemLinks.Any(l => l.ControlId == x.Id) || x.Id == Control))
            .OrderBy(x => x.Framework!.Name).ThenBy(x => x.SortOrder)
            .Select(x => new { x.Id, x.Identifier, Title = x.LicensedTitle ?? x.Title, Framework = x.Framework!.Name }).ToListAsync(ct))
            .Select(x => new FilterChoice(x.Id, $"{x.Identifier} {x.Title} ({x.Framework})")).ToList();
    }
}

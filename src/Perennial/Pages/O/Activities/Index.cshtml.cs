using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;
using Microsoft.EntityFrameworkCore;
using Perennial.Activities;
using Perennial.Common;
using Perennial.Data;
using Perennial.Organisations;
using Perennial.Pages.Shared;
using Perennial.Paging;
using Perennial.Security;

namespace Perennial.Pages.O.Activities;

/// <summary>An activity's next open occurrence (possibly overdue) and how it stands today.</summary>
public sealed record NextDue(Guid OccurrenceId, DateTime Due, OccurrenceStatus Status);

public sealed class IndexModel(CurrentOrg org, ActivityService activities, OrganisationService organisations, PerennialDbContext db, TimeProvider time) : PageModel
{
    [FromQuery(Name = "owner")] public Guid? Owner { get; set; }
    [FromQuery(Name = "state")] public string? State { get; set; }
    [FromQuery(Name = "search")] public string? Search { get; set; }

    // From the query string only: the route value "page" is the Razor page's own path.
    [FromQuery(Name = "page")] public int PageNumber { get; set; } = 1;

    public CurrentOrg Org => org;
    public Paged<Activity> Activities { get; private set; } = new([], 1, PageRequest.DefaultPageSize, 0);
    public IReadOnlyList<MemberSummary> Members { get; private set; } = [];
    public IReadOnlyDictionary<Guid, NextDue> Next { get; private set; } = new Dictionary<Guid, NextDue>();

    /// <summary>True when the organisation has no activity at all, not merely none matching the filter.</summary>
    public bool NoneYet { get; private set; }
    public bool Filtered => Owner is not null || State is not null || !string.IsNullOrWhiteSpace(Search);
    public string? Notice { get; private set; }

    public PagerModel Pager => new($"/o/{org.Slug}/activities", Activities.Page, Activities.PageSize, Activities.Total, Query());

    public async Task<IActionResult> OnGetAsync(CancellationToken ct)
    {
        Notice = TempData[DetailModel.Message] as string;
        Members = (await organisations.ListMembersAsync(org.Id, new PageRequest(1, PageRequest.MaxPageSize), ct)).Items;
        ActivityState? state = null;
        if (!string.IsNullOrEmpty(State))
        {
            try
            {
                state = ActivityNames.ParseState(State, "state");
                State = ActivityNames.ToName(state.Value);
            }
            catch (UseCaseException)
            {
                return BadRequest();
            }
        }
        else
        {
            State = null;
        }

        var search = Search is { Length: > 200 } ? Search[..200] : Search;
        Activities = await activities.ListAsync(org.Id, new ActivityQuery(Owner, State: state, Search: search), PageRequest.ForUi(PageNumber), ct);
        NoneYet = Activities.Total == 0 && !await db.Activities.AnyAsync(a => a.OrganisationId == org.Id, ct);
        Next = await NextDueAsync(ct);
        return Page();
    }

    private async Task<IReadOnlyDictionary<Guid, NextDue>> NextDueAsync(CancellationToken ct)
    {
        var ids = Activities.Items.Select(a => a.Id).ToList();
        if (ids.Count == 0)
        {
            return new Dictionary<Guid, NextDue>();
        }

        var rows = await db.Activities.AsNoTracking()
            .Where(a => ids.Contains(a.Id))
            .Select(a => new
            {
                a.Id,
                Next = db.Occurrences.Where(o => o.ActivityId == a.Id && o.State == OccurrenceState.Open)
                    .OrderBy(o => o.DueAt)
                    .Select(o => new { o.Id, o.DueDate, o.DueTime })
                    .FirstOrDefault(),
            })
            .ToListAsync(ct);
        var now = time.GetUtcNow();
        var byId = Activities.Items.ToDictionary(a => a.Id);
        return rows.Where(r => r.Next is not null).ToDictionary(
            r => r.Id,
            r =>
            {
                var a = byId[r.Id];
                var status = OccurrenceService.StatusOf(OccurrenceState.Open, r.Next!.DueDate, null, a.TimeZone, a.ReminderLeadDays, now);
                return new NextDue(r.Next.Id, r.Next.DueDate.ToDateTime(r.Next.DueTime), status);
            });
    }

    private string Query()
    {
        static string P(string name, string? value) => string.IsNullOrEmpty(value) ? "" : $"&{name}={Uri.EscapeDataString(value)}";
        return P("owner", Owner?.ToString()) + P("state", State) + P("search", Search);
    }
}

using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;
using Microsoft.EntityFrameworkCore;
using Perennial.Common;
using Perennial.Data;
using Perennial.Evidence.Collectors;
using Perennial.Pages.Shared;
using Perennial.Paging;
using Perennial.Security;

namespace Perennial.Pages.O.Collectors;

public sealed class DetailModel(CurrentOrg org, CurrentUser user, CollectorService collectors, CollectorRunner runner, PerennialDbContext db, TimeProvider time) : PageModel
{
    public const string Message = "collector-message";

    [FromQuery(Name = "page")] public int PageNumber { get; set; } = 1;

    public CurrentOrg Org => org;
    public CollectorService Service => collectors;
    public Collector Collector { get; private set; } = null!;
    public Paged<CollectorRun> Runs { get; private set; } = new([], 1, PageRequest.DefaultPageSize, 0);
    public ILookup<Guid, (Guid Id, string Title)> Items { get; private set; } = Array.Empty<(Guid, (Guid, string))>().ToLookup(x => x.Item1, x => x.Item2);
    public IReadOnlyList<DateTimeOffset> Upcoming { get; private set; } = [];
    public string? ActivityLabel { get; private set; }
    public string? ControlLabel { get; private set; }
    public string? Notice { get; private set; }

    public PagerModel Pager => new($"/o/{org.Slug}/collectors/{Collector.Id}", Runs.Page, Runs.PageSize, Runs.Total);

    public async Task<IActionResult> OnGetAsync(Guid id, CancellationToken ct)
    {
        Notice = TempData[Message] as string;
        return await LoadAsync(id, ct) ? Page() : NotFound();
    }

    public async Task<IActionResult> OnPostRunAsync(Guid id, CancellationToken ct)
    {
        if (!await LoadAsync(id, ct))
        {
            return NotFound();
        }

        var run = await runner.RunAsync(org.Id, id, CollectorRunTrigger.Manual, user.Id, ct);
        TempData[Message] = run.Outcome == CollectorRunOutcome.Succeeded
            ? $"The run succeeded: {run.ItemsProduced} evidence item{(run.ItemsProduced == 1 ? "" : "s")} stored."
            : $"The run {run.Outcome.ToLabel().ToLowerInvariant()}: {run.Error}";
        return Redirect($"/o/{org.Slug}/collectors/{id}");
    }

    public async Task<IActionResult> OnPostDeleteAsync(Guid id, CancellationToken ct)
    {
        try
        {
            await collectors.DeleteAsync(org.Id, id, ct);
            TempData[Message] = "Collector deleted.";
            return Redirect($"/o/{org.Slug}/collectors");
        }
        catch (UseCaseException e) when (e.Kind == UseCaseErrorKind.NotFound)
        {
            return NotFound();
        }
        catch (UseCaseException e)
        {
            db.ChangeTracker.Clear();
            TempData[Message] = e.Message;
            return Redirect($"/o/{org.Slug}/collectors/{id}");
        }
    }

    public async Task<IActionResult> OnPostEnableAsync(Guid id, bool enabled, CancellationToken ct)
    {
        try
        {
            await collectors.UpdateAsync(org.Id, id, new CollectorInput { Enabled = enabled }, ct);
            TempData[Message] = enabled ? "Enabled: it runs on its schedule." : "Disabled: it no longer runs on its schedule; its history stays.";
        }
        catch (UseCaseException e) when (e.Kind == UseCaseErrorKind.NotFound)
        {
            return NotFound();
        }
        catch (UseCaseException e)
        {
            TempData[Message] = e.Message;
        }

        return Redirect($"/o/{org.Slug}/collectors/{id}");
    }

    private async Task<bool> LoadAsync(Guid id, CancellationToken ct)
    {
        try
        {
            Collector = await collectors.GetAsync(org.Id, id, ct);
        }
        catch (UseCaseException e) when (e.Kind == UseCaseErrorKind.NotFound)
        {
            return false;
        }

        Runs = await collectors.ListRunsAsync(org.Id, id, PageRequest.ForUi(PageNumber), ct);
        Items = await collectors.ItemsOfRunsAsync(org.Id, [.. Runs.Items.Select(r => r.Id)], ct);
        Upcoming = Collector.Enabled ? Collector.Schedule.Upcoming(time.GetUtcNow(), 3) : [];
        if (Collector.ActivityId is { } activityId)
        {
            ActivityLabel = await db.Activities.AsNoTracking().Where(a => a.Id == activityId).Select(a => a.Reference + " " + a.Title).SingleOrDefaultAsync(ct);
        }

        if (Collector.ControlId is { } controlId)
        {
            ControlLabel = await db.Controls.AsNoTracking().Where(c => c.Id == controlId).Select(c => c.Identifier + " " + c.Title).SingleOrDefaultAsync(ct);
        }

        return true;
    }
}

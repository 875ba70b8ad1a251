using Microsoft.AspNetCore.Mvc;
using Perennial.Activities;
using Perennial.Security;

namespace Perennial.Pages.O.Calendar;

/// <summary>The one-page maintenance calendar: every activity with its frequency, people, last completion, next dates and status.</summary>
public sealed class IndexModel(CurrentOrg org, MaintenanceCalendar calendar, TimeProvider time) : CalendarPageModel(org, calendar)
{
    public override string Tab => "calendar";
    public override bool OffersRetired => true;

    public IReadOnlyList<MaintenanceRow> Rows { get; private set; } = [];
    public DateTimeOffset GeneratedAt { get; private set; }

    public int Count(CalendarStatus status) => Rows.Count(r => r.Status == status);

    public async Task<IActionResult> OnGetAsync(CancellationToken ct)
    {
        if (await ReadFilterAsync(ct) is { } bad)
        {
            return bad;
        }

        Rows = await Calendar.RowsAsync(Org.Id, Filter, ct);
        GeneratedAt = time.GetUtcNow();
        return Page();
    }
}

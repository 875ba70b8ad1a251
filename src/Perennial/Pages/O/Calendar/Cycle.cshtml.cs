using System.Globalization;
using Microsoft.AspNetCore.Mvc;
using Perennial.Activities;
using Perennial.Security;

namespace Perennial.Pages.O.Calendar;

/// <summary>The three-year certification cycle month by month: occurrences by status and the external audits.</summary>
public sealed class CycleModel(CurrentOrg org, MaintenanceCalendar calendar, TimeProvider time) : CalendarPageModel(org, calendar)
{
    private static readonly CultureInfo En = CultureInfo.GetCultureInfo("en-GB");

    public override string Tab => "cycle";

    public CycleCalendar View { get; private set; } = null!;
    public DateOnly Today { get; private set; }

    public static string MonthName(DateOnly month) => month.ToString("MMM yyyy", En);
    public static string DayMonth(DateOnly date) => date.ToString("d MMM", En);
    public static string Date(DateOnly date) => date.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture);
    public string MonthLink(DateOnly month) => Link(Base + "/month", "month=" + MonthKey(month));
    public bool IsThisMonth(DateOnly month) => month.Year == Today.Year && month.Month == Today.Month;

    public async Task<IActionResult> OnGetAsync(CancellationToken ct)
    {
        if (await ReadFilterAsync(ct) is { } bad)
        {
            return bad;
        }

        Today = DateOnly.FromDateTime(time.GetUtcNow().UtcDateTime);
        View = await Calendar.CycleAsync(Org.Id, Filter, ct);
        return Page();
    }
}

using System.Globalization;
using Microsoft.AspNetCore.Mvc;
using Perennial.Activities;
using Perennial.Nonconformities;
using Perennial.Security;

namespace Perennial.Pages.O.Calendar;

/// <summary>One month as a grid of weeks (Monday first), each occurrence on its due day with its status.</summary>
/// <remarks>Corrective actions and effectiveness checks are on it too, on their due dates, unless the view is filtered by control or framework.</remarks>
public sealed class MonthModel(CurrentOrg org, MaintenanceCalendar calendar, OccurrenceService occurrences, ObligationCalendar obligations, TimeProvider time)
    : CalendarPageModel(org, calendar)
{
    private static readonly CultureInfo En = CultureInfo.GetCultureInfo("en-GB");

    public override string Tab => "month";

    [FromQuery(Name = "month")] public string? MonthText { get; set; }

    public DateOnly Month { get; private set; }
    public DateOnly Today { get; private set; }
    public IReadOnlyList<DateOnly[]> Weeks { get; private set; } = [];
    public ILookup<DateOnly, OccurrenceRow> ByDay { get; private set; } = Array.Empty<OccurrenceRow>().ToLookup(o => DateOnly.FromDateTime(o.Due));
    public ILookup<DateOnly, CalendarObligation> ObligationsByDay { get; private set; } = Array.Empty<CalendarObligation>().ToLookup(o => o.DueOn);
    public int InMonth { get; private set; }

    public string Title => Name(Month);
    public static string Name(DateOnly month) => month.ToString("MMMM yyyy", En);
    public static string MonthAbbreviation(DateOnly day) => day.ToString("MMM", En);
    public string MonthLink(DateOnly month) => Link(Base + "/month", "month=" + MonthKey(month));
    public override IEnumerable<(string Name, string Value)> HiddenFields => [("month", MonthKey(Month))];
    public static IReadOnlyList<string> WeekDays => ["Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday"];

    public async Task<IActionResult> OnGetAsync(CancellationToken ct)
    {
        Today = DateOnly.FromDateTime(time.GetUtcNow().UtcDateTime);
        if (string.IsNullOrWhiteSpace(MonthText))
        {
            Month = new DateOnly(Today.Year, Today.Month, 1);
        }
        else if (DateOnly.TryParseExact(MonthText.Trim(), "yyyy-MM", CultureInfo.InvariantCulture, DateTimeStyles.None, out var month) && month.Year is >= 2000 and <= 2100)
        {
            Month = month;
        }
        else
        {
            return BadRequest($"month: '{Shorten(MonthText)}' is not a month like 2026-03 (years 2000 to 2100).");
        }

        if (await ReadFilterAsync(ct) is { } bad)
        {
            return bad;
        }

        var first = Month.AddDays(-(((int)Month.DayOfWeek + 6) % 7));
        var end = Month.AddMonths(1).AddDays(-1);
        var last = end.AddDays(6 - (((int)end.DayOfWeek + 6) % 7));
        var weeks = new List<DateOnly[]>();
        for (var day = first; day <= last; day = day.AddDays(7))
        {
            weeks.Add([.. Enumerable.Range(0, 7).Select(day.AddDays)]);
        }

        Weeks = weeks;
        var rows = await occurrences.ListAsync(Org.Id, new OccurrenceQuery(first, last, null, Filter.OwnerUserId, Filter.ControlId, Filter.FrameworkId), ct);
        ByDay = rows.ToLookup(o => DateOnly.FromDateTime(o.Due));
        IReadOnlyList<CalendarObligation> due = Filter.ControlId is null && Filter.FrameworkId is null
            ? await obligations.ListAsync(Org.Id, first, last, Filter.OwnerUserId, ct)
            : [];
        ObligationsByDay = due.ToLookup(o => o.DueOn);
        InMonth = rows.Count(o => o.Due.Year == Month.Year && o.Due.Month == Month.Month) + due.Count(o => o.DueOn.Year == Month.Year && o.DueOn.Month == Month.Month);
        return Page();
    }
}

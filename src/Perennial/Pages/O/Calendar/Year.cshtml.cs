using System.Globalization;
using Microsoft.AspNetCore.Mvc;
using Perennial.Activities;
using Perennial.Security;

namespace Perennial.Pages.O.Calendar;

/// <summary>A year as twelve small months: on each day, how many occurrences are due and the most pressing status.</summary>
public sealed class YearModel(CurrentOrg org, MaintenanceCalendar calendar, TimeProvider time) : CalendarPageModel(org, calendar)
{
    private static readonly CultureInfo En = CultureInfo.GetCultureInfo("en-GB");

    public override string Tab => "year";

    [FromQuery(Name = "year")] public string? YearText { get; set; }

    public int Year { get; private set; }
    public DateOnly Today { get; private set; }
    public IReadOnlyDictionary<DateOnly, DayCount> Days { get; private set; } = new Dictionary<DateOnly, DayCount>();

    public override IEnumerable<(string Name, string Value)> HiddenFields => [("year", Year.ToString(CultureInfo.InvariantCulture))];
    public string YearLink(int year) => Link(Base + "/year", "year=" + year.ToString(CultureInfo.InvariantCulture));
    public string DayLink(DateOnly day) => Link(Base + "/month", "month=" + MonthKey(day)) + "#d-" + day.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture);
    public static string MonthName(int month) => En.DateTimeFormat.GetMonthName(month);
    public static string LongDate(DateOnly day) => day.ToString("d MMMM yyyy", En);

    /// <summary>The weeks of a month, Monday first; days outside the month are null.</summary>
    public IReadOnlyList<DateOnly?[]> Weeks(int month)
    {
        var first = new DateOnly(Year, month, 1);
        var offset = ((int)first.DayOfWeek + 6) % 7;
        var days = DateTime.DaysInMonth(Year, month);
        var cells = Enumerable.Repeat<DateOnly?>(null, offset).Concat(Enumerable.Range(0, days).Select(d => (DateOnly?)first.AddDays(d))).ToList();
        while (cells.Count % 7 != 0)
        {
            cells.Add(null);
        }

        return [.. cells.Chunk(7)];
    }

    /// <summary>The month's occurrences by status.</summary>
    public IReadOnlyDictionary<OccurrenceStatus, int> MonthCounts(int month)
    {
        var counts = new Dictionary<OccurrenceStatus, int>();
        foreach (var day in Days.Values.Where(d => d.Date.Month == month))
        {
            foreach (var (status, n) in day.ByStatus)
            {
                counts[status] = counts.GetValueOrDefault(status) + n;
            }
        }

        return counts;
    }

    /// <summary>What a screen reader says for a day: "31 March 2026: 3 due (1 overdue, 2 upcoming)".</summary>
    public static string Describe(DayCount day)
    {
        ArgumentNullException.ThrowIfNull(day);
        var parts = CalendarDisplay.Order.Where(day.ByStatus.ContainsKey)
            .Select(s => $"{day.ByStatus[s]} {ActivityNames.ToLabel(s).ToLowerInvariant()}");
        return $"{LongDate(day.Date)}: {day.Total} due ({string.Join(", ", parts)})";
    }

    public async Task<IActionResult> OnGetAsync(CancellationToken ct)
    {
        Today = DateOnly.FromDateTime(time.GetUtcNow().UtcDateTime);
        if (string.IsNullOrWhiteSpace(YearText))
        {
            Year = Today.Year;
        }
        else if (int.TryParse(YearText.Trim(), NumberStyles.None, CultureInfo.InvariantCulture, out var year) && year is >= 2000 and <= 2100)
        {
            Year = year;
        }
        else
        {
            return BadRequest($"year: '{Shorten(YearText)}' is not a year between 2000 and 2100.");
        }

        if (await ReadFilterAsync(ct) is { } bad)
        {
            return bad;
        }

        var counts = await Calendar.DayCountsAsync(Org.Id, new DateOnly(Year, 1, 1), new DateOnly(Year, 12, 31), Filter, ct);
        Days = counts.ToDictionary(d => d.Date);
        return Page();
    }
}

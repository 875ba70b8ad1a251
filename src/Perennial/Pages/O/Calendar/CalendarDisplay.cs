using Perennial.Activities;

namespace Perennial.Pages.O.Calendar;

/// <summary>
/// How statuses look on the calendar pages. Colour is never the only signal: each status also has
/// a symbol and its words (visible, or for screen readers where space is short).
/// </summary>
public static class CalendarDisplay
{
    public static string Css(OccurrenceStatus status) => "st-" + ActivityNames.ToName(status);

    public static string Css(CalendarStatus status) => "st-" + MaintenanceCalendar.ToName(status);

    public static string Symbol(OccurrenceStatus status) => status switch
    {
        OccurrenceStatus.Overdue => "⚠",
        OccurrenceStatus.DueSoon => "◔",
        OccurrenceStatus.Upcoming => "○",
        OccurrenceStatus.CompletedOnTime => "✓",
        OccurrenceStatus.CompletedLate => "✓!",
        OccurrenceStatus.Skipped => "⊘",
        _ => "",
    };

    public static string Symbol(CalendarStatus status) => status switch
    {
        CalendarStatus.Overdue => Symbol(OccurrenceStatus.Overdue),
        CalendarStatus.DueSoon => Symbol(OccurrenceStatus.DueSoon),
        CalendarStatus.Upcoming => Symbol(OccurrenceStatus.Upcoming),
        CalendarStatus.Paused => "‖",
        CalendarStatus.Retired => "×",
        _ => "–",
    };

    /// <summary>The statuses in the order the legends and tables list them: what needs attention first.</summary>
    public static readonly IReadOnlyList<OccurrenceStatus> Order =
    [
        OccurrenceStatus.Overdue, OccurrenceStatus.DueSoon, OccurrenceStatus.Upcoming,
        OccurrenceStatus.CompletedOnTime, OccurrenceStatus.CompletedLate, OccurrenceStatus.Skipped,
    ];

    /// <summary>The status that matters most among several (for a day with many occurrences).</summary>
    public static OccurrenceStatus Worst(IEnumerable<OccurrenceStatus> statuses)
    {
        var all = statuses.ToList();
        return Order.FirstOrDefault(all.Contains, OccurrenceStatus.Upcoming);
    }
}

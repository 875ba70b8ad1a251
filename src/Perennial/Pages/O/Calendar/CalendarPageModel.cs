using System.Globalization;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;
using Perennial.Activities;
using Perennial.Security;

namespace Perennial.Pages.O.Calendar;

/// <summary>
/// What every calendar page shares: the filters (owner or deputy, control, framework, retired
/// activities) read from the query string, the choices they offer, and links that keep them.
/// </summary>
public abstract class CalendarPageModel(CurrentOrg org, MaintenanceCalendar calendar) : PageModel
{
    public CurrentOrg Org => org;
    protected MaintenanceCalendar Calendar => calendar;

    [FromQuery(Name = "owner")] public string? OwnerText { get; set; }
    [FromQuery(Name = "control")] public string? ControlText { get; set; }
    [FromQuery(Name = "framework")] public string? FrameworkText { get; set; }
    [FromQuery(Name = "retired")] public bool IncludeRetired { get; set; }

    public CalendarFilter Filter { get; private set; } = new();
    public CalendarFilterOptions Options { get; private set; } = new([], [], []);

    /// <summary>Which calendar page this is, for the tabs: calendar, month, year or cycle.</summary>
    public abstract string Tab { get; }

    /// <summary>Whether the page offers "include retired activities" (only the one-page calendar lists activities as such).</summary>
    public virtual bool OffersRetired => false;

    /// <summary>Query values the filter form keeps (e.g. the month shown).</summary>
    public virtual IEnumerable<(string Name, string Value)> HiddenFields => [];

    /// <summary>Reads the filters; a value that is not an id gives a 400 naming its field.</summary>
    protected async Task<IActionResult?> ReadFilterAsync(CancellationToken ct)
    {
        var ids = new Dictionary<string, Guid>(StringComparer.Ordinal);
        foreach (var (field, text) in new[] { ("owner", OwnerText), ("control", ControlText), ("framework", FrameworkText) })
        {
            if (string.IsNullOrWhiteSpace(text))
            {
                continue;
            }

            if (!Guid.TryParse(text, out var id))
            {
                return BadRequest($"{field}: '{Shorten(text)}' is not an id; choose from the list on the calendar page.");
            }

            ids[field] = id;
        }

        Guid? Id(string field) => ids.TryGetValue(field, out var id) ? id : null;
        Filter = new CalendarFilter(Id("owner"), Id("control"), Id("framework"), IncludeRetired && OffersRetired);
        Options = await calendar.FilterOptionsAsync(org.Id, ct);
        return null;
    }

    /// <summary>The filters as query-string pairs ("&amp;owner=…"), empty when none is set.</summary>
    public string FilterQuery()
    {
        static string P(string name, Guid? value) => value is { } v ? $"&{name}={v}" : "";
        return P("owner", Filter.OwnerUserId) + P("control", Filter.ControlId) + P("framework", Filter.FrameworkId)
            + (Filter.IncludeRetired ? "&retired=true" : "");
    }

    /// <summary>A link to another calendar page with the same filters.</summary>
    public string Link(string path, string? query = null)
    {
        var all = (query is null ? "" : "&" + query) + FilterQuery();
        return all.Length == 0 ? path : path + "?" + all[1..];
    }

    public string Base => $"/o/{org.Slug}/calendar";

    /// <summary>This page without filters (keeping what it shows, e.g. its month).</summary>
    public string ClearFiltersLink
    {
        get
        {
            var path = Tab == "calendar" ? Base : Base + "/" + Tab;
            var kept = string.Join("&", HiddenFields.Select(h => h.Name + "=" + Uri.EscapeDataString(h.Value)));
            return kept.Length == 0 ? path : path + "?" + kept;
        }
    }

    /// <summary>A sentence saying which filters apply, for print-outs and exports.</summary>
    public string FilterDescription()
    {
        var parts = new List<string>();
        if (Filter.OwnerUserId is { } o)
        {
            parts.Add("owner or deputy " + (Options.People.FirstOrDefault(p => p.Id == o).Name ?? o.ToString()));
        }

        if (Filter.ControlId is { } c)
        {
            parts.Add("control " + (Options.Controls.FirstOrDefault(k => k.Id == c).Identifier ?? c.ToString()));
        }

        if (Filter.FrameworkId is { } f)
        {
            parts.Add("framework " + (Options.Frameworks.FirstOrDefault(k => k.Id == f).Name ?? f.ToString()));
        }

        var scope = Filter.IncludeRetired ? "All activities, retired ones included" : "All activities except retired ones";
        return parts.Count == 0 ? scope + "." : scope + ", filtered by " + string.Join(", ", parts) + ".";
    }

    protected static string Shorten(string text) => text.Length > 40 ? text[..40] + "…" : text;

    protected static string MonthKey(DateOnly month) => month.ToString("yyyy-MM", CultureInfo.InvariantCulture);
}

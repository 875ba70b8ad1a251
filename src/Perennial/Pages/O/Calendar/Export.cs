using Microsoft.AspNetCore.Mvc;
using Perennial.Activities;
using Perennial.Security;

namespace Perennial.Pages.O.Calendar;

/// <summary>The one-page calendar as a file: the same rows and filters as the page.</summary>
public abstract class ExportModel(CurrentOrg org, MaintenanceCalendar calendar, TimeProvider time) : CalendarPageModel(org, calendar)
{
    public override string Tab => "calendar";
    public override bool OffersRetired => true;

    protected abstract IActionResult File(IReadOnlyList<MaintenanceRow> rows, string baseName, DateTimeOffset now);

    public async Task<IActionResult> OnGetAsync(CancellationToken ct)
    {
        if (await ReadFilterAsync(ct) is { } bad)
        {
            return bad;
        }

        var rows = await Calendar.RowsAsync(Org.Id, Filter, ct);
        var now = time.GetUtcNow();
        return File(rows, $"maintenance-calendar-{Org.Slug}-{now:yyyy-MM-dd}", now);
    }
}

public sealed class ExportXlsxModel(CurrentOrg org, MaintenanceCalendar calendar, TimeProvider time) : ExportModel(org, calendar, time)
{
    protected override IActionResult File(IReadOnlyList<MaintenanceRow> rows, string baseName, DateTimeOffset now)
    {
        using var buffer = new MemoryStream();
        MaintenanceCalendar.WriteXlsx(buffer, Org.Access.Name, rows, FilterDescription(), now);
        return File(buffer.ToArray(), Common.Spreadsheets.XlsxContentType, baseName + ".xlsx");
    }
}

public sealed class ExportCsvModel(CurrentOrg org, MaintenanceCalendar calendar, TimeProvider time) : ExportModel(org, calendar, time)
{
    protected override IActionResult File(IReadOnlyList<MaintenanceRow> rows, string baseName, DateTimeOffset now)
    {
        // A byte order mark makes spreadsheet programs read the file as UTF-8.
        var bytes = System.Text.Encoding.UTF8.GetPreamble().Concat(System.Text.Encoding.UTF8.GetBytes(MaintenanceCalendar.ToCsv(rows))).ToArray();
        return File(bytes, "text/csv; charset=utf-8", baseName + ".csv");
    }
}

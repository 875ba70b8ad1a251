using System.Net;
using System.Text.RegularExpressions;
using ClosedXML.Excel;
using Perennial.Common;

namespace Perennial.Tests.Calendar;

public sealed class SqliteCalendarPagesTests(SqliteCalendarFixture f) : CalendarPagesTests(f), IClassFixture<SqliteCalendarFixture>;

public sealed class PostgresCalendarPagesTests(PostgresCalendarFixture f) : CalendarPagesTests(f), IClassFixture<PostgresCalendarFixture>;

/// <summary>The one-page maintenance calendar, its exports, and the month, year and three-year views, as server-rendered HTML.</summary>
public abstract partial class CalendarPagesTests(CalendarFixture f)
{
    private static readonly string[] ExpectedColumns =
        ["Reference", "Activity", "State", "Frequency", "Owner", "Deputy", "Controls", "Last completed", "Completed", "Next due 1", "Next due 2", "Next due 3", "Status"];

    [Fact]
    public async Task The_one_page_calendar_lists_each_activity_with_frequency_people_last_completion_next_three_dates_and_status()
    {
        var page = await GetPageAsync(f.Auditor, "/o/acme/calendar");

        var backup = Row(page, "backup");
        Assert.Contains($"href=\"/o/acme/activities/{f.Activities["backup"]}\">Backup restore test</a>", backup, StringComparison.Ordinal);
        Assert.Contains("Quarterly on the last day", backup, StringComparison.Ordinal);
        Assert.Equal(["jonas", "priya"], Cells(backup)[3..5]);
        Assert.Contains("A.8.13", backup, StringComparison.Ordinal);
        Assert.Contains($"href=\"/o/acme/occurrences/{await f.OccurrenceIdAsync("backup", new DateOnly(2025, 12, 31))}\" title=\"Due 2025-12-31\">2025-12-30</a>", backup, StringComparison.Ordinal);
        Assert.Contains("on time", backup, StringComparison.Ordinal);
        Assert.Equal(["2026-03-31", "2026-06-30", "2026-09-30"], NextDates(backup));
        Assert.Contains($"href=\"/o/acme/occurrences/{await f.OccurrenceIdAsync("backup", new DateOnly(2026, 3, 31))}\">2026-03-31</a>", backup, StringComparison.Ordinal);
        Assert.Equal("Upcoming", Status(backup));

        var scan = Row(page, "scan");
        Assert.Contains("Monthly on day 20", scan, StringComparison.Ordinal);
        Assert.Equal("–", Cells(scan)[4]);
        Assert.Contains("2026-01-25", scan, StringComparison.Ordinal);
        Assert.Contains("late", scan, StringComparison.Ordinal);
        Assert.Equal(["2026-02-20", "2026-03-20", "2026-04-20"], NextDates(scan));
        Assert.Equal("Overdue", Status(scan));

        var policy = Row(page, "policy");
        Assert.Equal(["maya", "jonas"], Cells(policy)[3..5]);
        Assert.Contains("never", policy, StringComparison.Ordinal);
        Assert.Equal(["2026-03-10", "2027-03-10", "2028-03-10"], NextDates(policy));
        Assert.Equal("Due soon", Status(policy));

        var audit = Row(page, "audit");
        Assert.Contains("On the external audit dates of the certification cycle", audit, StringComparison.Ordinal);
        Assert.Equal(["2026-07-01", "2027-07-01", "2028-04-02"], NextDates(audit));

        Assert.Equal("Paused", Status(Row(page, "supplier")));
        Assert.Empty(NextDates(Row(page, "supplier")));
        Assert.DoesNotContain(f.Activities["firewall"].ToString(), page, StringComparison.Ordinal);
        Assert.Contains("5 activities", page, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Retired_activities_show_only_when_asked_for()
    {
        var page = await GetPageAsync(f.Manager, "/o/acme/calendar?retired=true");

        Assert.Equal("Retired", Status(Row(page, "firewall")));
        Assert.Contains("6 activities", page, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("owner", "jonas", new[] { "backup", "policy" })]
    [InlineData("owner", "priya", new[] { "backup", "scan", "supplier" })]
    [InlineData("control", "A.8.13", new[] { "backup" })]
    [InlineData("framework", "iso", new[] { "backup", "policy", "audit" })]
    public async Task A_filter_narrows_the_calendar_to_the_matching_activities(string field, string value, string[] expected)
    {
        var id = (field, value) switch
        {
            ("owner", "jonas") => f.JonasId,
            ("owner", _) => f.PriyaId,
            ("control", _) => f.BackupControlId,
            _ => f.IsoFrameworkId,
        };

        var page = await GetPageAsync(f.Manager, $"/o/acme/calendar?{field}={id}");

        var shown = f.Activities.Where(a => page.Contains($"data-activity=\"{a.Value}\"", StringComparison.Ordinal)).Select(a => a.Key).Order();
        Assert.Equal(expected.Order(), shown);
        Assert.Contains($"<option value=\"{id}\" selected=\"selected\">", page, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_filter_that_is_not_an_id_is_a_400_naming_the_field()
    {
        var response = await f.Manager.GetAsync("/o/acme/calendar?control=A.8.13");

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.StartsWith("control:", await response.Content.ReadAsStringAsync(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task The_exports_hold_the_same_rows_as_each_other_and_the_page_with_the_same_filters()
    {
        var xlsx = await f.Auditor.GetAsync("/o/acme/calendar/export.xlsx");
        var csv = await f.Auditor.GetAsync("/o/acme/calendar/export.csv");
        Assert.Equal(HttpStatusCode.OK, xlsx.StatusCode);
        Assert.Equal(Spreadsheets.XlsxContentType, xlsx.Content.Headers.ContentType?.MediaType);
        Assert.Equal("text/csv", csv.Content.Headers.ContentType?.MediaType);
        Assert.Equal("maintenance-calendar-acme-2026-03-02.csv", csv.Content.Headers.ContentDisposition?.FileNameStar ?? csv.Content.Headers.ContentDisposition?.FileName?.Trim('"'));

        var sheet = ReadXlsx(await xlsx.Content.ReadAsByteArrayAsync());
        var text = await csv.Content.ReadAsStringAsync();
        var records = Csv.Parse(text.TrimStart('\uFEFF')).Select(r => r.Fields).ToList();
        Assert.Equal(ExpectedColumns, sheet[0]);
        Assert.Equal(sheet, records);
        Assert.Equal(6, sheet.Count);

        var backup = sheet.Single(r => r[1] == "Backup restore test");
        Assert.Equal(["active", "Quarterly on the last day", "jonas", "priya", "A.8.13", "2025-12-30", "on time", "2026-03-31", "2026-06-30", "2026-09-30", "Upcoming"], backup[2..]);
        var scan = sheet.Single(r => r[1] == "Vulnerability scan");
        Assert.Equal(["2026-01-25", "late", "2026-02-20", "2026-03-20", "2026-04-20", "Overdue"], scan[7..]);

        var filtered = ReadXlsx(await f.Auditor.GetByteArrayAsync($"/o/acme/calendar/export.xlsx?owner={f.JonasId}&retired=true"));
        var filteredCsv = Csv.Parse((await f.Auditor.GetStringAsync($"/o/acme/calendar/export.csv?owner={f.JonasId}&retired=true")).TrimStart('\uFEFF')).Select(r => r.Fields).ToList();
        Assert.Equal(filtered, filteredCsv);
        Assert.Equal(["Backup restore test", "Firewall rule review", "Information security policy review"], filtered.Skip(1).Select(r => r[1]).Order());

        var page = await GetPageAsync(f.Auditor, $"/o/acme/calendar?owner={f.JonasId}&retired=true");
        Assert.Contains($"href=\"/o/acme/calendar/export.xlsx?owner={f.JonasId}&amp;retired=true\"", page, StringComparison.Ordinal);
    }

    [Fact]
    public async Task The_calendar_links_the_print_stylesheet_which_drops_the_navigation_and_sets_a4_landscape()
    {
        var page = await GetPageAsync(f.Auditor, "/o/acme/calendar");

        Assert.Contains("<link rel=\"stylesheet\" href=\"/css/print.css\" media=\"print\">", page, StringComparison.Ordinal);
        Assert.Contains("<nav class=\"calendar-tabs no-print\"", page, StringComparison.Ordinal);
        Assert.Contains("class=\"inline-form panel no-print calendar-filter\"", page, StringComparison.Ordinal);
        var print = await f.Auditor.GetStringAsync("/css/print.css");
        Assert.Contains("size: A4 landscape", print, StringComparison.Ordinal);
        var site = await f.Auditor.GetStringAsync("/css/site.css");
        Assert.Matches(@"@media print \{\s*\.topbar, \.sections, \.footer, \.skip-link \{ display: none; \}", site);
        Assert.Contains(".no-print { display: none; }", site, StringComparison.Ordinal);
    }

    [Fact]
    public async Task The_month_view_shows_each_occurrence_on_its_due_day_with_its_status()
    {
        var february = await GetPageAsync(f.Auditor, "/o/acme/calendar/month?month=2026-02");
        Assert.Contains("Calendar: February 2026", february, StringComparison.Ordinal);
        var overdue = Day(february, "2026-02-20");
        Assert.Contains("data-status=\"overdue\"", overdue, StringComparison.Ordinal);
        Assert.Contains("Overdue: </span>ACT-002 Vulnerability scan", overdue, StringComparison.Ordinal);
        Assert.Contains($"/o/acme/occurrences/{await f.OccurrenceIdAsync("scan", new DateOnly(2026, 2, 20))}", overdue, StringComparison.Ordinal);
        Assert.DoesNotContain("<li", Day(february, "2026-02-19"), StringComparison.Ordinal);
        Assert.Contains("href=\"/o/acme/calendar/month?month=2026-01\"", february, StringComparison.Ordinal);
        Assert.Contains("href=\"/o/acme/calendar/month?month=2026-03\"", february, StringComparison.Ordinal);

        var january = await GetPageAsync(f.Auditor, "/o/acme/calendar/month?month=2026-01");
        Assert.Contains("Completed late: </span>ACT-002 Vulnerability scan", Day(january, "2026-01-20"), StringComparison.Ordinal);

        var march = await GetPageAsync(f.Auditor, "/o/acme/calendar/month?month=2026-03");
        Assert.Contains("Due soon: </span>ACT-003 Information security policy review", Day(march, "2026-03-10"), StringComparison.Ordinal);
        Assert.Contains("Upcoming: </span>ACT-001 Backup restore test", Day(march, "2026-03-31"), StringComparison.Ordinal);
        Assert.Contains("Upcoming: </span>ACT-002 Vulnerability scan", Day(march, "2026-03-20"), StringComparison.Ordinal);
        Assert.Contains("class=\"day today\"", Day(march, "2026-03-02", withTag: true), StringComparison.Ordinal);

        var onlyJonas = await GetPageAsync(f.Auditor, $"/o/acme/calendar/month?month=2026-03&owner={f.JonasId}");
        Assert.DoesNotContain("Vulnerability scan", onlyJonas, StringComparison.Ordinal);
        Assert.Contains("Backup restore test", Day(onlyJonas, "2026-03-31"), StringComparison.Ordinal);
        Assert.Contains("href=\"/o/acme/calendar/month?month=2026-04&amp;owner=" + f.JonasId, onlyJonas, StringComparison.Ordinal);
        Assert.Contains("<input type=\"hidden\" name=\"month\" value=\"2026-03\">", onlyJonas, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_month_without_occurrences_says_so_and_a_bad_month_is_a_400()
    {
        var quiet = await GetPageAsync(f.Auditor, "/o/acme/calendar/month?month=2026-05&control=" + f.BackupControlId);
        Assert.Contains("Nothing is due in May 2026 for these filters.", quiet, StringComparison.Ordinal);

        var bad = await f.Auditor.GetAsync("/o/acme/calendar/month?month=March");
        Assert.Equal(HttpStatusCode.BadRequest, bad.StatusCode);
        Assert.StartsWith("month:", await bad.Content.ReadAsStringAsync(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task The_year_view_counts_each_day_with_its_most_pressing_status()
    {
        var page = await GetPageAsync(f.Auditor, "/o/acme/calendar/year?year=2026");

        Assert.Matches("data-date=\"2026-02-20\" data-count=\"1\" data-status=\"overdue\"", page);
        Assert.Matches("data-date=\"2026-01-20\" data-count=\"1\" data-status=\"completed-late\"", page);
        Assert.Matches("data-date=\"2026-03-10\" data-count=\"1\" data-status=\"due-soon\"", page);
        Assert.Contains("aria-label=\"20 February 2026: 1 due (1 overdue)\"", page, StringComparison.Ordinal);
        Assert.Contains("href=\"/o/acme/calendar/month?month=2026-02#d-2026-02-20\"", page, StringComparison.Ordinal);
        Assert.DoesNotContain("data-date=\"2026-02-19\"", page, StringComparison.Ordinal);
        Assert.Equal(400, (int)(await f.Auditor.GetAsync("/o/acme/calendar/year?year=1999")).StatusCode);
    }

    [Fact]
    public async Task The_three_year_view_runs_across_the_cycle_with_the_external_audits_marked()
    {
        var page = await GetPageAsync(f.Auditor, "/o/acme/calendar/cycle");

        Assert.Equal(36, MonthRow().Count(page));
        Assert.Contains("data-month=\"2025-08\"", page, StringComparison.Ordinal);
        Assert.Contains("data-month=\"2028-07\"", page, StringComparison.Ordinal);
        Assert.DoesNotContain("data-month=\"2028-08\"", page, StringComparison.Ordinal);
        Assert.Contains("Stage 2 audit</strong>:", page, StringComparison.Ordinal);
        Assert.Contains("planned 2026-07-01</span>", page, StringComparison.Ordinal);
        Assert.Contains("Surveillance audit 1 (1 Jul)", MonthRowHtml(page, "2026-07"), StringComparison.Ordinal);
        Assert.Contains("Surveillance audit 2 (1 Jul)", MonthRowHtml(page, "2027-07"), StringComparison.Ordinal);
        Assert.Contains("Recertification audit (2 Apr)", MonthRowHtml(page, "2028-04"), StringComparison.Ordinal);
        Assert.Contains("this month", MonthRowHtml(page, "2026-03"), StringComparison.Ordinal);

        // February 2026: the overdue scan and nothing else.
        Assert.Equal(["1", "1", "0", "0", "0", "0", "0"], Cells(MonthRowHtml(page, "2026-02"))[1..8]);
        // July 2026: the monthly scan and surveillance audit 1, both upcoming.
        Assert.Equal("2", Cells(MonthRowHtml(page, "2026-07"))[1]);
    }

    [Fact]
    public async Task An_organisation_without_activities_or_certificate_sees_empty_states()
    {
        var calendar = await GetPageAsync(f.EmptyOrgAdmin, "/o/empty/calendar");
        Assert.Contains("No recurring activity yet.", calendar, StringComparison.Ordinal);
        Assert.Contains("href=\"/o/empty/activities\"", calendar, StringComparison.Ordinal);

        var cycle = await GetPageAsync(f.EmptyOrgAdmin, "/o/empty/calendar/cycle");
        Assert.Contains("No certificate has been recorded yet", cycle, StringComparison.Ordinal);
        Assert.Contains("No occurrence falls in these three years.", cycle, StringComparison.Ordinal);
        Assert.Contains("data-month=\"2026-03\"", cycle, StringComparison.Ordinal);

        var year = await GetPageAsync(f.EmptyOrgAdmin, "/o/empty/calendar/year");
        Assert.Contains("Nothing is due in 2026.", year, StringComparison.Ordinal);

        var csv = await f.EmptyOrgAdmin.GetStringAsync("/o/empty/calendar/export.csv");
        Assert.Single(Csv.Parse(csv.TrimStart('\uFEFF')));
    }

    private static async Task<string> GetPageAsync(HttpClient client, string path)
    {
        var response = await client.GetAsync(path);
        Assert.True(response.StatusCode == HttpStatusCode.OK, $"{path}: {(int)response.StatusCode}");
        return await response.Content.ReadAsStringAsync();
    }

    private string Row(string page, string activity)
    {
        var match = Regex.Match(page, $"<tr data-activity=\"{f.Activities[activity]}\">(.*?)</tr>", RegexOptions.Singleline);
        Assert.True(match.Success, $"No row for {activity}");
        return match.Groups[1].Value;
    }

    /// <summary>The text of each cell of a table row, tags removed and blanks collapsed.</summary>
    private static string[] Cells(string row) =>
        [.. Regex.Matches(row, "<t[dh][^>]*>(.*?)</t[dh]>", RegexOptions.Singleline)
            .Select(m => WebUtility.HtmlDecode(Regex.Replace(Regex.Replace(m.Groups[1].Value, "<[^>]+>", " "), @"\s+", " ").Trim()))];

    private static string[] NextDates(string row)
    {
        var next = Regex.Match(row, "<td class=\"next\">(.*?)</td>", RegexOptions.Singleline).Groups[1].Value;
        return [.. Regex.Matches(next, @">(\d{4}-\d{2}-\d{2})</a>").Select(m => m.Groups[1].Value)];
    }

    private static string Status(string row) => Regex.Replace(Cells(row)[^1], @"^\W+\s*", "");

    private static string Day(string page, string date, bool withTag = false)
    {
        var match = Regex.Match(page, $"(<td id=\"d-{date}\"[^>]*>)(.*?)</td>", RegexOptions.Singleline);
        Assert.True(match.Success, $"No cell for {date}");
        return withTag ? match.Groups[1].Value : match.Groups[2].Value;
    }

    private static string MonthRowHtml(string page, string month)
    {
        var match = Regex.Match(page, $"<tr(?: class=\"[^\"]*\")? data-month=\"{month}\">(.*?)</tr>", RegexOptions.Singleline);
        Assert.True(match.Success, $"No row for {month}");
        return match.Groups[1].Value;
    }

    private static List<List<string>> ReadXlsx(byte[] bytes)
    {
        using var workbook = new XLWorkbook(new MemoryStream(bytes));
        var sheet = workbook.Worksheet("Maintenance calendar");
        var lastRow = sheet.LastRowUsed()!.RowNumber();
        var lastColumn = sheet.LastColumnUsed()!.ColumnNumber();
        return [.. Enumerable.Range(1, lastRow).Select(r => Enumerable.Range(1, lastColumn).Select(c => sheet.Cell(r, c).GetString()).ToList())];
    }

    [GeneratedRegex("<tr(?: class=\"[^\"]*\")? data-month=")]
    private static partial Regex MonthRow();
}

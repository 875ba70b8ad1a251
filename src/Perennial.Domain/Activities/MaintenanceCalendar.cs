using System.Collections.Concurrent;
using System.Globalization;
using ClosedXML.Excel;
using Microsoft.EntityFrameworkCore;
using Perennial.Certification;
using Perennial.Common;
using Perennial.Data;
using Perennial.Organisations;

namespace Perennial.Activities;

/// <summary>Which activities the calendar shows. The owner filter matches the owner or the deputy.</summary>
public sealed record CalendarFilter(Guid? OwnerUserId = null, Guid? ControlId = null, Guid? FrameworkId = null, bool IncludeRetired = false)
{
    public bool IsEmpty => OwnerUserId is null && ControlId is null && FrameworkId is null;
}

/// <summary>An activity's standing on the maintenance calendar: its nearest open occurrence's status, or why it has none.</summary>
public enum CalendarStatus
{
    Overdue = 1,
    DueSoon = 2,
    Upcoming = 3,
    NothingDue = 4,
    Paused = 5,
    Retired = 6,
}

/// <summary>An open occurrence on the calendar: when it is due (local to its activity) and its status now.</summary>
public sealed record CalendarDue(Guid OccurrenceId, DateTime Due, OccurrenceStatus Status);

/// <summary>An activity's latest completed occurrence (the most recent one due that was done): which, when it was done (local date), and whether on time.</summary>
public sealed record CalendarCompletion(Guid OccurrenceId, DateTime Due, DateOnly CompletedOn, bool OnTime);

/// <summary>One line of the one-page maintenance calendar.</summary>
public sealed record MaintenanceRow(
    Guid ActivityId,
    string Reference,
    string Title,
    ActivityState State,
    string Frequency,
    string OwnerName,
    string? OwnerEmail,
    string? DeputyName,
    IReadOnlyList<string> Controls,
    CalendarCompletion? LastCompleted,
    IReadOnlyList<CalendarDue> Next,
    CalendarStatus Status);

/// <summary>The choices the calendar's filters offer.</summary>
public sealed record CalendarFilterOptions(
    IReadOnlyList<(Guid Id, string Name)> People,
    IReadOnlyList<(Guid Id, string Identifier, string Title)> Controls,
    IReadOnlyList<(Guid Id, string Name)> Frameworks);

/// <summary>How many occurrences fall due on one day, by status.</summary>
public sealed record DayCount(DateOnly Date, IReadOnlyDictionary<OccurrenceStatus, int> ByStatus)
{
    public int Total => ByStatus.Values.Sum();
}

/// <summary>An external audit (or the stage 2 audit) of a certification cycle, as the calendar marks it.</summary>
public sealed record CalendarAudit(string Kind, string Label, DateOnly PlannedDate, DateOnly? WindowStart, DateOnly? WindowEnd, DateOnly? HeldOn);

/// <summary>One month of the three-year view: its occurrences by status and the audits planned in it.</summary>
public sealed record CycleMonth(DateOnly Month, IReadOnlyDictionary<OccurrenceStatus, int> ByStatus, IReadOnlyList<CalendarAudit> Audits)
{
    public int Total => ByStatus.Values.Sum();
    public int Count(OccurrenceStatus status) => ByStatus.TryGetValue(status, out var n) ? n : 0;
}

/// <summary>The three-year view: the current certification cycle (if any), month by month.</summary>
public sealed record CycleCalendar(CertificationCycle? Cycle, DateOnly FirstMonth, DateOnly LastMonth, IReadOnlyList<CycleMonth> Months, IReadOnlyList<CalendarAudit> Audits);

/// <summary>
/// The one-page maintenance calendar (every activity with its frequency, people, last completion,
/// next three due dates and status), its exports, and the counts behind the year and three-year
/// views. Each is computed with a fixed handful of queries, whatever the number of activities.
/// </summary>
public sealed class MaintenanceCalendar(PerennialDbContext db, ActivityService activities, TimeProvider time)
{
    /// <summary>How many next due dates each row shows.</summary>
    public const int NextCount = 3;

    /// <summary>What cycle-driven activities show as their frequency.</summary>
    public const string CycleFrequency = "On the external audit dates of the certification cycle";

    /// <summary>The months the three-year view covers.</summary>
    public const int CycleMonths = 36;

    public static readonly IReadOnlyList<string> Columns =
    [
        "Reference", "Activity", "State", "Frequency", "Owner", "Deputy", "Controls",
        "Last completed", "Completed", "Next due 1", "Next due 2", "Next due 3", "Status",
    ];

    private static readonly double[] Widths = [11, 40, 9, 38, 26, 26, 22, 15, 10, 13, 13, 13, 12];

    /// <summary>Rules in words, by rule and start: parsing a rule with Ical.Net costs tens of microseconds, and a calendar shows hundreds.</summary>
    private static readonly ConcurrentDictionary<(string Rule, DateOnly Start), string> Words = new();

    public static string FrequencyOf(ScheduleSource source, string? rrule, DateOnly start)
    {
        if (source == ScheduleSource.CertificationCycle)
        {
            return CycleFrequency;
        }

        if (Words.Count > 50_000)
        {
            Words.Clear();
        }

        return Words.GetOrAdd((rrule ?? "", start), key => ScheduleWords.Describe(key.Rule, key.Start));
    }

    public static string ToName(CalendarStatus status) => status switch
    {
        CalendarStatus.Overdue => "overdue",
        CalendarStatus.DueSoon => "due-soon",
        CalendarStatus.Upcoming => "upcoming",
        CalendarStatus.NothingDue => "nothing-due",
        CalendarStatus.Paused => "paused",
        CalendarStatus.Retired => "retired",
        _ => throw new ArgumentOutOfRangeException(nameof(status)),
    };

    public static string ToLabel(CalendarStatus status) => status switch
    {
        CalendarStatus.Overdue => "Overdue",
        CalendarStatus.DueSoon => "Due soon",
        CalendarStatus.Upcoming => "Upcoming",
        CalendarStatus.NothingDue => "Nothing due",
        CalendarStatus.Paused => "Paused",
        CalendarStatus.Retired => "Retired",
        _ => throw new ArgumentOutOfRangeException(nameof(status)),
    };

    /// <summary>
    /// The calendar's rows, by reference: the activities in one query, their controls in another, and
    /// their next open occurrences and latest completion in at most three more each, whatever the
    /// number of activities.
    /// </summary>
    public async Task<IReadOnlyList<MaintenanceRow>> RowsAsync(Guid organisationId, CalendarFilter filter, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(filter);
        var selected = Activities(organisationId, filter);
        var heads = await selected
            .OrderBy(a => a.Reference)
            .Select(a => new
            {
                a.Id,
                a.Reference,
                a.Title,
                a.State,
                a.ScheduleSource,
                a.Rrule,
                a.StartDate,
                a.TimeZone,
                a.ReminderLeadDays,
                OwnerName = a.Owner!.DisplayName,
                OwnerEmail = a.Owner.Email,
                DeputyName = a.Deputy!.DisplayName,
            })
            .AsNoTracking().ToListAsync(ct);
        if (heads.Count == 0)
        {
            return [];
        }

        var now = time.GetUtcNow();
        List<Guid> ids = [.. heads.Select(h => h.Id)];
        // Overdue and the next five weeks settle weekly activities, the next three months monthly
        // ones, the year after that quarterly ones; only yearly ones reach further.
        var next = await EachActivityAsync(organisationId, OccurrenceState.Open, ids, !filter.IsEmpty, ascending: true, NextCount,
            [(null, now.AddDays(35)), (now.AddDays(35), now.AddDays(100)), (now.AddDays(100), now.AddDays(400)), (now.AddDays(400), null)], ct);
        // The latest completed occurrence: the last six weeks settle most activities.
        var last = await EachActivityAsync(organisationId, OccurrenceState.Completed, ids, !filter.IsEmpty, ascending: false, take: 1,
            [(now.AddDays(-45), null), (now.AddDays(-120), now.AddDays(-45)), (now.AddDays(-400), now.AddDays(-120)), (null, now.AddDays(-400))], ct);
        var controls = (await selected
            .SelectMany(a => a.Controls.Select(c => new { c.ActivityId, c.ControlId }))
            .Join(db.Controls, c => c.ControlId, k => k.Id, (c, k) => new { c.ActivityId, k.Identifier })
            .ToListAsync(ct))
            .GroupBy(c => c.ActivityId)
            .ToDictionary(g => g.Key, g => (IReadOnlyList<string>)[.. g.Select(c => c.Identifier).Order(IdentifierOrder.Instance)]);

        var rows = new List<MaintenanceRow>(heads.Count);
        foreach (var a in heads)
        {
            var due = next[a.Id]
                .Select(o => new CalendarDue(o.Id, o.DueDate.ToDateTime(o.DueTime),
                    OccurrenceService.StatusOf(OccurrenceState.Open, o.DueDate, null, a.TimeZone, a.ReminderLeadDays, now)))
                .ToList();
            CalendarCompletion? completion = null;
            if (last[a.Id] is [var done, ..])
            {
                var doneOn = DateOnly.FromDateTime(ActivitySchedule.LocalNow(done.CompletedAt ?? now, a.TimeZone));
                completion = new CalendarCompletion(done.Id, done.DueDate.ToDateTime(done.DueTime), doneOn, doneOn <= done.DueDate);
            }

            var status = a.State switch
            {
                ActivityState.Retired => CalendarStatus.Retired,
                ActivityState.Paused => CalendarStatus.Paused,
                _ when due.Count == 0 => CalendarStatus.NothingDue,
                _ => due[0].Status switch
                {
                    OccurrenceStatus.Overdue => CalendarStatus.Overdue,
                    OccurrenceStatus.DueSoon => CalendarStatus.DueSoon,
                    _ => CalendarStatus.Upcoming,
                },
            };
            rows.Add(new MaintenanceRow(
                a.Id, a.Reference, a.Title, a.State, FrequencyOf(a.ScheduleSource, a.Rrule, a.StartDate),
                a.OwnerName, a.OwnerEmail, a.DeputyName, controls.GetValueOrDefault(a.Id, []),
                completion, due, status));
        }

        return rows;
    }

    /// <summary>
    /// For each activity, its first <paramref name="take"/> occurrences in a state, by due instant
    /// (earliest first when <paramref name="ascending"/>, else latest first). Ranking every
    /// occurrence up to the horizon would read three years and more of rows, and reading rows is
    /// what costs (a few microseconds each on SQLite); instead it reads the given windows of due
    /// instants in turn (each a range of the (State, DueAt) index) and asks each later window only
    /// for the activities still short of rows, so a page reads about four rows per activity.
    /// </summary>
    private async Task<Dictionary<Guid, List<Slot>>> EachActivityAsync(
        Guid organisationId, OccurrenceState state, List<Guid> activityIds, bool filtered, bool ascending, int take,
        (DateTimeOffset? From, DateTimeOffset? To)[] windows, CancellationToken ct)
    {
        var found = activityIds.ToDictionary(id => id, _ => new List<Slot>());
        var wanted = activityIds;
        for (var w = 0; w < windows.Length && wanted.Count > 0; w++)
        {
            var (from, to) = windows[w];
            var rows = db.Occurrences.Where(o => o.State == state && o.OrganisationId == organisationId);
            if (from is { } f)
            {
                rows = rows.Where(o => o.DueAt >= f);
            }

            if (to is { } t)
            {
                rows = rows.Where(o => o.DueAt < t);
            }

            // The first window serves every activity; only a filter, or a later window, makes the list worth sending.
            if (filtered || w > 0)
            {
                // One parameter (a JSON array on SQLite, an array on PostgreSQL) rather than one per id.
                var ids = wanted;
                rows = rows.Where(o => EF.Parameter(ids).Contains(o.ActivityId));
            }

            foreach (var o in await rows.Select(o => new Slot(o.Id, o.ActivityId, o.DueDate, o.DueTime, o.DueAt, o.CompletedAt)).ToListAsync(ct))
            {
                if (found.TryGetValue(o.ActivityId, out var list))
                {
                    list.Add(o);
                }
            }

            wanted = [.. wanted.Where(id => found[id].Count < take)];
        }

        foreach (var list in found.Values)
        {
            list.Sort((x, y) => ascending ? x.DueAt.CompareTo(y.DueAt) : y.DueAt.CompareTo(x.DueAt));
            if (list.Count > take)
            {
                list.RemoveRange(take, list.Count - take);
            }
        }

        return found;
    }

    private sealed record Slot(Guid Id, Guid ActivityId, DateOnly DueDate, TimeOnly DueTime, DateTimeOffset DueAt, DateTimeOffset? CompletedAt);

    /// <summary>A row as the exports write it, in the order of <see cref="Columns"/>.</summary>
    public static IReadOnlyList<string> Cells(MaintenanceRow row)
    {
        ArgumentNullException.ThrowIfNull(row);
        string Next(int i) => i < row.Next.Count ? Date(row.Next[i].Due) : "";
        return
        [
            row.Reference, row.Title, ActivityNames.ToName(row.State), row.Frequency, row.OwnerName, row.DeputyName ?? "",
            string.Join(", ", row.Controls),
            row.LastCompleted is { } c ? c.CompletedOn.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture) : "",
            row.LastCompleted is { } d ? (d.OnTime ? "on time" : "late") : "",
            Next(0), Next(1), Next(2), ToLabel(row.Status),
        ];
    }

    /// <summary>The rows as an XLSX workbook: the calendar on the first sheet, what it shows on the second.</summary>
    public static void WriteXlsx(Stream output, string organisationName, IReadOnlyList<MaintenanceRow> rows, string filterDescription, DateTimeOffset generatedAt)
    {
        ArgumentNullException.ThrowIfNull(output);
        ArgumentNullException.ThrowIfNull(rows);
        using var workbook = new XLWorkbook();
        var sheet = workbook.AddWorksheet("Maintenance calendar");
        Spreadsheets.WriteHeader(sheet, Columns, Widths);
        var r = 2;
        foreach (var row in rows)
        {
            var cells = Cells(row);
            for (var c = 0; c < cells.Count; c++)
            {
                Spreadsheets.SetText(sheet.Cell(r, c + 1), cells[c]);
            }

            r++;
        }

        Spreadsheets.Finish(sheet, r - 1, Columns.Count);
        var about = workbook.AddWorksheet("About");
        Spreadsheets.SetText(about.Cell(1, 1), $"{organisationName}: maintenance calendar");
        about.Cell(1, 1).Style.Font.Bold = true;
        Spreadsheets.SetText(about.Cell(2, 1), $"Generated {generatedAt.UtcDateTime.ToString("yyyy-MM-dd HH:mm", CultureInfo.InvariantCulture)} UTC.");
        Spreadsheets.SetText(about.Cell(3, 1), filterDescription);
        Spreadsheets.SetText(about.Cell(4, 1), "Dates are local to each activity's time zone. Status is that of the nearest open occurrence.");
        about.Column(1).Width = 90;
        workbook.SaveAs(output);
    }

    /// <summary>The rows as CSV (RFC 4180, UTF-8), the same columns as the XLSX.</summary>
    public static string ToCsv(IReadOnlyList<MaintenanceRow> rows)
    {
        ArgumentNullException.ThrowIfNull(rows);
        return Csv.Write([Columns, .. rows.Select(Cells)]);
    }

    /// <summary>The people, linked controls and frameworks the filters offer.</summary>
    public async Task<CalendarFilterOptions> FilterOptionsAsync(Guid organisationId, CancellationToken ct)
    {
        var today = DateOnly.FromDateTime(time.GetUtcNow().UtcDateTime);
        var people = await db.Memberships.ActiveOn(today).Where(m => m.OrganisationId == organisationId)
            .OrderBy(m => m.User!.DisplayName).Select(m => new { m.UserId, m.User!.DisplayName }).ToListAsync(ct);
        var controls = await db.Controls
            .Where(k => k.OrganisationId == organisationId && db.ActivityControls.Any(ac => ac.ControlId == k.Id))
            .Select(k => new { k.Id, k.Identifier, k.Title }).ToListAsync(ct);
        var frameworks = await db.Frameworks.Where(f => f.OrganisationId == organisationId)
            .OrderBy(f => f.Name).Select(f => new { f.Id, f.Name }).ToListAsync(ct);
        return new CalendarFilterOptions(
            [.. people.Select(p => (p.UserId, p.DisplayName))],
            [.. controls.OrderBy(c => c.Identifier, IdentifierOrder.Instance).Select(c => (c.Id, c.Identifier, c.Title))],
            [.. frameworks.Select(f => (f.Id, f.Name))]);
    }

    /// <summary>Occurrences due each day from <paramref name="from"/> to <paramref name="to"/> (inclusive), by status.</summary>
    public async Task<IReadOnlyList<DayCount>> DayCountsAsync(Guid organisationId, DateOnly from, DateOnly to, CalendarFilter filter, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(filter);
        var statuses = await StatusesAsync(organisationId, from, to, filter, ct);
        return [.. statuses.GroupBy(s => s.Date).OrderBy(g => g.Key).Select(g => new DayCount(g.Key, Count(g.Select(s => s.Status))))];
    }

    /// <summary>
    /// The three-year view: the current certification cycle month by month, from the month of issue
    /// (or, without a certificate, from this month) for <see cref="CycleMonths"/> months, with the
    /// stage 2, surveillance and recertification audits on it.
    /// </summary>
    public async Task<CycleCalendar> CycleAsync(Guid organisationId, CalendarFilter filter, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(filter);
        var cycle = await db.CertificationCycles.AsNoTracking().Include(c => c.Audits)
            .SingleOrDefaultAsync(c => c.OrganisationId == organisationId && c.IsCurrent, ct);
        var today = DateOnly.FromDateTime(time.GetUtcNow().UtcDateTime);
        var start = cycle?.IssueDate ?? today;
        var first = new DateOnly(start.Year, start.Month, 1);
        var last = first.AddMonths(CycleMonths - 1);
        var audits = new List<CalendarAudit>();
        if (cycle is not null)
        {
            if (cycle.Stage2AuditDate is { } stage2)
            {
                audits.Add(new CalendarAudit("stage-2", "Stage 2 audit", stage2, null, null, stage2));
            }

            audits.AddRange(cycle.Audits.OrderBy(a => a.PlannedDate).Select(a =>
                new CalendarAudit(a.Kind.ToName(), a.Kind.ToLabel(), a.PlannedDate, a.WindowStart, a.WindowEnd, a.HeldOn)));
        }

        var statuses = await StatusesAsync(organisationId, first, last.AddMonths(1).AddDays(-1), filter, ct);
        var byMonth = statuses.ToLookup(s => new DateOnly(s.Date.Year, s.Date.Month, 1));
        var months = new List<CycleMonth>(CycleMonths);
        for (var month = first; month <= last; month = month.AddMonths(1))
        {
            var m = month;
            months.Add(new CycleMonth(m, Count(byMonth[m].Select(s => s.Status)),
                [.. audits.Where(a => (a.HeldOn ?? a.PlannedDate) is var d && d.Year == m.Year && d.Month == m.Month)]));
        }

        return new CycleCalendar(cycle, first, last, months, audits);
    }

    private static Dictionary<OccurrenceStatus, int> Count(IEnumerable<OccurrenceStatus> statuses)
    {
        var counts = new Dictionary<OccurrenceStatus, int>();
        foreach (var status in statuses)
        {
            counts[status] = counts.GetValueOrDefault(status) + 1;
        }

        return counts;
    }

    /// <summary>Each occurrence's due date and status in a range: one narrow query, activity details from a second.</summary>
    private async Task<List<(DateOnly Date, OccurrenceStatus Status)>> StatusesAsync(Guid organisationId, DateOnly from, DateOnly to, CalendarFilter filter, CancellationToken ct)
    {
        if (to < from)
        {
            throw UseCaseException.Invalid("to", "'to' must not be before 'from'.");
        }

        var selected = Activities(organisationId, filter with { IncludeRetired = true });
        var zones = await selected.Select(a => new { a.Id, a.TimeZone, a.ReminderLeadDays, a.State }).ToDictionaryAsync(a => a.Id, ct);
        var rows = await Occurrences(organisationId, !filter.IsEmpty, selected)
            .Where(o => o.DueDate >= from && o.DueDate <= to)
            .Select(o => new { o.ActivityId, o.DueDate, o.State, o.CompletedAt })
            .ToListAsync(ct);
        var now = time.GetUtcNow();
        var result = new List<(DateOnly, OccurrenceStatus)>(rows.Count);
        foreach (var o in rows)
        {
            // As everywhere else, open occurrences of retired activities are no longer due.
            if (!zones.TryGetValue(o.ActivityId, out var a) || (a.State == ActivityState.Retired && o.State == OccurrenceState.Open))
            {
                continue;
            }

            result.Add((o.DueDate, OccurrenceService.StatusOf(o.State, o.DueDate, o.CompletedAt, a.TimeZone, a.ReminderLeadDays, now)));
        }

        return result;
    }

    private IQueryable<Activity> Activities(Guid organisationId, CalendarFilter filter)
    {
        var selected = activities.Filter(organisationId, new ActivityQuery(filter.OwnerUserId, filter.ControlId, filter.FrameworkId));
        return filter.IncludeRetired ? selected : selected.Where(a => a.State != ActivityState.Retired);
    }

    /// <summary>The organisation's occurrences, narrowed to the selected activities when <paramref name="narrow"/>.</summary>
    private IQueryable<Occurrence> Occurrences(Guid organisationId, bool narrow, IQueryable<Activity> selected)
    {
        var occurrences = db.Occurrences.Where(o => o.OrganisationId == organisationId);
        if (narrow)
        {
            var ids = selected.Select(a => a.Id);
            occurrences = occurrences.Where(o => ids.Contains(o.ActivityId));
        }

        return occurrences;
    }

    private static string Date(DateTime local) => local.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture);
}

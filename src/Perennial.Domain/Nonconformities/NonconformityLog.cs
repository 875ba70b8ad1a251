using System.Globalization;
using ClosedXML.Excel;
using Microsoft.EntityFrameworkCore;
using Perennial.Common;
using Perennial.Data;
using Perennial.InternalAudits;
using Perennial.Paging;

namespace Perennial.Nonconformities;

/// <summary>Every filter narrows the log; <paramref name="OverdueOnly"/> keeps open ones past their date or with a corrective action past its date.</summary>
public sealed record NonconformityQuery(
    NonconformityStatus? Status = null, NonconformitySource? Source = null, NonconformitySeverity? Severity = null, Guid? OwnerUserId = null, bool OverdueOnly = false,
    bool OpenOnly = false);

/// <param name="Recurrences">How many nonconformities of the recurrence window (this one included) name the same clause or control; 0 when it is the only one.</param>
public sealed record NonconformityLogItem(
    Guid Id, string Reference, string Title, NonconformitySource Source, NonconformitySeverity Severity, string? Identifier, NonconformityStatus Status,
    Guid? OwnerUserId, string? OwnerEmail, string? OwnerName, DateTimeOffset RaisedAt, DateOnly? DueOn, DateTimeOffset? ClosedAt, string? ClosureJustification,
    Guid? OccurrenceId, int OpenActions, int OverdueActions, int Round, int AgeDays, bool Overdue, int Recurrences = 0);

/// <summary>One corrective action as the log's second sheet lists it.</summary>
public sealed record CorrectiveActionRow(string Nonconformity, int Round, string Title, string? Owner, DateOnly DueOn, string Status, DateOnly? DoneOn, string? Note);

/// <summary>
/// The period within which nonconformities on the same clause or control count as recurring: the
/// current certification cycle, or the last three years before the first certificate.
/// </summary>
public sealed record RecurrenceWindow(DateOnly From, DateOnly To, int? CycleNumber)
{
    public DateTimeOffset Start => new(From.ToDateTime(TimeOnly.MinValue), TimeSpan.Zero);
    public DateTimeOffset End => new(To.AddDays(1).ToDateTime(TimeOnly.MinValue), TimeSpan.Zero);

    public string Describe() => CycleNumber is { } n
        ? string.Create(CultureInfo.InvariantCulture, $"certification cycle {n} ({From:yyyy-MM-dd} to {To:yyyy-MM-dd})")
        : string.Create(CultureInfo.InvariantCulture, $"the three years to {To:yyyy-MM-dd} (no certification cycle recorded)");
}

public sealed record RecurringMember(Guid Id, string Reference, string Title, NonconformitySource Source, NonconformitySeverity Severity, NonconformityStatus Status, DateTimeOffset RaisedAt, DateTimeOffset? ClosedAt);

/// <summary>Nonconformities of the window on one clause or control: a sign that an earlier corrective action did not hold.</summary>
public sealed record RecurringGroup(string Identifier, string? Title, IReadOnlyList<RecurringMember> Members)
{
    public int Open => Members.Count(m => m.Status != NonconformityStatus.Closed);
}

/// <summary>The nonconformity log: filtered, paged, newest first, with ageing, overdue actions and recurrence.</summary>
public sealed class NonconformityLog(PerennialDbContext db, TimeProvider time)
{
    /// <summary>The most rows an export writes; the log of any real organisation is far smaller.</summary>
    public const int MaxExportRows = 50_000;

    public static bool IsOverdue(NonconformityStatus status, DateOnly? dueOn, DateOnly today) =>
        status != NonconformityStatus.Closed && dueOn is { } due && due < today;

    private DateOnly Today => DateOnly.FromDateTime(time.GetUtcNow().UtcDateTime);

    public async Task<Paged<NonconformityLogItem>> ListAsync(Guid organisationId, NonconformityQuery query, PageRequest page, CancellationToken ct)
    {
        var today = Today;
        var rows = await Project(Filter(organisationId, query, today), today).ToPagedAsync(page, ct);
        var window = await WindowAsync(organisationId, ct);
        return new Paged<NonconformityLogItem>(await WithRecurrenceAsync(organisationId, window, rows.Items, today, ct), rows.Page, rows.PageSize, rows.Total);
    }

    /// <summary>Every row the filters keep, for the export, with the recurrence window their counts were taken in.</summary>
    public async Task<(RecurrenceWindow Window, IReadOnlyList<NonconformityLogItem> Rows)> AllAsync(Guid organisationId, NonconformityQuery query, CancellationToken ct)
    {
        var today = Today;
        var rows = await Project(Filter(organisationId, query, today), today).Take(MaxExportRows).ToListAsync(ct);
        var window = await WindowAsync(organisationId, ct);
        return (window, await WithRecurrenceAsync(organisationId, window, rows, today, ct));
    }

    public async Task<RecurrenceWindow> WindowAsync(Guid organisationId, CancellationToken ct)
    {
        var cycle = await db.CertificationCycles.AsNoTracking().Where(c => c.OrganisationId == organisationId && c.IsCurrent)
            .Select(c => new { c.Number, c.IssueDate, c.ExpiryDate }).FirstOrDefaultAsync(ct);
        var today = Today;
        return cycle is null ? new RecurrenceWindow(today.AddYears(-3).AddDays(1), today, null) : new RecurrenceWindow(cycle.IssueDate, cycle.ExpiryDate, cycle.Number);
    }

    /// <summary>Clauses and controls with more than one nonconformity raised in the window, most first, each with its nonconformities oldest first.</summary>
    public async Task<(RecurrenceWindow Window, IReadOnlyList<RecurringGroup> Groups)> RecurringAsync(Guid organisationId, CancellationToken ct)
    {
        var window = await WindowAsync(organisationId, ct);
        var (start, end) = (window.Start, window.End);
        var repeated = db.Nonconformities
            .Where(n => n.OrganisationId == organisationId && n.Identifier != null && n.RaisedAt >= start && n.RaisedAt < end)
            .GroupBy(n => n.Identifier).Where(g => g.Count() > 1).Select(g => g.Key);
        var members = await db.Nonconformities.AsNoTracking()
            .Where(n => n.OrganisationId == organisationId && n.RaisedAt >= start && n.RaisedAt < end && repeated.Contains(n.Identifier))
            .Select(n => new { n.Identifier, Member = new RecurringMember(n.Id, n.Reference, n.Title, n.Source, n.Severity, n.Status, n.RaisedAt, n.ClosedAt) })
            .ToListAsync(ct);
        var groups = members.GroupBy(m => m.Identifier!, StringComparer.Ordinal)
            .Select(g => new RecurringGroup(g.Key, AuditableItems.ByIdentifier.TryGetValue(g.Key, out var item) ? item.Title : null,
                [.. g.Select(m => m.Member).OrderBy(m => m.RaisedAt).ThenBy(m => m.Reference, StringComparer.Ordinal)]))
            .OrderByDescending(g => g.Members.Count).ThenBy(g => g.Identifier, IdentifierOrder.Instance)
            .ToList();
        return (window, groups);
    }

    /// <summary>The nonconformities of the window that name <paramref name="identifier"/>, oldest first; empty unless there are two or more.</summary>
    public async Task<(RecurrenceWindow Window, IReadOnlyList<RecurringMember> Members)> SameIdentifierAsync(Guid organisationId, string? identifier, CancellationToken ct)
    {
        var window = await WindowAsync(organisationId, ct);
        if (identifier is null)
        {
            return (window, []);
        }

        var (start, end) = (window.Start, window.End);
        var members = await db.Nonconformities.AsNoTracking()
            .Where(n => n.OrganisationId == organisationId && n.Identifier == identifier && n.RaisedAt >= start && n.RaisedAt < end)
            .Select(n => new RecurringMember(n.Id, n.Reference, n.Title, n.Source, n.Severity, n.Status, n.RaisedAt, n.ClosedAt))
            .ToListAsync(ct);
        return (window, members.Count > 1 ? [.. members.OrderBy(m => m.RaisedAt).ThenBy(m => m.Reference, StringComparer.Ordinal)] : []);
    }

    private IQueryable<Nonconformity> Filter(Guid organisationId, NonconformityQuery query, DateOnly today)
    {
        ArgumentNullException.ThrowIfNull(query);
        var items = db.Nonconformities.AsNoTracking().Where(n => n.OrganisationId == organisationId);
        if (query.Status is { } status)
        {
            items = items.Where(n => n.Status == status);
        }

        if (query.OpenOnly)
        {
            items = items.Where(n => n.Status != NonconformityStatus.Closed);
        }

        if (query.Source is { } source)
        {
            items = items.Where(n => n.Source == source);
        }

        if (query.Severity is { } severity)
        {
            items = items.Where(n => n.Severity == severity);
        }

        if (query.OwnerUserId is { } owner)
        {
            // One uncorrelated IN list rather than an EXISTS per row: without statistics SQLite would
            // answer the EXISTS through the owner index, reading all of the owner's actions per row.
            var actionsOwned = db.CorrectiveActions.Where(a => a.OrganisationId == organisationId && a.OwnerUserId == owner && a.Status == CorrectiveActionStatus.Open)
                .Select(a => a.NonconformityId);
            items = items.Where(n => n.OwnerUserId == owner || actionsOwned.Contains(n.Id));
        }

        if (query.OverdueOnly)
        {
            var lateActions = db.CorrectiveActions.Where(a => a.OrganisationId == organisationId && a.Status == CorrectiveActionStatus.Open && a.DueOn < today)
                .Select(a => a.NonconformityId);
            items = items.Where(n => n.Status != NonconformityStatus.Closed && ((n.DueOn != null && n.DueOn < today) || lateActions.Contains(n.Id)));
        }

        return items.OrderByDescending(n => n.RaisedAt).ThenByDescending(n => n.Reference);
    }

    private IQueryable<NonconformityLogItem> Project(IQueryable<Nonconformity> items, DateOnly today) =>
        items.Select(n => new NonconformityLogItem(
            n.Id,
            n.Reference,
            n.Title,
            n.Source,
            n.Severity,
            n.Identifier,
            n.Status,
            n.OwnerUserId,
            db.Users.Where(u => u.Id == n.OwnerUserId).Select(u => u.Email).FirstOrDefault(),
            db.Users.Where(u => u.Id == n.OwnerUserId).Select(u => u.DisplayName).FirstOrDefault(),
            n.RaisedAt,
            n.DueOn,
            n.ClosedAt,
            n.ClosureJustification,
            n.OccurrenceId,
            n.Actions.Count(a => a.Status == CorrectiveActionStatus.Open),
            n.Actions.Count(a => a.Status == CorrectiveActionStatus.Open && a.DueOn < today),
            n.CurrentRound,
            0,
            false,
            0));

    /// <summary>Ageing, overdue and recurrence for the rows read: one grouped count over the window for the rows' clauses and controls.</summary>
    private async Task<IReadOnlyList<NonconformityLogItem>> WithRecurrenceAsync(
        Guid organisationId, RecurrenceWindow window, IReadOnlyList<NonconformityLogItem> rows, DateOnly today, CancellationToken ct)
    {
        var identifiers = rows.Where(r => r.Identifier is not null).Select(r => r.Identifier!).Distinct(StringComparer.Ordinal).ToList();
        var counts = new Dictionary<string, int>(StringComparer.Ordinal);
        if (identifiers.Count > 0)
        {
            var (start, end) = (window.Start, window.End);
            counts = await db.Nonconformities
                .Where(n => n.OrganisationId == organisationId && n.RaisedAt >= start && n.RaisedAt < end && EF.Parameter(identifiers).Contains(n.Identifier!))
                .GroupBy(n => n.Identifier!).Select(g => new { g.Key, Count = g.Count() })
                .ToDictionaryAsync(g => g.Key, g => g.Count, StringComparer.Ordinal, ct);
        }

        return [.. rows.Select(r => r with
        {
            AgeDays = (r.ClosedAt is { } closed ? DateOnly.FromDateTime(closed.UtcDateTime) : today).DayNumber - DateOnly.FromDateTime(r.RaisedAt.UtcDateTime).DayNumber,
            Overdue = IsOverdue(r.Status, r.DueOn, today) || r.OverdueActions > 0,
            Recurrences = r.Identifier is { } id && r.RaisedAt >= window.Start && r.RaisedAt < window.End && counts.GetValueOrDefault(id) is var n && n > 1 ? n : 0,
        })];
    }

    public static readonly IReadOnlyList<string> Columns =
    [
        "Reference", "Title", "Source", "Severity", "Clause or control", "Status", "Owner", "Raised", "Due", "Age (days)", "Overdue",
        "Open actions", "Overdue actions", "Round", "Closed", "Closed without an effective check because", "Recurring in the window",
    ];

    private static readonly double[] Widths = [12, 50, 18, 10, 14, 26, 24, 12, 12, 10, 9, 12, 14, 8, 12, 40, 14];

    public static readonly IReadOnlyList<string> ActionColumns = ["Nonconformity", "Round", "Corrective action", "Owner", "Due", "Status", "Done", "Note"];

    private static readonly double[] ActionWidths = [14, 8, 50, 24, 12, 12, 12, 40];

    /// <summary>The log as an XLSX workbook: one row per nonconformity as filtered, and a sheet saying what was exported and when.</summary>
    /// <param name="actions">When given, a second sheet lists these corrective actions, one row each.</param>
    public static void WriteXlsx(
        Stream output, string organisationName, IReadOnlyList<NonconformityLogItem> rows, string filterDescription, RecurrenceWindow window, DateTimeOffset generatedAt,
        IReadOnlyList<CorrectiveActionRow>? actions = null)
    {
        ArgumentNullException.ThrowIfNull(output);
        ArgumentNullException.ThrowIfNull(rows);
        ArgumentNullException.ThrowIfNull(window);
        using var workbook = new XLWorkbook();
        var sheet = workbook.AddWorksheet("Nonconformities");
        Spreadsheets.WriteHeader(sheet, Columns, Widths);
        var r = 2;
        foreach (var row in rows)
        {
            Spreadsheets.SetText(sheet.Cell(r, 1), row.Reference);
            Spreadsheets.SetText(sheet.Cell(r, 2), row.Title);
            Spreadsheets.SetText(sheet.Cell(r, 3), row.Source.Label());
            Spreadsheets.SetText(sheet.Cell(r, 4), row.Severity.Name());
            Spreadsheets.SetText(sheet.Cell(r, 5), row.Identifier);
            Spreadsheets.SetText(sheet.Cell(r, 6), row.Status.Label());
            Spreadsheets.SetText(sheet.Cell(r, 7), row.OwnerName ?? row.OwnerEmail);
            Date(sheet.Cell(r, 8), DateOnly.FromDateTime(row.RaisedAt.UtcDateTime));
            Date(sheet.Cell(r, 9), row.DueOn);
            sheet.Cell(r, 10).SetValue(row.AgeDays);
            Spreadsheets.SetText(sheet.Cell(r, 11), row.Overdue ? "yes" : "no");
            sheet.Cell(r, 12).SetValue(row.OpenActions);
            sheet.Cell(r, 13).SetValue(row.OverdueActions);
            sheet.Cell(r, 14).SetValue(row.Round);
            Date(sheet.Cell(r, 15), row.ClosedAt is { } closed ? DateOnly.FromDateTime(closed.UtcDateTime) : null);
            Spreadsheets.SetText(sheet.Cell(r, 16), row.ClosureJustification);
            if (row.Recurrences > 1)
            {
                sheet.Cell(r, 17).SetValue(row.Recurrences);
            }

            r++;
        }

        Spreadsheets.Finish(sheet, r - 1, Columns.Count);
        if (actions is not null)
        {
            var plan = workbook.AddWorksheet("Corrective actions");
            Spreadsheets.WriteHeader(plan, ActionColumns, ActionWidths);
            r = 2;
            foreach (var a in actions)
            {
                Spreadsheets.SetText(plan.Cell(r, 1), a.Nonconformity);
                plan.Cell(r, 2).SetValue(a.Round);
                Spreadsheets.SetText(plan.Cell(r, 3), a.Title);
                Spreadsheets.SetText(plan.Cell(r, 4), a.Owner);
                Date(plan.Cell(r, 5), a.DueOn);
                Spreadsheets.SetText(plan.Cell(r, 6), a.Status);
                Date(plan.Cell(r, 7), a.DoneOn);
                Spreadsheets.SetText(plan.Cell(r, 8), a.Note);
                r++;
            }

            plan.Columns(3, 3).Style.Alignment.WrapText = true;
            plan.Columns(8, 8).Style.Alignment.WrapText = true;
            Spreadsheets.Finish(plan, r - 1, ActionColumns.Count);
        }

        var about = workbook.AddWorksheet("About");
        Spreadsheets.SetText(about.Cell(1, 1), $"{organisationName}: nonconformity log");
        about.Cell(1, 1).Style.Font.Bold = true;
        Spreadsheets.SetText(about.Cell(2, 1), $"Generated {generatedAt.UtcDateTime.ToString("yyyy-MM-dd HH:mm", CultureInfo.InvariantCulture)} UTC; {rows.Count} nonconformities.");
        Spreadsheets.SetText(about.Cell(3, 1), filterDescription);
        Spreadsheets.SetText(about.Cell(4, 1), $"Age counts days from raised to closed, or to today while open. \"Recurring\" counts the nonconformities on the same clause or control raised in {window.Describe()}.");
        about.Column(1).Width = 100;
        workbook.SaveAs(output);
    }

    private static void Date(IXLCell cell, DateOnly? date)
    {
        if (date is { } d)
        {
            cell.SetValue(d.ToDateTime(TimeOnly.MinValue));
            cell.Style.DateFormat.Format = "yyyy-mm-dd";
        }
    }
}

using System.Globalization;
using System.Text;
using System.Text.Json;
using ClosedXML.Excel;
using Microsoft.EntityFrameworkCore;
using Perennial.Activities;
using Perennial.AuditTrail;
using Perennial.Common;
using Perennial.Data;
using Perennial.Evidence;
using Perennial.InternalAudits;
using Perennial.ManagementReviews;
using Perennial.Nonconformities;
using Perennial.Readiness;
using Perennial.Risks;
using Perennial.Soa;

namespace Perennial.AuditPacks;

/// <summary>Who asked for the pack: named in it, and recorded as the source of its receipt.</summary>
public sealed record AuditPackActor(Guid? UserId, string Name);

/// <summary>A pack that was written and recorded: where its receipt is kept among the evidence.</summary>
public sealed record AuditPackResult(AuditWindow Window, AuditPackSeal Seal, Guid ReceiptEvidenceId, long EvidenceBytes, int EvidenceFiles);

/// <summary>
/// Builds the audit pack for an audit's period: the records an auditor asks for, the evidence whose
/// period overlaps the audit's, an extract of the audit trail, an offline index and a manifest with
/// every file's SHA-256. The ZIP is streamed as it is written; when it is complete, a receipt with
/// its hash is recorded as evidence of the audit.
/// </summary>
public sealed class AuditPackBuilder(
    PerennialDbContext db, TimeProvider time, ReadinessService readiness, SoaSpreadsheet soa, RiskSpreadsheet riskSheets,
    InternalAuditReport reports, ManagementReviewService reviews, NonconformityLog log, EvidenceService evidence, AuditTrailVerifier trail)
{
    public const string ContentType = "application/zip";

    private static readonly string[] CalendarColumns =
        ["Activity", "Title", "Controls", "Owner", "Due", "Status", "Completed", "Completed by", "Evidence", "Notes or reason skipped"];

    private static readonly double[] CalendarWidths = [11, 40, 20, 24, 12, 18, 18, 24, 9, 50];

    /// <summary>The audit and period a query names; throws a validation error before anything is written.</summary>
    public Task<AuditWindow> WindowAsync(Guid organisationId, ReadinessQuery query, CancellationToken ct) =>
        readiness.WindowAsync(organisationId, query, DateOnly.FromDateTime(time.GetUtcNow().UtcDateTime), ct);

    /// <summary>The pack's file name, e.g. <c>acme-audit-pack-2026-09-15.zip</c>.</summary>
    public static string FileName(string slug, AuditWindow window)
    {
        ArgumentNullException.ThrowIfNull(window);
        return string.Create(CultureInfo.InvariantCulture, $"{slug}-audit-pack-{window.AuditDate:yyyy-MM-dd}.zip");
    }

    /// <summary>Writes the pack for <paramref name="window"/> to <paramref name="output"/>, then records its receipt.</summary>
    public async Task<AuditPackResult> WriteAsync(Guid organisationId, AuditWindow window, Stream output, AuditPackActor actor, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(window);
        ArgumentNullException.ThrowIfNull(actor);
        var organisation = await db.Organisations.AsNoTracking().SingleAsync(o => o.Id == organisationId, ct);
        var now = time.GetUtcNow();
        var today = DateOnly.FromDateTime(now.UtcDateTime);
        var (from, auditDate) = (window.PeriodFrom, window.AuditDate);
        var periodStart = Start(from);
        var periodEnd = Start(auditDate.AddDays(1));
        var notes = new List<string>();
        var index = new AuditPackIndex(organisation.Name, window, now, actor.Name);

        var writer = await AuditPackWriter.CreateAsync(output, now, ct);
        await using (writer)
        {
            // The Statement of Applicability in force on the audit day: the last version published by its end.
            var version = await db.SoaVersions.AsNoTracking()
                .Where(v => v.OrganisationId == organisationId && v.Number > 0 && v.PublishedAt != null && v.PublishedAt < periodEnd)
                .OrderByDescending(v => v.Number).Select(v => new { v.Number, v.PublishedAt, v.ApproverName }).FirstOrDefaultAsync(ct);
            if (version is null)
            {
                notes.Add("No Statement of Applicability had been published by the audit day, so the pack holds none.");
            }
            else
            {
                var file = await writer.AddAsync($"soa/statement-of-applicability-v{version.Number}.xlsx",
                    await WorkbookAsync(stream => soa.ExportAsync(organisationId, version.Number, organisation.Name, stream, ct)),
                    new AuditPackFileInfo($"Statement of Applicability, version {version.Number}, published {Day(version.PublishedAt!.Value)}{(version.ApproverName is { } a ? $" (approved by {a})" : "")}",
                        $"Statement of Applicability, version {version.Number}"), compress: true, ct);
                index.Add("Statement of Applicability", file);
            }

            // The register as the audit found it: at the end of the day before the audit (or today, if that is earlier).
            var registerDay = auditDate.AddDays(-1) < today ? auditDate.AddDays(-1) : today;
            var risks = await writer.AddAsync($"risks/risk-register-and-treatment-plan-{registerDay:yyyy-MM-dd}.xlsx",
                await WorkbookAsync(stream => riskSheets.ExportAsOfAsync(organisationId, organisation.Name, registerDay, stream, ct)),
                new AuditPackFileInfo($"Risk register revisions valid at the end of {Day(registerDay)}, and the actions not done that day",
                    $"Risk register and treatment plan as at {Day(registerDay)}", registerDay, registerDay), compress: true, ct);
            index.Add("Risk register and treatment plan", risks);

            var calendar = await CalendarAsync(organisationId, from, auditDate, now, ct);
            var calendarFile = await writer.AddAsync($"calendar/calendar-{from:yyyy-MM-dd}-to-{auditDate:yyyy-MM-dd}.xlsx", calendar.Workbook,
                new AuditPackFileInfo("Maintenance calendar: every occurrence due in the audit period, with its status", "Maintenance calendar of the audit period", from, auditDate),
                compress: true, ct);
            index.Add("Maintenance calendar", calendarFile, calendar.Summary);

            await AddInternalAuditsAsync(writer, index, organisationId, from, auditDate, periodEnd, ct);
            await AddNonconformitiesAsync(writer, index, organisation.Name, organisationId, from, auditDate, periodStart, periodEnd, now, ct);
            await AddReviewsAsync(writer, index, organisationId, auditDate, periodEnd, notes, ct);
            var (evidenceFiles, evidenceBytes) = await AddEvidenceAsync(writer, index, organisationId, from, auditDate, notes, ct);
            var trailSummary = await AddTrailAsync(writer, index, organisationId, from, auditDate, periodStart, periodEnd, ct);

            var html = index.Render(trailSummary, notes);
            await writer.AddAsync(AuditPackManifest.IndexPath, html, new AuditPackFileInfo("The pack's offline index", "Index"), compress: true, ct);
            var manifest = new AuditPackManifest(
                AuditPackManifest.CurrentFormat,
                new AuditPackOrganisation(organisation.Slug, organisation.Name),
                new AuditPackAudit(auditDate, from, window.Source, window.ExternalAuditId),
                now, actor.Name, trailSummary, [.. writer.Files], notes);
            var seal = await writer.FinishAsync(manifest, ct);
            var receipt = await RecordAsync(organisationId, organisation.Slug, window, seal, actor, today, now, ct);
            return new AuditPackResult(window, seal, receipt, evidenceBytes, evidenceFiles);
        }
    }

    private async Task<Guid> RecordAsync(Guid organisationId, string slug, AuditWindow window, AuditPackSeal seal, AuditPackActor actor, DateOnly today, DateTimeOffset now, CancellationToken ct)
    {
        var receipt = JsonSerializer.SerializeToUtf8Bytes(new
        {
            format = AuditPackManifest.CurrentFormat,
            file = FileName(slug, window),
            packSha256 = seal.PackSha256,
            packSize = seal.PackSize,
            manifestSha256 = seal.ManifestSha256,
            files = seal.Files,
            auditDate = window.AuditDate,
            periodFrom = window.PeriodFrom,
            audit = window.Source,
            externalAuditId = window.ExternalAuditId,
            generatedAt = now,
            generatedBy = actor.Name,
        }, AuditPackManifest.Json);
        var to = window.AuditDate < today ? window.AuditDate : today;
        var input = new EvidenceInput
        {
            Title = $"Audit pack for the audit on {Day(window.AuditDate)}",
            Description = string.Create(CultureInfo.InvariantCulture,
                $"{window.Source}; period {Day(window.PeriodFrom)} to {Day(window.AuditDate)}. ZIP SHA-256 {seal.PackSha256}, {seal.PackSize} bytes, {seal.Files} files; manifest SHA-256 {seal.ManifestSha256}."),
            Kind = EvidenceKind.Snapshot,
            PeriodFrom = window.PeriodFrom <= to ? window.PeriodFrom : to,
            PeriodTo = to,
            CollectedAt = now,
        };
        using var content = new MemoryStream(receipt);
        var recorded = await evidence.AddAsync(organisationId, input, new IncomingContent(content, "audit-pack-receipt.json", "application/json"),
            new EvidenceOrigin(EvidenceSource.System, actor.UserId), ct);
        return recorded.Item.Id;
    }

    private async Task<(byte[] Workbook, string Summary)> CalendarAsync(Guid organisationId, DateOnly first, DateOnly last, DateTimeOffset now, CancellationToken ct)
    {
        var rows = await (
                from o in db.Occurrences.AsNoTracking()
                join a in db.Activities on o.ActivityId equals a.Id
                where o.OrganisationId == organisationId && o.DueDate >= first && o.DueDate <= last
                orderby o.DueDate, a.Reference
                select new
                {
                    o.Id,
                    o.ActivityId,
                    a.Reference,
                    a.Title,
                    OwnerName = a.Owner!.DisplayName,
                    o.DueDate,
                    o.State,
                    o.CompletedAt,
                    CompletedBy = o.CompletedBy!.DisplayName,
                    o.Notes,
                    o.SkipReason,
                    a.TimeZone,
                    a.ReminderLeadDays,
                    Evidence = o.Evidence.Count,
                })
            .ToListAsync(ct);
        var activityIds = rows.Select(r => r.ActivityId).Distinct().ToList();
        var controls = (await db.ActivityControls.AsNoTracking().Where(c => activityIds.Contains(c.ActivityId))
                .Join(db.Controls, c => c.ControlId, k => k.Id, (c, k) => new { c.ActivityId, k.Identifier }).ToListAsync(ct))
            .GroupBy(c => c.ActivityId)
            .ToDictionary(g => g.Key, g => string.Join(", ", g.Select(c => c.Identifier).Order(IdentifierOrder.Instance)));

        var counts = new Dictionary<OccurrenceStatus, int>();
        using var workbook = new XLWorkbook();
        workbook.Properties.Author = "Perennial";
        var sheet = workbook.AddWorksheet("Calendar");
        Spreadsheets.WriteHeader(sheet, CalendarColumns, CalendarWidths);
        var r = 2;
        foreach (var o in rows)
        {
            var status = OccurrenceService.StatusOf(o.State, o.DueDate, o.CompletedAt, o.TimeZone, o.ReminderLeadDays, now);
            counts[status] = counts.GetValueOrDefault(status) + 1;
            Spreadsheets.SetText(sheet.Cell(r, 1), o.Reference);
            Spreadsheets.SetText(sheet.Cell(r, 2), o.Title);
            Spreadsheets.SetText(sheet.Cell(r, 3), controls.GetValueOrDefault(o.ActivityId));
            Spreadsheets.SetText(sheet.Cell(r, 4), o.OwnerName);
            sheet.Cell(r, 5).SetValue(o.DueDate.ToDateTime(TimeOnly.MinValue));
            sheet.Cell(r, 5).Style.DateFormat.Format = "yyyy-mm-dd";
            Spreadsheets.SetText(sheet.Cell(r, 6), ActivityNames.ToLabel(status));
            Spreadsheets.SetText(sheet.Cell(r, 7), o.CompletedAt?.UtcDateTime.ToString("yyyy-MM-dd HH:mm 'UTC'", CultureInfo.InvariantCulture));
            Spreadsheets.SetText(sheet.Cell(r, 8), o.CompletedBy);
            sheet.Cell(r, 9).SetValue(o.Evidence);
            Spreadsheets.SetText(sheet.Cell(r, 10), o.State == OccurrenceState.Skipped ? o.SkipReason : o.Notes);
            r++;
        }

        sheet.Column(2).Style.Alignment.WrapText = true;
        sheet.Column(10).Style.Alignment.WrapText = true;
        Spreadsheets.Finish(sheet, r - 1, CalendarColumns.Length);
        using var stream = new MemoryStream();
        workbook.SaveAs(stream);
        var summary = rows.Count == 0
            ? "No occurrence fell due in the period."
            : $"{rows.Count} occurrence(s) due in the period: " + string.Join(", ", counts.OrderBy(c => c.Key).Select(c => $"{c.Value} {ActivityNames.ToLabel(c.Key).ToLowerInvariant()}")) + ".";
        return (stream.ToArray(), summary);
    }

    private async Task AddInternalAuditsAsync(AuditPackWriter writer, AuditPackIndex index, Guid organisationId, DateOnly from, DateOnly auditDate, DateTimeOffset periodEnd, CancellationToken ct)
    {
        // Reports signed off since the start of the certification cycle the audit falls in (or of the period, if earlier).
        var cycleStart = await db.CertificationCycles.AsNoTracking()
            .Where(c => c.OrganisationId == organisationId && c.IssueDate <= auditDate && c.ExpiryDate >= auditDate)
            .Select(c => (DateOnly?)c.IssueDate).FirstOrDefaultAsync(ct);
        var since = Start(cycleStart is { } s && s < from ? s : from);
        var audits = (await db.InternalAudits.AsNoTracking()
                .Where(a => a.OrganisationId == organisationId && a.Status == InternalAuditStatus.Reported && a.SignedOffAt != null)
                .Select(a => new { a.Id, a.Reference, a.Title, a.SignedOffAt, a.PeriodFrom, a.PeriodTo, a.ReportEvidenceId })
                .ToListAsync(ct))
            .Where(a => a.SignedOffAt >= since && a.SignedOffAt < periodEnd)
            .OrderBy(a => a.SignedOffAt).ToList();
        foreach (var audit in audits)
        {
            var info = new AuditPackFileInfo($"Internal audit {audit.Reference}, report signed off {Day(audit.SignedOffAt!.Value)}", $"{audit.Reference} {audit.Title}", audit.PeriodFrom, audit.PeriodTo);
            var path = $"internal-audits/{audit.Reference}-report.docx";
            Stream? kept = null;
            if (audit.ReportEvidenceId is { } id && await db.EvidenceItems.AsNoTracking().Where(e => e.Id == id).Select(e => e.Sha256).FirstOrDefaultAsync(ct) is { } sha)
            {
                kept = await evidence.Store.OpenReadAsync(sha, ct);
            }

            AuditPackFile file;
            if (kept is not null)
            {
                await using (kept)
                {
                    file = await writer.AddAsync(path, kept, info with { Source = info.Source + ", as kept in the evidence", EvidenceId = audit.ReportEvidenceId }, compress: true, ct);
                }
            }
            else
            {
                file = await writer.AddAsync(path, InternalAuditReport.Docx(await reports.ModelAsync(organisationId, audit.Id, ct)), info, compress: true, ct);
            }

            index.Add("Internal audit reports", file);
        }

        if (audits.Count == 0)
        {
            index.Empty("Internal audit reports", "No internal audit report was signed off in the certification cycle before the audit.");
        }
    }

    private async Task AddNonconformitiesAsync(
        AuditPackWriter writer, AuditPackIndex index, string organisationName, Guid organisationId, DateOnly from, DateOnly auditDate, DateTimeOffset periodStart, DateTimeOffset periodEnd,
        DateTimeOffset now, CancellationToken ct)
    {
        // Every nonconformity open at some time in the period: raised by its end and not closed before its start.
        var (window, all) = await log.AllAsync(organisationId, new NonconformityQuery(), ct);
        var rows = all.Where(n => n.RaisedAt < periodEnd && (n.ClosedAt is null || n.ClosedAt >= periodStart)).ToList();
        var ids = rows.Select(n => n.Id).ToList();
        var references = rows.ToDictionary(n => n.Id, n => n.Reference);
        var actions = (await db.CorrectiveActions.AsNoTracking().Where(a => a.OrganisationId == organisationId && ids.Contains(a.NonconformityId))
                .Select(a => new { a.NonconformityId, a.Round, a.Title, Owner = db.Users.Where(u => u.Id == a.OwnerUserId).Select(u => u.DisplayName).FirstOrDefault(), a.DueOn, a.Status, a.DoneOn, a.Note })
                .ToListAsync(ct))
            .OrderBy(a => references[a.NonconformityId], StringComparer.Ordinal).ThenBy(a => a.Round).ThenBy(a => a.DueOn)
            .Select(a => new CorrectiveActionRow(references[a.NonconformityId], a.Round, a.Title, a.Owner, a.DueOn, a.Status.Name(), a.DoneOn, a.Note))
            .ToList();
        using var stream = new MemoryStream();
        NonconformityLog.WriteXlsx(stream, organisationName, rows,
            $"The nonconformities open at some time from {Day(from)} to {Day(auditDate)}, and their corrective actions.", window, now, actions);
        var file = await writer.AddAsync("nonconformities/nonconformity-log.xlsx", stream.ToArray(),
            new AuditPackFileInfo($"Nonconformity log: {rows.Count} nonconformity(ies) open in the period, {actions.Count} corrective action(s)", "Nonconformity log with corrective actions", from, auditDate),
            compress: true, ct);
        index.Add("Nonconformity log", file);
    }

    private async Task AddReviewsAsync(AuditPackWriter writer, AuditPackIndex index, Guid organisationId, DateOnly auditDate, DateTimeOffset periodEnd, List<string> notes, CancellationToken ct)
    {
        // The reviews of the twelve months before the audit, the span readiness asks one to fall in.
        var since = Start(auditDate.AddYears(-1));
        var held = (await db.ManagementReviews.AsNoTracking()
                .Where(r => r.OrganisationId == organisationId && r.Status == ReviewStatus.Held && r.HeldAt != null)
                .Select(r => new { r.Id, r.Reference, r.Title, r.HeldAt }).ToListAsync(ct))
            .Where(r => r.HeldAt >= since && r.HeldAt < periodEnd).OrderBy(r => r.HeldAt).ToList();
        foreach (var review in held)
        {
            var document = ReviewPackExport.Docx(await reviews.PackAsync(organisationId, review.Id, ct), await reviews.DetailAsync(organisationId, review.Id, ct));
            var day = DateOnly.FromDateTime(review.HeldAt!.Value.UtcDateTime);
            var file = await writer.AddAsync($"management-reviews/{review.Reference}-minutes.docx", document,
                new AuditPackFileInfo($"Management review {review.Reference}, held {Day(day)}: its inputs, minutes and decisions", $"{review.Reference} {review.Title}", day, day),
                compress: true, ct);
            index.Add("Management review minutes", file);
        }

        if (held.Count == 0)
        {
            notes.Add("No management review was held in the twelve months before the audit.");
            index.Empty("Management review minutes", "No management review was held in the twelve months before the audit.");
        }
    }

    private async Task<(int Files, long Bytes)> AddEvidenceAsync(AuditPackWriter writer, AuditPackIndex index, Guid organisationId, DateOnly first, DateOnly auditDate, List<string> notes, CancellationToken ct)
    {
        var items = await db.EvidenceItems.AsNoTracking()
            .Where(e => e.OrganisationId == organisationId && e.PeriodFrom <= auditDate && e.PeriodTo >= first)
            .OrderBy(e => e.PeriodFrom).ThenBy(e => e.Id)
            .Select(e => new
            {
                e.Id,
                e.Title,
                e.Kind,
                e.PeriodFrom,
                e.PeriodTo,
                e.Source,
                e.FileName,
                e.Sha256,
                e.Size,
                e.Url,
                e.SupersededById,
                SourceName = e.SourceUser!.DisplayName,
            })
            .ToListAsync(ct);
        var ids = items.Select(i => i.Id).ToList();
        var links = await (
                from l in db.EvidenceItemLinks.AsNoTracking()
                where ids.Contains(l.EvidenceItemId)
                join c in db.Controls on l.ControlId equals c.Id into cs
                from c in cs.DefaultIfEmpty()
                join a in db.Activities on l.ActivityId equals a.Id into acts
                from a in acts.DefaultIfEmpty()
                select new { l.EvidenceItemId, Control = c == null ? null : c.Identifier, Activity = a == null ? null : a.Reference })
            .ToListAsync(ct);
        var linked = links.GroupBy(l => l.EvidenceItemId).ToDictionary(g => g.Key,
            g => string.Join(", ", g.Select(l => l.Activity).OfType<string>().Distinct().Order(StringComparer.Ordinal)
                .Concat(g.Select(l => l.Control).OfType<string>().Distinct().Order(IdentifierOrder.Instance))));

        var files = 0;
        long bytes = 0;
        foreach (var item in items)
        {
            var what = linked.GetValueOrDefault(item.Id);
            var origin = item.Source.ToName() + (item.SourceName is { } n ? $", {n}" : "") + (item.SupersededById is null ? "" : ", since superseded");
            if (item.Kind == EvidenceKind.Link || item.Sha256 is null)
            {
                index.Link(item.Title, item.Url, item.PeriodFrom, item.PeriodTo, origin, what);
                continue;
            }

            var content = await evidence.Store.OpenReadAsync(item.Sha256, ct);
            if (content is null)
            {
                notes.Add($"Evidence item {item.Id:D} ({item.Title}) has no content in the store; it is not in the pack.");
                continue;
            }

            AuditPackFile file;
            await using (content)
            {
                file = await writer.AddAsync(EvidencePath(item.Id, item.PeriodFrom, item.Kind, item.FileName), content,
                    new AuditPackFileInfo($"evidence ({origin}){(what is null ? "" : $" for {what}")}", item.Title, item.PeriodFrom, item.PeriodTo, item.Id),
                    compress: false, ct);
            }

            if (!string.Equals(file.Sha256, item.Sha256, StringComparison.Ordinal))
            {
                notes.Add($"Evidence item {item.Id:D} ({item.Title}): the store returned bytes whose SHA-256 is {file.Sha256}, not the {item.Sha256} recorded; run the evidence check.");
            }

            index.Evidence(file, what);
            files++;
            bytes += file.Size;
        }

        return (files, bytes);
    }

    private async Task<AuditPackTrail> AddTrailAsync(
        AuditPackWriter writer, AuditPackIndex index, Guid organisationId, DateOnly from, DateOnly auditDate, DateTimeOffset periodStart, DateTimeOffset periodEnd, CancellationToken ct)
    {
        var check = await trail.VerifyAsync(ct);
        var head = await db.AuditTrailHeads.AsNoTracking().SingleOrDefaultAsync(ct);
        var headSequence = head?.LastSequence ?? 0;
        var entries = 0;
        const string path = "audit-trail/audit-trail.jsonl";
        var file = await writer.AddAsync(path, async (target, token) =>
        {
            var utf8 = new StreamWriter(target, new UTF8Encoding(false), 64 * 1024, leaveOpen: true);
            await using (utf8)
            {
                var rows = db.AuditEntries.AsNoTracking()
                    .Where(e => e.OrganisationId == organisationId && e.Sequence <= headSequence && e.At >= periodStart && e.At < periodEnd)
                    .OrderBy(e => e.Sequence).AsAsyncEnumerable();
                await foreach (var entry in rows.WithCancellation(token))
                {
                    await utf8.WriteLineAsync(JsonSerializer.Serialize(AuditTrailLine.From(entry), Line).AsMemory(), token);
                    entries++;
                }

                await utf8.FlushAsync(token);
            }
        }, new AuditPackFileInfo("Audit trail: this organisation's entries in the period, each with the hash that chains it to the one before", "Audit trail extract", from, auditDate),
        compress: true, ct);
        var summary = new AuditPackTrail(path, entries, headSequence, head?.LastHash ?? AuditEntry.GenesisHash, check.Intact, check.Message);
        index.Add("Audit trail", file, string.Create(CultureInfo.InvariantCulture,
            $"{entries} entries. The whole chain's newest entry when the pack was built was {summary.HeadSequence}, hash {summary.HeadHash}. {check.Message}"));
        return summary;
    }

    private static readonly JsonSerializerOptions Line = new(JsonSerializerDefaults.Web);

    /// <summary>Where an evidence item's bytes go: by the month its period starts, under its id so names never clash.</summary>
    public static string EvidencePath(Guid id, DateOnly periodFrom, EvidenceKind kind, string? fileName)
    {
        var name = fileName is { Length: > 0 } ? OccurrenceService.SafeFileName(fileName).Replace('/', '_')
            : kind == EvidenceKind.Note ? "note.txt"
            : kind == EvidenceKind.Snapshot ? "snapshot.json"
            : "evidence";
        if (name.Length > 120)
        {
            name = name[^120..];
        }

        return string.Create(CultureInfo.InvariantCulture, $"evidence/{periodFrom:yyyy-MM}/{id:N}-{name}");
    }

    private static async Task<byte[]> WorkbookAsync(Func<Stream, Task> export)
    {
        using var stream = new MemoryStream();
        await export(stream);
        return stream.ToArray();
    }

    private static DateTimeOffset Start(DateOnly day) => new(day.ToDateTime(TimeOnly.MinValue), TimeSpan.Zero);

    private static string Day(DateOnly day) => ReadinessReport.Day(day);

    private static string Day(DateTimeOffset at) => ReadinessReport.Day(DateOnly.FromDateTime(at.UtcDateTime));
}

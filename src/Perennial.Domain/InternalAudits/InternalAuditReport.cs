using System.Globalization;
using DocumentFormat.OpenXml;
using DocumentFormat.OpenXml.Packaging;
using DocumentFormat.OpenXml.Wordprocessing;
using Microsoft.EntityFrameworkCore;
using Perennial.Common;
using Perennial.Data;

namespace Perennial.InternalAudits;

public sealed record ReportLine(string Identifier, string Title, string Result, string? Notes, string? Sample, string? Raised);

/// <summary>What an internal audit's report says, read from the audit and its results.</summary>
public sealed record ReportModel(
    string OrganisationName, string Reference, string Title, DateOnly PlannedStart, DateOnly PlannedEnd, DateOnly? PeriodFrom, DateOnly? PeriodTo,
    string LeadAuditor, IReadOnlyList<string> Auditors, string? Criteria, IReadOnlyList<string> Units,
    IReadOnlyList<(string Result, int Count)> Summary, IReadOnlyList<ReportLine> Lines, DateTimeOffset? SignedOffAt, string? SignedOffBy);

/// <summary>
/// The internal audit report: assembled from the audit's results, shown as a printable page and
/// exported as a Word document (Open XML). The signed-off document is kept as hashed evidence.
/// </summary>
public sealed class InternalAuditReport(PerennialDbContext db)
{
    public static string Label(ChecklistResult? result) => result switch
    {
        ChecklistResult.Conforming => "Conforming",
        ChecklistResult.MinorNonconformity => "Minor nonconformity",
        ChecklistResult.MajorNonconformity => "Major nonconformity",
        ChecklistResult.Observation => "Observation",
        ChecklistResult.Improvement => "Opportunity for improvement",
        ChecklistResult.NotAudited => "Not audited",
        _ => "No result yet",
    };

    public async Task<ReportModel> ModelAsync(Guid organisationId, Guid auditId, CancellationToken ct)
    {
        var audit = await db.InternalAudits.AsNoTracking().Include(a => a.Auditors).FirstOrDefaultAsync(a => a.OrganisationId == organisationId && a.Id == auditId, ct)
            ?? throw UseCaseException.NotFound("No such internal audit in this organisation.");
        var organisation = await db.Organisations.AsNoTracking().Where(o => o.Id == organisationId).Select(o => o.Name).FirstAsync(ct);
        var items = await db.ChecklistItems.AsNoTracking().Where(i => i.InternalAuditId == auditId).OrderBy(i => i.SortOrder).ToListAsync(ct);
        var itemIds = items.Select(i => i.Id).ToList();
        var samples = await db.ChecklistSamples.AsNoTracking().Where(s => itemIds.Contains(s.ChecklistItemId))
            .Join(db.Activities, s => s.ActivityId, a => a.Id, (s, a) => new { s.ChecklistItemId, a.Reference, s.Size, s.Population, s.Seed }).ToListAsync(ct);
        var ncIds = items.Select(i => i.NonconformityId).OfType<Guid>().ToList();
        var ncs = await db.Nonconformities.AsNoTracking().Where(n => ncIds.Contains(n.Id)).ToDictionaryAsync(n => n.Id, n => n.Reference, ct);
        var ofiIds = items.Select(i => i.ImprovementId).OfType<Guid>().ToList();
        var ofis = await db.Improvements.AsNoTracking().Where(i => ofiIds.Contains(i.Id)).ToDictionaryAsync(i => i.Id, i => i.Reference, ct);
        var people = audit.Auditors.Select(a => a.UserId).Append(audit.SignedOffByUserId ?? audit.LeadAuditorUserId).Distinct().ToList();
        var names = await db.Users.AsNoTracking().Where(u => people.Contains(u.Id)).ToDictionaryAsync(u => u.Id, u => u.DisplayName, ct);

        var lines = items.Select(i => new ReportLine(
            i.Identifier,
            AuditableItems.ByIdentifier.TryGetValue(i.Identifier, out var c) ? c.Title : i.Identifier,
            Label(i.Result),
            i.Notes,
            Join(samples.Where(s => s.ChecklistItemId == i.Id).Select(s => $"{s.Reference}: {s.Size} of {s.Population} occurrences, seed {s.Seed.ToString(CultureInfo.InvariantCulture)}")),
            i.NonconformityId is { } n && ncs.TryGetValue(n, out var nr) ? nr : i.ImprovementId is { } o && ofis.TryGetValue(o, out var or) ? or : null)).ToList();
        var summary = Enum.GetValues<ChecklistResult>().Select(r => (Label(r), items.Count(i => i.Result == r))).Where(x => x.Item2 > 0).ToList();
        return new ReportModel(organisation, audit.Reference, audit.Title, audit.PlannedStart, audit.PlannedEnd, audit.PeriodFrom, audit.PeriodTo,
            names.GetValueOrDefault(audit.LeadAuditorUserId, "?"),
            [.. audit.Auditors.Where(a => !a.IsLead).Select(a => names.GetValueOrDefault(a.UserId, "?")).Order(StringComparer.Ordinal)],
            audit.Criteria, audit.Units, summary, lines, audit.SignedOffAt, audit.SignedOffByUserId is { } s ? names.GetValueOrDefault(s) : null);
    }

    private static string? Join(IEnumerable<string> parts)
    {
        var text = string.Join("; ", parts);
        return text.Length == 0 ? null : text;
    }

    /// <summary>The report as a Word document.</summary>
    public static byte[] Docx(ReportModel model)
    {
        ArgumentNullException.ThrowIfNull(model);
        using var stream = new MemoryStream();
        using (var document = WordprocessingDocument.Create(stream, WordprocessingDocumentType.Document))
        {
            var main = document.AddMainDocumentPart();
            var body = new Body();
            main.Document = new Document(body);
            static string D(DateOnly? d) => d?.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture) ?? "–";

            body.Append(WordDocuments.Heading($"Internal audit report {model.Reference}: {model.Title}", 32));
            body.Append(WordDocuments.Para(model.OrganisationName));
            body.Append(WordDocuments.Para($"Planned {D(model.PlannedStart)} to {D(model.PlannedEnd)}; period audited {D(model.PeriodFrom)} to {D(model.PeriodTo)}."));
            body.Append(WordDocuments.Para($"Lead auditor: {model.LeadAuditor}{(model.Auditors.Count == 0 ? "" : $"; auditors: {string.Join(", ", model.Auditors)}")}."));
            if (model.Criteria is not null)
            {
                body.Append(WordDocuments.Para($"Criteria: {model.Criteria}"));
            }

            if (model.Units.Count > 0)
            {
                body.Append(WordDocuments.Para($"Units and processes: {string.Join(", ", model.Units)}"));
            }

            body.Append(WordDocuments.Heading("Summary", 26));
            body.Append(WordDocuments.Para(model.Summary.Count == 0 ? "No results recorded." : string.Join("; ", model.Summary.Select(s => $"{s.Result}: {s.Count}"))));
            body.Append(WordDocuments.Heading("Results", 26));
            var table = WordDocuments.Table(["Item", "Result", "Notes", "Sample", "Raised"],
                model.Lines.Select(line => (IReadOnlyList<string>)[$"{line.Identifier} {line.Title}", line.Result, line.Notes ?? "", line.Sample ?? "", line.Raised ?? ""]));
            body.Append(table);
            body.Append(WordDocuments.Heading("Sign-off", 26));
            body.Append(WordDocuments.Para(model.SignedOffAt is { } at
                ? $"Signed off by {model.SignedOffBy} on {at.ToString("yyyy-MM-dd HH:mm", CultureInfo.InvariantCulture)} UTC. The results above are final."
                : "Not signed off yet: this is a draft."));
            main.Document.Save();
        }

        return stream.ToArray();
    }
}

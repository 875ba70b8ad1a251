using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using Microsoft.EntityFrameworkCore;
using Perennial.Activities;
using Perennial.Data;
using Perennial.Evidence;

namespace Perennial.Findings;

/// <summary>
/// Turns a scanner report recorded as evidence into findings: new ones are opened, ones seen before
/// get a new last-seen time (and reopen if they had been fixed), and open ones of the same scanner and
/// target that the report no longer contains are fixed at the report's collection time.
/// </summary>
public sealed class ScannerReportImporter(PerennialDbContext db, FindingService findings) : IEvidenceReportImporter
{
    private static readonly JsonDocumentOptions JsonOptions = new() { MaxDepth = 256 };

    public IReadOnlyList<string> Formats => ReportParsers.Formats;

    public async Task ImportAsync(Guid organisationId, EvidenceItem item, string format, Stream content, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(item);
        // Error messages name the report's file; an upload without a file name is named by its title.
        var fileName = item.FileName is { } name && name != OccurrenceService.SafeFileName(null) ? name : item.Title;
        ParsedReport report;
        try
        {
            using var document = await JsonDocument.ParseAsync(content, JsonOptions, ct);
            report = ReportParsers.Parse(document.RootElement, format, fileName);
        }
        catch (JsonException e)
        {
            var line = (e.LineNumber ?? 0) + 1;
            throw ReportParsers.Invalid(fileName, $"not valid JSON at line {line}: {Reason(e)}");
        }

        await ApplyAsync(organisationId, item, report, ct);
    }

    /// <summary>Merges a parsed report into the organisation's findings (tracked, not saved).</summary>
    public async Task ApplyAsync(Guid organisationId, EvidenceItem item, ParsedReport report, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(item);
        ArgumentNullException.ThrowIfNull(report);
        if (report.Scopes.Count == 0)
        {
            return;
        }

        // Two reports of the same target arriving together must not both open the same finding.
        await db.LockAsync($"findings:{organisationId}", ct);
        var deadlines = await findings.GetDeadlinesAsync(organisationId, ct);
        var activityId = item.Links.Select(l => l.ActivityId).FirstOrDefault(a => a is not null)
            ?? await db.Activities.AsNoTracking()
                .Where(a => a.OrganisationId == organisationId && a.TemplateKey == "vulnerability-scan" && a.State != ActivityState.Retired)
                .OrderBy(a => a.CreatedAt).Select(a => (Guid?)a.Id).FirstOrDefaultAsync(ct);
        var at = item.CollectedAt;

        foreach (var scope in report.Scopes)
        {
            var tool = Clip(scope.Tool, Finding.ToolMaxLength)!;
            var target = Clip(scope.Target, Finding.TargetMaxLength)!;
            var known = await db.Findings.Where(f => f.OrganisationId == organisationId && f.Tool == tool && f.Target == target).ToListAsync(ct);
            var latest = known.Count == 0 ? (DateTimeOffset?)null : known.Max(f => f.FixedAt is { } fixedAt && fixedAt > f.LastSeenAt ? fixedAt : f.LastSeenAt);
            if (latest is { } newest && at < newest)
            {
                // A report older than one already imported for this target (a backfill) is kept as
                // evidence but does not rewrite the newer picture.
                continue;
            }

            var byFingerprint = known.ToDictionary(f => f.Fingerprint, StringComparer.Ordinal);
            var seen = new HashSet<string>(StringComparer.Ordinal);
            foreach (var reported in scope.Findings)
            {
                var fingerprint = Fingerprint(tool, target, reported.Identity);
                if (!seen.Add(fingerprint))
                {
                    continue; // The same problem listed twice in one report.
                }

                if (byFingerprint.TryGetValue(fingerprint, out var finding))
                {
                    if (finding.FixedAt is not null)
                    {
                        finding.FixedAt = null;
                        finding.ReopenedAt = at;
                    }

                    finding.LastSeenAt = at;
                    finding.LastEvidenceItemId = item.Id;
                }
                else
                {
                    finding = new Finding
                    {
                        Id = Guid.CreateVersion7(at),
                        OrganisationId = organisationId,
                        Fingerprint = fingerprint,
                        Tool = tool,
                        Format = report.Format,
                        Target = target,
                        FirstSeenAt = at,
                        LastSeenAt = at,
                        FirstEvidenceItemId = item.Id,
                        LastEvidenceItemId = item.Id,
                    };
                    db.Findings.Add(finding);
                }

                finding.RuleId = Clip(reported.RuleId, Finding.RuleIdMaxLength)!;
                finding.Title = Clip(reported.Title, Finding.TitleMaxLength)!;
                finding.Severity = reported.Severity;
                finding.PackageName = Clip(reported.PackageName, Finding.PackageMaxLength);
                finding.InstalledVersion = Clip(reported.InstalledVersion, Finding.VersionMaxLength);
                finding.FixedVersion = Clip(reported.FixedVersion, Finding.VersionMaxLength);
                finding.Location = Clip(reported.Location, Finding.LocationMaxLength);
                finding.DueOn = deadlines.DueOn(finding.Severity, finding.FirstSeenAt);
                finding.ActivityId = activityId ?? finding.ActivityId;
            }

            foreach (var gone in known.Where(f => f.FixedAt is null && !seen.Contains(f.Fingerprint)))
            {
                gone.FixedAt = at;
            }
        }
    }

    public static string Fingerprint(string tool, string target, string identity) =>
        Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes($"{tool.ToLowerInvariant()}\u001e{target}\u001e{identity}")));

    private static string? Clip(string? text, int max) => text is null ? null : text.Length <= max ? text : text[..(max - 1)] + "…";

    /// <summary>The parser's explanation without its own "LineNumber: … | BytePositionInLine: …" suffix.</summary>
    private static string Reason(JsonException e)
    {
        var message = e.Message;
        var cut = message.IndexOf(" LineNumber:", StringComparison.Ordinal);
        message = (cut >= 0 ? message[..cut] : message).Trim();
        return message.Length == 0 ? "the JSON could not be read" : message.TrimEnd('.');
    }
}

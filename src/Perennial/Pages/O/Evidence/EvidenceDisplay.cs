using System.Globalization;
using Microsoft.EntityFrameworkCore;
using Perennial.Data;
using Perennial.Evidence;

namespace Perennial.Pages.O.Evidence;

/// <summary>A link of an item as a page shows it: words and where it leads.</summary>
public sealed record EvidenceLinkView(string Kind, string Text, string Href);

/// <summary>
/// The names evidence pages show for ids an item holds: activities, occurrences, controls, frameworks
/// and API tokens, loaded once for a page of items.
/// </summary>
public sealed class EvidenceDisplay
{
    private readonly Dictionary<Guid, (string Reference, string Title)> activities;
    private readonly Dictionary<Guid, (Guid ActivityId, DateOnly Due)> occurrences;
    private readonly Dictionary<Guid, (string FrameworkKey, string Identifier, string Title)> controls;
    private readonly Dictionary<Guid, (string Key, string Name)> frameworks;
    private readonly Dictionary<Guid, string> tokens;
    private readonly string slug;

    private EvidenceDisplay(
        string slug,
        Dictionary<Guid, (string, string)> activities,
        Dictionary<Guid, (Guid, DateOnly)> occurrences,
        Dictionary<Guid, (string, string, string)> controls,
        Dictionary<Guid, (string, string)> frameworks,
        Dictionary<Guid, string> tokens)
    {
        this.slug = slug;
        this.activities = activities;
        this.occurrences = occurrences;
        this.controls = controls;
        this.frameworks = frameworks;
        this.tokens = tokens;
    }

    public static async Task<EvidenceDisplay> LoadAsync(PerennialDbContext db, Guid organisationId, string slug, IEnumerable<EvidenceItem> items, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(db);
        var list = items.ToList();
        var links = list.SelectMany(i => i.Links).ToList();
        var activityIds = links.Where(l => l.ActivityId is not null).Select(l => l.ActivityId!.Value).Distinct().ToList();
        var occurrenceIds = links.Where(l => l.OccurrenceId is not null).Select(l => l.OccurrenceId!.Value).Distinct().ToList();
        var controlIds = links.Where(l => l.ControlId is not null).Select(l => l.ControlId!.Value).Distinct().ToList();
        var frameworkIds = links.Where(l => l.FrameworkId is not null).Select(l => l.FrameworkId!.Value).Distinct().ToList();
        var tokenIds = list.Where(i => i.SourceTokenId is not null).Select(i => i.SourceTokenId!.Value).Distinct().ToList();

        var a = await db.Activities.AsNoTracking().Where(x => x.OrganisationId == organisationId && activityIds.Contains(x.Id))
            .Select(x => new { x.Id, x.Reference, x.Title }).ToDictionaryAsync(x => x.Id, x => (x.Reference, x.Title), ct);
        var o = await db.Occurrences.AsNoTracking().Where(x => x.OrganisationId == organisationId && occurrenceIds.Contains(x.Id))
            .Select(x => new { x.Id, x.ActivityId, x.DueDate }).ToDictionaryAsync(x => x.Id, x => (x.ActivityId, x.DueDate), ct);
        var c = await db.Controls.AsNoTracking().Where(x => x.OrganisationId == organisationId && controlIds.Contains(x.Id))
            .Select(x => new { x.Id, x.Framework!.Key, x.Identifier, Title = x.LicensedTitle ?? x.Title })
            .ToDictionaryAsync(x => x.Id, x => (x.Key, x.Identifier, x.Title), ct);
        var f = await db.Frameworks.AsNoTracking().Where(x => x.OrganisationId == organisationId && frameworkIds.Contains(x.Id))
            .Select(x => new { x.Id, x.Key, x.Name }).ToDictionaryAsync(x => x.Id, x => (x.Key, x.Name), ct);
        var t = await db.ApiTokens.AsNoTracking().Where(x => tokenIds.Contains(x.Id))
            .Select(x => new { x.Id, x.Name }).ToDictionaryAsync(x => x.Id, x => x.Name, ct);
        return new EvidenceDisplay(slug, a, o, c, f, t);
    }

    /// <summary>Who or what produced the item, in words.</summary>
    public string Source(EvidenceItem item)
    {
        ArgumentNullException.ThrowIfNull(item);
        var who = item.SourceUser?.Email ?? "someone no longer known";
        return item.Source switch
        {
            EvidenceSource.Upload => $"uploaded by {who}",
            EvidenceSource.Token => item.SourceTokenId is { } id && tokens.TryGetValue(id, out var name)
                ? $"pushed by {who} with the API token {name}" : $"pushed by {who} with an API token",
            EvidenceSource.Collector => item.CollectorRunId is { } run ? $"collector run {run.ToString()[..8]}" : "a collector",
            EvidenceSource.Occurrence => $"attached by {who} when completing an occurrence",
            EvidenceSource.System => "written by Perennial",
            _ => item.Source.ToName(),
        };
    }

    public IReadOnlyList<EvidenceLinkView> Links(EvidenceItem item)
    {
        ArgumentNullException.ThrowIfNull(item);
        var views = new List<EvidenceLinkView>();
        foreach (var link in item.Links)
        {
            if (link.ActivityId is { } aid)
            {
                views.Add(activities.TryGetValue(aid, out var a)
                    ? new EvidenceLinkView("activity", $"{a.Reference} {a.Title}", $"/o/{slug}/activities/{aid}")
                    : new EvidenceLinkView("activity", "an activity", $"/o/{slug}/activities/{aid}"));
            }
            else if (link.OccurrenceId is { } oid)
            {
                var text = occurrences.TryGetValue(oid, out var o) ? $"occurrence due {o.Due.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture)}" : "an occurrence";
                views.Add(new EvidenceLinkView("occurrence", text, $"/o/{slug}/occurrences/{oid}"));
            }
            else if (link.ControlId is { } cid && controls.TryGetValue(cid, out var c))
            {
                views.Add(new EvidenceLinkView("control", $"{c.Identifier} {c.Title}",
                    $"/o/{slug}/frameworks/{Uri.EscapeDataString(c.FrameworkKey)}/controls/{Uri.EscapeDataString(c.Identifier)}"));
            }
            else if (link.FrameworkId is { } fid && frameworks.TryGetValue(fid, out var f))
            {
                views.Add(new EvidenceLinkView("framework", f.Name, $"/o/{slug}/frameworks/{Uri.EscapeDataString(f.Key)}"));
            }
        }

        return views;
    }

    /// <summary>"12.3 MB", "512 bytes".</summary>
    public static string Size(long? bytes) => bytes switch
    {
        null => "–",
        < 1024 => $"{bytes} bytes",
        < 1024 * 1024 => (bytes.Value / 1024d).ToString("0.#", CultureInfo.InvariantCulture) + " KB",
        < 1024L * 1024 * 1024 => (bytes.Value / (1024d * 1024)).ToString("0.#", CultureInfo.InvariantCulture) + " MB",
        _ => (bytes.Value / (1024d * 1024 * 1024)).ToString("0.##", CultureInfo.InvariantCulture) + " GB",
    };

    public static string Period(EvidenceItem item)
    {
        ArgumentNullException.ThrowIfNull(item);
        var c = CultureInfo.InvariantCulture;
        return item.PeriodFrom == item.PeriodTo ? item.PeriodFrom.ToString("yyyy-MM-dd", c) : $"{item.PeriodFrom.ToString("yyyy-MM-dd", c)} to {item.PeriodTo.ToString("yyyy-MM-dd", c)}";
    }

    public static string Kind(EvidenceKind kind) => kind switch
    {
        EvidenceKind.File => "File",
        EvidenceKind.Link => "Link",
        EvidenceKind.Note => "Note",
        EvidenceKind.Snapshot => "Snapshot",
        _ => kind.ToString(),
    };
}

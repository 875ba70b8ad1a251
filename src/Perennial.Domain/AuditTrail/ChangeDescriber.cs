using System.Globalization;
using Microsoft.EntityFrameworkCore;
using Perennial.Data;

namespace Perennial.AuditTrail;

/// <summary>An audit-trail entry as a person reads it: who did what to which record, and where that record is.</summary>
/// <param name="Path">Relative to the organisation (<c>risks/{id}</c>); null when the record has no page.</param>
public sealed record DescribedChange(long Sequence, DateTimeOffset At, string Actor, string Verb, string Record, string? Path)
{
    public string Sentence => $"{Actor} {Verb} {Record}";
}

/// <summary>
/// Turns audit-trail entries into sentences ("Jonas Berg completed ACT-001 User access review due
/// 2026-09-18"). A record's label comes from its current row and, for records since deleted, from
/// the values the entry itself recorded; parents (an occurrence's activity, a task's change) are read
/// the same way.
/// </summary>
public sealed class ChangeDescriber(PerennialDbContext db)
{
    private sealed record Spec(
        string Noun,
        Func<Values, string> Label,
        Func<Values, string?> Path,
        Func<AuditAction, IReadOnlyDictionary<string, AuditChange>, string?>? Verb = null,
        string? ParentField = null,
        string? ParentType = null,
        Func<Values, int, (string Record, string? Path)>? Plural = null);

    /// <summary>A record's fields as text, with its parent's fields under "Parent.".</summary>
    private sealed class Values(Dictionary<string, string?> fields)
    {
        public string this[string name] => fields.TryGetValue(name, out var v) && v is not null ? v : "";

        public bool Has(string name) => fields.TryGetValue(name, out var v) && !string.IsNullOrEmpty(v);
    }

    private static readonly Dictionary<string, Spec> Specs = new(StringComparer.Ordinal)
    {
        ["Activity"] = new("activity", v => $"{v["Reference"]} {v["Title"]}", v => $"activities/{v["Id"]}",
            (a, c) => a == AuditAction.Updated && c.TryGetValue("State", out var s) ? s.After switch { "Retired" => "retired", "Paused" => "paused", "Active" => "resumed", _ => null } : null),
        ["Occurrence"] = new("occurrence", v => $"{v["Parent.Reference"]} {v["Parent.Title"]} due {v["DueDate"]}".Trim(), v => $"occurrences/{v["Id"]}",
            (a, c) => a switch
            {
                AuditAction.Created => "scheduled",
                AuditAction.Updated when c.TryGetValue("State", out var s) && s.After == "Completed" => "completed",
                AuditAction.Updated when c.TryGetValue("State", out var s) && s.After == "Skipped" => "skipped",
                AuditAction.Updated when c.TryGetValue("State", out var s) && s.After == "Open" => "reopened",
                AuditAction.Updated when c.ContainsKey("DueDate") => "moved",
                AuditAction.Updated when c.TryGetValue("NonconformityId", out var n) && n.After is not null => "raised a nonconformity for",
                _ => null,
            }, "ActivityId", "Activity", (v, n) => ($"{n} occurrences of {v["Parent.Reference"]} {v["Parent.Title"]}", $"activities/{v["ActivityId"]}")),
        ["OccurrenceEvidence"] = new("evidence", v => $"evidence {Quote(v["FileName"], v["Url"])}to {v["Parent.Parent.Reference"]} {v["Parent.Parent.Title"]} due {v["Parent.DueDate"]}",
            v => $"occurrences/{v["OccurrenceId"]}", (a, _) => a switch { AuditAction.Created => "added", AuditAction.Deleted => "removed", _ => null }, "OccurrenceId", "Occurrence"),
        ["EvidenceItem"] = new("evidence", v => $"evidence “{v["Title"]}”", v => $"evidence/{v["Id"]}",
            (a, c) => a == AuditAction.Created ? "recorded" : c.ContainsKey("SupersededById") ? "superseded" : null),
        ["Risk"] = new("risk", v => $"{v["Reference"]} {v["Title"]}", v => $"risks/{v["Id"]}",
            (a, c) => a == AuditAction.Updated && c.ContainsKey("LastReviewedOn") ? "reviewed" : a == AuditAction.Updated && c.ContainsKey("AcceptedAt") ? "accepted" : null),
        ["RiskAction"] = new("treatment action", v => $"treatment action “{v["Title"]}” of {v["Parent.Reference"]}", v => $"risks/{v["RiskId"]}", null, "RiskId", "Risk"),
        ["ReviewCampaign"] = new("review campaign", v => $"review campaign “{v["Title"]}”", _ => "risks/campaigns"),
        ["RiskMethod"] = new("risk method", _ => "the risk method", _ => "risks/method"),
        ["Asset"] = new("asset", v => $"asset {v["Name"]}", _ => "assets"),
        ["Change"] = new("change", v => $"{v["Reference"]} {v["Title"]}", v => $"changes/{v["Id"]}",
            (a, c) => a == AuditAction.Updated && c.TryGetValue("Status", out var s) && s.After == "Closed" ? "closed" : null),
        ["ChangeTask"] = new("change task", v => $"task “{v["Title"]}” of {v["Parent.Reference"]}", v => $"changes/{v["ChangeId"]}",
            (a, c) => a == AuditAction.Updated && c.TryGetValue("Status", out var s) ? s.After switch { "Done" => "completed", "Waived" => "waived", _ => null } : null,
            "ChangeId", "Change"),
        ["Control"] = new("control", v => $"{v["Identifier"]} {v["Title"]}", v => v.Has("Parent.Key") ? $"frameworks/{Uri.EscapeDataString(v["Parent.Key"])}/controls/{Uri.EscapeDataString(v["Identifier"])}" : "controls",
            null, "FrameworkId", "Framework"),
        ["ControlDocument"] = new("control document", v => $"document “{v["Title"]}” of control {v["Parent.Identifier"]}", _ => "controls", null, "ControlId", "Control"),
        ["Framework"] = new("framework", v => $"framework {v["Name"]}", v => $"frameworks/{Uri.EscapeDataString(v["Key"])}"),
        ["SoaVersion"] = new("SoA", v => v["Number"] == "0" ? "the SoA draft" : $"SoA version {v["Number"]}", _ => "soa/versions",
            (a, c) => a == AuditAction.Updated && c.ContainsKey("PublishedAt") ? "published" : null),
        ["SoaRow"] = new("SoA row", v => $"the SoA row of {v["ControlIdentifier"]}", v => $"soa/{Uri.EscapeDataString(v["ControlIdentifier"])}"),
        ["ScopeVersion"] = new("scope", v => $"scope version {v["Number"]}", _ => "scope"),
        ["CertificationCycle"] = new("certification cycle", v => $"certification cycle {v["Number"]}", _ => "audits"),
        ["ExternalAudit"] = new("external audit", v => $"the {Words(v["Kind"])} audit", _ => "audits"),
        ["AuditFinding"] = new("certification-body finding", v => $"certification-body finding {v["Reference"]}", _ => "audits",
            (a, c) => a == AuditAction.Updated && c.TryGetValue("ClosedOn", out var s) && s.After is not null ? "closed" : null),
        ["Nonconformity"] = new("nonconformity", v => $"{v["Reference"]} {v["Title"]}", v => $"nonconformities/{v["Id"]}",
            (a, c) => a switch
            {
                AuditAction.Created => "raised",
                AuditAction.Updated when c.TryGetValue("Status", out var s) && s.After == "Closed" => "closed",
                AuditAction.Updated when c.ContainsKey("CurrentRound") => "reopened for a new round",
                _ => null,
            }),
        ["Incident"] = new("incident", v => $"incident {v["Reference"]} {v["Title"]}", _ => "changes/incidents", (a, _) => a == AuditAction.Created ? "reported" : null),
        ["Finding"] = new("finding", v => $"finding {v["RuleId"]} on {v["Target"]}", _ => "findings",
            (a, c) => a == AuditAction.Created ? "found"
                : a == AuditAction.Updated && c.TryGetValue("FixedAt", out var f) ? (f.After is null ? "reopened" : "saw fixed") : null),
        ["FindingSettings"] = new("remediation deadlines", _ => "the remediation deadlines", _ => "findings/deadlines"),
        ["Collector"] = new("collector", v => $"collector “{v["Name"]}”", v => $"collectors/{v["Id"]}"),
        ["AccessReview"] = new("access review", v => $"the access review of {v["System"]}", v => $"access-reviews/{v["Id"]}",
            (a, c) => a == AuditAction.Updated && c.TryGetValue("SignedOffAt", out var s) && s.After is not null ? "signed off" : null),
        ["AccessReviewAction"] = new("access-review action", v => $"a {Words(v["Kind"])} action of the access review of {v["Parent.System"]}", v => $"access-reviews/{v["AccessReviewId"]}",
            (a, c) => a == AuditAction.Updated && c.TryGetValue("State", out var s) && s.After == "Confirmed" ? "confirmed" : null, "AccessReviewId", "AccessReview"),
        ["NotificationSettings"] = new("notification settings", _ => "the notification settings", _ => "settings/notifications"),
        ["Organisation"] = new("organisation", v => $"the organisation {v["Name"]}", _ => "settings"),
        ["Membership"] = new("membership", v => $"the membership of {v["Parent.DisplayName"]}", _ => "settings/members", null, "UserId", "User"),
        ["CalendarFeedToken"] = new("calendar feed", _ => "a calendar feed", _ => "feeds"),
        ["User"] = new("account", v => $"the account {v["Email"]}", _ => null),
        ["ApiToken"] = new("API token", v => $"API token “{v["Name"]}”", _ => null),
    };

    /// <summary>
    /// Describes each entry; with <paramref name="collapse"/>, a run of records created or deleted
    /// together (one save, one actor, one kind, one parent) becomes one line ("scheduled 52 occurrences of …").
    /// </summary>
    public async Task<IReadOnlyList<DescribedChange>> DescribeAsync(IReadOnlyList<HistoryItem> items, CancellationToken ct, bool collapse = false, int take = int.MaxValue)
    {
        ArgumentNullException.ThrowIfNull(items);
        List<(HistoryItem First, int Count)> runs = [.. (collapse ? Runs(items) : [.. items.Select(i => (First: i, Count: 1))]).Take(take)];
        var cache = new Dictionary<(string, Guid), Dictionary<string, string?>?>();
        // People by the name they go by; the trail itself keeps the e-mail they acted under.
        var actorIds = items.Select(i => i.ActorUserId).OfType<Guid>().Distinct().ToList();
        var people = actorIds.Count == 0 ? [] : await db.Users.AsNoTracking().Where(u => actorIds.Contains(u.Id))
            .ToDictionaryAsync(u => u.Id, u => u.DisplayName, ct);
        var result = new List<DescribedChange>(runs.Count);
        foreach (var (item, count) in runs)
        {
            var action = Enum.Parse<AuditAction>(item.Action);
            var actor = item.ActorUserId is { } actorId && people.TryGetValue(actorId, out var name) && !string.IsNullOrWhiteSpace(name)
                ? (item.Actor.EndsWith("(API token)", StringComparison.Ordinal) ? $"{name} (API token)" : name)
                : item.Actor;
            var changes = item.Changes.GroupBy(c => c.Field, StringComparer.Ordinal).ToDictionary(g => g.Key, g => g.Last(), StringComparer.Ordinal);
            if (!Specs.TryGetValue(item.EntityType, out var spec))
            {
                result.Add(new DescribedChange(item.Sequence, item.At, actor, Generic(action, changes), Words(item.EntityType), null));
                continue;
            }

            var fields = await FieldsAsync(item.EntityType, item.EntityId, cache, ct) ?? [];
            // What the entry recorded fills in what the row no longer has (a deleted record, a value since changed back).
            foreach (var (field, change) in changes)
            {
                var recorded = action == AuditAction.Deleted ? change.Before : change.After;
                if (!fields.ContainsKey(field) || action == AuditAction.Deleted)
                {
                    fields[field] = recorded;
                }
            }

            fields["Id"] = item.EntityId.ToString("D");
            if (spec.ParentField is { } parentField && spec.ParentType is { } parentType
                && fields.TryGetValue(parentField, out var parentText) && Guid.TryParse(parentText, out var parentId))
            {
                var parent = await FieldsAsync(parentType, parentId, cache, ct) ?? [];
                if (Specs.TryGetValue(parentType, out var parentSpec) && parentSpec.ParentField is { } grand && parentSpec.ParentType is { } grandType
                    && parent.TryGetValue(grand, out var grandText) && Guid.TryParse(grandText, out var grandId))
                {
                    // An occurrence's evidence is labelled by the occurrence, which is labelled by its activity.
                    foreach (var (k, v) in await FieldsAsync(grandType, grandId, cache, ct) ?? [])
                    {
                        parent[$"Parent.{k}"] = v;
                    }
                }

                foreach (var (k, v) in parent)
                {
                    fields[$"Parent.{k}"] = v;
                }
            }

            var values = new Values(fields);
            var verb = spec.Verb?.Invoke(action, changes) ?? Generic(action, changes);
            var record = spec.Label(values).Trim();
            // A deleted record's own page is gone; a parent's page (an activity for its occurrence) still stands.
            var path = spec.Path(values);
            if (action == AuditAction.Deleted && path is not null && path.Contains(item.EntityId.ToString("D"), StringComparison.Ordinal))
            {
                path = null;
            }

            if (count > 1)
            {
                (record, path) = spec.Plural?.Invoke(values, count) ?? ($"{count} {Plural(spec.Noun)}", null);
            }

            result.Add(new DescribedChange(item.Sequence, item.At, actor, verb, record.Length == 0 ? spec.Noun : record, path));
        }

        return result;
    }

    private static List<(HistoryItem First, int Count)> Runs(IReadOnlyList<HistoryItem> items)
    {
        var runs = new List<(HistoryItem First, int Count)>();
        foreach (var item in items)
        {
            if (runs.Count > 0 && SameRun(runs[^1].First, item))
            {
                runs[^1] = (runs[^1].First, runs[^1].Count + 1);
            }
            else
            {
                runs.Add((item, 1));
            }
        }

        return runs;
    }

    private static bool SameRun(HistoryItem a, HistoryItem b)
    {
        if (a.At != b.At || a.Actor != b.Actor || a.EntityType != b.EntityType || a.Action != b.Action || a.Action == nameof(AuditAction.Updated))
        {
            return false;
        }

        if (Specs.TryGetValue(a.EntityType, out var spec) && spec.ParentField is { } parent)
        {
            string? ParentOf(HistoryItem i) => i.Changes.FirstOrDefault(c => c.Field == parent) is { } c ? c.After ?? c.Before : null;
            return ParentOf(a) == ParentOf(b);
        }

        return true;
    }

    private async Task<Dictionary<string, string?>?> FieldsAsync(string entityType, Guid id, Dictionary<(string, Guid), Dictionary<string, string?>?> cache, CancellationToken ct)
    {
        if (cache.TryGetValue((entityType, id), out var known))
        {
            return known is null ? null : new Dictionary<string, string?>(known, StringComparer.Ordinal);
        }

        var type = db.Model.GetEntityTypes().FirstOrDefault(t => t.ClrType.Name == entityType && !t.IsOwned());
        Dictionary<string, string?>? fields = null;
        if (type is not null && await db.FindAsync(type.ClrType, [id], ct) is { } entity)
        {
            var entry = db.Entry(entity);
            fields = entry.Properties.ToDictionary(p => p.Metadata.Name, p => AuditRecorder.Format(p.CurrentValue), StringComparer.Ordinal);
            if (entry.State == EntityState.Unchanged)
            {
                entry.State = EntityState.Detached;
            }
        }

        cache[(entityType, id)] = fields;
        return fields is null ? null : new Dictionary<string, string?>(fields, StringComparer.Ordinal);
    }

    private static string Plural(string noun) =>
        noun.EndsWith("evidence", StringComparison.Ordinal) || noun.EndsWith("settings", StringComparison.Ordinal) || noun.EndsWith("deadlines", StringComparison.Ordinal) || noun == "SoA"
            ? $"{noun} records"
            : noun + "s";

    private static string Generic(AuditAction action, IReadOnlyDictionary<string, AuditChange> changes) => action switch
    {
        AuditAction.Created => "created",
        AuditAction.Deleted => "deleted",
        _ when changes.Count == 0 => "updated",
        _ => "changed " + string.Join(", ", changes.Keys.Take(3).Select(Words)) + (changes.Count > 3 ? $" and {changes.Count - 3} more" : "") + " of",
    };

    private static string Quote(string fileName, string url) =>
        fileName.Length > 0 ? $"“{fileName}” " : url.Length > 0 ? $"“{url}” " : "";

    /// <summary>PascalCase to words: "NextReviewOn" → "next review on", "OwnerUserId" → "owner".</summary>
    private static string Words(string name)
    {
        if (name.EndsWith("UserId", StringComparison.Ordinal) && name.Length > 6)
        {
            name = name[..^6];
        }
        else if (name.EndsWith("Id", StringComparison.Ordinal) && name.Length > 2)
        {
            name = name[..^2];
        }

        var words = new System.Text.StringBuilder();
        foreach (var c in name)
        {
            if (char.IsUpper(c) && words.Length > 0)
            {
                words.Append(' ');
            }

            words.Append(char.ToLower(c, CultureInfo.InvariantCulture));
        }

        return words.ToString();
    }
}

using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json.Nodes;
using Microsoft.EntityFrameworkCore;
using Perennial.Common;
using Perennial.Data;
using Perennial.InternalAudits;
using Perennial.Nonconformities;

namespace Perennial.Frameworks.Oscal;

/// <summary>
/// Exports the management system as OSCAL 1.1.2 JSON: a system security plan from the scope, the
/// Statement of Applicability and the evidence; assessment results from the internal audits; a plan
/// of action and milestones from what is open. Every UUID is derived from the record it stands for,
/// so two exports without changes differ only in <c>metadata.last-modified</c>.
/// </summary>
public sealed class OscalExporter(PerennialDbContext db, TimeProvider time)
{
    public const string Version = "1.1.2";

    /// <summary>Where Perennial's own property names live.</summary>
    public const string Namespace = "https://perennial.dev/ns/oscal";

    /// <summary>The most evidence items a control lists as back-matter resources (the newest current ones).</summary>
    public const int EvidencePerControl = 25;

    private static readonly Guid UuidNamespace = new("5f4e3f0c-8f1e-4b8e-9a55-3f3cb1a0c6d2");

    public async Task<JsonObject> SystemSecurityPlanAsync(Guid organisationId, CancellationToken ct)
    {
        var org = await db.Organisations.AsNoTracking().SingleAsync(o => o.Id == organisationId, ct);
        var version = await db.SoaVersions.AsNoTracking().Where(v => v.OrganisationId == organisationId && v.Number > 0)
            .OrderByDescending(v => v.Number).Select(v => new { v.Id, v.Number, v.PublishedAt, v.ApproverName }).FirstOrDefaultAsync(ct)
            ?? throw UseCaseException.Conflict("soa", "No Statement of Applicability is published yet: publish one, and the system security plan lists its controls.");
        var rows = (await db.SoaRows.AsNoTracking().Where(r => r.SoaVersionId == version.Id).ToListAsync(ct))
            .OrderBy(r => r.ControlIdentifier, IdentifierOrder.Instance).ToList();
        if (rows.Count == 0)
        {
            throw UseCaseException.Conflict("soa", $"Statement of Applicability version {version.Number} lists no controls.");
        }

        var scope = await db.ScopeVersions.AsNoTracking().Where(s => s.OrganisationId == organisationId)
            .OrderByDescending(s => s.Number).Select(s => new { s.Number, s.Statement, s.CreatedAt }).FirstOrDefaultAsync(ct);
        var ownerIds = rows.Select(r => r.OwnerUserId).OfType<Guid>().Distinct().ToList();
        var owners = await db.Users.AsNoTracking().Where(u => ownerIds.Contains(u.Id)).Select(u => new { u.Id, u.DisplayName, u.Email }).ToListAsync(ct);

        // The evidence of each control: its newest current items, by the ISO/IEC 27001 controls' identifiers.
        var evidence = (await (
                from l in db.EvidenceItemLinks.AsNoTracking()
                join e in db.EvidenceItems on l.EvidenceItemId equals e.Id
                join c in db.Controls on l.ControlId equals c.Id
                where e.OrganisationId == organisationId && e.SupersededById == null && c.Framework!.Key == Framework.IsoKey
                select new { c.Identifier, e.Id, e.Title, e.PeriodFrom, e.PeriodTo, e.Sha256, e.Url, e.ContentType })
            .ToListAsync(ct))
            .GroupBy(x => x.Identifier, StringComparer.OrdinalIgnoreCase)
            .ToDictionary(g => g.Key, g => g.OrderByDescending(x => x.PeriodTo).ThenBy(x => x.Id).Take(EvidencePerControl).ToList(), StringComparer.OrdinalIgnoreCase);

        var orgParty = Uuid(organisationId, "party", "organisation");
        var parties = new JsonArray(Obj(("uuid", orgParty), ("type", "organization"), ("name", Text(org.Name))));
        foreach (var owner in owners.OrderBy(o => o.Id))
        {
            var party = Obj(("uuid", Uuid(organisationId, "party", owner.Id.ToString("D"))), ("type", "person"), ("name", Text(owner.DisplayName, owner.Email ?? "Owner")));
            if (owner.Email is { Length: > 0 } email)
            {
                party["email-addresses"] = new JsonArray(email);
            }

            parties.Add(party);
        }

        var metadata = Metadata(org.Name, $"{org.Name}: system security plan",
            string.Create(CultureInfo.InvariantCulture, $"SoA {version.Number}{(scope is null ? "" : $", scope {scope.Number}")}"));
        metadata["roles"] = new JsonArray(
            Obj(("id", "control-owner"), ("title", "Control owner")),
            Obj(("id", "isms-manager"), ("title", "ISMS manager")));
        metadata["parties"] = parties;
        metadata["responsible-parties"] = new JsonArray(Obj(("role-id", "isms-manager"), ("party-uuids", new JsonArray(orgParty))));

        var component = Uuid(organisationId, "component", "isms");
        var resources = new JsonArray();
        var catalogResource = Uuid(organisationId, "resource", "catalog");
        resources.Add(Obj(("uuid", catalogResource), ("title", "ISO/IEC 27001:2022 Annex A controls, as this organisation's Statement of Applicability selects them"),
            ("props", new JsonArray(Prop("soa-version", version.Number.ToString(CultureInfo.InvariantCulture))))));

        var requirements = new JsonArray();
        var added = new HashSet<Guid>();
        foreach (var row in rows)
        {
            var owner = row.OwnerUserId is { } o && owners.Any(x => x.Id == o) ? Uuid(organisationId, "party", o.ToString("D")) : null;
            var status = row.Applicable == false ? "not-applicable" : row.Status switch
            {
                ImplementationStatus.Implemented => "implemented",
                ImplementationStatus.Partial => "partial",
                ImplementationStatus.NotApplicable => "not-applicable",
                _ => "planned",
            };
            var statement = new StringBuilder();
            statement.Append(row.Applicable switch { true => "Applicable", false => "Not applicable", null => "Applicability not decided" });
            if (Clean(row.Justification) is { } why)
            {
                statement.Append(": ").Append(why);
            }

            statement.Append('.');
            if (Clean(row.LinkedActivities) is { } activities)
            {
                statement.Append(" Operated by: ").Append(activities).Append('.');
            }

            if (Clean(row.Notes) is { } notes)
            {
                statement.Append(' ').Append(notes);
            }

            var links = new JsonArray();
            foreach (var item in evidence.GetValueOrDefault(row.ControlIdentifier) ?? [])
            {
                var resource = Uuid(organisationId, "evidence", item.Id.ToString("D"));
                links.Add(Obj(("href", $"#{resource}"), ("rel", "evidence")));
                if (!added.Add(item.Id))
                {
                    continue;
                }

                var rlink = Obj(("href", item.Url ?? $"/api/v1/orgs/{org.Slug}/evidence/{item.Id:D}/content"));
                if (item.ContentType is { Length: > 0 } type && item.Url is null)
                {
                    rlink["media-type"] = type.Split(';')[0].Trim();
                }

                if (item.Sha256 is { } sha)
                {
                    rlink["hashes"] = new JsonArray(Obj(("algorithm", "SHA-256"), ("value", sha)));
                }

                resources.Add(Obj(("uuid", resource), ("title", Text(item.Title)),
                    ("description", Text(string.Create(CultureInfo.InvariantCulture, $"Evidence covering {item.PeriodFrom:yyyy-MM-dd} to {item.PeriodTo:yyyy-MM-dd}."))),
                    ("props", new JsonArray(Prop("evidence-id", item.Id.ToString("D")))), ("rlinks", new JsonArray(rlink))));
            }

            var byComponent = Obj(("component-uuid", component), ("uuid", Uuid(organisationId, "by-component", row.ControlIdentifier)),
                ("description", statement.ToString()), ("implementation-status", Obj(("state", status))));
            if (links.Count > 0)
            {
                byComponent["links"] = links;
            }

            var requirement = Obj(("uuid", Uuid(organisationId, "requirement", row.ControlIdentifier)), ("control-id", ControlId(row.ControlIdentifier)),
                ("props", new JsonArray(Prop("applicable", row.Applicable switch { true => "yes", false => "no", null => "undecided" }))));
            if (owner is not null)
            {
                requirement["responsible-roles"] = new JsonArray(Obj(("role-id", "control-owner"), ("party-uuids", new JsonArray(owner))));
            }
            else if (Clean(row.OwnerName) is { } ownerName)
            {
                ((JsonArray)requirement["props"]!).Add(Prop("owner", ownerName));
            }

            requirement["by-components"] = new JsonArray(byComponent);
            requirements.Add(requirement);
        }

        var scopeText = Text(scope?.Statement, "No scope statement is recorded yet.");
        var plan = Obj(
            ("uuid", Uuid(organisationId, "document", "ssp")),
            ("metadata", metadata),
            ("import-profile", Obj(("href", $"#{catalogResource}"))),
            ("system-characteristics", Obj(
                ("system-ids", new JsonArray(Obj(("identifier-type", Namespace), ("id", org.Slug)))),
                ("system-name", Text(org.Name)),
                ("description", scopeText),
                ("system-information", Obj(("information-types", new JsonArray(Obj(
                    ("title", "Information within the scope of the ISMS"),
                    ("description", scopeText)))))),
                ("status", Obj(("state", "operational"))),
                ("authorization-boundary", Obj(("description", scopeText))))),
            ("system-implementation", Obj(
                ("users", new JsonArray(Obj(("uuid", Uuid(organisationId, "user", "control-owner")), ("title", "Control owners"), ("role-ids", new JsonArray("control-owner"))))),
                ("components", new JsonArray(Obj(
                    ("uuid", component), ("type", "this-system"), ("title", Text(org.Name)),
                    ("description", "The information security management system as a whole."), ("status", Obj(("state", "operational")))))))),
            ("control-implementation", Obj(
                ("description", string.Create(CultureInfo.InvariantCulture, $"The controls of Statement of Applicability version {version.Number}{(version.PublishedAt is { } p ? $", published {p:yyyy-MM-dd}" : "")}{(version.ApproverName is { } a ? $" and approved by {Text(a)}" : "")}.")),
                ("implemented-requirements", requirements))),
            ("back-matter", Obj(("resources", resources))));
        return new JsonObject { ["system-security-plan"] = plan };
    }

    public async Task<JsonObject> AssessmentResultsAsync(Guid organisationId, CancellationToken ct)
    {
        var org = await db.Organisations.AsNoTracking().SingleAsync(o => o.Id == organisationId, ct);
        var audits = await db.InternalAudits.AsNoTracking()
            .Where(a => a.OrganisationId == organisationId && a.Status == InternalAuditStatus.Reported)
            .OrderBy(a => a.Reference).ToListAsync(ct);
        if (audits.Count == 0)
        {
            throw UseCaseException.Conflict("internalAudits", "No internal audit has been reported yet: assessment results come from signed-off internal audits.");
        }

        var ids = audits.Select(a => a.Id).ToList();
        var items = await db.ChecklistItems.AsNoTracking().Where(i => ids.Contains(i.InternalAuditId)).OrderBy(i => i.SortOrder).ToListAsync(ct);
        var ncIds = items.Select(i => i.NonconformityId).OfType<Guid>().ToList();
        var ncs = await db.Nonconformities.AsNoTracking().Where(n => ncIds.Contains(n.Id)).ToDictionaryAsync(n => n.Id, n => n.Reference, ct);
        var plan = Uuid(organisationId, "resource", "programme");
        var results = new JsonArray();
        foreach (var audit in audits)
        {
            var own = items.Where(i => i.InternalAuditId == audit.Id).ToList();
            var start = audit.StartedAt ?? Start(audit.PlannedStart);
            var end = audit.SignedOffAt ?? Start(audit.PlannedEnd.AddDays(1));
            var observations = new JsonArray();
            var findings = new JsonArray();
            foreach (var item in own.Where(i => i.Result is { } r && r != ChecklistResult.NotAudited))
            {
                var key = $"{audit.Id:D}/{item.Identifier}";
                var observation = Uuid(organisationId, "observation", key);
                var label = InternalAuditReport.Label(item.Result);
                var description = Clean(item.Notes) is { } notes ? $"{label}: {notes}" : $"{label}.";
                observations.Add(Obj(("uuid", observation), ("title", Text($"{audit.Reference} {item.Identifier}")), ("description", description),
                    ("methods", new JsonArray("EXAMINE", "INTERVIEW")), ("collected", Instant(item.RecordedAt ?? end))));
                var satisfied = item.Result is ChecklistResult.Conforming or ChecklistResult.Observation or ChecklistResult.Improvement;
                var finding = Obj(("uuid", Uuid(organisationId, "finding", key)), ("title", Text($"{audit.Reference}: {item.Identifier} {label.ToLowerInvariant()}")),
                    ("description", description),
                    ("target", Obj(("type", "objective-id"), ("target-id", ControlId(item.Identifier)),
                        ("status", Obj(("state", satisfied ? "satisfied" : "not-satisfied"))))),
                    ("related-observations", new JsonArray(Obj(("observation-uuid", observation)))));
                if (item.NonconformityId is { } nc && ncs.TryGetValue(nc, out var reference))
                {
                    finding["props"] = new JsonArray(Prop("nonconformity", reference));
                }

                findings.Add(finding);
            }

            var reviewed = own.Count == 0
                ? Obj(("control-selections", new JsonArray(Obj(("include-all", new JsonObject())))))
                : Obj(("control-selections", new JsonArray(Obj(("include-controls",
                    new JsonArray([.. own.Select(i => (JsonNode)Obj(("control-id", ControlId(i.Identifier))))]))))));
            var result = Obj(("uuid", Uuid(organisationId, "result", audit.Id.ToString("D"))), ("title", Text($"{audit.Reference} {audit.Title}")),
                ("description", Text(audit.Criteria is { } c ? $"Internal audit against {c}." : "Internal audit.")),
                ("start", Instant(start)), ("end", Instant(end < start ? start : end)), ("reviewed-controls", reviewed));
            if (observations.Count > 0)
            {
                result["observations"] = observations;
                result["findings"] = findings;
            }

            results.Add(result);
        }

        var document = Obj(
            ("uuid", Uuid(organisationId, "document", "assessment-results")),
            ("metadata", Metadata(org.Name, $"{org.Name}: internal audit results", string.Create(CultureInfo.InvariantCulture, $"{audits.Count} internal audit(s)"))),
            ("import-ap", Obj(("href", $"#{plan}"))),
            ("results", results),
            ("back-matter", Obj(("resources", new JsonArray(Obj(("uuid", plan), ("title", "The internal audit programme of the certification cycle")))))));
        return new JsonObject { ["assessment-results"] = document };
    }

    public async Task<JsonObject> PlanOfActionAsync(Guid organisationId, CancellationToken ct)
    {
        var org = await db.Organisations.AsNoTracking().SingleAsync(o => o.Id == organisationId, ct);
        var open = await db.Nonconformities.AsNoTracking().Where(n => n.OrganisationId == organisationId && n.Status != NonconformityStatus.Closed)
            .OrderBy(n => n.Reference).Select(n => new { n.Id, n.Reference, n.Title, n.Description, n.DueOn, n.Status, n.Severity }).ToListAsync(ct);
        var openIds = open.Select(n => n.Id).ToList();
        var actions = await db.CorrectiveActions.AsNoTracking().Where(a => openIds.Contains(a.NonconformityId))
            .OrderBy(a => a.Round).ThenBy(a => a.DueOn).ThenBy(a => a.Id).ToListAsync(ct);
        var findings = await db.Findings.AsNoTracking().Where(f => f.OrganisationId == organisationId && f.FixedAt == null)
            .OrderBy(f => f.DueOn).ThenBy(f => f.Fingerprint).Select(f => new { f.Id, f.Title, f.Tool, f.Target, f.RuleId, f.Severity, f.DueOn, f.PackageName, f.FixedVersion })
            .ToListAsync(ct);
        if (open.Count == 0 && findings.Count == 0)
        {
            throw UseCaseException.Conflict("poam", "Nothing is open: no nonconformity and no scanner finding awaits action, so there is no plan of action to export.");
        }

        var risks = new JsonArray();
        var items = new JsonArray();
        foreach (var nc in open)
        {
            var risk = Uuid(organisationId, "risk", nc.Id.ToString("D"));
            var remediations = new JsonArray();
            foreach (var action in actions.Where(a => a.NonconformityId == nc.Id))
            {
                remediations.Add(Obj(("uuid", Uuid(organisationId, "remediation", action.Id.ToString("D"))),
                    ("lifecycle", action.Status == CorrectiveActionStatus.Done ? "completed" : "planned"),
                    ("title", Text(action.Title)), ("description", Text($"Corrective action of round {action.Round}, {action.Status.Name()}.")),
                    ("tasks", new JsonArray(Obj(("uuid", Uuid(organisationId, "task", action.Id.ToString("D"))), ("type", "milestone"), ("title", Text($"Due: {action.Title}")),
                        ("timing", Obj(("on-date", Obj(("date", Instant(Start(action.DueOn))))))))))));
            }

            var entry = Obj(("uuid", risk), ("title", Text($"{nc.Reference} {nc.Title}")), ("description", Text(nc.Description, nc.Title)),
                ("statement", Text($"A {nc.Severity.Name()} nonconformity, {nc.Status.Label().ToLowerInvariant()}.")), ("status", "open"),
                ("props", new JsonArray(Prop("nonconformity", nc.Reference))));
            if (nc.DueOn is { } due)
            {
                entry["deadline"] = Instant(Start(due));
            }

            if (remediations.Count > 0)
            {
                entry["remediations"] = remediations;
            }

            risks.Add(entry);
            items.Add(Obj(("uuid", Uuid(organisationId, "poam-item", nc.Id.ToString("D"))), ("title", Text($"{nc.Reference} {nc.Title}")),
                ("description", Text(nc.Description, nc.Title)), ("related-risks", new JsonArray(Obj(("risk-uuid", risk))))));
        }

        foreach (var f in findings)
        {
            var risk = Uuid(organisationId, "risk", f.Id.ToString("D"));
            var statement = $"{f.Severity.ToString().ToLowerInvariant()} severity finding {f.RuleId} reported by {f.Tool} on {f.Target}"
                + (f.PackageName is { } p ? $" in {p}" : "") + (f.FixedVersion is { } v ? $"; fixed in {v}" : "") + ".";
            var entry = Obj(("uuid", risk), ("title", Text(f.Title, f.RuleId)), ("description", Text(statement)), ("statement", Text(statement)), ("status", "open"),
                ("props", new JsonArray(Prop("finding-id", f.Id.ToString("D")))));
            if (f.DueOn is { } due)
            {
                entry["deadline"] = Instant(Start(due));
            }

            risks.Add(entry);
            items.Add(Obj(("uuid", Uuid(organisationId, "poam-item", f.Id.ToString("D"))), ("title", Text(f.Title, f.RuleId)),
                ("description", Text(statement)), ("related-risks", new JsonArray(Obj(("risk-uuid", risk))))));
        }

        var document = Obj(
            ("uuid", Uuid(organisationId, "document", "poam")),
            ("metadata", Metadata(org.Name, $"{org.Name}: plan of action and milestones",
                string.Create(CultureInfo.InvariantCulture, $"{open.Count} nonconformity(ies), {findings.Count} finding(s)"))),
            ("system-id", Obj(("identifier-type", Namespace), ("id", org.Slug))),
            ("risks", risks),
            ("poam-items", items));
        return new JsonObject { ["plan-of-action-and-milestones"] = document };
    }

    /// <summary>A name-based (version 5) UUID: the same record always gets the same one.</summary>
    public static string Uuid(Guid organisationId, string kind, string key)
    {
        var name = Encoding.UTF8.GetBytes($"{organisationId:D}/{kind}/{key}");
        var bytes = new byte[16 + name.Length];
        UuidNamespace.TryWriteBytes(bytes, bigEndian: true, out _);
        name.CopyTo(bytes, 16);
#pragma warning disable CA5350 // SHA-1 is what RFC 9562 prescribes for version 5 UUIDs; nothing secret depends on it.
        var hash = SHA1.HashData(bytes);
#pragma warning restore CA5350
        hash[6] = (byte)((hash[6] & 0x0F) | 0x50);
        hash[8] = (byte)((hash[8] & 0x3F) | 0x80);
        return new Guid(hash.AsSpan(0, 16), bigEndian: true).ToString("D");
    }

    /// <summary>OSCAL identifiers start with a letter: clause 9.2 becomes <c>clause-9.2</c>; controls keep theirs (A.5.1).</summary>
    public static string ControlId(string identifier) => identifier.Length > 0 && char.IsAsciiDigit(identifier[0]) ? $"clause-{identifier}" : identifier;

    private JsonObject Metadata(string organisation, string title, string version) => Obj(
        ("title", Text(title)),
        ("last-modified", Instant(time.GetUtcNow())),
        ("version", Text(version)),
        ("oscal-version", Version),
        ("props", new JsonArray(Prop("generator", "Perennial"))),
        ("remarks", Text($"Exported by Perennial for {organisation}.")));

    private static JsonObject Prop(string name, string value) => Obj(("name", name), ("value", Text(value)), ("ns", Namespace));

    private static JsonObject Obj(params (string Key, JsonNode? Value)[] fields)
    {
        var o = new JsonObject();
        foreach (var (key, value) in fields)
        {
            o[key] = value;
        }

        return o;
    }

    private static string Instant(DateTimeOffset at) => at.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", CultureInfo.InvariantCulture);

    private static DateTimeOffset Start(DateOnly day) => new(day.ToDateTime(TimeOnly.MinValue), TimeSpan.Zero);

    private static string? Clean(string? text)
    {
        var t = string.Join(' ', (text ?? "").Split((char[]?)null, StringSplitOptions.RemoveEmptyEntries));
        return t.Length == 0 ? null : t;
    }

    /// <summary>OSCAL strings have no leading or trailing space and are never empty.</summary>
    private static string Text(string? text, string fallback = "Not recorded.") => Clean(text) ?? Clean(fallback) ?? "Not recorded.";
}

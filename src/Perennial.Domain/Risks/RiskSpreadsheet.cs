using System.Globalization;
using System.Text.RegularExpressions;
using ClosedXML.Excel;
using Microsoft.EntityFrameworkCore;
using Perennial.Common;
using Perennial.Data;
using Perennial.Frameworks;
using Perennial.Soa;

namespace Perennial.Risks;

/// <summary>A field of a risk that an imported column can fill.</summary>
public sealed record RiskImportField(string Key, string Label, bool Required, string Help);

/// <summary>One row of an import preview: what would be imported, and what is wrong with the row.</summary>
public sealed record RiskImportPreviewRow(
    int Row,
    string? Reference,
    string? Title,
    string? Owner,
    IReadOnlyList<string> Assets,
    int? InherentLikelihood,
    int? InherentImpact,
    string? InherentLevel,
    TreatmentOption? Treatment,
    int? ResidualLikelihood,
    int? ResidualImpact,
    string? ResidualLevel,
    RiskStatus? Status,
    DateOnly? NextReview,
    IReadOnlyList<SpreadsheetRowError> Errors);

/// <summary>
/// What an uploaded register holds: its columns (with the first value of each), the mapping suggested for them and the one applied,
/// the first rows as they would be imported, and every problem that would stop the import.
/// </summary>
public sealed record RiskImportAnalysis(
    string FileName,
    int HeaderRow,
    IReadOnlyList<string> Columns,
    IReadOnlyList<string> Samples,
    IReadOnlyDictionary<string, string?> SuggestedMapping,
    IReadOnlyDictionary<string, string?> Mapping,
    int RowCount,
    IReadOnlyList<RiskImportPreviewRow> Preview,
    IReadOnlyList<SpreadsheetRowError> Errors)
{
    public bool CanImport => Errors.Count == 0 && RowCount > 0;
}

public sealed record RiskImportResult(IReadOnlyList<string> References, IReadOnlyList<SpreadsheetRowError> Errors)
{
    public bool Succeeded => Errors.Count == 0;
}

/// <summary>
/// The risk register and its treatment plan as XLSX workbooks in the columns auditors expect, and
/// the import of a register from XLSX or CSV: columns are mapped to fields (suggested from their
/// names), every row is checked, and the file imports completely or not at all.
/// </summary>
public sealed partial class RiskSpreadsheet(PerennialDbContext db, RiskService risks, TimeProvider time)
{
    public const long MaxImportBytes = 10 * 1024 * 1024;
    public const int MaxRows = 10_000;
    public const int PreviewRows = 20;
    public const string RegisterSheet = "Risk register";
    public const string PlanSheet = "Treatment plan";
    public const string MethodSheet = "Risk method";

    /// <summary>The register export's columns; the import recognises the same names.</summary>
    internal static readonly string[] RegisterColumns =
    [
        "Reference", "Title", "Description", "Asset(s)", "Threat", "Vulnerability", "Owner",
        "Inherent likelihood", "Inherent impact", "Inherent level", "Existing controls", "Treatment", "Planned controls", "Treatment plan",
        "Residual likelihood", "Residual impact", "Residual level", "Accepted by", "Accepted until", "Acceptance justification",
        "Last review", "Next review", "Status", "Review interval (months)",
    ];

    private static readonly double[] RegisterWidths = [10, 40, 50, 25, 30, 30, 22, 11, 11, 12, 40, 11, 20, 40, 11, 11, 12, 22, 13, 40, 12, 12, 9, 11];

    internal static readonly string[] PlanColumns = ["Risk reference", "Risk title", "Action", "Owner", "Due date", "Status", "Overdue"];

    private static readonly double[] PlanWidths = [12, 40, 50, 22, 12, 12, 9];

    public static readonly IReadOnlyList<RiskImportField> Fields =
    [
        new("reference", "Reference", false, "Kept when given (at most 20 characters, not already in the register); otherwise R-001, R-002, … are assigned."),
        new("title", "Title", true, "Required, at most 300 characters."),
        new("description", "Description", false, "At most 4000 characters."),
        new("assets", "Asset(s)", false, "Names of existing assets, separated by semicolons or line breaks."),
        new("threat", "Threat", false, "At most 1000 characters."),
        new("vulnerability", "Vulnerability", false, "At most 1000 characters."),
        new("owner", "Owner", false, "A member's e-mail address or display name."),
        new("inherentLikelihood", "Inherent likelihood", true, "A number on the likelihood scale, or the level's name."),
        new("inherentImpact", "Inherent impact", true, "A number on the impact scale, or the level's name."),
        new("existingControls", "Existing controls", false, "At most 4000 characters."),
        new("treatment", "Treatment", true, "Modify (mitigate, reduce), retain (accept), avoid (terminate) or share (transfer)."),
        new("plannedControls", "Planned controls", false, "Control identifiers such as A.5.15, separated by commas."),
        new("treatmentPlan", "Treatment plan", false, "At most 4000 characters."),
        new("residualLikelihood", "Residual likelihood", false, "As the inherent likelihood; empty means the same as the inherent one."),
        new("residualImpact", "Residual impact", false, "As the inherent impact; empty means the same as the inherent one."),
        new("reviewIntervalMonths", "Review interval (months)", false, "1 to 36 months, or words such as quarterly or annual; 12 when empty."),
        new("lastReview", "Last review", false, "The date of the last review (YYYY-MM-DD), not in the future."),
        new("nextReview", "Next review", false, "YYYY-MM-DD; when empty, the last review (or today) plus the interval."),
        new("status", "Status", false, "Open or closed; open when empty."),
    ];

    private static readonly Dictionary<string, string[]> Synonyms = new(StringComparer.Ordinal)
    {
        ["reference"] = ["reference", "ref", "riskreference", "riskref", "riskid", "id", "riskno", "risknumber", "no", "number"],
        ["title"] = ["title", "risktitle", "risk", "riskname", "name", "summary", "risksummary", "shortdescription"],
        ["description"] = ["description", "riskdescription", "details", "riskdetails", "scenario", "riskscenario", "riskstatement"],
        ["assets"] = ["assets", "asset", "affectedassets", "assetsaffected", "affectedasset", "assetaffected", "assetorprocess", "assetsorprocesses", "informationasset", "informationassets", "assetname", "assetnames"],
        ["threat"] = ["threat", "threats", "threatsource", "threatsources"],
        ["vulnerability"] = ["vulnerability", "vulnerabilities", "weakness", "weaknesses"],
        ["owner"] = ["owner", "riskowner", "ownedby", "responsible", "accountable", "ownername", "owneremail"],
        ["inherentLikelihood"] = ["inherentlikelihood", "likelihoodinherent", "likelihood", "probability", "inherentprobability", "probabilityinherent", "grosslikelihood", "initiallikelihood", "likelihoodbeforetreatment", "currentlikelihood"],
        ["inherentImpact"] = ["inherentimpact", "impactinherent", "impact", "consequence", "consequences", "severity", "inherentconsequence", "inherentseverity", "grossimpact", "initialimpact", "impactbeforetreatment", "currentimpact"],
        ["existingControls"] = ["existingcontrols", "currentcontrols", "controlsinplace", "existingcontrol", "existingmeasures", "currentmeasures", "existingsafeguards"],
        ["treatment"] = ["treatment", "treatmentoption", "risktreatment", "treatmentdecision", "riskresponse", "response", "decision", "riskdecision", "strategy", "treatmentstrategy"],
        ["plannedControls"] = ["plannedcontrols", "controls", "annexacontrols", "annexa", "linkedcontrols", "isocontrols", "soacontrols", "controlreferences", "plannedcontrol", "selectedcontrols"],
        ["treatmentPlan"] = ["treatmentplan", "actionplan", "treatmentactions", "mitigationplan", "plannedactions", "actions", "plan", "mitigation"],
        ["residualLikelihood"] = ["residuallikelihood", "likelihoodresidual", "residualprobability", "probabilityresidual", "targetlikelihood", "netlikelihood", "likelihoodaftertreatment"],
        ["residualImpact"] = ["residualimpact", "impactresidual", "residualconsequence", "residualseverity", "targetimpact", "netimpact", "impactaftertreatment"],
        ["reviewIntervalMonths"] = ["reviewintervalmonths", "reviewinterval", "reviewfrequency", "reviewfrequencymonths", "reviewperiod", "reviewcycle"],
        ["lastReview"] = ["lastreview", "lastreviewed", "lastreviewdate", "lastreviewedon", "datereviewed", "reviewed", "reviewdate", "dateoflastreview"],
        ["nextReview"] = ["nextreview", "nextreviewdate", "nextreviewdue", "reviewdue", "nextreviewon", "reviewduedate", "dateofnextreview"],
        ["status"] = ["status", "riskstatus", "state"],
    };

    private DateOnly Today => DateOnly.FromDateTime(time.GetUtcNow().UtcDateTime);

    // ---- Mapping ------------------------------------------------------------------------------

    public static RiskImportField? FindField(string? keyOrLabel)
    {
        var wanted = Spreadsheets.Normalise(keyOrLabel);
        return wanted.Length == 0 ? null : Fields.FirstOrDefault(f => Spreadsheets.Normalise(f.Key) == wanted || Spreadsheets.Normalise(f.Label) == wanted);
    }

    /// <summary>
    /// The field each column most likely holds, from its name and common synonyms ("Risk title",
    /// "Likelihood (inherent)", "Risk owner", "Impact"); null for columns to leave out, such as
    /// levels and scores, which are always computed.
    /// </summary>
    public static IReadOnlyDictionary<string, string?> Suggest(IReadOnlyList<string> columns)
    {
        ArgumentNullException.ThrowIfNull(columns);
        var result = columns.ToDictionary(c => c, c => (string?)null, StringComparer.Ordinal);
        var taken = new HashSet<string>(StringComparer.Ordinal);
        foreach (var column in columns)
        {
            var name = Spreadsheets.Normalise(column);
            var field = Synonyms.FirstOrDefault(s => s.Value.Contains(name)).Key;
            if (field is not null && taken.Add(field))
            {
                result[column] = field;
            }
        }

        foreach (var column in columns.Where(c => result[c] is null))
        {
            if (Guess(Spreadsheets.Normalise(column)) is { } field && taken.Add(field))
            {
                result[column] = field;
            }
        }

        return result;
    }

    private static string? Guess(string name)
    {
        bool Has(params string[] words) => words.Any(w => name.Contains(w, StringComparison.Ordinal));
        if (Has("level", "score", "rating", "rank", "justification", "accepted", "acceptance", "description", "comment", "note"))
        {
            return null;
        }

        var residual = Has("residual", "target", "after", "net");
        return name switch
        {
            _ when Has("likelihood", "probability") => residual ? "residualLikelihood" : "inherentLikelihood",
            _ when Has("impact", "consequence", "severity") => residual ? "residualImpact" : "inherentImpact",
            _ when Has("owner") => "owner",
            _ when Has("asset") => "assets",
            _ when Has("treatment") && Has("plan", "action") => "treatmentPlan",
            _ when Has("treatment") => "treatment",
            _ when Has("threat") => "threat",
            _ when Has("vulnerab") => "vulnerability",
            _ when Has("title") => "title",
            _ => null,
        };
    }

    // ---- Import -------------------------------------------------------------------------------

    /// <summary>Reads the file and checks every row against the mapping (the suggested one when null), without importing.</summary>
    public async Task<RiskImportAnalysis> AnalyseAsync(Guid organisationId, string fileName, Stream content, IReadOnlyDictionary<string, string?>? mapping, CancellationToken ct) =>
        (await PrepareAsync(organisationId, fileName, content, mapping, forImport: false, ct)).Analysis;

    /// <summary>Imports every row as a new risk, or none: any problem in any row imports nothing and is reported with its row and column.</summary>
    public async Task<RiskImportResult> ImportAsync(Guid organisationId, string fileName, Stream content, IReadOnlyDictionary<string, string?>? mapping, CancellationToken ct)
    {
        var prepared = await PrepareAsync(organisationId, fileName, content, mapping, forImport: true, ct);
        var analysis = prepared.Analysis;
        if (analysis.Errors.Count > 0)
        {
            return new RiskImportResult([], analysis.Errors);
        }

        try
        {
            var name = Path.GetFileName(fileName);
            var reason = string.IsNullOrWhiteSpace(name) ? "imported" : $"imported from {name}";
            return new RiskImportResult(await risks.CreateManyAsync(organisationId, prepared.Items, reason, ct), []);
        }
        catch (UseCaseException e) when (e.Kind is UseCaseErrorKind.Validation or UseCaseErrorKind.Conflict)
        {
            // The register changed between the check and the import (another import took a reference).
            return new RiskImportResult([], [new SpreadsheetRowError(0, e.Field ?? "", e.Message)]);
        }
    }

    private sealed record Member(Guid UserId, string Email, string DisplayName);

    private sealed record Lookup(
        RiskMethod Method,
        IReadOnlyList<ScaleLevel> Likelihood,
        IReadOnlyList<ScaleLevel> Impact,
        IReadOnlyList<LevelBand> Bands,
        IReadOnlyList<Member> Members,
        Dictionary<string, Guid> Assets,
        Dictionary<string, Guid?> Controls,
        HashSet<string> References,
        int RiskCount);

    private sealed record Prepared(RiskImportAnalysis Analysis, IReadOnlyList<RiskImportItem> Items);

    private async Task<Prepared> PrepareAsync(Guid organisationId, string fileName, Stream content, IReadOnlyDictionary<string, string?>? mapping, bool forImport, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(content);
        Table table;
        try
        {
            table = await Spreadsheets.ReadAsync(fileName, content, MaxRows, RegisterSheet, ct);
        }
        catch (FormatException e)
        {
            var empty = new Dictionary<string, string?>();
            return new Prepared(new RiskImportAnalysis(fileName, 0, [], [], empty, empty, 0, [], [new SpreadsheetRowError(0, "", e.Message)]), []);
        }

        var suggested = Suggest(table.Columns);
        var (columns, used, errors) = ApplyMapping(table, mapping ?? suggested);
        if (table.Rows.Count == 0)
        {
            errors.Add(new SpreadsheetRowError(table.HeaderRow, "", "There are no rows below the header row; nothing to import."));
        }
        var lookup = await LoadAsync(organisationId, forImport, ct);
        var given = columns.TryGetValue("reference", out var referenceColumn)
            ? table.Rows.Select(r => r[referenceColumn].Trim()).Where(r => r.Length > 0).ToHashSet(StringComparer.OrdinalIgnoreCase)
            : [];
        var automatic = new Queue<string>(RiskService.AllocateReferences(lookup.RiskCount, new HashSet<string>(lookup.References.Concat(given), StringComparer.OrdinalIgnoreCase), table.Rows.Count));
        var firstRowOf = new Dictionary<string, int>(StringComparer.OrdinalIgnoreCase);
        var items = new List<RiskImportItem>(table.Rows.Count);
        var preview = new List<RiskImportPreviewRow>(PreviewRows);
        foreach (var row in table.Rows)
        {
            var parsed = ParseRow(row, table, columns, lookup, firstRowOf);
            errors.AddRange(parsed.Errors);
            if (parsed.Item is not null && parsed.Errors.Count == 0)
            {
                items.Add(parsed.Item);
            }

            if (preview.Count < PreviewRows)
            {
                preview.Add(parsed.Preview with { Reference = parsed.Preview.Reference ?? automatic.Peek() });
            }

            if (string.IsNullOrWhiteSpace(parsed.Preview.Reference))
            {
                automatic.Dequeue();
            }
        }

        var samples = table.Columns.Select((_, c) => table.Rows.Select(r => r[c].Trim()).FirstOrDefault(v => v.Length > 0) ?? "").ToList();
        var analysis = new RiskImportAnalysis(fileName, table.HeaderRow, table.Columns, samples, suggested, used, table.Rows.Count, preview, errors);
        return new Prepared(analysis, errors.Count == 0 ? items : []);
    }

    private static (Dictionary<string, int> Columns, Dictionary<string, string?> Used, List<SpreadsheetRowError> Errors) ApplyMapping(Table table, IReadOnlyDictionary<string, string?> mapping)
    {
        var byName = table.Columns.Select((c, i) => (c, i)).ToDictionary(x => x.c, x => x.i, StringComparer.OrdinalIgnoreCase);
        var columns = new Dictionary<string, int>(StringComparer.Ordinal);
        var used = table.Columns.ToDictionary(c => c, c => (string?)null, StringComparer.Ordinal);
        var errors = new List<SpreadsheetRowError>();
        var headerRow = table.HeaderRow;
        foreach (var (header, target) in mapping)
        {
            if (string.IsNullOrWhiteSpace(target) || string.Equals(target.Trim(), "ignore", StringComparison.OrdinalIgnoreCase))
            {
                continue;
            }

            if (!byName.TryGetValue(header?.Trim() ?? "", out var index))
            {
                errors.Add(new SpreadsheetRowError(headerRow, header ?? "", $"The mapping names the column '{header}', which the file does not have (its columns: {string.Join(", ", table.Columns)})."));
                continue;
            }

            var field = FindField(target);
            if (field is null)
            {
                errors.Add(new SpreadsheetRowError(headerRow, table.Columns[index], $"'{target}' is not a risk field; use one of {string.Join(", ", Fields.Select(f => f.Key))}, or leave the column out."));
                continue;
            }

            if (columns.TryGetValue(field.Key, out var other) && other != index)
            {
                errors.Add(new SpreadsheetRowError(headerRow, table.Columns[index], $"{field.Label} is already taken from the column '{table.Columns[other]}'; map each field from one column."));
                continue;
            }

            columns[field.Key] = index;
            used[table.Columns[index]] = field.Key;
        }

        foreach (var field in Fields.Where(f => f.Required && !columns.ContainsKey(f.Key)))
        {
            errors.Add(new SpreadsheetRowError(headerRow, field.Label, $"No column is mapped to {field.Label}, which every risk needs."));
        }

        return (columns, used, errors);
    }

    private async Task<Lookup> LoadAsync(Guid organisationId, bool forImport, CancellationToken ct)
    {
        // A preview changes nothing: without a saved method it checks against the default one the import would save.
        var method = forImport
            ? await risks.CurrentMethodAsync(organisationId, ct)
            : await db.RiskMethods.AsNoTracking().SingleOrDefaultAsync(m => m.OrganisationId == organisationId && m.IsCurrent, ct) ?? DefaultMethod();
        var members = await db.Memberships.AsNoTracking().Where(m => m.OrganisationId == organisationId)
            .Join(db.Users, m => m.UserId, u => u.Id, (m, u) => new Member(u.Id, u.Email ?? "", u.DisplayName))
            .ToListAsync(ct);
        var assets = new Dictionary<string, Guid>(StringComparer.OrdinalIgnoreCase);
        foreach (var asset in await db.Assets.AsNoTracking().Where(a => a.OrganisationId == organisationId).OrderBy(a => a.Name).Select(a => new { a.Name, a.Id }).ToListAsync(ct))
        {
            assets.TryAdd(asset.Name.Trim(), asset.Id);
        }

        var controls = await db.Controls.AsNoTracking()
            .Where(c => c.OrganisationId == organisationId && c.Kind == ControlKind.Control)
            .Select(c => new { c.Id, c.Identifier, Iso = c.Framework!.Key == Framework.IsoKey })
            .ToListAsync(ct);
        var byIdentifier = new Dictionary<string, Guid?>(StringComparer.OrdinalIgnoreCase);
        foreach (var group in controls.GroupBy(c => c.Identifier, StringComparer.OrdinalIgnoreCase))
        {
            // The same identifier in two frameworks means the ISO/IEC 27001 control if it is one of them.
            var iso = group.Where(c => c.Iso).ToList();
            byIdentifier[group.Key] = group.Count() == 1 ? group.First().Id : iso.Count == 1 ? iso[0].Id : null;
        }

        foreach (var control in controls.Where(c => c.Iso && c.Identifier.StartsWith("A.", StringComparison.OrdinalIgnoreCase)))
        {
            // Registers often write Annex A controls without the "A.": 5.15 for A.5.15.
            byIdentifier.TryAdd(control.Identifier[2..], control.Id);
        }

        var references = await db.Risks.AsNoTracking().Where(r => r.OrganisationId == organisationId).Select(r => r.Reference).ToListAsync(ct);
        return new Lookup(method, method.Likelihood, method.Impact, method.Bands, members, assets, byIdentifier, new HashSet<string>(references, StringComparer.OrdinalIgnoreCase), references.Count);
    }

    private static RiskMethod DefaultMethod()
    {
        var (likelihood, impact, bands, threshold) = RiskMatrix.Default(5);
        var method = new RiskMethod { Version = 1, IsCurrent = true, AcceptanceThreshold = threshold };
        method.Set(likelihood, impact, bands);
        return method;
    }

    private sealed record ParsedRow(RiskImportItem? Item, RiskImportPreviewRow Preview, List<SpreadsheetRowError> Errors);

    private ParsedRow ParseRow(TableRow row, Table table, Dictionary<string, int> columns, Lookup lookup, Dictionary<string, int> firstRowOf)
    {
        var errors = new List<SpreadsheetRowError>();
        string ColumnOf(string field) => columns.TryGetValue(field, out var c) ? table.Columns[c] : FindField(field)!.Label;
        void Error(string field, string message) => errors.Add(new SpreadsheetRowError(row.Number, ColumnOf(field), message));
        string? Raw(string field) => columns.TryGetValue(field, out var c) ? row[c] : null;
        string? Text(string field, int max)
        {
            var value = Raw(field)?.Trim();
            if (string.IsNullOrEmpty(value))
            {
                return null;
            }

            if (value.Length > max)
            {
                Error(field, $"{FindField(field)!.Label} is at most {max} characters; this one has {value.Length}.");
            }

            return value;
        }

        var reference = Text("reference", 20);
        if (reference is not null)
        {
            if (lookup.References.Contains(reference))
            {
                Error("reference", $"{reference} is already in the register; importing adds new risks, so give this one another reference or leave the column out to number them automatically.");
            }
            else if (!firstRowOf.TryAdd(reference, row.Number))
            {
                Error("reference", $"{reference} appears again (first on row {firstRowOf[reference]}).");
            }
        }

        var title = Text("title", RiskLimits.Title);
        if (title is null && columns.ContainsKey("title"))
        {
            Error("title", "The title is empty; every risk needs one.");
        }

        var description = Text("description", RiskLimits.Text);
        var threat = Text("threat", RiskLimits.Line);
        var vulnerability = Text("vulnerability", RiskLimits.Line);
        var existingControls = Text("existingControls", RiskLimits.Text);
        var treatmentPlan = Text("treatmentPlan", RiskLimits.Text);

        var (ownerId, ownerName) = ResolveOwner(Raw("owner"), lookup.Members, m => Error("owner", m));

        var inherentLikelihood = Scale(Raw("inherentLikelihood"), lookup.Likelihood, "likelihood", lookup, m => Error("inherentLikelihood", m), required: true);
        var inherentImpact = Scale(Raw("inherentImpact"), lookup.Impact, "impact", lookup, m => Error("inherentImpact", m), required: true);
        var residualLikelihood = Scale(Raw("residualLikelihood"), lookup.Likelihood, "likelihood", lookup, m => Error("residualLikelihood", m), required: false) ?? inherentLikelihood;
        var residualImpact = Scale(Raw("residualImpact"), lookup.Impact, "impact", lookup, m => Error("residualImpact", m), required: false) ?? inherentImpact;

        TreatmentOption? treatment = null;
        if (Raw("treatment") is { } treatmentText)
        {
            treatment = ParseTreatment(treatmentText);
            if (treatment is null)
            {
                Error("treatment", string.IsNullOrWhiteSpace(treatmentText)
                    ? "The treatment is empty; use modify (mitigate, reduce), retain (accept), avoid (terminate) or share (transfer)."
                    : $"'{treatmentText.Trim()}' is not a treatment; use modify (mitigate, reduce), retain (accept), avoid (terminate) or share (transfer).");
            }
        }

        var status = RiskStatus.Open;
        if (Raw("status") is { } statusText && !string.IsNullOrWhiteSpace(statusText))
        {
            switch (ParseStatus(statusText))
            {
                case { } s:
                    status = s;
                    break;
                default:
                    Error("status", $"'{statusText.Trim()}' is not a status; use open or closed.");
                    break;
            }
        }

        var interval = 12;
        if (Raw("reviewIntervalMonths") is { } intervalText && !string.IsNullOrWhiteSpace(intervalText))
        {
            switch (ParseInterval(intervalText))
            {
                case { } months and >= 1 and <= 36:
                    interval = months;
                    break;
                default:
                    Error("reviewIntervalMonths", $"'{intervalText.Trim()}' is not a review interval of 1 to 36 months.");
                    break;
            }
        }

        var lastReview = Date(Raw("lastReview"), m => Error("lastReview", m));
        if (lastReview > Today)
        {
            Error("lastReview", $"The last review, {lastReview:yyyy-MM-dd}, is in the future.");
        }

        var nextReview = Date(Raw("nextReview"), m => Error("nextReview", m));
        var (assetIds, assetNames) = ResolveAssets(Raw("assets"), lookup.Assets, m => Error("assets", m));
        var controlIds = ResolveControls(Raw("plannedControls"), lookup.Controls, m => Error("plannedControls", m));

        var next = nextReview ?? (lastReview is { } last ? RiskService.NextReview(last, interval) : Today.AddMonths(interval));
        var preview = new RiskImportPreviewRow(row.Number, reference, title, ownerName, assetNames,
            inherentLikelihood, inherentImpact, Level(lookup.Bands, inherentLikelihood, inherentImpact),
            treatment, residualLikelihood, residualImpact, Level(lookup.Bands, residualLikelihood, residualImpact),
            status, next, errors);
        RiskImportItem? item = null;
        if (errors.Count == 0 && title is not null && inherentLikelihood is { } il && inherentImpact is { } ii && treatment is { } t)
        {
            var input = new RiskInput(title, description, threat, vulnerability, ownerId, il, ii, existingControls, t, treatmentPlan,
                residualLikelihood ?? il, residualImpact ?? ii, interval, assetIds, controlIds, status);
            item = new RiskImportItem(input, reference, lastReview, nextReview);
        }

        return new ParsedRow(item, preview, errors);
    }

    private static string? Level(IReadOnlyList<LevelBand> bands, int? likelihood, int? impact) =>
        likelihood is { } l && impact is { } i ? RiskMatrix.Band(bands, RiskMatrix.Score(l, i)).Name : null;

    private static (Guid? Id, string? Name) ResolveOwner(string? text, IReadOnlyList<Member> members, Action<string> error)
    {
        var value = text?.Trim() ?? "";
        if (value.Length == 0)
        {
            return (null, null);
        }

        // "Alice Example <alice@example.com>" names the member by e-mail.
        var email = AngleAddress().Match(value) is { Success: true } m ? m.Groups[1].Value.Trim() : value;
        var byEmail = members.FirstOrDefault(x => string.Equals(x.Email, email, StringComparison.OrdinalIgnoreCase));
        if (byEmail is not null)
        {
            return (byEmail.UserId, byEmail.DisplayName);
        }

        var byName = members.Where(x => string.Equals(x.DisplayName.Trim(), value, StringComparison.OrdinalIgnoreCase)).ToList();
        if (byName.Count == 1)
        {
            return (byName[0].UserId, byName[0].DisplayName);
        }

        error(byName.Count > 1
            ? $"Several members are called '{value}'; give the owner's e-mail address instead."
            : $"'{value}' is not a member of this organisation; the owner is a member's e-mail address or display name.");
        return (null, null);
    }

    private static int? Scale(string? text, IReadOnlyList<ScaleLevel> levels, string axis, Lookup lookup, Action<string> error, bool required)
    {
        var value = text?.Trim() ?? "";
        if (value.Length == 0)
        {
            if (required && text is not null)
            {
                error($"The {axis} is empty; give a number from 1 to {levels.Count} or a level's name.");
            }

            return null;
        }

        int? number = null;
        if (double.TryParse(value, NumberStyles.Float, CultureInfo.InvariantCulture, out var d) && d == Math.Floor(d) && Math.Abs(d) < 1000)
        {
            number = (int)d;
        }
        else if (levels.FirstOrDefault(l => string.Equals(l.Name, value, StringComparison.OrdinalIgnoreCase)) is { } named)
        {
            number = named.Value;
        }
        else if (LeadingNumber().Match(value) is { Success: true } m)
        {
            // "4 - Likely", "4 (Likely)"
            number = int.Parse(m.Groups[1].Value, CultureInfo.InvariantCulture);
        }

        if (number is not { } n)
        {
            error($"'{value}' is not a {axis}; give a number from 1 to {levels.Count} or one of {string.Join(", ", levels.Select(l => l.Name))}.");
            return null;
        }

        if (n < 1 || n > levels.Count)
        {
            error($"The {axis} must be between 1 and {levels.Count} on this organisation's {lookup.Likelihood.Count}×{lookup.Impact.Count} matrix; got {n}.");
            return null;
        }

        return n;
    }

    internal static TreatmentOption? ParseTreatment(string text)
    {
        // "Modify", "Mitigate / reduce", "4 - Transfer": the first word that names an option.
        foreach (var word in Regex.Split(text.Trim().ToLowerInvariant(), "[^a-z]+").Where(w => w.Length > 0))
        {
            TreatmentOption? option = word switch
            {
                "modify" or "modification" or "mitigate" or "mitigation" or "reduce" or "reduction" or "treat" => TreatmentOption.Modify,
                "retain" or "retention" or "accept" or "acceptance" or "accepted" or "tolerate" => TreatmentOption.Retain,
                "avoid" or "avoidance" or "terminate" or "termination" or "eliminate" => TreatmentOption.Avoid,
                "share" or "sharing" or "transfer" or "transference" or "insure" => TreatmentOption.Share,
                _ => null,
            };
            if (option is not null)
            {
                return option;
            }
        }

        return null;
    }

    private static RiskStatus? ParseStatus(string text) => Spreadsheets.Normalise(text) switch
    {
        "open" or "active" or "live" or "current" or "new" or "identified" or "ongoing" => RiskStatus.Open,
        "closed" or "retired" or "archived" or "inactive" or "resolved" => RiskStatus.Closed,
        _ => null,
    };

    private static int? ParseInterval(string text)
    {
        var value = text.Trim();
        if (LeadingNumber().Match(value + " ") is { Success: true } m)
        {
            return int.Parse(m.Groups[1].Value, CultureInfo.InvariantCulture);
        }

        if (double.TryParse(value, NumberStyles.Float, CultureInfo.InvariantCulture, out var d) && d == Math.Floor(d) && d is > 0 and < 1000)
        {
            return (int)d;
        }

        return Spreadsheets.Normalise(value) switch
        {
            "monthly" => 1,
            "quarterly" => 3,
            "halfyearly" or "sixmonthly" or "semiannual" or "semiannually" or "biannual" or "biannually" => 6,
            "annual" or "annually" or "yearly" => 12,
            "biennial" or "biennially" => 24,
            _ => null,
        };
    }

    private static DateOnly? Date(string? text, Action<string> error)
    {
        var value = text?.Trim() ?? "";
        if (value.Length == 0)
        {
            return null;
        }

        string[] formats = ["yyyy-MM-dd", "yyyy-MM-dd HH:mm", "yyyy-MM-ddTHH:mm:ss", "yyyy/MM/dd", "yyyy-M-d"];
        if (DateTime.TryParseExact(value, formats, CultureInfo.InvariantCulture, DateTimeStyles.None, out var date))
        {
            return DateOnly.FromDateTime(date);
        }

        error($"'{value}' is not a date; write dates as YYYY-MM-DD (or use date cells in XLSX).");
        return null;
    }

    private static (IReadOnlyList<Guid> Ids, IReadOnlyList<string> Names) ResolveAssets(string? text, Dictionary<string, Guid> assets, Action<string> error)
    {
        var value = text?.Trim() ?? "";
        if (value.Length == 0)
        {
            return ([], []);
        }

        var names = value.Split([';', '\n', '\r'], StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).ToList();
        if (names.Count == 1 && !assets.ContainsKey(names[0]) && names[0].Contains(',', StringComparison.Ordinal))
        {
            names = names[0].Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).ToList();
        }

        var unknown = names.Where(n => !assets.ContainsKey(n)).ToList();
        if (unknown.Count > 0)
        {
            error(unknown.Count == 1
                ? $"There is no asset called '{unknown[0]}'; add it on the Assets page (or import the assets first)."
                : $"There are no assets called {string.Join(", ", unknown.Select(u => $"'{u}'"))}; add them on the Assets page (or import the assets first).");
            return ([], names);
        }

        var ids = names.Select(n => assets[n]).Distinct().ToList();
        return (ids, names.Distinct(StringComparer.OrdinalIgnoreCase).ToList());
    }

    private static List<Guid> ResolveControls(string? text, Dictionary<string, Guid?> controls, Action<string> error)
    {
        var identifiers = (text ?? "").Split([',', ';', ' ', '\n', '\r', '\t'], StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
        var ids = new List<Guid>();
        var unknown = new List<string>();
        var ambiguous = new List<string>();
        foreach (var identifier in identifiers)
        {
            if (!controls.TryGetValue(identifier, out var id))
            {
                unknown.Add(identifier);
            }
            else if (id is null)
            {
                ambiguous.Add(identifier);
            }
            else if (!ids.Contains(id.Value))
            {
                ids.Add(id.Value);
            }
        }

        if (unknown.Count > 0)
        {
            error($"No control {string.Join(", ", unknown)} in this organisation's frameworks; write Annex A controls as A.5.15.");
        }

        if (ambiguous.Count > 0)
        {
            error($"{string.Join(", ", ambiguous)} names controls in several frameworks.");
        }

        return ids;
    }

    [GeneratedRegex(@"<([^<>@\s]+@[^<>\s]+)>\s*$")]
    private static partial Regex AngleAddress();

    [GeneratedRegex(@"^(\d{1,3})\s*[-–—:.)(\s]")]
    private static partial Regex LeadingNumber();

    // ---- Export -------------------------------------------------------------------------------

    /// <summary>The whole register, open and closed risks, one row each, with the current method on a second sheet.</summary>
    public async Task ExportRegisterAsync(Guid organisationId, string organisationName, Stream output, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(output);
        var all = await db.Risks.AsNoTracking().Include(r => r.Assets).Include(r => r.Controls).AsSplitQuery()
            .Where(r => r.OrganisationId == organisationId).ToListAsync(ct);
        var userIds = all.SelectMany(r => new[] { r.OwnerUserId, r.AcceptedByUserId }).OfType<Guid>().Distinct().ToList();
        var users = await db.Users.AsNoTracking().Where(u => userIds.Contains(u.Id)).ToDictionaryAsync(u => u.Id, u => u.DisplayName, ct);
        var assets = await db.Assets.AsNoTracking().Where(a => a.OrganisationId == organisationId).ToDictionaryAsync(a => a.Id, a => a.Name, ct);
        var controlIds = all.SelectMany(r => r.Controls.Select(c => c.ControlId)).Distinct().ToList();
        var controls = await db.Controls.AsNoTracking().Where(c => controlIds.Contains(c.Id)).ToDictionaryAsync(c => c.Id, c => c.Identifier, ct);
        var methods = await db.RiskMethods.AsNoTracking().Where(m => m.OrganisationId == organisationId).ToListAsync(ct);
        var bands = methods.ToDictionary(m => m.Id, m => m.Bands);
        var current = methods.FirstOrDefault(m => m.IsCurrent) ?? DefaultMethod();

        using var workbook = new XLWorkbook();
        workbook.Properties.Title = $"{organisationName}: risk register, {Today:yyyy-MM-dd}";
        workbook.Properties.Author = "Perennial";
        var sheet = workbook.AddWorksheet(RegisterSheet);
        Spreadsheets.WriteHeader(sheet, RegisterColumns, RegisterWidths);
        var r = 2;
        string? Name(Guid? id) => id is { } i && users.TryGetValue(i, out var n) ? n : null;
        foreach (var risk in all.OrderBy(x => NaturalKey(x.Reference), StringComparer.Ordinal))
        {
            var riskBands = bands.GetValueOrDefault(risk.MethodId) ?? current.Bands;
            var c = 1;
            void Text(string? value) => Spreadsheets.SetText(sheet.Cell(r, c++), value);
            void Number(int value) => sheet.Cell(r, c++).SetValue(value);
            void Date(DateOnly? value) => DateCell(sheet.Cell(r, c++), value);
            void Level(string level) => LevelCell(sheet.Cell(r, c++), level, riskBands);

            Text(risk.Reference);
            Text(risk.Title);
            Text(risk.Description);
            Text(string.Join("; ", risk.Assets.Select(a => assets.GetValueOrDefault(a.AssetId)).OfType<string>().Order(StringComparer.OrdinalIgnoreCase)));
            Text(risk.Threat);
            Text(risk.Vulnerability);
            Text(Name(risk.OwnerUserId));
            Number(risk.InherentLikelihood);
            Number(risk.InherentImpact);
            Level(risk.InherentLevel);
            Text(risk.ExistingControls);
            Text(TreatmentLabel(risk.Treatment));
            Text(string.Join(", ", risk.Controls.Select(x => controls.GetValueOrDefault(x.ControlId)).OfType<string>().OrderBy(NaturalKey, StringComparer.Ordinal)));
            Text(risk.TreatmentPlan);
            Number(risk.ResidualLikelihood);
            Number(risk.ResidualImpact);
            Level(risk.ResidualLevel);
            Text(Name(risk.AcceptedByUserId));
            Date(risk.AcceptedUntil);
            Text(risk.AcceptanceJustification);
            Date(risk.LastReviewedOn);
            Date(risk.NextReviewOn);
            Text(risk.Status == RiskStatus.Open ? "Open" : "Closed");
            Number(risk.ReviewIntervalMonths);
            r++;
        }

        foreach (var wrapped in new[] { 2, 3, 11, 14, 20 })
        {
            sheet.Column(wrapped).Style.Alignment.WrapText = true;
        }

        Spreadsheets.Finish(sheet, r - 1, RegisterColumns.Length);
        WriteMethod(workbook.AddWorksheet(MethodSheet), current);
        workbook.SaveAs(output);
    }

    /// <summary>Every action of the treatment plan that is not done, soonest due first.</summary>
    public async Task ExportTreatmentPlanAsync(Guid organisationId, string organisationName, Stream output, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(output);
        var actions = await db.RiskActions.AsNoTracking()
            .Where(a => a.OrganisationId == organisationId && a.Status != ActionStatus.Done)
            .Join(db.Risks, a => a.RiskId, x => x.Id, (a, x) => new { Action = a, x.Reference, x.Title })
            .ToListAsync(ct);
        var ownerIds = actions.Select(a => a.Action.OwnerUserId).OfType<Guid>().Distinct().ToList();
        var users = await db.Users.AsNoTracking().Where(u => ownerIds.Contains(u.Id)).ToDictionaryAsync(u => u.Id, u => u.DisplayName, ct);
        var today = Today;

        using var workbook = new XLWorkbook();
        workbook.Properties.Title = $"{organisationName}: risk treatment plan, {today:yyyy-MM-dd}";
        workbook.Properties.Author = "Perennial";
        var sheet = workbook.AddWorksheet(PlanSheet);
        Spreadsheets.WriteHeader(sheet, PlanColumns, PlanWidths);
        var r = 2;
        foreach (var row in actions.OrderBy(a => a.Action.DueOn ?? DateOnly.MaxValue).ThenBy(a => NaturalKey(a.Reference), StringComparer.Ordinal).ThenBy(a => a.Action.Title, StringComparer.Ordinal))
        {
            var a = row.Action;
            Spreadsheets.SetText(sheet.Cell(r, 1), row.Reference);
            Spreadsheets.SetText(sheet.Cell(r, 2), row.Title);
            Spreadsheets.SetText(sheet.Cell(r, 3), a.Title);
            Spreadsheets.SetText(sheet.Cell(r, 4), a.OwnerUserId is { } o && users.TryGetValue(o, out var n) ? n : null);
            DateCell(sheet.Cell(r, 5), a.DueOn);

            Spreadsheets.SetText(sheet.Cell(r, 6), a.Status == ActionStatus.InProgress ? "In progress" : "Open");
            Spreadsheets.SetText(sheet.Cell(r, 7), a.DueOn < today ? "Yes" : "No");
            r++;
        }

        sheet.Columns(2, 3).Style.Alignment.WrapText = true;
        Spreadsheets.Finish(sheet, r - 1, PlanColumns.Length);
        workbook.SaveAs(output);
    }

    internal static readonly string[] AsOfColumns =
    [
        "Reference", "Title", "Description", "Asset(s)", "Threat", "Vulnerability", "Owner",
        "Inherent likelihood", "Inherent impact", "Inherent level", "Existing controls", "Treatment", "Planned controls", "Treatment plan",
        "Residual likelihood", "Residual impact", "Residual level", "Accepted by", "Accepted until", "Acceptance justification",
        "Next review", "Status", "Review interval (months)", "Revision", "Revision valid from", "Why it changed",
    ];

    private static readonly double[] AsOfWidths = [10, 40, 50, 25, 30, 30, 22, 11, 11, 12, 40, 11, 20, 40, 11, 11, 12, 22, 13, 40, 12, 9, 11, 9, 18, 30];

    internal static readonly string[] AsOfPlanColumns = ["Risk reference", "Risk title", "Action", "Owner", "Due date", "Status on the day", "Overdue on the day", "Done on"];

    private static readonly double[] AsOfPlanWidths = [12, 40, 50, 22, 12, 16, 12, 12];

    /// <summary>
    /// The register and its treatment plan as they stood at the end of <paramref name="date"/> (UTC): each
    /// risk's revision valid then, the actions of those risks not yet done that day, and the risk method
    /// in force, in one workbook.
    /// </summary>
    public async Task ExportAsOfAsync(Guid organisationId, string organisationName, DateOnly date, Stream output, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(output);
        var revisions = (await risks.AsOfAsync(organisationId, date, new Paging.PageRequest(1, int.MaxValue / 2), ct)).Items;
        var cutoff = new DateTimeOffset(date.AddDays(1).ToDateTime(TimeOnly.MinValue), TimeSpan.Zero);
        var methods = await db.RiskMethods.AsNoTracking().Where(m => m.OrganisationId == organisationId).ToListAsync(ct);
        var method = methods.Where(m => m.CreatedAt < cutoff).MaxBy(m => m.Version) ?? methods.FirstOrDefault(m => m.IsCurrent) ?? DefaultMethod();
        var bands = methods.ToDictionary(m => m.Version, m => m.Bands);

        using var workbook = new XLWorkbook();
        workbook.Properties.Title = $"{organisationName}: risk register and treatment plan as at {date:yyyy-MM-dd}";
        workbook.Properties.Author = "Perennial";
        var sheet = workbook.AddWorksheet(RegisterSheet);
        Spreadsheets.WriteHeader(sheet, AsOfColumns, AsOfWidths);
        var r = 2;
        foreach (var revision in revisions.OrderBy(x => NaturalKey(x.Snapshot.Reference), StringComparer.Ordinal))
        {
            var s = revision.Snapshot;
            var riskBands = bands.GetValueOrDefault(s.MethodVersion) ?? method.Bands;
            var c = 1;
            void Text(string? value) => Spreadsheets.SetText(sheet.Cell(r, c++), value);
            void Number(int value) => sheet.Cell(r, c++).SetValue(value);
            void Date(DateOnly? value) => DateCell(sheet.Cell(r, c++), value);
            void Level(string level) => LevelCell(sheet.Cell(r, c++), level, riskBands);

            Text(s.Reference);
            Text(s.Title);
            Text(s.Description);
            Text(string.Join("; ", s.Assets));
            Text(s.Threat);
            Text(s.Vulnerability);
            Text(s.Owner);
            Number(s.InherentLikelihood);
            Number(s.InherentImpact);
            Level(s.InherentLevel);
            Text(s.ExistingControls);
            Text(TreatmentLabel(s.Treatment));
            Text(string.Join(", ", s.Controls.OrderBy(NaturalKey, StringComparer.Ordinal)));
            Text(s.TreatmentPlan);
            Number(s.ResidualLikelihood);
            Number(s.ResidualImpact);
            Level(s.ResidualLevel);
            Text(s.AcceptedBy);
            Date(s.AcceptedUntil);
            Text(s.AcceptanceJustification);
            Date(s.NextReviewOn);
            Text(s.Status == RiskStatus.Open ? "Open" : "Closed");
            Number(s.ReviewIntervalMonths);
            Number(revision.Number);
            Text(revision.ValidFrom.UtcDateTime.ToString("yyyy-MM-dd HH:mm 'UTC'", CultureInfo.InvariantCulture));
            Text(revision.Reason);
            r++;
        }

        foreach (var wrapped in AsOfWrapped)
        {
            sheet.Column(wrapped).Style.Alignment.WrapText = true;
        }

        Spreadsheets.Finish(sheet, r - 1, AsOfColumns.Length);

        var references = revisions.Select(x => x.Snapshot.Reference).ToHashSet(StringComparer.Ordinal);
        var actions = (await db.RiskActions.AsNoTracking()
                .Where(a => a.OrganisationId == organisationId && (a.CompletedOn == null || a.CompletedOn > date))
                .Join(db.Risks, a => a.RiskId, x => x.Id, (a, x) => new { Action = a, x.Reference })
                .ToListAsync(ct))
            .Where(a => references.Contains(a.Reference))
            .ToList();
        var titles = revisions.ToDictionary(x => x.Snapshot.Reference, x => x.Snapshot.Title, StringComparer.Ordinal);
        var ownerIds = actions.Select(a => a.Action.OwnerUserId).OfType<Guid>().Distinct().ToList();
        var users = await db.Users.AsNoTracking().Where(u => ownerIds.Contains(u.Id)).ToDictionaryAsync(u => u.Id, u => u.DisplayName, ct);
        var plan = workbook.AddWorksheet(PlanSheet);
        Spreadsheets.WriteHeader(plan, AsOfPlanColumns, AsOfPlanWidths);
        r = 2;
        foreach (var row in actions.OrderBy(a => a.Action.DueOn ?? DateOnly.MaxValue).ThenBy(a => NaturalKey(a.Reference), StringComparer.Ordinal).ThenBy(a => a.Action.Title, StringComparer.Ordinal))
        {
            var a = row.Action;
            Spreadsheets.SetText(plan.Cell(r, 1), row.Reference);
            Spreadsheets.SetText(plan.Cell(r, 2), titles.GetValueOrDefault(row.Reference));
            Spreadsheets.SetText(plan.Cell(r, 3), a.Title);
            Spreadsheets.SetText(plan.Cell(r, 4), a.OwnerUserId is { } o && users.TryGetValue(o, out var n) ? n : null);
            DateCell(plan.Cell(r, 5), a.DueOn);
            Spreadsheets.SetText(plan.Cell(r, 6), a.Status == ActionStatus.InProgress ? "In progress" : "Open");
            Spreadsheets.SetText(plan.Cell(r, 7), a.DueOn < date ? "Yes" : "No");
            DateCell(plan.Cell(r, 8), a.CompletedOn);
            r++;
        }

        plan.Columns(2, 3).Style.Alignment.WrapText = true;
        Spreadsheets.Finish(plan, r - 1, AsOfPlanColumns.Length);
        WriteMethod(workbook.AddWorksheet(MethodSheet), method);
        workbook.SaveAs(output);
    }

    private static readonly int[] AsOfWrapped = [2, 3, 11, 14, 20, 26];

    /// <summary>A level's name, in its band's colour.</summary>
    private static void LevelCell(IXLCell cell, string level, IReadOnlyList<LevelBand> bands)
    {
        Spreadsheets.SetText(cell, level);
        if (bands.FirstOrDefault(b => b.Name == level) is { } band)
        {
            cell.Style.Fill.BackgroundColor = XLColor.FromHtml(band.Colour);
            cell.Style.Font.FontColor = Dark(band.Colour) ? XLColor.White : XLColor.Black;
        }
    }

    private static void DateCell(IXLCell cell, DateOnly? value)
    {
        if (value is { } d)
        {
            cell.SetValue(d.ToDateTime(TimeOnly.MinValue));
            cell.Style.DateFormat.Format = "yyyy-mm-dd";
        }
    }

    private static void WriteMethod(IXLWorksheet sheet, RiskMethod method)
    {
        sheet.Cell(1, 1).SetValue($"Risk method, version {method.Version}: level = likelihood × impact; residual risk above {method.AcceptanceThreshold} needs formal acceptance by the risk owner.");
        sheet.Cell(1, 1).Style.Font.Bold = true;
        var r = 3;
        foreach (var (title, levels) in new[] { ("Likelihood", method.Likelihood), ("Impact", method.Impact) })
        {
            sheet.Cell(r, 1).SetValue(title);
            sheet.Cell(r, 2).SetValue("Name");
            sheet.Cell(r, 3).SetValue("Meaning");
            sheet.Range(r, 1, r, 3).Style.Font.Bold = true;
            r++;
            foreach (var level in levels)
            {
                sheet.Cell(r, 1).SetValue(level.Value);
                Spreadsheets.SetText(sheet.Cell(r, 2), level.Name);
                Spreadsheets.SetText(sheet.Cell(r, 3), level.Description);
                r++;
            }

            r++;
        }

        sheet.Cell(r, 1).SetValue("Level");
        sheet.Cell(r, 2).SetValue("Scores");
        sheet.Range(r, 1, r, 2).Style.Font.Bold = true;
        r++;
        foreach (var band in method.Bands)
        {
            Spreadsheets.SetText(sheet.Cell(r, 1), band.Name);
            sheet.Cell(r, 1).Style.Fill.BackgroundColor = XLColor.FromHtml(band.Colour);
            sheet.Cell(r, 1).Style.Font.FontColor = Dark(band.Colour) ? XLColor.White : XLColor.Black;
            sheet.Cell(r, 2).SetValue(string.Create(CultureInfo.InvariantCulture, $"{band.MinScore}–{band.MaxScore}"));
            r++;
        }

        sheet.Column(1).Width = 14;
        sheet.Column(2).Width = 18;
        sheet.Column(3).Width = 60;
    }

    public static string TreatmentLabel(TreatmentOption treatment) => treatment switch
    {
        TreatmentOption.Modify => "Modify",
        TreatmentOption.Retain => "Retain",
        TreatmentOption.Avoid => "Avoid",
        TreatmentOption.Share => "Share",
        _ => treatment.ToString(),
    };

    /// <summary>Sorts R-2 before R-10 and R-999 before R-1000.</summary>
    internal static string NaturalKey(string text) => Digits().Replace(text, m => m.Value.PadLeft(10, '0'));

    [GeneratedRegex(@"\d+")]
    private static partial Regex Digits();

    private static bool Dark(string colour)
    {
        if (colour is not { Length: 7 } || !int.TryParse(colour.AsSpan(1), NumberStyles.HexNumber, CultureInfo.InvariantCulture, out var rgb))
        {
            return false;
        }

        var luminance = (0.299 * ((rgb >> 16) & 0xFF)) + (0.587 * ((rgb >> 8) & 0xFF)) + (0.114 * (rgb & 0xFF));
        return luminance < 150;
    }
}

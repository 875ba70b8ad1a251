using System.Text;
using ClosedXML.Excel;
using Microsoft.EntityFrameworkCore;
using Perennial.Common;
using Perennial.Data;
using Perennial.Paging;
using Perennial.Soa;

namespace Perennial.Frameworks;

public sealed record FrameworkSummary(Guid Id, string Key, string Family, string Name, string? Version, FrameworkSource Source, int ControlCount, DateTimeOffset ImportedAt);

public sealed record ControlSummary(Guid Id, string Identifier, ControlKind Kind, string Title, string? Group, string? ParentIdentifier, ImplementationStatus Status, Guid? OwnerUserId, string? OwnerName);

/// <summary>A control mapped to this one: live when a framework of its family is imported here, otherwise kept by identifier.</summary>
public sealed record MappedControl(string Family, string Identifier, string Relationship, string MappingSet, IReadOnlyList<(string FrameworkKey, string FrameworkName, string Title)> Live);

public sealed record ControlDetail(
    Guid Id, string FrameworkKey, string FrameworkName, string Identifier, ControlKind Kind, string Title, string? Description,
    bool LicensedWording, string? Group, string? ParentIdentifier, ImplementationStatus Status, Guid? OwnerUserId, string? OwnerName,
    string? ImplementationNotes, IReadOnlyList<ControlDocument> Documents, IReadOnlyList<MappedControl> Mappings, IReadOnlyList<SoaRowView> SoaRows,
    int? EvidenceFreshnessDays = null);

public sealed record ControlInput(Guid? OwnerUserId, ImplementationStatus Status, string? ImplementationNotes);

public sealed record DocumentInput(string Title, string? Link, string? Version, DateOnly? ReviewDate);

public sealed record WordingImportResult(int Updated, IReadOnlyList<SpreadsheetRowError> Errors)
{
    public bool Succeeded => Errors.Count == 0;
}

/// <summary>Frameworks and their controls as an organisation implements them.</summary>
public sealed class FrameworkService(PerennialDbContext db, TimeProvider time)
{
    public const int NotesMaxLength = 4000;

    /// <summary>Gives an organisation the built-in ISO/IEC 27001:2022 catalog, once.</summary>
    public async Task<Framework> EnsureIsoCatalogAsync(Guid organisationId, CancellationToken ct)
    {
        var existing = await db.Frameworks.SingleOrDefaultAsync(f => f.OrganisationId == organisationId && f.Key == Framework.IsoKey, ct);
        if (existing is not null)
        {
            return existing;
        }

        var framework = new Framework
        {
            OrganisationId = organisationId,
            Key = Framework.IsoKey,
            Family = Framework.IsoFamily,
            Name = Iso27001Catalog.Name,
            Version = "2022",
            Source = FrameworkSource.BuiltIn,
            ImportedAt = time.GetUtcNow(),
            ControlCount = Iso27001Catalog.Entries.Count,
        };
        db.Frameworks.Add(framework);
        var order = 0;
        foreach (var entry in Iso27001Catalog.Entries)
        {
            db.Controls.Add(new Control
            {
                OrganisationId = organisationId,
                FrameworkId = framework.Id,
                Identifier = entry.Identifier,
                Kind = entry.Kind,
                Title = entry.Title,
                Description = entry.Description,
                Group = entry.Theme,
                ParentIdentifier = entry.ParentIdentifier,
                SortOrder = ++order,
            });
        }

        await db.SaveChangesAsync(ct);
        return framework;
    }

    public async Task<Paged<FrameworkSummary>> ListAsync(Guid organisationId, PageRequest page, CancellationToken ct) =>
        await db.Frameworks.AsNoTracking().Where(f => f.OrganisationId == organisationId)
            .OrderBy(f => f.Source).ThenBy(f => f.Name)
            .Select(f => new FrameworkSummary(f.Id, f.Key, f.Family, f.Name, f.Version, f.Source, f.ControlCount, f.ImportedAt))
            .ToPagedAsync(page, ct);

    /// <summary>A framework by its key or its id.</summary>
    public async Task<FrameworkSummary?> FindAsync(Guid organisationId, string keyOrId, CancellationToken ct)
    {
        var byId = Guid.TryParse(keyOrId, out var id) ? id : (Guid?)null;
        return await db.Frameworks.AsNoTracking()
            .Where(f => f.OrganisationId == organisationId && (f.Key == keyOrId || f.Id == byId))
            .Select(f => new FrameworkSummary(f.Id, f.Key, f.Family, f.Name, f.Version, f.Source, f.ControlCount, f.ImportedAt))
            .SingleOrDefaultAsync(ct);
    }

    public async Task<Paged<ControlSummary>> ListControlsAsync(Guid organisationId, Guid frameworkId, string? search, PageRequest page, CancellationToken ct)
    {
        var query = db.Controls.AsNoTracking().Where(c => c.OrganisationId == organisationId && c.FrameworkId == frameworkId);
        if (!string.IsNullOrWhiteSpace(search))
        {
            var term = search.Trim().ToLowerInvariant();
#pragma warning disable CA1862 // ToLower().Contains translates to SQL on both providers; the StringComparison overload does not.
            query = query.Where(c => c.Identifier.ToLower().Contains(term) || c.Title.ToLower().Contains(term)
                || (c.LicensedTitle != null && c.LicensedTitle.ToLower().Contains(term)));
#pragma warning restore CA1862
        }

        return await query.OrderBy(c => c.SortOrder).ThenBy(c => c.Identifier)
            .Select(c => new ControlSummary(c.Id, c.Identifier, c.Kind, c.LicensedTitle ?? c.Title, c.Group, c.ParentIdentifier, c.Status, c.OwnerUserId,
                db.Users.Where(u => u.Id == c.OwnerUserId).Select(u => u.DisplayName).FirstOrDefault()))
            .ToPagedAsync(page, ct);
    }

    public async Task<ControlDetail?> GetControlAsync(Guid organisationId, Guid frameworkId, string identifier, CancellationToken ct)
    {
        var control = await db.Controls.AsNoTracking().Include(c => c.Framework).Include(c => c.Documents)
            .SingleOrDefaultAsync(c => c.OrganisationId == organisationId && c.FrameworkId == frameworkId && c.Identifier == identifier, ct);
        if (control is null)
        {
            return null;
        }

        var family = control.Framework!.Family;
        var links = await db.ControlMappings.AsNoTracking()
            .Where(m => m.OrganisationId == organisationId
                && ((m.SourceFamily == family && m.SourceIdentifier == identifier) || (m.TargetFamily == family && m.TargetIdentifier == identifier)))
            .ToListAsync(ct);
        // Mapping files often carry each link twice, once per direction: one row per counterpart.
        var others = links.Select(m => m.SourceFamily == family && m.SourceIdentifier == identifier
                ? (Family: m.TargetFamily, Identifier: m.TargetIdentifier, m.Relationship, m.MappingSet)
                : (Family: m.SourceFamily, Identifier: m.SourceIdentifier, m.Relationship, m.MappingSet))
            .GroupBy(o => (o.Family, o.Identifier))
            .Select(g => (g.Key.Family, g.Key.Identifier,
                Relationship: string.Join(", ", g.Select(o => o.Relationship).Distinct(StringComparer.Ordinal)),
                MappingSet: g.Select(o => o.MappingSet).OrderBy(s => s.Length).ThenBy(s => s, StringComparer.Ordinal).First()))
            .ToList();
        var families = others.Select(o => o.Family).Distinct().ToList();
        var ids = others.Select(o => o.Identifier).Distinct().ToList();
        var live = await db.Controls.AsNoTracking()
            .Where(c => c.OrganisationId == organisationId && families.Contains(c.Framework!.Family) && ids.Contains(c.Identifier))
            .Select(c => new { c.Framework!.Family, c.Framework.Key, c.Framework.Name, c.Identifier, Title = c.LicensedTitle ?? c.Title })
            .ToListAsync(ct);
        var mappings = others
            .OrderBy(o => o.Family, StringComparer.Ordinal).ThenBy(o => o.Identifier, StringComparer.Ordinal)
            .Select(o => new MappedControl(o.Family, o.Identifier, o.Relationship, o.MappingSet,
                live.Where(l => l.Family == o.Family && l.Identifier == o.Identifier).Select(l => (l.Key, l.Name, l.Title)).ToList()))
            .ToList();

        var soaRows = new List<SoaRowView>();
        if (control.Framework.Key == Framework.IsoKey && control.Kind == ControlKind.Control)
        {
            var row = await db.SoaRows.AsNoTracking()
                .Where(r => r.OrganisationId == organisationId && r.ControlIdentifier == identifier)
                .Join(db.SoaVersions.Where(v => v.Number == SoaService.Draft), r => r.SoaVersionId, v => v.Id, (r, v) => r)
                .SingleOrDefaultAsync(ct);
            if (row is not null)
            {
                soaRows.Add(new SoaRowView(row.ControlIdentifier, control.DisplayTitle, control.Group, row.Applicable, row.Justification, row.Status,
                    row.OwnerName, row.LinkedRisks, row.LinkedActivities, row.Notes, row.ChangeReason));
            }
        }

        var owner = control.OwnerUserId is { } ownerId
            ? await db.Users.Where(u => u.Id == ownerId).Select(u => u.DisplayName).FirstOrDefaultAsync(ct)
            : null;
        return new ControlDetail(control.Id, control.Framework.Key, control.Framework.Name, control.Identifier, control.Kind, control.DisplayTitle,
            control.LicensedText ?? control.Description, control.LicensedTitle is not null, control.Group, control.ParentIdentifier, control.Status,
            control.OwnerUserId, owner, control.ImplementationNotes, control.Documents.OrderBy(d => d.Title).ToList(), mappings, soaRows,
            control.EvidenceFreshnessDays);
    }

    public async Task UpdateControlAsync(Guid organisationId, Guid frameworkId, string identifier, ControlInput input, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(input);
        var control = await FindControlAsync(organisationId, frameworkId, identifier, ct);
        if (!Enum.IsDefined(input.Status))
        {
            throw UseCaseException.Invalid("status", $"status must be one of {ImplementationStatuses.Names}.");
        }

        if (input.ImplementationNotes is { Length: > NotesMaxLength })
        {
            throw UseCaseException.Invalid("implementationNotes", $"implementationNotes is at most {NotesMaxLength} characters.");
        }

        if (input.OwnerUserId is { } owner && !await db.Memberships.AnyAsync(m => m.OrganisationId == organisationId && m.UserId == owner, ct))
        {
            throw UseCaseException.Invalid("ownerUserId", "The owner must be a member of the organisation.");
        }

        control.OwnerUserId = input.OwnerUserId;
        control.Status = input.Status;
        control.ImplementationNotes = string.IsNullOrWhiteSpace(input.ImplementationNotes) ? null : input.ImplementationNotes.Trim();
        await db.SaveChangesAsync(ct);
    }

    public async Task<ControlDocument> AddDocumentAsync(Guid organisationId, Guid frameworkId, string identifier, DocumentInput input, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(input);
        var control = await FindControlAsync(organisationId, frameworkId, identifier, ct);
        var title = (input.Title ?? "").Trim();
        if (title.Length is 0 or > 300)
        {
            throw UseCaseException.Invalid("title", "The document title is required (at most 300 characters).");
        }

        string? link = null;
        if (!string.IsNullOrWhiteSpace(input.Link))
        {
            if (!Uri.TryCreate(input.Link.Trim(), UriKind.Absolute, out var uri) || uri.Scheme is not ("https" or "http") || input.Link.Length > 2000)
            {
                throw UseCaseException.Invalid("link", "The link must be an http or https address.");
            }

            link = uri.ToString();
        }

        if (input.Version is { Length: > 50 })
        {
            throw UseCaseException.Invalid("version", "The version is at most 50 characters.");
        }

        var document = new ControlDocument
        {
            OrganisationId = organisationId,
            ControlId = control.Id,
            Title = title,
            Link = link,
            Version = string.IsNullOrWhiteSpace(input.Version) ? null : input.Version.Trim(),
            ReviewDate = input.ReviewDate,
        };
        db.ControlDocuments.Add(document);
        await db.SaveChangesAsync(ct);
        return document;
    }

    public async Task RemoveDocumentAsync(Guid organisationId, Guid documentId, CancellationToken ct)
    {
        var document = await db.ControlDocuments.SingleOrDefaultAsync(d => d.Id == documentId && d.OrganisationId == organisationId, ct)
            ?? throw UseCaseException.NotFound("No such document.");
        db.ControlDocuments.Remove(document);
        await db.SaveChangesAsync(ct);
    }

    /// <summary>
    /// Replaces Perennial's labels with the organisation's licensed wording, from CSV or XLSX with the
    /// columns id, title, text. All rows are checked first; any error changes nothing.
    /// </summary>
    public async Task<WordingImportResult> ImportWordingAsync(Guid organisationId, Guid frameworkId, string fileName, Stream content, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(fileName);
        List<(int Row, string Id, string Title, string Text)> rows;
        try
        {
            rows = fileName.EndsWith(".xlsx", StringComparison.OrdinalIgnoreCase) ? ReadXlsx(content) : await ReadCsvAsync(content, ct);
        }
        catch (FormatException e)
        {
            return new WordingImportResult(0, [new SpreadsheetRowError(0, "", e.Message)]);
        }

        var controls = await db.Controls.Where(c => c.OrganisationId == organisationId && c.FrameworkId == frameworkId)
            .ToDictionaryAsync(c => c.Identifier, StringComparer.OrdinalIgnoreCase, ct);
        var errors = new List<SpreadsheetRowError>();
        var seen = new HashSet<string>(StringComparer.OrdinalIgnoreCase);
        foreach (var (row, id, title, text) in rows)
        {
            if (!controls.ContainsKey(id))
            {
                errors.Add(new SpreadsheetRowError(row, "id", $"'{id}' is not a control of this framework."));
            }
            else if (!seen.Add(id))
            {
                errors.Add(new SpreadsheetRowError(row, "id", $"'{id}' appears more than once."));
            }
            else if (title.Length is 0 or > 500)
            {
                errors.Add(new SpreadsheetRowError(row, "title", "The title is required (at most 500 characters)."));
            }
            else if (text.Length > 20_000)
            {
                errors.Add(new SpreadsheetRowError(row, "text", "The text is at most 20,000 characters."));
            }
        }

        if (errors.Count > 0)
        {
            return new WordingImportResult(0, errors);
        }

        foreach (var (_, id, title, text) in rows)
        {
            var control = controls[id];
            control.LicensedTitle = title;
            control.LicensedText = text.Length == 0 ? null : text;
        }

        await db.SaveChangesAsync(ct);
        return new WordingImportResult(rows.Count, []);
    }

    private async Task<Control> FindControlAsync(Guid organisationId, Guid frameworkId, string identifier, CancellationToken ct) =>
        await db.Controls.SingleOrDefaultAsync(c => c.OrganisationId == organisationId && c.FrameworkId == frameworkId && c.Identifier == identifier, ct)
            ?? throw UseCaseException.NotFound($"No control '{identifier}' in this framework.");

    private static List<(int, string, string, string)> ReadXlsx(Stream content)
    {
        XLWorkbook workbook;
        try
        {
            workbook = new XLWorkbook(content);
        }
#pragma warning disable CA1031 // An unreadable upload is reported to the uploader.
        catch (Exception e)
#pragma warning restore CA1031
        {
            throw new FormatException($"The file is not a readable XLSX workbook ({e.GetType().Name}).", e);
        }

        using (workbook)
        {
            var sheet = workbook.Worksheets.First();
            var header = sheet.Row(1).CellsUsed().ToDictionary(c => c.GetString().Trim().ToLowerInvariant(), c => c.Address.ColumnNumber);
            if (!header.ContainsKey("id") || !header.ContainsKey("title"))
            {
                throw new FormatException("Row 1 must name the columns id, title and text.");
            }

            var rows = new List<(int, string, string, string)>();
            var last = sheet.LastRowUsed()?.RowNumber() ?? 1;
            for (var r = 2; r <= last; r++)
            {
                string Cell(string name) => header.TryGetValue(name, out var c) ? sheet.Cell(r, c).GetString().Trim() : "";
                if (Cell("id").Length > 0)
                {
                    rows.Add((r, Cell("id"), Cell("title"), Cell("text")));
                }
            }

            return rows;
        }
    }

    /// <summary>RFC 4180 CSV: quoted fields may hold commas, quotes ("") and line breaks.</summary>
    private static async Task<List<(int, string, string, string)>> ReadCsvAsync(Stream content, CancellationToken ct)
    {
        using var reader = new StreamReader(content, Encoding.UTF8);
        var text = await reader.ReadToEndAsync(ct);
        var records = Csv.Parse(text);
        if (records.Count == 0)
        {
            throw new FormatException("The file is empty.");
        }

        var header = records[0].Fields.Select(f => f.Trim().ToLowerInvariant()).ToList();
        var id = header.IndexOf("id");
        var title = header.IndexOf("title");
        var body = header.IndexOf("text");
        if (id < 0 || title < 0)
        {
            throw new FormatException("Line 1 must name the columns id, title and text.");
        }

        return records.Skip(1).Where(r => r.Fields.Any(f => f.Length > 0))
            .Select(r => (r.Line, Field(r.Fields, id), Field(r.Fields, title), Field(r.Fields, body)))
            .ToList();
    }

    private static string Field(List<string> fields, int index) => index >= 0 && index < fields.Count ? fields[index].Trim() : "";
}

using System.Text;
using Microsoft.EntityFrameworkCore;
using Perennial.Common;
using Perennial.Data;
using Perennial.Frameworks.Mappings;
using Perennial.Frameworks.Oscal;

namespace Perennial.Frameworks;

public enum ImportedDocumentKind
{
    Catalog,
    Profile,
    Mapping,
}

/// <summary>
/// What an import did. <see cref="Key"/> is the framework's key (catalog, profile) or the mapping
/// library's ref_id; <see cref="Count"/> counts controls or mapping links.
/// </summary>
public sealed record FrameworkImportResult(
    ImportedDocumentKind Kind,
    string Key,
    string Name,
    int Count,
    bool Created,
    Guid? FrameworkId,
    string? ResolvedFromKey,
    IReadOnlyList<string> Notes);

/// <summary>
/// Imports an OSCAL catalog or profile (JSON) or a framework mapping library (YAML) into an
/// organisation, all or nothing: any problem leaves the database as it was and is reported with
/// the file's name and the JSON path (or YAML line) of the problem.
/// </summary>
public sealed class FrameworkImportService(PerennialDbContext db, TimeProvider time, OscalOptions? oscal = null)
{
    public const int MaxFileBytes = 64 * 1024 * 1024;
    private const int MaxMissingListed = 10;
    private const int MaxTitleLength = 500;
    private const int MaxGroupLength = 200;
    private const int MaxNameLength = 300;
    private const int MaxVersionLength = 100;

    public async Task<FrameworkImportResult> ImportAsync(Guid organisationId, string fileName, Stream content, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(content);
        var name = Path.GetFileName(fileName ?? "");
        if (name.Length == 0)
        {
            name = "the file";
        }

        if (!await db.Organisations.AnyAsync(o => o.Id == organisationId, ct))
        {
            throw UseCaseException.NotFound("No such organisation.");
        }

        var bytes = await ReadAllAsync(content, name, ct);
        try
        {
            var extension = Path.GetExtension(name).ToLowerInvariant();
            var text = SkipByteOrderMark(bytes);
            var first = FirstSignificantByte(text.Span);
            if (extension is ".yaml" or ".yml" || (extension != ".json" && first is not (byte)'{' and not (byte)'<'))
            {
                var library = MappingLibraryReader.Read(Encoding.UTF8.GetString(text.Span));
                return await ImportMappingAsync(organisationId, library, ct);
            }

            if (first == (byte)'<')
            {
                throw new ImportFormatException(JsonLocation.Root, 1, 1, "this is XML; Perennial imports OSCAL catalogs and profiles as JSON");
            }

            if (!string.IsNullOrWhiteSpace(oscal?.SchemaFile))
            {
                OscalSchemaValidator.For(oscal.SchemaFile).Validate(text.Span);
            }

            var root = OscalReader.Read(text.Span);
            return root.Catalog is not null
                ? await ImportCatalogAsync(organisationId, root.Catalog, ct)
                : await ImportProfileAsync(organisationId, name, root.Profile!, ct);
        }
        catch (ImportFormatException e)
        {
            throw UseCaseException.Invalid("file", $"{name}: {e.Message}");
        }
    }

    private async Task<FrameworkImportResult> ImportCatalogAsync(Guid organisationId, OscalCatalog catalog, CancellationToken ct)
    {
        var title = catalog.Metadata!.Title!.Trim();
        var controls = OscalCatalogFlattener.Flatten(catalog, out var withdrawn);
        var family = FrameworkNaming.CatalogFamily(title);
        var notes = new List<string>();
        if (withdrawn > 0)
        {
            notes.Add($"Skipped {withdrawn} withdrawn control(s).");
        }

        await using var transaction = await db.Database.BeginTransactionAsync(ct);
        await db.LockAsync($"framework-import:{organisationId}", ct);
        var key = FrameworkNaming.Key(title, family, profile: false);
        var (framework, created) = await FindOrCreateAsync(organisationId, FrameworkSource.OscalCatalog, catalog.Uuid!, key, notes, ct);
        framework.Family = family;
        Describe(framework, title, catalog.Metadata.Version, catalog.Uuid!, null, controls.Count);
        await SyncControlsAsync(framework, created, controls, ct);
        await db.SaveChangesAsync(ct);
        await transaction.CommitAsync(ct);
        return new FrameworkImportResult(ImportedDocumentKind.Catalog, framework.Key, framework.Name, controls.Count, created, framework.Id, null, notes);
    }

    private async Task<FrameworkImportResult> ImportProfileAsync(Guid organisationId, string fileName, OscalProfile profile, CancellationToken ct)
    {
        var title = profile.Metadata!.Title!.Trim();
        var notes = new List<string>();
        NoteWhatIsNotApplied(profile, notes);

        await using var transaction = await db.Database.BeginTransactionAsync(ct);
        await db.LockAsync($"framework-import:{organisationId}", ct);
        var catalogs = await db.Frameworks
            .Where(f => f.OrganisationId == organisationId && f.Source == FrameworkSource.OscalCatalog)
            .OrderBy(f => f.Key)
            .ToListAsync(ct);
        var importsPath = JsonLocation.Property(JsonLocation.Property(JsonLocation.Root, "profile"), "imports");
        if (catalogs.Count == 0)
        {
            throw UseCaseException.Invalid("file",
                $"{fileName}: {importsPath}: a profile is resolved against a catalog already imported, and this organisation has imported none; import the catalog it draws from first.");
        }

        // Prefer catalogs of the profile's own family; a profile whose title names no known family may draw from any.
        var family = FrameworkNaming.NistFamily(title) ?? FrameworkNaming.Slug(title);
        var candidates = catalogs.Where(c => c.Family == family).ToList();
        if (candidates.Count == 0)
        {
            candidates = catalogs;
        }

        var candidateIds = candidates.Select(c => c.Id).ToList();
        var entries = (await db.Controls.AsNoTracking()
                .Where(c => candidateIds.Contains(c.FrameworkId))
                .Select(c => new { c.FrameworkId, c.Identifier, c.ParentIdentifier })
                .ToListAsync(ct))
            .ToLookup(c => c.FrameworkId, c => new CatalogControlRef(c.Identifier, c.ParentIdentifier));
        var resolutions = candidates
            .Select(c => (Catalog: c, Selection: OscalProfileSelector.Select(profile, entries[c.Id].ToList())))
            .ToList();
        var complete = resolutions.Where(r => r.Selection.Missing.Count == 0).ToList();
        if (complete.Count == 0)
        {
            var closest = resolutions.OrderBy(r => r.Selection.Missing.Count).ThenByDescending(r => r.Catalog.ControlCount).First();
            var missing = closest.Selection.Missing;
            var listed = string.Join(", ", missing.Take(MaxMissingListed).Select(m => m.Identifier));
            var more = missing.Count > MaxMissingListed ? $" and {missing.Count - MaxMissingListed} more" : "";
            var imported = string.Join(", ", catalogs.Select(c => $"{c.Key} ({c.ControlCount} controls)"));
            throw UseCaseException.Invalid("file",
                $"{fileName}: {missing[0].Path}: no imported catalog holds every control the profile selects. "
                + $"Missing from the closest, {closest.Catalog.Key}: {listed}{more} ({missing.Count} in all). Imported catalogs: {imported}.");
        }

        // The most complete catalog is the nearest to the one the profile was written against.
        var (source, selection) = complete.OrderByDescending(r => r.Catalog.ControlCount).ThenBy(r => r.Catalog.ImportedAt).First();
        if (selection.Selected.Count == 0)
        {
            throw UseCaseException.Invalid("file", $"{fileName}: {importsPath}: the profile selects no control of {source.Key}.");
        }

        var sourceControls = await db.Controls.AsNoTracking()
            .Where(c => c.FrameworkId == source.Id)
            .OrderBy(c => c.SortOrder)
            .ToListAsync(ct);
        var copies = sourceControls
            .Where(c => selection.Selected.Contains(c.Identifier))
            .Select((c, i) => new CatalogControl(c.Identifier, c.Kind, c.Title, c.Description, c.Group, c.ParentIdentifier, i, c.OscalJson ?? "{}"))
            .ToList();
        if ((profile.Imports?.Count ?? 0) > 1)
        {
            notes.Add($"All {profile.Imports!.Count} imports were resolved against {source.Key}.");
        }

        var key = FrameworkNaming.Key(title, source.Family, profile: true);
        var (framework, created) = await FindOrCreateAsync(organisationId, FrameworkSource.OscalProfile, profile.Uuid!, key, notes, ct);
        framework.Family = source.Family;
        Describe(framework, title, profile.Metadata.Version, profile.Uuid!, source.Id, copies.Count);
        await SyncControlsAsync(framework, created, copies, ct);
        await db.SaveChangesAsync(ct);
        await transaction.CommitAsync(ct);
        return new FrameworkImportResult(ImportedDocumentKind.Profile, framework.Key, framework.Name, copies.Count, created, framework.Id, source.Key, notes);
    }

    private async Task<FrameworkImportResult> ImportMappingAsync(Guid organisationId, MappingLibrary library, CancellationToken ct)
    {
        var notes = new List<string>();
        foreach (var set in library.Sets.Where(s => s.DuplicatesSkipped > 0))
        {
            notes.Add($"Skipped {set.DuplicatesSkipped} duplicate link(s) in {set.RefId}.");
        }

        await using var transaction = await db.Database.BeginTransactionAsync(ct);
        await db.LockAsync($"framework-import:{organisationId}", ct);
        var setRefs = library.Sets.Select(s => s.RefId).ToList();
        var replaced = await db.ControlMappings
            .Where(m => m.OrganisationId == organisationId && setRefs.Contains(m.MappingSet))
            .ExecuteDeleteAsync(ct);
        db.ControlMappings.AddRange(library.Sets.SelectMany(set => set.Links.Select(link => new ControlMapping
        {
            OrganisationId = organisationId,
            MappingSet = set.RefId,
            SourceFamily = set.SourceFamily,
            SourceIdentifier = link.SourceIdentifier,
            TargetFamily = set.TargetFamily,
            TargetIdentifier = link.TargetIdentifier,
            Relationship = link.Relationship,
        })));
        await db.SaveChangesAsync(ct);

        var families = library.Sets.SelectMany(s => new[] { s.SourceFamily, s.TargetFamily }).Distinct(StringComparer.Ordinal).ToList();
        var present = await db.Frameworks
            .Where(f => f.OrganisationId == organisationId && families.Contains(f.Family))
            .Select(f => f.Family)
            .Distinct()
            .ToListAsync(ct);
        var absent = families.Except(present, StringComparer.Ordinal).ToList();
        if (absent.Count > 0)
        {
            notes.Add($"Not imported yet, so kept by identifier until they are: {string.Join(", ", absent)}.");
        }

        await transaction.CommitAsync(ct);
        return new FrameworkImportResult(ImportedDocumentKind.Mapping, library.RefId, library.Name, library.LinkCount, replaced == 0, null, null, notes);
    }

    /// <summary>
    /// The framework this document updates: the one imported from the same document (uuid), else
    /// the one with the same key and source (a newer release of the same document); or a new one
    /// under a key not yet taken.
    /// </summary>
    private async Task<(Framework Framework, bool Created)> FindOrCreateAsync(
        Guid organisationId, FrameworkSource source, string uuid, string key, List<string> notes, CancellationToken ct)
    {
        var existing = await db.Frameworks.SingleOrDefaultAsync(
                f => f.OrganisationId == organisationId && f.Source == source && f.SourceUuid == uuid, ct)
            ?? await db.Frameworks.SingleOrDefaultAsync(
                f => f.OrganisationId == organisationId && f.Source == source && f.Key == key, ct);
        if (existing is not null)
        {
            if (existing.SourceUuid != uuid)
            {
                notes.Add($"Replaced the document previously imported as {existing.Key} (uuid {existing.SourceUuid}).");
            }

            return (existing, false);
        }

        var taken = await db.Frameworks
            .Where(f => f.OrganisationId == organisationId && f.Key.StartsWith(key))
            .Select(f => f.Key)
            .ToListAsync(ct);
        var unique = key;
        for (var n = 2; taken.Contains(unique, StringComparer.Ordinal); n++)
        {
            var suffix = $"-{n}";
            unique = key[..Math.Min(key.Length, FrameworkNaming.MaxLength - suffix.Length)] + suffix;
        }

        var framework = new Framework { OrganisationId = organisationId, Key = unique, Source = source };
        db.Frameworks.Add(framework);
        return (framework, true);
    }

    private void Describe(Framework framework, string title, string? version, string uuid, Guid? resolvedFrom, int controlCount)
    {
        framework.Name = Truncate(title, MaxNameLength);
        framework.Version = string.IsNullOrWhiteSpace(version) ? null : Truncate(version.Trim(), MaxVersionLength);
        framework.SourceUuid = uuid;
        framework.ResolvedFromFrameworkId = resolvedFrom;
        framework.ImportedAt = time.GetUtcNow();
        framework.ControlCount = controlCount;
    }

    /// <summary>Adds, updates and removes controls by identifier, keeping each one's owner, status and notes.</summary>
    private async Task SyncControlsAsync(Framework framework, bool created, IReadOnlyList<CatalogControl> controls, CancellationToken ct)
    {
        var existing = created
            ? new Dictionary<string, Control>(StringComparer.Ordinal)
            : await db.Controls.Where(c => c.FrameworkId == framework.Id).ToDictionaryAsync(c => c.Identifier, StringComparer.Ordinal, ct);
        var added = new List<Control>();
        foreach (var imported in controls)
        {
            if (!existing.Remove(imported.Identifier, out var control))
            {
                control = new Control
                {
                    OrganisationId = framework.OrganisationId,
                    FrameworkId = framework.Id,
                    Identifier = imported.Identifier,
                };
                added.Add(control);
            }

            control.Kind = imported.Kind;
            control.Title = Truncate(imported.Title, MaxTitleLength);
            control.Description = imported.Description;
            control.Group = imported.Group is null ? null : Truncate(imported.Group, MaxGroupLength);
            control.ParentIdentifier = imported.ParentIdentifier;
            control.SortOrder = imported.SortOrder;
            control.OscalJson = imported.OscalJson;
        }

        db.Controls.AddRange(added);
        db.Controls.RemoveRange(existing.Values);
    }

    private static void NoteWhatIsNotApplied(OscalProfile profile, List<string> notes)
    {
        if (profile.Modify is { } modify && ((modify.SetParameters?.Count ?? 0) + (modify.Alters?.Count ?? 0)) > 0)
        {
            notes.Add($"The profile's modify section ({modify.SetParameters?.Count ?? 0} parameter setting(s), {modify.Alters?.Count ?? 0} alteration(s)) "
                + "was not applied: controls are copied as the catalog states them.");
        }

        if (profile.Merge?.Custom is not null)
        {
            notes.Add("The profile's custom merge structure was not applied: controls keep their catalog groups.");
        }
    }

    private static async Task<byte[]> ReadAllAsync(Stream content, string name, CancellationToken ct)
    {
        using var buffer = new MemoryStream();
        var chunk = new byte[81920];
        int read;
        while ((read = await content.ReadAsync(chunk, ct)) > 0)
        {
            if (buffer.Length + read > MaxFileBytes)
            {
                throw UseCaseException.Invalid("file", $"{name}: larger than {MaxFileBytes / (1024 * 1024)} MB, the most Perennial imports.");
            }

            buffer.Write(chunk, 0, read);
        }

        return buffer.ToArray();
    }

    private static ReadOnlyMemory<byte> SkipByteOrderMark(byte[] bytes) =>
        bytes.AsSpan().StartsWith(Encoding.UTF8.Preamble) ? bytes.AsMemory(Encoding.UTF8.Preamble.Length) : bytes;

    private static byte? FirstSignificantByte(ReadOnlySpan<byte> text)
    {
        foreach (var b in text)
        {
            if (b is not ((byte)' ' or (byte)'\t' or (byte)'\r' or (byte)'\n'))
            {
                return b;
            }
        }

        return null;
    }

    private static string Truncate(string text, int max) => text.Length <= max ? text : text[..(max - 1)] + "…";
}

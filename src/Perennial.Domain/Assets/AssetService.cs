using Microsoft.EntityFrameworkCore;
using Perennial.Common;
using Perennial.Data;
using Perennial.Paging;
using Perennial.Risks;
using Perennial.Soa;

namespace Perennial.Assets;

/// <summary>The editable fields of an asset.</summary>
public sealed record AssetInput(string Name, AssetKind Kind, string? Description, Guid? OwnerUserId, Classification Classification = Classification.Internal);

public sealed record AssetQuery(AssetKind? Kind = null, string? Search = null);

public sealed record AssetListItem(
    Guid Id, string Name, AssetKind Kind, Classification Classification, string? Description,
    Guid? OwnerUserId, string? Owner, string? OwnerEmail, int Risks);

/// <summary>What deleting an asset unlinked: the risks (each revised), changes and incidents that named it.</summary>
public sealed record AssetDeletion(string Name, int Risks, int Changes, int Incidents);

public sealed record AssetImportResult(int Imported, IReadOnlyList<SpreadsheetRowError> Errors)
{
    public bool Succeeded => Errors.Count == 0;
}

/// <summary>Assets (information, systems, services, people, suppliers, sites) with their owners and classification.</summary>
public sealed class AssetService(PerennialDbContext db, TimeProvider time, RiskService risks)
{
    public const int NameMax = 200;
    public const int DescriptionMax = 2000;
    public const long MaxImportBytes = 5 * 1024 * 1024;
    public const int MaxImportRows = 10_000;

    private static readonly string[] RequiredColumns = ["name", "kind"];

    public const string KindNames = "information, system, service, people, supplier, site";
    public const string ClassificationNames = "public, internal, confidential, restricted";

    public static string ToName(AssetKind kind) => kind.ToString().ToLowerInvariant();

    public static string ToName(Classification classification) => classification.ToString().ToLowerInvariant();

    /// <summary>Kinds by name, singular or plural, in any case: "Supplier", "suppliers".</summary>
    public static bool TryParseKind(string? text, out AssetKind kind)
    {
        var value = Spreadsheets.Normalise(text);
        kind = value switch
        {
            "information" or "informationasset" or "data" => AssetKind.Information,
            "system" or "systems" or "application" or "applications" => AssetKind.System,
            "service" or "services" => AssetKind.Service,
            "people" or "person" or "staff" => AssetKind.People,
            "supplier" or "suppliers" or "vendor" or "vendors" => AssetKind.Supplier,
            "site" or "sites" or "location" or "premises" => AssetKind.Site,
            _ => 0,
        };
        return kind != 0;
    }

    public static bool TryParseClassification(string? text, out Classification classification)
    {
        classification = Spreadsheets.Normalise(text) switch
        {
            "public" => Classification.Public,
            "internal" or "internaluse" or "internalonly" => Classification.Internal,
            "confidential" => Classification.Confidential,
            "restricted" or "secret" or "strictlyconfidential" => Classification.Restricted,
            _ => 0,
        };
        return classification != 0;
    }

    public async Task<Paged<AssetListItem>> ListAsync(Guid organisationId, AssetQuery query, PageRequest page, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(query);
        var assets = db.Assets.AsNoTracking().Where(a => a.OrganisationId == organisationId);
        if (query.Kind is { } kind)
        {
            assets = assets.Where(a => a.Kind == kind);
        }

        if (!string.IsNullOrWhiteSpace(query.Search))
        {
            var term = query.Search.Trim().ToLowerInvariant();
#pragma warning disable CA1862 // ToLower().Contains translates to SQL on both providers.
            assets = assets.Where(a => a.Name.ToLower().Contains(term) || (a.Description != null && a.Description.ToLower().Contains(term)));
#pragma warning restore CA1862
        }

        var total = await assets.CountAsync(ct);
        var rows = await assets.OrderBy(a => a.Name).ThenBy(a => a.Id)
            .Skip(page.Skip).Take(page.PageSize)
            .Select(a => new
            {
                Asset = a,
                Owner = db.Users.Where(u => u.Id == a.OwnerUserId).Select(u => new { u.DisplayName, u.Email }).FirstOrDefault(),
                Risks = db.RiskAssets.Count(r => r.AssetId == a.Id),
            })
            .ToListAsync(ct);
        var items = rows.Select(r => new AssetListItem(r.Asset.Id, r.Asset.Name, r.Asset.Kind, r.Asset.Classification, r.Asset.Description,
            r.Asset.OwnerUserId, r.Owner?.DisplayName, r.Owner?.Email, r.Risks)).ToList();
        return new Paged<AssetListItem>(items, page.Page, page.PageSize, total);
    }

    public async Task<AssetListItem?> GetAsync(Guid organisationId, Guid assetId, CancellationToken ct)
    {
        var asset = await db.Assets.AsNoTracking().SingleOrDefaultAsync(a => a.OrganisationId == organisationId && a.Id == assetId, ct);
        if (asset is null)
        {
            return null;
        }

        var owner = asset.OwnerUserId is { } o ? await db.Users.AsNoTracking().Where(u => u.Id == o).Select(u => new { u.DisplayName, u.Email }).FirstOrDefaultAsync(ct) : null;
        var linked = await db.RiskAssets.CountAsync(r => r.AssetId == asset.Id, ct);
        return new AssetListItem(asset.Id, asset.Name, asset.Kind, asset.Classification, asset.Description, asset.OwnerUserId, owner?.DisplayName, owner?.Email, linked);
    }

    public async Task<Asset> CreateAsync(Guid organisationId, AssetInput input, CancellationToken ct)
    {
        var clean = Validate(input);
        await CheckAsync(organisationId, clean, null, ct);
        var asset = new Asset { OrganisationId = organisationId, CreatedAt = time.GetUtcNow() };
        Apply(asset, clean);
        db.Assets.Add(asset);
        await SaveAsync(clean.Name, ct);
        return asset;
    }

    public async Task<Asset> UpdateAsync(Guid organisationId, Guid assetId, AssetInput input, CancellationToken ct)
    {
        var asset = await db.Assets.SingleOrDefaultAsync(a => a.OrganisationId == organisationId && a.Id == assetId, ct)
            ?? throw UseCaseException.NotFound("No such asset.");
        var clean = Validate(input);
        await CheckAsync(organisationId, clean, asset.Id, ct);
        Apply(asset, clean);
        await SaveAsync(clean.Name, ct);
        return asset;
    }

    /// <summary>
    /// Deletes the asset. Risks, changes and incidents that named it stay, without it; each such
    /// risk gets a revision saying so, so that its history shows when the asset went.
    /// </summary>
    public async Task<AssetDeletion> DeleteAsync(Guid organisationId, Guid assetId, CancellationToken ct)
    {
        await using var transaction = await db.Database.BeginTransactionAsync(ct);
        var asset = await db.Assets.SingleOrDefaultAsync(a => a.OrganisationId == organisationId && a.Id == assetId, ct)
            ?? throw UseCaseException.NotFound("No such asset.");
        var changes = await db.ChangeAssets.CountAsync(a => a.AssetId == asset.Id, ct);
        var incidents = await db.Set<Incidents.IncidentAsset>().CountAsync(a => a.AssetId == asset.Id, ct);
        var unlinked = await risks.UnlinkAssetAsync(organisationId, asset.Id, $"asset '{asset.Name}' deleted", ct);
        db.Assets.Remove(asset);
        await db.SaveChangesAsync(ct);
        await transaction.CommitAsync(ct);
        return new AssetDeletion(asset.Name, unlinked, changes, incidents);
    }

    /// <summary>
    /// Imports assets from CSV (or XLSX) with the columns name, kind, owner (a member's e-mail),
    /// classification and description. Every row is checked first; any problem imports nothing.
    /// </summary>
    public async Task<AssetImportResult> ImportAsync(Guid organisationId, string fileName, Stream content, CancellationToken ct)
    {
        Table table;
        try
        {
            table = await Spreadsheets.ReadAsync(fileName, content, MaxImportRows, null, ct);
        }
        catch (FormatException e)
        {
            return new AssetImportResult(0, [new SpreadsheetRowError(0, "", e.Message)]);
        }

        var positions = new Dictionary<string, int>(StringComparer.Ordinal);
        for (var i = 0; i < table.Columns.Count; i++)
        {
            var field = Spreadsheets.Normalise(table.Columns[i]) switch
            {
                "name" or "asset" or "assetname" => "name",
                "kind" or "type" or "assettype" or "category" => "kind",
                "owner" or "owneremail" or "assetowner" or "email" => "owner",
                "classification" or "class" or "sensitivity" => "classification",
                "description" or "details" or "notes" => "description",
                _ => null,
            };
            if (field is not null)
            {
                positions.TryAdd(field, i);
            }
        }

        var missing = RequiredColumns.Where(c => !positions.ContainsKey(c)).ToList();
        if (missing.Count > 0)
        {
            return new AssetImportResult(0, [new SpreadsheetRowError(table.HeaderRow, string.Join(", ", missing), $"The header row lacks the column(s) {string.Join(", ", missing)}; the columns are name, kind, owner, classification and description.")]);
        }

        var members = await db.Memberships.AsNoTracking().Where(m => m.OrganisationId == organisationId)
            .Join(db.Users, m => m.UserId, u => u.Id, (m, u) => new { u.Id, u.Email, u.DisplayName })
            .ToListAsync(ct);
        var existing = (await db.Assets.AsNoTracking().Where(a => a.OrganisationId == organisationId).Select(a => a.Name).ToListAsync(ct))
            .ToHashSet(StringComparer.OrdinalIgnoreCase);
        var firstRowOf = new Dictionary<string, int>(StringComparer.OrdinalIgnoreCase);
        var errors = new List<SpreadsheetRowError>();
        var inputs = new List<AssetInput>();
        foreach (var row in table.Rows)
        {
            var before = errors.Count;
            string Cell(string field) => positions.TryGetValue(field, out var c) ? row[c].Trim() : "";
            string Column(string field) => positions.TryGetValue(field, out var c) ? table.Columns[c] : field;
            void Error(string field, string message) => errors.Add(new SpreadsheetRowError(row.Number, Column(field), message));

            var name = Cell("name");
            if (name.Length == 0)
            {
                Error("name", "The name is empty.");
            }
            else if (name.Length > NameMax)
            {
                Error("name", $"The name is at most {NameMax} characters.");
            }
            else if (existing.Contains(name))
            {
                Error("name", $"There is already an asset called '{name}'.");
            }
            else if (!firstRowOf.TryAdd(name, row.Number))
            {
                Error("name", $"'{name}' appears again (first on row {firstRowOf[name]}).");
            }

            if (!TryParseKind(Cell("kind"), out var kind))
            {
                Error("kind", Cell("kind").Length == 0 ? $"The kind is empty; use one of {KindNames}." : $"'{Cell("kind")}' is not a kind of asset; use one of {KindNames}.");
            }

            var classification = Classification.Internal;
            if (Cell("classification").Length > 0 && !TryParseClassification(Cell("classification"), out classification))
            {
                Error("classification", $"'{Cell("classification")}' is not a classification; use one of {ClassificationNames}.");
            }

            Guid? owner = null;
            var ownerText = Cell("owner");
            if (ownerText.Length > 0)
            {
                var matches = members.Where(m => string.Equals(m.Email, ownerText, StringComparison.OrdinalIgnoreCase)).ToList();
                if (matches.Count == 0)
                {
                    matches = members.Where(m => string.Equals(m.DisplayName.Trim(), ownerText, StringComparison.OrdinalIgnoreCase)).ToList();
                }

                if (matches.Count == 1)
                {
                    owner = matches[0].Id;
                }
                else
                {
                    Error("owner", matches.Count == 0
                        ? $"'{ownerText}' is not a member of this organisation; give a member's e-mail address."
                        : $"Several members are called '{ownerText}'; give the owner's e-mail address.");
                }
            }

            var description = Cell("description");
            if (description.Length > DescriptionMax)
            {
                Error("description", $"The description is at most {DescriptionMax} characters.");
            }

            if (errors.Count == before)
            {
                inputs.Add(new AssetInput(name, kind, description.Length == 0 ? null : description, owner, classification));
            }
        }

        if (errors.Count > 0)
        {
            return new AssetImportResult(0, errors);
        }

        if (inputs.Count == 0)
        {
            return new AssetImportResult(0, [new SpreadsheetRowError(0, "", "The file has no assets to import.")]);
        }

        var now = time.GetUtcNow();
        foreach (var input in inputs)
        {
            var asset = new Asset { OrganisationId = organisationId, CreatedAt = now };
            Apply(asset, input);
            db.Assets.Add(asset);
        }

        try
        {
            await db.SaveChangesAsync(ct);
        }
        catch (DbUpdateException)
        {
            // Someone added one of these names meanwhile; nothing was saved.
            db.ChangeTracker.Clear();
            return new AssetImportResult(0, [new SpreadsheetRowError(0, "name", "An asset of the same name was added while the file was imported; nothing was imported. Try again.")]);
        }

        return new AssetImportResult(inputs.Count, []);
    }

    private static AssetInput Validate(AssetInput input)
    {
        ArgumentNullException.ThrowIfNull(input);
        var name = input.Name?.Trim() ?? "";
        if (name.Length == 0 || name.Length > NameMax)
        {
            throw UseCaseException.Invalid("name", $"The asset needs a name of at most {NameMax} characters.");
        }

        if (!Enum.IsDefined(input.Kind))
        {
            throw UseCaseException.Invalid("kind", $"kind must be one of {KindNames}.");
        }

        if (!Enum.IsDefined(input.Classification))
        {
            throw UseCaseException.Invalid("classification", $"classification must be one of {ClassificationNames}.");
        }

        var description = string.IsNullOrWhiteSpace(input.Description) ? null : input.Description.Trim();
        if (description is { Length: > DescriptionMax })
        {
            throw UseCaseException.Invalid("description", $"The description is at most {DescriptionMax} characters.");
        }

        return input with { Name = name, Description = description };
    }

    private async Task CheckAsync(Guid organisationId, AssetInput input, Guid? self, CancellationToken ct)
    {
        if (input.OwnerUserId is { } owner && !await db.Memberships.AnyAsync(m => m.OrganisationId == organisationId && m.UserId == owner, ct))
        {
            throw UseCaseException.Invalid("ownerUserId", "The owner must be a member of the organisation.");
        }

        var lower = input.Name.ToLowerInvariant();
#pragma warning disable CA1862 // ToLower() translates to SQL on both providers.
        if (await db.Assets.AnyAsync(a => a.OrganisationId == organisationId && a.Id != self && a.Name.ToLower() == lower, ct))
#pragma warning restore CA1862
        {
            throw UseCaseException.Conflict("name", $"There is already an asset called '{input.Name}'.");
        }
    }

    private async Task SaveAsync(string name, CancellationToken ct)
    {
        try
        {
            await db.SaveChangesAsync(ct);
        }
        catch (DbUpdateException)
        {
            db.ChangeTracker.Clear();
            throw UseCaseException.Conflict("name", $"There is already an asset called '{name}'.");
        }
    }

    private static void Apply(Asset asset, AssetInput input)
    {
        asset.Name = input.Name;
        asset.Kind = input.Kind;
        asset.Description = input.Description;
        asset.OwnerUserId = input.OwnerUserId;
        asset.Classification = input.Classification;
    }
}

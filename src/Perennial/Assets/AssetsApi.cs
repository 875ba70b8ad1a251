using System.ComponentModel.DataAnnotations;
using Microsoft.AspNetCore.Http.HttpResults;
using Perennial.Common;
using Perennial.Frameworks;
using Perennial.Hosting;
using Perennial.Security;

namespace Perennial.Assets;

/// <summary><c>risks</c>: how many risks name the asset.</summary>
public sealed record AssetDto(Guid Id, string Name, string Kind, string Classification, string? Description, Guid? OwnerUserId, string? Owner, int Risks);

/// <summary>
/// <c>kind</c>: information, system, service, people, supplier or site; <c>classification</c>:
/// public, internal (the default), confidential or restricted.
/// </summary>
public sealed record AssetRequest(
    [property: Required, StringLength(AssetService.NameMax)] string Name,
    [property: Required] string Kind,
    string? Classification,
    [property: StringLength(AssetService.DescriptionMax)] string? Description,
    Guid? OwnerUserId);

/// <summary>What the deletion unlinked: each risk that named the asset got a revision saying so.</summary>
public sealed record AssetDeletionDto(string Deleted, int UnlinkedRisks, int UnlinkedChanges, int UnlinkedIncidents);

public sealed record AssetImportDto(int Imported);

public static class AssetsApi
{
    public static RouteGroupBuilder MapAssetsApi(this RouteGroupBuilder api)
    {
        var assets = api.MapGroup("/orgs/{org}/assets").WithTags("Assets");
        assets.MapGet("/", List).WithAccess(Access.OrgAuditor).WithSummary("The organisation's assets by name; filter by kind, search name and description");
        assets.MapPost("/", Create).WithAccess(Access.OrgContributor);
        assets.MapGet("/{id:guid}", Get).WithAccess(Access.OrgAuditor);
        assets.MapPut("/{id:guid}", Update).WithAccess(Access.OrgContributor);
        assets.MapDelete("/{id:guid}", Delete).WithAccess(Access.OrgContributor)
            .WithSummary("Delete an asset; risks, changes and incidents that named it keep going without it (the response says how many)");
        assets.MapPost("/import", Import).WithAccess(Access.OrgContributor).DisableAntiforgery()
            .WithSummary("Import assets from CSV (or XLSX) with the columns name, kind, owner (e-mail), classification, description; all or nothing");
        return api;
    }

    private static async Task<Ok<PageDto<AssetDto>>> List(string? kind, string? search, int? page, int? pageSize, CurrentOrg currentOrg, AssetService assets, CancellationToken ct)
    {
        AssetKind? filter = null;
        if (!string.IsNullOrWhiteSpace(kind))
        {
            filter = AssetService.TryParseKind(kind, out var k) ? k : throw UseCaseException.Invalid("kind", $"kind must be one of {AssetService.KindNames}.");
        }

        if (search is { Length: > 100 })
        {
            throw UseCaseException.Invalid("search", "search is at most 100 characters.");
        }

        var list = await assets.ListAsync(currentOrg.Id, new AssetQuery(filter, search), PagingApi.Read(page, pageSize), ct);
        return TypedResults.Ok(list.ToDto(ToDto));
    }

    private static async Task<Ok<AssetDto>> Get(Guid id, CurrentOrg currentOrg, AssetService assets, CancellationToken ct) =>
        TypedResults.Ok(ToDto(await assets.GetAsync(currentOrg.Id, id, ct) ?? throw UseCaseException.NotFound("No such asset.")));

    private static async Task<Created<AssetDto>> Create(AssetRequest request, CurrentOrg currentOrg, AssetService assets, CancellationToken ct)
    {
        var asset = await assets.CreateAsync(currentOrg.Id, ToInput(request), ct);
        var item = await assets.GetAsync(currentOrg.Id, asset.Id, ct);
        return TypedResults.Created($"/api/v1/orgs/{currentOrg.Slug}/assets/{asset.Id}", ToDto(item!));
    }

    private static async Task<Ok<AssetDto>> Update(Guid id, AssetRequest request, CurrentOrg currentOrg, AssetService assets, CancellationToken ct)
    {
        await assets.UpdateAsync(currentOrg.Id, id, ToInput(request), ct);
        return TypedResults.Ok(ToDto((await assets.GetAsync(currentOrg.Id, id, ct))!));
    }

    private static async Task<Ok<AssetDeletionDto>> Delete(Guid id, CurrentOrg currentOrg, AssetService assets, CancellationToken ct)
    {
        var deleted = await assets.DeleteAsync(currentOrg.Id, id, ct);
        return TypedResults.Ok(new AssetDeletionDto(deleted.Name, deleted.Risks, deleted.Changes, deleted.Incidents));
    }

    private static async Task<Results<Ok<AssetImportDto>, ProblemHttpResult>> Import(IFormFile file, CurrentOrg currentOrg, AssetService assets, CancellationToken ct)
    {
        Uploads.Check(file, AssetService.MaxImportBytes);
        await using var stream = file.OpenReadStream();
        var result = await assets.ImportAsync(currentOrg.Id, file.FileName, stream, ct);
        return result.Succeeded ? TypedResults.Ok(new AssetImportDto(result.Imported)) : TypedResults.Problem(Uploads.Problem(file.FileName, result.Errors));
    }

    private static AssetInput ToInput(AssetRequest request)
    {
        if (!AssetService.TryParseKind(request.Kind, out var kind))
        {
            throw UseCaseException.Invalid("kind", $"kind must be one of {AssetService.KindNames}.");
        }

        var classification = Classification.Internal;
        if (!string.IsNullOrWhiteSpace(request.Classification) && !AssetService.TryParseClassification(request.Classification, out classification))
        {
            throw UseCaseException.Invalid("classification", $"classification must be one of {AssetService.ClassificationNames}.");
        }

        return new AssetInput(request.Name, kind, request.Description, request.OwnerUserId, classification);
    }

    private static AssetDto ToDto(AssetListItem a) =>
        new(a.Id, a.Name, AssetService.ToName(a.Kind), AssetService.ToName(a.Classification), a.Description, a.OwnerUserId, a.Owner, a.Risks);
}

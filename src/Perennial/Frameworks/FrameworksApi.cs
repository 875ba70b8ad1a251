using System.ComponentModel.DataAnnotations;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Mvc;
using Perennial.Common;
using Perennial.Hosting;
using Perennial.Security;
using Perennial.Soa;

namespace Perennial.Frameworks;

/// <summary><c>id</c> is the framework's key, unique in the organisation (e.g. <c>iso27001-2022</c>).</summary>
public sealed record FrameworkDto(string Id, string Name, string? Version, string Family, string Source, int ControlCount, DateTimeOffset ImportedAt);

public sealed record ControlSummaryDto(string Identifier, string Kind, string Title, string? Group, string? Parent, string Status, Guid? OwnerUserId, string? Owner);

public sealed record MappedControlDto(string Family, string Identifier, string Relationship, string MappingSet, bool Live, IReadOnlyList<string> Frameworks);

public sealed record DocumentDto(Guid Id, string Title, string? Link, string? Version, DateOnly? ReviewDate);

public sealed record ControlDto(
    string Framework, string Identifier, string Kind, string Title, string? Description, bool LicensedWording, string? Group, string? Parent,
    string Status, Guid? OwnerUserId, string? Owner, string? ImplementationNotes, IReadOnlyList<DocumentDto> Documents, IReadOnlyList<MappedControlDto> Mappings,
    Guid Id, int? EvidenceFreshnessDays);

/// <summary>The control's implementation, replaced as a whole: an absent <c>evidenceFreshnessDays</c> removes the requirement.</summary>
public sealed record UpdateControlRequest(
    Guid? OwnerUserId, [property: Required] string Status, [property: StringLength(FrameworkService.NotesMaxLength)] string? ImplementationNotes,
    int? EvidenceFreshnessDays = null);

public sealed record DocumentRequest(
    [property: Required, StringLength(300)] string Title,
    [property: StringLength(2000)] string? Link,
    [property: StringLength(50)] string? Version,
    DateOnly? ReviewDate);

public sealed record ImportProblem(int Row, string Column, string Message);

/// <summary><c>key</c> is the framework's id (catalog, profile) or the mapping set; <c>count</c> its controls or links.</summary>
public sealed record ImportResultDto(string Kind, string Key, string Name, int Count, bool Created, string? ResolvedFrom, IReadOnlyList<string> Notes);

public static class FrameworksApi
{
    public static RouteGroupBuilder MapFrameworksApi(this RouteGroupBuilder api)
    {
        var frameworks = api.MapGroup("/orgs/{org}/frameworks").WithTags("Frameworks and controls");
        frameworks.MapGet("/", List).WithAccess(Access.OrgAuditor).WithSummary("The organisation's frameworks");
        frameworks.MapPost("/import", Import).WithAccess(Access.OrgManager).DisableAntiforgery()
            .WithSummary("Import an OSCAL catalog or profile (JSON) or a framework mapping (YAML); all or nothing");
        frameworks.MapGet("/{id}/controls", Controls).WithAccess(Access.OrgAuditor).WithSummary("A framework's controls, in order; search by identifier or title");
        frameworks.MapGet("/{id}/controls/{identifier}", Control).WithAccess(Access.OrgAuditor).WithSummary("One control with its documents and mapped controls in other frameworks");
        frameworks.MapPut("/{id}/controls/{identifier}", UpdateControl).WithAccess(Access.OrgManager)
            .WithSummary("Replace a control's implementation: owner, status, notes and evidenceFreshnessDays (1–3660 days, null for no requirement)");
        frameworks.MapPost("/{id}/controls/{identifier}/documents", AddDocument).WithAccess(Access.OrgManager);
        frameworks.MapPost("/{id}/wording", ImportWording).WithAccess(Access.OrgManager).DisableAntiforgery()
            .WithSummary("Import licensed wording (CSV or XLSX with columns id, title, text) to display instead of Perennial's labels");
        api.MapDelete("/orgs/{org}/documents/{documentId:guid}", RemoveDocument).WithAccess(Access.OrgManager).WithTags("Frameworks and controls");
        return api;
    }

    private static async Task<Ok<PageDto<FrameworkDto>>> List(int? page, int? pageSize, CurrentOrg currentOrg, FrameworkService frameworks, CancellationToken ct)
    {
        var list = await frameworks.ListAsync(currentOrg.Id, PagingApi.Read(page, pageSize), ct);
        return TypedResults.Ok(list.ToDto(ToDto));
    }

    private static async Task<Ok<PageDto<ControlSummaryDto>>> Controls(string id, string? search, int? page, int? pageSize, CurrentOrg currentOrg, FrameworkService frameworks, CancellationToken ct)
    {
        var framework = await FindAsync(id, currentOrg, frameworks, ct);
        if (search is { Length: > 100 })
        {
            throw UseCaseException.Invalid("search", "search is at most 100 characters.");
        }

        var list = await frameworks.ListControlsAsync(currentOrg.Id, framework.Id, search, PagingApi.Read(page, pageSize), ct);
        return TypedResults.Ok(list.ToDto(c => new ControlSummaryDto(c.Identifier, c.Kind.ToString().ToLowerInvariant(), c.Title, c.Group, c.ParentIdentifier, c.Status.ToName(), c.OwnerUserId, c.OwnerName)));
    }

    private static async Task<Ok<ControlDto>> Control(string id, string identifier, CurrentOrg currentOrg, FrameworkService frameworks, CancellationToken ct)
    {
        var framework = await FindAsync(id, currentOrg, frameworks, ct);
        var control = await frameworks.GetControlAsync(currentOrg.Id, framework.Id, identifier, ct)
            ?? throw UseCaseException.NotFound($"No control '{identifier}' in {framework.Name}.");
        return TypedResults.Ok(ToDto(control));
    }

    private static async Task<Ok<ControlDto>> UpdateControl(
        string id, string identifier, UpdateControlRequest request, CurrentOrg currentOrg, FrameworkService frameworks, Evidence.EvidenceTimeline timeline, CancellationToken ct)
    {
        var framework = await FindAsync(id, currentOrg, frameworks, ct);
        if (!ImplementationStatuses.TryParse(request.Status, out var status))
        {
            throw UseCaseException.Invalid("status", $"status must be one of {ImplementationStatuses.Names}.");
        }

        Evidence.EvidenceTimeline.CheckFreshness(request.EvidenceFreshnessDays);
        await frameworks.UpdateControlAsync(currentOrg.Id, framework.Id, identifier, new ControlInput(request.OwnerUserId, status, request.ImplementationNotes), ct);
        var control = (await frameworks.GetControlAsync(currentOrg.Id, framework.Id, identifier, ct))!;
        await timeline.SetControlFreshnessAsync(currentOrg.Id, control.Id, request.EvidenceFreshnessDays, ct);
        return TypedResults.Ok(ToDto((await frameworks.GetControlAsync(currentOrg.Id, framework.Id, identifier, ct))!));
    }

    private static async Task<Created<DocumentDto>> AddDocument(string id, string identifier, DocumentRequest request, CurrentOrg currentOrg, FrameworkService frameworks, CancellationToken ct)
    {
        var framework = await FindAsync(id, currentOrg, frameworks, ct);
        var document = await frameworks.AddDocumentAsync(currentOrg.Id, framework.Id, identifier, new DocumentInput(request.Title, request.Link, request.Version, request.ReviewDate), ct);
        return TypedResults.Created($"/api/v1/orgs/{currentOrg.Slug}/frameworks/{framework.Key}/controls/{identifier}", ToDto(document));
    }

    private static async Task<NoContent> RemoveDocument(Guid documentId, CurrentOrg currentOrg, FrameworkService frameworks, CancellationToken ct)
    {
        await frameworks.RemoveDocumentAsync(currentOrg.Id, documentId, ct);
        return TypedResults.NoContent();
    }

    private static async Task<Results<Ok<WordingImportResult>, BadRequest<ProblemDetails>>> ImportWording(string id, IFormFile file, CurrentOrg currentOrg, FrameworkService frameworks, CancellationToken ct)
    {
        var framework = await FindAsync(id, currentOrg, frameworks, ct);
        Uploads.Check(file, SoaSpreadsheet.MaxImportBytes);
        await using var stream = file.OpenReadStream();
        var result = await frameworks.ImportWordingAsync(currentOrg.Id, framework.Id, file.FileName, stream, ct);
        return result.Succeeded ? TypedResults.Ok(result) : TypedResults.BadRequest(Uploads.Problem(file.FileName, result.Errors));
    }

    private static async Task<Ok<ImportResultDto>> Import(IFormFile file, CurrentOrg currentOrg, FrameworkImportService imports, CancellationToken ct)
    {
        Uploads.Check(file, FrameworkImportService.MaxFileBytes);
        await using var stream = file.OpenReadStream();
        var result = await imports.ImportAsync(currentOrg.Id, file.FileName, stream, ct);
        return TypedResults.Ok(new ImportResultDto(result.Kind.ToString(), result.Key, result.Name, result.Count, result.Created, result.ResolvedFromKey, result.Notes));
    }

    private static async Task<FrameworkSummary> FindAsync(string id, CurrentOrg currentOrg, FrameworkService frameworks, CancellationToken ct) =>
        await frameworks.FindAsync(currentOrg.Id, id, ct) ?? throw UseCaseException.NotFound($"No framework '{id}'.");

    internal static FrameworkDto ToDto(FrameworkSummary f) =>
        new(f.Key, f.Name, f.Version, f.Family, f.Source.ToString(), f.ControlCount, f.ImportedAt);

    private static DocumentDto ToDto(ControlDocument d) => new(d.Id, d.Title, d.Link, d.Version, d.ReviewDate);

    private static ControlDto ToDto(ControlDetail c) => new(
        c.FrameworkKey, c.Identifier, c.Kind.ToString().ToLowerInvariant(), c.Title, c.Description, c.LicensedWording, c.Group, c.ParentIdentifier,
        c.Status.ToName(), c.OwnerUserId, c.OwnerName, c.ImplementationNotes, c.Documents.Select(ToDto).ToList(),
        c.Mappings.Select(m => new MappedControlDto(m.Family, m.Identifier, m.Relationship, m.MappingSet, m.Live.Count > 0, m.Live.Select(l => l.FrameworkKey).ToList())).ToList(),
        c.Id, c.EvidenceFreshnessDays);
}

/// <summary>Checks on uploaded files, and the 400 that lists a file's bad rows.</summary>
public static class Uploads
{
    public static void Check(IFormFile? file, long maxBytes)
    {
        if (file is null || file.Length == 0)
        {
            throw UseCaseException.Invalid("file", "Send the file as multipart/form-data in the field 'file'.");
        }

        if (file.Length > maxBytes)
        {
            throw UseCaseException.Invalid("file", $"The file is larger than {maxBytes / (1024 * 1024)} MB.");
        }
    }

    public static ProblemDetails Problem(string fileName, IReadOnlyList<SpreadsheetRowError> errors)
    {
        var problem = new ProblemDetails
        {
            Status = 400,
            Title = "The file was not imported",
            Detail = $"{fileName}: {errors.Count} problem(s); nothing was changed. " + string.Join(" ", errors.Take(5).Select(e => e.Row > 0 ? $"Row {e.Row}, {e.Column}: {e.Message}" : e.Message)),
        };
        problem.Extensions["errors"] = errors.Select(e => new ImportProblem(e.Row, e.Column, e.Message)).ToList();
        return problem;
    }
}

using System.ComponentModel.DataAnnotations;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Mvc;
using Perennial.Common;
using Perennial.Frameworks;
using Perennial.Hosting;
using Perennial.Security;

namespace Perennial.Soa;

public sealed record SoaRowDto(
    string Control, string Title, string? Theme, bool? Applicable, string? Justification, string Status,
    string? Owner, string? LinkedRisks, string? LinkedActivities, string? Notes, string? ChangeReason);

public sealed record UpdateSoaRowRequest(
    bool? Applicable,
    [property: StringLength(SoaLimits.Justification)] string? Justification,
    [property: Required] string Status,
    [property: StringLength(256)] string? Owner,
    [property: StringLength(SoaLimits.Links)] string? LinkedRisks,
    [property: StringLength(SoaLimits.Links)] string? LinkedActivities,
    [property: StringLength(SoaLimits.Notes)] string? Notes,
    [property: StringLength(SoaLimits.Notes)] string? ChangeReason);

public sealed record PublishRequest([property: StringLength(2000)] string? Summary);

public sealed record SoaVersionDto(int Number, DateTimeOffset? PublishedAt, string? Approver, string? Summary, int Rows, int Applicable);

public sealed record SoaImportDto(int Changed, IReadOnlyList<string> ChangedRows);

public static class SoaApi
{
    public const string XlsxContentType = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet";

    public static RouteGroupBuilder MapSoaApi(this RouteGroupBuilder api)
    {
        var soa = api.MapGroup("/orgs/{org}/soa").WithTags("Statement of Applicability");
        soa.MapGet("/", Draft).WithAccess(Access.OrgAuditor).WithSummary("The draft's rows, one per Annex A control");
        soa.MapPut("/rows/{control}", UpdateRow).WithAccess(Access.OrgManager).WithSummary("Update one draft row");
        soa.MapPost("/publish", Publish).WithAccess(Access.OrgManager).WithSummary("Publish the draft as the next version; the caller is its approver");
        soa.MapGet("/versions", Versions).WithAccess(Access.OrgAuditor);
        soa.MapGet("/versions/{number:int}", Version).WithAccess(Access.OrgAuditor).WithSummary("A published version's rows");
        soa.MapGet("/versions/{number:int}/export.xlsx", ExportVersion).WithAccess(Access.OrgAuditor).WithSummary("A published version as XLSX");
        soa.MapGet("/export.xlsx", ExportDraft).WithAccess(Access.OrgAuditor).WithSummary("The draft as XLSX, to edit and import back");
        soa.MapPost("/import", Import).WithAccess(Access.OrgManager).DisableAntiforgery()
            .WithSummary("Update the draft from an XLSX in the export's layout; any bad row rejects the whole file");
        soa.MapGet("/compare", Compare).WithAccess(Access.OrgAuditor).WithSummary("Row-by-row changes between two versions (from, to: numbers, or 'draft')");
        return api;
    }

    private static async Task<Ok<PageDto<SoaRowDto>>> Draft(int? page, int? pageSize, CurrentOrg currentOrg, SoaService soa, CancellationToken ct)
    {
        var rows = await soa.ListRowsAsync(currentOrg.Id, SoaService.Draft, PagingApi.Read(page, pageSize ?? 100), ct);
        return TypedResults.Ok(rows.ToDto(ToDto));
    }

    private static async Task<Ok<SoaRowDto>> UpdateRow(string control, UpdateSoaRowRequest request, CurrentOrg currentOrg, SoaService soa, CancellationToken ct)
    {
        if (!ImplementationStatuses.TryParse(request.Status, out var status))
        {
            throw UseCaseException.Invalid("status", $"status must be one of {ImplementationStatuses.Names}.");
        }

        var row = await soa.UpdateDraftRowAsync(currentOrg.Id, control,
            new SoaRowInput(request.Applicable, request.Justification, status, request.Owner, request.LinkedRisks, request.LinkedActivities, request.Notes, request.ChangeReason), ct);
        return TypedResults.Ok(ToDto(row));
    }

    private static async Task<Created<SoaVersionDto>> Publish(PublishRequest request, CurrentOrg currentOrg, SoaService soa, CancellationToken ct)
    {
        var version = await soa.PublishAsync(currentOrg.Id, request.Summary, ct);
        return TypedResults.Created($"/api/v1/orgs/{currentOrg.Slug}/soa/versions/{version.Number}", ToDto(version));
    }

    private static async Task<Ok<IReadOnlyList<SoaVersionDto>>> Versions(CurrentOrg currentOrg, SoaService soa, CancellationToken ct) =>
        TypedResults.Ok((IReadOnlyList<SoaVersionDto>)(await soa.ListVersionsAsync(currentOrg.Id, ct)).Select(ToDto).ToList());

    private static async Task<Ok<IReadOnlyList<SoaRowDto>>> Version(int number, CurrentOrg currentOrg, SoaService soa, CancellationToken ct) =>
        TypedResults.Ok((IReadOnlyList<SoaRowDto>)(await soa.RowsAsync(currentOrg.Id, Published(number), ct)).Select(ToDto).ToList());

    private static async Task<FileContentHttpResult> ExportVersion(int number, CurrentOrg currentOrg, SoaSpreadsheet sheet, CancellationToken ct) =>
        await ExportAsync(Published(number), currentOrg, sheet, $"soa-{currentOrg.Slug}-v{number}.xlsx", ct);

    private static async Task<FileContentHttpResult> ExportDraft(CurrentOrg currentOrg, SoaSpreadsheet sheet, CancellationToken ct) =>
        await ExportAsync(SoaService.Draft, currentOrg, sheet, $"soa-{currentOrg.Slug}-draft.xlsx", ct);

    private static async Task<Results<Ok<SoaImportDto>, BadRequest<ProblemDetails>>> Import(IFormFile file, CurrentOrg currentOrg, SoaSpreadsheet sheet, CancellationToken ct)
    {
        Uploads.Check(file, SoaSpreadsheet.MaxImportBytes);
        await using var stream = file.OpenReadStream();
        var result = await sheet.ImportAsync(currentOrg.Id, stream, ct);
        return result.Succeeded
            ? TypedResults.Ok(new SoaImportDto(result.ChangedRows.Count, result.ChangedRows))
            : TypedResults.BadRequest(Uploads.Problem(file.FileName, result.Errors));
    }

    private static async Task<Ok<SoaDiff>> Compare(string from, string to, CurrentOrg currentOrg, SoaService soa, CancellationToken ct) =>
        TypedResults.Ok(await soa.CompareAsync(currentOrg.Id, ParseVersion(from, "from"), ParseVersion(to, "to"), ct));

    internal static int ParseVersion(string? text, string field) =>
        string.Equals(text, "draft", StringComparison.OrdinalIgnoreCase) ? SoaService.Draft
        : int.TryParse(text, out var n) && n > 0 ? n
        : throw UseCaseException.Invalid(field, $"{field} must be a version number or 'draft'.");

    private static int Published(int number) =>
        number > 0 ? number : throw UseCaseException.NotFound("Published versions are numbered from 1; the draft is at /soa.");

    private static async Task<FileContentHttpResult> ExportAsync(int number, CurrentOrg currentOrg, SoaSpreadsheet sheet, string fileName, CancellationToken ct)
    {
        using var buffer = new MemoryStream();
        await sheet.ExportAsync(currentOrg.Id, number, currentOrg.Access.Name, buffer, ct);
        return TypedResults.File(buffer.ToArray(), XlsxContentType, fileName);
    }

    private static SoaRowDto ToDto(SoaRowView r) =>
        new(r.ControlIdentifier, r.Title, r.Theme, r.Applicable, r.Justification, r.Status.ToName(), r.OwnerName, r.LinkedRisks, r.LinkedActivities, r.Notes, r.ChangeReason);

    private static SoaVersionDto ToDto(SoaVersionSummary v) => new(v.Number, v.PublishedAt, v.ApproverName, v.Summary, v.Rows, v.Applicable);
}

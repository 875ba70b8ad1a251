using System.Text.Json;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Mvc;
using Perennial.Common;
using Perennial.Frameworks;
using Perennial.Security;

namespace Perennial.Risks;

public sealed record RiskImportDto(int Imported, IReadOnlyList<string> References);

public sealed record RiskImportFieldDto(string Key, string Label, bool Required, string Help);

public sealed record RiskPreviewRowDto(
    int Row, string? Reference, string? Title, string? Owner, IReadOnlyList<string> Assets,
    int? InherentLikelihood, int? InherentImpact, string? InherentLevel, string? Treatment,
    int? ResidualLikelihood, int? ResidualImpact, string? ResidualLevel, string? Status, DateOnly? NextReview,
    IReadOnlyList<ImportProblem> Errors);

/// <summary>
/// <c>samples</c> holds each column's first value; <c>mapping</c> is the mapping applied (column header → field key, null for columns left out);
/// <c>suggestedMapping</c> what Perennial guessed from the headers.
/// </summary>
public sealed record RiskImportPreviewDto(
    string FileName, int HeaderRow, IReadOnlyList<string> Columns, IReadOnlyList<string> Samples,
    IReadOnlyDictionary<string, string?> SuggestedMapping, IReadOnlyDictionary<string, string?> Mapping,
    IReadOnlyList<RiskImportFieldDto> Fields, int Rows, bool CanImport,
    IReadOnlyList<RiskPreviewRowDto> Preview, IReadOnlyList<ImportProblem> Errors);

public static class RiskImportApi
{
    public static RouteGroupBuilder MapRiskImportApi(this RouteGroupBuilder api)
    {
        var risks = api.MapGroup("/orgs/{org}/risks").WithTags("Risk register import and export");
        risks.MapPost("/import", Import).WithAccess(Access.OrgManager).DisableAntiforgery()
            .WithSummary("Import a risk register from XLSX or CSV (multipart field 'file'; optional field 'mapping': JSON object of column header → field). All or nothing.");
        risks.MapPost("/import/preview", Preview).WithAccess(Access.OrgManager).DisableAntiforgery()
            .WithSummary("Check a register file without importing: its columns, the suggested mapping, the first 20 rows as they would be imported, and every problem");
        risks.MapGet("/export.xlsx", Export).WithAccess(Access.OrgAuditor).WithSummary("The risk register as XLSX, in the columns auditors expect");
        risks.MapGet("/treatment-plan.xlsx", TreatmentPlan).WithAccess(Access.OrgAuditor).WithSummary("The open actions of the risk treatment plan as XLSX");
        return api;
    }

    private static async Task<Results<Ok<RiskImportDto>, ProblemHttpResult>> Import(
        IFormFile file, [FromForm] string? mapping, CurrentOrg currentOrg, RiskSpreadsheet spreadsheet, CancellationToken ct)
    {
        Uploads.Check(file, RiskSpreadsheet.MaxImportBytes);
        var parsed = ParseMapping(mapping);
        await using var stream = file.OpenReadStream();
        var result = await spreadsheet.ImportAsync(currentOrg.Id, file.FileName, stream, parsed, ct);
        return result.Succeeded
            ? TypedResults.Ok(new RiskImportDto(result.References.Count, result.References))
            : TypedResults.Problem(Uploads.Problem(file.FileName, result.Errors));
    }

    private static async Task<Ok<RiskImportPreviewDto>> Preview(
        IFormFile file, [FromForm] string? mapping, CurrentOrg currentOrg, RiskSpreadsheet spreadsheet, CancellationToken ct)
    {
        Uploads.Check(file, RiskSpreadsheet.MaxImportBytes);
        var parsed = ParseMapping(mapping);
        await using var stream = file.OpenReadStream();
        var analysis = await spreadsheet.AnalyseAsync(currentOrg.Id, file.FileName, stream, parsed, ct);
        return TypedResults.Ok(ToDto(analysis));
    }

    private static async Task<FileContentHttpResult> Export(CurrentOrg currentOrg, RiskSpreadsheet spreadsheet, TimeProvider time, CancellationToken ct)
    {
        using var buffer = new MemoryStream();
        await spreadsheet.ExportRegisterAsync(currentOrg.Id, currentOrg.Access.Name, buffer, ct);
        return TypedResults.File(buffer.ToArray(), Spreadsheets.XlsxContentType, $"risk-register-{currentOrg.Slug}-{time.GetUtcNow():yyyy-MM-dd}.xlsx");
    }

    private static async Task<FileContentHttpResult> TreatmentPlan(CurrentOrg currentOrg, RiskSpreadsheet spreadsheet, TimeProvider time, CancellationToken ct)
    {
        using var buffer = new MemoryStream();
        await spreadsheet.ExportTreatmentPlanAsync(currentOrg.Id, currentOrg.Access.Name, buffer, ct);
        return TypedResults.File(buffer.ToArray(), Spreadsheets.XlsxContentType, $"risk-treatment-plan-{currentOrg.Slug}-{time.GetUtcNow():yyyy-MM-dd}.xlsx");
    }

    /// <summary>The <c>mapping</c> form field: a JSON object of column header → field key (or label); null or "" leaves a column out.</summary>
    internal static IReadOnlyDictionary<string, string?>? ParseMapping(string? json)
    {
        if (string.IsNullOrWhiteSpace(json))
        {
            return null;
        }

        try
        {
            return JsonSerializer.Deserialize<Dictionary<string, string?>>(json)
                ?? throw UseCaseException.Invalid("mapping", "mapping must be a JSON object.");
        }
        catch (JsonException)
        {
            throw UseCaseException.Invalid("mapping", "mapping must be a JSON object of column header → field, e.g. {\"Risk title\": \"title\", \"Likelihood\": \"inherentLikelihood\"}.");
        }
    }

    internal static RiskImportPreviewDto ToDto(RiskImportAnalysis a)
    {
        ArgumentNullException.ThrowIfNull(a);
        return new RiskImportPreviewDto(a.FileName, a.HeaderRow, a.Columns, a.Samples, a.SuggestedMapping, a.Mapping,
            RiskSpreadsheet.Fields.Select(f => new RiskImportFieldDto(f.Key, f.Label, f.Required, f.Help)).ToList(),
            a.RowCount, a.CanImport,
            a.Preview.Select(p => new RiskPreviewRowDto(p.Row, p.Reference, p.Title, p.Owner, p.Assets,
                p.InherentLikelihood, p.InherentImpact, p.InherentLevel, p.Treatment?.ToString().ToLowerInvariant(),
                p.ResidualLikelihood, p.ResidualImpact, p.ResidualLevel, p.Status?.ToString().ToLowerInvariant(), p.NextReview,
                p.Errors.Select(e => new ImportProblem(e.Row, e.Column, e.Message)).ToList())).ToList(),
            a.Errors.Select(e => new ImportProblem(e.Row, e.Column, e.Message)).ToList());
    }
}

using System.ComponentModel.DataAnnotations;
using Microsoft.AspNetCore.Http.HttpResults;
using Perennial.Common;
using Perennial.Security;

namespace Perennial.Certification;

public sealed record FindingDto(Guid Id, string Kind, string Reference, string Description, string? ControlIdentifier, DateOnly? ClosureDeadline, DateOnly? ClosedOn);

public sealed record ExternalAuditDto(string Kind, string Name, DateOnly PlannedDate, DateOnly WindowStart, DateOnly WindowEnd, DateOnly? HeldOn, string? Auditors, string? Notes, IReadOnlyList<FindingDto> Findings);

public sealed record CycleDto(
    int Number, bool Current, string CertificationBody, string? CertificateNumber, string StandardVersion, DateOnly? Stage2AuditDate,
    DateOnly IssueDate, DateOnly ExpiryDate, int RecertificationLeadDays, IReadOnlyList<ExternalAuditDto> Audits,
    string? NextAudit, int? DaysToNextAudit);

public sealed record CertificateRequest(
    [property: Required, StringLength(200)] string CertificationBody,
    [property: StringLength(100)] string? CertificateNumber,
    [property: StringLength(100)] string? StandardVersion,
    DateOnly? Stage2AuditDate,
    [property: Required] DateOnly? IssueDate,
    DateOnly? ExpiryDate,
    [property: Range(0, 365)] int? RecertificationLeadDays);

public sealed record AuditPlanRequest(
    [property: Required] DateOnly? PlannedDate,
    [property: Required] DateOnly? WindowStart,
    [property: Required] DateOnly? WindowEnd,
    DateOnly? HeldOn,
    [property: StringLength(500)] string? Auditors,
    [property: StringLength(4000)] string? Notes);

public sealed record FindingRequest(
    [property: Required] string Kind,
    [property: Required, StringLength(50)] string Reference,
    [property: Required, StringLength(4000)] string Description,
    [property: StringLength(64)] string? ControlIdentifier,
    DateOnly? ClosureDeadline,
    DateOnly? ClosedOn);

public static class CycleApi
{
    public static RouteGroupBuilder MapCycleApi(this RouteGroupBuilder api)
    {
        var cycle = api.MapGroup("/orgs/{org}/cycle").WithTags("Certification cycle");
        cycle.MapGet("/", Current).WithAccess(Access.OrgAuditor).WithSummary("The certificate and its planned external audits");
        cycle.MapPut("/", SaveCertificate).WithAccess(Access.OrgManager).WithSummary("Record the certificate; the external audits are planned from it");
        cycle.MapPut("/audits/{kind}", UpdateAudit).WithAccess(Access.OrgManager).WithSummary("Move an audit or record that it was held (kind: surveillance-1, surveillance-2, recertification)");
        cycle.MapPost("/audits/{kind}/findings", AddFinding).WithAccess(Access.OrgManager);
        cycle.MapPut("/findings/{id:guid}", UpdateFinding).WithAccess(Access.OrgManager);
        cycle.MapPost("/next", StartNext).WithAccess(Access.OrgManager).WithSummary("After recertification, start the next cycle with the new certificate");
        api.MapGet("/orgs/{org}/cycles", History).WithAccess(Access.OrgAuditor).WithTags("Certification cycle").WithSummary("Every cycle, current first");
        return api;
    }

    private static async Task<Ok<CycleDto>> Current(CurrentOrg currentOrg, CycleService cycles, CancellationToken ct)
    {
        var cycle = await cycles.GetCurrentAsync(currentOrg.Id, ct) ?? throw UseCaseException.NotFound("No certificate has been recorded yet.");
        return TypedResults.Ok(ToDto(cycle, cycles));
    }

    private static async Task<Ok<IReadOnlyList<CycleDto>>> History(CurrentOrg currentOrg, CycleService cycles, CancellationToken ct) =>
        TypedResults.Ok((IReadOnlyList<CycleDto>)(await cycles.ListAsync(currentOrg.Id, ct)).Select(c => ToDto(c, cycles)).ToList());

    private static async Task<Ok<CycleDto>> SaveCertificate(CertificateRequest request, CurrentOrg currentOrg, CycleService cycles, CancellationToken ct)
    {
        var cycle = await cycles.SaveCertificateAsync(currentOrg.Id, ToInput(request), ct);
        return TypedResults.Ok(ToDto(cycle, cycles));
    }

    private static async Task<Ok<CycleDto>> StartNext(CertificateRequest request, CurrentOrg currentOrg, CycleService cycles, CancellationToken ct)
    {
        var cycle = await cycles.StartNextCycleAsync(currentOrg.Id, ToInput(request), ct);
        return TypedResults.Ok(ToDto(cycle, cycles));
    }

    private static async Task<Ok<ExternalAuditDto>> UpdateAudit(string kind, AuditPlanRequest request, CurrentOrg currentOrg, CycleService cycles, CancellationToken ct)
    {
        var audit = await cycles.UpdateAuditAsync(currentOrg.Id, ParseKind(kind),
            new AuditPlanInput(request.PlannedDate!.Value, request.WindowStart!.Value, request.WindowEnd!.Value, request.HeldOn, request.Auditors, request.Notes), ct);
        return TypedResults.Ok(ToDto(audit));
    }

    private static async Task<Created<FindingDto>> AddFinding(string kind, FindingRequest request, CurrentOrg currentOrg, CycleService cycles, CancellationToken ct)
    {
        var finding = await cycles.AddFindingAsync(currentOrg.Id, ParseKind(kind), ToInput(request), ct);
        return TypedResults.Created($"/api/v1/orgs/{currentOrg.Slug}/cycle/findings/{finding.Id}", ToDto(finding));
    }

    private static async Task<Ok<FindingDto>> UpdateFinding(Guid id, FindingRequest request, CurrentOrg currentOrg, CycleService cycles, CancellationToken ct) =>
        TypedResults.Ok(ToDto(await cycles.UpdateFindingAsync(currentOrg.Id, id, ToInput(request), ct)));

    private static ExternalAuditKind ParseKind(string kind) =>
        ExternalAuditKinds.TryParse(kind, out var parsed) ? parsed : throw UseCaseException.NotFound($"No external audit '{kind}'; use surveillance-1, surveillance-2 or recertification.");

    private static CertificateInput ToInput(CertificateRequest r) =>
        new(r.CertificationBody, r.CertificateNumber, r.StandardVersion, r.Stage2AuditDate, r.IssueDate!.Value, r.ExpiryDate, r.RecertificationLeadDays);

    private static FindingInput ToInput(FindingRequest r) =>
        new(FindingKinds.TryParse(r.Kind, out var kind) ? kind : throw UseCaseException.Invalid("kind", "kind must be one of major, minor, observation, improvement."),
            r.Reference, r.Description, r.ControlIdentifier, r.ClosureDeadline, r.ClosedOn);

    internal static CycleDto ToDto(CertificationCycle c, CycleService cycles)
    {
        var status = cycles.Status(c);
        return new CycleDto(c.Number, c.IsCurrent, c.CertificationBody, c.CertificateNumber, c.StandardVersion, c.Stage2AuditDate, c.IssueDate, c.ExpiryDate,
            c.RecertificationLeadDays, c.Audits.OrderBy(a => a.Kind).Select(ToDto).ToList(), status.NextAudit?.Kind.ToName(), status.DaysToNextAudit);
    }

    private static ExternalAuditDto ToDto(ExternalAudit a) =>
        new(a.Kind.ToName(), a.Kind.ToLabel(), a.PlannedDate, a.WindowStart, a.WindowEnd, a.HeldOn, a.Auditors, a.Notes, a.Findings.Select(ToDto).ToList());

    private static FindingDto ToDto(AuditFinding f) =>
        new(f.Id, f.Kind.ToName(), f.Reference, f.Description, f.ControlIdentifier, f.ClosureDeadline, f.ClosedOn);
}

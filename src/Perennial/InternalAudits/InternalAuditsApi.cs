using System.ComponentModel.DataAnnotations;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.EntityFrameworkCore;
using Perennial.Activities;
using Perennial.Common;
using Perennial.Data;
using Perennial.Hosting;
using Perennial.Nonconformities;
using Perennial.Security;

namespace Perennial.InternalAudits;

public sealed record ImpartialityOverrideRequest([property: Required] string? AuditorEmail, [property: Required, StringLength(InternalAudit.TextMaxLength)] string? Justification);

public sealed record PlanInternalAuditRequest(
    [property: Required, StringLength(InternalAudit.TitleMaxLength)] string? Title,
    int? Cycle,
    [property: Required] DateOnly? PlannedStart,
    DateOnly? PlannedEnd,
    [property: Required] string? LeadAuditorEmail,
    IReadOnlyList<string>? AuditorEmails,
    [property: StringLength(InternalAudit.TextMaxLength)] string? Criteria,
    [property: Required] IReadOnlyList<string>? Scope,
    IReadOnlyList<string>? Units,
    IReadOnlyList<ImpartialityOverrideRequest>? Overrides);

public sealed record ScopeItemDto(string Identifier, string Kind, string Title);

public sealed record AuditorDto(PersonDto Person, bool Lead, string? ConflictOverridden, string? OverrideJustification);

/// <summary>One checklist item of a started audit, with its result.</summary>
public sealed record ChecklistItemDto(string Identifier, string Kind, string? Result);

public sealed record InternalAuditDto(
    Guid Id, string Reference, string Title, int? Cycle, DateOnly PlannedStart, DateOnly PlannedEnd, string Status, PersonDto LeadAuditor,
    IReadOnlyList<AuditorDto> Auditors, string? Criteria, IReadOnlyList<string> Units, IReadOnlyList<ScopeItemDto> Scope, IReadOnlyList<ChecklistItemDto> Checklist);

public sealed record InternalAuditSummaryDto(
    Guid Id, string Reference, string Title, int? Cycle, DateOnly PlannedStart, DateOnly PlannedEnd, string Status, PersonDto LeadAuditor, int ScopeItems);

public sealed record CoverageItemDto(string Identifier, string Kind, string Title, IReadOnlyList<Guid> AuditIds);

public sealed record CoverageYearDto(int Year, DateOnly From, DateOnly To, int Covered, int Total, double Coverage);

public sealed record CoverageAuditDto(Guid Id, string Reference, string Title, DateOnly PlannedStart, string Status);

public sealed record CoverageDto(
    int? Cycle, DateOnly? CycleFrom, DateOnly? CycleTo, int? SoaVersion, double Coverage, int Covered, int Total,
    IReadOnlyList<CoverageItemDto> Items, IReadOnlyList<CoverageYearDto> Years, IReadOnlyList<CoverageAuditDto> Audits);

public static class InternalAuditsApi
{
    public static string Name(this InternalAuditStatus status) => status switch
    {
        InternalAuditStatus.Planned => "planned",
        InternalAuditStatus.InProgress => "in-progress",
        InternalAuditStatus.Reported => "reported",
        _ => "cancelled",
    };

    public static string Name(this ScopeItemKind kind) => kind == ScopeItemKind.Clause ? "clause" : "control";

    private static InternalAuditStatus ParseStatus(string text) =>
        Enum.GetValues<InternalAuditStatus>().FirstOrDefault(s => string.Equals(s.Name(), text.Trim(), StringComparison.OrdinalIgnoreCase)) is var s && s != default
            ? s
            : throw UseCaseException.Invalid("status", "status must be planned, in-progress, reported or cancelled.");

    public static RouteGroupBuilder MapInternalAuditsApi(this RouteGroupBuilder api)
    {
        var audits = api.MapGroup("/orgs/{org}/internal-audits").WithTags("Internal audits");
        audits.MapGet("/", List).WithAccess(Access.OrgAuditor).WithSummary("The internal audit programme, by planned start (?cycle=N, ?status=planned|in-progress|reported|cancelled)");
        audits.MapPost("/", Plan).WithAccess(Access.OrgManager)
            .WithSummary("Plan an internal audit (title, plannedStart, plannedEnd, leadAuditorEmail, auditorEmails, criteria, scope of clauses and controls, units, overrides); 409 when an auditor owns something in the scope");
        audits.MapGet("/coverage", Coverage).WithAccess(Access.OrgAuditor)
            .WithSummary("Every clause 4.1–10.2 and every control the published SoA marks applicable, with the audits of the cycle that cover it (?cycle=N)");
        audits.MapGet("/{id:guid}", Get).WithAccess(Access.OrgAuditor).WithSummary("One internal audit with its scope, auditors and checklist");
        return api;
    }

    private static async Task<Ok<PageDto<InternalAuditSummaryDto>>> List(int? cycle, string? status, int? page, int? pageSize, CurrentOrg currentOrg, InternalAuditService service, PerennialDbContext db, CancellationToken ct)
    {
        var rows = await service.ListAsync(currentOrg.Id, new InternalAuditQuery(cycle, status is null ? null : ParseStatus(status)), PagingApi.Read(page, pageSize), ct);
        var people = await PeopleAsync(db, rows.Items.Select(a => a.LeadAuditorUserId), ct);
        var cycles = await CycleNumbersAsync(db, currentOrg.Id, ct);
        return TypedResults.Ok(rows.ToDto(a => new InternalAuditSummaryDto(
            a.Id, a.Reference, a.Title, a.CycleId is { } c ? cycles.GetValueOrDefault(c) : null, a.PlannedStart, a.PlannedEnd, a.Status.Name(),
            people[a.LeadAuditorUserId], a.Scope.Count)));
    }

    private static async Task<Created<InternalAuditDto>> Plan(PlanInternalAuditRequest request, CurrentOrg currentOrg, CurrentUser user, InternalAuditService service, ActivityService activities, PerennialDbContext db, CancellationToken ct)
    {
        var lead = await activities.ResolveMemberAsync(currentOrg.Id, request.LeadAuditorEmail ?? "", "leadAuditorEmail", ct);
        var auditors = new List<Guid>();
        var given = request.AuditorEmails ?? [];
        for (var i = 0; i < given.Count; i++)
        {
            auditors.Add(await activities.ResolveMemberAsync(currentOrg.Id, given[i] ?? "", $"auditorEmails[{i}]", ct));
        }

        var overrides = new List<ImpartialityOverride>();
        var asked = request.Overrides ?? [];
        for (var i = 0; i < asked.Count; i++)
        {
            overrides.Add(new ImpartialityOverride(await activities.ResolveMemberAsync(currentOrg.Id, asked[i].AuditorEmail ?? "", $"overrides[{i}].auditorEmail", ct), asked[i].Justification));
        }

        var audit = await service.PlanAsync(currentOrg.Id, new InternalAuditActor(user.RequireId(), currentOrg.Role), new InternalAuditInput(
            request.Title, request.Cycle, request.PlannedStart, request.PlannedEnd, lead, auditors, request.Criteria, request.Scope, request.Units, overrides), ct);
        return TypedResults.Created($"/api/v1/orgs/{currentOrg.Slug}/internal-audits/{audit.Id}", await DtoAsync(audit, currentOrg.Id, db, ct));
    }

    private static async Task<Ok<InternalAuditDto>> Get(Guid id, CurrentOrg currentOrg, InternalAuditService service, PerennialDbContext db, CancellationToken ct) =>
        TypedResults.Ok(await DtoAsync(await service.GetAsync(currentOrg.Id, id, ct), currentOrg.Id, db, ct));

    private static async Task<Ok<CoverageDto>> Coverage(int? cycle, CurrentOrg currentOrg, InternalAuditCoverage coverage, CancellationToken ct)
    {
        var m = await coverage.ForCycleAsync(currentOrg.Id, cycle, ct);
        return TypedResults.Ok(new CoverageDto(
            m.CycleNumber, m.CycleFrom, m.CycleTo, m.SoaVersion, m.Coverage, m.Covered, m.Items.Count,
            [.. m.Items.Select(i => new CoverageItemDto(i.Identifier, i.Kind.Name(), i.Title, i.AuditIds))],
            [.. m.Years.Select(y => new CoverageYearDto(y.Year, y.From, y.To, y.Covered, y.Total, y.Coverage))],
            [.. m.Audits.Select(a => new CoverageAuditDto(a.Id, a.Reference, a.Title, a.PlannedStart, a.Status.Name()))]));
    }

    private static async Task<InternalAuditDto> DtoAsync(InternalAudit audit, Guid organisationId, PerennialDbContext db, CancellationToken ct)
    {
        var people = await PeopleAsync(db, audit.Auditors.Select(a => a.UserId).Append(audit.LeadAuditorUserId), ct);
        int? cycle = audit.CycleId is { } c ? await db.CertificationCycles.Where(x => x.Id == c && x.OrganisationId == organisationId).Select(x => (int?)x.Number).FirstOrDefaultAsync(ct) : null;
        return new InternalAuditDto(
            audit.Id, audit.Reference, audit.Title, cycle, audit.PlannedStart, audit.PlannedEnd, audit.Status.Name(), people[audit.LeadAuditorUserId],
            [.. audit.Auditors.OrderByDescending(a => a.IsLead).ThenBy(a => people[a.UserId].Name, StringComparer.Ordinal)
                .Select(a => new AuditorDto(people[a.UserId], a.IsLead, a.ConflictOverridden, a.OverrideJustification))],
            audit.Criteria, audit.Units,
            [.. audit.Scope.OrderBy(s => s.SortOrder).Select(s => new ScopeItemDto(s.Identifier, s.Kind.Name(), AuditableItems.ByIdentifier.TryGetValue(s.Identifier, out var i) ? i.Title : s.Identifier))],
            []);
    }

    private static async Task<Dictionary<Guid, PersonDto>> PeopleAsync(PerennialDbContext db, IEnumerable<Guid> ids, CancellationToken ct)
    {
        var wanted = ids.Distinct().ToList();
        return await db.Users.AsNoTracking().Where(u => wanted.Contains(u.Id)).ToDictionaryAsync(u => u.Id, u => new PersonDto(u.Id, u.Email, u.DisplayName), ct);
    }

    private static async Task<Dictionary<Guid, int?>> CycleNumbersAsync(PerennialDbContext db, Guid organisationId, CancellationToken ct) =>
        await db.CertificationCycles.AsNoTracking().Where(c => c.OrganisationId == organisationId).ToDictionaryAsync(c => c.Id, c => (int?)c.Number, ct);
}

using System.ComponentModel.DataAnnotations;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.EntityFrameworkCore;
using Perennial.Activities;
using Perennial.Common;
using Perennial.Data;
using Perennial.Hosting;
using Perennial.Nonconformities;
using Perennial.Security;

namespace Perennial.Improvements;

public sealed record NewImprovementRequest(
    [property: Required, StringLength(Improvement.TitleMaxLength)] string? Title,
    [property: StringLength(Improvement.TextMaxLength)] string? Description,
    string? Source,
    [property: StringLength(50)] string? Identifier,
    string? OwnerEmail);

public sealed record DecisionRequest([property: Required] string? Decision, [property: StringLength(Improvement.TextMaxLength)] string? Reason, string? OwnerEmail);

public sealed record ImprovementDto(
    Guid Id, string Reference, string Title, string? Description, string Source, string? Identifier, Guid? InternalAuditId, PersonDto? Owner,
    DateTimeOffset RaisedAt, string? Decision, string? DecisionReason, DateTimeOffset? DecidedAt, string Status, DateOnly? DoneOn);

public static class ImprovementsApi
{
    public static string Name(this ImprovementSource source) => source switch
    {
        ImprovementSource.InternalAudit => "internal-audit",
        ImprovementSource.ManagementReview => "management-review",
        ImprovementSource.CertificationBody => "certification-body",
        _ => "staff",
    };

    public static string Name(this ImprovementStatus status) => status switch
    {
        ImprovementStatus.Open => "open",
        ImprovementStatus.InProgress => "in-progress",
        ImprovementStatus.Done => "done",
        _ => "rejected",
    };

    public static RouteGroupBuilder MapImprovementsApi(this RouteGroupBuilder api)
    {
        var group = api.MapGroup("/orgs/{org}/improvements").WithTags("Improvements");
        group.MapGet("/", List).WithAccess(Access.OrgAuditor).WithSummary("The improvement register, newest first (?status=open|in-progress|done|rejected)");
        group.MapPost("/", Add).WithAccess(Access.OrgContributor).WithSummary("Propose an opportunity for improvement (title, description, source staff|management-review|certification-body, identifier, ownerEmail)");
        group.MapPost("/{id:guid}/decision", Decide).WithAccess(Access.OrgManager).WithSummary("Adopt it (decision adopted, ownerEmail) or reject it with a reason");
        group.MapPost("/{id:guid}/done", Done).WithAccess(Access.OrgContributor).WithSummary("Mark an adopted opportunity carried out");
        return api;
    }

    private static async Task<Ok<PageDto<ImprovementDto>>> List(string? status, int? page, int? pageSize, CurrentOrg currentOrg, ImprovementRegister register, PerennialDbContext db, CancellationToken ct)
    {
        ImprovementStatus? wanted = status is null ? null
            : Enum.GetValues<ImprovementStatus>().FirstOrDefault(s => string.Equals(s.Name(), status.Trim(), StringComparison.OrdinalIgnoreCase)) is var s && s != default ? s
            : throw UseCaseException.Invalid("status", "status must be open, in-progress, done or rejected.");
        var rows = await register.ListAsync(currentOrg.Id, wanted, PagingApi.Read(page, pageSize), ct);
        var people = await PeopleAsync(db, rows.Items.Select(i => i.OwnerUserId), ct);
        return TypedResults.Ok(rows.ToDto(i => Dto(i, people)));
    }

    private static async Task<Created<ImprovementDto>> Add(NewImprovementRequest request, CurrentOrg currentOrg, CurrentUser user, ImprovementRegister register, ActivityService activities, PerennialDbContext db, CancellationToken ct)
    {
        var source = (request.Source ?? "staff").Trim().ToLowerInvariant() switch
        {
            "staff" or "" => ImprovementSource.Staff,
            "management-review" => ImprovementSource.ManagementReview,
            "certification-body" => ImprovementSource.CertificationBody,
            _ => throw UseCaseException.Invalid("source", "source must be staff, management-review or certification-body (internal audits add theirs from their results)."),
        };
        var owner = request.OwnerEmail is null ? (Guid?)null : await activities.ResolveMemberAsync(currentOrg.Id, request.OwnerEmail, "ownerEmail", ct);
        var improvement = await register.AddAsync(currentOrg.Id, user.RequireId(), new NewImprovement(request.Title, request.Description, source, request.Identifier, owner), ct);
        return TypedResults.Created($"/api/v1/orgs/{currentOrg.Slug}/improvements/{improvement.Id}", Dto(improvement, await PeopleAsync(db, [improvement.OwnerUserId], ct)));
    }

    private static async Task<Ok<ImprovementDto>> Decide(Guid id, DecisionRequest request, CurrentOrg currentOrg, CurrentUser user, ImprovementRegister register, ActivityService activities, PerennialDbContext db, CancellationToken ct)
    {
        var decision = (request.Decision ?? "").Trim().ToLowerInvariant() switch
        {
            "adopted" => ImprovementDecision.Adopted,
            "rejected" => ImprovementDecision.Rejected,
            _ => throw UseCaseException.Invalid("decision", "decision must be adopted or rejected."),
        };
        var owner = request.OwnerEmail is null ? (Guid?)null : await activities.ResolveMemberAsync(currentOrg.Id, request.OwnerEmail, "ownerEmail", ct);
        var improvement = await register.DecideAsync(currentOrg.Id, id, user.RequireId(), decision, request.Reason, owner, ct);
        return TypedResults.Ok(Dto(improvement, await PeopleAsync(db, [improvement.OwnerUserId], ct)));
    }

    private static async Task<Ok<ImprovementDto>> Done(Guid id, CurrentOrg currentOrg, ImprovementRegister register, PerennialDbContext db, CancellationToken ct)
    {
        var improvement = await register.CompleteAsync(currentOrg.Id, id, ct);
        return TypedResults.Ok(Dto(improvement, await PeopleAsync(db, [improvement.OwnerUserId], ct)));
    }

    private static ImprovementDto Dto(Improvement i, Dictionary<Guid, PersonDto> people) => new(
        i.Id, i.Reference, i.Title, i.Description, i.Source.Name(), i.Identifier, i.InternalAuditId,
        i.OwnerUserId is { } o && people.TryGetValue(o, out var p) ? p : null,
        i.RaisedAt, i.Decision?.ToString().ToLowerInvariant(), i.DecisionReason, i.DecidedAt, i.Status.Name(), i.DoneOn);

    private static async Task<Dictionary<Guid, PersonDto>> PeopleAsync(PerennialDbContext db, IEnumerable<Guid?> ids, CancellationToken ct)
    {
        var wanted = ids.OfType<Guid>().Distinct().ToList();
        return await db.Users.AsNoTracking().Where(u => wanted.Contains(u.Id)).ToDictionaryAsync(u => u.Id, u => new PersonDto(u.Id, u.Email, u.DisplayName), ct);
    }
}

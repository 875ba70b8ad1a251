using System.ComponentModel.DataAnnotations;
using Microsoft.AspNetCore.Http.HttpResults;
using Perennial.Activities;
using Perennial.Common;
using Perennial.Data;
using Perennial.Hosting;
using Perennial.Nonconformities;
using Perennial.Security;

namespace Perennial.OrganisationContext;

public sealed record RequirementRequest([property: StringLength(ContextRequirement.TextMaxLength)] string? Text, bool Addressed, [property: StringLength(ContextRequirement.TextMaxLength)] string? How);

public sealed record ContextEntryRequest(
    string? Kind,
    [property: Required, StringLength(ContextEntry.TitleMaxLength)] string? Title,
    [property: StringLength(ContextEntry.TextMaxLength)] string? Description,
    [property: StringLength(ContextEntry.CategoryMaxLength)] string? Category,
    bool? ClimateChange,
    bool? Relevant,
    string? OwnerEmail,
    int? ReviewIntervalMonths,
    IReadOnlyList<RequirementRequest>? Requirements,
    [property: StringLength(ContextEntry.TextMaxLength)] string? Note);

public sealed record ContextNoteRequest([property: StringLength(ContextEntry.TextMaxLength)] string? Note);

public sealed record ContextRetireRequest([property: StringLength(ContextEntry.TextMaxLength)] string? Reason);

public sealed record RequirementDto(string Text, bool Addressed, string? How);

public sealed record ContextEntryDto(
    Guid Id, string Reference, string Kind, string Title, string? Description, string? Category, bool ClimateChange, bool Relevant,
    PersonDto? Owner, int ReviewIntervalMonths, DateOnly? LastReviewedOn, DateOnly NextReviewOn, bool ReviewDue, string Status, int Revision,
    DateTimeOffset CreatedAt, DateTimeOffset UpdatedAt, IReadOnlyList<RequirementDto> Requirements);

public sealed record ContextRevisionDto(int Number, DateTimeOffset At, string Author, string Reason, string Title, System.Text.Json.JsonElement Snapshot);

public sealed record ContextChangeDto(Guid EntryId, string Reference, string Kind, string Title, int Revision, DateTimeOffset At, string Author, string Reason);

public sealed record ContextChangesDto(DateTimeOffset From, DateTimeOffset To, IReadOnlyList<ContextChangeDto> Changes);

public sealed record ClimateDto(string Assessment, IReadOnlyList<string> References);

public static class ContextApi
{
    public static RouteGroupBuilder MapContextApi(this RouteGroupBuilder api)
    {
        var group = api.MapGroup("/orgs/{org}/context").WithTags("Context of the organisation");
        group.MapGet("/", List).WithAccess(Access.OrgAuditor)
            .WithSummary("Issues and interested parties (?kind=internal-issue|external-issue|interested-party, ?status=active|retired|all, ?owner=e-mail, ?due=true, ?q=), paged");
        group.MapPost("/", Create).WithAccess(Access.OrgManager)
            .WithSummary("Add an issue or interested party (kind, title, description, category, climateChange, relevant, ownerEmail, reviewIntervalMonths, requirements [{ text, addressed, how }])");
        group.MapGet("/changes", Changes).WithAccess(Access.OrgAuditor).WithSummary("Every revision written after 'from' up to 'to' (instants; to defaults to now)");
        group.MapGet("/climate", Climate).WithAccess(Access.OrgAuditor).WithSummary("Whether climate change is assessed as a relevant issue: not-assessed, relevant or not-relevant");
        group.MapGet("/{id:guid}", Get).WithAccess(Access.OrgAuditor).WithSummary("One entry");
        group.MapGet("/{id:guid}/revisions", Revisions).WithAccess(Access.OrgAuditor).WithSummary("Every revision of an entry, newest first, with its snapshot");
        group.MapPut("/{id:guid}", Update).WithAccess(Access.OrgManager).WithSummary("Change an entry (the same fields; its kind stays; note says why)");
        group.MapPost("/{id:guid}/review", Review).WithAccess(Access.OrgContributor).WithSummary("The owner or a manager confirms the entry still holds; the next review moves one interval on");
        group.MapPost("/{id:guid}/retire", Retire).WithAccess(Access.OrgManager).WithSummary("Retire an entry with a reason; it stays with its history");
        return api;
    }

    private static async Task<Ok<PageDto<ContextEntryDto>>> List(
        string? kind, string? status, string? owner, bool? due, string? q, int? page, int? pageSize, CurrentOrg currentOrg, ContextRegister register, ActivityService activities, PerennialDbContext db, TimeProvider time, CancellationToken ct)
    {
        var wantedKind = kind is null ? (ContextKind?)null : ContextNames.Parse(kind) ?? throw UseCaseException.Invalid("kind", "kind must be internal-issue, external-issue or interested-party.");
        ContextStatus? wantedStatus = (status ?? "active").Trim().ToLowerInvariant() switch
        {
            "active" => ContextStatus.Active,
            "retired" => ContextStatus.Retired,
            "all" => null,
            _ => throw UseCaseException.Invalid("status", "status must be active, retired or all."),
        };
        var ownerId = owner is null ? (Guid?)null : await activities.ResolveMemberAsync(currentOrg.Id, owner, "owner", ct);
        var rows = await register.ListAsync(currentOrg.Id, new ContextQuery(wantedKind, wantedStatus, ownerId, due == true, q), PagingApi.Read(page, pageSize), ct);
        var people = await People.ByIdAsync(db, rows.Items.Select(e => e.OwnerUserId), ct);
        var today = Today(time);
        return TypedResults.Ok(rows.ToDto(e => Dto(e, people, today)));
    }

    private static async Task<Ok<ContextEntryDto>> Get(Guid id, CurrentOrg currentOrg, ContextRegister register, PerennialDbContext db, TimeProvider time, CancellationToken ct) =>
        TypedResults.Ok(await DtoAsync(await register.GetAsync(currentOrg.Id, id, ct), db, time, ct));

    private static async Task<Created<ContextEntryDto>> Create(
        ContextEntryRequest request, CurrentOrg currentOrg, CurrentUser user, ContextRegister register, ActivityService activities, PerennialDbContext db, TimeProvider time, CancellationToken ct)
    {
        var kind = ContextNames.Parse(request.Kind) ?? throw UseCaseException.Invalid("kind", "kind must be internal-issue, external-issue or interested-party.");
        var entry = await register.CreateAsync(currentOrg.Id, Actor(currentOrg, user), await InputAsync(request, kind, currentOrg, activities, ct), ct);
        return TypedResults.Created($"/api/v1/orgs/{currentOrg.Slug}/context/{entry.Id}", await DtoAsync(entry, db, time, ct));
    }

    private static async Task<Ok<ContextEntryDto>> Update(
        Guid id, ContextEntryRequest request, CurrentOrg currentOrg, CurrentUser user, ContextRegister register, ActivityService activities, PerennialDbContext db, TimeProvider time, CancellationToken ct)
    {
        var kind = request.Kind is null ? (ContextKind?)null : ContextNames.Parse(request.Kind) ?? throw UseCaseException.Invalid("kind", "kind must be internal-issue, external-issue or interested-party.");
        var entry = await register.UpdateAsync(currentOrg.Id, id, Actor(currentOrg, user), await InputAsync(request, kind, currentOrg, activities, ct), request.Note, ct);
        return TypedResults.Ok(await DtoAsync(entry, db, time, ct));
    }

    private static async Task<Ok<ContextEntryDto>> Review(Guid id, ContextNoteRequest? request, CurrentOrg currentOrg, CurrentUser user, ContextRegister register, PerennialDbContext db, TimeProvider time, CancellationToken ct) =>
        TypedResults.Ok(await DtoAsync(await register.ReviewAsync(currentOrg.Id, id, Actor(currentOrg, user), request?.Note, ct), db, time, ct));

    private static async Task<Ok<ContextEntryDto>> Retire(Guid id, ContextRetireRequest? request, CurrentOrg currentOrg, CurrentUser user, ContextRegister register, PerennialDbContext db, TimeProvider time, CancellationToken ct) =>
        TypedResults.Ok(await DtoAsync(await register.RetireAsync(currentOrg.Id, id, Actor(currentOrg, user), request?.Reason, ct), db, time, ct));

    private static async Task<Ok<IReadOnlyList<ContextRevisionDto>>> Revisions(Guid id, CurrentOrg currentOrg, ContextRegister register, CancellationToken ct)
    {
        await register.GetAsync(currentOrg.Id, id, ct);
        var rows = await register.RevisionsAsync(currentOrg.Id, id, ct);
        return TypedResults.Ok<IReadOnlyList<ContextRevisionDto>>([.. rows.Select(r =>
        {
            using var snapshot = System.Text.Json.JsonDocument.Parse(r.SnapshotJson);
            return new ContextRevisionDto(r.Number, r.At, r.Author, r.Reason, r.Title, snapshot.RootElement.Clone());
        })]);
    }

    private static async Task<Ok<ContextChangesDto>> Changes(DateTimeOffset? from, DateTimeOffset? to, CurrentOrg currentOrg, ContextRegister register, TimeProvider time, CancellationToken ct)
    {
        var start = from ?? throw UseCaseException.Invalid("from", "from is required: the instant after which changes are listed (ISO 8601).");
        var end = to ?? time.GetUtcNow();
        var changes = await register.ChangesAsync(currentOrg.Id, start, end, ct);
        return TypedResults.Ok(new ContextChangesDto(start, end,
            [.. changes.Select(c => new ContextChangeDto(c.EntryId, c.Reference, ContextNames.Name(c.Kind), c.Title, c.Number, c.At, c.Author, c.Reason))]));
    }

    private static async Task<Ok<ClimateDto>> Climate(CurrentOrg currentOrg, ContextRegister register, CancellationToken ct)
    {
        var (assessment, references) = await register.ClimateAsync(currentOrg.Id, ct);
        return TypedResults.Ok(new ClimateDto(assessment switch
        {
            ClimateAssessment.Relevant => "relevant",
            ClimateAssessment.NotRelevant => "not-relevant",
            _ => "not-assessed",
        }, references));
    }

    private static async Task<ContextInput> InputAsync(ContextEntryRequest request, ContextKind? kind, CurrentOrg currentOrg, ActivityService activities, CancellationToken ct)
    {
        var owner = request.OwnerEmail is null ? (Guid?)null : await activities.ResolveMemberAsync(currentOrg.Id, request.OwnerEmail, "ownerEmail", ct);
        return new ContextInput(kind, request.Title, request.Description, request.Category, request.ClimateChange ?? false, request.Relevant ?? true, owner,
            request.ReviewIntervalMonths, request.Requirements?.Select(r => r is null ? null! : new RequirementInput(r.Text, r.Addressed, r.How)).ToList());
    }

    private static ContextActor Actor(CurrentOrg org, CurrentUser user) => new(user.RequireId(), user.DisplayName, org.Role);

    private static DateOnly Today(TimeProvider time) => DateOnly.FromDateTime(time.GetUtcNow().UtcDateTime);

    private static async Task<ContextEntryDto> DtoAsync(ContextEntry entry, PerennialDbContext db, TimeProvider time, CancellationToken ct) =>
        Dto(entry, await People.ByIdAsync(db, [entry.OwnerUserId], ct), Today(time));

    private static ContextEntryDto Dto(ContextEntry e, Dictionary<Guid, PersonDto> people, DateOnly today) => new(
        e.Id, e.Reference, ContextNames.Name(e.Kind), e.Title, e.Description, e.Category, e.ClimateChange, e.Relevant,
        people.GetValueOrDefault(e.OwnerUserId), e.ReviewIntervalMonths, e.LastReviewedOn, e.NextReviewOn,
        e.Status == ContextStatus.Active && e.NextReviewOn <= today, e.Status == ContextStatus.Active ? "active" : "retired", e.Revision,
        e.CreatedAt, e.UpdatedAt, [.. e.Requirements.OrderBy(r => r.SortOrder).Select(r => new RequirementDto(r.Text, r.Addressed, r.How))]);
}

using System.ComponentModel.DataAnnotations;
using Microsoft.AspNetCore.Http.HttpResults;
using Perennial.Activities;
using Perennial.Common;
using Perennial.Data;
using Perennial.Hosting;
using Perennial.Nonconformities;
using Perennial.Security;

namespace Perennial.Measurement;

public sealed record MeasureRequest(
    [property: Required, StringLength(Measure.NameMaxLength)] string? Name,
    [property: StringLength(Measure.TextMaxLength)] string? Description,
    [property: StringLength(Measure.TextMaxLength)] string? Method,
    string? Frequency,
    string? AnalystEmail,
    [property: StringLength(Measure.UnitMaxLength)] string? Unit,
    string? Direction,
    double? Target,
    double? Threshold,
    bool? Active);

public sealed record ValueRequest(DateOnly? On, double? Value, [property: StringLength(MeasureValue.NoteMaxLength)] string? Note);

/// <summary>One value (on, value, note) or several (values: [...]).</summary>
public sealed record ValuesRequest(DateOnly? On, double? Value, [property: StringLength(MeasureValue.NoteMaxLength)] string? Note, IReadOnlyList<ValueRequest>? Values);

public sealed record ObjectiveRequest(
    [property: Required, StringLength(Objective.TitleMaxLength)] string? Title,
    [property: StringLength(Objective.TextMaxLength)] string? Description,
    string? OwnerEmail,
    Guid? MeasureId,
    double? Target,
    DateOnly? DueOn,
    string? Status,
    [property: StringLength(Objective.TextMaxLength)] string? StatusNote);

public sealed record MeasureValueDto(DateOnly On, double? Value, string? Detail, string Source, DateTimeOffset RecordedAt, string? Note);

public sealed record MeasureDto(
    Guid Id, string Reference, string? Key, bool BuiltIn, string Name, string? Description, string? Method, string Frequency, PersonDto? Analyst,
    string Unit, string Direction, double? Target, double? Threshold, bool Active, MeasureValueDto? Latest, string Rating);

public sealed record MeasureValuesDto(Guid MeasureId, string Reference, DateOnly From, DateOnly To, IReadOnlyList<MeasureValueDto> Values);

public sealed record MeasureRefDto(Guid Id, string Reference, string Name, string Unit);

public sealed record ObjectiveDto(
    Guid Id, string Reference, string Title, string? Description, PersonDto? Owner, MeasureRefDto? Measure, double? Target, DateOnly DueOn,
    string Status, string? StatusNote, MeasureValueDto? Latest, string Rating, bool Overdue, DateTimeOffset CreatedAt, DateTimeOffset UpdatedAt);

public sealed record RecomputeDto(DateOnly Day, int Measures);

/// <summary>Measures (9.1) with their time series and charts, and security objectives (6.2).</summary>
public static class MeasuresApi
{
    public static RouteGroupBuilder MapMeasuresApi(this RouteGroupBuilder api)
    {
        var measures = api.MapGroup("/orgs/{org}/measures").WithTags("Measures");
        measures.MapGet("/", List).WithAccess(Access.OrgAuditor).WithSummary("The measures, built-in and entered, each with its newest value and how it reads against the target (?all=true includes inactive ones), paged");
        measures.MapPost("/", Create).WithAccess(Access.OrgManager)
            .WithSummary("Define a measure whose values are entered or pushed (name, description, method, frequency, analystEmail, unit, direction, target, threshold)");
        measures.MapPost("/recompute", Recompute).WithAccess(Access.OrgManager).WithSummary("Compute the built-in measures for ?day= (default today) now");
        measures.MapGet("/{id:guid}", Get).WithAccess(Access.OrgAuditor).WithSummary("One measure");
        measures.MapPut("/{id:guid}", Update).WithAccess(Access.OrgManager).WithSummary("Change a measure (a built-in one keeps its key, method, unit and direction)");
        measures.MapGet("/{id:guid}/values", Values).WithAccess(Access.OrgAuditor).WithSummary("The values from ?from= to ?to= (days, inclusive; default the last year), oldest first");
        measures.MapPost("/{id:guid}/values", Record).WithAccess(Access.OrgContributor)
            .WithSummary("Record a value (on, value, note) or several (values: [...]), all or none; a day already recorded is replaced. The analyst or a manager.");
        measures.MapGet("/{id:guid}/chart.svg", Chart).WithAccess(Access.OrgAuditor).WithSummary("The trend against the target as an SVG image (?from=&to=)");

        var objectives = api.MapGroup("/orgs/{org}/objectives").WithTags("Objectives");
        objectives.MapGet("/", Objectives).WithAccess(Access.OrgAuditor).WithSummary("Security objectives with their measure's newest value against the target (?status=active|achieved|not-achieved|withdrawn)");
        objectives.MapPost("/", CreateObjective).WithAccess(Access.OrgManager)
            .WithSummary("Set an objective (title, description, ownerEmail, measureId, target, dueOn, status, statusNote)");
        objectives.MapGet("/{id:guid}", GetObjective).WithAccess(Access.OrgAuditor).WithSummary("One objective");
        objectives.MapPut("/{id:guid}", UpdateObjective).WithAccess(Access.OrgManager).WithSummary("Change an objective, or record it achieved, not achieved or withdrawn");
        return api;
    }

    private static async Task<Ok<PageDto<MeasureDto>>> List(bool? all, int? page, int? pageSize, CurrentOrg currentOrg, MeasureService service, PerennialDbContext db, CancellationToken ct)
    {
        var request = PagingApi.Read(page, pageSize);
        var rows = await service.ListAsync(currentOrg.Id, all == true, ct);
        var people = await People.ByIdAsync(db, rows.Select(r => r.Measure.AnalystUserId).OfType<Guid>(), ct);
        var items = rows.Skip(request.Skip).Take(request.PageSize).Select(r => Dto(r, people)).ToList();
        return TypedResults.Ok(new PageDto<MeasureDto>(items, request.Page, request.PageSize, rows.Count));
    }

    private static async Task<Ok<MeasureDto>> Get(Guid id, CurrentOrg currentOrg, MeasureService service, PerennialDbContext db, CancellationToken ct) =>
        TypedResults.Ok(await DtoAsync(currentOrg, id, service, db, ct));

    private static async Task<Created<MeasureDto>> Create(MeasureRequest request, CurrentOrg currentOrg, CurrentUser user, MeasureService service, ActivityService activities, PerennialDbContext db, CancellationToken ct)
    {
        var measure = await service.CreateAsync(currentOrg.Id, Actor(currentOrg, user), await InputAsync(request, currentOrg, activities, ct), ct);
        return TypedResults.Created($"/api/v1/orgs/{currentOrg.Slug}/measures/{measure.Id}", await DtoAsync(currentOrg, measure.Id, service, db, ct));
    }

    private static async Task<Ok<MeasureDto>> Update(Guid id, MeasureRequest request, CurrentOrg currentOrg, CurrentUser user, MeasureService service, ActivityService activities, PerennialDbContext db, CancellationToken ct)
    {
        await service.UpdateAsync(currentOrg.Id, id, Actor(currentOrg, user), await InputAsync(request, currentOrg, activities, ct), ct);
        return TypedResults.Ok(await DtoAsync(currentOrg, id, service, db, ct));
    }

    private static async Task<Ok<MeasureValuesDto>> Values(Guid id, DateOnly? from, DateOnly? to, CurrentOrg currentOrg, MeasureService service, TimeProvider time, CancellationToken ct)
    {
        var (start, end) = Range(from, to, time);
        var measure = await service.GetAsync(currentOrg.Id, id, ct);
        var values = await service.ValuesAsync(currentOrg.Id, id, start, end, ct);
        return TypedResults.Ok(new MeasureValuesDto(id, measure.Reference, start, end, [.. values.Select(ValueDto)]));
    }

    private static async Task<Created<MeasureValuesDto>> Record(Guid id, ValuesRequest request, CurrentOrg currentOrg, CurrentUser user, MeasureService service, CancellationToken ct)
    {
        if (request.Values is not null && (request.Value is not null || request.On is not null))
        {
            throw UseCaseException.Invalid("values", "Send either one value (on, value, note) or a list (values), not both.");
        }

        IReadOnlyList<ValueInput> inputs = request.Values is { } many
            ? [.. many.Select(v => v is null ? null! : new ValueInput(v.On, v.Value, v.Note))]
            : [new ValueInput(request.On, request.Value, request.Note)];
        var written = await service.RecordAsync(currentOrg.Id, id, Actor(currentOrg, user), inputs, ct);
        var measure = await service.GetAsync(currentOrg.Id, id, ct);
        return TypedResults.Created($"/api/v1/orgs/{currentOrg.Slug}/measures/{id}/values",
            new MeasureValuesDto(id, measure.Reference, written[0].On, written[^1].On, [.. written.Select(ValueDto)]));
    }

    private static async Task<IResult> Chart(Guid id, DateOnly? from, DateOnly? to, CurrentOrg currentOrg, MeasureService service, TimeProvider time, CancellationToken ct)
    {
        var (start, end) = Range(from, to, time);
        var measure = await service.GetAsync(currentOrg.Id, id, ct);
        var values = await service.ValuesAsync(currentOrg.Id, id, start, end, ct);
        var svg = TrendChart.Render($"{measure.Reference} {measure.Name}", measure.Unit, [.. values.Select(v => new ChartPoint(v.On, v.Value))], measure.Target, measure.Threshold);
        return Results.Text(svg, "image/svg+xml", System.Text.Encoding.UTF8);
    }

    private static async Task<Ok<RecomputeDto>> Recompute(DateOnly? day, CurrentOrg currentOrg, MeasureService service, TimeProvider time, CancellationToken ct)
    {
        var today = DateOnly.FromDateTime(time.GetUtcNow().UtcDateTime);
        var on = day ?? today;
        if (on > today)
        {
            throw UseCaseException.Invalid("day", "Measures are computed for a day that has come.");
        }

        return TypedResults.Ok(new RecomputeDto(on, await service.RecomputeAsync(currentOrg.Id, on, ct)));
    }

    private static async Task<Ok<IReadOnlyList<ObjectiveDto>>> Objectives(string? status, CurrentOrg currentOrg, ObjectiveService service, PerennialDbContext db, CancellationToken ct)
    {
        var wanted = status is null ? (ObjectiveStatus?)null : MeasureNames.ParseStatus(status) ?? throw UseCaseException.Invalid("status", "status must be active, achieved, not-achieved or withdrawn.");
        var rows = await service.ListAsync(currentOrg.Id, wanted, ct);
        var people = await People.ByIdAsync(db, rows.Select(r => r.Objective.OwnerUserId), ct);
        return TypedResults.Ok<IReadOnlyList<ObjectiveDto>>([.. rows.Select(r => ObjectiveDto(r, people))]);
    }

    private static async Task<Ok<ObjectiveDto>> GetObjective(Guid id, CurrentOrg currentOrg, ObjectiveService service, PerennialDbContext db, CancellationToken ct) =>
        TypedResults.Ok(await ObjectiveDtoAsync(currentOrg, id, service, db, ct));

    private static async Task<Created<ObjectiveDto>> CreateObjective(ObjectiveRequest request, CurrentOrg currentOrg, CurrentUser user, ObjectiveService service, ActivityService activities, PerennialDbContext db, CancellationToken ct)
    {
        var objective = await service.CreateAsync(currentOrg.Id, Actor(currentOrg, user), await ObjectiveInputAsync(request, currentOrg, activities, ct), ct);
        return TypedResults.Created($"/api/v1/orgs/{currentOrg.Slug}/objectives/{objective.Id}", await ObjectiveDtoAsync(currentOrg, objective.Id, service, db, ct));
    }

    private static async Task<Ok<ObjectiveDto>> UpdateObjective(Guid id, ObjectiveRequest request, CurrentOrg currentOrg, CurrentUser user, ObjectiveService service, ActivityService activities, PerennialDbContext db, CancellationToken ct)
    {
        await service.UpdateAsync(currentOrg.Id, id, Actor(currentOrg, user), await ObjectiveInputAsync(request, currentOrg, activities, ct), ct);
        return TypedResults.Ok(await ObjectiveDtoAsync(currentOrg, id, service, db, ct));
    }

    private static (DateOnly From, DateOnly To) Range(DateOnly? from, DateOnly? to, TimeProvider time)
    {
        var end = to ?? DateOnly.FromDateTime(time.GetUtcNow().UtcDateTime);
        return (from ?? end.AddYears(-1), end);
    }

    private static async Task<MeasureInput> InputAsync(MeasureRequest request, CurrentOrg currentOrg, ActivityService activities, CancellationToken ct)
    {
        var frequency = request.Frequency is null ? (MeasureFrequency?)null
            : MeasureNames.ParseFrequency(request.Frequency) ?? throw UseCaseException.Invalid("frequency", "frequency must be weekly, monthly, quarterly or yearly.");
        var direction = request.Direction is null ? (MeasureDirection?)null
            : MeasureNames.ParseDirection(request.Direction) ?? throw UseCaseException.Invalid("direction", "direction must be higher-is-better or lower-is-better.");
        var analyst = string.IsNullOrWhiteSpace(request.AnalystEmail) ? (Guid?)null : await activities.ResolveMemberAsync(currentOrg.Id, request.AnalystEmail, "analystEmail", ct);
        return new MeasureInput(request.Name, request.Description, request.Method, frequency, analyst, request.Unit, direction, request.Target, request.Threshold, request.Active ?? true);
    }

    private static async Task<ObjectiveInput> ObjectiveInputAsync(ObjectiveRequest request, CurrentOrg currentOrg, ActivityService activities, CancellationToken ct)
    {
        var status = request.Status is null ? (ObjectiveStatus?)null
            : MeasureNames.ParseStatus(request.Status) ?? throw UseCaseException.Invalid("status", "status must be active, achieved, not-achieved or withdrawn.");
        var owner = string.IsNullOrWhiteSpace(request.OwnerEmail) ? (Guid?)null : await activities.ResolveMemberAsync(currentOrg.Id, request.OwnerEmail, "ownerEmail", ct);
        return new ObjectiveInput(request.Title, request.Description, owner, request.MeasureId, request.Target, request.DueOn, status, request.StatusNote);
    }

    private static MeasureActor Actor(CurrentOrg org, CurrentUser user) => new(user.RequireId(), org.Role, user.TokenId);

    private static async Task<MeasureDto> DtoAsync(CurrentOrg currentOrg, Guid id, MeasureService service, PerennialDbContext db, CancellationToken ct)
    {
        var summary = await service.SummaryAsync(currentOrg.Id, id, ct);
        return Dto(summary, await People.ByIdAsync(db, summary.Measure.AnalystUserId is { } a ? [a] : [], ct));
    }

    private static MeasureDto Dto(MeasureSummary s, Dictionary<Guid, PersonDto> people)
    {
        var m = s.Measure;
        return new MeasureDto(m.Id, m.Reference, m.Key, m.IsBuiltIn, m.Name, m.Description, m.Method, MeasureNames.Name(m.Frequency),
            m.AnalystUserId is { } a ? people.GetValueOrDefault(a) : null, m.Unit, MeasureNames.Name(m.Direction), m.Target, m.Threshold, m.Active,
            s.Latest is null ? null : ValueDto(s.Latest), MeasureNames.Name(s.Rating));
    }

    private static MeasureValueDto ValueDto(MeasureValue v) => new(v.On, v.Value, v.Detail, MeasureNames.Name(v.Source), v.RecordedAt, v.Note);

    private static async Task<ObjectiveDto> ObjectiveDtoAsync(CurrentOrg currentOrg, Guid id, ObjectiveService service, PerennialDbContext db, CancellationToken ct)
    {
        var summary = await service.SummaryAsync(currentOrg.Id, id, ct);
        return ObjectiveDto(summary, await People.ByIdAsync(db, [summary.Objective.OwnerUserId], ct));
    }

    private static ObjectiveDto ObjectiveDto(ObjectiveSummary s, Dictionary<Guid, PersonDto> people)
    {
        var o = s.Objective;
        return new ObjectiveDto(o.Id, o.Reference, o.Title, o.Description, people.GetValueOrDefault(o.OwnerUserId),
            s.Measure is { } m ? new MeasureRefDto(m.Id, m.Reference, m.Name, m.Unit) : null, s.EffectiveTarget, o.DueOn, MeasureNames.Name(o.Status), o.StatusNote,
            s.Latest is null ? null : ValueDto(s.Latest), MeasureNames.Name(s.Rating), s.Overdue, o.CreatedAt, o.UpdatedAt);
    }
}

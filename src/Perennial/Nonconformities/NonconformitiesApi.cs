using System.ComponentModel.DataAnnotations;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.EntityFrameworkCore;
using Perennial.Activities;
using Perennial.Common;
using Perennial.Data;
using Perennial.Hosting;
using Perennial.Security;

namespace Perennial.Nonconformities;

public sealed record RaiseNonconformityRequest(
    [property: Required, StringLength(Nonconformity.TitleMaxLength)] string? Title,
    [property: StringLength(Nonconformity.TextMaxLength)] string? Description,
    [property: Required] string? Severity,
    string? Source,
    [property: StringLength(Nonconformity.IdentifierMaxLength)] string? Identifier,
    string? OwnerEmail,
    DateOnly? DueOn,
    IReadOnlyList<Guid>? RiskIds);

public sealed record ContainmentRequest([property: Required, StringLength(Nonconformity.TextMaxLength)] string? Containment, DateOnly? ContainedOn);

public sealed record WhyRequest([property: Required, StringLength(1000)] string? Why, [property: Required, StringLength(1000)] string? Because);

public sealed record RootCauseRequest(IReadOnlyList<WhyRequest>? Whys, [property: StringLength(Nonconformity.TextMaxLength)] string? RootCause, [property: StringLength(50)] string? CauseCategory);

public sealed record CorrectiveActionRequest([property: Required, StringLength(CorrectiveAction.TitleMaxLength)] string? Title, [property: Required] string? OwnerEmail, [property: Required] DateOnly? DueOn);

public sealed record PlanRequest([property: Required] IReadOnlyList<CorrectiveActionRequest>? Actions);

public sealed record ActionNoteRequest([property: StringLength(Nonconformity.TextMaxLength)] string? Note);

public sealed record EffectivenessCheckRequest([property: Required] string? Result, [property: StringLength(Nonconformity.TextMaxLength)] string? Notes, IReadOnlyList<Guid>? EvidenceIds);

public sealed record CloseRequest([property: StringLength(Nonconformity.TextMaxLength)] string? Justification);

public sealed record PersonDto(Guid Id, string? Email, string Name);

public sealed record CorrectiveActionDto(Guid Id, int Round, string Title, PersonDto? Owner, DateOnly DueOn, string Status, DateOnly? DoneOn, string? Note, bool Overdue);

public sealed record WhyDto(string Why, string Because);

public sealed record RoundDto(
    int Number, string? Method, IReadOnlyList<WhyDto> Whys, string? RootCause, string? CauseCategory, DateTimeOffset? AnalysedAt,
    DateOnly? ActionsDoneOn, DateOnly? CheckDueOn, string? CheckResult, string? CheckNotes, DateTimeOffset? CheckedAt, PersonDto? CheckedBy,
    IReadOnlyList<Guid> CheckEvidenceIds);

public sealed record NonconformityDto(
    Guid Id, string Reference, string Title, string? Description, string Source, string Severity, string? Identifier, string Status,
    PersonDto? Owner, string RaisedBy, DateTimeOffset RaisedAt, DateOnly? DueOn, bool Overdue, int AgeDays,
    string? Containment, DateOnly? ContainedOn, int CurrentRound, DateTimeOffset? ClosedAt, string? ClosureJustification,
    Guid? OccurrenceId, Guid? AuditFindingId, IReadOnlyList<Guid> RiskIds, IReadOnlyList<CorrectiveActionDto> Actions, IReadOnlyList<RoundDto> Rounds,
    Guid? InternalAuditId = null, Guid? ChecklistItemId = null, DateTimeOffset? RiskReviewRequestedAt = null);

public sealed record LinkRisksRequest([property: Required] IReadOnlyList<Guid>? RiskIds);

public sealed record RiskReviewDto(NonconformityDto Nonconformity, int RisksToReview);

public sealed record NonconformitySummaryDto(
    Guid Id, string Reference, string Title, string Source, string Severity, string? Identifier, string Status, PersonDto? Owner,
    DateTimeOffset RaisedAt, DateOnly? DueOn, bool Overdue, int AgeDays, int OpenActions, int OverdueActions, int Round, int Recurrences);

public sealed record RecurringMemberDto(Guid Id, string Reference, string Title, string Source, string Severity, string Status, DateTimeOffset RaisedAt, DateTimeOffset? ClosedAt);

public sealed record RecurringGroupDto(string Identifier, string? Title, int Count, int Open, IReadOnlyList<RecurringMemberDto> Nonconformities);

public sealed record RecurringDto(DateOnly From, DateOnly To, int? Cycle, IReadOnlyList<RecurringGroupDto> Items);

public static class NonconformitiesApi
{
    public static RouteGroupBuilder MapNonconformitiesApi(this RouteGroupBuilder api)
    {
        var ncs = api.MapGroup("/orgs/{org}/nonconformities").WithTags("Nonconformities");
        ncs.MapGet("/", List).WithAccess(Access.OrgAuditor)
            .WithSummary("The nonconformity log, newest first (?status=, ?source=, ?severity=, ?owner=, ?overdue=true)");
        ncs.MapGet("/recurring", Recurring).WithAccess(Access.OrgAuditor)
            .WithSummary("Clauses and controls with more than one nonconformity raised in the current certification cycle, most first");
        ncs.MapGet("/export.xlsx", Export).WithAccess(Access.OrgAuditor)
            .WithSummary("The log as an XLSX workbook, with the same filters as the list (?status=, ?source=, ?severity=, ?owner=, ?overdue=true)");
        ncs.MapPost("/", Raise).WithAccess(Access.OrgContributor).WithSummary("Raise a nonconformity (title, severity major|minor, source report|incident|management-review|internal-audit, identifier, ownerEmail, dueOn, riskIds)");
        ncs.MapGet("/{id:guid}", Get).WithAccess(Access.OrgAuditor).WithSummary("One nonconformity with its corrective actions and every round");
        ncs.MapPost("/{id:guid}/containment", Contain).WithAccess(Access.OrgContributor).WithSummary("Record the immediate correction: raised → contained");
        ncs.MapPost("/{id:guid}/root-cause", Analyse).WithAccess(Access.OrgContributor)
            .WithSummary("Record the root cause, as five whys (whys: [{why, because}]) or free text, with a cause category: contained → analysed");
        ncs.MapPost("/{id:guid}/actions", Plan).WithAccess(Access.OrgContributor).WithSummary("Plan corrective actions (title, ownerEmail, dueOn): analysed → actions-planned");
        ncs.MapPost("/{id:guid}/actions/{actionId:guid}/done", ActionDone).WithAccess(Access.OrgContributor)
            .WithSummary("Mark a corrective action done; the last one schedules the effectiveness check (actions-done)");
        ncs.MapPost("/{id:guid}/actions/{actionId:guid}/cancel", ActionCancel).WithAccess(Access.OrgContributor).WithSummary("Cancel a corrective action, with a note");
        ncs.MapPost("/{id:guid}/effectiveness-check", Check).WithAccess(Access.OrgContributor)
            .WithSummary("Record the effectiveness check (effective | not-effective), by someone who owns none of the round's actions; not effective starts a new round");
        ncs.MapPut("/{id:guid}/risks", LinkRisks).WithAccess(Access.OrgContributor).WithSummary("Replace the risks the nonconformity touches (riskIds), until it is closed");
        ncs.MapPost("/{id:guid}/risk-review", RiskReview).WithAccess(Access.OrgContributor)
            .WithSummary("Needs a risk review: brings the review of every open linked risk forward to today, with this nonconformity as the reason (409 when it names no open risk)");
        ncs.MapPost("/{id:guid}/close", Close).WithAccess(Access.OrgContributor)
            .WithSummary("Close: 409 unless the effectiveness check found the actions effective, or a manager gives a justification");
        return api;
    }

    private static async Task<Ok<PageDto<NonconformitySummaryDto>>> List(
        string? status, string? source, string? severity, string? owner, bool? overdue, int? page, int? pageSize,
        CurrentOrg currentOrg, NonconformityLog log, ActivityService activities, CancellationToken ct)
    {
        var query = await QueryAsync(status, source, severity, owner, overdue, currentOrg, activities, ct);
        var rows = await log.ListAsync(currentOrg.Id, query, PagingApi.Read(page, pageSize), ct);
        return TypedResults.Ok(rows.ToDto(r => new NonconformitySummaryDto(
            r.Id, r.Reference, r.Title, r.Source.Name(), r.Severity.Name(), r.Identifier, r.Status.Name(),
            r.OwnerUserId is { } o ? new PersonDto(o, r.OwnerEmail, r.OwnerName ?? "") : null,
            r.RaisedAt, r.DueOn, r.Overdue, r.AgeDays, r.OpenActions, r.OverdueActions, r.Round, r.Recurrences)));
    }

    private static async Task<NonconformityQuery> QueryAsync(
        string? status, string? source, string? severity, string? owner, bool? overdue, CurrentOrg currentOrg, ActivityService activities, CancellationToken ct) =>
        new(
            status is null ? null : NonconformityNames.ParseStatus(status, "status"),
            source is null ? null : NonconformityNames.ParseAnySource(source, "source"),
            severity is null ? null : NonconformityNames.ParseSeverity(severity, "severity"),
            owner is null ? null : await activities.ResolveMemberAsync(currentOrg.Id, owner, "owner", ct),
            overdue == true);

    private static async Task<FileContentHttpResult> Export(
        string? status, string? source, string? severity, string? owner, bool? overdue,
        CurrentOrg currentOrg, NonconformityLog log, ActivityService activities, TimeProvider time, CancellationToken ct)
    {
        var query = await QueryAsync(status, source, severity, owner, overdue, currentOrg, activities, ct);
        var (window, rows) = await log.AllAsync(currentOrg.Id, query, ct);
        var now = time.GetUtcNow();
        var filters = string.Join(", ", new[] { status is null ? null : $"status {status}", source is null ? null : $"source {source}", severity is null ? null : $"severity {severity}", owner is null ? null : $"owner {owner}", overdue == true ? "overdue only" : null }.OfType<string>());
        using var buffer = new MemoryStream();
        NonconformityLog.WriteXlsx(buffer, currentOrg.Access.Name, rows, filters.Length == 0 ? "The whole log." : $"Filtered: {filters}.", window, now);
        return TypedResults.File(buffer.ToArray(), Spreadsheets.XlsxContentType, $"nonconformities-{currentOrg.Slug}-{now:yyyy-MM-dd}.xlsx");
    }

    private static async Task<Ok<RecurringDto>> Recurring(CurrentOrg currentOrg, NonconformityLog log, CancellationToken ct)
    {
        var (window, groups) = await log.RecurringAsync(currentOrg.Id, ct);
        return TypedResults.Ok(new RecurringDto(window.From, window.To, window.CycleNumber, [.. groups.Select(g => new RecurringGroupDto(
            g.Identifier, g.Title, g.Members.Count, g.Open,
            [.. g.Members.Select(m => new RecurringMemberDto(m.Id, m.Reference, m.Title, m.Source.Name(), m.Severity.Name(), m.Status.Name(), m.RaisedAt, m.ClosedAt))]))]));
    }

    private static async Task<Created<NonconformityDto>> Raise(
        RaiseNonconformityRequest request, CurrentOrg currentOrg, CurrentUser user, NonconformityWorkflow workflow, ActivityService activities, PerennialDbContext db, TimeProvider time, CancellationToken ct)
    {
        var owner = request.OwnerEmail is null ? (Guid?)null : await activities.ResolveMemberAsync(currentOrg.Id, request.OwnerEmail, "ownerEmail", ct);
        var nc = await workflow.RaiseAsync(currentOrg.Id, Actor(currentOrg, user), new RaiseNonconformity(
            request.Title, request.Description, NonconformityNames.ParseSeverity(request.Severity, "severity"), NonconformityNames.ParseSource(request.Source, "source"),
            request.Identifier, owner, request.DueOn, request.RiskIds), ct);
        return TypedResults.Created($"/api/v1/orgs/{currentOrg.Slug}/nonconformities/{nc.Id}", await DtoAsync(nc, db, time, ct));
    }

    private static async Task<Ok<NonconformityDto>> Get(Guid id, CurrentOrg currentOrg, NonconformityWorkflow workflow, PerennialDbContext db, TimeProvider time, CancellationToken ct) =>
        TypedResults.Ok(await DtoAsync(await workflow.GetAsync(currentOrg.Id, id, ct), db, time, ct));

    private static async Task<Ok<NonconformityDto>> Contain(Guid id, ContainmentRequest request, CurrentOrg currentOrg, CurrentUser user, NonconformityWorkflow workflow, PerennialDbContext db, TimeProvider time, CancellationToken ct) =>
        TypedResults.Ok(await DtoAsync(await workflow.ContainAsync(currentOrg.Id, id, Actor(currentOrg, user), request.Containment, request.ContainedOn, ct), db, time, ct));

    private static async Task<Ok<NonconformityDto>> Analyse(Guid id, RootCauseRequest request, CurrentOrg currentOrg, CurrentUser user, NonconformityWorkflow workflow, PerennialDbContext db, TimeProvider time, CancellationToken ct)
    {
        var whys = (request.Whys ?? []).Select(w => new Why(w.Why ?? "", w.Because ?? "")).ToList();
        return TypedResults.Ok(await DtoAsync(await workflow.AnalyseAsync(currentOrg.Id, id, Actor(currentOrg, user), whys, request.RootCause, request.CauseCategory, ct), db, time, ct));
    }

    private static async Task<Ok<NonconformityDto>> Plan(Guid id, PlanRequest request, CurrentOrg currentOrg, CurrentUser user, NonconformityWorkflow workflow, ActivityService activities, PerennialDbContext db, TimeProvider time, CancellationToken ct)
    {
        var actions = new List<NewCorrectiveAction>();
        var given = request.Actions ?? [];
        for (var i = 0; i < given.Count; i++)
        {
            var owner = await activities.ResolveMemberAsync(currentOrg.Id, given[i].OwnerEmail ?? "", $"actions[{i}].ownerEmail", ct);
            actions.Add(new NewCorrectiveAction(given[i].Title, owner, given[i].DueOn ?? throw UseCaseException.Invalid($"actions[{i}].dueOn", "dueOn is required.")));
        }

        return TypedResults.Ok(await DtoAsync(await workflow.PlanAsync(currentOrg.Id, id, Actor(currentOrg, user), actions, ct), db, time, ct));
    }

    private static async Task<Ok<NonconformityDto>> ActionDone(Guid id, Guid actionId, ActionNoteRequest? request, CurrentOrg currentOrg, CurrentUser user, NonconformityWorkflow workflow, PerennialDbContext db, TimeProvider time, CancellationToken ct) =>
        TypedResults.Ok(await DtoAsync(await workflow.FinishActionAsync(currentOrg.Id, id, actionId, Actor(currentOrg, user), cancelled: false, request?.Note, ct), db, time, ct));

    private static async Task<Ok<NonconformityDto>> ActionCancel(Guid id, Guid actionId, ActionNoteRequest request, CurrentOrg currentOrg, CurrentUser user, NonconformityWorkflow workflow, PerennialDbContext db, TimeProvider time, CancellationToken ct) =>
        TypedResults.Ok(await DtoAsync(await workflow.FinishActionAsync(currentOrg.Id, id, actionId, Actor(currentOrg, user), cancelled: true, request.Note, ct), db, time, ct));

    private static async Task<Ok<NonconformityDto>> Check(Guid id, EffectivenessCheckRequest request, CurrentOrg currentOrg, CurrentUser user, NonconformityWorkflow workflow, PerennialDbContext db, TimeProvider time, CancellationToken ct) =>
        TypedResults.Ok(await DtoAsync(await workflow.CheckAsync(currentOrg.Id, id, Actor(currentOrg, user), NonconformityNames.ParseResult(request.Result, "result"), request.Notes, request.EvidenceIds, ct), db, time, ct));

    private static async Task<Ok<NonconformityDto>> Close(Guid id, CloseRequest? request, CurrentOrg currentOrg, CurrentUser user, NonconformityWorkflow workflow, PerennialDbContext db, TimeProvider time, CancellationToken ct) =>
        TypedResults.Ok(await DtoAsync(await workflow.CloseAsync(currentOrg.Id, id, Actor(currentOrg, user), request?.Justification, ct), db, time, ct));

    private static async Task<Ok<NonconformityDto>> LinkRisks(Guid id, LinkRisksRequest request, CurrentOrg currentOrg, CurrentUser user, NonconformityRiskReview review, PerennialDbContext db, TimeProvider time, CancellationToken ct) =>
        TypedResults.Ok(await DtoAsync(await review.LinkAsync(currentOrg.Id, id, Actor(currentOrg, user), request.RiskIds, ct), db, time, ct));

    private static async Task<Ok<RiskReviewDto>> RiskReview(Guid id, CurrentOrg currentOrg, CurrentUser user, NonconformityRiskReview review, PerennialDbContext db, TimeProvider time, CancellationToken ct)
    {
        var (nc, risks) = await review.RequestAsync(currentOrg.Id, id, Actor(currentOrg, user), ct);
        return TypedResults.Ok(new RiskReviewDto(await DtoAsync(nc, db, time, ct), risks));
    }

    private static NonconformityActor Actor(CurrentOrg org, CurrentUser user) => new(user.RequireId(), user.Email, org.Role);

    private static async Task<NonconformityDto> DtoAsync(Nonconformity nc, PerennialDbContext db, TimeProvider time, CancellationToken ct)
    {
        var today = DateOnly.FromDateTime(time.GetUtcNow().UtcDateTime);
        var ids = nc.Actions.Select(a => a.OwnerUserId).Append(nc.OwnerUserId ?? Guid.Empty).Concat(nc.Rounds.Select(r => r.CheckedByUserId ?? Guid.Empty)).Distinct().ToList();
        var people = await db.Users.AsNoTracking().Where(u => ids.Contains(u.Id)).ToDictionaryAsync(u => u.Id, u => new PersonDto(u.Id, u.Email, u.DisplayName), ct);
        PersonDto? Person(Guid? id) => id is { } g && people.TryGetValue(g, out var p) ? p : null;
        return new NonconformityDto(
            nc.Id, nc.Reference, nc.Title, nc.Description, nc.Source.Name(), nc.Severity.Name(), nc.Identifier, nc.Status.Name(),
            Person(nc.OwnerUserId), nc.RaisedByName, nc.RaisedAt, nc.DueOn, NonconformityLog.IsOverdue(nc.Status, nc.DueOn, today),
            today.DayNumber - DateOnly.FromDateTime(nc.RaisedAt.UtcDateTime).DayNumber,
            nc.Containment, nc.ContainedOn, nc.CurrentRound, nc.ClosedAt, nc.ClosureJustification, nc.OccurrenceId, nc.AuditFindingId,
            [.. nc.Risks.Select(r => r.RiskId)],
            [.. nc.Actions.OrderBy(a => a.Round).ThenBy(a => a.DueOn).ThenBy(a => a.Id).Select(a => new CorrectiveActionDto(
                a.Id, a.Round, a.Title, Person(a.OwnerUserId), a.DueOn, a.Status.Name(), a.DoneOn, a.Note, a.Status == CorrectiveActionStatus.Open && a.DueOn < today))],
            [.. nc.Rounds.OrderBy(r => r.Number).Select(r => new RoundDto(
                r.Number, r.Method switch { RootCauseMethod.FiveWhys => "five-whys", RootCauseMethod.FreeText => "free-text", _ => null },
                [.. NonconformityWorkflow.WhysOf(r).Select(w => new WhyDto(w.Question, w.Because))], r.RootCause, r.CauseCategory, r.AnalysedAt,
                r.ActionsDoneOn, r.CheckDueOn, r.CheckResult?.Name(), r.CheckNotes, r.CheckedAt, Person(r.CheckedByUserId),
                r.CheckEvidence is null ? [] : System.Text.Json.JsonSerializer.Deserialize<List<Guid>>(r.CheckEvidence) ?? []))],
            nc.InternalAuditId, nc.ChecklistItemId, nc.RiskReviewRequestedAt);
    }
}

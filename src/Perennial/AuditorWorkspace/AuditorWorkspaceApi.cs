using Microsoft.AspNetCore.Http.HttpResults;
using Perennial.Common;
using Perennial.Data;
using Perennial.Hosting;
using Perennial.Nonconformities;
using Perennial.Security;

namespace Perennial.AuditorWorkspace;

public sealed record DrawSampleRequest(string? Control, DateOnly? PeriodFrom, DateOnly? PeriodTo, int? Seed, Guid? ExternalAuditId);

public sealed record SampledEvidenceDto(Guid Id, string Title, DateOnly PeriodFrom, DateOnly PeriodTo, string? Sha256);

public sealed record SampledOccurrenceDto(Guid Id, string Activity, string Title, DateOnly DueDate, string State, DateTimeOffset? CompletedAt, IReadOnlyList<SampledEvidenceDto> Evidence);

public sealed record AuditSampleDto(
    Guid Id, string Control, DateOnly PeriodFrom, DateOnly PeriodTo, string Frequency, int Seed, int Population, int Size, IReadOnlyList<Guid> OccurrenceIds,
    DateTimeOffset DrawnAt, PersonDto? DrawnBy, IReadOnlyList<SampledOccurrenceDto>? Occurrences);

public sealed record RaiseRequestRequest(string? Text, string? Identifier, Guid? OccurrenceId, Guid? SampleId, DateOnly? DueOn, Guid? AssigneeUserId, Guid? ExternalAuditId);

public sealed record AnswerRequestRequest(string? Comment, IReadOnlyList<Guid>? EvidenceIds);

public sealed record AskAgainRequest(string? Note, DateOnly? DueOn);

public sealed record AuditRequestDto(
    Guid Id, string Reference, string Text, string? Identifier, Guid? OccurrenceId, Guid? SampleId, DateOnly DueOn, string Status, int Round,
    PersonDto? RaisedBy, DateTimeOffset RaisedAt, PersonDto? Assignee, string? Answer, IReadOnlyList<Guid> EvidenceIds, DateTimeOffset? AnsweredAt,
    string? AuditorNote, DateTimeOffset? AcceptedAt, bool Overdue);

/// <summary>The external auditor's samples and requests.</summary>
public static class AuditorWorkspaceApi
{
    public static RouteGroupBuilder MapAuditorWorkspaceApi(this RouteGroupBuilder api)
    {
        var group = api.MapGroup("/orgs/{org}/auditor").WithTags("Auditor workspace");
        group.MapPost("/samples", Draw).WithAccess(Access.OrgAuditor)
            .WithSummary("An auditor (or manager) draws a sample of a control's occurrences in a period, sized by the sampling table; the seed is recorded and redraws it");
        group.MapGet("/samples", Samples).WithAccess(Access.OrgAuditor).WithSummary("Every sample drawn, newest first");
        group.MapGet("/samples/{id:guid}", Sample).WithAccess(Access.OrgAuditor).WithSummary("One sample with its occurrences and their evidence");
        group.MapPost("/requests", Raise).WithAccess(Access.OrgAuditor)
            .WithSummary("An auditor (or manager) raises a request, optionally about a clause or control or a sampled occurrence; it goes to the named owner or the owner of what it is about");
        group.MapGet("/requests", Requests).WithAccess(Access.OrgAuditor).WithSummary("The requests (?status=open|answered|accepted, ?assignee=me), open and soonest due first");
        group.MapGet("/requests/export.xlsx", Export).WithAccess(Access.OrgAuditor).WithSummary("The request list as an XLSX workbook");
        group.MapGet("/requests/{id:guid}", Request).WithAccess(Access.OrgAuditor).WithSummary("One request");
        group.MapPost("/requests/{id:guid}/answer", Answer).WithAccess(Access.OrgAuditor)
            .WithSummary("The assignee (or a manager) answers with evidenceIds, a comment, or both");
        group.MapPost("/requests/{id:guid}/accept", Accept).WithAccess(Access.OrgAuditor).WithSummary("The auditor who raised the request accepts the answer");
        group.MapPost("/requests/{id:guid}/ask-again", AskAgain).WithAccess(Access.OrgAuditor)
            .WithSummary("The auditor who raised the request asks again, saying what is missing (note), optionally with a new dueOn");
        return api;
    }

    private static WorkspaceActor Actor(CurrentOrg org, CurrentUser user) => new(user.RequireId(), org.Role);

    private static async Task<Created<AuditSampleDto>> Draw(DrawSampleRequest request, CurrentOrg currentOrg, CurrentUser user, AuditorWorkspaceService workspace, PerennialDbContext db, CancellationToken ct)
    {
        var sample = await workspace.DrawSampleAsync(currentOrg.Id, Actor(currentOrg, user), request.Control, request.PeriodFrom, request.PeriodTo, request.Seed, request.ExternalAuditId, ct);
        return TypedResults.Created($"/api/v1/orgs/{currentOrg.Slug}/auditor/samples/{sample.Id}", await SampleDtoAsync(sample, workspace, db, withOccurrences: true, ct));
    }

    private static async Task<Ok<IReadOnlyList<AuditSampleDto>>> Samples(CurrentOrg currentOrg, AuditorWorkspaceService workspace, PerennialDbContext db, CancellationToken ct)
    {
        var samples = await workspace.SamplesAsync(currentOrg.Id, ct);
        var people = await People.ByIdAsync(db, samples.Select(s => s.DrawnByUserId), ct);
        return TypedResults.Ok<IReadOnlyList<AuditSampleDto>>([.. samples.Select(s => Dto(s, people.GetValueOrDefault(s.DrawnByUserId), null))]);
    }

    private static async Task<Ok<AuditSampleDto>> Sample(Guid id, CurrentOrg currentOrg, AuditorWorkspaceService workspace, PerennialDbContext db, CancellationToken ct) =>
        TypedResults.Ok(await SampleDtoAsync(await workspace.SampleAsync(currentOrg.Id, id, ct), workspace, db, withOccurrences: true, ct));

    private static async Task<Created<AuditRequestDto>> Raise(RaiseRequestRequest request, CurrentOrg currentOrg, CurrentUser user, AuditorWorkspaceService workspace, PerennialDbContext db, TimeProvider time, CancellationToken ct)
    {
        var raised = await workspace.RaiseAsync(currentOrg.Id, Actor(currentOrg, user),
            new AuditRequestInput(request.Text, request.Identifier, request.OccurrenceId, request.SampleId, request.DueOn, request.AssigneeUserId), request.ExternalAuditId, ct);
        return TypedResults.Created($"/api/v1/orgs/{currentOrg.Slug}/auditor/requests/{raised.Id}", (await DtosAsync([raised], db, time, ct))[0]);
    }

    private static async Task<Ok<IReadOnlyList<AuditRequestDto>>> Requests(string? status, string? assignee, CurrentOrg currentOrg, CurrentUser user, AuditorWorkspaceService workspace, PerennialDbContext db, TimeProvider time, CancellationToken ct)
    {
        var rows = await workspace.RequestsAsync(currentOrg.Id, ParseStatus(status), AssigneeOf(assignee, user), ct);
        return TypedResults.Ok(await DtosAsync(rows, db, time, ct));
    }

    private static async Task<Ok<AuditRequestDto>> Request(Guid id, CurrentOrg currentOrg, AuditorWorkspaceService workspace, PerennialDbContext db, TimeProvider time, CancellationToken ct) =>
        TypedResults.Ok((await DtosAsync([await workspace.RequestAsync(currentOrg.Id, id, ct)], db, time, ct))[0]);

    private static async Task<Ok<AuditRequestDto>> Answer(Guid id, AnswerRequestRequest request, CurrentOrg currentOrg, CurrentUser user, AuditorWorkspaceService workspace, PerennialDbContext db, TimeProvider time, CancellationToken ct) =>
        TypedResults.Ok((await DtosAsync([await workspace.AnswerAsync(currentOrg.Id, id, Actor(currentOrg, user), request.Comment, request.EvidenceIds, ct)], db, time, ct))[0]);

    private static async Task<Ok<AuditRequestDto>> Accept(Guid id, CurrentOrg currentOrg, CurrentUser user, AuditorWorkspaceService workspace, PerennialDbContext db, TimeProvider time, CancellationToken ct) =>
        TypedResults.Ok((await DtosAsync([await workspace.AcceptAsync(currentOrg.Id, id, Actor(currentOrg, user), ct)], db, time, ct))[0]);

    private static async Task<Ok<AuditRequestDto>> AskAgain(Guid id, AskAgainRequest request, CurrentOrg currentOrg, CurrentUser user, AuditorWorkspaceService workspace, PerennialDbContext db, TimeProvider time, CancellationToken ct) =>
        TypedResults.Ok((await DtosAsync([await workspace.AskAgainAsync(currentOrg.Id, id, Actor(currentOrg, user), request.Note, request.DueOn, ct)], db, time, ct))[0]);

    private static async Task<FileContentHttpResult> Export(string? status, string? assignee, CurrentOrg currentOrg, CurrentUser user, AuditorWorkspaceService workspace, PerennialDbContext db, TimeProvider time, CancellationToken ct)
    {
        var rows = await DtosAsync(await workspace.RequestsAsync(currentOrg.Id, ParseStatus(status), AssigneeOf(assignee, user), ct), db, time, ct);
        var now = time.GetUtcNow();
        return TypedResults.File(AuditRequestSheet.Xlsx(currentOrg.Access.Name, [.. rows.Select(r => new AuditRequestSheet.Row(
                r.Reference, r.Text, r.Identifier, r.DueOn, r.Status, r.Round, r.RaisedBy?.Name, r.RaisedAt, r.Assignee?.Name ?? r.Assignee?.Email, r.Answer, r.EvidenceIds.Count,
                r.AnsweredAt, r.AuditorNote, r.AcceptedAt, r.Overdue))], now),
            AuditRequestSheet.ContentType, $"{currentOrg.Slug}-audit-requests-{now:yyyy-MM-dd}.xlsx");
    }

    private static Guid? AssigneeOf(string? assignee, CurrentUser user) => assignee switch
    {
        null or "" => null,
        "me" => user.RequireId(),
        _ when Guid.TryParse(assignee, out var id) => id,
        _ => throw UseCaseException.Invalid("assignee", "assignee is 'me' or a user id."),
    };

    private static AuditRequestStatus? ParseStatus(string? status) => status?.Trim().ToLowerInvariant() switch
    {
        null or "" or "all" => null,
        "open" => AuditRequestStatus.Open,
        "answered" => AuditRequestStatus.Answered,
        "accepted" => AuditRequestStatus.Accepted,
        _ => throw UseCaseException.Invalid("status", "status is one of open, answered, accepted, all."),
    };

    public static string Name(AuditRequestStatus status) => status switch
    {
        AuditRequestStatus.Open => "open",
        AuditRequestStatus.Answered => "answered",
        AuditRequestStatus.Accepted => "accepted",
        _ => throw new ArgumentOutOfRangeException(nameof(status)),
    };

    private static async Task<AuditSampleDto> SampleDtoAsync(AuditSample sample, AuditorWorkspaceService workspace, PerennialDbContext db, bool withOccurrences, CancellationToken ct)
    {
        var people = await People.ByIdAsync(db, [sample.DrawnByUserId], ct);
        var occurrences = withOccurrences
            ? (await workspace.SampledAsync(sample, ct)).Select(o => new SampledOccurrenceDto(o.Id, o.Activity, o.Title, o.DueDate, o.State.ToString().ToLowerInvariant(), o.CompletedAt,
                [.. o.Evidence.Select(e => new SampledEvidenceDto(e.Id, e.Title, e.PeriodFrom, e.PeriodTo, e.Sha256))])).ToList()
            : null;
        return Dto(sample, people.GetValueOrDefault(sample.DrawnByUserId), occurrences);
    }

    private static AuditSampleDto Dto(AuditSample s, PersonDto? drawnBy, IReadOnlyList<SampledOccurrenceDto>? occurrences) =>
        new(s.Id, s.ControlIdentifier, s.PeriodFrom, s.PeriodTo, s.Frequency, s.Seed, s.Population, s.Size, s.OccurrenceIds, s.DrawnAt, drawnBy, occurrences);

    private static async Task<IReadOnlyList<AuditRequestDto>> DtosAsync(IReadOnlyList<AuditRequest> rows, PerennialDbContext db, TimeProvider time, CancellationToken ct)
    {
        var people = await People.ByIdAsync(db, rows.SelectMany(r => new[] { r.RaisedByUserId, r.AssigneeUserId }), ct);
        var today = DateOnly.FromDateTime(time.GetUtcNow().UtcDateTime);
        return [.. rows.Select(r => new AuditRequestDto(
            r.Id, r.Reference, r.Text, r.Identifier, r.OccurrenceId, r.SampleId, r.DueOn, Name(r.Status), r.Round, people.GetValueOrDefault(r.RaisedByUserId), r.RaisedAt,
            people.GetValueOrDefault(r.AssigneeUserId), r.Answer, r.EvidenceIds, r.AnsweredAt, r.AuditorNote, r.AcceptedAt,
            r.Status == AuditRequestStatus.Open && r.DueOn < today))];
    }
}

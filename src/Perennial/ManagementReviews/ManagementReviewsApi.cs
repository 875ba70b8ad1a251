using System.ComponentModel.DataAnnotations;
using Microsoft.AspNetCore.Http.HttpResults;
using Perennial.Activities;
using Perennial.Common;
using Perennial.Data;
using Perennial.Hosting;
using Perennial.Nonconformities;
using Perennial.Security;

namespace Perennial.ManagementReviews;

public sealed record ReviewRequest(
    [property: StringLength(ManagementReview.TitleMaxLength)] string? Title,
    DateOnly? ScheduledOn,
    [property: StringLength(300)] string? Location,
    string? ChairEmail,
    IReadOnlyList<string>? AttendeeEmails,
    DateOnly? FirstPeriodFrom);

public sealed record ScheduleForAuditsRequest(string? ChairEmail);

public sealed record ReviewReasonRequest([property: StringLength(ManagementReview.TextMaxLength)] string? Reason);

public sealed record MinutesRequest([property: StringLength(ReviewMinute.TextMaxLength)] string? Text);

public sealed record DecisionRequest(
    string? Kind,
    string? Input,
    [property: Required, StringLength(ReviewDecision.TitleMaxLength)] string? Title,
    [property: StringLength(ReviewDecision.TextMaxLength)] string? Description,
    string? OwnerEmail,
    DateOnly? DueOn);

public sealed record DecisionNoteRequest([property: StringLength(ReviewDecision.TextMaxLength)] string? Note);

public sealed record ReviewSummaryDto(
    Guid Id, string Reference, string Title, DateOnly ScheduledOn, string Status, PersonDto? Chair, int Attendees, DateTimeOffset? HeldAt, Guid? ExternalAuditId);

public sealed record MinuteDto(string Input, string Text, DateTimeOffset UpdatedAt);

public sealed record DecisionDto(
    Guid Id, Guid ReviewId, string Reference, string Kind, string? Input, string Title, string? Description, PersonDto? Owner, DateOnly DueOn, string Status, bool Overdue,
    DateOnly? DoneOn, string? ClosingNote, DateTimeOffset CreatedAt);

public sealed record ReviewDto(
    Guid Id, string Reference, string Title, DateOnly ScheduledOn, string? Location, string Status, PersonDto? Chair, IReadOnlyList<PersonDto> Attendees,
    DateOnly? FirstPeriodFrom, Guid? ExternalAuditId, DateTimeOffset? HeldAt, string? PackSha256, Guid? PackEvidenceItemId, string? CancellationReason,
    IReadOnlyList<MinuteDto> Minutes, IReadOnlyList<DecisionDto> Decisions, DateTimeOffset CreatedAt, DateTimeOffset UpdatedAt);

/// <summary>Management reviews (9.3): scheduling, the pack from the data, holding, minutes, decisions and their follow-up.</summary>
public static class ManagementReviewsApi
{
    public static RouteGroupBuilder MapManagementReviewsApi(this RouteGroupBuilder api)
    {
        var group = api.MapGroup("/orgs/{org}/management-reviews").WithTags("Management reviews");
        group.MapGet("/", List).WithAccess(Access.OrgAuditor).WithSummary("Reviews, latest first (?status=scheduled|held|cancelled), paged");
        group.MapPost("/", Schedule).WithAccess(Access.OrgManager)
            .WithSummary("Schedule a review (title, scheduledOn, location, chairEmail, attendeeEmails, firstPeriodFrom for the first review)");
        group.MapPost("/schedule-for-audits", ScheduleForAudits).WithAccess(Access.OrgManager)
            .WithSummary("Schedule one review before each coming external audit that has none, 30 days ahead of it (chairEmail; default you)");
        group.MapGet("/decisions", Decisions).WithAccess(Access.OrgAuditor).WithSummary("Open decisions of every review, soonest due first (?owner=e-mail)");
        group.MapPost("/decisions/{decisionId:guid}/done", Done).WithAccess(Access.OrgContributor).WithSummary("The owner or a manager marks a decision done (note)");
        group.MapPost("/decisions/{decisionId:guid}/cancel", CancelDecision).WithAccess(Access.OrgManager).WithSummary("Cancel a decision that no longer holds (reason)");
        group.MapGet("/{id:guid}", Get).WithAccess(Access.OrgAuditor).WithSummary("One review with its attendees, minutes and decisions");
        group.MapPut("/{id:guid}", Update).WithAccess(Access.OrgManager).WithSummary("Change a scheduled review's date, chair, attendees or title");
        group.MapPost("/{id:guid}/cancel", Cancel).WithAccess(Access.OrgManager).WithSummary("Cancel a scheduled review (reason)");
        group.MapPost("/{id:guid}/hold", Hold).WithAccess(Access.OrgContributor)
            .WithSummary("Record the review as held: the pack is frozen as it stands, stored as hashed evidence. The chair or a manager.");
        group.MapGet("/{id:guid}/pack", Pack).WithAccess(Access.OrgAuditor)
            .WithSummary("The pack: periodFrom, periodTo and a section per input (a, b, c, d1 … d4, e, f, g) with its figures and records; frozen once held");
        group.MapGet("/{id:guid}/pack.docx", PackDocx).WithAccess(Access.OrgAuditor).WithSummary("The pack and minutes as a Word document");
        group.MapGet("/{id:guid}/pack.xlsx", PackXlsx).WithAccess(Access.OrgAuditor).WithSummary("The pack's figures and records as a workbook");
        group.MapPut("/{id:guid}/minutes/{input}", Minutes).WithAccess(Access.OrgContributor)
            .WithSummary("Record the minutes of one input (a … g, incidents, changes, general); empty text removes them. The chair or a manager.");
        group.MapPost("/{id:guid}/decisions", Decide).WithAccess(Access.OrgContributor)
            .WithSummary("Record a decision (kind improvement|isms-change|resources, input, title, description, ownerEmail, dueOn); it becomes a reminded action. The chair or a manager.");
        return api;
    }

    private static async Task<Ok<PageDto<ReviewSummaryDto>>> List(string? status, int? page, int? pageSize, CurrentOrg currentOrg, ManagementReviewService service, PerennialDbContext db, CancellationToken ct)
    {
        var wanted = status is null ? (ReviewStatus?)null : ReviewNames.ParseStatus(status) ?? throw UseCaseException.Invalid("status", "status must be scheduled, held or cancelled.");
        var rows = await service.ListAsync(currentOrg.Id, new ReviewQuery(wanted), PagingApi.Read(page, pageSize), ct);
        var people = await People.ByIdAsync(db, rows.Items.Select(r => r.ChairUserId), ct);
        return TypedResults.Ok(rows.ToDto(r => new ReviewSummaryDto(r.Id, r.Reference, r.Title, r.ScheduledOn, ReviewNames.Name(r.Status), people.GetValueOrDefault(r.ChairUserId),
            r.Attendees.Count, r.HeldAt, r.ExternalAuditId)));
    }

    private static async Task<Ok<ReviewDto>> Get(Guid id, CurrentOrg currentOrg, ManagementReviewService service, CancellationToken ct) =>
        TypedResults.Ok(Dto(await service.DetailAsync(currentOrg.Id, id, ct)));

    private static async Task<Created<ReviewDto>> Schedule(ReviewRequest request, CurrentOrg currentOrg, CurrentUser user, ManagementReviewService service, ActivityService activities, CancellationToken ct)
    {
        var review = await service.ScheduleAsync(currentOrg.Id, Actor(currentOrg, user), await InputAsync(request, currentOrg, activities, ct), ct);
        return TypedResults.Created($"/api/v1/orgs/{currentOrg.Slug}/management-reviews/{review.Id}", Dto(await service.DetailAsync(currentOrg.Id, review.Id, ct)));
    }

    private static async Task<Ok<IReadOnlyList<ReviewSummaryDto>>> ScheduleForAudits(
        ScheduleForAuditsRequest? request, CurrentOrg currentOrg, CurrentUser user, ManagementReviewService service, ActivityService activities, PerennialDbContext db, CancellationToken ct)
    {
        var chair = string.IsNullOrWhiteSpace(request?.ChairEmail) ? (Guid?)null : await activities.ResolveMemberAsync(currentOrg.Id, request.ChairEmail, "chairEmail", ct);
        var created = await service.ScheduleForAuditsAsync(currentOrg.Id, Actor(currentOrg, user), chair, ct);
        var people = await People.ByIdAsync(db, created.Select(r => r.ChairUserId), ct);
        return TypedResults.Ok<IReadOnlyList<ReviewSummaryDto>>([.. created.Select(r => new ReviewSummaryDto(r.Id, r.Reference, r.Title, r.ScheduledOn, ReviewNames.Name(r.Status),
            people.GetValueOrDefault(r.ChairUserId), r.Attendees.Count, r.HeldAt, r.ExternalAuditId))]);
    }

    private static async Task<Ok<ReviewDto>> Update(Guid id, ReviewRequest request, CurrentOrg currentOrg, CurrentUser user, ManagementReviewService service, ActivityService activities, CancellationToken ct)
    {
        await service.UpdateAsync(currentOrg.Id, id, Actor(currentOrg, user), await InputAsync(request, currentOrg, activities, ct), ct);
        return TypedResults.Ok(Dto(await service.DetailAsync(currentOrg.Id, id, ct)));
    }

    private static async Task<Ok<ReviewDto>> Cancel(Guid id, ReviewReasonRequest? request, CurrentOrg currentOrg, CurrentUser user, ManagementReviewService service, CancellationToken ct)
    {
        await service.CancelAsync(currentOrg.Id, id, Actor(currentOrg, user), request?.Reason, ct);
        return TypedResults.Ok(Dto(await service.DetailAsync(currentOrg.Id, id, ct)));
    }

    private static async Task<Ok<ReviewDto>> Hold(Guid id, CurrentOrg currentOrg, CurrentUser user, ManagementReviewService service, CancellationToken ct)
    {
        await service.HoldAsync(currentOrg.Id, id, Actor(currentOrg, user), ct);
        return TypedResults.Ok(Dto(await service.DetailAsync(currentOrg.Id, id, ct)));
    }

    private static async Task<Ok<ReviewPackModel>> Pack(Guid id, CurrentOrg currentOrg, ManagementReviewService service, CancellationToken ct) =>
        TypedResults.Ok(await service.PackAsync(currentOrg.Id, id, ct));

    private static async Task<FileContentHttpResult> PackDocx(Guid id, CurrentOrg currentOrg, ManagementReviewService service, CancellationToken ct)
    {
        var pack = await service.PackAsync(currentOrg.Id, id, ct);
        var detail = await service.DetailAsync(currentOrg.Id, id, ct);
        return TypedResults.File(ReviewPackExport.Docx(pack, detail), ReviewPackExport.DocxType, $"{detail.Review.Reference}-pack.docx");
    }

    private static async Task<FileContentHttpResult> PackXlsx(Guid id, CurrentOrg currentOrg, ManagementReviewService service, CancellationToken ct)
    {
        var pack = await service.PackAsync(currentOrg.Id, id, ct);
        return TypedResults.File(ReviewPackExport.Xlsx(pack), Spreadsheets.XlsxContentType, $"{pack.Reference}-figures.xlsx");
    }

    private static async Task<Results<Ok<MinuteDto>, NoContent>> Minutes(Guid id, string input, MinutesRequest request, CurrentOrg currentOrg, CurrentUser user, ManagementReviewService service, CancellationToken ct)
    {
        var minute = await service.RecordMinutesAsync(currentOrg.Id, id, Actor(currentOrg, user), input, request.Text, ct);
        return minute is null ? TypedResults.NoContent() : TypedResults.Ok(new MinuteDto(minute.Input, minute.Text, minute.UpdatedAt));
    }

    private static async Task<Created<DecisionDto>> Decide(Guid id, DecisionRequest request, CurrentOrg currentOrg, CurrentUser user, ManagementReviewService service, ActivityService activities, CancellationToken ct)
    {
        var kind = request.Kind is null ? (DecisionKind?)null : ReviewNames.ParseKind(request.Kind) ?? throw UseCaseException.Invalid("kind", "kind must be improvement, isms-change or resources.");
        var owner = string.IsNullOrWhiteSpace(request.OwnerEmail) ? (Guid?)null : await activities.ResolveMemberAsync(currentOrg.Id, request.OwnerEmail, "ownerEmail", ct);
        var decision = await service.DecideAsync(currentOrg.Id, id, Actor(currentOrg, user), new DecisionInput(kind, request.Input, request.Title, request.Description, owner, request.DueOn), ct);
        var detail = await service.DetailAsync(currentOrg.Id, id, ct);
        return TypedResults.Created($"/api/v1/orgs/{currentOrg.Slug}/management-reviews/{id}", DecisionDto(detail.Decisions.Single(d => d.Decision.Id == decision.Id)));
    }

    private static async Task<Ok<IReadOnlyList<DecisionDto>>> Decisions(string? owner, CurrentOrg currentOrg, ManagementReviewService service, ActivityService activities, CancellationToken ct)
    {
        var ownerId = string.IsNullOrWhiteSpace(owner) ? (Guid?)null : await activities.ResolveMemberAsync(currentOrg.Id, owner, "owner", ct);
        var rows = await service.OpenDecisionsAsync(currentOrg.Id, ownerId, ct);
        return TypedResults.Ok<IReadOnlyList<DecisionDto>>([.. rows.Select(DecisionDto)]);
    }

    private static async Task<Ok<DecisionDto>> Done(Guid decisionId, DecisionNoteRequest? request, CurrentOrg currentOrg, CurrentUser user, ManagementReviewService service, CancellationToken ct)
    {
        var decision = await service.CompleteDecisionAsync(currentOrg.Id, decisionId, Actor(currentOrg, user), request?.Note, ct);
        var detail = await service.DetailAsync(currentOrg.Id, decision.ReviewId, ct);
        return TypedResults.Ok(DecisionDto(detail.Decisions.Single(d => d.Decision.Id == decisionId)));
    }

    private static async Task<Ok<DecisionDto>> CancelDecision(Guid decisionId, ReviewReasonRequest? request, CurrentOrg currentOrg, CurrentUser user, ManagementReviewService service, CancellationToken ct)
    {
        var decision = await service.CancelDecisionAsync(currentOrg.Id, decisionId, Actor(currentOrg, user), request?.Reason, ct);
        var detail = await service.DetailAsync(currentOrg.Id, decision.ReviewId, ct);
        return TypedResults.Ok(DecisionDto(detail.Decisions.Single(d => d.Decision.Id == decisionId)));
    }

    private static async Task<ReviewInput> InputAsync(ReviewRequest request, CurrentOrg currentOrg, ActivityService activities, CancellationToken ct)
    {
        var chair = string.IsNullOrWhiteSpace(request.ChairEmail) ? (Guid?)null : await activities.ResolveMemberAsync(currentOrg.Id, request.ChairEmail, "chairEmail", ct);
        List<Guid>? attendees = null;
        if (request.AttendeeEmails is { } emails)
        {
            attendees = [];
            for (var i = 0; i < emails.Count; i++)
            {
                attendees.Add(await activities.ResolveMemberAsync(currentOrg.Id, emails[i] ?? "", $"attendeeEmails[{i}]", ct));
            }
        }

        return new ReviewInput(request.Title, request.ScheduledOn, request.Location, chair, attendees, request.FirstPeriodFrom);
    }

    private static ReviewActor Actor(CurrentOrg org, CurrentUser user) => new(user.RequireId(), org.Role);

    private static PersonDto Person(Guid id, string name, string? email) => new(id, email, name);

    private static ReviewDto Dto(ReviewDetail d)
    {
        var r = d.Review;
        return new ReviewDto(r.Id, r.Reference, r.Title, r.ScheduledOn, r.Location, ReviewNames.Name(r.Status), Person(r.ChairUserId, d.ChairName, d.ChairEmail),
            [.. d.Attendees.Select(a => Person(a.Id, a.Name, a.Email))], r.FirstPeriodFrom, r.ExternalAuditId, r.HeldAt, r.PackSha256, r.PackEvidenceItemId, r.CancellationReason,
            [.. d.Minutes.Select(m => new MinuteDto(m.Input, m.Text, m.UpdatedAt))], [.. d.Decisions.Select(DecisionDto)], r.CreatedAt, r.UpdatedAt);
    }

    private static DecisionDto DecisionDto(DecisionRow row)
    {
        var d = row.Decision;
        return new DecisionDto(d.Id, d.ReviewId, d.Reference, ReviewNames.Name(d.Kind), d.Input, d.Title, d.Description, Person(d.OwnerUserId, row.OwnerName, row.OwnerEmail),
            d.DueOn, ReviewNames.Name(d.Status), row.Overdue, d.DoneOn, d.ClosingNote, d.CreatedAt);
    }
}

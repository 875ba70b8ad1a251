using System.Text.Json;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Mvc;
using Perennial.Activities;
using Perennial.Common;
using Perennial.Evidence;
using Perennial.Hosting;
using Perennial.Paging;
using Perennial.Security;

namespace Perennial.AccessReviews;

/// <summary>Start a review from a stored account snapshot (for a CSV, send multipart with occurrenceId, system and file).</summary>
public sealed record StartAccessReviewRequest(Guid? OccurrenceId, Guid? SnapshotEvidenceId);

public sealed record DecisionRequest(string? Decision, string? Note, IReadOnlyList<string>? AccessToRemove);

public sealed record KeepUndecidedRequest(string? Access);

public sealed record SignOffRequest(string? Note, DateOnly? ActionsDue);

public sealed record AccessReviewDto(
    Guid Id, Guid OccurrenceId, Guid ActivityId, string ActivityReference, string ActivityTitle, DateOnly OccurrenceDue,
    string System, Guid SnapshotEvidenceId, DateTimeOffset SnapshotTakenAt,
    string? Reviewer, string State, DateTimeOffset CreatedAt,
    string? SignedOffBy, DateTimeOffset? SignedOffAt, string? SignOffNote, Guid? RecordEvidenceId,
    int Accounts, int Decided);

public sealed record AccessReviewEntryDto(
    Guid Id, string Account, string? Name, string? Email, bool Disabled, IReadOnlyList<string> Access,
    string Decision, string? Note, IReadOnlyList<string> AccessToRemove, string? DecidedBy, DateTimeOffset? DecidedAt);

public sealed record AccessReviewActionDto(
    Guid Id, Guid ReviewId, Guid EntryId, string System, string Account, string? Name, string Kind, string State, string? Note,
    IReadOnlyList<string> AccessToRemove, string? Assignee, DateOnly DueDate, DateTimeOffset CreatedAt,
    DateTimeOffset? ConfirmedAt, Guid? ConfirmingSnapshotEvidenceId);

public sealed record AccessReviewDetailDto(AccessReviewDto Review, PageDto<AccessReviewEntryDto> Entries, IReadOnlyList<AccessReviewActionDto> Actions);

public sealed record KeptDto(int Kept);

public sealed record SnapshotAppliedDto(Guid EvidenceId, string System, int Confirmed, int StillOpen);

public static class AccessReviewsApi
{
    public static RouteGroupBuilder MapAccessReviewsApi(this RouteGroupBuilder api)
    {
        var reviews = api.MapGroup("/orgs/{org}/access-reviews").WithTags("Access reviews");
        reviews.MapGet("/", List).WithAccess(Access.OrgAuditor).WithSummary("Access reviews, latest first (?state=open|signed-off, ?occurrence=id)");
        reviews.MapPost("/", Start).WithAccess(Access.OrgContributor).DisableAntiforgery()
            .WithMetadata(new RequestSizeLimitAttribute(EvidenceUpload.MaxRequestBytes), new RequestFormLimitsAttribute { MultipartBodyLengthLimit = EvidenceUpload.MaxRequestBytes })
            .WithSummary("Start an access review for an access-review occurrence")
            .WithDescription("JSON { occurrenceId, snapshotEvidenceId }: the accounts come from a stored account snapshot (" + AccountSnapshot.ContentType + "). "
                + "Or multipart/form-data with occurrenceId, system and a CSV 'file' (header row: " + AccountsCsv.Columns + "; access separated by semicolons): "
                + "the CSV is checked (errors name line and column, nothing is stored from a bad file), then kept as a snapshot evidence item of the occurrence.");
        reviews.MapGet("/{id:guid}", Get).WithAccess(Access.OrgAuditor)
            .WithSummary("A review with its accounts (paged: ?page=&pageSize=, ?undecided=true, ?q=) and its follow-up actions");
        reviews.MapPut("/{id:guid}/entries/{entryId:guid}", Decide).WithAccess(Access.OrgContributor)
            .WithSummary("Decide on one account: { decision: keep|revoke|change, note (required for change), accessToRemove? (change) }");
        reviews.MapPost("/{id:guid}/keep-undecided", KeepUndecided).WithAccess(Access.OrgContributor)
            .WithSummary("Keep every undecided account, or only those holding { access }; answers how many");
        reviews.MapPost("/{id:guid}/sign-off", SignOff).WithAccess(Access.OrgContributor)
            .WithSummary("Sign off (the activity owner or a manager): 409 naming how many accounts are undecided; opens an action per revoke/change and stores the signed-off record as evidence of the occurrence")
            .WithDescription("Body (optional): { note?, actionsDue? (YYYY-MM-DD; default 14 days from today) }.");
        reviews.MapPost("/confirm-from/{evidenceId:guid}", ConfirmFrom).WithAccess(Access.OrgContributor)
            .WithSummary("Confirm open revoke/change actions from a later account snapshot of the same system (?system= for a CSV snapshot)");
        reviews.MapGet("/actions", Actions).WithAccess(Access.OrgAuditor)
            .WithSummary("Follow-up actions across reviews (?state=open (default)|confirmed|all)");
        return api;
    }

    private static async Task<Ok<PageDto<AccessReviewDto>>> List(
        string? state, Guid? occurrence, int? page, int? pageSize, CurrentOrg currentOrg, AccessReviewService reviews, CancellationToken ct)
    {
        var rows = await reviews.ListAsync(currentOrg.Id, ParseState(state), occurrence, PagingApi.Read(page, pageSize), ct);
        return TypedResults.Ok(rows.ToDto(ToDto));
    }

    private static async Task<Created<AccessReviewDetailDto>> Start(
        HttpRequest request, CurrentOrg currentOrg, CurrentUser user, AccessReviewService reviews, CancellationToken ct)
    {
        var actor = new OccurrenceActor(user.RequireId(), currentOrg.Role);
        AccessReview review;
        if (request.HasFormContentType)
        {
            var form = await EvidenceUpload.ReadFormAsync(request, ct);
            var occurrenceId = ParseGuid(form["occurrenceId"].FirstOrDefault(), "occurrenceId");
            var file = form.Files.GetFile("file") ?? throw UseCaseException.Invalid("file", "Send the accounts CSV as the multipart part named 'file'.");
            var origin = user.TokenId is { } tokenId ? new EvidenceOrigin(EvidenceSource.Token, user.Id, tokenId) : new EvidenceOrigin(EvidenceSource.Upload, user.Id);
            await using var content = file.OpenReadStream();
            review = await reviews.StartFromCsvAsync(currentOrg.Id, occurrenceId, form["system"].FirstOrDefault(),
                new IncomingContent(content, file.FileName, file.ContentType), origin, actor, ct);
        }
        else if (request.HasJsonContentType())
        {
            StartAccessReviewRequest? body;
            try
            {
                body = await request.ReadFromJsonAsync<StartAccessReviewRequest>(ct);
            }
            catch (JsonException e)
            {
                throw UseCaseException.Invalid("body", $"The body is not valid JSON like {{ \"occurrenceId\": \"…\", \"snapshotEvidenceId\": \"…\" }}: {e.Message.Split(". Path:", 2)[0]}");
            }

            var occurrenceId = body?.OccurrenceId ?? throw UseCaseException.Invalid("occurrenceId", "occurrenceId is required.");
            var snapshotId = body.SnapshotEvidenceId ?? throw UseCaseException.Invalid("snapshotEvidenceId", "snapshotEvidenceId is required (or send a CSV as multipart).");
            review = await reviews.StartFromSnapshotAsync(currentOrg.Id, occurrenceId, snapshotId, actor, ct);
        }
        else
        {
            throw UseCaseException.Invalid("body", "Send JSON { occurrenceId, snapshotEvidenceId }, or multipart/form-data with occurrenceId, system and a CSV 'file'.");
        }

        return TypedResults.Created($"/api/v1/orgs/{currentOrg.Slug}/access-reviews/{review.Id}", await DetailAsync(currentOrg, reviews, review.Id, 1, null, false, null, ct));
    }

    private static async Task<Ok<AccessReviewDetailDto>> Get(
        Guid id, int? page, int? pageSize, bool? undecided, string? q, CurrentOrg currentOrg, AccessReviewService reviews, CancellationToken ct)
    {
        _ = PagingApi.Read(page, pageSize);
        return TypedResults.Ok(await DetailAsync(currentOrg, reviews, id, page ?? 1, pageSize, undecided ?? false, q, ct));
    }

    private static async Task<Ok<AccessReviewEntryDto>> Decide(
        Guid id, Guid entryId, DecisionRequest request, CurrentOrg currentOrg, CurrentUser user, AccessReviewService reviews, CancellationToken ct)
    {
        if (!AccessReviewService.TryParseDecision(request.Decision, out var decision))
        {
            throw UseCaseException.Invalid("decision", "decision must be keep, revoke or change.");
        }

        var entry = await reviews.DecideAsync(currentOrg.Id, id, entryId, new AccessDecisionInput(decision, request.Note, request.AccessToRemove),
            new OccurrenceActor(user.RequireId(), currentOrg.Role), ct);
        return TypedResults.Ok(ToDto(await reviews.GetEntryAsync(id, entry.Id, ct)));
    }

    private static async Task<Ok<KeptDto>> KeepUndecided(
        Guid id, KeepUndecidedRequest request, CurrentOrg currentOrg, CurrentUser user, AccessReviewService reviews, CancellationToken ct)
    {
        var kept = await reviews.KeepUndecidedAsync(currentOrg.Id, id, request.Access, new OccurrenceActor(user.RequireId(), currentOrg.Role), ct);
        return TypedResults.Ok(new KeptDto(kept));
    }

    private static async Task<Ok<AccessReviewDetailDto>> SignOff(
        Guid id, HttpRequest request, CurrentOrg currentOrg, CurrentUser user, AccessReviewService reviews, CancellationToken ct)
    {
        SignOffRequest? body = null;
        if (request.HasJsonContentType() && request.ContentLength != 0)
        {
            try
            {
                body = await request.ReadFromJsonAsync<SignOffRequest>(ct);
            }
            catch (JsonException e)
            {
                throw UseCaseException.Invalid("body", $"The body is not valid JSON like {{ \"note\": \"…\", \"actionsDue\": \"2026-04-30\" }}: {e.Message.Split(". Path:", 2)[0]}");
            }
        }

        await reviews.SignOffAsync(currentOrg.Id, id, body?.Note, body?.ActionsDue, new OccurrenceActor(user.RequireId(), currentOrg.Role), ct);
        return TypedResults.Ok(await DetailAsync(currentOrg, reviews, id, 1, null, false, null, ct));
    }

    private static async Task<Ok<SnapshotAppliedDto>> ConfirmFrom(Guid evidenceId, string? system, CurrentOrg currentOrg, AccessReviewService reviews, CancellationToken ct)
    {
        var applied = await reviews.ApplySnapshotAsync(currentOrg.Id, evidenceId, ct, system);
        return TypedResults.Ok(new SnapshotAppliedDto(evidenceId, applied.System, applied.Confirmed, applied.StillOpen));
    }

    private static async Task<Ok<PageDto<AccessReviewActionDto>>> Actions(
        string? state, int? page, int? pageSize, CurrentOrg currentOrg, AccessReviewService reviews, CancellationToken ct)
    {
        AccessActionState? filter = (state ?? "open").Trim().ToLowerInvariant() switch
        {
            "open" => AccessActionState.Open,
            "confirmed" => AccessActionState.Confirmed,
            "all" => null,
            _ => throw UseCaseException.Invalid("state", "state must be open, confirmed or all."),
        };
        var rows = await reviews.ActionsAsync(currentOrg.Id, null, filter, PagingApi.Read(page, pageSize), ct);
        return TypedResults.Ok(rows.ToDto(ToDto));
    }

    private static async Task<AccessReviewDetailDto> DetailAsync(
        CurrentOrg currentOrg, AccessReviewService reviews, Guid id, int page, int? pageSize, bool undecided, string? q, CancellationToken ct)
    {
        var review = await reviews.GetAsync(currentOrg.Id, id, ct);
        var (decided, total) = await reviews.ProgressAsync(id, ct);
        var entries = await reviews.EntriesAsync(currentOrg.Id, id, undecided, q, new PageRequest(page, pageSize ?? PageRequest.MaxPageSize), ct);
        var actions = await reviews.ActionsAsync(currentOrg.Id, id, null, new PageRequest(1, PageRequest.MaxPageSize), ct);
        return new AccessReviewDetailDto(
            ToDto(new AccessReviewSummary(review, review.Occurrence!.Activity!.Reference, review.Occurrence.Activity.Title, review.Occurrence.DueDate, total, decided)),
            entries.ToDto(ToDto), [.. actions.Items.Select(ToDto)]);
    }

    public static AccessReviewState? ParseState(string? state) => state?.Trim().ToLowerInvariant() switch
    {
        null or "" or "all" => null,
        "open" => AccessReviewState.Open,
        "signed-off" or "signedoff" => AccessReviewState.SignedOff,
        _ => throw UseCaseException.Invalid("state", "state must be open or signed-off."),
    };

    public static string ToName(AccessReviewState state) => state == AccessReviewState.SignedOff ? "signed-off" : "open";

    private static Guid ParseGuid(string? text, string field) =>
        Guid.TryParse(text, out var id) ? id : throw UseCaseException.Invalid(field, $"{field} is required: the id of an open access-review occurrence.");

    private static AccessReviewDto ToDto(AccessReviewSummary s)
    {
        var r = s.Review;
        return new AccessReviewDto(
            r.Id, r.OccurrenceId, r.Occurrence!.ActivityId, s.ActivityReference, s.ActivityTitle, s.Due,
            r.System, r.SnapshotEvidenceItemId, r.SnapshotTakenAt, r.Reviewer?.Email, ToName(r.State), r.CreatedAt,
            r.SignedOffBy?.Email, r.SignedOffAt, r.SignOffNote, r.RecordEvidenceItemId, s.Accounts, s.Decided);
    }

    private static AccessReviewEntryDto ToDto(AccessReviewEntry e) =>
        new(e.Id, e.AccountId, e.Name, e.Email, e.Disabled, e.Access, AccessReviewService.ToName(e.Decision), e.Note, e.AccessToRemove,
            e.DecidedBy?.Email, e.DecidedAt);

    private static AccessReviewActionDto ToDto(AccessReviewAction a) =>
        new(a.Id, a.AccessReviewId, a.EntryId, a.Review!.System, a.Entry!.AccountId, a.Entry.Name,
            a.Kind == AccessActionKind.Revoke ? "revoke" : "change", a.State == AccessActionState.Open ? "open" : "confirmed",
            a.Entry.Note, a.Entry.AccessToRemove, a.Assignee?.Email, a.DueDate, a.CreatedAt, a.ConfirmedAt, a.ConfirmingSnapshotEvidenceItemId);
}

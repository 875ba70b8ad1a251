using System.ComponentModel.DataAnnotations;
using Microsoft.AspNetCore.Http.HttpResults;
using Perennial.Common;
using Perennial.Hosting;
using Perennial.Incidents;
using Perennial.Security;

namespace Perennial.Changes;

public sealed record ImpactRequest(
    bool? AffectsScope,
    bool? AddsAssetsOrProcessing,
    bool? AffectsSupplier,
    bool? AffectsAccess,
    bool? AffectsLegalRequirements,
    bool? AffectsSoaControl,
    Guid? TaskOwnerUserId,
    DateOnly? TaskDueDate);

public sealed record ChangeRequest(
    [property: Required, StringLength(ChangeService.TitleMax)] string Title,
    [property: StringLength(ChangeService.DescriptionMax)] string? Description,
    [property: Required] string Type,
    [property: StringLength(ChangeService.RequesterMax)] string? Requester,
    Guid? RequesterUserId,
    DateOnly? PlannedDate,
    string? Status,
    [property: StringLength(ChangeService.ExternalIdMax)] string? ExternalId,
    IReadOnlyList<Guid>? AssetIds,
    IReadOnlyList<Guid>? ControlIds,
    ImpactRequest? Impact);

public sealed record WaiveRequest([property: StringLength(ChangeService.WaiverMax)] string? Reason);

public sealed record ImpactDto(bool? AffectsScope, bool? AddsAssetsOrProcessing, bool? AffectsSupplier, bool? AffectsAccess, bool? AffectsLegalRequirements, bool? AffectsSoaControl);

public sealed record TaskSubjectDto(string Id, string Label);

public sealed record ChangeTaskDto(
    Guid Id, string Kind, string Title, Guid? OwnerUserId, string? Owner, DateOnly DueDate, string Status,
    string? WaiverReason, DateOnly? CompletedOn, IReadOnlyList<TaskSubjectDto> Subjects);

public sealed record AssetRefDto(Guid Id, string Name);

public sealed record ControlRefDto(Guid Id, string Identifier, string Title);

public sealed record ChangeDto(
    Guid Id, string Reference, string Title, string? Description, string Type, string Status, string Source, string? ExternalId,
    string? Requester, Guid? RequesterUserId, DateOnly? PlannedDate, DateOnly? ClosedOn, DateTimeOffset CreatedAt,
    ImpactDto Impact, IReadOnlyList<AssetRefDto> Assets, IReadOnlyList<ControlRefDto> Controls, IReadOnlyList<ChangeTaskDto> Tasks);

public sealed record ChangeSummaryDto(
    Guid Id, string Reference, string Title, string Type, string Status, string Source, DateOnly? PlannedDate,
    string? Requester, int OpenTasks, bool ImpactAnswered, DateTimeOffset CreatedAt);

public sealed record OpenTaskDto(Guid Id, string Kind, string Title, DateOnly DueDate);

public sealed record WebhookSecretDto(string Secret, DateTimeOffset CreatedAt, string Url, string SignatureHeader);

public sealed record IncidentRequest(
    [property: Required] DateOnly? Date,
    [property: Required, StringLength(IncidentService.TitleMax)] string Title,
    [property: Required] string Severity,
    IReadOnlyList<Guid>? AssetIds,
    [property: StringLength(Incidents.Incident.TextMaxLength)] string? Description = null,
    IReadOnlyList<Guid>? ControlIds = null);

public sealed record IncidentEventRequest(DateTimeOffset? At, [property: Required, StringLength(Incidents.IncidentEvent.TextMaxLength)] string? Text);

public sealed record IncidentResolveRequest(DateOnly? ResolvedOn, [property: Required, StringLength(Incidents.Incident.TextMaxLength)] string? LessonsLearned);

public sealed record IncidentNonconformityRequest(
    [property: Required, StringLength(Nonconformities.Nonconformity.TitleMaxLength)] string? Title,
    [property: StringLength(Nonconformities.Nonconformity.TextMaxLength)] string? Description,
    string? Severity,
    string? OwnerEmail);

public sealed record IncidentEventDto(DateTimeOffset At, string Text, string Author, DateTimeOffset RecordedAt);

public sealed record IncidentLinkDto(Guid Id, string Reference, string Title, string? Status);

public sealed record IncidentDetailDto(
    Guid Id, string Reference, DateOnly Date, string Title, string? Description, string Severity, string Status, DateOnly? ResolvedOn, string? LessonsLearned,
    IReadOnlyList<IncidentLinkDto> Assets, IReadOnlyList<IncidentLinkDto> Controls, IReadOnlyList<IncidentEventDto> Timeline, IReadOnlyList<IncidentLinkDto> Nonconformities,
    IReadOnlyList<IncidentLinkDto> Risks, int ReviewsBroughtForward, DateTimeOffset CreatedAt);

public sealed record IncidentDto(
    Guid Id, string Reference, DateOnly Date, string Title, string Severity, IReadOnlyList<Guid> AssetIds, IReadOnlyList<string> Assets,
    DateTimeOffset CreatedAt, int? ReviewsBroughtForward);

public static class ChangesApi
{
    public static RouteGroupBuilder MapChangesApi(this RouteGroupBuilder api)
    {
        var changes = api.MapGroup("/orgs/{org}/changes").WithTags("Changes");
        changes.MapGet("/", List).WithAccess(Access.OrgAuditor).WithSummary("Changes, newest first (?status=, ?type=)");
        changes.MapPost("/", Create).WithAccess(Access.OrgContributor).WithSummary("Raise a change, optionally with its impact answers");
        changes.MapGet("/{id:guid}", Get).WithAccess(Access.OrgAuditor).WithSummary("A change with its impact answers and follow-up tasks");
        changes.MapPut("/{id:guid}", Update).WithAccess(Access.OrgContributor).WithSummary("Replace a change's fields (closing is POST …/close)");
        changes.MapPut("/{id:guid}/impact", AnswerImpact).WithAccess(Access.OrgContributor)
            .WithSummary("Answer the ISMS impact questions; each yes opens its follow-up task (revisit scope, reassess risks, review SoA rows)");
        changes.MapPost("/{id:guid}/tasks/{taskId:guid}/done", CompleteTask).WithAccess(Access.OrgContributor).WithSummary("Mark a follow-up task done");
        changes.MapPost("/{id:guid}/tasks/{taskId:guid}/waive", WaiveTask).WithAccess(Access.OrgManager).WithSummary("Waive a follow-up task, with a reason");
        changes.MapPost("/{id:guid}/close", Close).WithAccess(Access.OrgManager)
            .WithSummary("Close the change; 409 naming the open tasks until every one is done or waived");

        // The webhook authenticates by its HMAC-SHA256 signature, not by a session or an API token: the
        // ticketing system holds only the organisation's webhook secret. Access.Anonymous lets the request
        // past the access middleware; ChangeWebhook.ReceiveAsync then refuses (401) anything not signed
        // with that secret, and an unknown organisation gets the same 401.
        changes.MapPost("/webhook", Receive).WithAccess(Access.Anonymous)
            .WithSummary("Signed webhook: a JSON payload from a ticketing system becomes a change")
            .WithDescription("Header X-Perennial-Signature: sha256=<hex HMAC-SHA256 of the raw body with the organisation's webhook secret>. "
                + "Body (at most 256 KB): { id, title, description?, type? (new-product, supplier, site, restructure, system, acquisition, legal, other), "
                + "requester?, plannedDate? (YYYY-MM-DD), impact? { scope, assets, supplier, access, legal, soa } }. "
                + "201 with the change; 401 when the signature is missing or wrong; 409 for a replayed body or a ticket already recorded; 400 naming the field. See docs/CHANGES-WEBHOOK.md.");
        changes.MapPost("/webhook/secret", CreateSecret).WithAccess(Access.OrgAdmin)
            .WithSummary("Create or replace the webhook secret; it is returned once and cannot be read again");

        var incidents = api.MapGroup("/orgs/{org}/incidents").WithTags("Changes");
        incidents.MapGet("/", Incidents).WithAccess(Access.OrgAuditor).WithSummary("Incidents, most recent first");
        incidents.MapPost("/", RecordIncident).WithAccess(Access.OrgContributor)
            .WithSummary("Record an incident (date, title, severity, description, assetIds, controlIds); the reviews of the open risks on its assets are brought forward");
        incidents.MapGet("/{id:guid}", Incident).WithAccess(Access.OrgAuditor).WithSummary("One incident with its timeline, assets, controls, lessons learned and the nonconformities raised from it");
        incidents.MapPost("/{id:guid}/timeline", AddIncidentEvent).WithAccess(Access.OrgContributor).WithSummary("Add a timeline entry (at, text)");
        incidents.MapPost("/{id:guid}/resolve", ResolveIncident).WithAccess(Access.OrgContributor).WithSummary("Record it resolved (resolvedOn, lessonsLearned)");
        incidents.MapPost("/{id:guid}/nonconformity", RaiseFromIncident).WithAccess(Access.OrgContributor)
            .WithSummary("Raise a nonconformity from the incident (title, description, severity minor|major, ownerEmail); it links back to the incident");
        return api;
    }

    private static async Task<Ok<PageDto<ChangeSummaryDto>>> List(string? status, string? type, int? page, int? pageSize, CurrentOrg currentOrg, ChangeService changes, CancellationToken ct)
    {
        var query = new ChangeQuery(
            status is null ? null : ChangeNames.TryParseStatus(status, out var s) ? s : throw UseCaseException.Invalid("status", $"status must be one of {ChangeNames.StatusNames}."),
            type is null ? null : ChangeNames.TryParseType(type, out var t) ? t : throw UseCaseException.Invalid("type", $"type must be one of {ChangeNames.TypeNames}."));
        var rows = await changes.ListAsync(currentOrg.Id, query, PagingApi.Read(page, pageSize), ct);
        return TypedResults.Ok(rows.ToDto(r => new ChangeSummaryDto(r.Id, r.Reference, r.Title, r.Type.ToName(), r.Status.ToName(), r.Source.ToName(),
            r.PlannedOn, r.Requester, r.OpenTasks, r.ImpactAnswered, r.CreatedAt)));
    }

    private static async Task<Created<ChangeDto>> Create(ChangeRequest request, CurrentOrg currentOrg, ChangeService changes, CancellationToken ct)
    {
        var input = ToInput(request, ChangeStatus.Proposed);
        var impact = request.Impact;
        var change = await changes.CreateAsync(currentOrg.Id, input, ChangeSource.Api, impact is null ? null : ToAnswers(impact), ToDefaults(impact), ct);
        return TypedResults.Created($"/api/v1/orgs/{currentOrg.Slug}/changes/{change.Id}", await DtoAsync(currentOrg, changes, change.Id, ct));
    }

    private static async Task<Ok<ChangeDto>> Get(Guid id, CurrentOrg currentOrg, ChangeService changes, CancellationToken ct) =>
        TypedResults.Ok(await DtoAsync(currentOrg, changes, id, ct));

    private static async Task<Ok<ChangeDto>> Update(Guid id, ChangeRequest request, CurrentOrg currentOrg, ChangeService changes, CancellationToken ct)
    {
        var current = await changes.GetAsync(currentOrg.Id, id, ct) ?? throw UseCaseException.NotFound("No such change.");
        await changes.UpdateAsync(currentOrg.Id, id, ToInput(request, current.Status), ct);
        return TypedResults.Ok(await DtoAsync(currentOrg, changes, id, ct));
    }

    private static async Task<Ok<ChangeDto>> AnswerImpact(Guid id, ImpactRequest request, CurrentOrg currentOrg, ChangeService changes, CancellationToken ct)
    {
        await changes.AnswerImpactAsync(currentOrg.Id, id, ToAnswers(request), ToDefaults(request), ct);
        return TypedResults.Ok(await DtoAsync(currentOrg, changes, id, ct));
    }

    private static async Task<Ok<ChangeDto>> CompleteTask(Guid id, Guid taskId, CurrentOrg currentOrg, ChangeService changes, CancellationToken ct)
    {
        await changes.CompleteTaskAsync(currentOrg.Id, id, taskId, ct);
        return TypedResults.Ok(await DtoAsync(currentOrg, changes, id, ct));
    }

    private static async Task<Ok<ChangeDto>> WaiveTask(Guid id, Guid taskId, WaiveRequest request, CurrentOrg currentOrg, ChangeService changes, CancellationToken ct)
    {
        await changes.WaiveTaskAsync(currentOrg.Id, id, taskId, request.Reason, ct);
        return TypedResults.Ok(await DtoAsync(currentOrg, changes, id, ct));
    }

    private static async Task<Results<Ok<ChangeDto>, ProblemHttpResult>> Close(Guid id, CurrentOrg currentOrg, ChangeService changes, CancellationToken ct)
    {
        try
        {
            await changes.CloseAsync(currentOrg.Id, id, ct);
        }
        catch (UseCaseException e) when (e.Kind == UseCaseErrorKind.Conflict && e.Field == "tasks")
        {
            // The detail names the open tasks; scripts also get them as a list.
            var change = await changes.GetAsync(currentOrg.Id, id, ct) ?? throw UseCaseException.NotFound("No such change.");
            var problem = ApiExceptionHandler.FromUseCase(e);
            problem.Extensions["openTasks"] = ChangeService.OpenTasks(change).Select(t => new OpenTaskDto(t.Id, t.Kind.ToName(), t.Title, t.DueOn)).ToList();
            return TypedResults.Problem(problem);
        }

        return TypedResults.Ok(await DtoAsync(currentOrg, changes, id, ct));
    }

    private static ProblemHttpResult Unsigned() =>
        TypedResults.Problem(statusCode: StatusCodes.Status401Unauthorized, title: "Unauthorized",
            detail: $"The request is not signed with this organisation's webhook secret: send {ChangeWebhook.SignatureHeader}: sha256=<hex HMAC-SHA256 of the body>.");

    private static async Task<IResult> Receive(string org, HttpContext context, ChangeWebhook webhook, ChangeService changes, CancellationToken ct)
    {
        var organisationId = await webhook.OrganisationIdAsync(org, ct);
        if (organisationId is not { } orgId)
        {
            // The same answer as a bad signature, so an unsigned caller cannot tell which organisations exist.
            return Unsigned();
        }

        var body = await ReadBodyAsync(context.Request, ct);
        if (body is null)
        {
            return TypedResults.Problem(statusCode: StatusCodes.Status413PayloadTooLarge, title: "Payload too large",
                detail: $"The body is at most {ChangeWebhook.MaxBodyBytes / 1024} KB.");
        }

        var change = await webhook.ReceiveAsync(orgId, body, context.Request.Headers[ChangeWebhook.SignatureHeader], ct);
        if (change is null)
        {
            // One answer for a missing header, a wrong signature and an organisation without a secret.
            return Unsigned();
        }

        var details = await changes.DetailsAsync(orgId, change.Id, ct) ?? throw UseCaseException.NotFound("No such change.");
        return TypedResults.Created($"/api/v1/orgs/{org}/changes/{change.Id}", ToDto(details));
    }

    private static async Task<Ok<WebhookSecretDto>> CreateSecret(HttpRequest request, CurrentOrg currentOrg, ChangeWebhook webhook, CancellationToken ct)
    {
        var secret = await webhook.CreateSecretAsync(currentOrg.Id, ct);
        var createdAt = await webhook.SecretCreatedAtAsync(currentOrg.Id, ct) ?? default;
        return TypedResults.Ok(new WebhookSecretDto(secret, createdAt, WebhookUrl(request, currentOrg.Slug), ChangeWebhook.SignatureHeader));
    }

    private static async Task<Ok<PageDto<IncidentDto>>> Incidents(int? page, int? pageSize, CurrentOrg currentOrg, IncidentService incidents, CancellationToken ct)
    {
        var rows = await incidents.ListAsync(currentOrg.Id, PagingApi.Read(page, pageSize), ct);
        return TypedResults.Ok(rows.ToDto(i => new IncidentDto(i.Id, i.Reference, i.OccurredOn, i.Title, i.Severity.ToName(), i.AssetIds, i.Assets, i.CreatedAt, null)));
    }

    private static async Task<Created<IncidentDto>> RecordIncident(IncidentRequest request, CurrentOrg currentOrg, CurrentUser user, IncidentService incidents, CancellationToken ct)
    {
        var severity = ChangeNames.TryParseSeverity(request.Severity, out var s) ? s : throw UseCaseException.Invalid("severity", $"severity must be one of {ChangeNames.SeverityNames}.");
        var recorded = await incidents.RecordAsync(currentOrg.Id, new IncidentInput(request.Date!.Value, request.Title, severity, request.AssetIds, request.Description, request.ControlIds), ct, user.DisplayName);
        var i = recorded.Incident;
        var assetIds = i.Assets.Select(a => a.AssetId).ToList();
        return TypedResults.Created($"/api/v1/orgs/{currentOrg.Slug}/incidents/{i.Id}",
            new IncidentDto(i.Id, i.Reference, i.OccurredOn, i.Title, i.Severity.ToName(), assetIds, recorded.Assets, i.CreatedAt, recorded.ReviewsBroughtForward));
    }

    private static async Task<Ok<IncidentDetailDto>> Incident(Guid id, CurrentOrg currentOrg, IncidentService incidents, CancellationToken ct) =>
        TypedResults.Ok(IncidentDetail(await incidents.GetAsync(currentOrg.Id, id, ct)));

    private static async Task<Created<IncidentEventDto>> AddIncidentEvent(Guid id, IncidentEventRequest request, CurrentOrg currentOrg, CurrentUser user, IncidentService incidents, CancellationToken ct)
    {
        var e = await incidents.AddEventAsync(currentOrg.Id, id, request.At, request.Text, user.DisplayName, ct);
        return TypedResults.Created($"/api/v1/orgs/{currentOrg.Slug}/incidents/{id}", new IncidentEventDto(e.At, e.Text, e.Author, e.RecordedAt));
    }

    private static async Task<Ok<IncidentDetailDto>> ResolveIncident(Guid id, IncidentResolveRequest request, CurrentOrg currentOrg, CurrentUser user, IncidentService incidents, CancellationToken ct)
    {
        await incidents.ResolveAsync(currentOrg.Id, id, request.ResolvedOn, request.LessonsLearned, user.DisplayName, ct);
        return TypedResults.Ok(IncidentDetail(await incidents.GetAsync(currentOrg.Id, id, ct)));
    }

    private static async Task<Created<IncidentDetailDto>> RaiseFromIncident(
        Guid id, IncidentNonconformityRequest request, CurrentOrg currentOrg, CurrentUser user, IncidentService incidents, Nonconformities.NonconformityWorkflow workflow,
        Activities.ActivityService activities, CancellationToken ct)
    {
        var incident = await incidents.GetAsync(currentOrg.Id, id, ct);
        var severity = (request.Severity ?? "minor").Trim().ToLowerInvariant() switch
        {
            "minor" => Nonconformities.NonconformitySeverity.Minor,
            "major" => Nonconformities.NonconformitySeverity.Major,
            _ => throw UseCaseException.Invalid("severity", "severity must be minor or major."),
        };
        var owner = string.IsNullOrWhiteSpace(request.OwnerEmail) ? (Guid?)null : await activities.ResolveMemberAsync(currentOrg.Id, request.OwnerEmail, "ownerEmail", ct);
        await workflow.RaiseAsync(currentOrg.Id, new Nonconformities.NonconformityActor(user.RequireId(), user.DisplayName, currentOrg.Role),
            new Nonconformities.RaiseNonconformity(request.Title, request.Description ?? $"Raised from incident {incident.Incident.Reference}: {incident.Incident.Title}", severity,
                Nonconformities.NonconformitySource.Incident, null, owner, null, null, id), ct);
        return TypedResults.Created($"/api/v1/orgs/{currentOrg.Slug}/incidents/{id}", IncidentDetail(await incidents.GetAsync(currentOrg.Id, id, ct)));
    }

    private static IncidentDetailDto IncidentDetail(IncidentView v)
    {
        var i = v.Incident;
        return new IncidentDetailDto(i.Id, i.Reference, i.OccurredOn, i.Title, i.Description, i.Severity.ToName(), i.Status == IncidentStatus.Resolved ? "resolved" : "open",
            i.ResolvedOn, i.LessonsLearned, [.. v.Assets.Select(a => new IncidentLinkDto(a.Id, a.Name, a.Name, null))],
            [.. v.Controls.Select(c => new IncidentLinkDto(c.Id, c.Identifier, c.Title, null))], [.. v.Timeline.Select(e => new IncidentEventDto(e.At, e.Text, e.Author, e.RecordedAt))],
            [.. v.Nonconformities.Select(n => new IncidentLinkDto(n.Id, n.Reference, n.Title, n.Status))],
            [.. v.Risks.Select(r => new IncidentLinkDto(r.Id, r.Reference, r.Title, r.LastReviewedOn is { } last && last >= i.OccurredOn ? "reviewed" : $"review due {r.NextReviewOn:yyyy-MM-dd}"))],
            i.ReviewsBroughtForward, i.CreatedAt);
    }

    /// <summary>The webhook's address on this installation, as the caller reached it.</summary>
    public static string WebhookUrl(HttpRequest request, string slug)
    {
        ArgumentNullException.ThrowIfNull(request);
        return $"{request.Scheme}://{request.Host}{request.PathBase}/api/v1/orgs/{slug}/changes/webhook";
    }

    private static async Task<byte[]?> ReadBodyAsync(HttpRequest request, CancellationToken ct)
    {
        if (request.ContentLength > ChangeWebhook.MaxBodyBytes)
        {
            return null;
        }

        using var buffer = new MemoryStream();
        var chunk = new byte[16 * 1024];
        int read;
        while ((read = await request.Body.ReadAsync(chunk, ct)) > 0)
        {
            if (buffer.Length + read > ChangeWebhook.MaxBodyBytes)
            {
                return null;
            }

            buffer.Write(chunk, 0, read);
        }

        return buffer.ToArray();
    }

    private static ChangeInput ToInput(ChangeRequest r, ChangeStatus currentStatus) =>
        new(r.Title, r.Description,
            ChangeNames.TryParseType(r.Type, out var type) ? type : throw UseCaseException.Invalid("type", $"type must be one of {ChangeNames.TypeNames}."),
            r.Requester, r.RequesterUserId, r.PlannedDate,
            r.Status is null ? currentStatus : ChangeNames.TryParseStatus(r.Status, out var status) ? status : throw UseCaseException.Invalid("status", $"status must be one of {ChangeNames.StatusNames}."),
            r.AssetIds, r.ControlIds, r.ExternalId);

    private static ImpactAnswers ToAnswers(ImpactRequest r) =>
        new(r.AffectsScope, r.AddsAssetsOrProcessing, r.AffectsSupplier, r.AffectsAccess, r.AffectsLegalRequirements, r.AffectsSoaControl);

    private static TaskDefaults? ToDefaults(ImpactRequest? r) =>
        r is null || (r.TaskOwnerUserId is null && r.TaskDueDate is null) ? null : new TaskDefaults(r.TaskOwnerUserId, r.TaskDueDate);

    private static async Task<ChangeDto> DtoAsync(CurrentOrg currentOrg, ChangeService changes, Guid id, CancellationToken ct) =>
        ToDto(await changes.DetailsAsync(currentOrg.Id, id, ct) ?? throw UseCaseException.NotFound("No such change."));

    internal static ChangeDto ToDto(ChangeDetails d)
    {
        var c = d.Change;
        return new ChangeDto(c.Id, c.Reference, c.Title, c.Description, c.Type.ToName(), c.Status.ToName(), c.Source.ToName(), c.ExternalId,
            d.Requester, c.RequesterUserId, c.PlannedOn, c.ClosedOn, c.CreatedAt,
            new ImpactDto(c.AffectsScope, c.AddsAssetsOrProcessing, c.AffectsSupplier, c.AffectsAccess, c.AffectsLegalRequirements, c.AffectsSoaControl),
            d.Assets.Select(a => new AssetRefDto(a.Id, a.Name)).ToList(),
            d.Controls.Select(x => new ControlRefDto(x.Id, x.Identifier, x.Title)).ToList(),
            d.Tasks.Select(t => new ChangeTaskDto(t.Task.Id, t.Task.Kind.ToName(), t.Task.Title, t.Task.OwnerUserId, t.Owner, t.Task.DueOn, t.Task.Status.ToName(),
                t.Task.WaiverReason, t.Task.CompletedOn, t.Subjects.Select(s => new TaskSubjectDto(s.Id, s.Label)).ToList())).ToList());
    }
}

using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Mvc;
using Perennial.Common;
using Perennial.Hosting;
using Perennial.Security;

namespace Perennial.Activities;

/// <summary>An activity as the API takes it. People are given by e-mail (or user id); dtStart is local to timeZone.</summary>
public sealed record ActivityRequest(
    string? Title,
    string? Description,
    string? OwnerEmail,
    string? DeputyEmail,
    string? EscalationEmail,
    string? Rrule,
    string? Schedule,
    string? DtStart,
    string? TimeZone,
    IReadOnlyList<string>? ExceptionDates,
    int? GraceDays,
    IReadOnlyList<int>? ReminderLeadDays,
    IReadOnlyList<string>? EvidenceRequired,
    IReadOnlyList<Guid>? ControlIds,
    IReadOnlyList<Guid>? FrameworkIds,
    string? State,
    string? ScheduleSource,
    int? EvidenceFreshnessDays = null);

public sealed record PreviewRequest(string? Rrule, string? Schedule, string? DtStart, string? TimeZone, IReadOnlyList<string>? ExceptionDates, int? Count);

public sealed record PreviewDto(string Rrule, string Frequency, IReadOnlyList<string> Next);

public sealed record FromTemplatesRequest(IReadOnlyList<string>? Templates, string? OwnerEmail, DateOnly? StartDate, string? TimeZone);

public sealed record TemplateDto(
    string Key, string Title, string Procedure, string Schedule, string Frequency, IReadOnlyList<string> EvidenceRequired, IReadOnlyList<string> Controls, string ScheduleSource,
    int? EvidenceFreshnessDays);

public sealed record ControlLinkDto(Guid Id, string Identifier, string Title);

public sealed record ActivityDto(
    Guid Id, string Reference, string Title, string? Description,
    string? Rrule, string DtStart, string TimeZone, IReadOnlyList<string> ExceptionDates, string ScheduleSource, string Frequency,
    Guid OwnerUserId, string? OwnerEmail, string OwnerName,
    Guid? DeputyUserId, string? DeputyEmail, string? DeputyName,
    Guid? EscalationUserId, string? EscalationEmail,
    int GraceDays, IReadOnlyList<int> ReminderLeadDays, IReadOnlyList<string> EvidenceRequired,
    IReadOnlyList<Guid> ControlIds, IReadOnlyList<Guid> FrameworkIds, string State, string? TemplateKey, DateTimeOffset CreatedAt,
    int? EvidenceFreshnessDays);

public sealed record OccurrenceDto(
    Guid Id, Guid ActivityId, string ActivityReference, string ActivityTitle, string Due, DateTimeOffset DueUtc, string TimeZone,
    string Status, string State, Guid OwnerUserId, string? OwnerEmail, string OwnerName, string? DeputyName,
    DateTimeOffset? CompletedAt, int EvidenceCount, Guid? NonconformityId, Guid? ExternalAuditId);

public sealed record EvidenceDto(Guid Id, string Kind, string? Requirement, string? FileName, string? ContentType, long? Size, string? Sha256, string? Url, DateTimeOffset AddedAt);

public sealed record OccurrenceDetailDto(
    OccurrenceDto Occurrence, string? Notes, string? SkipReason, string? SkipApprovedBy, string? CompletedBy,
    IReadOnlyList<string> EvidenceRequired, IReadOnlyList<EvidenceDto> Evidence);

public sealed record SkipRequest(string? Reason);

public sealed record RescheduleRequest(string? Due);

public static class ActivitiesApi
{
    public static RouteGroupBuilder MapActivitiesApi(this RouteGroupBuilder api)
    {
        var activities = api.MapGroup("/orgs/{org}/activities").WithTags("Activities");
        activities.MapGet("/", List).WithAccess(Access.OrgAuditor).WithSummary("Activities by title (?owner=e-mail, ?control=id, ?framework=id, ?state=, ?q=)");
        activities.MapPost("/", Create).WithAccess(Access.OrgManager).WithSummary("Create an activity; its occurrences are generated from its RRULE");
        activities.MapGet("/{id:guid}", Get).WithAccess(Access.OrgAuditor).WithSummary("One activity");
        activities.MapPut("/{id:guid}", Update).WithAccess(Access.OrgManager)
            .WithSummary("Replace an activity's fields; a schedule change moves future open occurrences only");
        activities.MapDelete("/{id:guid}", Delete).WithAccess(Access.OrgManager)
            .WithSummary("Delete an activity without history; 409 when it has completed or skipped occurrences (retire it instead)");
        activities.MapGet("/{id:guid}/occurrences", ActivityOccurrences).WithAccess(Access.OrgAuditor)
            .WithSummary("The activity's occurrences due between ?from= and ?to= (dates, inclusive; default: this year)");
        activities.MapPost("/preview", Preview).WithAccess(Access.OrgContributor).WithSummary("The next dates a schedule would produce, and the rule in words");
        activities.MapPost("/from-templates", FromTemplates).WithAccess(Access.OrgManager)
            .WithSummary("Create activities from templates (see GET …/activity-templates); templates already in use are skipped");
        api.MapGet("/orgs/{org}/activity-templates", Templates).WithTags("Activities").WithAccess(Access.OrgAuditor)
            .WithSummary("The built-in templates for periodic ISMS activities");

        api.MapGet("/orgs/{org}/calendar", Calendar).WithTags("Activities").WithAccess(Access.OrgAuditor)
            .WithSummary("Occurrences due between ?from= and ?to= (inclusive), with owner and status (?owner=, ?status=, ?control=, ?framework=, ?activity=)");

        var occurrences = api.MapGroup("/orgs/{org}/occurrences").WithTags("Activities");
        occurrences.MapGet("/{id:guid}", GetOccurrence).WithAccess(Access.OrgAuditor).WithSummary("An occurrence with its evidence");
        occurrences.MapPost("/{id:guid}/complete", Complete).WithAccess(Access.OrgContributor).DisableAntiforgery()
            .WithMetadata(new RequestSizeLimitAttribute(EvidenceUpload.MaxRequestBytes), new RequestFormLimitsAttribute { MultipartBodyLengthLimit = EvidenceUpload.MaxRequestBytes })
            .WithSummary("Complete an occurrence (multipart: notes, evidence files, link fields)")
            .WithDescription("Form fields: notes; any number of file parts (a part named evidence:<requirement> answers that requirement; others fill the open requirements in order); "
                + "link (repeatable) for links. 400 naming the missing evidence when the activity's requirements are not covered.");
        occurrences.MapPost("/{id:guid}/skip", Skip).WithAccess(Access.OrgManager).DisableAntiforgery()
            .WithSummary("Skip an occurrence with a reason (form field or JSON 'reason'); the manager is recorded as approver");
        occurrences.MapPost("/{id:guid}/reschedule", Reschedule).WithAccess(Access.OrgContributor)
            .WithSummary("Move an open occurrence to another local date-time; it keeps its id and calendar UID");
        occurrences.MapGet("/{id:guid}/evidence/{evidenceId:guid}/content", EvidenceContent).WithAccess(Access.OrgAuditor)
            .WithSummary("Download an evidence file (always as an attachment)");
        return api;
    }

    private static async Task<Ok<PageDto<ActivityDto>>> List(
        string? owner, Guid? control, Guid? framework, string? state, string? q, int? page, int? pageSize,
        CurrentOrg currentOrg, ActivityService activities, CancellationToken ct)
    {
        var query = new ActivityQuery(
            owner is null ? null : await activities.ResolveMemberAsync(currentOrg.Id, owner, "owner", ct),
            control, framework, state is null ? null : ActivityNames.ParseState(state, "state"), q);
        var rows = await activities.ListAsync(currentOrg.Id, query, PagingApi.Read(page, pageSize), ct);
        return TypedResults.Ok(rows.ToDto(ToDto));
    }

    private static async Task<Created<ActivityDto>> Create(ActivityRequest request, CurrentOrg currentOrg, ActivityService activities, CancellationToken ct)
    {
        var input = await ToInputAsync(request, null, currentOrg, activities, ct);
        var activity = await activities.CreateAsync(currentOrg.Id, input, ct);
        return TypedResults.Created($"/api/v1/orgs/{currentOrg.Slug}/activities/{activity.Id}", ToDto(await activities.GetAsync(currentOrg.Id, activity.Id, ct)));
    }

    private static async Task<Ok<ActivityDto>> Get(Guid id, CurrentOrg currentOrg, ActivityService activities, CancellationToken ct) =>
        TypedResults.Ok(ToDto(await activities.GetAsync(currentOrg.Id, id, ct)));

    private static async Task<Ok<ActivityDto>> Update(Guid id, ActivityRequest request, CurrentOrg currentOrg, ActivityService activities, CancellationToken ct)
    {
        var current = await activities.GetAsync(currentOrg.Id, id, ct);
        var input = await ToInputAsync(request, current, currentOrg, activities, ct);
        await activities.UpdateAsync(currentOrg.Id, id, input, ct);
        return TypedResults.Ok(ToDto(await activities.GetAsync(currentOrg.Id, id, ct)));
    }

    private static async Task<NoContent> Delete(Guid id, CurrentOrg currentOrg, ActivityService activities, CancellationToken ct)
    {
        await activities.DeleteAsync(currentOrg.Id, id, ct);
        return TypedResults.NoContent();
    }

    private static Ok<PreviewDto> Preview(PreviewRequest request, ActivityService activities)
    {
        var dtStart = ActivityNames.ParseLocal(request.DtStart, "dtStart");
        var rrule = ResolveRule(request.Rrule, request.Schedule, DateOnly.FromDateTime(dtStart));
        var schedule = new ActivitySchedule(rrule, dtStart, request.TimeZone ?? "UTC", request.ExceptionDates ?? []);
        var count = Math.Clamp(request.Count ?? 5, 1, 50);
        var next = activities.Preview(schedule, count);
        return TypedResults.Ok(new PreviewDto(ActivitySchedule.Normalise(rrule), ScheduleWords.Describe(rrule, DateOnly.FromDateTime(dtStart)),
            [.. next.Select(n => ActivityNames.FormatLocal(n.Local))]));
    }

    private static async Task<Created<IReadOnlyList<ActivityDto>>> FromTemplates(FromTemplatesRequest request, CurrentOrg currentOrg, CurrentUser user, ActivityService activities, TimeProvider time, CancellationToken ct)
    {
        var owner = request.OwnerEmail is null ? user.RequireId() : await activities.ResolveMemberAsync(currentOrg.Id, request.OwnerEmail, "ownerEmail", ct);
        var start = request.StartDate ?? DateOnly.FromDateTime(time.GetUtcNow().UtcDateTime);
        var created = await activities.CreateFromTemplatesAsync(currentOrg.Id, request.Templates ?? [], owner, start, request.TimeZone ?? "UTC", ct);
        var dtos = new List<ActivityDto>();
        foreach (var activity in created)
        {
            dtos.Add(ToDto(await activities.GetAsync(currentOrg.Id, activity.Id, ct)));
        }

        return TypedResults.Created($"/api/v1/orgs/{currentOrg.Slug}/activities", (IReadOnlyList<ActivityDto>)dtos);
    }

    private static Ok<IReadOnlyList<TemplateDto>> Templates(TimeProvider time)
    {
        var today = DateOnly.FromDateTime(time.GetUtcNow().UtcDateTime);
        return TypedResults.Ok((IReadOnlyList<TemplateDto>)[.. ActivityTemplates.All.Select(t => new TemplateDto(
            t.Key, t.Title, t.Procedure, t.Preset,
            t.Source == ScheduleSource.CertificationCycle ? "On the external audit dates of the certification cycle" : ScheduleWords.Describe(SchedulePresets.Rule(t.Preset, today), today),
            t.Evidence, t.Controls, ActivityNames.ToName(t.Source), t.EvidenceFreshnessDays))]);
    }

    private static async Task<Ok<IReadOnlyList<OccurrenceDto>>> ActivityOccurrences(Guid id, string? from, string? to, CurrentOrg currentOrg, ActivityService activities, OccurrenceService occurrences, TimeProvider time, CancellationToken ct)
    {
        _ = await activities.GetAsync(currentOrg.Id, id, ct);
        var (start, end) = ActivityNames.ReadRange(from, to, time);
        var rows = await occurrences.ListAsync(currentOrg.Id, new OccurrenceQuery(start, end, ActivityId: id, IncludeInactive: true), ct);
        return TypedResults.Ok((IReadOnlyList<OccurrenceDto>)[.. rows.Select(ToDto)]);
    }

    private static async Task<Ok<IReadOnlyList<OccurrenceDto>>> Calendar(
        string? from, string? to, string? owner, string? status, Guid? control, Guid? framework, Guid? activity,
        CurrentOrg currentOrg, ActivityService activities, OccurrenceService occurrences, TimeProvider time, CancellationToken ct)
    {
        var (start, end) = ActivityNames.ReadRange(from, to, time);
        var query = new OccurrenceQuery(start, end, activity,
            owner is null ? null : await activities.ResolveMemberAsync(currentOrg.Id, owner, "owner", ct),
            control, framework, status is null ? null : ActivityNames.ParseStatus(status, "status"));
        var rows = await occurrences.ListAsync(currentOrg.Id, query, ct);
        return TypedResults.Ok((IReadOnlyList<OccurrenceDto>)[.. rows.Select(ToDto)]);
    }

    private static async Task<Ok<OccurrenceDetailDto>> GetOccurrence(Guid id, CurrentOrg currentOrg, OccurrenceService occurrences, CancellationToken ct) =>
        TypedResults.Ok(await DetailAsync(currentOrg, occurrences, id, ct));

    private static async Task<Ok<OccurrenceDetailDto>> Complete(
        Guid id, HttpRequest request, CurrentOrg currentOrg, CurrentUser user, OccurrenceService occurrences, PerennialOptions options, CancellationToken ct)
    {
        if (!request.HasFormContentType)
        {
            throw UseCaseException.Invalid("body", "Send the completion as multipart/form-data (notes, files, link) or a URL-encoded form.");
        }

        var form = await EvidenceUpload.ReadFormAsync(request, ct);
        var files = form.Files.Select(f => new EvidenceFile(f.FileName, f.ContentType, f.OpenReadStream(), EvidenceUpload.RequirementOf(f.Name))).ToList();
        try
        {
            var links = form["link"].Concat(form["links"]).Where(l => !string.IsNullOrWhiteSpace(l)).Select(l => new EvidenceLink(l!)).ToList();
            await occurrences.CompleteAsync(currentOrg.Id, id, new OccurrenceActor(user.RequireId(), currentOrg.Role), form["notes"].FirstOrDefault(),
                files, links, options.Evidence.MaxUploadBytes, ct);
        }
        finally
        {
            foreach (var file in files)
            {
                await file.Content.DisposeAsync();
            }
        }

        return TypedResults.Ok(await DetailAsync(currentOrg, occurrences, id, ct));
    }

    private static async Task<Ok<OccurrenceDetailDto>> Skip(Guid id, HttpRequest request, CurrentOrg currentOrg, CurrentUser user, OccurrenceService occurrences, CancellationToken ct)
    {
        string? reason;
        if (request.HasFormContentType)
        {
            reason = (await request.ReadFormAsync(ct))["reason"].FirstOrDefault();
        }
        else if (request.HasJsonContentType())
        {
            try
            {
                reason = (await request.ReadFromJsonAsync<SkipRequest>(ct))?.Reason;
            }
            catch (System.Text.Json.JsonException)
            {
                throw UseCaseException.Invalid("reason", "The body is not valid JSON like { \"reason\": \"…\" }.");
            }
        }
        else
        {
            throw UseCaseException.Invalid("reason", "Send the reason as a form field or JSON { \"reason\": \"…\" }.");
        }

        await occurrences.SkipAsync(currentOrg.Id, id, new OccurrenceActor(user.RequireId(), currentOrg.Role), reason, ct);
        return TypedResults.Ok(await DetailAsync(currentOrg, occurrences, id, ct));
    }

    private static async Task<Ok<OccurrenceDetailDto>> Reschedule(Guid id, RescheduleRequest request, CurrentOrg currentOrg, CurrentUser user, OccurrenceService occurrences, CancellationToken ct)
    {
        var due = ActivityNames.ParseLocal(request.Due, "due");
        await occurrences.RescheduleAsync(currentOrg.Id, id, new OccurrenceActor(user.RequireId(), currentOrg.Role), due, ct);
        return TypedResults.Ok(await DetailAsync(currentOrg, occurrences, id, ct));
    }

    private static async Task<IResult> EvidenceContent(Guid id, Guid evidenceId, HttpContext context, CurrentOrg currentOrg, OccurrenceService occurrences, CancellationToken ct)
    {
        var (evidence, content) = await occurrences.OpenEvidenceAsync(currentOrg.Id, evidenceId, ct);
        if (evidence.OccurrenceId != id)
        {
            await content.DisposeAsync();
            throw UseCaseException.NotFound("No such evidence file on this occurrence.");
        }

        return EvidenceUpload.Attachment(context, content, evidence.FileName ?? "evidence", evidence.ContentType);
    }

    private static async Task<OccurrenceDetailDto> DetailAsync(CurrentOrg currentOrg, OccurrenceService occurrences, Guid id, CancellationToken ct)
    {
        var row = await occurrences.GetRowAsync(currentOrg.Id, id, ct);
        var occurrence = await occurrences.GetAsync(currentOrg.Id, id, ct);
        return new OccurrenceDetailDto(
            ToDto(row), occurrence.Notes, occurrence.SkipReason, occurrence.SkipApprovedBy?.DisplayName, occurrence.CompletedBy?.DisplayName,
            occurrence.Activity!.EvidenceRequired,
            [.. occurrence.Evidence.OrderBy(e => e.AddedAt).Select(e => new EvidenceDto(e.Id, e.Kind == OccurrenceEvidenceKind.File ? "file" : "link",
                e.Requirement, e.FileName, e.ContentType, e.Size, e.Sha256, e.Url, e.AddedAt))]);
    }

    private static async Task<ActivityInput> ToInputAsync(ActivityRequest request, Activity? current, CurrentOrg currentOrg, ActivityService activities, CancellationToken ct)
    {
        var source = request.ScheduleSource is null ? current?.ScheduleSource ?? ScheduleSource.Rule : ActivityNames.ParseSource(request.ScheduleSource);
        var dtStart = request.DtStart is null && current is not null ? current.DtStart : ActivityNames.ParseLocal(request.DtStart, "dtStart");
        var rrule = source == ScheduleSource.Rule ? ResolveRule(request.Rrule, request.Schedule, DateOnly.FromDateTime(dtStart)) : null;
        if (string.IsNullOrWhiteSpace(request.OwnerEmail))
        {
            throw UseCaseException.Invalid("ownerEmail", "An owner (ownerEmail) is required.");
        }

        var owner = await activities.ResolveMemberAsync(currentOrg.Id, request.OwnerEmail, "ownerEmail", ct);
        Guid? deputy = string.IsNullOrWhiteSpace(request.DeputyEmail) ? null : await activities.ResolveMemberAsync(currentOrg.Id, request.DeputyEmail, "deputyEmail", ct);
        Guid? escalation = string.IsNullOrWhiteSpace(request.EscalationEmail) ? null : await activities.ResolveMemberAsync(currentOrg.Id, request.EscalationEmail, "escalationEmail", ct);
        return new ActivityInput(
            request.Title ?? "", request.Description, owner, deputy, escalation, rrule, dtStart, request.TimeZone ?? current?.TimeZone ?? "UTC",
            request.ExceptionDates, request.GraceDays, request.ReminderLeadDays, request.EvidenceRequired,
            request.ControlIds, request.FrameworkIds,
            request.State is null ? current?.State ?? ActivityState.Active : ActivityNames.ParseState(request.State, "state"),
            source, current?.TemplateKey, request.EvidenceFreshnessDays);
    }

    private static string ResolveRule(string? rrule, string? preset, DateOnly start)
    {
        if (!string.IsNullOrWhiteSpace(rrule))
        {
            return rrule;
        }

        if (string.IsNullOrWhiteSpace(preset) || preset == SchedulePresets.Custom)
        {
            throw UseCaseException.Invalid("rrule", "Give a recurrence rule (rrule, e.g. FREQ=MONTHLY;BYMONTHDAY=1) or a schedule: "
                + string.Join(", ", SchedulePresets.All.Where(p => p.Key != SchedulePresets.Custom).Select(p => p.Key)) + ".");
        }

        return SchedulePresets.Rule(preset.Trim().ToLowerInvariant(), start)
            ?? throw UseCaseException.Invalid("schedule", $"'{preset}' is not a schedule; use one of {string.Join(", ", SchedulePresets.All.Select(p => p.Key))}.");
    }

    public static ActivityDto ToDto(Activity a)
    {
        ArgumentNullException.ThrowIfNull(a);
        return new(
            a.Id, a.Reference, a.Title, a.Description,
            a.Rrule, ActivityNames.FormatLocal(a.DtStart), a.TimeZone, a.ExceptionDates, ActivityNames.ToName(a.ScheduleSource),
            a.ScheduleSource == ScheduleSource.CertificationCycle ? "On the external audit dates of the certification cycle" : ScheduleWords.Describe(a.Rrule, a.StartDate),
            a.OwnerUserId, a.Owner?.Email, a.Owner?.DisplayName ?? "",
            a.DeputyUserId, a.Deputy?.Email, a.Deputy?.DisplayName,
            a.EscalationUserId, a.Escalation?.Email,
            a.GraceDays, a.ReminderLeadDays, a.EvidenceRequired,
            [.. a.Controls.Select(c => c.ControlId)], [.. a.Frameworks.Select(f => f.FrameworkId)], ActivityNames.ToName(a.State), a.TemplateKey, a.CreatedAt,
            a.EvidenceFreshnessDays);
    }

    public static OccurrenceDto ToDto(OccurrenceRow r)
    {
        ArgumentNullException.ThrowIfNull(r);
        return new(r.Id, r.ActivityId, r.ActivityReference, r.ActivityTitle, ActivityNames.FormatLocal(r.Due), r.DueAt, r.TimeZone,
            ActivityNames.ToName(r.Status), r.State.ToString().ToLowerInvariant(), r.OwnerUserId, r.OwnerEmail, r.OwnerName, r.DeputyName,
            r.CompletedAt, r.EvidenceCount, r.NonconformityId, r.ExternalAuditId);
    }
}

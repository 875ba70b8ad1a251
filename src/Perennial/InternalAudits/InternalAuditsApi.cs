using System.ComponentModel.DataAnnotations;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Mvc;
using Microsoft.EntityFrameworkCore;
using Perennial.Activities;
using Perennial.Common;
using Perennial.Data;
using Perennial.Evidence;
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

public sealed record ProposedItemDto(string Identifier, string Reason);

public sealed record ProposedAuditDto(Guid? AuditId, string? Reference, string Title, DateOnly PlannedStart, DateOnly PlannedEnd, IReadOnlyList<string> Scope, IReadOnlyList<ProposedItemDto> Added);

public sealed record ProposalDto(int? Cycle, DateOnly Deadline, string DeadlineReason, IReadOnlyList<string> Gaps, IReadOnlyList<ProposedAuditDto> Audits);

public sealed record ScopeItemDto(string Identifier, string Kind, string Title);

public sealed record AuditorDto(PersonDto Person, bool Lead, string? ConflictOverridden, string? OverrideJustification);

/// <summary>One checklist item of a started audit, with its result.</summary>
public sealed record ChecklistItemDto(
    Guid Id, string Identifier, string Kind, string? Result, string? Notes, IReadOnlyList<Guid> EvidenceIds, Guid? NonconformityId, Guid? ImprovementId,
    DateTimeOffset? RecordedAt);

public sealed record StartAuditRequest(DateOnly? PeriodFrom, DateOnly? PeriodTo);

public sealed record CancelAuditRequest(string? Reason);

public sealed record AttachedEvidenceDto(Guid EvidenceId, string? Sha256, ChecklistItemDto Item);

public sealed record SampleRequest([property: Required] Guid? ActivityId, int? Seed);

public sealed record ResultRequest([property: Required] string? Result, [property: StringLength(ChecklistItem.NotesMaxLength)] string? Notes, IReadOnlyList<Guid>? EvidenceIds);

public sealed record SampleDto(Guid Id, Guid ActivityId, string Frequency, int Seed, int Population, int Size, IReadOnlyList<Guid> OccurrenceIds, DateTimeOffset DrawnAt);

public sealed record ChecklistOccurrenceDto(Guid Id, DateOnly DueDate, string Outcome, DateTimeOffset? CompletedAt, bool InSample);

public sealed record ChecklistEvidenceDto(Guid Id, string Title, DateOnly PeriodFrom, DateOnly PeriodTo, string? Sha256);

public sealed record ChecklistActivityDto(
    Guid Id, string Reference, string Title, string? Frequency, string? SampleSizes, bool HigherRisk,
    IReadOnlyList<ChecklistOccurrenceDto> Occurrences, IReadOnlyList<ChecklistEvidenceDto> Evidence, SampleDto? Sample);

public sealed record ChecklistViewDto(ChecklistItemDto Item, string Title, IReadOnlyList<ChecklistActivityDto> Activities);

public sealed record ChecklistDto(DateOnly? PeriodFrom, DateOnly? PeriodTo, IReadOnlyList<ChecklistViewDto> Items);

public sealed record InternalAuditDto(
    Guid Id, string Reference, string Title, int? Cycle, DateOnly PlannedStart, DateOnly PlannedEnd, string Status, PersonDto LeadAuditor,
    IReadOnlyList<AuditorDto> Auditors, string? Criteria, IReadOnlyList<string> Units, IReadOnlyList<ScopeItemDto> Scope,
    DateOnly? PeriodFrom, DateOnly? PeriodTo, DateTimeOffset? StartedAt, DateTimeOffset? SignedOffAt, Guid? ReportEvidenceId, Guid? ActivityId, IReadOnlyList<ChecklistItemDto> Checklist,
    DateTimeOffset? CancelledAt, string? CancelledBy, string? CancellationReason);

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

    public static string Name(this ChecklistResult result) => result switch
    {
        ChecklistResult.Conforming => "conforming",
        ChecklistResult.MinorNonconformity => "minor-nonconformity",
        ChecklistResult.MajorNonconformity => "major-nonconformity",
        ChecklistResult.Observation => "observation",
        ChecklistResult.Improvement => "opportunity-for-improvement",
        _ => "not-audited",
    };

    public static string Name(this OccurrenceOutcome outcome) => outcome switch
    {
        OccurrenceOutcome.OnTime => "on-time",
        OccurrenceOutcome.Late => "late",
        OccurrenceOutcome.Missed => "missed",
        OccurrenceOutcome.Skipped => "skipped",
        OccurrenceOutcome.Overdue => "overdue",
        _ => "open",
    };

    public static ChecklistResult ParseResult(string? text) =>
        Enum.GetValues<ChecklistResult>().FirstOrDefault(r => string.Equals(r.Name(), (text ?? "").Trim(), StringComparison.OrdinalIgnoreCase)) is var r && r != default
            ? r
            : throw UseCaseException.Invalid("result", $"result must be one of {string.Join(", ", Enum.GetValues<ChecklistResult>().Select(v => v.Name()))}.");

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
        audits.MapGet("/proposal", Propose).WithAccess(Access.OrgManager)
            .WithSummary("A proposal spreading the coverage gaps over the audits still to come before the next external audit (?cycle=N); nothing is saved");
        audits.MapPut("/{id:guid}", Update).WithAccess(Access.OrgManager).WithSummary("Change a planned audit (same fields as planning it)");
        audits.MapGet("/{id:guid}", Get).WithAccess(Access.OrgAuditor).WithSummary("One internal audit with its scope, auditors and checklist");
        audits.MapPost("/{id:guid}/start", Start).WithAccess(Access.OrgAuditor)
            .WithSummary("Start the audit (its auditors or a manager): the checklist is generated from the scope over the period (periodFrom, periodTo; default the last twelve months)");
        audits.MapGet("/{id:guid}/checklist", Checklist).WithAccess(Access.OrgAuditor)
            .WithSummary("The checklist: per item the linked activities, their occurrences in the period (on-time, late, missed) and their evidence with periods and hashes");
        audits.MapPost("/{id:guid}/checklist/{itemId:guid}/sample", Sample).WithAccess(Access.OrgAuditor)
            .WithSummary("Draw a sample of a linked activity's occurrences (activityId; seed to redraw a recorded sample), sized by the sampling table");
        audits.MapPut("/{id:guid}/checklist/{itemId:guid}", Record).WithAccess(Access.OrgAuditor)
            .WithSummary("Record an item's result (conforming, minor-nonconformity, major-nonconformity, observation, opportunity-for-improvement, not-audited), notes and evidenceIds");
        audits.MapPost("/{id:guid}/checklist/{itemId:guid}/evidence", Attach).WithAccess(Access.OrgAuditor).DisableAntiforgery()
            .WithMetadata(new RequestSizeLimitAttribute(EvidenceUpload.MaxRequestBytes), new RequestFormLimitsAttribute { MultipartBodyLengthLimit = EvidenceUpload.MaxRequestBytes })
            .WithSummary("An auditor uploads evidence for an item (multipart: 'file', optional 'title'): stored as hashed evidence on the item's clause or control and cited on the item");
        audits.MapPost("/{id:guid}/cancel", Cancel).WithAccess(Access.OrgManager)
            .WithSummary("Cancel a planned or running audit (reason required): it leaves the coverage matrix and the calendar; a reported audit cannot be cancelled");
        audits.MapPost("/{id:guid}/sign-off", SignOff).WithAccess(Access.OrgAuditor).WithSummary("The lead auditor signs the report off; the results are frozen");
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
        var audit = await service.PlanAsync(currentOrg.Id, new InternalAuditActor(user.RequireId(), currentOrg.Role), await InputAsync(request, currentOrg, activities, ct), ct);
        return TypedResults.Created($"/api/v1/orgs/{currentOrg.Slug}/internal-audits/{audit.Id}", await DtoAsync(audit, currentOrg.Id, db, ct));
    }

    private static async Task<InternalAuditInput> InputAsync(PlanInternalAuditRequest request, CurrentOrg currentOrg, ActivityService activities, CancellationToken ct)
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

        return new InternalAuditInput(request.Title, request.Cycle, request.PlannedStart, request.PlannedEnd, lead, auditors, request.Criteria, request.Scope, request.Units, overrides);
    }

    private static async Task<Ok<ProposalDto>> Propose(int? cycle, CurrentOrg currentOrg, ProgrammeProposal proposal, CancellationToken ct)
    {
        var p = await proposal.ProposeAsync(currentOrg.Id, cycle, ct);
        return TypedResults.Ok(new ProposalDto(p.CycleNumber, p.Deadline, p.DeadlineReason, p.Gaps,
            [.. p.Audits.Select(a => new ProposedAuditDto(a.AuditId, a.Reference, a.Title, a.PlannedStart, a.PlannedEnd, a.Scope, [.. a.Added.Select(i => new ProposedItemDto(i.Identifier, i.Reason))]))]));
    }

    private static async Task<Ok<InternalAuditDto>> Update(Guid id, PlanInternalAuditRequest request, CurrentOrg currentOrg, CurrentUser user, InternalAuditService service, ActivityService activities, PerennialDbContext db, CancellationToken ct)
    {
        var input = await InputAsync(request, currentOrg, activities, ct);
        var audit = await service.UpdateAsync(currentOrg.Id, id, new InternalAuditActor(user.RequireId(), currentOrg.Role), input, ct);
        return TypedResults.Ok(await DtoAsync(audit, currentOrg.Id, db, ct));
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
            audit.PeriodFrom, audit.PeriodTo, audit.StartedAt, audit.SignedOffAt, audit.ReportEvidenceId, audit.ActivityId,
            [.. (await db.ChecklistItems.AsNoTracking().Where(i => i.InternalAuditId == audit.Id).OrderBy(i => i.SortOrder).ToListAsync(ct)).Select(ItemDto)],
            audit.CancelledAt, audit.CancelledByName, audit.CancellationReason);
    }

    private static ChecklistItemDto ItemDto(ChecklistItem i) =>
        new(i.Id, i.Identifier, i.Kind.Name(), i.Result?.Name(), i.Notes, i.EvidenceIds, i.NonconformityId, i.ImprovementId, i.RecordedAt);

    private static ChecklistActor Actor(CurrentOrg org, CurrentUser user) => new(user.RequireId(), user.Email, org.Role);

    private static async Task<Ok<InternalAuditDto>> Start(Guid id, StartAuditRequest? request, CurrentOrg currentOrg, CurrentUser user, ChecklistService checklist, PerennialDbContext db, CancellationToken ct) =>
        TypedResults.Ok(await DtoAsync(await checklist.StartAsync(currentOrg.Id, id, Actor(currentOrg, user), request?.PeriodFrom, request?.PeriodTo, ct), currentOrg.Id, db, ct));

    private static async Task<Ok<ChecklistDto>> Checklist(Guid id, CurrentOrg currentOrg, ChecklistService checklist, InternalAuditService audits, CancellationToken ct)
    {
        var audit = await audits.GetAsync(currentOrg.Id, id, ct);
        var items = await checklist.ChecklistAsync(currentOrg.Id, id, ct);
        return TypedResults.Ok(new ChecklistDto(audit.PeriodFrom, audit.PeriodTo, [.. items.Select(v => new ChecklistViewDto(ItemDto(v.Item), v.Title,
            [.. v.Activities.Select(a => new ChecklistActivityDto(a.Id, a.Reference, a.Title, a.Frequency, a.Range?.ToString(), a.HigherRisk,
                [.. a.Occurrences.Select(o => new ChecklistOccurrenceDto(o.Id, o.DueDate, o.Outcome.Name(), o.CompletedAt, o.InSample))],
                [.. a.Evidence.Select(e => new ChecklistEvidenceDto(e.Id, e.Title, e.PeriodFrom, e.PeriodTo, e.Sha256))],
                a.Sample is null ? null : SampleOf(a.Sample)))]))]));
    }

    private static SampleDto SampleOf(ChecklistSample s) => new(s.Id, s.ActivityId, s.Frequency, s.Seed, s.Population, s.Size, s.OccurrenceIds, s.DrawnAt);

    private static async Task<Ok<SampleDto>> Sample(Guid id, Guid itemId, SampleRequest request, CurrentOrg currentOrg, CurrentUser user, ChecklistService checklist, CancellationToken ct) =>
        TypedResults.Ok(SampleOf(await checklist.DrawSampleAsync(currentOrg.Id, id, itemId, request.ActivityId ?? throw UseCaseException.Invalid("activityId", "activityId is required."), Actor(currentOrg, user), request.Seed, ct)));

    private static async Task<Ok<ChecklistItemDto>> Record(Guid id, Guid itemId, ResultRequest request, CurrentOrg currentOrg, CurrentUser user, ChecklistService checklist, CancellationToken ct) =>
        TypedResults.Ok(ItemDto(await checklist.RecordAsync(currentOrg.Id, id, itemId, Actor(currentOrg, user), ParseResult(request.Result), request.Notes, request.EvidenceIds, ct)));

    private static async Task<Ok<InternalAuditDto>> SignOff(Guid id, CurrentOrg currentOrg, CurrentUser user, ChecklistService checklist, PerennialDbContext db, CancellationToken ct) =>
        TypedResults.Ok(await DtoAsync(await checklist.SignOffAsync(currentOrg.Id, id, Actor(currentOrg, user), ct), currentOrg.Id, db, ct));

    private static async Task<Created<AttachedEvidenceDto>> Attach(
        Guid id, Guid itemId, HttpRequest request, CurrentOrg currentOrg, CurrentUser user, ChecklistAttachments attachments, CancellationToken ct)
    {
        if (!request.HasFormContentType)
        {
            throw UseCaseException.Invalid("file", "Send the file as multipart/form-data with a part named 'file'.");
        }

        var form = await EvidenceUpload.ReadFormAsync(request, ct);
        var file = form.Files.GetFile("file") ?? throw UseCaseException.Invalid("file", "Send the file as the multipart part named 'file'.");
        if (file.Length == 0)
        {
            throw UseCaseException.Invalid("file", "The file is empty.");
        }

        var origin = user.TokenId is { } tokenId ? new EvidenceOrigin(EvidenceSource.Token, user.Id, tokenId) : new EvidenceOrigin(EvidenceSource.Upload, user.Id);
        await using var content = file.OpenReadStream();
        var (evidence, item) = await attachments.AttachAsync(currentOrg.Id, id, itemId, Actor(currentOrg, user),
            new IncomingContent(content, file.FileName, file.ContentType), form["title"].FirstOrDefault(), origin, ct);
        return TypedResults.Created($"/api/v1/orgs/{currentOrg.Slug}/evidence/{evidence.Id}", new AttachedEvidenceDto(evidence.Id, evidence.Sha256, ItemDto(item)));
    }

    private static async Task<Ok<InternalAuditDto>> Cancel(Guid id, CancelAuditRequest? request, CurrentOrg currentOrg, CurrentUser user, InternalAuditService service, PerennialDbContext db, CancellationToken ct) =>
        TypedResults.Ok(await DtoAsync(await service.CancelAsync(currentOrg.Id, id, new InternalAuditActor(user.RequireId(), currentOrg.Role), user.DisplayName, request?.Reason, ct), currentOrg.Id, db, ct));

    private static async Task<Dictionary<Guid, PersonDto>> PeopleAsync(PerennialDbContext db, IEnumerable<Guid> ids, CancellationToken ct)
    {
        var wanted = ids.Distinct().ToList();
        return await db.Users.AsNoTracking().Where(u => wanted.Contains(u.Id)).ToDictionaryAsync(u => u.Id, u => new PersonDto(u.Id, u.Email, u.DisplayName), ct);
    }

    private static async Task<Dictionary<Guid, int?>> CycleNumbersAsync(PerennialDbContext db, Guid organisationId, CancellationToken ct) =>
        await db.CertificationCycles.AsNoTracking().Where(c => c.OrganisationId == organisationId).ToDictionaryAsync(c => c.Id, c => (int?)c.Number, ct);
}

using System.ComponentModel.DataAnnotations;
using System.Globalization;
using Microsoft.AspNetCore.Http.HttpResults;
using Perennial.Common;
using Perennial.Hosting;
using Perennial.Security;

namespace Perennial.Risks;

public sealed record RiskRequest(
    [property: Required, StringLength(RiskLimits.Title)] string Title,
    [property: StringLength(RiskLimits.Text)] string? Description,
    [property: StringLength(RiskLimits.Line)] string? Threat,
    [property: StringLength(RiskLimits.Line)] string? Vulnerability,
    Guid? OwnerUserId,
    [property: Range(1, 7)] int InherentLikelihood,
    [property: Range(1, 7)] int InherentImpact,
    [property: StringLength(RiskLimits.Text)] string? ExistingControls,
    [property: Required] string Treatment,
    [property: StringLength(RiskLimits.Text)] string? TreatmentPlan,
    [property: Range(1, 7)] int? ResidualLikelihood,
    [property: Range(1, 7)] int? ResidualImpact,
    [property: Range(1, 36)] int? ReviewIntervalMonths,
    IReadOnlyList<Guid>? AssetIds,
    IReadOnlyList<Guid>? ControlIds,
    string? Status,
    [property: StringLength(RiskLimits.Line)] string? Reason);

public sealed record RiskDto(
    Guid Id, string Reference, string Title, Guid? OwnerUserId, string? Owner,
    int InherentLikelihood, int InherentImpact, int InherentScore, string InherentLevel,
    int ResidualLikelihood, int ResidualImpact, int ResidualScore, string ResidualLevel,
    string Treatment, string Status, DateOnly NextReviewOn, bool ReviewOverdue, bool NeedsAcceptance, DateOnly? AcceptedUntil);

public sealed record RiskDetailDto(
    Guid Id, string Reference, string Title, string? Description, string? Threat, string? Vulnerability, Guid? OwnerUserId,
    int MethodVersion, int InherentLikelihood, int InherentImpact, int InherentScore, string InherentLevel, string? ExistingControls,
    string Treatment, string? TreatmentPlan, int ResidualLikelihood, int ResidualImpact, int ResidualScore, string ResidualLevel,
    string Status, int ReviewIntervalMonths, DateOnly? LastReviewedOn, DateOnly NextReviewOn, string? ReviewTrigger,
    Guid? AcceptedByUserId, DateTimeOffset? AcceptedAt, DateOnly? AcceptedUntil, string? AcceptanceJustification, bool NeedsAcceptance,
    IReadOnlyList<Guid> AssetIds, IReadOnlyList<Guid> ControlIds, IReadOnlyList<ActionDto> Actions, int Revisions);

public sealed record ActionDto(Guid Id, string Title, Guid? OwnerUserId, DateOnly? DueOn, string Status, DateOnly? CompletedOn);

/// <summary>A risk as the register held it at a date (from its revision valid then).</summary>
public sealed record RiskAsOfDto(string Reference, string Title, string? Owner, int Revision, DateTimeOffset ValidFrom, string InherentLevel, string ResidualLevel, int ResidualScore, string Treatment, string Status);

public sealed record RevisionDto(int Number, DateTimeOffset ValidFrom, DateTimeOffset? ValidTo, string Author, string Reason, RiskSnapshot Snapshot);

public sealed record AcceptRequest([property: Required] DateOnly? AcceptedUntil, [property: Required, StringLength(RiskLimits.Text)] string Justification);

public sealed record ReviewRequest([property: Required, StringLength(RiskLimits.Text)] string Notes, RiskRequest? Revision, Guid? CampaignId);

public sealed record ActionRequest([property: Required, StringLength(RiskLimits.Line)] string Title, Guid? OwnerUserId, DateOnly? DueOn);

public sealed record ActionStatusRequest([property: Required] string Status);

public sealed record MethodDto(int Version, IReadOnlyList<ScaleLevel> Likelihood, IReadOnlyList<ScaleLevel> Impact, IReadOnlyList<LevelBand> Bands, int AcceptanceThreshold, DateTimeOffset CreatedAt, string CreatedBy);

public sealed record MethodRequest([property: Required] IReadOnlyList<ScaleLevel> Likelihood, [property: Required] IReadOnlyList<ScaleLevel> Impact, [property: Required] IReadOnlyList<LevelBand> Bands, int AcceptanceThreshold);

public sealed record CampaignRequest([property: Required, StringLength(200)] string Title, [property: Required] DateOnly? DueOn);

public sealed record CampaignDto(Guid Id, string Title, DateOnly StartedOn, DateOnly DueOn, IReadOnlyList<OwnerProgress> Progress);

public static class RisksApi
{
    public static RouteGroupBuilder MapRisksApi(this RouteGroupBuilder api)
    {
        var risks = api.MapGroup("/orgs/{org}/risks").WithTags("Risks");
        risks.MapGet("/", List).WithAccess(Access.OrgAuditor)
            .WithSummary("The register, filtered, sorted and paged; with asOf=YYYY-MM-DD, the register as it stood at the end of that day");
        risks.MapPost("/", Create).WithAccess(Access.OrgContributor);
        risks.MapGet("/{id:guid}", Get).WithAccess(Access.OrgAuditor);
        risks.MapPut("/{id:guid}", Update).WithAccess(Access.OrgContributor).WithSummary("Edit a risk; the edit becomes its next revision");
        risks.MapGet("/{id:guid}/revisions", Revisions).WithAccess(Access.OrgAuditor).WithSummary("Every revision of the risk, newest first");
        risks.MapGet("/{id:guid}/revisions/compare", CompareRevisions).WithAccess(Access.OrgAuditor);
        risks.MapPost("/{id:guid}/accept", Accept).WithAccess(Access.OrgContributor).WithSummary("The risk owner formally accepts the residual risk");
        risks.MapPost("/{id:guid}/reviews", Review).WithAccess(Access.OrgContributor).WithSummary("Record a review; with a revision the risk is revised too");
        risks.MapPost("/{id:guid}/actions", AddAction).WithAccess(Access.OrgContributor);
        risks.MapGet("/heatmap", Heatmap).WithAccess(Access.OrgAuditor).WithSummary("Counts of open risks per matrix cell (kind=residual or inherent)");
        risks.MapGet("/compare", CompareRegister).WithAccess(Access.OrgAuditor).WithSummary("How the register changed between two dates");
        api.MapPut("/orgs/{org}/actions/{id:guid}", SetActionStatus).WithAccess(Access.OrgContributor).WithTags("Risks");
        api.MapGet("/orgs/{org}/risk-method", Method).WithAccess(Access.OrgAuditor).WithTags("Risks");
        api.MapPut("/orgs/{org}/risk-method", SaveMethod).WithAccess(Access.OrgManager).WithTags("Risks").WithSummary("Save a new version of the risk method");
        api.MapGet("/orgs/{org}/risk-campaigns", Campaigns).WithAccess(Access.OrgAuditor).WithTags("Risks");
        api.MapPost("/orgs/{org}/risk-campaigns", StartCampaign).WithAccess(Access.OrgManager).WithTags("Risks");
        return api;
    }

    private static async Task<IResult> List(
        string? asOf, string? search, Guid? owner, string? level, string? treatment, string? status, bool? overdue, bool? needsAcceptance,
        Guid? asset, Guid? control, string? cell, string? sort, bool? desc, int? page, int? pageSize,
        CurrentOrg currentOrg, RiskService risks, CancellationToken ct)
    {
        var paging = PagingApi.Read(page, pageSize);
        if (asOf is not null)
        {
            if (!DateOnly.TryParseExact(asOf, "yyyy-MM-dd", CultureInfo.InvariantCulture, DateTimeStyles.None, out var date))
            {
                throw UseCaseException.Invalid("asOf", "asOf is a date in the form YYYY-MM-DD.");
            }

            var revisions = await risks.AsOfAsync(currentOrg.Id, date, paging, ct);
            return TypedResults.Ok(revisions.ToDto(r => new RiskAsOfDto(r.Snapshot.Reference, r.Snapshot.Title, r.Snapshot.Owner, r.Number, r.ValidFrom,
                r.Snapshot.InherentLevel, r.Snapshot.ResidualLevel, r.Snapshot.ResidualScore, r.Snapshot.Treatment.ToName(), r.Snapshot.Status.ToString().ToLowerInvariant())));
        }

        var query = new RiskQuery(
            Search: search is { Length: > 200 } ? throw UseCaseException.Invalid("search", "search is at most 200 characters.") : search,
            OwnerUserId: owner,
            Level: level,
            Treatment: treatment is null ? null : RiskNames.ParseTreatment(treatment, "treatment"),
            Status: status switch
            {
                null or "open" => RiskStatus.Open,
                "closed" => RiskStatus.Closed,
                "all" => null,
                _ => throw UseCaseException.Invalid("status", "status is open, closed or all."),
            },
            OverdueOnly: overdue == true,
            NeedsAcceptanceOnly: needsAcceptance == true,
            AssetId: asset,
            ControlId: control,
            Cell: cell is null ? null : RiskNames.ParseCell(cell),
            Sort: sort is null or "reference" or "title" or "residual" or "inherent" or "review" ? sort ?? "reference" : throw UseCaseException.Invalid("sort", "sort is reference, title, residual, inherent or review."),
            Descending: desc == true);
        var list = await risks.ListAsync(currentOrg.Id, query, paging, ct);
        return TypedResults.Ok(list.ToDto(ToDto));
    }

    private static async Task<Created<RiskDetailDto>> Create(RiskRequest request, CurrentOrg currentOrg, RiskService risks, CancellationToken ct)
    {
        var risk = await risks.CreateAsync(currentOrg.Id, ToInput(request), ct);
        return TypedResults.Created($"/api/v1/orgs/{currentOrg.Slug}/risks/{risk.Id}", await DetailAsync(currentOrg, risks, risk.Id, ct));
    }

    private static async Task<Ok<RiskDetailDto>> Get(Guid id, CurrentOrg currentOrg, RiskService risks, CancellationToken ct) =>
        TypedResults.Ok(await DetailAsync(currentOrg, risks, id, ct));

    private static async Task<Ok<RiskDetailDto>> Update(Guid id, RiskRequest request, CurrentOrg currentOrg, RiskService risks, CancellationToken ct)
    {
        await risks.UpdateAsync(currentOrg.Id, id, ToInput(request), request.Reason, ct);
        return TypedResults.Ok(await DetailAsync(currentOrg, risks, id, ct));
    }

    private static async Task<Ok<IReadOnlyList<RevisionDto>>> Revisions(Guid id, CurrentOrg currentOrg, RiskService risks, CancellationToken ct)
    {
        _ = await risks.GetAsync(currentOrg.Id, id, ct) ?? throw UseCaseException.NotFound("No such risk.");
        return TypedResults.Ok((IReadOnlyList<RevisionDto>)(await risks.RevisionsAsync(currentOrg.Id, id, ct))
            .Select(r => new RevisionDto(r.Number, r.ValidFrom, r.ValidTo, r.Author, r.Reason, r.Snapshot)).ToList());
    }

    private static async Task<Ok<IReadOnlyList<RiskFieldChange>>> CompareRevisions(Guid id, int from, int to, CurrentOrg currentOrg, RiskService risks, CancellationToken ct) =>
        TypedResults.Ok(await risks.CompareRevisionsAsync(currentOrg.Id, id, from, to, ct));

    private static async Task<Ok<RiskDetailDto>> Accept(Guid id, AcceptRequest request, CurrentOrg currentOrg, RiskService risks, CancellationToken ct)
    {
        await risks.AcceptAsync(currentOrg.Id, id, request.AcceptedUntil!.Value, request.Justification, ct);
        return TypedResults.Ok(await DetailAsync(currentOrg, risks, id, ct));
    }

    private static async Task<Ok<RiskDetailDto>> Review(Guid id, ReviewRequest request, CurrentOrg currentOrg, RiskService risks, CancellationToken ct)
    {
        await risks.ReviewAsync(currentOrg.Id, id, request.Notes, request.Revision is null ? null : ToInput(request.Revision), request.CampaignId, ct);
        return TypedResults.Ok(await DetailAsync(currentOrg, risks, id, ct));
    }

    private static async Task<Created<ActionDto>> AddAction(Guid id, ActionRequest request, CurrentOrg currentOrg, RiskService risks, CancellationToken ct)
    {
        var action = await risks.AddActionAsync(currentOrg.Id, id, request.Title, request.OwnerUserId, request.DueOn, ct);
        return TypedResults.Created($"/api/v1/orgs/{currentOrg.Slug}/actions/{action.Id}", ToDto(action));
    }

    private static async Task<Ok<ActionDto>> SetActionStatus(Guid id, ActionStatusRequest request, CurrentOrg currentOrg, RiskService risks, CancellationToken ct)
    {
        var status = request.Status switch
        {
            "open" => ActionStatus.Open,
            "in-progress" => ActionStatus.InProgress,
            "done" => ActionStatus.Done,
            _ => throw UseCaseException.Invalid("status", "status is open, in-progress or done."),
        };
        return TypedResults.Ok(ToDto(await risks.SetActionStatusAsync(currentOrg.Id, id, status, ct)));
    }

    private static async Task<Ok<HeatMap>> Heatmap(string? kind, CurrentOrg currentOrg, RiskService risks, CancellationToken ct) =>
        TypedResults.Ok(await risks.HeatMapAsync(currentOrg.Id, kind switch
        {
            null or "residual" => true,
            "inherent" => false,
            _ => throw UseCaseException.Invalid("kind", "kind is residual or inherent."),
        }, ct));

    private static async Task<Ok<RegisterComparison>> CompareRegister(DateOnly from, DateOnly to, CurrentOrg currentOrg, RiskService risks, CancellationToken ct) =>
        TypedResults.Ok(await risks.CompareRegisterAsync(currentOrg.Id, from, to, ct));

    private static async Task<Ok<MethodDto>> Method(CurrentOrg currentOrg, RiskService risks, CancellationToken ct) =>
        TypedResults.Ok(ToDto(await risks.CurrentMethodAsync(currentOrg.Id, ct)));

    private static async Task<Ok<MethodDto>> SaveMethod(MethodRequest request, CurrentOrg currentOrg, RiskService risks, CancellationToken ct) =>
        TypedResults.Ok(ToDto(await risks.SaveMethodAsync(currentOrg.Id, request.Likelihood, request.Impact, request.Bands, request.AcceptanceThreshold, ct)));

    private static async Task<Ok<IReadOnlyList<CampaignDto>>> Campaigns(CurrentOrg currentOrg, RiskService risks, CancellationToken ct)
    {
        var result = new List<CampaignDto>();
        foreach (var c in await risks.CampaignsAsync(currentOrg.Id, ct))
        {
            result.Add(new CampaignDto(c.Id, c.Title, c.StartedOn, c.DueOn, await risks.CampaignProgressAsync(currentOrg.Id, c.Id, ct)));
        }

        return TypedResults.Ok((IReadOnlyList<CampaignDto>)result);
    }

    private static async Task<Created<CampaignDto>> StartCampaign(CampaignRequest request, CurrentOrg currentOrg, RiskService risks, CancellationToken ct)
    {
        var c = await risks.StartCampaignAsync(currentOrg.Id, request.Title, request.DueOn!.Value, ct);
        return TypedResults.Created($"/api/v1/orgs/{currentOrg.Slug}/risk-campaigns", new CampaignDto(c.Id, c.Title, c.StartedOn, c.DueOn, await risks.CampaignProgressAsync(currentOrg.Id, c.Id, ct)));
    }

    internal static RiskInput ToInput(RiskRequest r) => new(
        r.Title, r.Description, r.Threat, r.Vulnerability, r.OwnerUserId,
        r.InherentLikelihood, r.InherentImpact, r.ExistingControls, RiskNames.ParseTreatment(r.Treatment, "treatment"), r.TreatmentPlan,
        r.ResidualLikelihood ?? r.InherentLikelihood, r.ResidualImpact ?? r.InherentImpact, r.ReviewIntervalMonths ?? 12,
        r.AssetIds ?? [], r.ControlIds ?? [],
        r.Status switch
        {
            null or "open" => RiskStatus.Open,
            "closed" => RiskStatus.Closed,
            _ => throw UseCaseException.Invalid("status", "status is open or closed."),
        });

    private static async Task<RiskDetailDto> DetailAsync(CurrentOrg currentOrg, RiskService risks, Guid id, CancellationToken ct)
    {
        var r = await risks.GetAsync(currentOrg.Id, id, ct) ?? throw UseCaseException.NotFound("No such risk.");
        var method = await risks.MethodOfAsync(r, ct);
        return new RiskDetailDto(r.Id, r.Reference, r.Title, r.Description, r.Threat, r.Vulnerability, r.OwnerUserId, method.Version,
            r.InherentLikelihood, r.InherentImpact, r.InherentScore, r.InherentLevel, r.ExistingControls, r.Treatment.ToName(), r.TreatmentPlan,
            r.ResidualLikelihood, r.ResidualImpact, r.ResidualScore, r.ResidualLevel, r.Status.ToString().ToLowerInvariant(), r.ReviewIntervalMonths,
            r.LastReviewedOn, r.NextReviewOn, r.ReviewTrigger, r.AcceptedByUserId, r.AcceptedAt, r.AcceptedUntil, r.AcceptanceJustification,
            risks.NeedsAcceptance(r, method), r.Assets.Select(a => a.AssetId).ToList(), r.Controls.Select(c => c.ControlId).ToList(),
            r.Actions.OrderBy(a => a.DueOn).Select(ToDto).ToList(), r.RevisionCount);
    }

    private static RiskDto ToDto(RiskListItem r) => new(r.Id, r.Reference, r.Title, r.OwnerUserId, r.Owner,
        r.InherentLikelihood, r.InherentImpact, r.InherentScore, r.InherentLevel, r.ResidualLikelihood, r.ResidualImpact, r.ResidualScore, r.ResidualLevel,
        r.Treatment.ToName(), r.Status.ToString().ToLowerInvariant(), r.NextReviewOn, r.ReviewOverdue, r.NeedsAcceptance, r.AcceptedUntil);

    private static ActionDto ToDto(RiskAction a) => new(a.Id, a.Title, a.OwnerUserId, a.DueOn, a.Status switch
    {
        ActionStatus.InProgress => "in-progress",
        ActionStatus.Done => "done",
        _ => "open",
    }, a.CompletedOn);

    private static MethodDto ToDto(RiskMethod m) => new(m.Version, m.Likelihood, m.Impact, m.Bands, m.AcceptanceThreshold, m.CreatedAt, m.CreatedBy);
}

using System.Globalization;
using System.Text.Json;
using Microsoft.AspNetCore.Http.HttpResults;
using Perennial.Activities;
using Perennial.Common;
using Perennial.Evidence.Collectors;
using Perennial.Hosting;
using Perennial.Security;

namespace Perennial.Evidence;

/// <summary>
/// A collector as the API takes it. On PUT a field left out keeps its value; secret "" removes the
/// secret; giving rrule or cron replaces the whole schedule; activityId or controlId
/// 00000000-0000-0000-0000-000000000000 removes the link.
/// </summary>
public sealed record CollectorRequest(
    string? Name,
    string? Kind,
    JsonElement? Settings,
    string? Secret,
    string? Rrule,
    string? Cron,
    string? DtStart,
    string? TimeZone,
    Guid? ActivityId,
    Guid? ControlId,
    string? OwnerEmail,
    bool? Enabled,
    int? TimeoutSeconds);

public sealed record CollectorLastRunDto(Guid Id, DateTimeOffset StartedAt, string Outcome, string? Summary);

/// <summary>A collector; its secret is never returned, only whether one is set.</summary>
public sealed record CollectorDto(
    Guid Id, string Name, string Kind, string KindLabel, JsonElement Settings, bool SecretSet,
    string? Rrule, string? Cron, string DtStart, string TimeZone, string Schedule,
    Guid? ActivityId, Guid? ControlId, Guid OwnerUserId, string? OwnerEmail,
    bool Enabled, int TimeoutSeconds, DateTimeOffset? NextRunAt, CollectorLastRunDto? LastRun, DateTimeOffset CreatedAt);

public sealed record CollectorRunDto(
    Guid Id, Guid CollectorId, string Trigger, Guid? TriggeredByUserId, DateTimeOffset StartedAt, DateTimeOffset? EndedAt,
    string Outcome, int ItemsProduced, string? Error, IReadOnlyList<Guid> EvidenceItemIds);

public sealed record CollectorKindDto(string Kind, string Label);

public static class CollectorsApi
{
    public static RouteGroupBuilder MapCollectorsApi(this RouteGroupBuilder api)
    {
        var collectors = api.MapGroup("/orgs/{org}/collectors").WithTags("Evidence");
        collectors.MapGet("/", List).WithAccess(Access.OrgAuditor).WithSummary("Collectors by name, with their last run (never their secrets)");
        collectors.MapPost("/", Create).WithAccess(Access.OrgManager)
            .WithSummary("Create a collector")
            .WithDescription("{ name, kind (see GET …/collector-kinds), settings (the kind's JSON object), secret? (stored encrypted, never returned), "
                + "rrule (e.g. FREQ=DAILY;BYHOUR=2) with dtStart? (local, default today 00:00) or cron (e.g. 0 2 * * *), timeZone? (default UTC), "
                + "activityId? (evidence goes to its current occurrence), controlId?, ownerEmail? (told when a run fails; default you), enabled?, timeoutSeconds? (default 300) }");
        collectors.MapGet("/{id:guid}", Get).WithAccess(Access.OrgAuditor).WithSummary("One collector (secret set: yes or no, never the secret)");
        collectors.MapPut("/{id:guid}", Update).WithAccess(Access.OrgManager)
            .WithSummary("Change a collector; fields left out keep their value, secret \"\" removes the secret");
        collectors.MapDelete("/{id:guid}", Delete).WithAccess(Access.OrgManager)
            .WithSummary("Delete a collector that never ran; 409 for one with runs (disable it instead)");
        collectors.MapPost("/{id:guid}/run", RunNow).WithAccess(Access.OrgManager).WithSummary("Run a collector now and return the run");
        collectors.MapGet("/{id:guid}/runs", Runs).WithAccess(Access.OrgAuditor).WithSummary("A collector's runs, latest first, with the evidence items each produced");
        api.MapGet("/orgs/{org}/collector-kinds", Kinds).WithTags("Evidence").WithAccess(Access.OrgAuditor).WithSummary("The kinds of collector this installation has");
        return api;
    }

    private static async Task<Ok<PageDto<CollectorDto>>> List(int? page, int? pageSize, CurrentOrg currentOrg, CollectorService collectors, CancellationToken ct)
    {
        var rows = await collectors.ListAsync(currentOrg.Id, PagingApi.Read(page, pageSize), ct);
        return TypedResults.Ok(rows.ToDto(c => ToDto(c, collectors)));
    }

    private static async Task<Created<CollectorDto>> Create(
        CollectorRequest request, CurrentOrg currentOrg, CurrentUser user, CollectorService collectors, ActivityService activities, CancellationToken ct)
    {
        var input = await ToInputAsync(request, currentOrg, activities, ct);
        var collector = await collectors.CreateAsync(currentOrg.Id, user.RequireId(), input, ct);
        return TypedResults.Created($"/api/v1/orgs/{currentOrg.Slug}/collectors/{collector.Id}", ToDto(collector, collectors));
    }

    private static async Task<Ok<CollectorDto>> Get(Guid id, CurrentOrg currentOrg, CollectorService collectors, CancellationToken ct) =>
        TypedResults.Ok(ToDto(await collectors.GetAsync(currentOrg.Id, id, ct), collectors));

    private static async Task<Ok<CollectorDto>> Update(
        Guid id, CollectorRequest request, CurrentOrg currentOrg, CollectorService collectors, ActivityService activities, CancellationToken ct)
    {
        var input = await ToInputAsync(request, currentOrg, activities, ct);
        return TypedResults.Ok(ToDto(await collectors.UpdateAsync(currentOrg.Id, id, input, ct), collectors));
    }

    private static async Task<NoContent> Delete(Guid id, CurrentOrg currentOrg, CollectorService collectors, CancellationToken ct)
    {
        await collectors.DeleteAsync(currentOrg.Id, id, ct);
        return TypedResults.NoContent();
    }

    private static async Task<Ok<CollectorRunDto>> RunNow(Guid id, CurrentOrg currentOrg, CurrentUser user, CollectorService collectors, CollectorRunner runner, CancellationToken ct)
    {
        var run = await runner.RunAsync(currentOrg.Id, id, CollectorRunTrigger.Manual, user.Id, ct);
        var items = await collectors.ItemsOfRunsAsync(currentOrg.Id, [run.Id], ct);
        return TypedResults.Ok(ToDto(run, items));
    }

    private static async Task<Ok<PageDto<CollectorRunDto>>> Runs(Guid id, int? page, int? pageSize, CurrentOrg currentOrg, CollectorService collectors, CancellationToken ct)
    {
        var runs = await collectors.ListRunsAsync(currentOrg.Id, id, PagingApi.Read(page, pageSize), ct);
        var items = await collectors.ItemsOfRunsAsync(currentOrg.Id, [.. runs.Items.Select(r => r.Id)], ct);
        return TypedResults.Ok(runs.ToDto(r => ToDto(r, items)));
    }

    private static Ok<IReadOnlyList<CollectorKindDto>> Kinds(CollectorService collectors) =>
        TypedResults.Ok<IReadOnlyList<CollectorKindDto>>([.. collectors.Kinds.Select(k => new CollectorKindDto(k.Kind, k.Label))]);

    private static async Task<CollectorInput> ToInputAsync(CollectorRequest request, CurrentOrg currentOrg, ActivityService activities, CancellationToken ct)
    {
        DateTime? start = null;
        if (request.DtStart is { } text)
        {
            start = ActivitySchedule.TryParseLocal(text, out var local) ? local
                : throw UseCaseException.Invalid("dtStart", $"dtStart '{text}' is not a local date-time like 2026-03-01T02:00:00.");
        }

        if (request.Settings is { ValueKind: not JsonValueKind.Object and not JsonValueKind.Null })
        {
            throw UseCaseException.Invalid("settings", "settings must be a JSON object.");
        }

        return new CollectorInput
        {
            Name = request.Name,
            Kind = request.Kind,
            Settings = request.Settings is { ValueKind: JsonValueKind.Object } settings ? settings : null,
            Secret = request.Secret,
            Rrule = request.Rrule,
            Cron = request.Cron,
            DtStart = start,
            TimeZone = request.TimeZone,
            ActivityId = request.ActivityId,
            ControlId = request.ControlId,
            OwnerUserId = string.IsNullOrWhiteSpace(request.OwnerEmail) ? null : await activities.ResolveMemberAsync(currentOrg.Id, request.OwnerEmail, "ownerEmail", ct),
            Enabled = request.Enabled,
            TimeoutSeconds = request.TimeoutSeconds,
        };
    }

    public static CollectorDto ToDto(Collector c, CollectorService collectors)
    {
        ArgumentNullException.ThrowIfNull(c);
        ArgumentNullException.ThrowIfNull(collectors);
        using var settings = JsonDocument.Parse(c.Settings);
        return new CollectorDto(
            c.Id, c.Name, c.Kind, collectors.KindOf(c.Kind)?.Label ?? c.Kind, settings.RootElement.Clone(), c.SecretProtected is not null,
            c.Rrule, c.Cron, c.StartDate.ToDateTime(c.StartTime).ToString(ActivitySchedule.ExceptionDateFormat, CultureInfo.InvariantCulture), c.TimeZone, c.Schedule.Describe(),
            c.ActivityId, c.ControlId, c.OwnerUserId, c.Owner?.Email,
            c.Enabled, c.TimeoutSeconds, c.NextRunAt,
            c.LastRunId is { } runId && c.LastRunAt is { } at && c.LastOutcome is { } outcome ? new CollectorLastRunDto(runId, at, outcome.ToName(), c.LastSummary) : null,
            c.CreatedAt);
    }

    public static CollectorRunDto ToDto(CollectorRun r, ILookup<Guid, (Guid Id, string Title)> items)
    {
        ArgumentNullException.ThrowIfNull(r);
        ArgumentNullException.ThrowIfNull(items);
        return new CollectorRunDto(r.Id, r.CollectorId, r.Trigger.ToName(), r.TriggeredByUserId, r.StartedAt, r.EndedAt,
            r.Outcome.ToName(), r.ItemsProduced, r.Error, [.. items[r.Id].Select(i => i.Id)]);
    }
}

using System.ComponentModel.DataAnnotations;
using Microsoft.AspNetCore.Http.HttpResults;
using Perennial.Common;
using Perennial.Hosting;
using Perennial.Security;

namespace Perennial.Scope;

public sealed record BoundaryDto(string Kind, string Name, string? Notes);

public sealed record ScopeDto(
    int Number, DateTimeOffset CreatedAt, string Author, string? ChangeNote, string Statement,
    IReadOnlyList<BoundaryDto> Boundaries, IReadOnlyList<Exclusion> Exclusions, IReadOnlyList<InterestedParty> InterestedParties,
    IReadOnlyList<IssueDto> Issues);

public sealed record IssueDto(string Kind, string Description);

public sealed record SaveScopeRequest(
    [property: Required, StringLength(ScopeService.StatementMaxLength)] string Statement,
    IReadOnlyList<BoundaryDto>? Boundaries,
    IReadOnlyList<Exclusion>? Exclusions,
    IReadOnlyList<InterestedParty>? InterestedParties,
    IReadOnlyList<IssueDto>? Issues,
    [property: StringLength(1000)] string? ChangeNote);

public static class ScopeApi
{
    public static RouteGroupBuilder MapScopeApi(this RouteGroupBuilder api)
    {
        var scope = api.MapGroup("/orgs/{org}/scope").WithTags("Scope");
        scope.MapGet("/", Current).WithAccess(Access.OrgAuditor).WithSummary("The current ISMS scope");
        scope.MapPut("/", Save).WithAccess(Access.OrgManager).WithSummary("Save the scope as its next version");
        scope.MapGet("/versions", Versions).WithAccess(Access.OrgAuditor);
        scope.MapGet("/versions/{number:int}", Version).WithAccess(Access.OrgAuditor);
        scope.MapGet("/compare", Compare).WithAccess(Access.OrgAuditor).WithSummary("What changed between two scope versions");
        return api;
    }

    private static async Task<Results<Ok<ScopeDto>, NotFound<Microsoft.AspNetCore.Mvc.ProblemDetails>>> Current(CurrentOrg currentOrg, ScopeService scopes, CancellationToken ct) =>
        await scopes.GetCurrentAsync(currentOrg.Id, ct) is { } view
            ? TypedResults.Ok(ToDto(view))
            : TypedResults.NotFound(new Microsoft.AspNetCore.Mvc.ProblemDetails { Status = 404, Title = "No scope yet", Detail = "The ISMS scope has not been described yet." });

    private static async Task<Ok<ScopeDto>> Save(SaveScopeRequest request, CurrentOrg currentOrg, ScopeService scopes, CancellationToken ct)
    {
        var lists = new ScopeLists(
            (request.Boundaries ?? []).Select((b, i) => new Boundary(ParseEnum<BoundaryKind>(b.Kind, $"boundaries[{i}].kind", "site, product, team, system"), b.Name, b.Notes)).ToList(),
            request.Exclusions ?? [],
            request.InterestedParties ?? [],
            (request.Issues ?? []).Select((x, i) => new ContextIssue(ParseEnum<IssueKind>(x.Kind, $"issues[{i}].kind", "internal, external"), x.Description)).ToList());
        var saved = await scopes.SaveAsync(currentOrg.Id, new ScopeInput(request.Statement, lists, request.ChangeNote), ct);
        return TypedResults.Ok(ToDto(saved));
    }

    private static async Task<Ok<PageDto<ScopeVersionSummary>>> Versions(int? page, int? pageSize, CurrentOrg currentOrg, ScopeService scopes, CancellationToken ct)
    {
        var list = await scopes.ListVersionsAsync(currentOrg.Id, PagingApi.Read(page, pageSize), ct);
        return TypedResults.Ok(list.ToDto(v => v));
    }

    private static async Task<Ok<ScopeDto>> Version(int number, CurrentOrg currentOrg, ScopeService scopes, CancellationToken ct) =>
        TypedResults.Ok(ToDto(await scopes.GetVersionAsync(currentOrg.Id, number, ct) ?? throw UseCaseException.NotFound($"There is no scope version {number}.")));

    private static async Task<Ok<ScopeDiff>> Compare(int from, int to, CurrentOrg currentOrg, ScopeService scopes, CancellationToken ct) =>
        TypedResults.Ok(await scopes.CompareAsync(currentOrg.Id, from, to, ct));

    internal static T ParseEnum<T>(string? text, string field, string allowed)
        where T : struct, Enum =>
        Enum.TryParse<T>(text, ignoreCase: true, out var value) && Enum.IsDefined(value) && !int.TryParse(text, out _)
            ? value
            : throw UseCaseException.Invalid(field, $"{field} must be one of {allowed}; got '{text}'.");

    private static ScopeDto ToDto(ScopeView v) => new(v.Number, v.CreatedAt, v.Author, v.ChangeNote, v.Statement,
        v.Lists.Boundaries.Select(b => new BoundaryDto(b.Kind.ToString().ToLowerInvariant(), b.Name, b.Notes)).ToList(),
        v.Lists.Exclusions, v.Lists.InterestedParties,
        v.Lists.Issues.Select(i => new IssueDto(i.Kind.ToString().ToLowerInvariant(), i.Description)).ToList());
}

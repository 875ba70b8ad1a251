using Microsoft.AspNetCore.Http.HttpResults;
using Perennial.Common;
using Perennial.Hosting;
using Perennial.Security;

namespace Perennial.Findings;

public sealed record FindingDto(
    Guid Id, string Fingerprint, string Tool, string Format, string Target, string RuleId, string Title, string Severity,
    string? PackageName, string? InstalledVersion, string? FixedVersion, string? Location,
    DateTimeOffset FirstSeenAt, DateTimeOffset LastSeenAt, DateTimeOffset? FixedAt, DateTimeOffset? ReopenedAt,
    DateOnly? DueOn, string Status, bool Overdue, Guid FirstEvidenceItemId, Guid LastEvidenceItemId, Guid? ActivityId);

/// <summary>Remediation deadlines in days per severity; in a PUT, a missing value keeps the current one.</summary>
public sealed record FindingDeadlinesDto(int? Critical, int? High, int? Medium, int? Low);

public static class FindingsApi
{
    public static RouteGroupBuilder MapFindingsApi(this RouteGroupBuilder api)
    {
        var findings = api.MapGroup("/orgs/{org}/findings").WithTags("Findings");
        findings.MapGet("/", List).WithAccess(Access.OrgAuditor)
            .WithSummary("Findings imported from scanner reports, open and earliest deadline first (?status=open|fixed|overdue, ?severity=, ?target= (contains), ?activity=)");
        findings.MapGet("/{id:guid}", Get).WithAccess(Access.OrgAuditor).WithSummary("One finding with its first and last report");
        var deadlines = api.MapGroup("/orgs/{org}/finding-deadlines").WithTags("Findings");
        deadlines.MapGet("/", GetDeadlines).WithAccess(Access.OrgAuditor)
            .WithSummary("Days allowed to fix a finding of each severity, counted from first seen");
        deadlines.MapPut("/", PutDeadlines).WithAccess(Access.OrgManager)
            .WithSummary("Change the remediation deadlines ({ critical, high, medium, low } in days, 1–3650); every finding's due date follows");
        return api;
    }

    private static async Task<Ok<PageDto<FindingDto>>> List(
        string? status, string? severity, string? target, Guid? activity, int? page, int? pageSize,
        CurrentOrg currentOrg, FindingService findings, CancellationToken ct)
    {
        var query = new FindingQuery(ParseStatus(status), ParseSeverity(severity), target, activity);
        var items = await findings.ListAsync(currentOrg.Id, query, PagingApi.Read(page, pageSize), ct);
        var today = findings.Today;
        return TypedResults.Ok(items.ToDto(f => ToDto(f, today)));
    }

    private static async Task<Ok<FindingDto>> Get(Guid id, CurrentOrg currentOrg, FindingService findings, CancellationToken ct) =>
        TypedResults.Ok(ToDto(await findings.GetAsync(currentOrg.Id, id, ct), findings.Today));

    private static async Task<Ok<FindingDeadlinesDto>> GetDeadlines(CurrentOrg currentOrg, FindingService findings, CancellationToken ct) =>
        TypedResults.Ok(ToDto(await findings.GetDeadlinesAsync(currentOrg.Id, ct)));

    private static async Task<Ok<FindingDeadlinesDto>> PutDeadlines(FindingDeadlinesDto request, CurrentOrg currentOrg, FindingService findings, CancellationToken ct)
    {
        var current = await findings.GetDeadlinesAsync(currentOrg.Id, ct);
        var saved = await findings.SetDeadlinesAsync(currentOrg.Id, new FindingDeadlines(
            request.Critical ?? current.CriticalDays, request.High ?? current.HighDays, request.Medium ?? current.MediumDays, request.Low ?? current.LowDays), ct);
        return TypedResults.Ok(ToDto(saved));
    }

    public static FindingStatus? ParseStatus(string? status) => status?.Trim().ToLowerInvariant() switch
    {
        null or "" or "all" => null,
        "open" => FindingStatus.Open,
        "fixed" => FindingStatus.Fixed,
        "overdue" => FindingStatus.Overdue,
        _ => throw UseCaseException.Invalid("status", $"status must be one of {FindingNames.StatusNames}."),
    };

    public static FindingSeverity? ParseSeverity(string? severity) =>
        string.IsNullOrWhiteSpace(severity) || severity.Trim().Equals("all", StringComparison.OrdinalIgnoreCase) ? null
        : FindingNames.TryParseSeverity(severity, out var s) ? s
        : throw UseCaseException.Invalid("severity", $"severity must be one of {FindingNames.SeverityNames}.");

    public static string StatusName(Finding finding, DateOnly today)
    {
        ArgumentNullException.ThrowIfNull(finding);
        return finding.FixedAt is not null ? "fixed" : finding.IsOverdueOn(today) ? "overdue" : "open";
    }

    public static FindingDto ToDto(Finding f, DateOnly today)
    {
        ArgumentNullException.ThrowIfNull(f);
        return new FindingDto(
            f.Id, f.Fingerprint, f.Tool, f.Format, f.Target, f.RuleId, f.Title, f.Severity.ToName(),
            f.PackageName, f.InstalledVersion, f.FixedVersion, f.Location,
            f.FirstSeenAt, f.LastSeenAt, f.FixedAt, f.ReopenedAt,
            f.DueOn, StatusName(f, today), f.IsOverdueOn(today), f.FirstEvidenceItemId, f.LastEvidenceItemId, f.ActivityId);
    }

    private static FindingDeadlinesDto ToDto(FindingDeadlines d) => new(d.CriticalDays, d.HighDays, d.MediumDays, d.LowDays);
}

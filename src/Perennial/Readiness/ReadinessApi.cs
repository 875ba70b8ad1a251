using Microsoft.AspNetCore.Http.HttpResults;
using Perennial.Data;
using Perennial.Hosting;
using Perennial.Nonconformities;
using Perennial.Security;

namespace Perennial.Readiness;

public sealed record ReadinessGapDto(
    string Kind, Guid? SubjectId, string Subject, string Title, PersonDto? Owner, string Reason, string Clause, IReadOnlyList<string> Controls, string Path);

public sealed record ForecastGapDto(
    string Kind, Guid? SubjectId, string Subject, string Title, PersonDto? Owner, string Reason, string Clause, IReadOnlyList<string> Controls, string Path,
    DateOnly? DoBy, bool Fixable);

public sealed record ScoreGroupDto(string Key, string Label, int Checks, int Passed, int Gaps, int Score);

public sealed record ScoreDrillDownDto(IReadOnlyList<ScoreGroupDto> ByKind, IReadOnlyList<ScoreGroupDto> ByClause, IReadOnlyList<ScoreGroupDto> ByOwner, IReadOnlyList<ScoreGroupDto> ByControl);

public sealed record ReadinessDto(
    DateOnly AuditDate, DateOnly PeriodFrom, string AuditSource, Guid? ExternalAuditId, DateTimeOffset ComputedAt,
    int Score, string ScoreExplanation, ScoreDrillDownDto DrillDown, IReadOnlyList<ReadinessGapDto> Gaps,
    int ForecastScore, IReadOnlyList<ForecastGapDto> Forecast);

public sealed record ReadinessSnapshotDto(DateOnly Day, DateOnly AuditDate, int Score, int Gaps, int ForecastScore, int ForecastGaps);

/// <summary>What an auditor would find missing on an audit day, now and if nothing changes.</summary>
public static class ReadinessApi
{
    public static RouteGroupBuilder MapReadinessApi(this RouteGroupBuilder api)
    {
        var group = api.MapGroup("/orgs/{org}/readiness").WithTags("Readiness");
        group.MapGet("/", Get).WithAccess(Access.OrgAuditor)
            .WithSummary("Readiness for ?auditDate=YYYY-MM-DD (default: the next external audit) over the period from ?periodFrom= (default: since the audit before): score, gaps today, and the forecast for the audit day with the date each item must be done by");
        group.MapGet("/trend", Trend).WithAccess(Access.OrgAuditor)
            .WithSummary("The daily readiness snapshots from ?from= to ?to= (default: the last 365 days)");
        return api;
    }

    private static async Task<Ok<ReadinessDto>> Get(DateOnly? auditDate, DateOnly? periodFrom, CurrentOrg currentOrg, ReadinessService readiness, PerennialDbContext db, TimeProvider time, CancellationToken ct)
    {
        var report = await readiness.ComputeAsync(currentOrg.Id, new ReadinessQuery(auditDate, periodFrom), time.GetUtcNow(), ct);
        return TypedResults.Ok(await DtoAsync(report, db, ct));
    }

    private static async Task<Ok<IReadOnlyList<ReadinessSnapshotDto>>> Trend(DateOnly? from, DateOnly? to, CurrentOrg currentOrg, ReadinessSnapshots snapshots, TimeProvider time, CancellationToken ct)
    {
        var end = to ?? DateOnly.FromDateTime(time.GetUtcNow().UtcDateTime);
        var start = from ?? end.AddDays(-364);
        if (start > end)
        {
            throw Common.UseCaseException.Invalid("from", "from must not be after to.");
        }

        var rows = await snapshots.BetweenAsync(currentOrg.Id, start, end, ct);
        return TypedResults.Ok<IReadOnlyList<ReadinessSnapshotDto>>([.. rows.Select(s => new ReadinessSnapshotDto(s.Day, s.AuditDate, s.Score, s.Gaps, s.ForecastScore, s.ForecastGaps))]);
    }

    public static async Task<ReadinessDto> DtoAsync(ReadinessReport report, PerennialDbContext db, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(report);
        var people = await People.ByIdAsync(db, report.Gaps.Concat(report.Forecast).Select(g => g.OwnerUserId).OfType<Guid>(), ct);
        PersonDto? Owner(Guid? id) => id is { } g ? people.GetValueOrDefault(g) : null;
        static ScoreGroupDto Group(ScoreGroup g) => new(g.Key, g.Label, g.Checks, g.Passed, g.Gaps, g.Score);
        var s = report.Score;
        return new ReadinessDto(
            report.AuditDate, report.PeriodFrom, report.AuditSource, report.ExternalAuditId, report.Now,
            s.Value, ReadinessScore.Explanation,
            new ScoreDrillDownDto([.. s.ByKind.Select(Group)], [.. s.ByClause.Select(Group)], [.. s.ByOwner.Select(Group)], [.. s.ByControl.Select(Group)]),
            [.. report.Gaps.Select(g => new ReadinessGapDto(g.Kind, g.SubjectId, g.Subject, g.Title, Owner(g.OwnerUserId), g.Reason, g.Clause, g.Controls, g.Path))],
            report.ForecastScore.Value,
            [.. report.Forecast.Select(g => new ForecastGapDto(g.Kind, g.SubjectId, g.Subject, g.Title, Owner(g.OwnerUserId), g.Reason, g.Clause, g.Controls, g.Path, g.DoBy, g.Fixable))]);
    }
}

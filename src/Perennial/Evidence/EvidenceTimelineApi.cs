using Microsoft.AspNetCore.Http.HttpResults;
using Perennial.Security;

namespace Perennial.Evidence;

public sealed record TimelineSlotDto(DateOnly From, DateOnly To, string Label, string Coverage, int CoveredDays, int CountedDays, int Items);

public sealed record TimelineGapDto(DateOnly From, DateOnly To, int Days, string Words);

public sealed record TimelineItemDto(Guid Id, string Title, string Status, DateOnly PeriodFrom, DateOnly PeriodTo, DateOnly CoversTo);

public sealed record ControlTimelineDto(
    Guid ControlId, DateOnly From, DateOnly To, DateOnly Today, string Period, string SlotUnit, int? EvidenceFreshnessDays,
    IReadOnlyList<TimelineSlotDto> Slots, IReadOnlyList<TimelineGapDto> Gaps, IReadOnlyList<TimelineItemDto> Items);

public static class EvidenceTimelineApi
{
    public static RouteGroupBuilder MapEvidenceTimelineApi(this RouteGroupBuilder api)
    {
        api.MapGet("/orgs/{org}/controls/{id:guid}/evidence-timeline", Timeline).WithTags("Evidence").WithAccess(Access.OrgAuditor)
            .WithSummary("A control's evidence across a period (?from=&to=, dates; default: the current year of the certification cycle, else the last 12 months)")
            .WithDescription("Slots are months (weeks for periods up to 92 days): covered, partial, gap, or future (after today). Gaps are the runs of days "
                + "without evidence up to today. An item covers its period plus the control's evidenceFreshnessDays; without one, plus its activity's "
                + "freshness or one interval of a plain schedule. Superseded and expired items still count for the period they covered.");
        return api;
    }

    private static async Task<Ok<ControlTimelineDto>> Timeline(Guid id, DateOnly? from, DateOnly? to, CurrentOrg currentOrg, EvidenceTimeline timeline, CancellationToken ct)
    {
        var t = await timeline.ForControlAsync(currentOrg.Id, id, from, to, ct);
        return TypedResults.Ok(ToDto(t));
    }

    public static ControlTimelineDto ToDto(ControlTimeline t)
    {
        ArgumentNullException.ThrowIfNull(t);
        return new ControlTimelineDto(
            t.ControlId, t.From, t.To, t.Today, t.PeriodSource, t.SlotUnit, t.FreshnessDays,
            [.. t.Slots.Select(s => new TimelineSlotDto(s.From, s.To, s.Label, s.Coverage.ToString().ToLowerInvariant(), s.CoveredDays, s.CountedDays, s.Items))],
            [.. t.Gaps.Select(g => new TimelineGapDto(g.From, g.To, g.Days, g.Words))],
            [.. t.Items.Select(i => new TimelineItemDto(i.ItemId, i.Title, i.Status.ToName(), i.PeriodFrom, i.PeriodTo, i.CoversTo))]);
    }
}

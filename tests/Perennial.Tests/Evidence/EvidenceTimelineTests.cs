#pragma warning disable CA1861 // Request bodies and test data are written inline for readability.
using Perennial.Evidence;

namespace Perennial.Tests.Evidence;

/// <summary>The timeline's arithmetic: slots, gaps at month edges, what counts as covered, and the words for gaps.</summary>
public sealed class EvidenceTimelineTests
{
    private static readonly Guid Control = Guid.NewGuid();

    private static EvidenceSpan Span(string from, string to, string? coversTo = null, EvidenceStatus status = EvidenceStatus.Current) =>
        new(Guid.NewGuid(), "item", status, DateOnly.Parse(from), DateOnly.Parse(to), DateOnly.Parse(coversTo ?? to));

    [Fact]
    public void A_quarter_without_evidence_is_one_gap_from_the_first_to_the_last_day_of_its_months()
    {
        var timeline = EvidenceTimeline.Compute(Control, [Span("2026-01-01", "2026-03-31")], new DateOnly(2026, 1, 1), new DateOnly(2026, 6, 30), new DateOnly(2026, 7, 15));

        Assert.Equal("month", timeline.SlotUnit);
        Assert.Equal(["Jan 2026", "Feb 2026", "Mar 2026", "Apr 2026", "May 2026", "Jun 2026"], timeline.Slots.Select(s => s.Label));
        Assert.Equal(
            [SlotCoverage.Covered, SlotCoverage.Covered, SlotCoverage.Covered, SlotCoverage.Gap, SlotCoverage.Gap, SlotCoverage.Gap],
            timeline.Slots.Select(s => s.Coverage));
        var gap = Assert.Single(timeline.Gaps);
        Assert.Equal((new DateOnly(2026, 4, 1), new DateOnly(2026, 6, 30)), (gap.From, gap.To));
        Assert.Equal("No evidence from 1 Apr to 30 Jun 2026", gap.Words);
        Assert.Equal(91, gap.Days);
    }

    [Fact]
    public void One_missing_day_at_a_month_edge_makes_that_month_partial_and_is_named_as_a_single_day()
    {
        var timeline = EvidenceTimeline.Compute(
            Control, [Span("2026-01-01", "2026-01-31"), Span("2026-02-02", "2026-04-30")], new DateOnly(2026, 1, 1), new DateOnly(2026, 4, 30), new DateOnly(2026, 5, 10));

        Assert.Equal([SlotCoverage.Covered, SlotCoverage.Partial, SlotCoverage.Covered, SlotCoverage.Covered], timeline.Slots.Select(s => s.Coverage));
        Assert.Equal(27, timeline.Slots[1].CoveredDays);
        Assert.Equal(28, timeline.Slots[1].CountedDays);
        Assert.Equal("No evidence on 1 Feb 2026", Assert.Single(timeline.Gaps).Words);
    }

    [Fact]
    public void Freshness_extends_an_item_past_its_period_and_closes_the_gap_it_would_leave()
    {
        // A monthly scan dated the last day of each month, fresh for 35 days.
        var scans = new[] { "2025-10-31", "2025-11-30", "2025-12-31" }.Select(d => Span(d, d, DateOnly.Parse(d).AddDays(35).ToString("yyyy-MM-dd"))).ToList();

        var timeline = EvidenceTimeline.Compute(Control, scans, new DateOnly(2025, 11, 1), new DateOnly(2026, 2, 28), new DateOnly(2026, 3, 1));

        Assert.Equal([SlotCoverage.Covered, SlotCoverage.Covered, SlotCoverage.Covered, SlotCoverage.Partial], timeline.Slots.Select(s => s.Coverage));
        // 31 Dec + 35 days = 4 Feb: the rest of February has nothing.
        Assert.Equal("No evidence from 5 Feb to 28 Feb 2026", Assert.Single(timeline.Gaps).Words);

        var without = EvidenceTimeline.Compute(
            Control, [.. scans.Select(s => s with { CoversTo = s.PeriodTo })], new DateOnly(2025, 11, 1), new DateOnly(2026, 2, 28), new DateOnly(2026, 3, 1));
        Assert.Equal(3, without.Gaps.Count);
        Assert.Equal("No evidence from 1 Nov to 29 Nov 2025", without.Gaps[0].Words);
    }

    [Fact]
    public void Superseded_and_expired_items_still_cover_the_period_they_proved()
    {
        var timeline = EvidenceTimeline.Compute(
            Control,
            [Span("2026-01-01", "2026-01-31", status: EvidenceStatus.Superseded), Span("2026-02-01", "2026-02-28", status: EvidenceStatus.Expired)],
            new DateOnly(2026, 1, 1), new DateOnly(2026, 2, 28), new DateOnly(2026, 3, 10));

        Assert.Empty(timeline.Gaps);
        Assert.All(timeline.Slots, s => Assert.Equal(SlotCoverage.Covered, s.Coverage));
    }

    [Fact]
    public void Days_after_today_are_still_to_come_rather_than_gaps()
    {
        var timeline = EvidenceTimeline.Compute(Control, [Span("2026-01-01", "2026-03-02")], new DateOnly(2026, 1, 1), new DateOnly(2026, 12, 31), new DateOnly(2026, 3, 2));

        Assert.Empty(timeline.Gaps);
        Assert.Equal(SlotCoverage.Covered, timeline.Slots[2].Coverage);
        Assert.Equal(2, timeline.Slots[2].CountedDays);
        Assert.All(timeline.Slots.Skip(3), s => Assert.Equal(SlotCoverage.Future, s.Coverage));
    }

    [Fact]
    public void Short_periods_go_by_week_and_gaps_across_the_new_year_name_both_years()
    {
        var timeline = EvidenceTimeline.Compute(Control, [Span("2026-01-11", "2026-01-31")], new DateOnly(2025, 12, 15), new DateOnly(2026, 1, 31), new DateOnly(2026, 2, 1));

        Assert.Equal("week", timeline.SlotUnit);
        Assert.Equal(7, timeline.Slots.Count);
        Assert.Equal("15 Dec", timeline.Slots[0].Label);
        Assert.Equal(new DateOnly(2026, 1, 26), timeline.Slots[^1].From);
        Assert.Equal(new DateOnly(2026, 1, 31), timeline.Slots[^1].To);
        Assert.Equal("No evidence from 15 Dec 2025 to 10 Jan 2026", Assert.Single(timeline.Gaps).Words);
    }

    [Theory]
    [InlineData("FREQ=MONTHLY;BYMONTHDAY=-1", null, "2026-01-31", "2026-02-28")]
    [InlineData("FREQ=MONTHLY;INTERVAL=3;BYMONTHDAY=1", null, "2026-01-01", "2026-04-01")]
    [InlineData("FREQ=WEEKLY;BYDAY=MO", null, "2026-01-05", "2026-01-12")]
    [InlineData("FREQ=YEARLY", null, "2026-01-01", "2027-01-01")]
    [InlineData("FREQ=MONTHLY", 10, "2026-01-01", "2026-01-11")]
    [InlineData("FREQ=HOURLY", null, "2026-01-01", null)]
    [InlineData(null, null, "2026-01-01", null)]
    public void An_activity_item_reaches_one_interval_of_a_plain_schedule_unless_freshness_says_otherwise(string? rrule, int? freshness, string periodTo, string? expected)
    {
        Assert.Equal(expected is null ? null : DateOnly.Parse(expected), EvidenceTimeline.Extend(DateOnly.Parse(periodTo), freshness, rrule));
    }
}

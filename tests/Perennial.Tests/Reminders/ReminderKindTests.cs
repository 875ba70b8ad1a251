using Perennial.Reminders;

namespace Perennial.Tests.Reminders;

/// <summary>Which reminder an open occurrence is owed on a given local day.</summary>
public sealed class ReminderKindTests
{
    private static readonly DateOnly Due = new(2026, 6, 15);
    private static readonly int[] Leads = [14, 3];

    [Theory]
    [InlineData("2026-05-31", null)]
    [InlineData("2026-06-01", "lead-14")]
    [InlineData("2026-06-11", "lead-14")]
    [InlineData("2026-06-12", "lead-3")]
    [InlineData("2026-06-14", "lead-3")]
    [InlineData("2026-06-15", "due")]
    [InlineData("2026-06-16", "overdue-0")]
    [InlineData("2026-06-22", "overdue-0")]
    [InlineData("2026-06-23", "overdue-1")]
    [InlineData("2026-07-07", "overdue-3")]
    public void The_latest_reminder_whose_day_has_come_is_owed(string today, string? kind) =>
        Assert.Equal(kind, ReminderKinds.Latest(Due, Leads, DateOnly.Parse(today, System.Globalization.CultureInfo.InvariantCulture))?.Name);

    [Fact]
    public void An_occurrence_created_two_days_before_due_gets_no_stale_fourteen_day_reminder()
    {
        var kind = ReminderKinds.Latest(Due, Leads, Due.AddDays(-2));
        Assert.Equal("lead-3", kind?.Name);
        Assert.Equal(Due.AddDays(-3), kind?.Day);
    }

    [Fact]
    public void Escalations_repeat_every_seven_days_from_the_day_after_due()
    {
        var days = Enumerable.Range(1, 30).Select(d => ReminderKinds.Latest(Due, [], Due.AddDays(d))!.Value).DistinctBy(k => k.Name).Select(k => k.Day);
        Assert.Equal([Due.AddDays(1), Due.AddDays(8), Due.AddDays(15), Due.AddDays(22), Due.AddDays(29)], days);
        Assert.True(ReminderKinds.IsEscalation("overdue-4"));
        Assert.False(ReminderKinds.IsEscalation("due"));
    }

    [Fact]
    public void Back_off_doubles_from_a_minute_up_to_an_hour()
    {
        Assert.Equal(
            [1, 2, 4, 8, 16, 32, 60, 60],
            Enumerable.Range(1, 8).Select(a => OutboxDispatcher.BackOff(a).TotalMinutes));
    }

    [Fact]
    public void The_digest_week_is_the_ISO_week() =>
        Assert.Equal(["2026-W53", "2027-W01"], new[] { new DateOnly(2026, 12, 28), new DateOnly(2027, 1, 4) }.Select(ReminderKinds.IsoWeek));
}

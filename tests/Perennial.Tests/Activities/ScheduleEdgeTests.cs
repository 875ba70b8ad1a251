using System.Diagnostics;
using Perennial.Activities;

namespace Perennial.Tests.Activities;

/// <summary>
/// Schedules at the edges people meet in practice: daylight-saving changes, 29 February, the last
/// day of the month, times that do not exist or exist twice, EXDATE, COUNT and UNTIL, and the
/// plain choices the activity form offers.
/// </summary>
public sealed class ScheduleEdgeTests
{
    private const string London = "Europe/London";

    [Fact]
    public void A_monthly_activity_at_nine_in_London_stays_at_nine_local_across_both_daylight_saving_changes()
    {
        var schedule = new ActivitySchedule("FREQ=MONTHLY;BYMONTHDAY=15", At(2026, 1, 15, 9), London, []);

        var year = schedule.Expand(At(2026, 1, 1), At(2027, 1, 1)).ToList();

        Assert.Equal(12, year.Count);
        Assert.All(year, i => Assert.Equal(new TimeSpan(9, 0, 0), i.Local.TimeOfDay));
        // GMT until 29 March, BST until 25 October, GMT again after: 09:00 local is 09:00 or 08:00 UTC.
        int[] utcHours = [9, 9, 9, 8, 8, 8, 8, 8, 8, 8, 9, 9];
        Assert.Equal(utcHours, year.Select(i => i.Utc.Hour));
        Assert.All(year, i => Assert.Equal(TimeSpan.Zero, i.Utc.Offset));
        Assert.Equal(Enumerable.Range(1, 12).Select(m => At(2026, m, 15, 9)), year.Select(i => i.Local));
    }

    [Fact]
    public void On_the_days_the_clocks_change_nine_in_the_morning_is_still_nine_local()
    {
        // The last Sunday of March and of October are the change days in the UK.
        var schedule = new ActivitySchedule("FREQ=YEARLY;BYMONTH=3,10;BYDAY=-1SU", At(2026, 3, 29, 9), London, []);

        var days = schedule.Next(At(2026, 1, 1), 4);

        Assert.Equal([At(2026, 3, 29, 9), At(2026, 10, 25, 9), At(2027, 3, 28, 9), At(2027, 10, 31, 9)], days.Select(d => d.Local));
        Assert.Equal([Utc(2026, 3, 29, 8), Utc(2026, 10, 25, 9), Utc(2027, 3, 28, 8), Utc(2027, 10, 31, 9)], days.Select(d => d.Utc));
    }

    [Fact]
    public void A_time_in_the_spring_forward_gap_moves_forward_by_the_gap_and_keeps_its_instant()
    {
        // 01:30 on 29 March 2026 does not exist in London (01:00 GMT becomes 02:00 BST). RFC 5545
        // reads such a time with the offset before the gap: 01:30 GMT, which is 02:30 BST.
        var schedule = new ActivitySchedule("FREQ=DAILY;COUNT=3", At(2026, 3, 28, 1, 30), London, []);

        var days = schedule.Next(schedule.DtStart, 10);

        Assert.Equal([At(2026, 3, 28, 1, 30), At(2026, 3, 29, 2, 30), At(2026, 3, 30, 1, 30)], days.Select(d => d.Local));
        Assert.Equal([Utc(2026, 3, 28, 1, 30), Utc(2026, 3, 29, 1, 30), Utc(2026, 3, 30, 0, 30)], days.Select(d => d.Utc));
        // The occurrence made from it is keyed by the time it really starts.
        Assert.Equal("20260329T023000", days[1].Key);
    }

    [Fact]
    public void A_time_that_happens_twice_when_the_clocks_go_back_is_the_first_of_the_two()
    {
        // 01:30 on 25 October 2026 happens in BST (00:30 UTC) and again in GMT (01:30 UTC).
        var schedule = new ActivitySchedule("FREQ=DAILY;COUNT=3", At(2026, 10, 24, 1, 30), London, []);

        var days = schedule.Next(schedule.DtStart, 10);

        Assert.All(days, d => Assert.Equal(new TimeSpan(1, 30, 0), d.Local.TimeOfDay));
        Assert.Equal([Utc(2026, 10, 24, 0, 30), Utc(2026, 10, 25, 0, 30), Utc(2026, 10, 26, 1, 30)], days.Select(d => d.Utc));
    }

    [Fact]
    public void A_yearly_activity_on_29_February_falls_only_in_leap_years()
    {
        var schedule = new ActivitySchedule("FREQ=YEARLY", At(2024, 2, 29, 9), London, []);

        var days = schedule.Expand(At(2024, 1, 1), At(2037, 1, 1)).Select(d => d.Local);

        Assert.Equal([At(2024, 2, 29, 9), At(2028, 2, 29, 9), At(2032, 2, 29, 9), At(2036, 2, 29, 9)], days);
    }

    [Fact]
    public void The_last_day_of_February_every_year_is_BYMONTH_2_with_BYMONTHDAY_minus_1()
    {
        var schedule = new ActivitySchedule("FREQ=YEARLY;BYMONTH=2;BYMONTHDAY=-1", At(2024, 2, 29, 9), London, []);

        var days = schedule.Next(schedule.DtStart, 5).Select(d => DateOnly.FromDateTime(d.Local));

        Assert.Equal([Day(2024, 2, 29), Day(2025, 2, 28), Day(2026, 2, 28), Day(2027, 2, 28), Day(2028, 2, 29)], days);
    }

    [Fact]
    public void The_last_day_of_the_month_lands_on_the_31st_30th_28th_and_29th()
    {
        var schedule = new ActivitySchedule("FREQ=MONTHLY;BYMONTHDAY=-1", At(2027, 1, 31, 9), London, []);

        var days = schedule.Next(schedule.DtStart, 14).Select(d => DateOnly.FromDateTime(d.Local)).ToList();

        Assert.Equal(
            [Day(2027, 1, 31), Day(2027, 2, 28), Day(2027, 3, 31), Day(2027, 4, 30), Day(2027, 5, 31), Day(2027, 6, 30), Day(2027, 7, 31),
             Day(2027, 8, 31), Day(2027, 9, 30), Day(2027, 10, 31), Day(2027, 11, 30), Day(2027, 12, 31), Day(2028, 1, 31), Day(2028, 2, 29)],
            days);
    }

    [Fact]
    public void The_31st_of_each_month_without_BYMONTHDAY_minus_1_skips_the_shorter_months()
    {
        // RFC 5545 drops dates that do not exist; this is why the monthly preset uses -1 from the 29th on.
        var schedule = new ActivitySchedule("FREQ=MONTHLY", At(2027, 1, 31, 9), London, []);

        var months = schedule.Next(schedule.DtStart, 7).Select(d => d.Local.Month);

        Assert.Equal([1, 3, 5, 7, 8, 10, 12], months);
    }

    [Fact]
    public void An_EXDATE_removes_exactly_that_instance_and_still_counts_towards_COUNT()
    {
        var plain = new ActivitySchedule("FREQ=MONTHLY;BYMONTHDAY=15;COUNT=6", At(2026, 1, 15, 9), London, []);
        var excluded = plain with { ExceptionDates = ["2026-06-15T09:00:00"] };
        var wrongTime = plain with { ExceptionDates = ["2026-06-15T10:00:00"] };

        var all = plain.Next(plain.DtStart, 10).Select(d => d.Local).ToList();
        var withoutJune = excluded.Next(excluded.DtStart, 10).Select(d => d.Local).ToList();

        Assert.Equal(6, all.Count);
        Assert.Equal(all.Where(d => d.Month != 6), withoutJune);
        // An EXDATE must name the instance's start exactly; 10:00 is no instance of a 09:00 rule.
        Assert.Equal(all, wrongTime.Next(wrongTime.DtStart, 10).Select(d => d.Local));
        Assert.Empty(excluded.Validate());
    }

    [Fact]
    public void COUNT_counts_from_DTSTART_even_when_the_expansion_starts_later()
    {
        var schedule = new ActivitySchedule("FREQ=MONTHLY;BYMONTHDAY=15;COUNT=4", At(2026, 1, 15, 9), London, []);

        var fromMarch = schedule.Expand(At(2026, 3, 1), At(2030, 1, 1)).Select(d => d.Local);

        Assert.Equal([At(2026, 3, 15, 9), At(2026, 4, 15, 9)], fromMarch);
    }

    [Fact]
    public void UNTIL_in_UTC_is_inclusive_and_compared_with_the_instant_not_the_wall_clock()
    {
        // 09:00 London on 15 June is 08:00 UTC.
        var upTo = new ActivitySchedule("FREQ=MONTHLY;BYMONTHDAY=15;UNTIL=20260615T080000Z", At(2026, 1, 15, 9), London, []);
        var justBefore = upTo with { Rrule = "FREQ=MONTHLY;BYMONTHDAY=15;UNTIL=20260615T075959Z" };

        Assert.Equal(At(2026, 6, 15, 9), upTo.Next(upTo.DtStart, 20)[^1].Local);
        Assert.Equal(6, upTo.Next(upTo.DtStart, 20).Count);
        Assert.Equal(At(2026, 5, 15, 9), justBefore.Next(justBefore.DtStart, 20)[^1].Local);
    }

    [Fact]
    public void An_expansion_window_includes_its_start_and_excludes_its_end()
    {
        var schedule = new ActivitySchedule("FREQ=MONTHLY;BYMONTHDAY=15", At(2026, 1, 15, 9), London, []);

        Assert.Equal([At(2026, 3, 15, 9)], schedule.Expand(At(2026, 3, 15, 9), At(2026, 4, 15, 9)).Select(d => d.Local));
    }

    [Fact]
    public void A_rule_that_can_never_match_is_refused_naming_the_rule()
    {
        var schedule = new ActivitySchedule("FREQ=DAILY;BYMONTH=2;BYMONTHDAY=30", At(2026, 1, 1, 9), London, []);

        var error = Assert.Single(schedule.Validate());

        Assert.Equal("rrule", error.Field);
        Assert.Contains("no dates", error.Message, StringComparison.Ordinal);
        Assert.Empty(schedule.Expand(At(2026, 1, 1), At(2100, 1, 1)));
    }

    [Fact]
    public void Expanding_a_rule_that_can_never_match_gives_up_early_instead_of_searching_to_the_year_9999()
    {
        // Hour by hour to the year 9999 is 70 million steps (minutes of work, then an exception);
        // the schedule stops after ActivitySchedule.MaxEmptySteps.
        var schedule = new ActivitySchedule("FREQ=HOURLY;BYMONTH=2;BYMONTHDAY=30", At(2026, 1, 1, 9), London, []);

        var clock = Stopwatch.StartNew();
        var instances = schedule.Next(schedule.DtStart, 1);
        clock.Stop();

        Assert.Empty(instances);
        Assert.True(clock.Elapsed < TimeSpan.FromSeconds(20), $"took {clock.Elapsed}");
    }

    [Theory]
    [InlineData("FREQ=MONTHLY;BYYEARDAY=100", "BYYEARDAY")]
    [InlineData("FREQ=DAILY;BYWEEKNO=20", "BYWEEKNO")]
    [InlineData("FREQ=WEEKLY;BYMONTHDAY=1,15", "BYMONTHDAY")]
    [InlineData("FREQ=WEEKLY;BYDAY=1MO", "numbered BYDAY")]
    [InlineData("FREQ=YEARLY;BYWEEKNO=2;BYDAY=1MO", "numbered BYDAY")]
    [InlineData("FREQ=MONTHLY;BYSETPOS=1", "BYSETPOS")]
    public void Rule_parts_RFC_5545_does_not_allow_with_the_frequency_are_refused_instead_of_silently_ignored(string rule, string named)
    {
        var error = Assert.Single(new ActivitySchedule(rule, At(2026, 1, 1, 9), London, []).Validate());

        Assert.Equal("rrule", error.Field);
        Assert.Contains(named, error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void An_UNTIL_before_the_start_is_refused_naming_the_rule()
    {
        var schedule = new ActivitySchedule("FREQ=MONTHLY;UNTIL=20251231T000000Z", At(2026, 1, 15, 9), London, []);

        Assert.Equal("rrule", Assert.Single(schedule.Validate()).Field);
    }

    [Fact]
    public void An_all_day_schedule_ignores_time_parts_and_its_instants_are_local_midnight()
    {
        var schedule = new ActivitySchedule("FREQ=MONTHLY;BYMONTHDAY=1;BYHOUR=9,17;COUNT=3", At(2026, 6, 1), London, []) { AllDay = true };

        var days = schedule.Next(schedule.DtStart, 10);

        Assert.Equal([At(2026, 6, 1), At(2026, 7, 1), At(2026, 8, 1)], days.Select(d => d.Local));
        // Midnight in London during BST is 23:00 UTC the day before.
        Assert.Equal(Utc(2026, 5, 31, 23), days[0].Utc);
    }

    [Theory]
    [InlineData(SchedulePresets.Monthly, "2026-01-15", "2026-01-15 2026-02-15 2026-03-15 2026-04-15 2026-05-15")]
    [InlineData(SchedulePresets.Monthly, "2026-01-31", "2026-01-31 2026-02-28 2026-03-31 2026-04-30 2026-05-31")]
    [InlineData(SchedulePresets.Monthly, "2026-01-29", "2026-01-31 2026-02-28 2026-03-31 2026-04-30 2026-05-31")]
    [InlineData(SchedulePresets.Quarterly, "2026-01-15", "2026-01-15 2026-04-15 2026-07-15 2026-10-15 2027-01-15")]
    [InlineData(SchedulePresets.Quarterly, "2026-11-30", "2026-11-30 2027-02-28 2027-05-31 2027-08-31 2027-11-30")]
    [InlineData(SchedulePresets.HalfYearly, "2026-03-02", "2026-03-02 2026-09-02 2027-03-02 2027-09-02 2028-03-02")]
    [InlineData(SchedulePresets.Yearly, "2026-03-02", "2026-03-02 2027-03-02 2028-03-02 2029-03-02 2030-03-02")]
    [InlineData(SchedulePresets.LastWorkingDayOfQuarter, "2026-01-01", "2026-03-31 2026-06-30 2026-09-30 2026-12-31 2027-03-31")]
    [InlineData(SchedulePresets.LastWorkingDayOfQuarter, "2028-01-01", "2028-03-31 2028-06-30 2028-09-29 2028-12-29 2029-03-30")]
    public void Each_schedule_preset_gives_the_dates_its_name_promises(string preset, string start, string expected)
    {
        var startDate = DateOnly.Parse(start, System.Globalization.CultureInfo.InvariantCulture);
        var rule = SchedulePresets.Rule(preset, startDate);
        var schedule = new ActivitySchedule(rule!, startDate.ToDateTime(ActivityDefaults.DueTime), London, []);

        var dates = schedule.Next(schedule.DtStart, 5).Select(d => d.Local.ToString("yyyy-MM-dd", System.Globalization.CultureInfo.InvariantCulture));

        Assert.Equal(expected, string.Join(' ', dates));
        Assert.Equal(preset, SchedulePresets.Recognise(rule, startDate));
        Assert.Empty(schedule.Validate());
    }

    [Fact]
    public void The_last_working_day_of_the_quarter_is_always_a_weekday_with_no_weekday_after_it_in_the_quarter()
    {
        var start = new DateOnly(2026, 1, 1);
        var schedule = new ActivitySchedule(SchedulePresets.Rule(SchedulePresets.LastWorkingDayOfQuarter, start)!, start.ToDateTime(ActivityDefaults.DueTime), London, []);

        var days = schedule.Expand(At(2026, 1, 1), At(2046, 1, 1)).Select(d => DateOnly.FromDateTime(d.Local)).ToList();

        Assert.Equal(80, days.Count);
        foreach (var day in days)
        {
            Assert.True(day.Month % 3 == 0, $"{day} is not in the last month of a quarter");
            Assert.True(day.DayOfWeek is not (DayOfWeek.Saturday or DayOfWeek.Sunday), $"{day} is a weekend day");
            var lastOfMonth = new DateOnly(day.Year, day.Month, DateTime.DaysInMonth(day.Year, day.Month));
            for (var later = day.AddDays(1); later <= lastOfMonth; later = later.AddDays(1))
            {
                Assert.True(later.DayOfWeek is DayOfWeek.Saturday or DayOfWeek.Sunday, $"{later} is a later working day than {day}");
            }
        }
    }

    [Fact]
    public void Custom_and_unknown_presets_have_no_rule()
    {
        Assert.Null(SchedulePresets.Rule(SchedulePresets.Custom, new DateOnly(2026, 1, 1)));
        Assert.Null(SchedulePresets.Rule("fortnightly", new DateOnly(2026, 1, 1)));
        Assert.Equal(SchedulePresets.Custom, SchedulePresets.Recognise("FREQ=WEEKLY;INTERVAL=2", new DateOnly(2026, 1, 1)));
    }

    private static DateTime At(int year, int month, int day, int hour = 0, int minute = 0) =>
        new(year, month, day, hour, minute, 0, DateTimeKind.Unspecified);

    [Theory]
    [InlineData("2026-03-29T01:30:00")] // in London's spring-forward gap
    [InlineData("2026-10-25T01:30:00")] // twice in London's autumn hour
    [InlineData("2026-07-01T09:00:00")]
    public void A_wall_clock_time_given_by_hand_resolves_as_the_schedule_expands_it(string text)
    {
        // Cycle audits and occurrences moved by hand go through ResolveWallClock; rule instances come
        // from Ical.Net. The same wall-clock time must give the same instant either way.
        var local = DateTime.Parse(text, System.Globalization.CultureInfo.InvariantCulture);
        var expanded = new ActivitySchedule("FREQ=DAILY;COUNT=1", local, "Europe/London", []).Next(local.Date, 1).Single();
        var resolved = ActivitySchedule.ResolveWallClock(local, "Europe/London");
        Assert.Equal(expanded.Utc, resolved.Utc);
        Assert.Equal(expanded.Local, resolved.Local);
    }

    private static DateTimeOffset Utc(int year, int month, int day, int hour, int minute = 0) =>
        new(year, month, day, hour, minute, 0, TimeSpan.Zero);

    private static DateOnly Day(int year, int month, int day) => new(year, month, day);
}

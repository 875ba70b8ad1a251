using Perennial.Common;
using Perennial.InternalAudits;

namespace Perennial.Tests.InternalAudits;

/// <summary>The sampling table: frequencies read from recurrence rules, sizes by range and risk, and draws repeatable from their seed.</summary>
public sealed class SamplingTableTests
{
    [Theory]
    [InlineData("FREQ=YEARLY;BYMONTH=3;BYMONTHDAY=1", "annual")]
    [InlineData("FREQ=MONTHLY;INTERVAL=12", "annual")]
    [InlineData("FREQ=MONTHLY;INTERVAL=6;BYMONTHDAY=1", "semi-annual")]
    [InlineData("FREQ=MONTHLY;INTERVAL=3;BYMONTHDAY=1", "quarterly")]
    [InlineData("FREQ=MONTHLY;BYDAY=1MO", "monthly")]
    [InlineData("FREQ=WEEKLY;INTERVAL=4", "monthly")]
    [InlineData("FREQ=WEEKLY;BYDAY=MO", "weekly")]
    [InlineData("FREQ=WEEKLY;BYDAY=MO,TU,WE,TH,FR", "daily")]
    [InlineData("FREQ=DAILY", "daily")]
    [InlineData("FREQ=DAILY;INTERVAL=7", "weekly")]
    [InlineData("FREQ=HOURLY", null)]
    [InlineData("FREQ=DAILY;COUNT=1", null)]
    public void A_rule_is_read_as_the_frequency_the_table_knows(string rrule, string? frequency) =>
        Assert.Equal(frequency, SamplingTable.FrequencyOf(rrule));

    [Theory]
    [InlineData("annual", 3, false, 1)]
    [InlineData("quarterly", 4, false, 2)]
    [InlineData("monthly", 12, false, 2)]
    [InlineData("monthly", 12, true, 5)]
    [InlineData("weekly", 52, false, 5)]
    [InlineData("weekly", 52, true, 15)]
    [InlineData("daily", 250, false, 20)]
    [InlineData("daily", 250, true, 40)]
    [InlineData("daily", 12, true, 12)]
    public void The_size_is_the_lower_end_of_the_range_or_the_upper_for_a_higher_risk_item_never_more_than_there_are(string frequency, int population, bool higherRisk, int size) =>
        Assert.Equal(size, SamplingTable.SizeFor(SamplingTable.Defaults[frequency], population, higherRisk));

    [Fact]
    public void An_organisation_sets_its_own_sizes_and_a_bad_one_is_refused_naming_it()
    {
        var table = SamplingTable.For(new InternalAuditSettings { SampleSizes = new() { ["monthly"] = "3", ["weekly"] = "6-10" } });
        Assert.Equal(new SampleRange(3, 3), table["monthly"]);
        Assert.Equal(new SampleRange(6, 10), table["weekly"]);
        Assert.Equal(SamplingTable.Defaults["daily"], table["daily"]);
        var error = Assert.Throws<UseCaseException>(() => SamplingTable.For(new InternalAuditSettings { SampleSizes = new() { ["monthly"] = "5-2" } }));
        Assert.Equal("sampleSizes.monthly", error.Field);
    }

    [Fact]
    public void The_same_seed_over_the_same_population_draws_the_same_distinct_sample()
    {
        var population = Enumerable.Range(1, 250).ToList();
        var first = SamplingTable.Draw(population, 20, 424242);
        Assert.Equal(first, SamplingTable.Draw(population, 20, 424242));
        Assert.Equal(20, first.Distinct().Count());
        Assert.All(first, n => Assert.InRange(n, 1, 250));
        Assert.NotEqual(first, SamplingTable.Draw(population, 20, 424243));

        // A larger draw with the same seed starts with the smaller one.
        Assert.Equal(first, SamplingTable.Draw(population, 40, 424242).Take(20));
        Assert.Equal(3, SamplingTable.Draw([1, 2, 3], 10, 7).Count);
    }
}

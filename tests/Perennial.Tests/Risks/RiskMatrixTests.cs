using Perennial.Risks;

namespace Perennial.Tests.Risks;

/// <summary>Every cell of the default matrices, written out as the levels a reader expects.</summary>
public sealed class RiskMatrixTests
{
    // Rows are likelihood 1..n (top to bottom), columns impact 1..n.
    private static readonly string[] Grid3 =
    [
        "L L M",
        "L M H",
        "M H H",
    ];

    private static readonly string[] Grid4 =
    [
        "L L L M",
        "L M M H",
        "L M H C",
        "M H C C",
    ];

    private static readonly string[] Grid5 =
    [
        "L L L L M",
        "L L M M H",
        "L M M H H",
        "L M H H C",
        "M H H C C",
    ];

    [Theory]
    [InlineData(3)]
    [InlineData(4)]
    [InlineData(5)]
    public void Every_cell_of_the_default_matrix_has_the_expected_level(int size)
    {
        var grid = size switch { 3 => Grid3, 4 => Grid4, _ => Grid5 };
        var (likelihood, impact, bands, threshold) = RiskMatrix.Default(size);
        RiskService.ValidateMethod(likelihood, impact, bands, threshold);

        for (var l = 1; l <= size; l++)
        {
            var expected = grid[l - 1].Split(' ');
            for (var i = 1; i <= size; i++)
            {
                var band = RiskMatrix.Band(bands, RiskMatrix.Score(l, i));
                Assert.True(band.Name[0].ToString() == expected[i - 1], $"{size}×{size}: likelihood {l}, impact {i} (score {l * i}) is {band.Name}, expected {expected[i - 1]}");
            }
        }
    }

    [Theory]
    [InlineData(5, 9, false)]
    [InlineData(5, 10, true)]
    [InlineData(4, 6, false)]
    [InlineData(4, 8, true)]
    [InlineData(3, 2, false)]
    [InlineData(3, 3, true)]
    public void Residual_risk_above_the_threshold_needs_formal_acceptance(int size, int residualScore, bool needsAcceptance)
    {
        var threshold = RiskMatrix.Default(size).Threshold;

        Assert.Equal(needsAcceptance, RiskMatrix.NeedsAcceptance(residualScore, threshold));
    }

    [Fact]
    public void A_method_whose_bands_leave_a_gap_is_refused()
    {
        var (likelihood, impact, _, _) = RiskMatrix.Default(3);

        var e = Assert.Throws<Perennial.Common.UseCaseException>(() => RiskService.ValidateMethod(likelihood, impact,
            [new LevelBand("Low", 1, 2, "#2e7d32"), new LevelBand("High", 4, 9, "#c62828")], 4));
        Assert.Equal("bands[1]", e.Field);
    }

    [Theory]
    // reviewed on, interval in months, next review
    [InlineData("2025-01-31", 1, "2025-02-28")]
    [InlineData("2024-01-31", 1, "2024-02-29")]
    [InlineData("2024-02-29", 12, "2025-02-28")]
    [InlineData("2023-02-28", 12, "2024-02-28")]
    [InlineData("2025-08-31", 6, "2026-02-28")]
    [InlineData("2025-03-15", 3, "2025-06-15")]
    public void The_next_review_is_the_last_review_plus_the_interval_through_month_ends_and_leap_years(string reviewed, int months, string next)
    {
        Assert.Equal(DateOnly.Parse(next, System.Globalization.CultureInfo.InvariantCulture),
            RiskService.NextReview(DateOnly.Parse(reviewed, System.Globalization.CultureInfo.InvariantCulture), months));
    }
}

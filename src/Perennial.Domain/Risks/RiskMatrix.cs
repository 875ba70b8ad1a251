namespace Perennial.Risks;

/// <summary>
/// Risk level arithmetic: a score is likelihood × impact, and the band whose score range holds it
/// names the level. Default methods exist for 3×3, 4×4 and 5×5 matrices.
/// </summary>
public static class RiskMatrix
{
    public static int Score(int likelihood, int impact) => likelihood * impact;

    public static LevelBand Band(IReadOnlyList<LevelBand> bands, int score)
    {
        ArgumentNullException.ThrowIfNull(bands);
        return bands.FirstOrDefault(b => score >= b.MinScore && score <= b.MaxScore)
            ?? throw new InvalidOperationException($"No level band covers the score {score}.");
    }

    /// <summary>Residual risk above the method's threshold may only be retained with a formal acceptance.</summary>
    public static bool NeedsAcceptance(int residualScore, int threshold) => residualScore > threshold;

    public static (IReadOnlyList<ScaleLevel> Likelihood, IReadOnlyList<ScaleLevel> Impact, IReadOnlyList<LevelBand> Bands, int Threshold) Default(int size) => size switch
    {
        3 => (
            [new(1, "Unlikely", "Not expected in the next three years."), new(2, "Possible", "Could happen in the next three years."), new(3, "Likely", "Expected within a year.")],
            [new(1, "Minor", "Little effect; handled in normal work."), new(2, "Moderate", "Noticeable harm to customers or operations."), new(3, "Severe", "Serious harm, legal or contractual breach.")],
            [new("Low", 1, 2, "#2e7d32"), new("Medium", 3, 5, "#f9a825"), new("High", 6, 9, "#c62828")],
            2),
        4 => (
            [new(1, "Rare", "Not expected in the next five years."), new(2, "Unlikely", "Could happen in the next five years."), new(3, "Possible", "Could happen in the next year."), new(4, "Likely", "Expected within a year.")],
            [new(1, "Minor", "Little effect; handled in normal work."), new(2, "Moderate", "Noticeable harm, recovered within days."), new(3, "Major", "Serious harm to customers or finances."), new(4, "Critical", "Threatens the organisation or breaks the law.")],
            [new("Low", 1, 3, "#2e7d32"), new("Medium", 4, 7, "#f9a825"), new("High", 8, 11, "#ef6c00"), new("Critical", 12, 16, "#c62828")],
            6),
        5 => (
            [new(1, "Rare", "May happen only in exceptional circumstances."), new(2, "Unlikely", "Could happen, but not expected."), new(3, "Possible", "Might happen at some time."), new(4, "Likely", "Will probably happen in most years."), new(5, "Almost certain", "Expected to happen this year.")],
            [new(1, "Insignificant", "No lasting effect."), new(2, "Minor", "Small, quickly recovered harm."), new(3, "Moderate", "Noticeable harm to customers or operations."), new(4, "Major", "Serious harm, regulatory attention."), new(5, "Severe", "Threatens the organisation's survival or licence.")],
            [new("Low", 1, 4, "#2e7d32"), new("Medium", 5, 9, "#f9a825"), new("High", 10, 19, "#ef6c00"), new("Critical", 20, 25, "#c62828")],
            9),
        _ => throw new ArgumentOutOfRangeException(nameof(size), "Default methods exist for 3×3, 4×4 and 5×5 matrices."),
    };
}

using Perennial.Common;

namespace Perennial.Risks;

/// <summary>The words scripts and spreadsheets use for treatments and matrix cells.</summary>
public static class RiskNames
{
    public static string ToName(this TreatmentOption treatment) => treatment switch
    {
        TreatmentOption.Modify => "modify",
        TreatmentOption.Retain => "retain",
        TreatmentOption.Avoid => "avoid",
        TreatmentOption.Share => "share",
        _ => throw new ArgumentOutOfRangeException(nameof(treatment)),
    };

    public static string ToLabel(this TreatmentOption treatment) => treatment switch
    {
        TreatmentOption.Modify => "Modify (mitigate)",
        TreatmentOption.Retain => "Retain (accept)",
        TreatmentOption.Avoid => "Avoid",
        TreatmentOption.Share => "Share (transfer)",
        _ => throw new ArgumentOutOfRangeException(nameof(treatment)),
    };

    public static bool TryParseTreatment(string? text, out TreatmentOption treatment)
    {
        switch ((text ?? "").Trim().ToLowerInvariant())
        {
            case "modify" or "mitigate" or "reduce" or "modify (mitigate)" or "treat": treatment = TreatmentOption.Modify; return true;
            case "retain" or "accept" or "retain (accept)" or "tolerate": treatment = TreatmentOption.Retain; return true;
            case "avoid" or "terminate": treatment = TreatmentOption.Avoid; return true;
            case "share" or "transfer" or "share (transfer)": treatment = TreatmentOption.Share; return true;
            default: treatment = default; return false;
        }
    }

    public static TreatmentOption ParseTreatment(string? text, string field) =>
        TryParseTreatment(text, out var t) ? t : throw UseCaseException.Invalid(field, $"{field} is modify, retain, avoid or share; got '{text}'.");

    /// <summary>"residual:4:3" → (true, 4, 3).</summary>
    public static (bool Residual, int Likelihood, int Impact) ParseCell(string text)
    {
        var parts = (text ?? "").Split(':');
        if (parts.Length == 3 && parts[0] is "residual" or "inherent" && int.TryParse(parts[1], out var l) && int.TryParse(parts[2], out var i) && l is >= 1 and <= 7 && i is >= 1 and <= 7)
        {
            return (parts[0] == "residual", l, i);
        }

        throw UseCaseException.Invalid("cell", "cell is residual:LIKELIHOOD:IMPACT or inherent:LIKELIHOOD:IMPACT, e.g. residual:4:3.");
    }
}

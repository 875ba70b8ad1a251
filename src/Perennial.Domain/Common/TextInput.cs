namespace Perennial.Common;

/// <summary>Trims a text field and checks it against its limits, naming the field when it fails.</summary>
public static class TextInput
{
    /// <summary>The trimmed text, or null when blank; blank and required, or longer than <paramref name="max"/>, is refused.</summary>
    public static string? Clean(string? value, string field, int max, bool required = false)
    {
        var text = value?.Trim();
        if (string.IsNullOrEmpty(text))
        {
            return required ? throw UseCaseException.Invalid(field, $"{field} is required.") : null;
        }

        return text.Length > max ? throw UseCaseException.Invalid(field, $"{field} is at most {max} characters.") : text;
    }
}

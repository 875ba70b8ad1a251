using System.Text.Json;
using Perennial.Common;

namespace Perennial.Evidence.Collectors;

/// <summary>
/// Reads the settings JSON of the directory and database collectors, naming the field at fault
/// ("settings.baseDn") in every error, as <see cref="IEvidenceCollector.Validate"/> promises.
/// </summary>
internal static class DirectoryCollectorSettings
{
    public static void RequireObject(JsonElement settings)
    {
        if (settings.ValueKind != JsonValueKind.Object)
        {
            throw UseCaseException.Invalid("settings", "settings must be a JSON object.");
        }
    }

    public static string? String(JsonElement settings, string name)
    {
        if (!settings.TryGetProperty(name, out var value) || value.ValueKind == JsonValueKind.Null)
        {
            return null;
        }

        if (value.ValueKind != JsonValueKind.String)
        {
            throw UseCaseException.Invalid($"settings.{name}", $"settings.{name} must be a string.");
        }

        var text = value.GetString()!.Trim();
        return text.Length == 0 ? null : text;
    }

    public static string RequiredString(JsonElement settings, string name, string what) =>
        String(settings, name) ?? throw UseCaseException.Invalid($"settings.{name}", $"settings.{name} is required: {what}.");

    public static bool Bool(JsonElement settings, string name, bool fallback)
    {
        if (!settings.TryGetProperty(name, out var value) || value.ValueKind == JsonValueKind.Null)
        {
            return fallback;
        }

        return value.ValueKind switch
        {
            JsonValueKind.True => true,
            JsonValueKind.False => false,
            _ => throw UseCaseException.Invalid($"settings.{name}", $"settings.{name} must be true or false."),
        };
    }

    public static int Int(JsonElement settings, string name, int fallback, int min, int max)
    {
        if (!settings.TryGetProperty(name, out var value) || value.ValueKind == JsonValueKind.Null)
        {
            return fallback;
        }

        if (value.ValueKind != JsonValueKind.Number || !value.TryGetInt32(out var number) || number < min || number > max)
        {
            throw UseCaseException.Invalid($"settings.{name}", $"settings.{name} must be a whole number from {min} to {max}.");
        }

        return number;
    }

    /// <summary>A list of non-empty strings, or null when the setting is absent or empty.</summary>
    public static IReadOnlyList<string>? StringList(JsonElement settings, string name)
    {
        if (!settings.TryGetProperty(name, out var value) || value.ValueKind == JsonValueKind.Null)
        {
            return null;
        }

        if (value.ValueKind != JsonValueKind.Array)
        {
            throw UseCaseException.Invalid($"settings.{name}", $"settings.{name} must be a list of names.");
        }

        var list = new List<string>();
        var index = 0;
        foreach (var item in value.EnumerateArray())
        {
            if (item.ValueKind != JsonValueKind.String || string.IsNullOrWhiteSpace(item.GetString()))
            {
                throw UseCaseException.Invalid($"settings.{name}[{index}]", $"settings.{name}[{index}] must be a non-empty name.");
            }

            list.Add(item.GetString()!.Trim());
            index++;
        }

        return list.Count == 0 ? null : list;
    }
}

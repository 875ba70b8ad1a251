using System.Text.Json;
using Perennial.Common;

namespace Perennial.Evidence.Collectors;

/// <summary>
/// Reads a collector's settings object, refusing with a <see cref="UseCaseException"/> that names the
/// field ("settings.program") when a value is missing, of the wrong type or not one the kind knows.
/// </summary>
public sealed class CollectorSettings
{
    private readonly JsonElement root;

    private CollectorSettings(JsonElement root) => this.root = root;

    /// <summary>Checks that <paramref name="settings"/> is an object holding only <paramref name="known"/> properties.</summary>
    public static CollectorSettings Read(JsonElement settings, params string[] known)
    {
        if (settings.ValueKind != JsonValueKind.Object)
        {
            throw UseCaseException.Invalid("settings", "settings must be a JSON object.");
        }

        foreach (var property in settings.EnumerateObject())
        {
            if (!known.Contains(property.Name, StringComparer.Ordinal))
            {
                throw UseCaseException.Invalid($"settings.{property.Name}", $"settings.{property.Name} is not a setting of this collector; it knows {string.Join(", ", known)}.");
            }
        }

        return new CollectorSettings(settings);
    }

    public string? Text(string name, bool required = false, int maxLength = 2000)
    {
        if (!root.TryGetProperty(name, out var value) || value.ValueKind == JsonValueKind.Null)
        {
            return required ? throw UseCaseException.Invalid($"settings.{name}", $"settings.{name} is required.") : null;
        }

        if (value.ValueKind != JsonValueKind.String)
        {
            throw UseCaseException.Invalid($"settings.{name}", $"settings.{name} must be a string.");
        }

        var text = value.GetString()!;
        if (required && text.Trim().Length == 0)
        {
            throw UseCaseException.Invalid($"settings.{name}", $"settings.{name} is required.");
        }

        if (text.Length > maxLength)
        {
            throw UseCaseException.Invalid($"settings.{name}", $"settings.{name} is longer than {maxLength} characters.");
        }

        return text.Length == 0 ? null : text;
    }

    public IReadOnlyList<string> StringList(string name, int maxItems = 100, int maxLength = 4000)
    {
        if (!root.TryGetProperty(name, out var value) || value.ValueKind == JsonValueKind.Null)
        {
            return [];
        }

        if (value.ValueKind != JsonValueKind.Array)
        {
            throw UseCaseException.Invalid($"settings.{name}", $"settings.{name} must be an array of strings.");
        }

        var list = new List<string>();
        var index = 0;
        foreach (var item in value.EnumerateArray())
        {
            if (item.ValueKind != JsonValueKind.String)
            {
                throw UseCaseException.Invalid($"settings.{name}[{index}]", $"settings.{name}[{index}] must be a string.");
            }

            var text = item.GetString()!;
            if (text.Length > maxLength || text.Contains('\0', StringComparison.Ordinal))
            {
                throw UseCaseException.Invalid($"settings.{name}[{index}]", $"settings.{name}[{index}] is longer than {maxLength} characters or holds a NUL character.");
            }

            list.Add(text);
            index++;
        }

        return list.Count > maxItems ? throw UseCaseException.Invalid($"settings.{name}", $"settings.{name} has more than {maxItems} items.") : list;
    }

    public IReadOnlyDictionary<string, string> StringMap(string name, int maxItems = 100)
    {
        if (!root.TryGetProperty(name, out var value) || value.ValueKind == JsonValueKind.Null)
        {
            return new Dictionary<string, string>();
        }

        if (value.ValueKind != JsonValueKind.Object)
        {
            throw UseCaseException.Invalid($"settings.{name}", $"settings.{name} must be an object of names and string values.");
        }

        var map = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var property in value.EnumerateObject())
        {
            if (property.Value.ValueKind != JsonValueKind.String)
            {
                throw UseCaseException.Invalid($"settings.{name}.{property.Name}", $"settings.{name}.{property.Name} must be a string.");
            }

            map[property.Name] = property.Value.GetString()!;
        }

        return map.Count > maxItems ? throw UseCaseException.Invalid($"settings.{name}", $"settings.{name} has more than {maxItems} entries.") : map;
    }

    /// <summary>The evidence kind the output is stored as: "snapshot" (default) or "file".</summary>
    public EvidenceKind EvidenceKind(string name = "kind")
    {
        var text = Text(name, maxLength: 20);
        if (text is null)
        {
            return Evidence.EvidenceKind.Snapshot;
        }

        return EvidenceNames.TryParseKind(text, out var kind) && kind is Evidence.EvidenceKind.Snapshot or Evidence.EvidenceKind.File
            ? kind
            : throw UseCaseException.Invalid($"settings.{name}", $"settings.{name} must be 'snapshot' or 'file'.");
    }

    /// <summary>A scanner-report format the output is also imported as, if any.</summary>
    public string? Report(string name = "report")
    {
        var text = Text(name, maxLength: 20)?.Trim().ToLowerInvariant();
        return text is null or "trivy" or "sarif" or "cyclonedx" or "auto"
            ? text
            : throw UseCaseException.Invalid($"settings.{name}", $"settings.{name} must be one of trivy, sarif, cyclonedx, auto.");
    }

    /// <summary>A file name for the stored output (no folders).</summary>
    public string? FileName(string name = "fileName")
    {
        var text = Text(name, maxLength: EvidenceItem.FileNameMaxLength);
        return text is not null && (text.Contains('/', StringComparison.Ordinal) || text.Contains('\\', StringComparison.Ordinal) || text is "." or "..")
            ? throw UseCaseException.Invalid($"settings.{name}", $"settings.{name} must be a plain file name without folders.")
            : text;
    }

    /// <summary>A MIME type such as application/json.</summary>
    public string? ContentType(string name = "contentType")
    {
        var text = Text(name, maxLength: EvidenceItem.ContentTypeMaxLength);
        return text is not null && EvidenceService.SafeContentType(text) != text
            ? throw UseCaseException.Invalid($"settings.{name}", $"settings.{name} must be a MIME type such as application/json.")
            : text;
    }
}

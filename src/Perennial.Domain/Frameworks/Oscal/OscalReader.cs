using System.Text.Encodings.Web;
using System.Text.Json;
using System.Text.Json.Serialization;
using System.Text.RegularExpressions;

namespace Perennial.Frameworks.Oscal;

/// <summary>
/// Reads an OSCAL catalog or profile (JSON) into <see cref="OscalRoot"/> and checks the OSCAL rules
/// Perennial relies on. Every problem is an <see cref="ImportFormatException"/> naming its JSON path.
/// </summary>
public static partial class OscalReader
{
    private const int MaxProblemsListed = 20;
    private const int MaxControlIdLength = 64;

    internal static readonly JsonSerializerOptions ReadOptions = new()
    {
        PropertyNamingPolicy = JsonNamingPolicy.KebabCaseLower,
        ReadCommentHandling = JsonCommentHandling.Disallow,
        AllowTrailingCommas = false,
        MaxDepth = 256,
    };

    /// <summary>How a control's parameters, properties and parts are kept (compact JSON, OSCAL names).</summary>
    internal static readonly JsonSerializerOptions WriteOptions = new()
    {
        PropertyNamingPolicy = JsonNamingPolicy.KebabCaseLower,
        DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,
        Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping,
    };

    /// <summary>Parses and checks the document; <paramref name="utf8"/> is the file's bytes without a byte order mark.</summary>
    public static OscalRoot Read(ReadOnlySpan<byte> utf8)
    {
        OscalRoot? root;
        try
        {
            root = JsonSerializer.Deserialize<OscalRoot>(utf8, ReadOptions);
        }
        catch (JsonException e)
        {
            throw FromJsonException(e);
        }

        if (root is null)
        {
            throw new ImportFormatException(JsonLocation.Root, 1, 1, "the file holds null, not an OSCAL document");
        }

        var problems = new Problems();
        if (root.Catalog is not null && root.Profile is not null)
        {
            problems.Add(JsonLocation.Root, "holds both a catalog and a profile; an OSCAL document holds one model");
        }
        else if (root.Catalog is not null)
        {
            CheckCatalog(root.Catalog, JsonLocation.Property(JsonLocation.Root, "catalog"), problems);
        }
        else if (root.Profile is not null)
        {
            CheckProfile(root.Profile, JsonLocation.Property(JsonLocation.Root, "profile"), problems);
        }
        else
        {
            var models = root.Extra?.Keys.Where(k => k != "$schema").ToList() ?? [];
            problems.Add(JsonLocation.Root, models.Count == 0
                ? "an OSCAL catalog or profile was expected (an object with a \"catalog\" or \"profile\" member)"
                : $"an OSCAL catalog or profile was expected; this file holds {string.Join(", ", models.Select(m => $"\"{m}\""))}");
        }

        problems.ThrowFirst(utf8);
        return root;
    }

    /// <summary>Turns System.Text.Json's error into one that names the path and line in OSCAL terms.</summary>
    internal static ImportFormatException FromJsonException(JsonException e)
    {
        var message = e.Message;
        foreach (var tail in new[] { " Path: ", " Change the reader options." })
        {
            var cut = message.IndexOf(tail, StringComparison.Ordinal);
            if (cut >= 0)
            {
                message = message[..cut];
            }
        }

        var conversion = ConversionFailure().Match(message);
        if (conversion.Success)
        {
            message = $"wrong type: expected {Describe(conversion.Groups[1].Value)}";
        }
        else
        {
            message = "malformed JSON: " + message.TrimEnd('.');
        }

        var line = e.LineNumber is { } l ? (int)l + 1 : (int?)null;
        var column = e.BytePositionInLine is { } c ? (int)c + 1 : (int?)null;
        return new ImportFormatException(string.IsNullOrEmpty(e.Path) ? JsonLocation.Root : e.Path, line, column, message);
    }

    private static string Describe(string clrType) => clrType switch
    {
        _ when clrType.Contains("IReadOnlyList", StringComparison.Ordinal) || clrType.Contains("List`1", StringComparison.Ordinal) => "an array",
        _ when clrType.Contains("Boolean", StringComparison.Ordinal) => "true or false",
        _ when clrType.Contains("Int32", StringComparison.Ordinal) || clrType.Contains("Int64", StringComparison.Ordinal) => "a number",
        "System.String" => "a string",
        _ => "an object",
    };

    [GeneratedRegex(@"could not be converted to ([^\s]+?)\.?$")]
    private static partial Regex ConversionFailure();

    /// <summary>OSCAL's token datatype: identifiers such as control and parameter ids.</summary>
    [GeneratedRegex(@"^(\p{L}|_)(\p{L}|\p{N}|[.\-_])*$")]
    internal static partial Regex Token();

    [GeneratedRegex("^[0-9A-Fa-f]{8}-[0-9A-Fa-f]{4}-[45][0-9A-Fa-f]{3}-[89ABab][0-9A-Fa-f]{3}-[0-9A-Fa-f]{12}$")]
    private static partial Regex Uuid();

    private static void CheckCatalog(OscalCatalog catalog, string path, Problems problems)
    {
        CheckUuid(catalog.Uuid, JsonLocation.Property(path, "uuid"), problems);
        CheckMetadata(catalog.Metadata, JsonLocation.Property(path, "metadata"), problems);
        CheckParams(catalog.Params, JsonLocation.Property(path, "params"), problems);
        var ids = new Dictionary<string, string>(StringComparer.Ordinal);
        CheckControls(catalog.Controls, JsonLocation.Property(path, "controls"), ids, problems);
        CheckGroups(catalog.Groups, JsonLocation.Property(path, "groups"), ids, problems);
    }

    private static void CheckProfile(OscalProfile profile, string path, Problems problems)
    {
        CheckUuid(profile.Uuid, JsonLocation.Property(path, "uuid"), problems);
        CheckMetadata(profile.Metadata, JsonLocation.Property(path, "metadata"), problems);
        var importsPath = JsonLocation.Property(path, "imports");
        if (profile.Imports is null || profile.Imports.Count == 0)
        {
            problems.Add(importsPath, "required (at least one import)");
            return;
        }

        for (var i = 0; i < profile.Imports.Count; i++)
        {
            var import = profile.Imports[i];
            var at = JsonLocation.Index(importsPath, i);
            if (import is null)
            {
                problems.Add(at, "an import object was expected");
                continue;
            }

            Require(import.Href, JsonLocation.Property(at, "href"), problems);
            if (import.IncludeAll is null && import.IncludeControls is null)
            {
                problems.Add(at, "\"include-all\" or \"include-controls\" is required");
            }

            CheckSelections(import.IncludeControls, JsonLocation.Property(at, "include-controls"), problems);
            CheckSelections(import.ExcludeControls, JsonLocation.Property(at, "exclude-controls"), problems);
        }
    }

    private static void CheckSelections(IReadOnlyList<OscalControlSelection>? selections, string path, Problems problems)
    {
        for (var i = 0; i < (selections?.Count ?? 0); i++)
        {
            var selection = selections![i];
            var at = JsonLocation.Index(path, i);
            if (selection is null)
            {
                problems.Add(at, "a control selection object was expected");
                continue;
            }

            if (selection.WithChildControls is not (null or "yes" or "no"))
            {
                problems.Add(JsonLocation.Property(at, "with-child-controls"), $"'{selection.WithChildControls}' is not allowed; use \"yes\" or \"no\"");
            }

            var withIds = JsonLocation.Property(at, "with-ids");
            for (var j = 0; j < (selection.WithIds?.Count ?? 0); j++)
            {
                CheckToken(selection.WithIds![j], JsonLocation.Index(withIds, j), problems);
            }

            var matching = JsonLocation.Property(at, "matching");
            for (var j = 0; j < (selection.Matching?.Count ?? 0); j++)
            {
                Require(selection.Matching![j]?.Pattern, JsonLocation.Property(JsonLocation.Index(matching, j), "pattern"), problems);
            }
        }
    }

    private static void CheckMetadata(OscalMetadata? metadata, string path, Problems problems)
    {
        if (metadata is null)
        {
            problems.Add(path, "required");
            return;
        }

        Require(metadata.Title, JsonLocation.Property(path, "title"), problems);
        CheckProps(metadata.Props, JsonLocation.Property(path, "props"), problems);
    }

    private static void CheckGroups(IReadOnlyList<OscalGroup>? groups, string path, Dictionary<string, string> ids, Problems problems)
    {
        for (var i = 0; i < (groups?.Count ?? 0); i++)
        {
            var group = groups![i];
            var at = JsonLocation.Index(path, i);
            if (group is null)
            {
                problems.Add(at, "a group object was expected");
                continue;
            }

            if (group.Id is not null)
            {
                CheckToken(group.Id, JsonLocation.Property(at, "id"), problems);
            }

            Require(group.Title, JsonLocation.Property(at, "title"), problems);
            CheckParams(group.Params, JsonLocation.Property(at, "params"), problems);
            CheckProps(group.Props, JsonLocation.Property(at, "props"), problems);
            CheckParts(group.Parts, JsonLocation.Property(at, "parts"), problems);
            CheckGroups(group.Groups, JsonLocation.Property(at, "groups"), ids, problems);
            CheckControls(group.Controls, JsonLocation.Property(at, "controls"), ids, problems);
        }
    }

    private static void CheckControls(IReadOnlyList<OscalControl>? controls, string path, Dictionary<string, string> ids, Problems problems)
    {
        for (var i = 0; i < (controls?.Count ?? 0); i++)
        {
            var control = controls![i];
            var at = JsonLocation.Index(path, i);
            if (control is null)
            {
                problems.Add(at, "a control object was expected");
                continue;
            }

            var idPath = JsonLocation.Property(at, "id");
            if (CheckToken(control.Id, idPath, problems))
            {
                if (control.Id!.Length > MaxControlIdLength)
                {
                    problems.Add(idPath, $"longer than {MaxControlIdLength} characters, the most Perennial keeps for a control id");
                }

                if (ids.TryGetValue(control.Id!, out var first))
                {
                    problems.Add(idPath, $"duplicate control id '{control.Id}' (first at {first})");
                }
                else
                {
                    ids[control.Id!] = idPath;
                }
            }

            Require(control.Title, JsonLocation.Property(at, "title"), problems);
            CheckParams(control.Params, JsonLocation.Property(at, "params"), problems);
            CheckProps(control.Props, JsonLocation.Property(at, "props"), problems);
            CheckLinks(control.Links, JsonLocation.Property(at, "links"), problems);
            CheckParts(control.Parts, JsonLocation.Property(at, "parts"), problems);
            CheckControls(control.Controls, JsonLocation.Property(at, "controls"), ids, problems);
        }
    }

    private static void CheckParams(IReadOnlyList<OscalParameter>? parameters, string path, Problems problems)
    {
        for (var i = 0; i < (parameters?.Count ?? 0); i++)
        {
            var parameter = parameters![i];
            var at = JsonLocation.Index(path, i);
            if (parameter is null)
            {
                problems.Add(at, "a parameter object was expected");
                continue;
            }

            CheckToken(parameter.Id, JsonLocation.Property(at, "id"), problems);
            CheckProps(parameter.Props, JsonLocation.Property(at, "props"), problems);
        }
    }

    private static void CheckProps(IReadOnlyList<OscalProperty>? props, string path, Problems problems)
    {
        for (var i = 0; i < (props?.Count ?? 0); i++)
        {
            var prop = props![i];
            var at = JsonLocation.Index(path, i);
            if (prop is null)
            {
                problems.Add(at, "a property object was expected");
                continue;
            }

            Require(prop.Name, JsonLocation.Property(at, "name"), problems);
            if (prop.Value is null)
            {
                problems.Add(JsonLocation.Property(at, "value"), "required");
            }
        }
    }

    private static void CheckLinks(IReadOnlyList<OscalLink>? links, string path, Problems problems)
    {
        for (var i = 0; i < (links?.Count ?? 0); i++)
        {
            var at = JsonLocation.Index(path, i);
            if (links![i] is null)
            {
                problems.Add(at, "a link object was expected");
                continue;
            }

            Require(links[i].Href, JsonLocation.Property(at, "href"), problems);
        }
    }

    private static void CheckParts(IReadOnlyList<OscalPart>? parts, string path, Problems problems)
    {
        for (var i = 0; i < (parts?.Count ?? 0); i++)
        {
            var part = parts![i];
            var at = JsonLocation.Index(path, i);
            if (part is null)
            {
                problems.Add(at, "a part object was expected");
                continue;
            }

            CheckToken(part.Name, JsonLocation.Property(at, "name"), problems);
            CheckProps(part.Props, JsonLocation.Property(at, "props"), problems);
            CheckParts(part.Parts, JsonLocation.Property(at, "parts"), problems);
        }
    }

    private static void CheckUuid(string? uuid, string path, Problems problems)
    {
        if (Require(uuid, path, problems) && !Uuid().IsMatch(uuid!))
        {
            problems.Add(path, $"'{uuid}' is not a version 4 or 5 UUID");
        }
    }

    private static bool CheckToken(string? value, string path, Problems problems)
    {
        if (!Require(value, path, problems))
        {
            return false;
        }

        if (!Token().IsMatch(value!))
        {
            problems.Add(path, $"'{value}' is not an OSCAL token (a letter or '_', then letters, digits, '.', '-' or '_')");
            return false;
        }

        return true;
    }

    private static bool Require(string? value, string path, Problems problems)
    {
        if (string.IsNullOrWhiteSpace(value))
        {
            problems.Add(path, value is null ? "required" : "required (it is empty)");
            return false;
        }

        return true;
    }

    /// <summary>Collects rule violations; the first is reported with its line, and the count of the rest.</summary>
    private sealed class Problems
    {
        private readonly List<(string Path, string Problem)> items = [];
        private int count;

        public void Add(string path, string problem)
        {
            count++;
            if (items.Count < MaxProblemsListed)
            {
                items.Add((path, problem));
            }
        }

        public void ThrowFirst(ReadOnlySpan<byte> json)
        {
            if (count == 0)
            {
                return;
            }

            var (path, problem) = items[0];
            var position = JsonLocation.Find(json, path);
            var more = count > 1 ? $"{count - 1} more problem(s), the next at {items[1].Path}" : null;
            throw new ImportFormatException(path, position?.Line, position?.Column, problem, more);
        }
    }
}

using System.Text;
using System.Text.Json;
using System.Text.RegularExpressions;

namespace Perennial.Frameworks.Oscal;

/// <summary>One control or enhancement of a catalog, as Perennial stores it.</summary>
public sealed record CatalogControl(
    string Identifier,
    ControlKind Kind,
    string Title,
    string? Description,
    string? Group,
    string? ParentIdentifier,
    int SortOrder,
    string OscalJson);

/// <summary>Turns a checked OSCAL catalog into its controls, in document order.</summary>
public static partial class OscalCatalogFlattener
{
    private const int MaxInsertDepth = 5;

    /// <summary>Every control and enhancement, except withdrawn ones (their enhancements still count).</summary>
    public static IReadOnlyList<CatalogControl> Flatten(OscalCatalog catalog, out int withdrawn)
    {
        ArgumentNullException.ThrowIfNull(catalog);
        var parameters = new Dictionary<string, OscalParameter>(StringComparer.Ordinal);
        CollectParameters(catalog, parameters);

        var result = new List<CatalogControl>();
        var skipped = 0;
        void Walk(IReadOnlyList<OscalControl>? controls, string? group, OscalControl? parent)
        {
            foreach (var control in controls ?? [])
            {
                if (control.IsWithdrawn)
                {
                    skipped++;
                }
                else
                {
                    result.Add(new CatalogControl(
                        control.Id!,
                        parent is null ? ControlKind.Control : ControlKind.Enhancement,
                        control.Title!.Trim(),
                        Statement(control, parameters),
                        group,
                        parent?.Id,
                        result.Count,
                        JsonSerializer.Serialize(
                            new OscalControlContent
                            {
                                Class = control.Class,
                                Params = control.Params,
                                Props = control.Props,
                                Links = control.Links,
                                Parts = control.Parts,
                                Extra = control.Extra,
                            },
                            OscalReader.WriteOptions)));
                }

                Walk(control.Controls, group, control);
            }
        }

        void WalkGroups(IReadOnlyList<OscalGroup>? groups)
        {
            foreach (var group in groups ?? [])
            {
                Walk(group.Controls, group.Title?.Trim(), null);
                WalkGroups(group.Groups);
            }
        }

        Walk(catalog.Controls, null, null);
        WalkGroups(catalog.Groups);
        withdrawn = skipped;
        return result;
    }

    /// <summary>
    /// The statement part's prose with its items, one per line, labelled and indented, and each
    /// parameter shown as NIST prints it ("[Assignment: …]", "[Selection (one or more): …]").
    /// </summary>
    public static string? Statement(OscalControl control, IReadOnlyDictionary<string, OscalParameter> parameters)
    {
        ArgumentNullException.ThrowIfNull(control);
        var statement = control.Parts?.FirstOrDefault(p => p?.Name == "statement");
        if (statement is null)
        {
            return null;
        }

        var text = new StringBuilder();
        AppendPart(text, statement, 0, parameters);
        var flat = text.ToString().TrimEnd();
        return flat.Length == 0 ? null : flat;
    }

    private static void AppendPart(StringBuilder text, OscalPart part, int depth, IReadOnlyDictionary<string, OscalParameter> parameters)
    {
        var label = part.Props?.FirstOrDefault(p => p?.Name == "label" && p.Ns is null)?.Value;
        var prose = part.Prose is null ? null : Render(part.Prose, parameters, 0);
        var line = string.Join(" ", new[] { label, prose?.Trim() }.Where(s => !string.IsNullOrWhiteSpace(s)));
        var childDepth = depth;
        if (line.Length > 0)
        {
            text.Append(' ', depth * 2).Append(line).Append('\n');
            childDepth = depth + 1;
        }

        foreach (var child in part.Parts ?? [])
        {
            if (child is not null)
            {
                AppendPart(text, child, childDepth, parameters);
            }
        }
    }

    private static string Render(string prose, IReadOnlyDictionary<string, OscalParameter> parameters, int depth) =>
        Insert().Replace(prose, match =>
        {
            var id = match.Groups[1].Value;
            if (depth >= MaxInsertDepth || !parameters.TryGetValue(id, out var parameter))
            {
                return $"[Assignment: {id}]";
            }

            if (parameter.Values is { Count: > 0 } values)
            {
                return string.Join(", ", values);
            }

            if (parameter.Select?.Choice is { Count: > 0 } choices)
            {
                var how = parameter.Select.HowMany == "one-or-more" ? "Selection (one or more)" : "Selection";
                return $"[{how}: {string.Join("; ", choices.Select(c => Render(c ?? "", parameters, depth + 1)))}]";
            }

            return $"[Assignment: {(string.IsNullOrWhiteSpace(parameter.Label) ? id : Render(parameter.Label, parameters, depth + 1))}]";
        });

    [GeneratedRegex(@"\{\{\s*insert:\s*param,\s*([^\s}]+)\s*\}\}")]
    private static partial Regex Insert();

    private static void CollectParameters(OscalCatalog catalog, Dictionary<string, OscalParameter> into)
    {
        void Add(IReadOnlyList<OscalParameter>? parameters)
        {
            foreach (var parameter in parameters ?? [])
            {
                if (parameter?.Id is { } id)
                {
                    into.TryAdd(id, parameter);
                }
            }
        }

        void Controls(IReadOnlyList<OscalControl>? controls)
        {
            foreach (var control in controls ?? [])
            {
                Add(control.Params);
                Controls(control.Controls);
            }
        }

        void Groups(IReadOnlyList<OscalGroup>? groups)
        {
            foreach (var group in groups ?? [])
            {
                Add(group.Params);
                Controls(group.Controls);
                Groups(group.Groups);
            }
        }

        Add(catalog.Params);
        Controls(catalog.Controls);
        Groups(catalog.Groups);
    }
}

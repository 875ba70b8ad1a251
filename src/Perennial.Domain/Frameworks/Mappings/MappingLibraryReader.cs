using System.Text.RegularExpressions;
using Perennial.Frameworks.Oscal;
using YamlDotNet.Core;
using YamlDotNet.RepresentationModel;

namespace Perennial.Frameworks.Mappings;

public sealed record MappingLink(string SourceIdentifier, string TargetIdentifier, string Relationship, int Line);

/// <summary>One requirement mapping set: links from controls of one family to controls of another.</summary>
public sealed record MappingSet(string RefId, string SourceFamily, string TargetFamily, IReadOnlyList<MappingLink> Links, int DuplicatesSkipped);

public sealed record MappingLibrary(string RefId, string Name, IReadOnlyList<MappingSet> Sets)
{
    public int LinkCount => Sets.Sum(s => s.Links.Count);
}

/// <summary>
/// Reads a mapping library in YAML as CISO Assistant publishes them: <c>objects.requirement_mapping_sets</c>,
/// each with <c>source_framework_urn</c>, <c>target_framework_urn</c> and <c>requirement_mappings</c>
/// (source and target requirement urns and a relationship). Only identifiers are read.
/// Problems are reported with their YAML path and line.
/// </summary>
public static partial class MappingLibraryReader
{
    private const string FrameworkUrnPrefix = "urn:intuitem:risk:framework:";
    private const string RequirementUrnPrefix = "urn:intuitem:risk:req_node:";
    private const int MaxIdentifierLength = 64;
    private const int MaxFamilyLength = 100;
    private const int MaxSetLength = 200;
    private const int MaxRelationshipLength = 30;

    public static MappingLibrary Read(string text)
    {
        var stream = new YamlStream();
        try
        {
            stream.Load(new StringReader(text));
        }
        catch (YamlException e)
        {
            var message = e.Message;
            var cut = message.IndexOf("): ", StringComparison.Ordinal);
            if (message.StartsWith("(Line:", StringComparison.Ordinal) && cut >= 0)
            {
                message = message[(cut + 3)..];
            }

            throw new ImportFormatException("YAML", (int)e.Start.Line, (int)e.Start.Column, "malformed YAML: " + message.TrimEnd('.'));
        }

        if (stream.Documents.Count == 0 || stream.Documents[0].RootNode is not YamlMappingNode root)
        {
            throw new ImportFormatException("YAML", 1, null, "a mapping library (a YAML mapping with objects.requirement_mapping_sets) was expected");
        }

        var refId = Scalar(root, "ref_id", "", required: false) ?? Scalar(root, "urn", "", required: false) ?? "mapping";
        var name = Scalar(root, "name", "", required: false) ?? refId;
        if (!root.Children.ContainsKey(new YamlScalarNode("objects")))
        {
            throw Problem("objects", root, "required: a mapping library (objects.requirement_mapping_sets) was expected");
        }

        var objects = Child<YamlMappingNode>(root, "objects", "");
        var setsNode = Child<YamlSequenceNode>(objects, "requirement_mapping_sets", "objects");
        var sets = new List<MappingSet>();
        var seenSets = new Dictionary<string, int>(StringComparer.Ordinal);
        for (var i = 0; i < setsNode.Children.Count; i++)
        {
            var path = $"objects.requirement_mapping_sets[{i}]";
            if (setsNode.Children[i] is not YamlMappingNode set)
            {
                throw Problem(path, setsNode.Children[i], "a mapping set (a YAML mapping) was expected");
            }

            var setRef = Scalar(set, "ref_id", path)!;
            if (setRef.Length > MaxSetLength)
            {
                throw Problem($"{path}.ref_id", set, $"longer than {MaxSetLength} characters");
            }

            if (seenSets.TryGetValue(setRef, out var firstLine))
            {
                throw Problem($"{path}.ref_id", set, $"the set '{setRef}' appears twice (first at line {firstLine})");
            }

            seenSets[setRef] = Line(set);
            var sourceFamily = Family(set, "source_framework_urn", path);
            var targetFamily = Family(set, "target_framework_urn", path);
            sets.Add(ReadSet(set, path, setRef, sourceFamily, targetFamily));
        }

        if (sets.Count == 0)
        {
            throw Problem("objects.requirement_mapping_sets", setsNode, "holds no mapping set");
        }

        return new MappingLibrary(refId, name, sets);
    }

    /// <summary>
    /// Identifiers as the frameworks' own catalogs write them, so that links meet imported controls:
    /// ISO/IEC 27001 Annex A controls as <c>A.5.1</c> (clauses such as <c>7.5.1</c> unchanged), and
    /// NIST SP 800-53 enhancements as OSCAL writes them, <c>ac-17.1</c> for <c>ac-17(1)</c>.
    /// Other identifiers are kept as written.
    /// </summary>
    public static string NormaliseIdentifier(string family, string identifier)
    {
        if (family.StartsWith("iso27001", StringComparison.Ordinal) && identifier.StartsWith("a.", StringComparison.Ordinal))
        {
            return "A" + identifier[1..];
        }

        if (family.StartsWith("nist-sp-800-53", StringComparison.Ordinal) && NistEnhancement().Match(identifier) is { Success: true } enhancement)
        {
            return $"{enhancement.Groups[1].Value}.{enhancement.Groups[2].Value}";
        }

        return identifier;
    }

    [GeneratedRegex(@"^([a-z]{2}-\d+)\((\d+)\)$", RegexOptions.CultureInvariant)]
    private static partial Regex NistEnhancement();

    private static MappingSet ReadSet(YamlMappingNode set, string path, string setRef, string sourceFamily, string targetFamily)
    {
        var mappings = Child<YamlSequenceNode>(set, "requirement_mappings", path);
        var links = new List<MappingLink>(mappings.Children.Count);
        var seen = new Dictionary<(string, string), MappingLink>();
        var duplicates = 0;
        for (var j = 0; j < mappings.Children.Count; j++)
        {
            var at = $"{path}.requirement_mappings[{j}]";
            if (mappings.Children[j] is not YamlMappingNode mapping)
            {
                throw Problem(at, mappings.Children[j], "a requirement mapping (a YAML mapping) was expected");
            }

            var source = Requirement(mapping, "source_requirement_urn", at, sourceFamily);
            var target = Requirement(mapping, "target_requirement_urn", at, targetFamily);
            var relationship = Scalar(mapping, "relationship", at)!;
            if (relationship.Length > MaxRelationshipLength)
            {
                throw Problem($"{at}.relationship", mapping, $"longer than {MaxRelationshipLength} characters");
            }

            var link = new MappingLink(source, target, relationship, Line(mapping));
            if (seen.TryGetValue((source, target), out var first))
            {
                if (first.Relationship != relationship)
                {
                    throw Problem(at, mapping, $"links {source} to {target} as '{relationship}', but line {first.Line} links them as '{first.Relationship}'");
                }

                duplicates++;
                continue;
            }

            seen[(source, target)] = link;
            links.Add(link);
        }

        return new MappingSet(setRef, sourceFamily, targetFamily, links, duplicates);
    }

    private static string Family(YamlMappingNode set, string key, string path)
    {
        var urn = Scalar(set, key, path)!;
        var family = urn.StartsWith(FrameworkUrnPrefix, StringComparison.Ordinal) ? urn[FrameworkUrnPrefix.Length..] : urn[(urn.LastIndexOf(':') + 1)..];
        if (family.Length == 0 || family.Contains(':', StringComparison.Ordinal) || family.Length > MaxFamilyLength)
        {
            throw Problem($"{path}.{key}", set, $"'{urn}' does not name a framework as {FrameworkUrnPrefix}<framework>");
        }

        return family;
    }

    private static string Requirement(YamlMappingNode mapping, string key, string path, string family)
    {
        var urn = Scalar(mapping, key, path)!;
        var prefix = $"{RequirementUrnPrefix}{family}:";
        if (!urn.StartsWith(prefix, StringComparison.Ordinal) || urn.Length == prefix.Length)
        {
            throw Problem($"{path}.{key}", mapping, $"'{urn}' is not a requirement of {family} ({prefix}<id>)");
        }

        var identifier = NormaliseIdentifier(family, urn[prefix.Length..]);
        if (identifier.Length > MaxIdentifierLength)
        {
            throw Problem($"{path}.{key}", mapping, $"the identifier is longer than {MaxIdentifierLength} characters");
        }

        return identifier;
    }

    private static T Child<T>(YamlMappingNode parent, string key, string path)
        where T : YamlNode
    {
        var at = path.Length == 0 ? key : $"{path}.{key}";
        if (!parent.Children.TryGetValue(new YamlScalarNode(key), out var node))
        {
            throw Problem(at, parent, "required");
        }

        return node as T ?? throw Problem(at, node, typeof(T) == typeof(YamlSequenceNode) ? "a list was expected" : "a mapping was expected");
    }

    private static string? Scalar(YamlMappingNode parent, string key, string path, bool required = true)
    {
        var at = path.Length == 0 ? key : $"{path}.{key}";
        if (!parent.Children.TryGetValue(new YamlScalarNode(key), out var node))
        {
            return required ? throw Problem(at, parent, "required") : null;
        }

        if (node is not YamlScalarNode scalar)
        {
            throw Problem(at, node, "a text value was expected");
        }

        var value = scalar.Value?.Trim();
        if (string.IsNullOrEmpty(value))
        {
            return required ? throw Problem(at, node, "required (it is empty)") : null;
        }

        return value;
    }

    private static int Line(YamlNode node) => (int)node.Start.Line;

    private static ImportFormatException Problem(string path, YamlNode node, string problem) =>
        new(path, Line(node), (int)node.Start.Column, problem);
}

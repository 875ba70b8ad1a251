using System.Collections.Concurrent;
using System.Text.Json;
using System.Text.Json.Nodes;
using Json.Schema;

namespace Perennial.Frameworks.Oscal;

/// <summary>Bound from <c>Perennial:Oscal</c>.</summary>
public sealed class OscalOptions
{
    public const string Section = "Perennial:Oscal";

    /// <summary>
    /// An official OSCAL JSON Schema (draft-07), e.g. the "complete" schema of the OSCAL release the
    /// imported files use. When set, every OSCAL file is validated against it before it is read.
    /// A relative path is taken from the working folder.
    /// </summary>
    public string? SchemaFile { get; set; }
}

/// <summary>Validates OSCAL JSON against an official OSCAL JSON Schema.</summary>
public sealed class OscalSchemaValidator
{
    private static readonly ConcurrentDictionary<string, Lazy<OscalSchemaValidator>> Loaded = new(StringComparer.Ordinal);

    private readonly JsonSchema schema;

    private OscalSchemaValidator(JsonSchema schema, string file)
    {
        this.schema = schema;
        File = file;
    }

    public string File { get; }

    /// <summary>The validator for a schema file, loaded once per process.</summary>
    public static OscalSchemaValidator For(string schemaFile)
    {
        var full = Path.GetFullPath(schemaFile);
        if (!System.IO.File.Exists(full))
        {
            throw new InvalidOperationException(
                $"Setting {OscalOptions.Section}:SchemaFile names '{schemaFile}', which does not exist.");
        }

        var key = $"{full}|{System.IO.File.GetLastWriteTimeUtc(full).Ticks}";
        return Loaded.GetOrAdd(key, _ => new Lazy<OscalSchemaValidator>(() => Load(full))).Value;
    }

    /// <summary>
    /// Throws an <see cref="ImportFormatException"/> naming the JSON path of the most specific
    /// violation (the deepest one; the first of those in document order).
    /// </summary>
    public void Validate(ReadOnlySpan<byte> utf8)
    {
        JsonNode? document;
        try
        {
            document = JsonNode.Parse(utf8, documentOptions: new JsonDocumentOptions { CommentHandling = JsonCommentHandling.Disallow });
        }
        catch (JsonException e)
        {
            throw OscalReader.FromJsonException(e);
        }

        var results = schema.Evaluate(document, new EvaluationOptions { OutputFormat = OutputFormat.Hierarchical });
        if (results.IsValid)
        {
            return;
        }

        // Follow failing results only: a failed alternative of an anyOf that passed is no problem.
        EvaluationResults? worst = null;
        var worstDepth = -1;
        var pending = new Stack<EvaluationResults>();
        pending.Push(results);
        while (pending.TryPop(out var result))
        {
            if (result.Errors is { Count: > 0 } && result.InstanceLocation.Count > worstDepth)
            {
                worst = result;
                worstDepth = result.InstanceLocation.Count;
            }

            foreach (var child in result.Details.Reverse())
            {
                if (!child.IsValid)
                {
                    pending.Push(child);
                }
            }
        }

        if (worst is null)
        {
            throw new ImportFormatException(JsonLocation.Root, null, null, $"does not conform to the OSCAL schema {Path.GetFileName(File)}");
        }

        var path = ToPath(document, worst.InstanceLocation.ToList());
        var (keyword, message) = worst.Errors!.First();
        var evaluationPath = worst.EvaluationPath.ToString();
        var problem = evaluationPath.EndsWith("/additionalProperties", StringComparison.Ordinal)
            ? "this member is not allowed here by the OSCAL schema"
            : $"{message.TrimEnd('.')}{(keyword.Length > 0 ? $" (schema keyword '{keyword}')" : "")}";
        var position = JsonLocation.Find(utf8, path);
        throw new ImportFormatException(path, position?.Line, position?.Column, $"not valid against {Path.GetFileName(File)}: {problem}");
    }

    /// <summary>Turns a JSON Pointer into a JSON path, using the document to tell indices from names.</summary>
    private static string ToPath(JsonNode? document, IReadOnlyList<string> segments)
    {
        var path = JsonLocation.Root;
        var node = document;
        foreach (var segment in segments)
        {
            if (node is JsonArray array && int.TryParse(segment, out var index))
            {
                path = JsonLocation.Index(path, index);
                node = index < array.Count ? array[index] : null;
            }
            else
            {
                path = JsonLocation.Property(path, segment);
                node = node is JsonObject obj && obj.TryGetPropertyValue(segment, out var child) ? child : null;
            }
        }

        return path;
    }

    /// <summary>
    /// OSCAL's schemas name their definitions with draft-07 plain-name <c>$id</c>s (<c>"#assembly_…"</c>);
    /// the validator resolves JSON Pointer references more reliably, so each such reference is
    /// rewritten to point at its definition. The schema's meaning is unchanged.
    /// </summary>
    private static OscalSchemaValidator Load(string file)
    {
        JsonObject root;
        try
        {
            root = JsonNode.Parse(System.IO.File.ReadAllBytes(file))?.AsObject()
                ?? throw new InvalidOperationException($"Setting {OscalOptions.Section}:SchemaFile names '{file}', which holds no JSON Schema.");
        }
        catch (Exception e) when (e is JsonException or InvalidOperationException)
        {
            throw new InvalidOperationException($"Setting {OscalOptions.Section}:SchemaFile names '{file}', which is not a JSON Schema: {e.Message}", e);
        }

        var anchors = new Dictionary<string, string>(StringComparer.Ordinal);
        if (root["definitions"] is JsonObject definitions)
        {
            foreach (var (name, definition) in definitions)
            {
                if (definition is JsonObject d && d["$id"] is JsonValue id && id.TryGetValue<string>(out var anchor) && anchor.StartsWith('#'))
                {
                    anchors[anchor] = "#/definitions/" + name.Replace("~", "~0", StringComparison.Ordinal).Replace("/", "~1", StringComparison.Ordinal);
                    d.Remove("$id");
                }
            }
        }

        // Without its $id the schema gets a base address of its own, so two releases never clash.
        root.Remove("$id");
        RewriteReferences(root, anchors);
        return new OscalSchemaValidator(JsonSchema.FromText(root.ToJsonString()), file);
    }

    private static void RewriteReferences(JsonNode? node, Dictionary<string, string> anchors)
    {
        switch (node)
        {
            case JsonObject obj:
                if (obj["$ref"] is JsonValue reference && reference.TryGetValue<string>(out var target) && anchors.TryGetValue(target, out var pointer))
                {
                    obj["$ref"] = pointer;
                }

                foreach (var (_, child) in obj)
                {
                    RewriteReferences(child, anchors);
                }

                break;
            case JsonArray array:
                foreach (var child in array)
                {
                    RewriteReferences(child, anchors);
                }

                break;
        }
    }
}

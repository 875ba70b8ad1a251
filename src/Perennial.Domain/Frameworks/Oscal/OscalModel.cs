using System.Text.Json;
using System.Text.Json.Serialization;

namespace Perennial.Frameworks.Oscal;

// Typed view of the parts of an OSCAL catalog or profile (JSON) that Perennial reads. Property
// names map to OSCAL's kebab-case names through OscalReader's naming policy. Members OSCAL defines
// but Perennial does not read land in Extra, so that what is kept as JSON loses nothing.

/// <summary>The document's root object: exactly one OSCAL model.</summary>
public sealed class OscalRoot
{
    public OscalCatalog? Catalog { get; init; }
    public OscalProfile? Profile { get; init; }

    [JsonExtensionData]
    public Dictionary<string, JsonElement>? Extra { get; set; }
}

public sealed class OscalMetadata
{
    public string? Title { get; init; }
    public string? Version { get; init; }
    public string? OscalVersion { get; init; }
    public string? LastModified { get; init; }
    public string? Published { get; init; }
    public IReadOnlyList<OscalProperty>? Props { get; init; }
    public IReadOnlyList<OscalLink>? Links { get; init; }

    [JsonExtensionData]
    public Dictionary<string, JsonElement>? Extra { get; set; }
}

public sealed class OscalCatalog
{
    public string? Uuid { get; init; }
    public OscalMetadata? Metadata { get; init; }
    public IReadOnlyList<OscalParameter>? Params { get; init; }
    public IReadOnlyList<OscalControl>? Controls { get; init; }
    public IReadOnlyList<OscalGroup>? Groups { get; init; }
    public OscalBackMatter? BackMatter { get; init; }
}

public sealed class OscalGroup
{
    public string? Id { get; init; }
    public string? Class { get; init; }
    public string? Title { get; init; }
    public IReadOnlyList<OscalParameter>? Params { get; init; }
    public IReadOnlyList<OscalProperty>? Props { get; init; }
    public IReadOnlyList<OscalLink>? Links { get; init; }
    public IReadOnlyList<OscalPart>? Parts { get; init; }
    public IReadOnlyList<OscalGroup>? Groups { get; init; }
    public IReadOnlyList<OscalControl>? Controls { get; init; }
}

/// <summary>A control; its nested controls are its enhancements.</summary>
public sealed class OscalControl
{
    public string? Id { get; init; }
    public string? Class { get; init; }
    public string? Title { get; init; }
    public IReadOnlyList<OscalParameter>? Params { get; init; }
    public IReadOnlyList<OscalProperty>? Props { get; init; }
    public IReadOnlyList<OscalLink>? Links { get; init; }
    public IReadOnlyList<OscalPart>? Parts { get; init; }
    public IReadOnlyList<OscalControl>? Controls { get; init; }

    [JsonExtensionData]
    public Dictionary<string, JsonElement>? Extra { get; set; }

    public bool IsWithdrawn => Props?.Any(p => p.Name == "status" && p.Ns is null && p.Value == "withdrawn") == true;
}

public sealed class OscalParameter
{
    public string? Id { get; init; }
    public string? Class { get; init; }
    public IReadOnlyList<OscalProperty>? Props { get; init; }
    public IReadOnlyList<OscalLink>? Links { get; init; }
    public string? Label { get; init; }
    public string? Usage { get; init; }
    public IReadOnlyList<JsonElement>? Constraints { get; init; }
    public IReadOnlyList<OscalGuideline>? Guidelines { get; init; }
    public IReadOnlyList<string>? Values { get; init; }
    public OscalSelection? Select { get; init; }
    public string? Remarks { get; init; }

    [JsonExtensionData]
    public Dictionary<string, JsonElement>? Extra { get; set; }
}

public sealed class OscalGuideline
{
    public string? Prose { get; init; }

    [JsonExtensionData]
    public Dictionary<string, JsonElement>? Extra { get; set; }
}

public sealed class OscalSelection
{
    public string? HowMany { get; init; }
    public IReadOnlyList<string>? Choice { get; init; }

    [JsonExtensionData]
    public Dictionary<string, JsonElement>? Extra { get; set; }
}

public sealed class OscalProperty
{
    public string? Name { get; init; }
    public string? Uuid { get; init; }
    public string? Ns { get; init; }
    public string? Value { get; init; }
    public string? Class { get; init; }
    public string? Group { get; init; }
    public string? Remarks { get; init; }

    [JsonExtensionData]
    public Dictionary<string, JsonElement>? Extra { get; set; }
}

public sealed class OscalLink
{
    public string? Href { get; init; }
    public string? Rel { get; init; }
    public string? MediaType { get; init; }
    public string? ResourceFragment { get; init; }
    public string? Text { get; init; }

    [JsonExtensionData]
    public Dictionary<string, JsonElement>? Extra { get; set; }
}

/// <summary>A part of a control: its statement, guidance, objectives, with nested parts.</summary>
public sealed class OscalPart
{
    public string? Id { get; init; }
    public string? Name { get; init; }
    public string? Ns { get; init; }
    public string? Class { get; init; }
    public string? Title { get; init; }
    public IReadOnlyList<OscalProperty>? Props { get; init; }
    public string? Prose { get; init; }
    public IReadOnlyList<OscalPart>? Parts { get; init; }
    public IReadOnlyList<OscalLink>? Links { get; init; }

    [JsonExtensionData]
    public Dictionary<string, JsonElement>? Extra { get; set; }
}

public sealed class OscalBackMatter
{
    public IReadOnlyList<OscalResource>? Resources { get; init; }
}

public sealed class OscalResource
{
    public string? Uuid { get; init; }
    public string? Title { get; init; }
    public string? Description { get; init; }
    public IReadOnlyList<OscalResourceLink>? Rlinks { get; init; }
}

public sealed class OscalResourceLink
{
    public string? Href { get; init; }
    public string? MediaType { get; init; }
}

public sealed class OscalProfile
{
    public string? Uuid { get; init; }
    public OscalMetadata? Metadata { get; init; }
    public IReadOnlyList<OscalImport>? Imports { get; init; }
    public OscalMerge? Merge { get; init; }

    /// <summary>Parameter settings and alterations; not applied (controls are copied as the catalog states them).</summary>
    public OscalModify? Modify { get; init; }

    public OscalBackMatter? BackMatter { get; init; }
}

public sealed class OscalImport
{
    public string? Href { get; init; }
    public JsonElement? IncludeAll { get; init; }
    public IReadOnlyList<OscalControlSelection>? IncludeControls { get; init; }
    public IReadOnlyList<OscalControlSelection>? ExcludeControls { get; init; }
}

public sealed class OscalControlSelection
{
    /// <summary><c>yes</c> also selects the controls nested in each selected control.</summary>
    public string? WithChildControls { get; init; }
    public IReadOnlyList<string>? WithIds { get; init; }
    public IReadOnlyList<OscalMatching>? Matching { get; init; }
}

public sealed class OscalMatching
{
    /// <summary>A glob over control ids: <c>*</c> any run of characters, <c>?</c> one character.</summary>
    public string? Pattern { get; init; }
}

public sealed class OscalMerge
{
    public JsonElement? Combine { get; init; }
    public JsonElement? Flat { get; init; }
    public bool? AsIs { get; init; }
    public JsonElement? Custom { get; init; }
}

public sealed class OscalModify
{
    public IReadOnlyList<JsonElement>? SetParameters { get; init; }
    public IReadOnlyList<JsonElement>? Alters { get; init; }
}

/// <summary>What Perennial keeps of a control as JSON: everything but its nested controls.</summary>
internal sealed class OscalControlContent
{
    public string? Class { get; init; }
    public IReadOnlyList<OscalParameter>? Params { get; init; }
    public IReadOnlyList<OscalProperty>? Props { get; init; }
    public IReadOnlyList<OscalLink>? Links { get; init; }
    public IReadOnlyList<OscalPart>? Parts { get; init; }

    [JsonExtensionData]
    public Dictionary<string, JsonElement>? Extra { get; set; }
}

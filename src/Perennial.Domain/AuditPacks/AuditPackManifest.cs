using System.Text.Json;
using System.Text.Json.Serialization;

namespace Perennial.AuditPacks;

/// <summary>One file of a pack: where it is, the SHA-256 and size of its bytes, the period it covers and where it came from.</summary>
/// <param name="Source">What produced the file, e.g. "evidence (collector)", "statement of applicability, version 3".</param>
/// <param name="EvidenceId">The evidence item the file's bytes are, for evidence files.</param>
public sealed record AuditPackFile(
    string Path, string Sha256, long Size, DateOnly? PeriodFrom, DateOnly? PeriodTo, string Source, string Title, Guid? EvidenceId = null);

public sealed record AuditPackOrganisation(string Slug, string Name);

public sealed record AuditPackAudit(DateOnly AuditDate, DateOnly PeriodFrom, string Source, Guid? ExternalAuditId);

/// <summary>The audit-trail extract, and the state of the whole chain when the pack was built.</summary>
/// <param name="HeadSequence">The chain's newest entry when the pack was built.</param>
/// <param name="HeadHash">That entry's hash: any later change to the trail's past breaks the link to it.</param>
public sealed record AuditPackTrail(string Path, int Entries, long HeadSequence, string HeadHash, bool ChainIntact, string ChainCheck);

/// <summary>
/// The table of contents of an audit pack, written last as <c>manifest.json</c>, with its own SHA-256 in
/// <c>manifest.sha256</c>. It lists every other file of the pack.
/// </summary>
public sealed record AuditPackManifest(
    string Format,
    AuditPackOrganisation Organisation,
    AuditPackAudit Audit,
    DateTimeOffset GeneratedAt,
    string GeneratedBy,
    AuditPackTrail AuditTrail,
    IReadOnlyList<AuditPackFile> Files,
    IReadOnlyList<string> Notes)
{
    public const string CurrentFormat = "perennial-audit-pack/1";
    public const string ManifestPath = "manifest.json";
    public const string ManifestHashPath = "manifest.sha256";
    public const string IndexPath = "index.html";

    public static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web)
    {
        WriteIndented = true,
        DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,
    };

    /// <summary>The manifest's hash file, in the format <c>sha256sum -c</c> reads.</summary>
    public static string HashLine(string sha256) => $"{sha256}  {ManifestPath}\n";
}

/// <summary>What describes a file as it is added; its hash and size are measured while it is written.</summary>
public sealed record AuditPackFileInfo(string Source, string Title, DateOnly? PeriodFrom = null, DateOnly? PeriodTo = null, Guid? EvidenceId = null);

/// <summary>The finished pack: the hash and size of the whole ZIP and of its manifest.</summary>
public sealed record AuditPackSeal(string PackSha256, long PackSize, string ManifestSha256, int Files);

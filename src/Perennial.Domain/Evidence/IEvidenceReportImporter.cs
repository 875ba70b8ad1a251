namespace Perennial.Evidence;

/// <summary>
/// Turns a report stored as evidence (a scanner's output) into records of its own, e.g. findings. Runs
/// inside the transaction that records the item: throwing <see cref="Common.UseCaseException"/> (field
/// "file", naming the line when the JSON is malformed) refuses the whole upload and records nothing.
/// </summary>
public interface IEvidenceReportImporter
{
    /// <summary>Report formats this importer reads, e.g. "trivy", "sarif", "cyclonedx"; "auto" detects among them.</summary>
    IReadOnlyList<string> Formats { get; }

    /// <summary>Reads <paramref name="content"/> and adds what it finds to the scoped DbContext (not saved yet).</summary>
    Task ImportAsync(Guid organisationId, EvidenceItem item, string format, Stream content, CancellationToken ct);
}

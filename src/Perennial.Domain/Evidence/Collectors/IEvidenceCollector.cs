using System.Text.Json;

namespace Perennial.Evidence.Collectors;

/// <summary>
/// One kind of collector (command, HTTP, LDAP directory, PostgreSQL roles…). A collector reads its
/// organisation-specific settings and secret, pulls from the real system, and returns what it found; the
/// runner stores each result as an evidence item, records the run and attaches the items to the linked
/// activity's current occurrence. Register an implementation as a singleton <see cref="IEvidenceCollector"/>.
/// </summary>
public interface IEvidenceCollector
{
    /// <summary>Stable name used in settings and the API, e.g. "command", "http", "ldap", "postgres-roles".</summary>
    string Kind { get; }

    /// <summary>What people see in lists, e.g. "LDAP directory".</summary>
    string Label { get; }

    /// <summary>
    /// Checks settings before they are saved; throws <see cref="Common.UseCaseException"/> naming the field
    /// (e.g. "settings.baseDn") when something is missing or malformed.
    /// </summary>
    void Validate(JsonElement settings, string? secret);

    /// <summary>Pulls from the target. Throw to fail the run; the message is recorded and sent to the owner.</summary>
    Task<IReadOnlyList<CollectedEvidence>> CollectAsync(CollectorRunContext context, CancellationToken ct);
}

/// <summary>What a collector gets for one run: its settings, its decrypted secret, and the run's clock.</summary>
public sealed record CollectorRunContext(
    Guid OrganisationId,
    Guid CollectorId,
    Guid RunId,
    string CollectorName,
    JsonElement Settings,
    string? Secret,
    DateTimeOffset StartedAt,
    TimeSpan Timeout);

/// <summary>
/// One piece of evidence a run produced. <see cref="Content"/> is owned by the runner, which disposes it
/// after storing. <see cref="Report"/> names a scanner-report format ("trivy", "sarif", "cyclonedx" or
/// "auto") when the content should also be imported as findings.
/// </summary>
public sealed record CollectedEvidence(
    string Title,
    string FileName,
    string ContentType,
    Stream Content,
    EvidenceKind Kind = EvidenceKind.Snapshot,
    string? Report = null);

using System.Text.Json;
using System.Text.Json.Serialization;

namespace Perennial.Evidence;

/// <summary>
/// Accounts and their access in one system at one moment: what the LDAP and PostgreSQL collectors write
/// and what an access review is taken from. Stored as evidence with <see cref="ContentType"/>.
/// </summary>
public sealed record AccountSnapshot(
    string Source,
    string System,
    DateTimeOffset TakenAt,
    IReadOnlyList<SnapshotAccount> Accounts)
{
    public const string ContentType = "application/vnd.perennial.accounts+json";

    /// <summary>
    /// The groups of a directory and who is in each (LDAP); absent when the system has none beside the
    /// accounts' own access (PostgreSQL roles are accounts).
    /// </summary>
    public IReadOnlyList<SnapshotGroup>? Groups { get; init; }

    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web)
    {
        WriteIndented = true,
        DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,
    };

    public byte[] ToJson() => JsonSerializer.SerializeToUtf8Bytes(this, Json);

    /// <summary>Reads a snapshot; null when the bytes are not one.</summary>
    public static AccountSnapshot? TryParse(ReadOnlySpan<byte> json)
    {
        try
        {
            var snapshot = JsonSerializer.Deserialize<AccountSnapshot>(json, Json);
            return snapshot?.Accounts is null ? null : snapshot;
        }
        catch (JsonException)
        {
            return null;
        }
    }
}

/// <summary>
/// One account: a stable id in its system (LDAP DN or uid, role name), who it is, whether it can sign in,
/// and what it can reach (group names, roles, privileges) as plain strings.
/// </summary>
public sealed record SnapshotAccount(
    string Id,
    string? Name,
    string? Email,
    bool Disabled,
    IReadOnlyList<string> Access);

/// <summary>
/// One group: its id in the system (the LDAP DN), its name as it appears in accounts' access, and its
/// members as account ids (a member that is not one of the snapshot's accounts appears as written in the
/// directory, e.g. a DN outside the user filter or a nested group).
/// </summary>
public sealed record SnapshotGroup(
    string Id,
    string Name,
    IReadOnlyList<string> Members);

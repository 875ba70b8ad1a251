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

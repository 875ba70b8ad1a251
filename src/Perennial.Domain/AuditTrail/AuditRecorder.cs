using System.Globalization;
using System.Text.Json;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.ChangeTracking;

namespace Perennial.AuditTrail;

/// <summary>One field's value before and after a change, as text.</summary>
public sealed record AuditChange(string Field, string? Before, string? After);

/// <summary>Turns tracked changes of <see cref="IAudited"/> records into audit entries.</summary>
internal static class AuditRecorder
{
    // Secrets, derived values and counters that change on every sign-in are not ISMS history.
    private static readonly HashSet<string> IgnoredFields = new(StringComparer.Ordinal)
    {
        "PasswordHash", "SecurityStamp", "ConcurrencyStamp", "AccessFailedCount", "LockoutEnd",
        "NormalizedEmail", "NormalizedUserName", "TokenHash", "LastUsedAt",
    };

    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web);

    public static AuditEntry? Describe(EntityEntry<IAudited> entry)
    {
        var action = entry.State switch
        {
            EntityState.Added => AuditAction.Created,
            EntityState.Modified => AuditAction.Updated,
            EntityState.Deleted => AuditAction.Deleted,
            _ => (AuditAction?)null,
        };
        if (action is null)
        {
            return null;
        }

        var changes = new List<AuditChange>();
        foreach (var property in entry.Properties)
        {
            var name = property.Metadata.Name;
            if (IgnoredFields.Contains(name) || property.Metadata.IsShadowProperty()
                || property.Metadata.PropertyInfo?.IsDefined(typeof(NotAuditedAttribute), inherit: false) == true)
            {
                continue;
            }

            switch (action)
            {
                case AuditAction.Created:
                    changes.Add(new AuditChange(name, null, Format(property.CurrentValue)));
                    break;
                case AuditAction.Deleted:
                    changes.Add(new AuditChange(name, Format(property.OriginalValue), null));
                    break;
                default:
                    var before = Format(property.OriginalValue);
                    var after = Format(property.CurrentValue);
                    if (property.IsModified && before != after)
                    {
                        changes.Add(new AuditChange(name, before, after));
                    }

                    break;
            }
        }

        if (action == AuditAction.Updated && changes.Count == 0)
        {
            return null;
        }

        return new AuditEntry
        {
            EntityType = entry.Metadata.ClrType.Name,
            EntityId = entry.Entity.Id,
            OrganisationId = entry.Entity.OrganisationId,
            Action = action.Value,
            Changes = JsonSerializer.Serialize(changes, Json),
        };
    }

    public static IReadOnlyList<AuditChange> ReadChanges(string json) =>
        JsonSerializer.Deserialize<List<AuditChange>>(json, Json) ?? [];

    internal static string? Format(object? value) => value switch
    {
        null => null,
        DateTimeOffset d => d.ToUniversalTime().ToString("O", CultureInfo.InvariantCulture),
        DateTime d => d.ToString("O", CultureInfo.InvariantCulture),
        DateOnly d => d.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture),
        bool b => b ? "true" : "false",
        Enum e => e.ToString(),
        IFormattable f => f.ToString(null, CultureInfo.InvariantCulture),
        _ => value.ToString(),
    };
}

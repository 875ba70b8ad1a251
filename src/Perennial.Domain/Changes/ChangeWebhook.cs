using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using Microsoft.AspNetCore.DataProtection;
using Microsoft.EntityFrameworkCore;
using Perennial.Common;
using Perennial.Data;

namespace Perennial.Changes;

/// <summary>
/// Turns a signed JSON payload from a ticketing system into a change record. Each organisation has
/// its own secret (shown once, stored encrypted with the installation's data-protection keys); the
/// sender signs the raw body with HMAC-SHA256 and sends <c>X-Perennial-Signature: sha256=&lt;hex&gt;</c>.
/// A body already accepted is refused, so a captured delivery cannot be replayed.
/// </summary>
/// <remarks>
/// The payload (see docs/CHANGES-WEBHOOK.md):
/// <code>
/// {
///   "id": "OPS-1234",                  // required: the ticket's id, at most 200 characters
///   "title": "Move payroll to Payflow", // required: at most 300 characters
///   "description": "…",                // optional: at most 4000 characters
///   "type": "supplier",                // optional (default "other"): new-product, supplier, site,
///                                      //   restructure, system, acquisition, legal, other
///   "requester": "ana@example.com",     // optional: a name, or the e-mail of a member
///   "plannedDate": "2026-04-30",        // optional: YYYY-MM-DD
///   "impact": {                        // optional: answers to the ISMS impact questions
///     "scope": false, "assets": true, "supplier": true, "access": false, "legal": false, "soa": false
///   }
/// }
/// </code>
/// </remarks>
public sealed class ChangeWebhook(PerennialDbContext db, IDataProtectionProvider protection, TimeProvider time, ChangeService changes)
{
    public const string SignatureHeader = "X-Perennial-Signature";
    public const string SignaturePrefix = "sha256=";
    public const string ProtectorPurpose = "Perennial.Changes.Webhook";
    public const int MaxBodyBytes = 256 * 1024;

    private static readonly string[] Fields = ["id", "title", "description", "type", "requester", "plannedDate", "impact"];
    private static readonly string[] ImpactFields = ["scope", "assets", "supplier", "access", "legal", "soa"];

    private IDataProtector Protector => protection.CreateProtector(ProtectorPurpose);

    /// <summary>The organisation a webhook address names, or null when there is none.</summary>
    public async Task<Guid?> OrganisationIdAsync(string slug, CancellationToken ct) =>
        await db.Organisations.AsNoTracking().Where(o => o.Slug == slug).Select(o => (Guid?)o.Id).SingleOrDefaultAsync(ct);

    /// <summary>Creates (or replaces) the organisation's secret and returns it: the only time it is readable.</summary>
    public async Task<string> CreateSecretAsync(Guid organisationId, CancellationToken ct)
    {
        var secret = Base64UrlEncode(RandomNumberGenerator.GetBytes(32));
        var row = await db.WebhookSecrets.SingleOrDefaultAsync(s => s.OrganisationId == organisationId, ct);
        if (row is null)
        {
            row = new WebhookSecret { OrganisationId = organisationId };
            db.WebhookSecrets.Add(row);
        }

        row.ProtectedSecret = Protector.Protect(secret);
        row.CreatedAt = time.GetUtcNow();
        await db.SaveChangesAsync(ct);
        return secret;
    }

    /// <summary>When the current secret was created; null when there is none.</summary>
    public async Task<DateTimeOffset?> SecretCreatedAtAsync(Guid organisationId, CancellationToken ct) =>
        await db.WebhookSecrets.AsNoTracking().Where(s => s.OrganisationId == organisationId).Select(s => (DateTimeOffset?)s.CreatedAt).SingleOrDefaultAsync(ct);

    /// <summary>
    /// Verifies and records one delivery. Returns null when the signature is missing or wrong, or no
    /// secret is configured (the caller answers 401 either way). Throws a conflict for a replayed body or
    /// a ticket already recorded, and a validation error naming the field for a bad payload.
    /// </summary>
    public async Task<Change?> ReceiveAsync(Guid organisationId, byte[] body, string? signature, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(body);
        if (!await VerifyAsync(organisationId, body, signature, ct))
        {
            return null;
        }

        var hash = Convert.ToHexStringLower(SHA256.HashData(body));
        await using var transaction = await db.Database.BeginTransactionAsync(ct);
        await db.LockAsync($"webhook:{organisationId}", ct);
        await RefuseReplayAsync(organisationId, hash, ct);
        var (input, impact) = Parse(body);
        if (await changes.FindByExternalIdAsync(organisationId, input.ExternalId!, ct) is { } existing)
        {
            throw UseCaseException.Conflict("id", $"The ticket '{input.ExternalId}' is already recorded as {existing.Reference}.");
        }

        var change = await changes.CreateAsync(organisationId, input, ChangeSource.Webhook, impact, null, ct);
        db.WebhookDeliveries.Add(new WebhookDelivery { OrganisationId = organisationId, BodyHash = hash, ReceivedAt = time.GetUtcNow(), ChangeId = change.Id });
        try
        {
            await db.SaveChangesAsync(ct);
        }
        catch (DbUpdateException)
        {
            // The same body arriving twice at once: the unique index keeps the second one out.
            throw UseCaseException.Conflict("body", "This delivery has already been received; a replay is refused.");
        }

        await transaction.CommitAsync(ct);
        return change;
    }

    /// <summary>The signature header value for a body: what the sender computes.</summary>
    public static string Sign(ReadOnlySpan<byte> body, string secret) =>
        SignaturePrefix + Convert.ToHexStringLower(HMACSHA256.HashData(Encoding.UTF8.GetBytes(secret), body));

    private async Task<bool> VerifyAsync(Guid organisationId, byte[] body, string? signature, CancellationToken ct)
    {
        var stored = await db.WebhookSecrets.AsNoTracking().Where(s => s.OrganisationId == organisationId).Select(s => s.ProtectedSecret).SingleOrDefaultAsync(ct);
        byte[] key;
        var known = false;
        try
        {
            key = stored is null ? RandomNumberGenerator.GetBytes(32) : Encoding.UTF8.GetBytes(Protector.Unprotect(stored));
            known = stored is not null;
        }
        catch (CryptographicException)
        {
            // Keys lost or rotated away: the secret cannot be read, so nothing can be verified.
            key = RandomNumberGenerator.GetBytes(32);
        }

        // Computed even without a secret, so that a missing secret and a wrong signature look alike.
        var expected = HMACSHA256.HashData(key, body);
        var given = ParseSignature(signature);
        return CryptographicOperations.FixedTimeEquals(expected, given) && known;
    }

    private static byte[] ParseSignature(string? header)
    {
        var value = header?.Trim() ?? "";
        if (!value.StartsWith(SignaturePrefix, StringComparison.OrdinalIgnoreCase) || value.Length != SignaturePrefix.Length + 64)
        {
            return [];
        }

        try
        {
            return Convert.FromHexString(value.AsSpan(SignaturePrefix.Length));
        }
        catch (FormatException)
        {
            return [];
        }
    }

    private async Task RefuseReplayAsync(Guid organisationId, string hash, CancellationToken ct)
    {
        var earlier = await db.WebhookDeliveries.AsNoTracking()
            .Where(d => d.OrganisationId == organisationId && d.BodyHash == hash)
            .Select(d => (Guid?)d.ChangeId).FirstOrDefaultAsync(ct);
        if (earlier is { } changeId)
        {
            var reference = await db.Changes.AsNoTracking().Where(c => c.Id == changeId).Select(c => c.Reference).FirstOrDefaultAsync(ct);
            throw UseCaseException.Conflict("body", $"This delivery has already been received{(reference is null ? "" : $" and recorded as {reference}")}; a replay is refused.");
        }
    }

    /// <summary>Reads the payload, naming the field at fault.</summary>
    internal static (ChangeInput Input, ImpactAnswers? Impact) Parse(byte[] body)
    {
        JsonDocument document;
        try
        {
            document = JsonDocument.Parse(body);
        }
        catch (JsonException e)
        {
            throw UseCaseException.Invalid("body", $"The body is not valid JSON (line {(e.LineNumber ?? 0) + 1}).");
        }

        using (document)
        {
            var root = document.RootElement;
            if (root.ValueKind != JsonValueKind.Object)
            {
                throw UseCaseException.Invalid("body", "The body must be a JSON object.");
            }

            foreach (var property in root.EnumerateObject())
            {
                if (!Fields.Contains(property.Name, StringComparer.Ordinal))
                {
                    throw UseCaseException.Invalid(property.Name, $"'{property.Name}' is not a field of the payload; the fields are {string.Join(", ", Fields)}.");
                }
            }

            var id = Text(root, "id", ChangeService.ExternalIdMax, required: true)!;
            var title = Text(root, "title", ChangeService.TitleMax, required: true)!;
            var description = Text(root, "description", ChangeService.DescriptionMax, required: false);
            var requester = Text(root, "requester", ChangeService.RequesterMax, required: false);
            var typeName = Text(root, "type", 50, required: false);
            var type = ChangeType.Other;
            if (typeName is not null && !ChangeNames.TryParseType(typeName, out type))
            {
                throw UseCaseException.Invalid("type", $"type must be one of {ChangeNames.TypeNames}; got '{typeName}'.");
            }

            DateOnly? planned = null;
            if (Text(root, "plannedDate", 10, required: false) is { } date)
            {
                planned = DateOnly.TryParseExact(date, "yyyy-MM-dd", CultureInfo.InvariantCulture, DateTimeStyles.None, out var parsed)
                    ? parsed
                    : throw UseCaseException.Invalid("plannedDate", $"plannedDate must be a date written YYYY-MM-DD; got '{date}'.");
            }

            var input = new ChangeInput(title, description, type, requester, null, planned, ChangeStatus.Proposed, [], [], id);
            return (input, ParseImpact(root));
        }
    }

    private static ImpactAnswers? ParseImpact(JsonElement root)
    {
        if (!root.TryGetProperty("impact", out var impact) || impact.ValueKind == JsonValueKind.Null)
        {
            return null;
        }

        if (impact.ValueKind != JsonValueKind.Object)
        {
            throw UseCaseException.Invalid("impact", "impact must be an object such as { \"supplier\": true }.");
        }

        var answers = new Dictionary<string, bool?>(StringComparer.Ordinal);
        foreach (var property in impact.EnumerateObject())
        {
            if (!ImpactFields.Contains(property.Name, StringComparer.Ordinal))
            {
                throw UseCaseException.Invalid($"impact.{property.Name}", $"'impact.{property.Name}' is not an impact question; they are {string.Join(", ", ImpactFields)}.");
            }

            answers[property.Name] = property.Value.ValueKind switch
            {
                JsonValueKind.True => true,
                JsonValueKind.False => false,
                JsonValueKind.Null => null,
                _ => throw UseCaseException.Invalid($"impact.{property.Name}", $"impact.{property.Name} must be true, false or null."),
            };
        }

        bool? Answer(string key) => answers.TryGetValue(key, out var value) ? value : null;
        return new ImpactAnswers(Answer("scope"), Answer("assets"), Answer("supplier"), Answer("access"), Answer("legal"), Answer("soa"));
    }

    private static string? Text(JsonElement root, string field, int max, bool required)
    {
        if (!root.TryGetProperty(field, out var value) || value.ValueKind == JsonValueKind.Null)
        {
            return required ? throw UseCaseException.Invalid(field, $"{field} is required.") : null;
        }

        if (value.ValueKind != JsonValueKind.String)
        {
            throw UseCaseException.Invalid(field, $"{field} must be a string.");
        }

        var text = value.GetString()!.Trim();
        if (text.Length == 0)
        {
            return required ? throw UseCaseException.Invalid(field, $"{field} is required.") : null;
        }

        return text.Length <= max ? text : throw UseCaseException.Invalid(field, $"{field} is at most {max} characters.");
    }

    private static string Base64UrlEncode(byte[] bytes) =>
        Convert.ToBase64String(bytes).TrimEnd('=').Replace('+', '-').Replace('/', '_');
}

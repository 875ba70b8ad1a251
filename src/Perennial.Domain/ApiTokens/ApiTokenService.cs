using System.Security.Cryptography;
using System.Text;
using Microsoft.EntityFrameworkCore;
using Perennial.Common;
using Perennial.Data;
using Perennial.Paging;

namespace Perennial.ApiTokens;

public sealed record ApiTokenSummary(Guid Id, string Name, string Prefix, DateTimeOffset CreatedAt, DateTimeOffset? ExpiresAt, DateTimeOffset? RevokedAt, DateTimeOffset? LastUsedAt, bool Active);

public sealed record CreatedApiToken(ApiTokenSummary Token, string Secret);

/// <summary>Personal API tokens. The secret is shown once; only its SHA-256 is kept.</summary>
public sealed class ApiTokenService(PerennialDbContext db, TimeProvider time)
{
    public const string SecretPrefix = "prn_";
    public const int MaxYears = 10;

    public async Task<CreatedApiToken> CreateAsync(Guid userId, string name, DateOnly? expiresOn, CancellationToken ct)
    {
        name = (name ?? "").Trim();
        if (name.Length == 0 || name.Length > ApiToken.NameMaxLength)
        {
            throw UseCaseException.Invalid("name", $"name is required and at most {ApiToken.NameMaxLength} characters.");
        }

        var now = time.GetUtcNow();
        var today = DateOnly.FromDateTime(now.UtcDateTime);
        if (expiresOn is { } date && date < today)
        {
            throw UseCaseException.Invalid("expires", $"The expiry date {date:yyyy-MM-dd} is in the past.");
        }

        if (expiresOn is { } far && far > today.AddYears(MaxYears))
        {
            throw UseCaseException.Invalid("expires", $"The expiry date {far:yyyy-MM-dd} is more than {MaxYears} years away; leave it empty for a token that does not expire.");
        }

        if (!await db.Users.AnyAsync(u => u.Id == userId, ct))
        {
            throw UseCaseException.NotFound("The account does not exist.");
        }

        var secret = SecretPrefix + Base64UrlEncode(RandomNumberGenerator.GetBytes(32));
        var token = new ApiToken
        {
            UserId = userId,
            Name = name,
            TokenHash = Hash(secret),
            Prefix = secret[..10],
            CreatedAt = now,
            // Valid through the whole expiry day, UTC.
            ExpiresAt = expiresOn is { } d ? new DateTimeOffset(d.AddDays(1).ToDateTime(TimeOnly.MinValue), TimeSpan.Zero) : null,
        };
        db.ApiTokens.Add(token);
        await db.SaveChangesAsync(ct);
        return new CreatedApiToken(ToSummary(token, now), secret);
    }

    public async Task<Paged<ApiTokenSummary>> ListAsync(Guid userId, PageRequest page, CancellationToken ct)
    {
        var now = time.GetUtcNow();
        var rows = await db.ApiTokens.AsNoTracking().Where(t => t.UserId == userId)
            .OrderByDescending(t => t.CreatedAt).ToPagedAsync(page, ct);
        return new Paged<ApiTokenSummary>(rows.Items.Select(t => ToSummary(t, now)).ToList(), rows.Page, rows.PageSize, rows.Total);
    }

    public async Task RevokeAsync(Guid userId, Guid tokenId, CancellationToken ct)
    {
        var token = await db.ApiTokens.SingleOrDefaultAsync(t => t.Id == tokenId && t.UserId == userId, ct)
            ?? throw UseCaseException.NotFound("No such token.");
        if (token.RevokedAt is null)
        {
            token.RevokedAt = time.GetUtcNow();
            await db.SaveChangesAsync(ct);
        }
    }

    /// <summary>The user a presented token belongs to, or null when it is unknown, revoked or expired.</summary>
    /// <summary>The usable token the caller presented (with its user), or null.</summary>
    public async Task<ApiToken?> AuthenticateAsync(string presented, CancellationToken ct)
    {
        if (string.IsNullOrEmpty(presented) || !presented.StartsWith(SecretPrefix, StringComparison.Ordinal) || presented.Length > 200)
        {
            return null;
        }

        var hash = Hash(presented);
        var token = await db.ApiTokens.Include(t => t.User).SingleOrDefaultAsync(t => t.TokenHash == hash, ct);
        var now = time.GetUtcNow();
        if (token is null || !token.IsUsable(now) || token.User!.LockoutEnd > now)
        {
            return null;
        }

        // Recorded at most once a minute so that a busy pipeline does not write on every call.
        if (token.LastUsedAt is null || now - token.LastUsedAt > TimeSpan.FromMinutes(1))
        {
            token.LastUsedAt = now;
            await db.SaveChangesAsync(ct);
        }

        return token;
    }

    public static string Hash(string secret) => Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(secret)));

    private static string Base64UrlEncode(byte[] bytes) =>
        Convert.ToBase64String(bytes).TrimEnd('=').Replace('+', '-').Replace('/', '_');

    private static ApiTokenSummary ToSummary(ApiToken t, DateTimeOffset now) =>
        new(t.Id, t.Name, t.Prefix, t.CreatedAt, t.ExpiresAt, t.RevokedAt, t.LastUsedAt, t.IsUsable(now));
}

using System.Security.Cryptography;
using System.Text;
using Microsoft.EntityFrameworkCore;
using Perennial.Activities;
using Perennial.Common;
using Perennial.Data;
using Perennial.Nonconformities;
using Perennial.Organisations;

namespace Perennial.Feeds;

/// <summary>A feed as its owner sees it in lists: never with its token.</summary>
public sealed record CalendarFeedSummary(Guid Id, FeedScope Scope, DateTimeOffset CreatedAt, DateTimeOffset? LastUsedAt);

/// <summary>A feed just created, with its token: the only moment the token exists outside the subscriber's calendar.</summary>
public sealed record CreatedCalendarFeed(CalendarFeedSummary Feed, string Token);

/// <summary>Who a presented feed token speaks for, after every check passed.</summary>
public sealed record FeedSubscriber(Guid FeedId, FeedScope Scope, Guid OrganisationId, string OrganisationSlug, string OrganisationName, Guid UserId, string UserName);

/// <summary>
/// Private calendar subscription URLs: a personal feed (what the person owns or deputises for) or
/// the organisation-wide feed for ISMS managers. The token is shown once and only its SHA-256 is
/// kept; access is checked again on every fetch, so an expired or downgraded membership ends the
/// feed without anyone revoking it.
/// </summary>
public sealed class CalendarFeedService(PerennialDbContext db, TimeProvider time, OccurrenceService occurrences, ObligationCalendar obligations)
{
    public const string TokenPrefix = "prnc_";

    /// <summary>How far back and ahead a feed reaches.</summary>
    public const int DaysBack = 90;
    public const int MonthsAhead = 15;

    /// <summary>LastUsedAt is written at most this often, so polling calendars do not write on every fetch.</summary>
    public static readonly TimeSpan LastUsedResolution = TimeSpan.FromHours(1);

    private DateOnly Today => DateOnly.FromDateTime(time.GetUtcNow().UtcDateTime);

    /// <summary>The least role a member needs to hold a feed of this scope.</summary>
    public static OrgRole MinimumRole(FeedScope scope) => scope == FeedScope.Organisation ? OrgRole.Manager : OrgRole.Auditor;

    /// <summary>Creates a feed; the person's earlier feed of the same scope here stops working.</summary>
    public async Task<CreatedCalendarFeed> CreateAsync(Guid organisationId, Guid userId, FeedScope scope, CancellationToken ct)
    {
        if (!Enum.IsDefined(scope))
        {
            throw UseCaseException.Invalid("scope", "scope must be personal or organisation.");
        }

        var role = await RoleAsync(organisationId, userId, ct)
            ?? throw UseCaseException.NotFound("You are not a current member of this organisation.");
        if (role < MinimumRole(scope))
        {
            throw UseCaseException.Forbidden("Only ISMS managers and admins can subscribe to the organisation-wide calendar.");
        }

        var now = time.GetUtcNow();
        var token = TokenPrefix + Convert.ToBase64String(RandomNumberGenerator.GetBytes(32)).TrimEnd('=').Replace('+', '-').Replace('/', '_');
        await using var transaction = db.Database.CurrentTransaction is null ? await db.Database.BeginTransactionAsync(ct) : null;
        // Two requests at once must still leave one working feed per person and scope.
        await db.LockAsync($"calendar-feeds:{organisationId}:{userId}", ct);
        var earlier = await db.CalendarFeedTokens
            .Where(t => t.OrganisationId == organisationId && t.UserId == userId && t.Scope == scope && t.RevokedAt == null)
            .ToListAsync(ct);
        foreach (var old in earlier)
        {
            old.RevokedAt = now;
        }

        var feed = new CalendarFeedToken
        {
            Id = Guid.NewGuid(),
            OrganisationId = organisationId,
            UserId = userId,
            Scope = scope,
            TokenHash = Hash(token),
            CreatedAt = now,
        };
        db.CalendarFeedTokens.Add(feed);
        await db.SaveChangesAsync(ct);
        if (transaction is not null)
        {
            await transaction.CommitAsync(ct);
        }

        return new CreatedCalendarFeed(ToSummary(feed), token);
    }

    /// <summary>The person's feeds in the organisation that still work, organisation-wide first.</summary>
    public async Task<IReadOnlyList<CalendarFeedSummary>> ListAsync(Guid organisationId, Guid userId, CancellationToken ct)
    {
        var feeds = await db.CalendarFeedTokens.AsNoTracking()
            .Where(t => t.OrganisationId == organisationId && t.UserId == userId && t.RevokedAt == null)
            .ToListAsync(ct);
        return [.. feeds.OrderByDescending(f => f.Scope).ThenByDescending(f => f.CreatedAt).Select(ToSummary)];
    }

    /// <summary>Revokes one of the person's feeds; its URL answers 404 from now on.</summary>
    public async Task RevokeAsync(Guid organisationId, Guid userId, Guid feedId, CancellationToken ct)
    {
        var feed = await db.CalendarFeedTokens
            .SingleOrDefaultAsync(t => t.Id == feedId && t.OrganisationId == organisationId && t.UserId == userId, ct)
            ?? throw UseCaseException.NotFound("No such calendar feed of yours in this organisation.");
        if (feed.RevokedAt is null)
        {
            feed.RevokedAt = time.GetUtcNow();
            await db.SaveChangesAsync(ct);
        }
    }

    /// <summary>
    /// The subscriber a presented token speaks for, or null when the token is unknown or revoked, or
    /// its holder is no longer a member with the role the feed needs.
    /// </summary>
    public async Task<FeedSubscriber?> ResolveAsync(string? token, CancellationToken ct)
    {
        if (string.IsNullOrEmpty(token) || !token.StartsWith(TokenPrefix, StringComparison.Ordinal) || token.Length > 100)
        {
            return null;
        }

        var hash = Hash(token);
        var feed = await db.CalendarFeedTokens.SingleOrDefaultAsync(t => t.TokenHash == hash, ct);
        if (feed is null || feed.RevokedAt is not null)
        {
            return null;
        }

        var member = await db.Memberships.AsNoTracking().ActiveOn(Today)
            .Where(m => m.OrganisationId == feed.OrganisationId && m.UserId == feed.UserId)
            .Select(m => new { m.Role, m.Organisation!.Slug, m.Organisation.Name, m.User!.DisplayName })
            .SingleOrDefaultAsync(ct);
        if (member is null || member.Role < MinimumRole(feed.Scope))
        {
            return null;
        }

        var now = time.GetUtcNow();
        if (feed.LastUsedAt is null || now - feed.LastUsedAt >= LastUsedResolution)
        {
            feed.LastUsedAt = now;
            await db.SaveChangesAsync(ct);
        }

        return new FeedSubscriber(feed.Id, feed.Scope, feed.OrganisationId, member.Slug, member.Name, feed.UserId, member.DisplayName);
    }

    /// <summary>What the feed holds today: from <see cref="DaysBack"/> days ago to <see cref="MonthsAhead"/> months ahead.</summary>
    public async Task<CalendarFeedContent> LoadAsync(FeedSubscriber subscriber, Uri publicUrl, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(subscriber);
        var today = Today;
        var query = new OccurrenceQuery(today.AddDays(-DaysBack), today.AddMonths(MonthsAhead),
            OwnerUserId: subscriber.Scope == FeedScope.Personal ? subscriber.UserId : null, WithOwnersAudits: true);
        var rows = await occurrences.ListAsync(subscriber.OrganisationId, query, ct);
        var name = subscriber.Scope == FeedScope.Personal
            ? $"{subscriber.OrganisationName}: {subscriber.UserName}'s ISMS activities"
            : $"{subscriber.OrganisationName}: all ISMS activities";
        var content = await ContentAsync(subscriber.OrganisationId, subscriber.OrganisationSlug, name, rows, publicUrl, ct);
        return content with
        {
            Obligations = await obligations.ListAsync(subscriber.OrganisationId, query.From, query.To, query.OwnerUserId, ct),
        };
    }

    /// <summary>Any list of the organisation's occurrences, with their activities' procedure, evidence and reminders, ready for <see cref="CalendarFeedWriter"/>.</summary>
    public async Task<CalendarFeedContent> ContentAsync(Guid organisationId, string organisationSlug, string name, IReadOnlyList<OccurrenceRow> rows, Uri publicUrl, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(rows);
        ArgumentNullException.ThrowIfNull(publicUrl);
        var ids = rows.Select(r => r.ActivityId).Distinct().ToList();
        var activities = await db.Activities.AsNoTracking()
            .Where(a => a.OrganisationId == organisationId && ids.Contains(a.Id))
            .Select(a => new { a.Id, a.Description, a.EvidenceRequired, a.ReminderLeadDays })
            .ToListAsync(ct);
        var byId = activities.ToDictionary(a => a.Id, a => new FeedActivity(a.Id, a.Description, a.EvidenceRequired, a.ReminderLeadDays));
        return new CalendarFeedContent(name, organisationSlug, publicUrl, rows, byId);
    }

    public static string Hash(string token) => Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(token)));

    private async Task<OrgRole?> RoleAsync(Guid organisationId, Guid userId, CancellationToken ct) =>
        await db.Memberships.AsNoTracking().ActiveOn(Today)
            .Where(m => m.OrganisationId == organisationId && m.UserId == userId)
            .Select(m => (OrgRole?)m.Role)
            .SingleOrDefaultAsync(ct);

    private static CalendarFeedSummary ToSummary(CalendarFeedToken t) => new(t.Id, t.Scope, t.CreatedAt, t.LastUsedAt);
}

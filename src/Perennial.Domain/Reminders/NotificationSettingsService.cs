using System.Security.Cryptography;
using Microsoft.AspNetCore.DataProtection;
using Microsoft.EntityFrameworkCore;
using Perennial.Common;
using Perennial.Data;
using Perennial.Organisations;

namespace Perennial.Reminders;

/// <summary>An organisation's reminder settings as people may see them: webhook hosts only, never the URLs.</summary>
public sealed record NotificationSettingsView(
    string? TeamsWebhookHint,
    string? SlackWebhookHint,
    Guid? DefaultEscalationUserId,
    string? DefaultEscalationName,
    string? DefaultEscalationEmail,
    DateTimeOffset? UpdatedAt);

/// <summary>
/// A change to the settings. A null URL keeps the current one, an empty one removes it; the
/// default escalation contact changes only when <see cref="ChangeDefaultEscalation"/> is set.
/// </summary>
public sealed record NotificationSettingsChange(
    string? TeamsWebhookUrl = null,
    string? SlackWebhookUrl = null,
    bool ChangeDefaultEscalation = false,
    Guid? DefaultEscalationUserId = null);

/// <summary>One member's reminder preferences and line manager.</summary>
public sealed record MemberNotificationRow(
    Guid UserId, string Name, string? Email, OrgRole Role, Guid? ManagerUserId, string? ManagerName, bool MuteEmail, bool WeeklyDigest, bool ReadinessDigest);

/// <summary>How the organisation's outbox is doing: waiting messages, those that failed at least once, the latest error.</summary>
public sealed record DeliveryStatus(int Queued, int Failing, string? LastError, DateTimeOffset? LastSentAt);

/// <summary>
/// Chat webhooks (stored encrypted with Data Protection, shown as their host only), the default
/// escalation contact, members' line managers, and each member's own e-mail preferences.
/// </summary>
public sealed class NotificationSettingsService(PerennialDbContext db, IDataProtectionProvider protection, TimeProvider time)
{
    public const string ProtectorPurpose = "Perennial.Reminders.ChatWebhooks";
    public const int WebhookUrlMaxLength = 2000;

    private IDataProtector Protector => protection.CreateProtector(ProtectorPurpose);

    public async Task<NotificationSettingsView> GetAsync(Guid organisationId, CancellationToken ct)
    {
        var settings = await db.NotificationSettings.AsNoTracking().SingleOrDefaultAsync(s => s.OrganisationId == organisationId, ct);
        if (settings is null)
        {
            return new NotificationSettingsView(null, null, null, null, null, null);
        }

        var escalation = settings.DefaultEscalationUserId is Guid id
            ? await db.Users.AsNoTracking().Where(u => u.Id == id).Select(u => new { u.DisplayName, u.Email }).SingleOrDefaultAsync(ct)
            : null;
        return new NotificationSettingsView(settings.TeamsWebhookHint, settings.SlackWebhookHint, settings.DefaultEscalationUserId,
            escalation is null ? null : NameOf(escalation.DisplayName, escalation.Email), escalation?.Email, settings.UpdatedAt);
    }

    public async Task<NotificationSettingsView> UpdateAsync(Guid organisationId, NotificationSettingsChange change, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(change);
        var teams = change.TeamsWebhookUrl is null ? null : CleanWebhook(change.TeamsWebhookUrl, "teamsWebhookUrl");
        var slack = change.SlackWebhookUrl is null ? null : CleanWebhook(change.SlackWebhookUrl, "slackWebhookUrl");
        if (change.ChangeDefaultEscalation && change.DefaultEscalationUserId is Guid escalation)
        {
            await CheckMemberAsync(organisationId, escalation, "defaultEscalationEmail", "The default escalation contact", OrgRole.Contributor, ct);
        }

        var settings = await db.NotificationSettings.SingleOrDefaultAsync(s => s.OrganisationId == organisationId, ct);
        if (settings is null)
        {
            settings = new NotificationSettings { Id = Guid.NewGuid(), OrganisationId = organisationId };
            db.NotificationSettings.Add(settings);
        }

        if (change.TeamsWebhookUrl is not null)
        {
            settings.TeamsWebhookProtected = teams is null ? null : Protector.Protect(teams.AbsoluteUri);
            settings.TeamsWebhookHint = teams is null ? null : Hint(teams);
        }

        if (change.SlackWebhookUrl is not null)
        {
            settings.SlackWebhookProtected = slack is null ? null : Protector.Protect(slack.AbsoluteUri);
            settings.SlackWebhookHint = slack is null ? null : Hint(slack);
        }

        if (change.ChangeDefaultEscalation)
        {
            settings.DefaultEscalationUserId = change.DefaultEscalationUserId;
        }

        settings.UpdatedAt = time.GetUtcNow();
        await db.SaveChangesAsync(ct);
        return await GetAsync(organisationId, ct);
    }

    /// <summary>The organisation's webhook for a chat channel, decrypted; null when none is set (or its key is gone).</summary>
    public async Task<Uri?> WebhookAsync(Guid organisationId, OutboxChannel channel, CancellationToken ct)
    {
        var stored = await db.NotificationSettings.AsNoTracking().Where(s => s.OrganisationId == organisationId)
            .Select(s => channel == OutboxChannel.Teams ? s.TeamsWebhookProtected : channel == OutboxChannel.Slack ? s.SlackWebhookProtected : null)
            .SingleOrDefaultAsync(ct);
        if (stored is null)
        {
            return null;
        }

        try
        {
            return new Uri(Protector.Unprotect(stored));
        }
        catch (CryptographicException)
        {
            // The data-protection keys that encrypted it are gone: the URL has to be entered again.
            return null;
        }
    }

    public async Task<DeliveryStatus> DeliveryStatusAsync(Guid organisationId, CancellationToken ct)
    {
        var waiting = db.Outbox.AsNoTracking().Where(m => m.OrganisationId == organisationId && m.SentAt == null);
        var queued = await waiting.CountAsync(ct);
        var failing = await waiting.CountAsync(m => m.Attempts > 0, ct);
        var lastError = await waiting.Where(m => m.LastError != null).OrderByDescending(m => m.NextAttemptAt).Select(m => m.LastError).FirstOrDefaultAsync(ct);
        var lastSent = await db.Outbox.AsNoTracking().Where(m => m.OrganisationId == organisationId && m.SentAt != null)
            .OrderByDescending(m => m.SentAt).Select(m => m.SentAt).FirstOrDefaultAsync(ct);
        return new DeliveryStatus(queued, failing, lastError, lastSent);
    }

    /// <summary>The organisations' configured chat channels, for the sweep.</summary>
    public async Task<Dictionary<Guid, IReadOnlyList<OutboxChannel>>> ChatChannelsAsync(IReadOnlyCollection<Guid> organisationIds, CancellationToken ct)
    {
        var rows = await db.NotificationSettings.AsNoTracking().Where(s => organisationIds.Contains(s.OrganisationId))
            .Select(s => new { s.OrganisationId, Teams = s.TeamsWebhookProtected != null, Slack = s.SlackWebhookProtected != null })
            .ToListAsync(ct);
        return rows.ToDictionary(r => r.OrganisationId, r => (IReadOnlyList<OutboxChannel>)
            [.. new[] { (r.Teams, OutboxChannel.Teams), (r.Slack, OutboxChannel.Slack) }.Where(c => c.Item1).Select(c => c.Item2)]);
    }

    public async Task<MemberNotificationRow> PreferencesAsync(Guid organisationId, Guid userId, CancellationToken ct) =>
        (await MembersQuery(organisationId, userId).ToListAsync(ct)).SingleOrDefault()
        ?? throw UseCaseException.NotFound("You are not a member of this organisation.");

    /// <summary>Sets a member's own preferences; null leaves a preference as it is.</summary>
    public async Task<MemberNotificationRow> SetPreferencesAsync(Guid organisationId, Guid userId, bool? muteEmail, bool? weeklyDigest, bool? readinessDigest, CancellationToken ct)
    {
        var membership = await db.Memberships.SingleOrDefaultAsync(m => m.OrganisationId == organisationId && m.UserId == userId, ct)
            ?? throw UseCaseException.NotFound("You are not a member of this organisation.");
        membership.MuteEmail = muteEmail ?? membership.MuteEmail;
        membership.WeeklyDigest = weeklyDigest ?? membership.WeeklyDigest;
        membership.ReadinessDigest = readinessDigest ?? membership.ReadinessDigest;
        await db.SaveChangesAsync(ct);
        return await PreferencesAsync(organisationId, userId, ct);
    }

    /// <summary>Sets (or clears) a member's line manager, to whom their overdue activities escalate.</summary>
    public async Task<MemberNotificationRow> SetManagerAsync(Guid organisationId, Guid userId, Guid? managerUserId, CancellationToken ct)
    {
        var membership = await db.Memberships.SingleOrDefaultAsync(m => m.OrganisationId == organisationId && m.UserId == userId, ct)
            ?? throw UseCaseException.NotFound("No such member in this organisation.");
        if (managerUserId is Guid manager)
        {
            if (manager == userId)
            {
                throw UseCaseException.Invalid("managerEmail", "A member cannot be their own line manager.");
            }

            await CheckMemberAsync(organisationId, manager, "managerEmail", "The line manager", OrgRole.Contributor, ct);
        }

        membership.ManagerUserId = managerUserId;
        await db.SaveChangesAsync(ct);
        return await PreferencesAsync(organisationId, userId, ct);
    }

    /// <summary>Every member with their preferences and line manager, by name.</summary>
    public async Task<IReadOnlyList<MemberNotificationRow>> MembersAsync(Guid organisationId, CancellationToken ct) =>
        [.. (await MembersQuery(organisationId).ToListAsync(ct)).OrderBy(m => m.Name, StringComparer.OrdinalIgnoreCase)];

    /// <summary>A current member named by e-mail address or user id; throws naming <paramref name="field"/> otherwise.</summary>
    public async Task<Guid> ResolveMemberAsync(Guid organisationId, string emailOrId, string field, CancellationToken ct)
    {
        var text = (emailOrId ?? "").Trim();
        var today = DateOnly.FromDateTime(time.GetUtcNow().UtcDateTime);
        var members = db.Memberships.ActiveOn(today).Where(m => m.OrganisationId == organisationId);
        var normalised = text.ToUpperInvariant();
        Guid? found = Guid.TryParse(text, out var id)
            ? await members.Where(m => m.UserId == id).Select(m => (Guid?)m.UserId).FirstOrDefaultAsync(ct)
            : await members.Where(m => m.User!.NormalizedEmail == normalised).Select(m => (Guid?)m.UserId).FirstOrDefaultAsync(ct);
        return found ?? throw UseCaseException.Invalid(field, $"'{text}' is not a current member of this organisation.");
    }

    /// <summary>Checks a webhook URL: absolute http(s), of sensible length. Empty means "remove" (null).</summary>
    public static Uri? CleanWebhook(string text, string field)
    {
        var url = (text ?? "").Trim();
        if (url.Length == 0)
        {
            return null;
        }

        if (url.Length > WebhookUrlMaxLength)
        {
            throw UseCaseException.Invalid(field, $"The webhook URL is longer than {WebhookUrlMaxLength} characters.");
        }

        if (!Uri.TryCreate(url, UriKind.Absolute, out var uri) || (uri.Scheme != Uri.UriSchemeHttps && uri.Scheme != Uri.UriSchemeHttp) || uri.Host.Length == 0)
        {
            throw UseCaseException.Invalid(field, "The webhook URL must be an absolute https:// (or http://) address, as the chat service gives it.");
        }

        if (uri.UserInfo.Length > 0)
        {
            throw UseCaseException.Invalid(field, "The webhook URL must not carry a user name or password.");
        }

        return uri;
    }

    /// <summary>What is shown instead of the URL: its host (and port when not the default).</summary>
    public static string Hint(Uri uri)
    {
        ArgumentNullException.ThrowIfNull(uri);
        var hint = uri.IsDefaultPort ? uri.Host : $"{uri.Host}:{uri.Port}";
        return hint.Length > 200 ? hint[..200] : hint;
    }

    private IQueryable<MemberNotificationRow> MembersQuery(Guid organisationId, Guid? userId = null) =>
        db.Memberships.AsNoTracking().Where(m => m.OrganisationId == organisationId && (userId == null || m.UserId == userId))
            .Select(m => new MemberNotificationRow(
                m.UserId,
                m.User!.DisplayName != "" ? m.User.DisplayName : m.User.Email ?? "",
                m.User.Email,
                m.Role,
                m.ManagerUserId,
                db.Users.Where(u => u.Id == m.ManagerUserId).Select(u => u.DisplayName != "" ? u.DisplayName : u.Email).FirstOrDefault(),
                m.MuteEmail,
                m.WeeklyDigest,
                m.ReadinessDigest));

    private async Task CheckMemberAsync(Guid organisationId, Guid userId, string field, string what, OrgRole minimum, CancellationToken ct)
    {
        var today = DateOnly.FromDateTime(time.GetUtcNow().UtcDateTime);
        var role = await db.Memberships.ActiveOn(today).Where(m => m.OrganisationId == organisationId && m.UserId == userId)
            .Select(m => (OrgRole?)m.Role).FirstOrDefaultAsync(ct);
        if (role is null)
        {
            throw UseCaseException.Invalid(field, $"{what} must be a current member of this organisation.");
        }

        if (role < minimum)
        {
            throw UseCaseException.Invalid(field, $"{what} must be a contributor, manager or admin; auditors only read.");
        }
    }

    internal static string NameOf(string? displayName, string? email) =>
        string.IsNullOrWhiteSpace(displayName) ? email ?? "" : displayName;
}

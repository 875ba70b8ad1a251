using System.Globalization;
using System.Net;
using System.Text;
using Microsoft.EntityFrameworkCore;
using Perennial.Data;
using Perennial.Reminders;

namespace Perennial.Evidence.Collectors;

/// <summary>
/// Tells a collector's owner by e-mail that a run failed, through the reminders' outbox (so delivery
/// is retried and shared by every instance). The dedup key is the run: one alert per failed run.
/// </summary>
public sealed class CollectorAlerts(PerennialDbContext db, ReminderLinks links)
{
    /// <summary>The outbox message kind of these alerts.</summary>
    public const string Kind = "collector-failed";

    private static readonly CultureInfo Culture = CultureInfo.InvariantCulture;

    /// <summary>Queues the alert for <paramref name="run"/>; returns false when the owner has no address or it was queued before.</summary>
    public async Task<bool> QueueAsync(Collector collector, CollectorRun run, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(collector);
        ArgumentNullException.ThrowIfNull(run);
        var owner = await db.Users.AsNoTracking().Where(u => u.Id == collector.OwnerUserId)
            .Select(u => new { u.Email, u.DisplayName }).SingleOrDefaultAsync(ct);
        var organisation = await db.Organisations.AsNoTracking().Where(o => o.Id == collector.OrganisationId)
            .Select(o => new { o.Slug, o.Name }).SingleAsync(ct);
        if (string.IsNullOrWhiteSpace(owner?.Email))
        {
            return false;
        }

        var what = run.Outcome == CollectorRunOutcome.TimedOut ? $"timed out after {collector.TimeoutSeconds} s" : "failed";
        var when = run.StartedAt.UtcDateTime.ToString("yyyy-MM-dd HH:mm 'UTC'", Culture);
        var link = links.Page($"o/{Uri.EscapeDataString(organisation.Slug)}/collectors/{collector.Id}");
        var subject = $"Collector failed: {collector.Name} {what}";
        var name = NotificationSettingsService.NameOf(owner.DisplayName, owner.Email);
        var error = run.Error ?? "(no message)";

        var text = new StringBuilder();
        text.Append(Culture, $"Hello {name},\n\nThe collector '{collector.Name}' in {organisation.Name} {what} on the run that started {when}; ");
        text.Append(Stored(run)).Append("\n\nWhat went wrong:\n").Append(error).Append("\n\n");
        text.Append(Culture, $"See its run history, fix its settings or run it again: {link}\n\n");
        text.Append("You receive this because you own this collector. Each failed run is reported once.\n");

        var html = new StringBuilder("<!DOCTYPE html><html><body>");
        html.Append(Culture, $"<p>Hello {H(name)},</p><p>The collector <strong>{H(collector.Name)}</strong> in {H(organisation.Name)} {H(what)} on the run that started {H(when)}; ");
        html.Append(H(Stored(run))).Append("</p>");
        html.Append(Culture, $"<h3>What went wrong</h3><pre>{H(error)}</pre>");
        html.Append(Culture, $"<p><a href=\"{H(link)}\">See its run history, fix its settings or run it again</a></p>");
        html.Append("<p><small>You receive this because you own this collector. Each failed run is reported once.</small></p></body></html>");

        var message = new OutboxMessage
        {
            Id = Guid.NewGuid(),
            OrganisationId = collector.OrganisationId,
            UserId = collector.OwnerUserId,
            Kind = Kind,
            DedupKey = string.Create(Culture, $"{Kind}:{run.Id:N}:email:{collector.OwnerUserId:N}"),
            Channel = OutboxChannel.Email,
            Recipient = owner.Email,
            Subject = subject.Length > OutboxMessage.SubjectMaxLength ? subject[..(OutboxMessage.SubjectMaxLength - 1)] + "…" : subject,
            TextBody = text.ToString(),
            HtmlBody = html.ToString(),
            CreatedAt = run.EndedAt ?? run.StartedAt,
            NextAttemptAt = run.EndedAt ?? run.StartedAt,
        };
        return await new OutboxWriter(db).InsertNewAsync([message], ct) == 1;
    }

    private static string Stored(CollectorRun run) => run.ItemsProduced switch
    {
        0 => "no evidence from this run was stored.",
        1 => "1 evidence item was stored before it stopped.",
        var n => string.Create(Culture, $"{n} evidence items were stored before it stopped."),
    };

    private static string H(string text) => WebUtility.HtmlEncode(text);
}

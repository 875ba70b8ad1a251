using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Logging;
using Perennial.Activities;
using Perennial.Data;

namespace Perennial.Reminders;

/// <summary>
/// Thrown by a transport when the server or webhook cannot be reached at all: the rest of the pass
/// does not try it again, and each of its messages waits for its next attempt.
/// </summary>
public sealed class TransportUnavailableException : Exception
{
    public TransportUnavailableException()
    {
    }

    public TransportUnavailableException(string message)
        : base(message)
    {
    }

    public TransportUnavailableException(string message, Exception inner)
        : base(message, inner)
    {
    }
}

/// <param name="EmailDisabledReason">Why e-mail is off; null when it is on.</param>
/// <param name="Held">E-mails waiting because e-mail is off.</param>
public sealed record DispatchResult(int Sent, int Failed, int Withdrawn, int Held, string? EmailDisabledReason);

/// <summary>
/// Delivers the outbox. Each row is claimed with one conditional UPDATE before it is sent, so with
/// several instances only one sends it; a sent row is marked with its time. A failure is recorded
/// (error, attempts) and the row is tried again after an exponential back-off capped at an hour,
/// for as long as it takes: nothing is dropped. Reminders for occurrences completed or skipped
/// before delivery are withdrawn instead of sent.
/// </summary>
public sealed partial class OutboxDispatcher(PerennialDbContext db, IEmailTransport email, IChatTransport chat, NotificationSettingsService settings, ILogger<OutboxDispatcher> logger)
{
    /// <summary>How long a claim keeps other instances off a row while it is being sent.</summary>
    public static readonly TimeSpan ClaimDuration = TimeSpan.FromMinutes(10);

    public static readonly TimeSpan MaxBackOff = TimeSpan.FromHours(1);

    /// <summary>From this many failed attempts on, failures are logged as errors rather than warnings.</summary>
    public const int LoudAfterAttempts = 5;

    private const int BatchSize = 100;
    private const int MaxErrorLength = 2000;

    /// <summary>Identifies this dispatcher's claims.</summary>
    public string InstanceId { get; } = NewInstanceId();

    /// <summary>The wait before attempt number <paramref name="failedAttempts"/> + 1: 1, 2, 4, … minutes, at most an hour.</summary>
    public static TimeSpan BackOff(int failedAttempts)
    {
        if (failedAttempts <= 0)
        {
            return TimeSpan.Zero;
        }

        var minutes = Math.Pow(2, Math.Min(failedAttempts - 1, 20));
        return TimeSpan.FromMinutes(Math.Min(minutes, MaxBackOff.TotalMinutes));
    }

    /// <summary>Sends every row due at <paramref name="now"/> (new rows and retries whose back-off has passed).</summary>
    public async Task<DispatchResult> DispatchAsync(DateTimeOffset now, CancellationToken ct)
    {
        var emailOff = email.DisabledReason;
        var unavailable = new Dictionary<string, string>(StringComparer.Ordinal);
        var webhooks = new Dictionary<(Guid, OutboxChannel), Uri?>();
        var seen = new HashSet<Guid>();
        int sent = 0, failed = 0, withdrawn = 0;
        while (true)
        {
            var batch = (await db.Outbox.AsNoTracking()
                .Where(m => m.SentAt == null && m.NextAttemptAt <= now && (m.ClaimedUntil == null || m.ClaimedUntil < now)
                    && (emailOff == null || m.Channel != OutboxChannel.Email))
                .OrderBy(m => m.NextAttemptAt).ThenBy(m => m.CreatedAt).ThenBy(m => m.DedupKey)
                .Take(BatchSize)
                .ToListAsync(ct)).Where(m => seen.Add(m.Id)).ToList();
            if (batch.Count == 0)
            {
                break;
            }

            var closed = await ClosedOccurrencesAsync(batch, ct);
            foreach (var message in batch)
            {
                if (message.OccurrenceId is Guid occurrence && closed.TryGetValue(occurrence, out var why))
                {
                    withdrawn += await WithdrawAsync(message, why, now, ct);
                    continue;
                }

                if (!await ClaimAsync(message, now, ct))
                {
                    continue;
                }

                var target = message.Channel == OutboxChannel.Email ? "smtp" : $"{message.Channel}:{message.OrganisationId}";
                try
                {
                    if (unavailable.TryGetValue(target, out var down))
                    {
                        throw new TransportUnavailableException(down);
                    }

                    if (message.Channel == OutboxChannel.Email)
                    {
                        await email.SendAsync(message, ct);
                    }
                    else
                    {
                        var key = (message.OrganisationId, message.Channel);
                        if (!webhooks.TryGetValue(key, out var webhook))
                        {
                            webhook = await settings.WebhookAsync(message.OrganisationId, message.Channel, ct);
                            webhooks[key] = webhook;
                        }

                        if (webhook is null)
                        {
                            throw new TransportUnavailableException($"No {message.Channel} webhook is set for this organisation (or it can no longer be decrypted); it is kept until one is.");
                        }

                        await chat.PostAsync(webhook, message, ct);
                    }
                }
                catch (OperationCanceledException) when (ct.IsCancellationRequested)
                {
                    await ReleaseAsync(message);
                    throw;
                }
#pragma warning disable CA1031 // Any failure to deliver is recorded on the row and retried; it must not stop the pass.
                catch (Exception e)
#pragma warning restore CA1031
                {
                    var error = Describe(e);
                    if (e is TransportUnavailableException)
                    {
                        unavailable[target] = error;
                    }

                    await MarkFailedAsync(message, error, now, ct);
                    failed++;
                    continue;
                }

                await MarkSentAsync(message, now, ct);
                sent++;
            }
        }

        var held = 0;
        if (emailOff is not null)
        {
            held = await db.Outbox.CountAsync(m => m.SentAt == null && m.Channel == OutboxChannel.Email, ct);
            if (held > 0)
            {
                LogHeld(logger, emailOff, held);
            }
        }

        return new DispatchResult(sent, failed, withdrawn, held, emailOff);
    }

    /// <summary>Reminders whose occurrence is no longer open (or whose activity stopped) are not worth sending.</summary>
    private async Task<Dictionary<Guid, string>> ClosedOccurrencesAsync(List<OutboxMessage> batch, CancellationToken ct)
    {
        var ids = batch.Where(m => m.OccurrenceId is not null && m.Kind != ReminderKinds.Digest).Select(m => m.OccurrenceId!.Value).Distinct().ToList();
        if (ids.Count == 0)
        {
            return [];
        }

        var states = await db.Occurrences.AsNoTracking().Where(o => ids.Contains(o.Id))
            .Select(o => new { o.Id, o.State, Activity = o.Activity!.State })
            .ToDictionaryAsync(o => o.Id, ct);
        var closed = new Dictionary<Guid, string>();
        foreach (var id in ids)
        {
            if (!states.TryGetValue(id, out var s))
            {
                closed[id] = "the occurrence no longer exists";
            }
            else if (s.State != OccurrenceState.Open)
            {
                closed[id] = $"the occurrence was {(s.State == OccurrenceState.Completed ? "completed" : "skipped")} before the reminder went out";
            }
            else if (s.Activity != ActivityState.Active)
            {
                closed[id] = $"the activity is {s.Activity.ToString().ToLowerInvariant()}";
            }
        }

        return closed;
    }

    private async Task<bool> ClaimAsync(OutboxMessage message, DateTimeOffset now, CancellationToken ct)
    {
        var until = now + ClaimDuration;
        var claimed = await db.Outbox
            .Where(m => m.Id == message.Id && m.SentAt == null && m.NextAttemptAt <= now && (m.ClaimedUntil == null || m.ClaimedUntil < now))
            .ExecuteUpdateAsync(u => u.SetProperty(m => m.ClaimedBy, InstanceId).SetProperty(m => m.ClaimedUntil, until), ct);
        return claimed == 1;
    }

    private async Task MarkSentAsync(OutboxMessage message, DateTimeOffset now, CancellationToken ct)
    {
        var attempts = message.Attempts + 1;
        var updated = await db.Outbox.Where(m => m.Id == message.Id && m.ClaimedBy == InstanceId)
            .ExecuteUpdateAsync(u => u
                .SetProperty(m => m.SentAt, now)
                .SetProperty(m => m.Attempts, attempts)
                .SetProperty(m => m.ClaimedUntil, (DateTimeOffset?)null), CancellationToken.None);
        if (updated == 0)
        {
            LogClaimLost(logger, message.Id);
        }

        var who = Who(message);
        LogSent(logger, message.Id, message.Kind, message.Channel, who);
    }

    private async Task MarkFailedAsync(OutboxMessage message, string error, DateTimeOffset now, CancellationToken ct)
    {
        var attempts = message.Attempts + 1;
        var next = now + BackOff(attempts);
        var text = error.Length > MaxErrorLength ? error[..MaxErrorLength] : error;
        await db.Outbox.Where(m => m.Id == message.Id && m.ClaimedBy == InstanceId)
            .ExecuteUpdateAsync(u => u
                .SetProperty(m => m.Attempts, attempts)
                .SetProperty(m => m.LastError, text)
                .SetProperty(m => m.NextAttemptAt, next)
                .SetProperty(m => m.ClaimedBy, (string?)null)
                .SetProperty(m => m.ClaimedUntil, (DateTimeOffset?)null), ct);
        var level = attempts >= LoudAfterAttempts ? LogLevel.Error : LogLevel.Warning;
        var who = Who(message);
        LogFailed(logger, level, message.Id, message.Kind, message.Channel, who, attempts, next, text);
    }

    private async Task<int> WithdrawAsync(OutboxMessage message, string why, DateTimeOffset now, CancellationToken ct)
    {
        var note = "Not sent: " + why + ".";
        var updated = await db.Outbox.Where(m => m.Id == message.Id && m.SentAt == null && (m.ClaimedUntil == null || m.ClaimedUntil < now))
            .ExecuteUpdateAsync(u => u.SetProperty(m => m.SentAt, now).SetProperty(m => m.LastError, note), ct);
        if (updated > 0)
        {
            LogWithdrawn(logger, message.Id, message.Kind, why);
        }

        return updated;
    }

    private async Task ReleaseAsync(OutboxMessage message) =>
        await db.Outbox.Where(m => m.Id == message.Id && m.ClaimedBy == InstanceId && m.SentAt == null)
            .ExecuteUpdateAsync(u => u.SetProperty(m => m.ClaimedBy, (string?)null).SetProperty(m => m.ClaimedUntil, (DateTimeOffset?)null), CancellationToken.None);

    private static string Who(OutboxMessage message) => message.Channel == OutboxChannel.Email ? message.Recipient : $"the organisation's {message.Channel} channel";

    private static string Describe(Exception e)
    {
        var parts = new List<string>();
        for (var current = e; current is not null && parts.Count < 3; current = current.InnerException)
        {
            if (!parts.Contains(current.Message, StringComparer.Ordinal))
            {
                parts.Add(current.Message);
            }
        }

        var text = string.Join(" ← ", parts);
        return e is TransportUnavailableException ? text : $"{e.GetType().Name}: {text}";
    }

    private static string NewInstanceId()
    {
        var id = $"{Environment.MachineName}:{Environment.ProcessId}:{Guid.NewGuid():N}";
        return id.Length > 100 ? id[^100..] : id;
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Reminder {Id} ({Kind}, {Channel}) sent to {Recipient}")]
    private static partial void LogSent(ILogger logger, Guid id, string kind, OutboxChannel channel, string recipient);

    [LoggerMessage(Message = "Reminder {Id} ({Kind}, {Channel}) to {Recipient} failed on attempt {Attempts}; it stays queued and is tried again at {Next:O}: {Error}")]
    private static partial void LogFailed(ILogger logger, LogLevel level, Guid id, string kind, OutboxChannel channel, string recipient, int attempts, DateTimeOffset next, string error);

    [LoggerMessage(Level = LogLevel.Information, Message = "Reminder {Id} ({Kind}) withdrawn: {Why}")]
    private static partial void LogWithdrawn(ILogger logger, Guid id, string kind, string why);

    [LoggerMessage(Level = LogLevel.Warning, Message = "E-mail is off ({Reason}): {Count} reminder e-mail(s) stay queued until it is configured")]
    private static partial void LogHeld(ILogger logger, string reason, int count);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Reminder {Id} was sent but its claim had passed to another instance; it may have been sent twice")]
    private static partial void LogClaimLost(ILogger logger, Guid id);
}

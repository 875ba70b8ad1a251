using System.Security.Cryptography;
using System.Text.Json;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Logging;
using Perennial.Common;
using Perennial.Data;

namespace Perennial.Evidence.Collectors;

/// <summary>
/// Runs one collector: records the run, decrypts the secret, calls the collector under its timeout,
/// stores each piece of evidence it returns (hashed, attached to the linked activity's current
/// occurrence and control), then records the outcome, works out the next run and, when the run
/// failed, queues one e-mail to the owner. Whatever the collector does, the runner returns a run
/// record; only cancellation by the host (shutdown) is passed on.
/// </summary>
public sealed partial class CollectorRunner(
    PerennialDbContext db,
    TimeProvider time,
    EvidenceService evidence,
    CollectorService collectors,
    CollectorAlerts alerts,
    AccessReviews.AccessReviewService accessReviews,
    ILogger<CollectorRunner> logger)
{
    /// <summary>
    /// Takes a due collector for this instance: moves its next run on, but only if nobody else has
    /// since <paramref name="seenNextRunAt"/>. True when this caller won and should run it.
    /// </summary>
    public async Task<bool> ClaimAsync(Guid collectorId, DateTimeOffset seenNextRunAt, DateTimeOffset now, CancellationToken ct)
    {
        var collector = await db.Collectors.AsNoTracking().SingleOrDefaultAsync(c => c.Id == collectorId, ct);
        if (collector is null)
        {
            return false;
        }

        var next = collector.Schedule.NextAfter(now);
        var claimed = await db.Collectors
            .Where(c => c.Id == collectorId && c.Enabled && c.NextRunAt == seenNextRunAt)
            .ExecuteUpdateAsync(s => s.SetProperty(c => c.NextRunAt, next), ct);
        return claimed == 1;
    }

    public async Task<CollectorRun> RunAsync(Guid organisationId, Guid collectorId, CollectorRunTrigger trigger, Guid? userId, CancellationToken ct)
    {
        var collector = await collectors.GetAsync(organisationId, collectorId, ct);
        var run = new CollectorRun
        {
            Id = Guid.CreateVersion7(time.GetUtcNow()),
            OrganisationId = organisationId,
            CollectorId = collectorId,
            Trigger = trigger,
            TriggeredByUserId = userId,
            StartedAt = time.GetUtcNow(),
        };
        db.CollectorRuns.Add(run);
        await db.SaveChangesAsync(ct);
        db.ChangeTracker.Clear();

        var (outcome, error) = await CollectAndStoreAsync(collector, run, ct);
        run.Outcome = outcome;
        run.Error = error is null ? null : Bound(error);
        run.EndedAt = time.GetUtcNow();
        await FinishAsync(collector, run, ct);

        if (outcome != CollectorRunOutcome.Succeeded)
        {
            LogRunFailed(collector.Name, collector.Id, outcome.ToName(), run.Error ?? "");
            try
            {
                await alerts.QueueAsync(collector, run, ct);
            }
            catch (Exception e) when (e is DbUpdateException or InvalidOperationException)
            {
                LogAlertFailed(e, collector.Id);
            }
        }

        return run;
    }

    private async Task<(CollectorRunOutcome Outcome, string? Error)> CollectAndStoreAsync(Collector collector, CollectorRun run, CancellationToken ct)
    {
        var kind = collectors.KindOf(collector.Kind);
        if (kind is null)
        {
            return (CollectorRunOutcome.Failed, $"No collector of kind '{collector.Kind}' is installed in this version of Perennial.");
        }

        string? secret;
        try
        {
            secret = collectors.SecretOf(collector);
        }
        catch (CryptographicException)
        {
            return (CollectorRunOutcome.Failed, "The collector's secret can no longer be decrypted (the installation's data-protection keys changed); enter it again.");
        }

        using var settings = JsonDocument.Parse(collector.Settings);
        using var timeout = new CancellationTokenSource(collector.Timeout, time);
        using var linked = CancellationTokenSource.CreateLinkedTokenSource(ct, timeout.Token);
        var context = new CollectorRunContext(
            collector.OrganisationId, collector.Id, run.Id, collector.Name, settings.RootElement.Clone(), secret, run.StartedAt, collector.Timeout);

        IReadOnlyList<CollectedEvidence> results = [];
        try
        {
            results = await kind.CollectAsync(context, linked.Token) ?? [];
            foreach (var result in results)
            {
                await StoreAsync(collector, run, result, linked.Token);
                run.ItemsProduced++;
            }

            return (CollectorRunOutcome.Succeeded, null);
        }
        catch (OperationCanceledException) when (timeout.IsCancellationRequested && !ct.IsCancellationRequested)
        {
            return (CollectorRunOutcome.TimedOut, $"The run took longer than its {collector.TimeoutSeconds}-second timeout and was stopped.");
        }
        catch (OperationCanceledException) when (ct.IsCancellationRequested)
        {
            // The host is stopping: record why, then let the caller see the cancellation.
            run.Outcome = CollectorRunOutcome.Failed;
            run.Error = "The run was stopped because Perennial was shutting down.";
            run.EndedAt = time.GetUtcNow();
            await FinishAsync(collector, run, CancellationToken.None);
            throw;
        }
#pragma warning disable CA1031 // A collector's failure, whatever it is, becomes a failed run; it must never reach the scheduler.
        catch (Exception e)
#pragma warning restore CA1031
        {
            db.ChangeTracker.Clear();
            if (timeout.IsCancellationRequested && !ct.IsCancellationRequested)
            {
                return (CollectorRunOutcome.TimedOut, $"The run took longer than its {collector.TimeoutSeconds}-second timeout and was stopped.");
            }

            return (CollectorRunOutcome.Failed, e is CollectorFailedException or UseCaseException ? e.Message : $"{e.GetType().Name}: {e.Message}");
        }
        finally
        {
            foreach (var result in results)
            {
                await result.Content.DisposeAsync();
            }
        }
    }

    private async Task StoreAsync(Collector collector, CollectorRun run, CollectedEvidence result, CancellationToken ct)
    {
        var title = string.IsNullOrWhiteSpace(result.Title) ? collector.Name : result.Title.Trim();
        var input = new EvidenceInput
        {
            Title = title.Length > EvidenceItem.TitleMaxLength ? title[..EvidenceItem.TitleMaxLength] : title,
            Kind = result.Kind,
            // A snapshot covers the moment it was taken: the run's start.
            CollectedAt = run.StartedAt,
            ActivityId = collector.ActivityId,
            ControlId = collector.ControlId,
            Report = result.Report,
        };
        var checkedInput = await evidence.CheckAsync(collector.OrganisationId, input, hasContent: true, ct);
        var stored = await evidence.StoreAsync(result.Content, ct);
        var recorded = await evidence.RecordAsync(collector.OrganisationId, checkedInput, stored, result.FileName, result.ContentType,
            new EvidenceOrigin(EvidenceSource.Collector, CollectorRunId: run.Id), ct);
        db.ChangeTracker.Clear();
        if (result.ContentType == AccountSnapshot.ContentType)
        {
            // A new snapshot of accounts confirms the revokes and changes of earlier reviews of the same system.
            // The evidence is stored whatever happens here; actions left open are confirmed by the next snapshot.
            try
            {
                await accessReviews.ApplySnapshotAsync(collector.OrganisationId, recorded.Item.Id, ct);
            }
            catch (Exception e) when (e is DbUpdateException or UseCaseException or InvalidOperationException or JsonException)
            {
                LogConfirmationFailed(e, collector.Id, recorded.Item.Id);
            }

            db.ChangeTracker.Clear();
        }
    }

    /// <summary>
    /// Closes runs left "running" by an instance that stopped part-way (a crash, a killed container): a run
    /// still open well past its collector's timeout cannot be going on anywhere, so it is recorded as failed,
    /// and the collector's last outcome with it when it was its last run. Returns how many were closed.
    /// </summary>
    public async Task<int> CloseAbandonedRunsAsync(DateTimeOffset now, CancellationToken ct)
    {
        var open = await db.CollectorRuns.AsNoTracking()
            .Where(r => r.Outcome == CollectorRunOutcome.Running)
            .Join(db.Collectors, r => r.CollectorId, c => c.Id, (r, c) => new { r.Id, r.CollectorId, r.StartedAt, c.TimeoutSeconds })
            .ToListAsync(ct);
        var closed = 0;
        foreach (var run in open.Where(r => r.StartedAt + TimeSpan.FromSeconds(r.TimeoutSeconds) + AbandonedAfter < now))
        {
            closed += await db.CollectorRuns.Where(r => r.Id == run.Id && r.Outcome == CollectorRunOutcome.Running).ExecuteUpdateAsync(s => s
                .SetProperty(r => r.Outcome, CollectorRunOutcome.Failed)
                .SetProperty(r => r.EndedAt, now)
                .SetProperty(r => r.Error, AbandonedMessage), ct);
            await db.Collectors.Where(c => c.Id == run.CollectorId && c.LastRunId == run.Id).ExecuteUpdateAsync(s => s
                .SetProperty(c => c.LastOutcome, CollectorRunOutcome.Failed)
                .SetProperty(c => c.LastSummary, AbandonedMessage), ct);
        }

        return closed;
    }

    /// <summary>How long past its timeout a run may stay open before it counts as abandoned.</summary>
    public static readonly TimeSpan AbandonedAfter = TimeSpan.FromMinutes(10);

    public const string AbandonedMessage = "The run never finished: the Perennial instance running it stopped before it ended.";

    /// <summary>Writes the run's end and the collector's last-run summary; moves a next run that has already passed on.</summary>
    private async Task FinishAsync(Collector collector, CollectorRun run, CancellationToken ct)
    {
        var ended = run.EndedAt!.Value;
        var summary = run.Outcome == CollectorRunOutcome.Succeeded
            ? (run.ItemsProduced == 1 ? "1 evidence item" : $"{run.ItemsProduced} evidence items")
            : run.Error;
        await db.CollectorRuns.Where(r => r.Id == run.Id).ExecuteUpdateAsync(s => s
            .SetProperty(r => r.Outcome, run.Outcome)
            .SetProperty(r => r.EndedAt, run.EndedAt)
            .SetProperty(r => r.ItemsProduced, run.ItemsProduced)
            .SetProperty(r => r.Error, run.Error), ct);
        await db.Collectors.Where(c => c.Id == collector.Id).ExecuteUpdateAsync(s => s
            .SetProperty(c => c.LastRunId, run.Id)
            .SetProperty(c => c.LastRunAt, run.StartedAt)
            .SetProperty(c => c.LastOutcome, run.Outcome)
            .SetProperty(c => c.LastSummary, summary == null ? null : Bound(summary)), ct);

        // A run that outlasted its next slot does not leave the collector due at once again.
        var next = collector.Schedule.NextAfter(ended);
        await db.Collectors.Where(c => c.Id == collector.Id && c.Enabled && (c.NextRunAt == null || c.NextRunAt <= ended))
            .ExecuteUpdateAsync(s => s.SetProperty(c => c.NextRunAt, next), ct);
    }

    private static string Bound(string text) => text.Length <= Collector.ErrorMaxLength ? text : text[..(Collector.ErrorMaxLength - 1)] + "…";

    [LoggerMessage(Level = LogLevel.Warning, Message = "Collector {Name} ({Id}) run {Outcome}: {Error}")]
    private partial void LogRunFailed(string name, Guid id, string outcome, string error);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Collector {Id} stored accounts snapshot {ItemId}, but confirming access-review actions against it failed; the next snapshot will")]
    private partial void LogConfirmationFailed(Exception exception, Guid id, Guid itemId);

    [LoggerMessage(Level = LogLevel.Error, Message = "Could not queue the failure alert of collector {Id}")]
    private partial void LogAlertFailed(Exception exception, Guid id);
}

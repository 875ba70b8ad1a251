using System.Threading.Channels;
using Microsoft.Extensions.DependencyInjection;
using Perennial.AuditTrail;
using Perennial.Data;

namespace Perennial.Evidence;

/// <summary>
/// Commits new evidence records in groups. Pipelines push many small items at once; written one
/// transaction each, every record waits for its own commit (and, on SQLite, for the single writer in
/// turn), so the database's commit rate caps the upload rate. Here, records that arrive while a commit is
/// running are written together in the next transaction, each with its own audit entry and actor, and
/// every caller is answered only after the transaction holding its record has committed.
/// <para>
/// If a group fails (a client key raced, an occurrence was deleted meanwhile), its records are written
/// again one by one, so that one bad record fails only its own request.
/// </para>
/// </summary>
public sealed class EvidenceRecordWriter : IDisposable, IAsyncDisposable
{
    /// <summary>The most records committed in one transaction.</summary>
    public const int MaxGroup = 64;

    private readonly IServiceScopeFactory scopes;
    private readonly Channel<Job> queue = Channel.CreateUnbounded<Job>(new UnboundedChannelOptions { SingleReader = true });
    private readonly Task loop;

    public EvidenceRecordWriter(IServiceScopeFactory scopes)
    {
        this.scopes = scopes;

        // The loop outlives the request that first needs the writer: it must not carry that request's context.
        using (ExecutionContext.SuppressFlow())
        {
            loop = Task.Run(RunAsync);
        }
    }

    /// <summary>Records written in the last transaction (for tests of grouping).</summary>
    public int LastGroupSize { get; private set; }

    /// <summary>
    /// Adds the records (an evidence item with its links, and any occurrence entry for it) and returns once
    /// they are committed, attributed to <paramref name="actor"/> in the audit trail. Database errors of the
    /// records (e.g. a client key used meanwhile) are thrown here as they would be by a save of their own.
    /// </summary>
    public Task WriteAsync(IReadOnlyList<object> records, AuditActor actor, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(records);
        ArgumentNullException.ThrowIfNull(actor);
        var job = new Job(records, actor, new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously), ct);
        if (!queue.Writer.TryWrite(job))
        {
            throw new ObjectDisposedException(nameof(EvidenceRecordWriter), "The evidence record writer has stopped.");
        }

        return job.Done.Task;
    }

    public void Dispose() => queue.Writer.TryComplete();

    public async ValueTask DisposeAsync()
    {
        queue.Writer.TryComplete();
        await loop.ConfigureAwait(false);
    }

    private async Task RunAsync()
    {
        var reader = queue.Reader;
        var group = new List<Job>(MaxGroup);
        while (await reader.WaitToReadAsync().ConfigureAwait(false))
        {
            group.Clear();
            while (group.Count < MaxGroup && reader.TryRead(out var job))
            {
                if (job.Ct.IsCancellationRequested)
                {
                    job.Done.TrySetCanceled(job.Ct);
                }
                else
                {
                    group.Add(job);
                }
            }

            if (group.Count > 0)
            {
                await WriteGroupAsync(group).ConfigureAwait(false);
            }
        }
    }

    private async Task WriteGroupAsync(List<Job> group)
    {
        try
        {
            await CommitAsync(group).ConfigureAwait(false);
            LastGroupSize = group.Count;
            foreach (var job in group)
            {
                job.Done.TrySetResult();
            }

            return;
        }
        catch (Exception e) when (group.Count == 1)
        {
            group[0].Done.TrySetException(e);
            return;
        }
        catch (Exception)
        {
            // One record spoilt the group: write each on its own, below.
        }

        foreach (var job in group)
        {
            try
            {
                await CommitAsync([job]).ConfigureAwait(false);
                LastGroupSize = 1;
                job.Done.TrySetResult();
            }
            catch (Exception e)
            {
                job.Done.TrySetException(e);
            }
        }
    }

    private async Task CommitAsync(IReadOnlyList<Job> jobs)
    {
        await using var scope = scopes.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<PerennialDbContext>();
        var actors = new Dictionary<Guid, AuditActor>();
        foreach (var job in jobs)
        {
            foreach (var record in job.Records)
            {
                db.Add(record); // assigns generated keys, so the actor is looked up by them below
                if (record is IAudited audited)
                {
                    actors[audited.Id] = job.Actor;
                }
            }
        }

        db.ActorsByRecord = actors;
        using var gate = await SqliteWriteGate.EnterAsync(db.Database, CancellationToken.None).ConfigureAwait(false);
        await db.SaveChangesAsync(CancellationToken.None).ConfigureAwait(false); // one transaction with the audit entries
    }

    private sealed record Job(IReadOnlyList<object> Records, AuditActor Actor, TaskCompletionSource Done, CancellationToken Ct);
}

using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Perennial.AuditTrail;
using Perennial.Data;
using Perennial.Evidence;
using Perennial.Tests.Infrastructure;

namespace Perennial.Tests.Evidence;

/// <summary>
/// The writer that commits new evidence records in groups. SQLite's single-writer queue is held by the
/// test so that records pile up behind a commit, which is what many parallel pushes do.
/// </summary>
public sealed class EvidenceRecordWriterTests : IAsyncLifetime
{
    private TestApp app = null!;
    private Guid orgId;
    private Guid adminId;

    public async ValueTask InitializeAsync()
    {
        app = await TestApp.StartAsync(DatabaseProvider.Sqlite);
        adminId = (await app.CreateUserAsync("admin@acme.test")).Id;
        orgId = (await app.CreateOrganisationAsync("acme", adminId)).Id;
    }

    public async ValueTask DisposeAsync() => await app.DisposeAsync();

    private EvidenceRecordWriter Writer => app.Services.GetRequiredService<EvidenceRecordWriter>();

    [Fact]
    public async Task Records_queued_behind_a_commit_are_committed_together_each_with_its_own_actor_in_an_intact_trail()
    {
        var actors = await Task.WhenAll(Enumerable.Range(1, 3).Select(async i =>
        {
            var user = await app.CreateUserAsync($"pipeline{i}@acme.test");
            return new AuditActor(user.Id, $"token ci-{i}");
        }));

        List<(EvidenceItem Item, AuditActor Actor, Task Written)> writes = [];
        await using (var gate = await HoldWriteQueueAsync())
        {
            for (var i = 0; i < 12; i++)
            {
                var item = NewItem($"check {i}");
                writes.Add((item, actors[i % 3], Writer.WriteAsync([item], actors[i % 3], CancellationToken.None)));
                if (i == 0)
                {
                    await Task.Delay(100); // the writer takes the first record and waits for the queue with it
                }
            }

            await Task.Delay(200);
            Assert.All(writes, w => Assert.False(w.Written.IsCompleted, "nothing is answered before its commit"));
        }

        await Task.WhenAll(writes.Select(w => w.Written));
        Assert.Equal(11, Writer.LastGroupSize); // the records that waited behind the first commit went in one transaction

        await app.WithScopeAsync(async sp =>
        {
            var db = sp.GetRequiredService<PerennialDbContext>();
            var ids = writes.Select(w => w.Item.Id).ToList();
            Assert.Equal(12, await db.EvidenceItems.CountAsync(e => ids.Contains(e.Id)));
            var entries = await db.AuditEntries.Where(e => ids.Contains(e.EntityId)).ToListAsync();
            Assert.Equal(12, entries.Count);
            foreach (var (item, actor, _) in writes)
            {
                var entry = Assert.Single(entries, e => e.EntityId == item.Id);
                Assert.Equal((actor.UserId, actor.Name), (entry.ActorUserId, entry.ActorName));
                Assert.Equal(AuditAction.Created, entry.Action);
            }
        });
        Assert.True((await app.VerifyAuditTrailAsync()).Intact);
    }

    [Fact]
    public async Task A_record_that_cannot_be_written_fails_alone_and_the_rest_of_its_group_is_committed()
    {
        var actor = new AuditActor(adminId, "admin@acme.test");
        var first = NewItem("first", clientKey: "nightly-1");
        var clash = NewItem("same key again", clientKey: "nightly-1");
        var last = NewItem("last");
        Task[] written;
        await using (var gate = await HoldWriteQueueAsync())
        {
            written = [Writer.WriteAsync([first], actor, CancellationToken.None), Writer.WriteAsync([clash], actor, CancellationToken.None), Writer.WriteAsync([last], actor, CancellationToken.None)];
            await Task.Delay(100);
        }

        await written[0];
        await Assert.ThrowsAsync<DbUpdateException>(() => written[1]);
        await written[2];
        await app.WithScopeAsync(async sp =>
        {
            var db = sp.GetRequiredService<PerennialDbContext>();
            Assert.Equal(["first", "last"], await db.EvidenceItems.Where(e => e.OrganisationId == orgId).OrderBy(e => e.Title).Select(e => e.Title).ToListAsync());
        });
        Assert.True((await app.VerifyAuditTrailAsync()).Intact);
    }

    [Fact]
    public async Task A_record_whose_caller_gave_up_while_it_waited_is_not_written()
    {
        var actor = new AuditActor(adminId, "admin@acme.test");
        var kept = NewItem("kept");
        var abandoned = NewItem("abandoned");
        using var cancel = new CancellationTokenSource();
        Task keptWrite, abandonedWrite;
        await using (var gate = await HoldWriteQueueAsync())
        {
            keptWrite = Writer.WriteAsync([kept], actor, CancellationToken.None);
            await Task.Delay(100); // the writer takes the first record and waits for the queue
            abandonedWrite = Writer.WriteAsync([abandoned], actor, cancel.Token);
            await cancel.CancelAsync();
        }

        await keptWrite;
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => abandonedWrite);
        await app.WithScopeAsync(async sp =>
        {
            var db = sp.GetRequiredService<PerennialDbContext>();
            Assert.Equal(["kept"], await db.EvidenceItems.Where(e => e.OrganisationId == orgId).Select(e => e.Title).ToListAsync());
        });
    }

    private EvidenceItem NewItem(string title, string? clientKey = null)
    {
        var now = app.Time.GetUtcNow();
        return new EvidenceItem
        {
            Id = Guid.CreateVersion7(now),
            OrganisationId = orgId,
            Kind = EvidenceKind.Note,
            Title = title,
            PeriodFrom = new DateOnly(2026, 2, 1),
            PeriodTo = new DateOnly(2026, 2, 28),
            CollectedAt = now,
            RecordedAt = now,
            Source = EvidenceSource.Upload,
            SourceUserId = adminId,
            ClientKey = clientKey,
        };
    }

    /// <summary>Takes SQLite's in-process write queue, as a long commit would; disposing lets the writer go on.</summary>
    private async Task<GateHold> HoldWriteQueueAsync()
    {
        var scope = app.Services.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<PerennialDbContext>();
        return new GateHold(scope, await SqliteWriteGate.EnterAsync(db.Database, CancellationToken.None));
    }

    private sealed class GateHold(AsyncServiceScope scope, IDisposable gate) : IAsyncDisposable
    {
        public async ValueTask DisposeAsync()
        {
            gate.Dispose();
            await scope.DisposeAsync();
        }
    }
}

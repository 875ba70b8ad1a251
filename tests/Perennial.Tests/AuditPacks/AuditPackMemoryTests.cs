using Microsoft.Extensions.DependencyInjection;
using Perennial.AuditPacks;
using Perennial.Data;
using Perennial.Evidence;
using Perennial.Evidence.Storage;
using Perennial.Readiness;
using Perennial.Tests.Infrastructure;

namespace Perennial.Tests.AuditPacks;

/// <summary>
/// A pack with 2 GB of evidence is written without the evidence passing through memory: the managed
/// heap, sampled all the while, stays within a few buffers of where it started. (The database does
/// not matter here; the files come from the evidence store.)
/// </summary>
public sealed class AuditPackMemoryTests : IAsyncLifetime
{
    private const int Files = 20;
    private const int Contents = 4;
    private const long FileBytes = 100L * 1024 * 1024;
    private TestApp app = null!;

    public async ValueTask InitializeAsync() => app = await TestApp.StartAsync(DatabaseProvider.Sqlite);

    public async ValueTask DisposeAsync() => await app.DisposeAsync();

    [Fact]
    public async Task A_pack_with_2_GB_of_evidence_is_written_with_flat_memory()
    {
        var admin = await app.CreateUserAsync("admin@acme.test");
        var org = await app.CreateOrganisationAsync("acme", admin.Id);
        app.Time.SetUtcNow(new DateTimeOffset(2026, 5, 3, 9, 0, 0, TimeSpan.Zero));
        await app.WithScopeAsync(async s =>
        {
            var evidence = s.GetRequiredService<EvidenceService>();
            StoredContent? stored = null;
            for (var i = 0; i < Files; i++)
            {
                // Four distinct contents, each recorded as five items: 2 GB of evidence files, 400 MB to store.
                if (i % (Files / Contents) == 0)
                {
                    await using var content = new PseudoRandomStream(FileBytes, seed: (ulong)i + 1);
                    stored = await evidence.Store.PutAsync(content, FileBytes, default);
                }

                var checkedInput = await evidence.CheckAsync(org.Id, new EvidenceInput { Title = $"Log archive {i}", PeriodFrom = new DateOnly(2026, 4, 1), PeriodTo = new DateOnly(2026, 4, 30) }, true, default);
                await evidence.RecordAsync(org.Id, checkedInput, stored, $"logs-{i}.tar.gz", "application/gzip", new EvidenceOrigin(EvidenceSource.Upload, admin.Id), default);
            }
        });

        var (result, written, peak, baseline) = await app.WithScopeAsync(async s =>
        {
            var builder = s.GetRequiredService<AuditPackBuilder>();
            var window = await builder.WindowAsync(org.Id, new ReadinessQuery(new DateOnly(2026, 5, 1)), default);
            await using var sink = new CountingStream();
            GC.Collect();
            GC.WaitForPendingFinalizers();
            var start = GC.GetTotalMemory(forceFullCollection: true);
            long highest = start;
            using var done = new CancellationTokenSource();
            var sampler = Task.Run(async () =>
            {
                while (!done.IsCancellationRequested)
                {
                    highest = Math.Max(highest, GC.GetTotalMemory(false));
                    try
                    {
                        await Task.Delay(10, done.Token);
                    }
                    catch (OperationCanceledException)
                    {
                        break;
                    }
                }
            });
            var built = await builder.WriteAsync(org.Id, window, sink, new AuditPackActor(admin.Id, "admin@acme.test"), default);
            await done.CancelAsync();
            await sampler;
            return (built, sink.Count, highest, start);
        });

        Assert.Equal(Files, result.EvidenceFiles);
        Assert.Equal(Files * FileBytes, result.EvidenceBytes);
        Assert.True(written > Files * FileBytes, $"The pack is {written} bytes.");
        Assert.Equal(written, result.Seal.PackSize);
        // 2 GB went through; the heap grew by no more than a few copy buffers and the records' workbooks.
        Assert.True(peak - baseline < 96L * 1024 * 1024, $"The managed heap grew by {(peak - baseline) / (1024 * 1024)} MB while the pack was written.");
    }

    /// <summary>Where the pack goes: nowhere, counted.</summary>
    private sealed class CountingStream : Stream
    {
        public long Count { get; private set; }

        public override bool CanRead => false;
        public override bool CanSeek => false;
        public override bool CanWrite => true;
        public override long Length => Count;

        public override long Position
        {
            get => Count;
            set => throw new NotSupportedException();
        }

        public override void Write(byte[] buffer, int offset, int count) => Count += count;

        public override ValueTask WriteAsync(ReadOnlyMemory<byte> buffer, CancellationToken cancellationToken = default)
        {
            Count += buffer.Length;
            return ValueTask.CompletedTask;
        }

        public override void Flush()
        {
        }

        public override int Read(byte[] buffer, int offset, int count) => throw new NotSupportedException();

        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

        public override void SetLength(long value) => throw new NotSupportedException();
    }

    /// <summary>A long file that never exists in memory: one random megabyte, marked with the seed, repeated.</summary>
    private sealed class PseudoRandomStream : Stream
    {
        private readonly byte[] block = new byte[1024 * 1024];
        private readonly long length;
        private long position;

        public PseudoRandomStream(long length, ulong seed)
        {
            this.length = length;
            new Random((int)seed).NextBytes(block);
            BitConverter.TryWriteBytes(block, seed);
        }

        public override bool CanRead => true;
        public override bool CanSeek => false;
        public override bool CanWrite => false;
        public override long Length => length;

        public override long Position
        {
            get => position;
            set => throw new NotSupportedException();
        }

        public override int Read(byte[] buffer, int offset, int count) => Read(buffer.AsSpan(offset, count));

        public override int Read(Span<byte> buffer)
        {
            var at = (int)(position % block.Length);
            var n = (int)Math.Min(Math.Min(buffer.Length, block.Length - at), length - position);
            block.AsSpan(at, n).CopyTo(buffer);
            position += n;
            return n;
        }

        public override ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default) => new(Read(buffer.Span));

        public override Task<int> ReadAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) => Task.FromResult(Read(buffer, offset, count));

        public override void Flush()
        {
        }

        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

        public override void SetLength(long value) => throw new NotSupportedException();

        public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();
    }
}

using System.Security.Cryptography;
using Perennial.Evidence.Storage;
using Perennial.Tests.Infrastructure;

namespace Perennial.Tests.Evidence;

public sealed class FileSystemEvidenceStoreContractTests : EvidenceStoreContractTests
{
    private readonly string root = Path.Combine(Path.GetTempPath(), "perennial-store-" + Guid.NewGuid().ToString("N"));

    protected override string TemporaryFolder => Path.Combine(root, "tmp");

    protected override Task<IEvidenceStore> CreateStoreAsync() => Task.FromResult<IEvidenceStore>(new FileSystemEvidenceStore(root));

    // Everything under the store's root except its temporary folder.
    protected override Task<int> CountStoredObjectsAsync() => Task.FromResult(
        Directory.EnumerateFiles(root, "*", SearchOption.AllDirectories).Count(f => !f.StartsWith(TemporaryFolder, StringComparison.Ordinal)));

    protected override ValueTask CleanUpAsync()
    {
        if (Directory.Exists(root))
        {
            Directory.Delete(root, recursive: true);
        }

        return ValueTask.CompletedTask;
    }
}

public sealed class S3EvidenceStoreContractTests(S3rverFixture s3rver) : EvidenceStoreContractTests, IClassFixture<S3rverFixture>
{
    private readonly string temporary = Path.Combine(Path.GetTempPath(), "perennial-s3-tmp-" + Guid.NewGuid().ToString("N"));
    private S3rverServer? server;
    private string bucket = "";

    protected override string TemporaryFolder => temporary;

    protected override async Task<IEvidenceStore> CreateStoreAsync()
    {
        // A bucket of its own per test, so that counting its objects counts exactly what the test stored.
        server = await s3rver.ServerAsync();
        bucket = await server.CreateBucketAsync();
        return new S3EvidenceStore(server.Options(bucket, prefix: "perennial/"), temporary);
    }

    // Every object in the bucket, not only those under the store's prefix.
    protected override async Task<int> CountStoredObjectsAsync() => (await server!.KeysAsync(bucket)).Count;

    protected override ValueTask CleanUpAsync()
    {
        if (Directory.Exists(temporary))
        {
            Directory.Delete(temporary, recursive: true);
        }

        return ValueTask.CompletedTask;
    }
}

/// <summary>
/// What every evidence store promises, run against each store: content is kept under the SHA-256 of its
/// bytes, once, and a put that fails for any reason leaves nothing behind.
/// </summary>
public abstract class EvidenceStoreContractTests : IAsyncDisposable
{
    private const long Limit = 64L * 1024 * 1024;
    private IEvidenceStore? store;

    protected abstract string TemporaryFolder { get; }

    protected abstract Task<IEvidenceStore> CreateStoreAsync();

    /// <summary>Objects (files, keys) physically held by the store, counted from outside it.</summary>
    protected abstract Task<int> CountStoredObjectsAsync();

    protected abstract ValueTask CleanUpAsync();

    public async ValueTask DisposeAsync()
    {
        (store as IDisposable)?.Dispose();
        await CleanUpAsync();
    }

    [Fact]
    public async Task Put_returns_the_sha256_and_size_of_the_original_bytes_and_reads_them_back()
    {
        var store = await StoreAsync();
        var bytes = RandomBytes(300_000, seed: 1);

        var stored = await store.PutAsync(new MemoryStream(bytes), Limit, CancellationToken.None);

        Assert.Equal(Convert.ToHexStringLower(SHA256.HashData(bytes)), stored.Sha256);
        Assert.Equal(bytes.Length, stored.Size);
        Assert.True(await store.ExistsAsync(stored.Sha256, CancellationToken.None));
        Assert.Equal(bytes, await ReadAsync(store, stored.Sha256));
        Assert.Equal([stored.Sha256], await ListAsync(store));
        Assert.Empty(Directory.EnumerateFileSystemEntries(TemporaryFolder));
    }

    [Fact]
    public async Task The_same_bytes_twice_are_stored_once()
    {
        var store = await StoreAsync();
        var bytes = RandomBytes(50_000, seed: 2);

        var first = await store.PutAsync(new MemoryStream(bytes), Limit, CancellationToken.None);
        var second = await store.PutAsync(new MemoryStream(bytes), Limit, CancellationToken.None);
        var other = await store.PutAsync(new MemoryStream(RandomBytes(50_000, seed: 3)), Limit, CancellationToken.None);

        Assert.Equal(first, second);
        Assert.NotEqual(first.Sha256, other.Sha256);
        Assert.Equal(new[] { first.Sha256, other.Sha256 }.Order(), (await ListAsync(store)).Order());
        Assert.Equal(2, await CountStoredObjectsAsync());
    }

    [Fact]
    public async Task Empty_content_is_stored_under_the_hash_of_nothing()
    {
        var store = await StoreAsync();

        var stored = await store.PutAsync(new MemoryStream(), Limit, CancellationToken.None);

        Assert.Equal("e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855", stored.Sha256);
        Assert.Equal(0, stored.Size);
        Assert.Empty(await ReadAsync(store, stored.Sha256));
        Assert.Equal([stored.Sha256], await ListAsync(store));
    }

    [Fact]
    public async Task Content_over_the_limit_is_refused_and_leaves_nothing_stored()
    {
        var store = await StoreAsync();
        var kept = await store.PutAsync(new MemoryStream(RandomBytes(1000, seed: 4)), 1000, CancellationToken.None);

        var refused = await Assert.ThrowsAsync<ContentTooLargeException>(
            () => store.PutAsync(new MemoryStream(RandomBytes(5000, seed: 5)), 1000, CancellationToken.None));

        Assert.Equal(1000, refused.MaxBytes);
        Assert.Equal([kept.Sha256], await ListAsync(store));
        Assert.Equal(1, await CountStoredObjectsAsync());
        Assert.Empty(Directory.EnumerateFileSystemEntries(TemporaryFolder));
    }

    [Fact]
    public async Task A_stream_that_fails_part_way_leaves_nothing()
    {
        var store = await StoreAsync();

        var failure = await Assert.ThrowsAsync<IOException>(
            () => store.PutAsync(new FailingStream(3 * 1024 * 1024), Limit, CancellationToken.None));

        Assert.Equal(FailingStream.Message, failure.Message);
        Assert.Empty(await ListAsync(store));
        Assert.Equal(0, await CountStoredObjectsAsync());
        Assert.Empty(Directory.EnumerateFileSystemEntries(TemporaryFolder));
    }

    [Fact]
    public async Task Reading_a_hash_that_is_not_stored_gives_null()
    {
        var store = await StoreAsync();
        await store.PutAsync(new MemoryStream(RandomBytes(10, seed: 6)), Limit, CancellationToken.None);
        var missing = Convert.ToHexStringLower(SHA256.HashData(RandomBytes(10, seed: 7)));

        Assert.Null(await store.OpenReadAsync(missing, CancellationToken.None));
        Assert.False(await store.ExistsAsync(missing, CancellationToken.None));
    }

    [Fact]
    public async Task A_20_MB_file_round_trips()
    {
        var store = await StoreAsync();
        var bytes = RandomBytes(20 * 1024 * 1024, seed: 8);

        var stored = await store.PutAsync(new MemoryStream(bytes), Limit, CancellationToken.None);

        Assert.Equal(Convert.ToHexStringLower(SHA256.HashData(bytes)), stored.Sha256);
        Assert.Equal(bytes.Length, stored.Size);
        await using (var content = await store.OpenReadAsync(stored.Sha256, CancellationToken.None))
        {
            Assert.NotNull(content);
            Assert.Equal(stored.Sha256, await HashingCopy.HashAsync(content, CancellationToken.None));
        }

        Assert.Equal(1, await CountStoredObjectsAsync());
    }

    // Around the store's 1 MB write buffer: a short last chunk, an exact multiple, one byte either side.
    [Theory]
    [InlineData(3 * 1024 * 1024 + 12_345)]
    [InlineData(2 * 1024 * 1024)]
    [InlineData(1024 * 1024 + 1)]
    [InlineData(1024 * 1024 - 1)]
    public async Task Content_read_in_odd_sized_pieces_round_trips_byte_for_byte(int length)
    {
        var store = await StoreAsync();
        var bytes = RandomBytes(length, seed: length);

        var stored = await store.PutAsync(new TrickleStream(bytes, 7_919), Limit, CancellationToken.None);

        Assert.Equal(new StoredContent(Convert.ToHexStringLower(SHA256.HashData(bytes)), length), stored);
        Assert.Equal(bytes, await ReadAsync(store, stored.Sha256));
        Assert.Empty(Directory.EnumerateFileSystemEntries(TemporaryFolder));
    }

    [Fact]
    public async Task Concurrent_puts_of_the_same_bytes_are_fine()
    {
        var store = await StoreAsync();
        var bytes = RandomBytes(2 * 1024 * 1024, seed: 9);

        var results = await Task.WhenAll(Enumerable.Range(0, 8)
            .Select(_ => Task.Run(() => store.PutAsync(new MemoryStream(bytes), Limit, CancellationToken.None))));

        var expected = new StoredContent(Convert.ToHexStringLower(SHA256.HashData(bytes)), bytes.Length);
        Assert.All(results, r => Assert.Equal(expected, r));
        Assert.Equal([expected.Sha256], await ListAsync(store));
        Assert.Equal(1, await CountStoredObjectsAsync());
        Assert.Equal(bytes, await ReadAsync(store, expected.Sha256));
        Assert.Empty(Directory.EnumerateFileSystemEntries(TemporaryFolder));
    }

    [Theory]
    [InlineData("")]
    [InlineData("abc")]
    [InlineData("../../etc/passwd")]
    [InlineData("E3B0C44298FC1C149AFBF4C8996FB92427AE41E4649B934CA495991B7852B855")]
    [InlineData("e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b85g")]
    [InlineData("e3/0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855")]
    [InlineData("e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855/")]
    public async Task Invalid_hash_strings_are_refused(string hash)
    {
        var store = await StoreAsync();

        await Assert.ThrowsAsync<ArgumentException>(() => store.OpenReadAsync(hash, CancellationToken.None));
        await Assert.ThrowsAsync<ArgumentException>(() => store.ExistsAsync(hash, CancellationToken.None));
    }

    protected async Task<IEvidenceStore> StoreAsync() => store ??= await CreateStoreAsync();

    protected static byte[] RandomBytes(int length, int seed)
    {
        var bytes = new byte[length];
        new Random(seed).NextBytes(bytes);
        return bytes;
    }

    private static async Task<byte[]> ReadAsync(IEvidenceStore store, string sha256)
    {
        await using var content = await store.OpenReadAsync(sha256, CancellationToken.None);
        Assert.NotNull(content);
        using var copy = new MemoryStream();
        await content.CopyToAsync(copy);
        return copy.ToArray();
    }

    private static async Task<List<string>> ListAsync(IEvidenceStore store)
    {
        var hashes = new List<string>();
        await foreach (var hash in store.ListAsync(CancellationToken.None))
        {
            hashes.Add(hash);
        }

        return hashes;
    }

    /// <summary>A body that hands out at most a few kilobytes per read, as request bodies do.</summary>
    private sealed class TrickleStream(byte[] bytes, int piece) : MemoryStream(bytes, writable: false)
    {
        public override int Read(byte[] buffer, int offset, int count) => base.Read(buffer, offset, Math.Min(count, piece));

        public override int Read(Span<byte> buffer) => base.Read(buffer[..Math.Min(buffer.Length, piece)]);

        public override ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default) =>
            base.ReadAsync(buffer[..Math.Min(buffer.Length, piece)], cancellationToken);

        public override Task<int> ReadAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) =>
            base.ReadAsync(buffer, offset, Math.Min(count, piece), cancellationToken);
    }

    /// <summary>A body whose sender dies part-way: some bytes arrive, then the read fails.</summary>
    private sealed class FailingStream(long failAfter) : Stream
    {
        public const string Message = "The connection was reset part-way.";
        private long position;

        public override bool CanRead => true;
        public override bool CanSeek => false;
        public override bool CanWrite => false;
        public override long Length => throw new NotSupportedException();

        public override long Position
        {
            get => position;
            set => throw new NotSupportedException();
        }

        public override int Read(byte[] buffer, int offset, int count)
        {
            if (position >= failAfter)
            {
                throw new IOException(Message);
            }

            var n = (int)Math.Min(count, failAfter - position);
            Array.Fill(buffer, (byte)'x', offset, n);
            position += n;
            return n;
        }

        public override void Flush()
        {
        }

        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

        public override void SetLength(long value) => throw new NotSupportedException();

        public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();
    }
}

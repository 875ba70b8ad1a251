using Amazon.S3.Model;
using Microsoft.Extensions.DependencyInjection;
using Perennial.Evidence;
using Perennial.Evidence.Storage;
using Perennial.Tests.Infrastructure;

namespace Perennial.Tests.Evidence;

/// <summary>What only the S3 store does: its key layout, its settings and its errors when the bucket cannot be used.</summary>
public sealed class S3EvidenceStoreTests(S3rverFixture s3rver) : IClassFixture<S3rverFixture>, IDisposable
{
    private readonly string temporary = Path.Combine(Path.GetTempPath(), "perennial-s3-tmp-" + Guid.NewGuid().ToString("N"));

    public void Dispose()
    {
        if (Directory.Exists(temporary))
        {
            Directory.Delete(temporary, recursive: true);
        }
    }

    [Fact]
    public async Task Content_is_kept_under_the_prefix_by_its_hash_and_other_keys_are_not_listed()
    {
        var server = await s3rver.ServerAsync();
        var bucket = await server.CreateBucketAsync();
        using var store = new S3EvidenceStore(server.Options(bucket, prefix: "isms"), temporary);
        using (var client = server.CreateClient())
        {
            // Someone else's objects in the same bucket, and a stray file beside the store's own.
            await client.PutObjectAsync(new PutObjectRequest { BucketName = bucket, Key = "backups/db.dump", ContentBody = "x", UseChunkEncoding = false });
            await client.PutObjectAsync(new PutObjectRequest { BucketName = bucket, Key = "isms/sha256/ab/notes.txt", ContentBody = "x", UseChunkEncoding = false });
        }

        var stored = await store.PutAsync(new MemoryStream("access review, March"u8.ToArray()), 1024, CancellationToken.None);

        Assert.Contains($"isms/sha256/{stored.Sha256[..2]}/{stored.Sha256}", await server.KeysAsync(bucket));
        Assert.Equal($"isms/sha256/{stored.Sha256[..2]}/{stored.Sha256}", store.KeyOf(stored.Sha256));
        var listed = new List<string>();
        await foreach (var hash in store.ListAsync(CancellationToken.None))
        {
            listed.Add(hash);
        }

        Assert.Equal([stored.Sha256], listed);
    }

    [Fact]
    public async Task Listing_follows_the_pages_of_a_large_bucket()
    {
        var server = await s3rver.ServerAsync();
        var bucket = await server.CreateBucketAsync();
        using var store = new S3EvidenceStore(server.Options(bucket), temporary);
        // More than one page of ListObjectsV2 (1,000 keys), written straight into the bucket to save time.
        var expected = Enumerable.Range(0, 1010).Select(i => Convert.ToHexStringLower(System.Security.Cryptography.SHA256.HashData(BitConverter.GetBytes(i)))).ToList();
        using (var client = server.CreateClient())
        {
            await Parallel.ForEachAsync(expected, new ParallelOptions { MaxDegreeOfParallelism = 8 }, async (hash, ct) =>
                await client.PutObjectAsync(new PutObjectRequest { BucketName = bucket, Key = store.KeyOf(hash), ContentBody = hash, UseChunkEncoding = false }, ct));
        }

        var listed = new List<string>();
        await foreach (var hash in store.ListAsync(CancellationToken.None))
        {
            listed.Add(hash);
        }

        Assert.Equal(expected.Order(), listed.Order());
    }

    [Theory]
    [InlineData("", "http://127.0.0.1:9000", "K", "S", "Perennial:Evidence:S3:Bucket")]
    [InlineData("evidence", "127.0.0.1:9000", "K", "S", "Perennial:Evidence:S3:Endpoint")]
    [InlineData("evidence", "ftp://127.0.0.1", "K", "S", "Perennial:Evidence:S3:Endpoint")]
    [InlineData("evidence", "http://127.0.0.1:9000", null, null, "Perennial:Evidence:S3:AccessKey")]
    [InlineData("evidence", "http://127.0.0.1:9000", "K", null, "Perennial:Evidence:S3:SecretKey")]
    [InlineData("evidence", null, null, "S", "Perennial:Evidence:S3:AccessKey")]
    public void A_missing_or_wrong_setting_stops_the_start_naming_the_setting(string bucket, string? endpoint, string? accessKey, string? secretKey, string setting)
    {
        var options = new EvidenceOptions
        {
            Store = "s3",
            S3 = new S3StoreOptions { Bucket = bucket, Endpoint = endpoint, AccessKey = accessKey, SecretKey = secretKey },
        };

        var error = Assert.Throws<InvalidOperationException>(() => new ServiceCollection().AddPerennialEvidenceStore(options));

        Assert.Contains(setting, error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task An_unreachable_endpoint_is_reported_with_the_endpoint_and_bucket()
    {
        var port = FreePort();
        using var store = new S3EvidenceStore(
            new S3StoreOptions { Endpoint = $"http://127.0.0.1:{port}", Bucket = "evidence", AccessKey = "K", SecretKey = "S" }, temporary);

        var error = await Assert.ThrowsAsync<EvidenceStoreUnavailableException>(
            () => store.PutAsync(new MemoryStream("x"u8.ToArray()), 1024, CancellationToken.None));

        Assert.Contains($"127.0.0.1:{port}", error.Message, StringComparison.Ordinal);
        Assert.Contains("bucket 'evidence'", error.Message, StringComparison.Ordinal);
        Assert.DoesNotContain("   at ", error.Message, StringComparison.Ordinal);
        Assert.Empty(Directory.EnumerateFileSystemEntries(temporary));
    }

    [Fact]
    public async Task A_missing_bucket_is_reported_as_such_not_as_missing_content()
    {
        var server = await s3rver.ServerAsync();
        using var store = new S3EvidenceStore(server.Options("no-such-bucket"), temporary);
        var hash = new string('a', 64);

        var onRead = await Assert.ThrowsAsync<EvidenceStoreUnavailableException>(() => store.OpenReadAsync(hash, CancellationToken.None));
        var onExists = await Assert.ThrowsAsync<EvidenceStoreUnavailableException>(() => store.ExistsAsync(hash, CancellationToken.None));
        var onPut = await Assert.ThrowsAsync<EvidenceStoreUnavailableException>(
            () => store.PutAsync(new MemoryStream("x"u8.ToArray()), 1024, CancellationToken.None));

        Assert.All(new[] { onRead, onExists, onPut }, e =>
        {
            Assert.Contains("bucket 'no-such-bucket'", e.Message, StringComparison.Ordinal);
            Assert.Contains(server.Endpoint.ToString(), e.Message, StringComparison.Ordinal);
            Assert.Contains("does not exist", e.Message, StringComparison.Ordinal);
        });
    }

    [Fact]
    public async Task Wrong_credentials_are_reported_naming_the_settings()
    {
        var server = await s3rver.ServerAsync();
        var options = server.Options();
        options.AccessKey = "NOT-A-KEY"; // s3rver checks the key, not the v4 signature

        using var store = new S3EvidenceStore(options, temporary);

        var error = await Assert.ThrowsAsync<EvidenceStoreUnavailableException>(
            () => store.ExistsAsync(new string('a', 64), CancellationToken.None));

        Assert.Contains("Perennial:Evidence:S3:AccessKey", error.Message, StringComparison.Ordinal);
        Assert.Contains($"bucket '{server.Bucket}'", error.Message, StringComparison.Ordinal);
    }

    private static int FreePort()
    {
        using var listener = new System.Net.Sockets.TcpListener(System.Net.IPAddress.Loopback, 0);
        listener.Start();
        return ((System.Net.IPEndPoint)listener.LocalEndpoint).Port;
    }
}

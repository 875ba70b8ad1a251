using Perennial.Data;

namespace Perennial.Evidence.Storage;

/// <summary>Keeps evidence in an S3-compatible bucket under its SHA-256.</summary>
public sealed class S3EvidenceStore(S3StoreOptions options, DataPaths paths) : IEvidenceStore
{
    public string Name => "s3";

    public Task<StoredContent> PutAsync(Stream content, long maxBytes, CancellationToken ct) => throw NotReady();

    public Task<Stream?> OpenReadAsync(string sha256, CancellationToken ct) => throw NotReady();

    public Task<bool> ExistsAsync(string sha256, CancellationToken ct) => throw NotReady();

    public IAsyncEnumerable<string> ListAsync(CancellationToken ct) => throw NotReady();

    private NotSupportedException NotReady() => new($"The S3 store ({options.Bucket}, {paths.Root}) is not built yet.");
}

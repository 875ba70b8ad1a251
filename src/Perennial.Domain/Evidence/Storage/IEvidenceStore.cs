namespace Perennial.Evidence.Storage;

/// <summary>A stored content's identity: the lower-case hex SHA-256 of its bytes and its length.</summary>
public sealed record StoredContent(string Sha256, long Size);

/// <summary>Thrown when content grows past the size limit while it is being stored; nothing is kept.</summary>
public sealed class ContentTooLargeException(long maxBytes)
    : Exception($"The file is larger than the {Describe(maxBytes)} limit.")
{
    public long MaxBytes { get; } = maxBytes;

    public static string Describe(long bytes) =>
        bytes >= 1024 * 1024 && bytes % (1024 * 1024) == 0 ? $"{bytes / (1024 * 1024)} MB"
        : bytes >= 1024 && bytes % 1024 == 0 ? $"{bytes / 1024} KB"
        : $"{bytes}-byte";
}

/// <summary>
/// Content-addressed storage for evidence bytes. Content is written under the SHA-256 of its bytes, so
/// the same bytes are stored once. <see cref="PutAsync"/> returns only after the bytes are durably
/// stored under their hash; a failure or crash part-way leaves nothing under that hash.
/// </summary>
public interface IEvidenceStore
{
    /// <summary>"filesystem" or "s3", as in the Perennial:Evidence:Store setting.</summary>
    string Name { get; }

    /// <summary>Streams <paramref name="content"/> into the store, hashing it on the way.</summary>
    /// <exception cref="ContentTooLargeException">The content is longer than <paramref name="maxBytes"/>.</exception>
    Task<StoredContent> PutAsync(Stream content, long maxBytes, CancellationToken ct);

    /// <summary>Opens stored content for reading; null when nothing is stored under that hash.</summary>
    Task<Stream?> OpenReadAsync(string sha256, CancellationToken ct);

    Task<bool> ExistsAsync(string sha256, CancellationToken ct);

    /// <summary>Every hash the store holds (order unspecified).</summary>
    IAsyncEnumerable<string> ListAsync(CancellationToken ct);
}

public static class Sha256Hex
{
    public static bool IsValid(string? text) => text is { Length: 64 } && text.All(char.IsAsciiHexDigitLower);

    public static string Require(string sha256) =>
        IsValid(sha256) ? sha256 : throw new ArgumentException("Not a lower-case SHA-256 hex string.", nameof(sha256));
}

using System.Security.Cryptography;
using Perennial.Common;
using Perennial.Data;

namespace Perennial.Activities;

/// <summary>A stored file's identity: the SHA-256 of its bytes and its length.</summary>
public sealed record StoredContent(string Sha256, long Size);

/// <summary>
/// Keeps evidence files on the local disk, addressed by the SHA-256 of their bytes (the same bytes
/// are stored once). A file is streamed to a temporary name, hashed on the way, flushed, and only
/// then moved into place, so no record can point at partial content.
/// </summary>
public sealed class OccurrenceFileStore(DataPaths paths)
{
    /// <summary>Default largest accepted file (100 MB).</summary>
    public const long DefaultMaxBytes = 100L * 1024 * 1024;

    private string Root => Path.Combine(paths.Root, "evidence");

    public async Task<StoredContent> SaveAsync(Stream content, long maxBytes, string fieldName, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(content);
        Directory.CreateDirectory(Path.Combine(Root, "tmp"));
        var temporary = Path.Combine(Root, "tmp", Guid.NewGuid().ToString("N"));
        try
        {
            long size = 0;
            string sha;
            await using (var file = new FileStream(temporary, FileMode.CreateNew, FileAccess.Write, FileShare.None, 81920, useAsync: true))
            using (var hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256))
            {
                var buffer = new byte[81920];
                int read;
                while ((read = await content.ReadAsync(buffer, ct)) > 0)
                {
                    size += read;
                    if (size > maxBytes)
                    {
                        throw UseCaseException.Invalid(fieldName, $"The file is larger than the {maxBytes / (1024 * 1024)} MB limit.");
                    }

                    hash.AppendData(buffer, 0, read);
                    await file.WriteAsync(buffer.AsMemory(0, read), ct);
                }

                await file.FlushAsync(ct);
                file.Flush(flushToDisk: true);
                sha = Convert.ToHexStringLower(hash.GetHashAndReset());
            }

            var target = PathOf(sha);
            Directory.CreateDirectory(Path.GetDirectoryName(target)!);
            if (File.Exists(target))
            {
                File.Delete(temporary);
            }
            else
            {
                File.Move(temporary, target, overwrite: true);
            }

            return new StoredContent(sha, size);
        }
        finally
        {
            if (File.Exists(temporary))
            {
                File.Delete(temporary);
            }
        }
    }

    /// <summary>Opens stored content for reading; null if it is missing.</summary>
    public Stream? OpenRead(string sha256)
    {
        var path = PathOf(sha256);
        return File.Exists(path) ? new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, 81920, useAsync: true) : null;
    }

    private string PathOf(string sha256)
    {
        if (sha256.Length != 64 || !sha256.All(char.IsAsciiHexDigitLower))
        {
            throw new ArgumentException("Not a lower-case SHA-256 hex string.", nameof(sha256));
        }

        return Path.Combine(Root, sha256[..2], sha256);
    }
}

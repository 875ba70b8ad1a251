using System.Runtime.CompilerServices;
using System.Security.Cryptography;
using Perennial.Data;

namespace Perennial.Evidence.Storage;

/// <summary>
/// Keeps evidence on the local disk under <c>{data}/evidence/ab/abcd…</c>. Content is streamed to a
/// temporary file, hashed on the way, flushed to disk, and only then moved to its hash's name, so a crash
/// leaves at most a temporary file (removed on the next start), never a partial file under a hash.
/// </summary>
public sealed class FileSystemEvidenceStore : IEvidenceStore
{
    private const int BufferSize = 1024 * 1024;
    private readonly string root;
    private readonly string temporary;

    public FileSystemEvidenceStore(DataPaths paths)
        : this(Path.Combine((paths ?? throw new ArgumentNullException(nameof(paths))).Root, "evidence"))
    {
    }

    public FileSystemEvidenceStore(string root)
    {
        this.root = root;
        temporary = Path.Combine(root, "tmp");
        Directory.CreateDirectory(temporary);
        RemoveAbandonedTemporaryFiles();
    }

    public string Name => "filesystem";

    public string Root => root;

    public async Task<StoredContent> PutAsync(Stream content, long maxBytes, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(content);
        Directory.CreateDirectory(temporary);
        var scratch = Path.Combine(temporary, Guid.NewGuid().ToString("N"));
        try
        {
            StoredContent stored;
            await using (var file = new FileStream(scratch, FileMode.CreateNew, FileAccess.Write, FileShare.None, 1, FileOptions.Asynchronous))
            {
                stored = await HashingCopy.CopyAsync(content, file, maxBytes, ct);
                await file.FlushAsync(ct);
                file.Flush(flushToDisk: true);
            }

            var target = PathOf(stored.Sha256);
            if (!File.Exists(target))
            {
                Directory.CreateDirectory(Path.GetDirectoryName(target)!);
                File.Move(scratch, target, overwrite: true);
            }

            return stored;
        }
        finally
        {
            if (File.Exists(scratch))
            {
                File.Delete(scratch);
            }
        }
    }

    public Task<Stream?> OpenReadAsync(string sha256, CancellationToken ct)
    {
        var path = PathOf(sha256);
        Stream? stream = File.Exists(path) ? new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, BufferSize, FileOptions.Asynchronous | FileOptions.SequentialScan) : null;
        return Task.FromResult(stream);
    }

    public Task<bool> ExistsAsync(string sha256, CancellationToken ct) => Task.FromResult(File.Exists(PathOf(sha256)));

    public async IAsyncEnumerable<string> ListAsync([EnumeratorCancellation] CancellationToken ct)
    {
        await Task.CompletedTask;
        if (!Directory.Exists(root))
        {
            yield break;
        }

        foreach (var folder in Directory.EnumerateDirectories(root))
        {
            var prefix = Path.GetFileName(folder);
            if (prefix.Length != 2)
            {
                continue;
            }

            foreach (var file in Directory.EnumerateFiles(folder))
            {
                ct.ThrowIfCancellationRequested();
                var name = Path.GetFileName(file);
                if (Sha256Hex.IsValid(name) && name.StartsWith(prefix, StringComparison.Ordinal))
                {
                    yield return name;
                }
            }
        }
    }

    /// <summary>Where content with this hash lives (for tests and the verify command's messages).</summary>
    public string PathOf(string sha256) => Path.Combine(root, Sha256Hex.Require(sha256)[..2], sha256);

    private void RemoveAbandonedTemporaryFiles()
    {
        // Temporary files older than a day belong to uploads that died with their process.
        var cutoff = TimeProvider.System.GetUtcNow().UtcDateTime.AddDays(-1); // compared with the file system's own clock
        foreach (var file in Directory.EnumerateFiles(temporary))
        {
            try
            {
                if (File.GetLastWriteTimeUtc(file) < cutoff)
                {
                    File.Delete(file);
                }
            }
            catch (IOException)
            {
                // Another instance may be removing it too.
            }
        }
    }
}

/// <summary>Copies a stream while hashing it with SHA-256 and enforcing a size limit.</summary>
public static class HashingCopy
{
    private const int BufferSize = 1024 * 1024;

    public static async Task<StoredContent> CopyAsync(Stream source, Stream destination, long maxBytes, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(source);
        ArgumentNullException.ThrowIfNull(destination);
        using var hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);

        // Two buffers: while one is being written, the next is read and hashed, so that on a machine
        // with more than one core the write overlaps the hashing instead of following it.
        byte[][] buffers = [System.Buffers.ArrayPool<byte>.Shared.Rent(BufferSize), System.Buffers.ArrayPool<byte>.Shared.Rent(BufferSize)];
        var writing = Task.CompletedTask;
        try
        {
            long size = 0;
            var current = 0;
            int filled;
            while ((filled = await FillAsync(source, buffers[current], ct)) > 0)
            {
                size += filled;
                if (size > maxBytes)
                {
                    throw new ContentTooLargeException(maxBytes);
                }

                hash.AppendData(buffers[current], 0, filled);
                await writing;
                writing = destination.WriteAsync(buffers[current].AsMemory(0, filled), ct).AsTask();
                current ^= 1;
            }

            await writing;
            return new StoredContent(Convert.ToHexStringLower(hash.GetHashAndReset()), size);
        }
        finally
        {
            // A write still running must finish before its buffer goes back to the pool.
            try
            {
                await writing;
            }
            catch (Exception e) when (e is IOException or OperationCanceledException or UnauthorizedAccessException)
            {
                // Already reported by the await above, or superseded by the exception being thrown.
            }

            System.Buffers.ArrayPool<byte>.Shared.Return(buffers[0]);
            System.Buffers.ArrayPool<byte>.Shared.Return(buffers[1]);
        }
    }

    /// <summary>
    /// Reads until the buffer is full or the source ends. Request bodies and multipart sections hand out a
    /// few kilobytes per read; hashing and writing in whole buffers keeps the number of write calls (each
    /// an unbuffered, asynchronous file write) per megabyte at one instead of hundreds.
    /// </summary>
    private static async Task<int> FillAsync(Stream source, byte[] buffer, CancellationToken ct)
    {
        var filled = 0;
        int read;
        while (filled < BufferSize && (read = await source.ReadAsync(buffer.AsMemory(filled, BufferSize - filled), ct)) > 0)
        {
            filled += read;
        }

        return filled;
    }

    /// <summary>The SHA-256 of a stream's remaining bytes.</summary>
    public static async Task<string> HashAsync(Stream source, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(source);
        return Convert.ToHexStringLower(await SHA256.HashDataAsync(source, ct));
    }
}

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
        HashingFileWriter.RemoveAbandonedFiles(temporary);
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
            var stored = (await HashingFileWriter.WriteNewAsync(content, scratch, maxBytes, flushToDisk: true, ct)).Content;

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
}

/// <summary>Hashing helpers for stored content.</summary>
public static class HashingCopy
{
    /// <summary>The SHA-256 of a stream's remaining bytes.</summary>
    public static async Task<string> HashAsync(Stream source, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(source);
        return Convert.ToHexStringLower(await SHA256.HashDataAsync(source, ct));
    }
}

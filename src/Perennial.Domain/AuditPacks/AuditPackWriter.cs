using System.Buffers;
using System.IO.Compression;
using System.Text;
using System.Text.Json;

namespace Perennial.AuditPacks;

/// <summary>
/// Writes an audit pack as a ZIP straight to its destination, one file at a time: nothing is held
/// in memory but the list of files written, so memory stays flat whatever the evidence weighs. Each
/// file's SHA-256 and size are measured as it is written; <see cref="FinishAsync"/> adds the manifest
/// and its hash and closes the archive.
/// </summary>
public sealed class AuditPackWriter : IAsyncDisposable
{
    private const int CopyBuffer = 1024 * 1024;

    private readonly ArchiveOutputStream output;
    private readonly ZipArchive zip;
    private readonly DateTimeOffset timestamp;
    private readonly List<AuditPackFile> files = [];
    private readonly HashSet<string> paths = new(StringComparer.OrdinalIgnoreCase);
    private bool finished;

    private AuditPackWriter(ArchiveOutputStream output, ZipArchive zip, DateTimeOffset timestamp)
    {
        this.output = output;
        this.zip = zip;
        this.timestamp = timestamp;
    }

    public IReadOnlyList<AuditPackFile> Files => files;

    /// <param name="timestamp">The modification time every entry carries (the moment the pack was built).</param>
    public static async Task<AuditPackWriter> CreateAsync(Stream destination, DateTimeOffset timestamp, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(destination);
        // Wrapped, the destination is forward-only even when it is a file: the archive writes every entry
        // once, with its sizes after the data, exactly as it does to an HTTP response.
        var archive = new ArchiveOutputStream(destination);
        var zip = await ZipArchive.CreateAsync(archive, ZipArchiveMode.Create, leaveOpen: true, entryNameEncoding: Encoding.UTF8, ct);
        await archive.DrainAsync(ct);
        return new AuditPackWriter(archive, zip, timestamp);
    }

    /// <summary>Adds a file by copying <paramref name="content"/> to its end.</summary>
    /// <param name="compress">False for evidence, which is mostly compressed already and is copied at disk speed.</param>
    public async Task<AuditPackFile> AddAsync(string path, Stream content, AuditPackFileInfo info, bool compress, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(content);
        return await AddAsync(path, async (target, token) =>
        {
            var buffer = ArrayPool<byte>.Shared.Rent(CopyBuffer);
            try
            {
                int read;
                while ((read = await content.ReadAsync(buffer.AsMemory(0, CopyBuffer), token)) > 0)
                {
                    await target.WriteAsync(buffer.AsMemory(0, read), token);
                }
            }
            finally
            {
                ArrayPool<byte>.Shared.Return(buffer);
            }
        }, info, compress, ct);
    }

    public Task<AuditPackFile> AddAsync(string path, byte[] content, AuditPackFileInfo info, bool compress, CancellationToken ct) =>
        AddAsync(path, (target, token) => target.WriteAsync(content, token).AsTask(), info, compress, ct);

    /// <summary>Adds a file whose bytes <paramref name="write"/> writes (asynchronously) to the stream it is given.</summary>
    public async Task<AuditPackFile> AddAsync(string path, Func<Stream, CancellationToken, Task> write, AuditPackFileInfo info, bool compress, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(write);
        ArgumentNullException.ThrowIfNull(info);
        CheckPath(path);
        var entry = zip.CreateEntry(path, compress ? CompressionLevel.Optimal : CompressionLevel.NoCompression);
        entry.LastWriteTime = timestamp;
        string sha256;
        long size;
        var raw = await entry.OpenAsync(ct);
        await using (raw)
        {
            var hashing = new HashingWriteStream(raw, leaveOpen: true, output.DrainAsync);
            await using (hashing)
            {
                await write(hashing, ct);
                sha256 = hashing.Sha256();
                size = hashing.Length;
            }
        }

        await output.DrainAsync(ct);
        var file = new AuditPackFile(path, sha256, size, info.PeriodFrom, info.PeriodTo, info.Source, info.Title, info.EvidenceId);
        files.Add(file);
        return file;
    }

    /// <summary>Writes <c>manifest.json</c> (which must list every file added) and <c>manifest.sha256</c>, and closes the ZIP.</summary>
    public async Task<AuditPackSeal> FinishAsync(AuditPackManifest manifest, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(manifest);
        if (manifest.Files.Count != files.Count)
        {
            throw new InvalidOperationException("The manifest must list every file of the pack.");
        }

        var bytes = JsonSerializer.SerializeToUtf8Bytes(manifest, AuditPackManifest.Json);
        var manifestHash = Convert.ToHexStringLower(System.Security.Cryptography.SHA256.HashData(bytes));
        await WriteRawAsync(AuditPackManifest.ManifestPath, bytes, ct);
        await WriteRawAsync(AuditPackManifest.ManifestHashPath, Encoding.ASCII.GetBytes(AuditPackManifest.HashLine(manifestHash)), ct);
        await zip.DisposeAsync();
        finished = true;
        await output.FlushAsync(ct);
        return new AuditPackSeal(output.Sha256(), output.Length, manifestHash, files.Count);
    }

    /// <summary>
    /// Abandoned part-way (an error, a client gone), the archive is left incomplete rather than closed
    /// into something that looks whole.
    /// </summary>
    public async ValueTask DisposeAsync()
    {
        finished = true;
        await output.DisposeAsync();
    }

    private async Task WriteRawAsync(string path, byte[] bytes, CancellationToken ct)
    {
        CheckPath(path);
        var entry = zip.CreateEntry(path, CompressionLevel.Optimal);
        entry.LastWriteTime = timestamp;
        var stream = await entry.OpenAsync(ct);
        await using (stream)
        {
            await stream.WriteAsync(bytes, ct);
        }

        await output.DrainAsync(ct);
    }

    private void CheckPath(string path)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(path);
        if (finished)
        {
            throw new InvalidOperationException("The pack is finished.");
        }

        if (path.StartsWith('/') || path.Contains('\\', StringComparison.Ordinal) || path.Split('/').Any(p => p is "" or "." or ".."))
        {
            throw new ArgumentException($"'{path}' is not a relative path inside the pack.", nameof(path));
        }

        if (!paths.Add(path))
        {
            throw new ArgumentException($"The pack already has a file '{path}'.", nameof(path));
        }
    }
}

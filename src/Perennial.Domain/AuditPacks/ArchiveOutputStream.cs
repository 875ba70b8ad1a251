using System.Buffers;
using System.Security.Cryptography;

namespace Perennial.AuditPacks;

/// <summary>
/// What the ZIP archive writes to: it forwards asynchronous writes to the destination (an HTTP response
/// allows no other kind) and keeps the few synchronous ones the archive still makes (headers, the
/// end of a compressed entry) until <see cref="DrainAsync"/> sends them on, in order. Every byte is
/// counted and hashed as it passes, so the pack's own SHA-256 is known when it is complete.
/// </summary>
public sealed class ArchiveOutputStream(Stream destination) : Stream
{
    private readonly IncrementalHash hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
    private readonly ArrayBufferWriter<byte> pending = new(64 * 1024);
    private long written;

    public override bool CanRead => false;
    public override bool CanSeek => false;
    public override bool CanWrite => true;
    public override long Length => written;

    public override long Position
    {
        get => written;
        set => throw new NotSupportedException();
    }

    /// <summary>Bytes waiting for <see cref="DrainAsync"/>.</summary>
    public int Pending => pending.WrittenCount;

    public string Sha256() => Convert.ToHexStringLower(hash.GetCurrentHash());

    public override void Write(byte[] buffer, int offset, int count) => Write(buffer.AsSpan(offset, count));

    public override void Write(ReadOnlySpan<byte> buffer)
    {
        pending.Write(buffer);
        hash.AppendData(buffer);
        written += buffer.Length;
    }

    public override Task WriteAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) =>
        WriteAsync(buffer.AsMemory(offset, count), cancellationToken).AsTask();

    public override async ValueTask WriteAsync(ReadOnlyMemory<byte> buffer, CancellationToken cancellationToken = default)
    {
        await DrainAsync(cancellationToken);
        await HashingWriteStream.WriteHashedAsync(destination, hash, buffer, cancellationToken);
        written += buffer.Length;
    }

    /// <summary>Sends on what synchronous writes left waiting.</summary>
    public async ValueTask DrainAsync(CancellationToken ct)
    {
        if (pending.WrittenCount > 0)
        {
            await destination.WriteAsync(pending.WrittenMemory, ct);
            pending.ResetWrittenCount();
        }
    }

    public override void Flush()
    {
        // Synchronous flushes wait for the next DrainAsync; the destination may not be written synchronously.
    }

    public override async Task FlushAsync(CancellationToken cancellationToken)
    {
        await DrainAsync(cancellationToken);
        await destination.FlushAsync(cancellationToken);
    }

    public override int Read(byte[] buffer, int offset, int count) => throw new NotSupportedException();

    public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

    public override void SetLength(long value) => throw new NotSupportedException();

    protected override void Dispose(bool disposing)
    {
        if (disposing)
        {
            hash.Dispose();
        }

        base.Dispose(disposing);
    }
}

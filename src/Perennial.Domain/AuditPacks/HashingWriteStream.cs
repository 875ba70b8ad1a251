using System.Security.Cryptography;

namespace Perennial.AuditPacks;

/// <summary>
/// A write-only, forward-only stream that passes every byte to <paramref name="inner"/> while counting
/// it and hashing it with SHA-256, so a file's hash is known the moment it has been written.
/// <paramref name="afterWrite"/>, when given, runs after each asynchronous write.
/// </summary>
public sealed class HashingWriteStream(Stream inner, bool leaveOpen, Func<CancellationToken, ValueTask>? afterWrite = null) : Stream
{
    private const int ParallelFrom = 256 * 1024;

    private readonly IncrementalHash hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
    private long written;
    private string? finished;
    private bool disposed;

    public override bool CanRead => false;
    public override bool CanSeek => false;
    public override bool CanWrite => true;
    public override long Length => written;

    public override long Position
    {
        get => written;
        set => throw new NotSupportedException();
    }

    /// <summary>The lower-case hex SHA-256 of everything written; no more may be written after.</summary>
    public string Sha256()
    {
        finished ??= Convert.ToHexStringLower(hash.GetHashAndReset());
        return finished;
    }

    public override void Write(byte[] buffer, int offset, int count) => Write(buffer.AsSpan(offset, count));

    public override void Write(ReadOnlySpan<byte> buffer)
    {
        Check();
        inner.Write(buffer);
        hash.AppendData(buffer);
        written += buffer.Length;
    }

    public override Task WriteAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) =>
        WriteAsync(buffer.AsMemory(offset, count), cancellationToken).AsTask();

    public override async ValueTask WriteAsync(ReadOnlyMemory<byte> buffer, CancellationToken cancellationToken = default)
    {
        Check();
        await WriteHashedAsync(inner, hash, buffer, cancellationToken);
        written += buffer.Length;
        if (afterWrite is not null)
        {
            await afterWrite(cancellationToken);
        }
    }

    /// <summary>
    /// Writes <paramref name="buffer"/> to <paramref name="destination"/> and adds it to <paramref name="hash"/>.
    /// Large blocks are hashed on another core while the destination takes them (callers leave the buffer
    /// alone until the write completes, so both may read it).
    /// </summary>
    internal static async ValueTask WriteHashedAsync(Stream destination, IncrementalHash hash, ReadOnlyMemory<byte> buffer, CancellationToken ct)
    {
        if (buffer.Length < ParallelFrom)
        {
            await destination.WriteAsync(buffer, ct);
            hash.AppendData(buffer.Span);
            return;
        }

        var hashing = Task.Run(() => hash.AppendData(buffer.Span), ct);
        try
        {
            await destination.WriteAsync(buffer, ct);
        }
        finally
        {
            await hashing;
        }
    }

    public override void Flush() => inner.Flush();

    public override Task FlushAsync(CancellationToken cancellationToken) => inner.FlushAsync(cancellationToken);

    public override int Read(byte[] buffer, int offset, int count) => throw new NotSupportedException();

    public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

    public override void SetLength(long value) => throw new NotSupportedException();

    protected override void Dispose(bool disposing)
    {
        if (disposing && !disposed)
        {
            disposed = true;
            hash.Dispose();
            if (!leaveOpen)
            {
                inner.Dispose();
            }
        }

        base.Dispose(disposing);
    }

    public override async ValueTask DisposeAsync()
    {
        if (!disposed)
        {
            disposed = true;
            hash.Dispose();
            if (!leaveOpen)
            {
                await inner.DisposeAsync();
            }
        }

        await base.DisposeAsync();
    }

    private void Check()
    {
        if (finished is not null)
        {
            throw new InvalidOperationException("The hash has been taken; nothing more can be written.");
        }
    }
}

using System.Collections.Concurrent;
using System.Runtime.InteropServices;
using System.Security.Cryptography;
using Microsoft.Win32.SafeHandles;

namespace Perennial.Evidence.Storage;

/// <summary>What <see cref="HashingFileWriter.WriteNewAsync"/> wrote, and whether it went around the page cache.</summary>
public sealed record WrittenFile(StoredContent Content, bool Direct);

/// <summary>
/// Writes a stream to a new file while hashing it with SHA-256 and enforcing a size limit.
/// <para>
/// On Linux, once the content proves larger than one buffer, the file is switched to direct I/O
/// (<c>O_DIRECT</c>) where its file system allows it: evidence is written once and seldom read, so its
/// bytes need not be copied into (and evict other data from) the page cache, and the final fsync has
/// almost nothing left to flush. On a virtual machine whose free memory is handed back to the host,
/// filling the page cache with new pages was what made large uploads slower than hashing them.
/// Small content, other systems and file systems that refuse direct I/O (tmpfs, some network file
/// systems) are written through the page cache as before; the bytes written are the same either way.
/// </para>
/// </summary>
public static class HashingFileWriter
{
    /// <summary>One read-hash-write step. A multiple of <see cref="Alignment"/>.</summary>
    public const int BufferSize = 1024 * 1024;

    /// <summary>Direct I/O needs buffers, offsets and lengths aligned to the device's block size; 4 KB covers 512-byte and 4 KB devices.</summary>
    private const int Alignment = 4096;

    /// <summary>Aligned, pinned buffers reused across uploads (two per upload in flight).</summary>
    private static readonly ConcurrentBag<AlignedBuffer> Pool = [];

    private static int pooled;

    private static readonly int PoolLimit = Math.Max(4, Environment.ProcessorCount * 4);

    /// <summary>
    /// Writes <paramref name="source"/> to <paramref name="path"/> (which must not exist), hashing on the way,
    /// and with <paramref name="flushToDisk"/> returns only after the bytes are on disk.
    /// </summary>
    /// <exception cref="ContentTooLargeException">The content is longer than <paramref name="maxBytes"/>; the file is left for the caller to delete.</exception>
    public static async Task<WrittenFile> WriteNewAsync(Stream source, string path, long maxBytes, bool flushToDisk, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(source);
        using var file = File.OpenHandle(path, FileMode.CreateNew, FileAccess.Write, FileShare.None, FileOptions.Asynchronous);
        using var hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        var direct = DirectIo.Off;

        // Two buffers: while one is being written, the next is read and hashed.
        AlignedBuffer[] buffers = [Rent(), Rent()];
        var writing = Task.CompletedTask;
        try
        {
            long size = 0;
            var current = 0;
            int filled;
            while ((filled = await FillAsync(source, buffers[current].Memory, ct)) > 0)
            {
                if (size + filled > maxBytes)
                {
                    throw new ContentTooLargeException(maxBytes);
                }

                var chunk = buffers[current].Memory[..filled];
                hash.AppendData(chunk.Span);

                // The previous write must finish before the file's mode changes or the next write starts.
                await writing;
                if (size == 0 && filled == BufferSize)
                {
                    (direct, writing) = await FirstDirectWriteAsync(file, chunk, ct);
                }
                else
                {
                    // A short last chunk is not a whole number of blocks: it is written through the page cache.
                    direct = filled == BufferSize ? direct : direct.EndWithBufferedWrites(file);
                    writing = RandomAccess.WriteAsync(file, chunk, size, ct).AsTask();
                }

                size += filled;
                current ^= 1;
            }

            await writing;
            if (flushToDisk)
            {
                RandomAccess.FlushToDisk(file);
            }

            return new WrittenFile(new StoredContent(Convert.ToHexStringLower(hash.GetHashAndReset()), size), direct.WasUsed);
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

            Return(buffers[0]);
            Return(buffers[1]);
        }
    }

    /// <summary>
    /// Removes files older than a day from a staging folder: they belong to uploads that died with their
    /// process (run when a store starts).
    /// </summary>
    public static void RemoveAbandonedFiles(string folder)
    {
        var cutoff = TimeProvider.System.GetUtcNow().UtcDateTime.AddDays(-1); // compared with the file system's own clock
        foreach (var file in Directory.EnumerateFiles(folder))
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

    /// <summary>
    /// Switches the file to direct I/O and writes the first buffer directly; a file system that accepts the
    /// switch but refuses the write gets the file back in buffered mode and the buffer written that way.
    /// </summary>
    private static async Task<(DirectIo Direct, Task Writing)> FirstDirectWriteAsync(SafeFileHandle file, ReadOnlyMemory<byte> chunk, CancellationToken ct)
    {
        var direct = DirectIo.TryEnable(file);
        if (direct.On)
        {
            try
            {
                await RandomAccess.WriteAsync(file, chunk, 0, ct);
                return (direct, Task.CompletedTask);
            }
            catch (IOException)
            {
                direct = direct.EndWithBufferedWrites(file) with { WasUsed = false };
            }
        }

        return (direct, RandomAccess.WriteAsync(file, chunk, 0, ct).AsTask());
    }

    /// <summary>Reads until the buffer is full or the source ends (request bodies hand out a few kilobytes per read).</summary>
    private static async Task<int> FillAsync(Stream source, Memory<byte> buffer, CancellationToken ct)
    {
        var filled = 0;
        int read;
        while (filled < buffer.Length && (read = await source.ReadAsync(buffer[filled..], ct)) > 0)
        {
            filled += read;
        }

        return filled;
    }

    private static AlignedBuffer Rent()
    {
        if (Pool.TryTake(out var buffer))
        {
            Interlocked.Decrement(ref pooled);
            return buffer;
        }

        return new AlignedBuffer();
    }

    private static void Return(AlignedBuffer buffer)
    {
        if (Interlocked.Increment(ref pooled) <= PoolLimit)
        {
            Pool.Add(buffer);
        }
        else
        {
            Interlocked.Decrement(ref pooled);
        }
    }

    /// <summary>A <see cref="BufferSize"/> window, aligned for direct I/O, in an array pinned for its lifetime.</summary>
    private sealed class AlignedBuffer
    {
        public AlignedBuffer()
        {
            var array = GC.AllocateUninitializedArray<byte>(BufferSize + Alignment, pinned: true);
            var address = Marshal.UnsafeAddrOfPinnedArrayElement(array, 0).ToInt64();
            var offset = (int)((Alignment - (address % Alignment)) % Alignment);
            Memory = array.AsMemory(offset, BufferSize);
        }

        public Memory<byte> Memory { get; }
    }

    /// <summary>The file's direct I/O state: never tried or refused, on, or used and then switched off for the tail.</summary>
    private readonly record struct DirectIo(int Flags, bool On, bool WasUsed)
    {
        private const int GetFlags = 3; // F_GETFL
        private const int SetFlags = 4; // F_SETFL

        public static readonly DirectIo Off = new(0, false, false);

        private static readonly Fcntl? Call = Load();

        /// <summary>O_DIRECT for this process's architecture; 0 where it is not known.</summary>
        private static readonly int Flag = RuntimeInformation.ProcessArchitecture switch
        {
            Architecture.X64 or Architecture.X86 => 0x4000,
            Architecture.Arm64 or Architecture.Arm => 0x10000,
            _ => 0,
        };

        [UnmanagedFunctionPointer(CallingConvention.Cdecl, SetLastError = true)]
        private delegate int Fcntl(SafeFileHandle handle, int command, int argument);

        public static DirectIo TryEnable(SafeFileHandle file)
        {
            if (Call is null || Flag == 0)
            {
                return Off;
            }

            var flags = Call(file, GetFlags, 0);
            return flags >= 0 && Call(file, SetFlags, flags | Flag) == 0 ? new DirectIo(flags, true, true) : Off;
        }

        /// <summary>Back to buffered writes (for a last chunk that is not a whole number of blocks).</summary>
        public DirectIo EndWithBufferedWrites(SafeFileHandle file)
        {
            if (!On)
            {
                return this;
            }

            if (Call!(file, SetFlags, Flags) != 0)
            {
                throw new IOException($"Could not switch the file back from direct I/O (errno {Marshal.GetLastPInvokeError()}).");
            }

            return this with { On = false };
        }

        private static Fcntl? Load()
        {
            if (!OperatingSystem.IsLinux())
            {
                return null;
            }

            foreach (var name in new[] { "libc.so.6", "libc" })
            {
                if (NativeLibrary.TryLoad(name, out var library) && NativeLibrary.TryGetExport(library, "fcntl", out var export))
                {
                    return Marshal.GetDelegateForFunctionPointer<Fcntl>(export);
                }
            }

            return null;
        }
    }
}

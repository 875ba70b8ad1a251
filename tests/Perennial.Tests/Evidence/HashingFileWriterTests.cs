using System.Security.Cryptography;
using Perennial.Evidence.Storage;

namespace Perennial.Tests.Evidence;

/// <summary>
/// The writer behind both stores: content larger than one buffer goes around the page cache on Linux file
/// systems that allow direct I/O, and the bytes on disk are the same whichever way they were written.
/// </summary>
public sealed class HashingFileWriterTests : IDisposable
{
    private readonly string folder = Directory.CreateTempSubdirectory("perennial-writer-").FullName;

    public void Dispose() => Directory.Delete(folder, recursive: true);

    /// <summary>Linux file systems known to take O_DIRECT writes (tmpfs, for one, does not).</summary>
    private bool FolderAllowsDirectIo =>
        OperatingSystem.IsLinux() && new DriveInfo(folder).DriveFormat is "ext4" or "ext3" or "xfs" or "btrfs";

    [Fact]
    public async Task Large_content_is_written_directly_where_the_file_system_allows_it_and_reads_back_the_same()
    {
        var bytes = RandomBytes(5 * HashingFileWriter.BufferSize + 4_097);
        var path = Path.Combine(folder, "large");

        var written = await HashingFileWriter.WriteNewAsync(new MemoryStream(bytes), path, long.MaxValue, flushToDisk: true, CancellationToken.None);

        Assert.Equal(FolderAllowsDirectIo, written.Direct);
        Assert.Equal(new StoredContent(Convert.ToHexStringLower(SHA256.HashData(bytes)), bytes.Length), written.Content);
        Assert.Equal(bytes, await File.ReadAllBytesAsync(path));
    }

    [Fact]
    public async Task Content_that_fits_one_buffer_is_written_through_the_page_cache()
    {
        var bytes = RandomBytes(HashingFileWriter.BufferSize);
        var path = Path.Combine(folder, "small");

        var written = await HashingFileWriter.WriteNewAsync(new MemoryStream(bytes, 0, 2_048), path, long.MaxValue, flushToDisk: true, CancellationToken.None);

        Assert.False(written.Direct);
        Assert.Equal(2_048, written.Content.Size);
        Assert.Equal(bytes.AsSpan(0, 2_048).ToArray(), await File.ReadAllBytesAsync(path));
    }

    [Fact]
    public async Task Content_over_the_limit_stops_the_write_part_way()
    {
        var bytes = RandomBytes(4 * HashingFileWriter.BufferSize);
        var path = Path.Combine(folder, "too-large");

        var error = await Assert.ThrowsAsync<ContentTooLargeException>(() =>
            HashingFileWriter.WriteNewAsync(new MemoryStream(bytes), path, 2 * HashingFileWriter.BufferSize + 1, flushToDisk: false, CancellationToken.None));

        Assert.Equal(2 * HashingFileWriter.BufferSize + 1, error.MaxBytes);
        Assert.True(new FileInfo(path).Length <= 2 * HashingFileWriter.BufferSize, "nothing past the limit is written");
    }

    [Fact]
    public async Task An_existing_file_is_never_overwritten()
    {
        var path = Path.Combine(folder, "taken");
        await File.WriteAllTextAsync(path, "already here");

        await Assert.ThrowsAsync<IOException>(() =>
            HashingFileWriter.WriteNewAsync(new MemoryStream(RandomBytes(10)), path, long.MaxValue, flushToDisk: false, CancellationToken.None));

        Assert.Equal("already here", await File.ReadAllTextAsync(path));
    }

    private static byte[] RandomBytes(int length)
    {
        var bytes = new byte[length];
        new Random(length).NextBytes(bytes);
        return bytes;
    }
}

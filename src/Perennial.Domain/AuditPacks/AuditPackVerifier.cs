using System.Buffers;
using System.Globalization;
using System.IO.Compression;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using Perennial.AuditTrail;

namespace Perennial.AuditPacks;

/// <summary>One thing in a pack that does not match its manifest; <see cref="Path"/> names the file (or "pack").</summary>
public sealed record AuditPackProblem(string Path, string Message)
{
    public override string ToString() => $"{Path}: {Message}";
}

public sealed record AuditPackVerification(IReadOnlyList<AuditPackProblem> Problems, int FilesChecked, string? ManifestSha256, AuditPackManifest? Manifest)
{
    public bool Intact => Problems.Count == 0;
}

/// <summary>
/// Checks a pack against its manifest, with nothing but the file itself: the manifest against its
/// hash, every listed file's size and SHA-256, files missing or added, and each audit-trail entry of
/// the extract against its own hash.
/// </summary>
public static class AuditPackVerifier
{
    /// <summary>The largest manifest read (a pack of 50,000 evidence files has one of about 25 MB).</summary>
    public const long MaxManifestBytes = 256L * 1024 * 1024;

    private const int Buffer = 1024 * 1024;

    /// <param name="expectedManifestSha256">The manifest hash Perennial recorded when the pack was built, when the caller has it.</param>
    public static async Task<AuditPackVerification> VerifyAsync(Stream pack, string? expectedManifestSha256, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(pack);
        var problems = new List<AuditPackProblem>();
        ZipArchive zip;
        try
        {
            zip = await ZipArchive.CreateAsync(pack, ZipArchiveMode.Read, leaveOpen: true, entryNameEncoding: Encoding.UTF8, ct);
        }
        catch (InvalidDataException e)
        {
            return new([new("pack", $"not a readable ZIP archive ({e.Message})")], 0, null, null);
        }

        await using (zip)
        {
            var entries = new Dictionary<string, ZipArchiveEntry>(StringComparer.Ordinal);
            foreach (var entry in zip.Entries.Where(e => !e.FullName.EndsWith('/')))
            {
                if (!entries.TryAdd(entry.FullName, entry))
                {
                    problems.Add(new(entry.FullName, "appears more than once in the ZIP"));
                }
            }

            if (!entries.TryGetValue(AuditPackManifest.ManifestPath, out var manifestEntry))
            {
                problems.Add(new(AuditPackManifest.ManifestPath, "missing: the pack has no manifest"));
                return new(problems, 0, null, null);
            }

            byte[] manifestBytes;
            try
            {
                manifestBytes = await ReadAllAsync(manifestEntry, ct);
            }
            catch (InvalidDataException e)
            {
                problems.Add(new(AuditPackManifest.ManifestPath, $"damaged in the ZIP ({e.Message})"));
                return new(problems, 0, null, null);
            }

            var manifestHash = Convert.ToHexStringLower(SHA256.HashData(manifestBytes));
            await CheckManifestHashAsync(entries, manifestHash, problems, ct);
            if (expectedManifestSha256 is { } expected && !string.Equals(expected.Trim(), manifestHash, StringComparison.OrdinalIgnoreCase))
            {
                problems.Add(new(AuditPackManifest.ManifestPath, $"its SHA-256 is {manifestHash}, not {expected.Trim()} as expected"));
            }

            AuditPackManifest? manifest;
            try
            {
                manifest = JsonSerializer.Deserialize<AuditPackManifest>(manifestBytes, AuditPackManifest.Json);
            }
            catch (JsonException e)
            {
                problems.Add(new(AuditPackManifest.ManifestPath, $"not a readable manifest ({e.Message})"));
                return new(problems, 0, manifestHash, null);
            }

            if (manifest?.Files is null)
            {
                problems.Add(new(AuditPackManifest.ManifestPath, "lists no files"));
                return new(problems, 0, manifestHash, manifest);
            }

            var listed = new HashSet<string>(StringComparer.Ordinal) { AuditPackManifest.ManifestPath, AuditPackManifest.ManifestHashPath };
            var checkedFiles = 0;
            foreach (var file in manifest.Files)
            {
                if (file?.Path is not { } path)
                {
                    problems.Add(new(AuditPackManifest.ManifestPath, "lists a file without a path"));
                    continue;
                }

                if (!listed.Add(path))
                {
                    problems.Add(new(path, "listed more than once in the manifest"));
                    continue;
                }

                if (!entries.TryGetValue(path, out var entry))
                {
                    problems.Add(new(path, "listed in the manifest but missing from the pack"));
                    continue;
                }

                checkedFiles++;
                var (sha256, size, damage) = await MeasureAsync(entry, ct);
                if (damage is not null)
                {
                    problems.Add(new(path, $"damaged in the ZIP ({damage})"));
                }
                else if (size != file.Size)
                {
                    problems.Add(new(path, string.Create(CultureInfo.InvariantCulture, $"is {size} bytes, the manifest says {file.Size}")));
                }
                else if (!string.Equals(sha256, file.Sha256, StringComparison.OrdinalIgnoreCase))
                {
                    problems.Add(new(path, $"SHA-256 is {sha256}, the manifest says {file.Sha256}"));
                }
                else if (manifest.AuditTrail?.Path == path)
                {
                    await CheckTrailAsync(entry, path, problems, ct);
                }
            }

            foreach (var extra in entries.Keys.Where(p => !listed.Contains(p)).Order(StringComparer.Ordinal))
            {
                problems.Add(new(extra, "in the pack but not listed in the manifest"));
            }

            return new(problems, checkedFiles, manifestHash, manifest);
        }
    }

    private static async Task CheckManifestHashAsync(Dictionary<string, ZipArchiveEntry> entries, string manifestHash, List<AuditPackProblem> problems, CancellationToken ct)
    {
        if (!entries.TryGetValue(AuditPackManifest.ManifestHashPath, out var hashEntry))
        {
            problems.Add(new(AuditPackManifest.ManifestHashPath, "missing: the manifest's own hash is not in the pack"));
            return;
        }

        string recorded;
        try
        {
            recorded = Encoding.ASCII.GetString(await ReadAllAsync(hashEntry, ct)).Split((char[]?)null, StringSplitOptions.RemoveEmptyEntries).FirstOrDefault() ?? "";
        }
        catch (InvalidDataException e)
        {
            problems.Add(new(AuditPackManifest.ManifestHashPath, $"damaged in the ZIP ({e.Message})"));
            return;
        }

        if (!string.Equals(recorded, manifestHash, StringComparison.OrdinalIgnoreCase))
        {
            problems.Add(new(AuditPackManifest.ManifestPath, $"its SHA-256 is {manifestHash}, but {AuditPackManifest.ManifestHashPath} records {(recorded.Length == 0 ? "nothing" : recorded)}"));
        }
    }

    /// <summary>Each line of the extract is one entry of the chain; its hash must follow from its content.</summary>
    private static async Task CheckTrailAsync(ZipArchiveEntry entry, string path, List<AuditPackProblem> problems, CancellationToken ct)
    {
        var stream = await entry.OpenAsync(ct);
        await using (stream)
        {
            using var reader = new StreamReader(stream, Encoding.UTF8);
            var number = 0;
            while (await reader.ReadLineAsync(ct) is { } line)
            {
                number++;
                if (line.Length == 0)
                {
                    continue;
                }

                AuditEntry? row;
                try
                {
                    row = JsonSerializer.Deserialize<AuditTrailLine>(line, AuditPackManifest.Json)?.ToEntry();
                }
                catch (JsonException)
                {
                    row = null;
                }

                if (row is null)
                {
                    problems.Add(new(path, string.Create(CultureInfo.InvariantCulture, $"line {number} is not an audit-trail entry")));
                }
                else if (!string.Equals(row.ComputeHash(), row.Hash, StringComparison.Ordinal))
                {
                    problems.Add(new(path, string.Create(CultureInfo.InvariantCulture, $"line {number} (entry {row.Sequence}): its content does not match its hash")));
                }
            }
        }
    }

    private static async Task<(string Sha256, long Size, string? Damage)> MeasureAsync(ZipArchiveEntry entry, CancellationToken ct)
    {
        using var hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        long size = 0;
        var buffer = ArrayPool<byte>.Shared.Rent(Buffer);
        try
        {
            var stream = await entry.OpenAsync(ct);
            await using (stream)
            {
                int read;
                while ((read = await stream.ReadAsync(buffer.AsMemory(0, Buffer), ct)) > 0)
                {
                    hash.AppendData(buffer, 0, read);
                    size += read;
                }
            }
        }
        catch (InvalidDataException e)
        {
            return ("", size, e.Message);
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }

        return (Convert.ToHexStringLower(hash.GetHashAndReset()), size, null);
    }

    private static async Task<byte[]> ReadAllAsync(ZipArchiveEntry entry, CancellationToken ct)
    {
        if (entry.Length > MaxManifestBytes)
        {
            throw new InvalidDataException($"it is larger than {MaxManifestBytes / (1024 * 1024)} MB");
        }

        var stream = await entry.OpenAsync(ct);
        await using (stream)
        {
            using var copy = new MemoryStream();
            await stream.CopyToAsync(copy, ct);
            return copy.ToArray();
        }
    }
}

/// <summary>One audit-trail entry as a line of the pack's extract: every field its hash covers.</summary>
public sealed record AuditTrailLine(
    long Sequence, DateTimeOffset At, Guid? ActorUserId, string ActorName, Guid? OrganisationId, string EntityType, Guid EntityId, string Action,
    string Changes, string PreviousHash, string Hash)
{
    public static AuditTrailLine From(AuditEntry e)
    {
        ArgumentNullException.ThrowIfNull(e);
        return new(e.Sequence, e.At, e.ActorUserId, e.ActorName, e.OrganisationId, e.EntityType, e.EntityId, e.Action.ToString(), e.Changes, e.PreviousHash, e.Hash);
    }

    public AuditEntry? ToEntry() => Enum.TryParse<AuditAction>(Action, out var action) && Enum.IsDefined(action)
        ? new AuditEntry
        {
            Sequence = Sequence,
            At = At,
            ActorUserId = ActorUserId,
            ActorName = ActorName ?? "",
            OrganisationId = OrganisationId,
            EntityType = EntityType ?? "",
            EntityId = EntityId,
            Action = action,
            Changes = Changes ?? "",
            PreviousHash = PreviousHash ?? "",
            Hash = Hash ?? "",
        }
        : null;
}

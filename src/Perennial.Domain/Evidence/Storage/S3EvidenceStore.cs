using System.Net;
using System.Runtime.CompilerServices;
using Amazon.Runtime;
using Amazon.S3;
using Amazon.S3.Model;
using Perennial.Data;

namespace Perennial.Evidence.Storage;

/// <summary>
/// Keeps evidence in an S3-compatible bucket under <c>{prefix}sha256/ab/abcd…</c>, so that several app
/// instances share one store. Content is first streamed to a local temporary file (hashed and size-checked on
/// the way), then uploaded under its hash unless an object is already there; <see cref="PutAsync"/> returns
/// only once the upload has completed. An object appears under its key only when its upload completes (a
/// multipart upload is assembled by the server on completion), so a crash leaves no partial object.
/// </summary>
public sealed class S3EvidenceStore : IEvidenceStore, IDisposable
{
    /// <summary>Content up to this size goes in one request; larger content in parts of this size.</summary>
    public const long PartSize = 16L * 1024 * 1024;

    private readonly AmazonS3Client client;
    private readonly string bucket;
    private readonly string keyPrefix;
    private readonly string where;
    private readonly string temporary;
    private readonly System.Collections.Concurrent.ConcurrentDictionary<string, Task> uploads = new(StringComparer.Ordinal);
    private volatile bool bucketChecked;

    public S3EvidenceStore(S3StoreOptions options, DataPaths paths)
        : this(options, Path.Combine((paths ?? throw new ArgumentNullException(nameof(paths))).Root, "evidence-tmp"))
    {
    }

    public S3EvidenceStore(S3StoreOptions options, string temporaryFolder)
    {
        CheckSettings(options);
        bucket = options.Bucket.Trim();
        keyPrefix = NormalisePrefix(options.Prefix) + "sha256/";
        var endpoint = string.IsNullOrWhiteSpace(options.Endpoint) ? null : options.Endpoint.Trim();
        var region = string.IsNullOrWhiteSpace(options.Region) ? "us-east-1" : options.Region.Trim();
        where = $"endpoint {endpoint ?? $"AWS S3 ({region})"}, bucket '{bucket}'";

        var config = new AmazonS3Config
        {
            ForcePathStyle = options.ForcePathStyle,
            // Flexible checksums send bodies as aws-chunked with a trailer, which many S3-compatible servers
            // (s3rver, older MinIO and Ceph) store verbatim; bodies are sent plain and signed instead.
            RequestChecksumCalculation = RequestChecksumCalculation.WHEN_REQUIRED,
            ResponseChecksumValidation = ResponseChecksumValidation.WHEN_REQUIRED,
        };
        if (endpoint is not null)
        {
            config.ServiceURL = endpoint;
            config.AuthenticationRegion = region;
        }
        else
        {
            config.RegionEndpoint = Amazon.RegionEndpoint.GetBySystemName(region);
        }

        client = string.IsNullOrWhiteSpace(options.AccessKey)
            ? new AmazonS3Client(config) // AWS itself: the SDK's credential chain (environment, instance role).
            : new AmazonS3Client(new BasicAWSCredentials(options.AccessKey.Trim(), options.SecretKey!.Trim()), config);

        temporary = temporaryFolder;
        Directory.CreateDirectory(temporary);
        HashingFileWriter.RemoveAbandonedFiles(temporary);
    }

    public string Name => "s3";

    public string Bucket => bucket;

    /// <summary>Where content is staged before upload (for tests).</summary>
    public string TemporaryFolder => temporary;

    /// <summary>
    /// Refuses settings the store cannot work with, naming the setting. Credentials may be left out only
    /// for AWS itself (no endpoint), where the SDK finds them in the environment or the instance role.
    /// </summary>
    public static void CheckSettings(S3StoreOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        const string Setting = "Perennial:Evidence:S3";
        if (string.IsNullOrWhiteSpace(options.Bucket))
        {
            throw new InvalidOperationException($"Setting {Setting}:Bucket is required when Perennial:Evidence:Store is 's3'.");
        }

        var hasEndpoint = !string.IsNullOrWhiteSpace(options.Endpoint);
        if (hasEndpoint && (!Uri.TryCreate(options.Endpoint!.Trim(), UriKind.Absolute, out var uri)
            || (uri.Scheme != Uri.UriSchemeHttp && uri.Scheme != Uri.UriSchemeHttps)))
        {
            throw new InvalidOperationException($"Setting {Setting}:Endpoint must be an http(s) address such as http://127.0.0.1:9000, not '{options.Endpoint}'.");
        }

        if (!hasEndpoint && string.IsNullOrWhiteSpace(options.Region))
        {
            throw new InvalidOperationException($"Setting {Setting}:Endpoint (for an S3-compatible server) or {Setting}:Region (for AWS S3) is required.");
        }

        var hasAccessKey = !string.IsNullOrWhiteSpace(options.AccessKey);
        var hasSecretKey = !string.IsNullOrWhiteSpace(options.SecretKey);
        if (hasSecretKey && !hasAccessKey || hasEndpoint && !hasAccessKey)
        {
            throw new InvalidOperationException($"Setting {Setting}:AccessKey is required for the S3 server at {options.Endpoint ?? "AWS"}.");
        }

        if (hasAccessKey && !hasSecretKey)
        {
            throw new InvalidOperationException($"Setting {Setting}:SecretKey is required with {Setting}:AccessKey.");
        }
    }

    public async Task<StoredContent> PutAsync(Stream content, long maxBytes, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(content);
        Directory.CreateDirectory(temporary);
        var scratch = Path.Combine(temporary, Guid.NewGuid().ToString("N"));
        try
        {
            // Staged for the upload only: no need to wait for the disk.
            var stored = (await HashingFileWriter.WriteNewAsync(content, scratch, maxBytes, flushToDisk: false, ct)).Content;

            await EnsureBucketAsync(ct);
            await UploadUnlessStoredAsync(scratch, stored, ct);
            return stored;
        }
        finally
        {
            File.Delete(scratch);
        }
    }

    /// <summary>
    /// Uploads staged content unless its object exists. Requests in this instance carrying the same bytes
    /// wait for the one already uploading them and then find the object there, instead of sending the same
    /// bytes several times over (some S3-compatible servers also do not make overlapping writes of one key atomic).
    /// </summary>
    private async Task UploadUnlessStoredAsync(string scratch, StoredContent stored, CancellationToken ct)
    {
        while (true)
        {
            var mine = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            var current = uploads.GetOrAdd(stored.Sha256, mine.Task);
            if (current != mine.Task)
            {
                // Whether that upload succeeded or not, look again: its failure is its own request's to report.
                await current.WaitAsync(ct);
                continue;
            }

            try
            {
                if (!await ExistsAsync(stored.Sha256, ct))
                {
                    await UploadAsync(scratch, stored, ct);
                }

                return;
            }
            finally
            {
                uploads.TryRemove(new KeyValuePair<string, Task>(stored.Sha256, mine.Task));
                mine.SetResult();
            }
        }
    }

    public async Task<Stream?> OpenReadAsync(string sha256, CancellationToken ct)
    {
        var key = KeyOf(sha256);
        await EnsureBucketAsync(ct);
        try
        {
            var response = await client.GetObjectAsync(new GetObjectRequest { BucketName = bucket, Key = key }, ct);
            return new ObjectStream(response);
        }
        catch (AmazonS3Exception e) when (e.StatusCode == HttpStatusCode.NotFound && e.ErrorCode is not "NoSuchBucket")
        {
            return null;
        }
        catch (Exception e) when (IsStoreFailure(e, ct))
        {
            throw Unavailable(e);
        }
    }

    public async Task<bool> ExistsAsync(string sha256, CancellationToken ct)
    {
        var key = KeyOf(sha256);
        await EnsureBucketAsync(ct);
        try
        {
            await client.GetObjectMetadataAsync(new GetObjectMetadataRequest { BucketName = bucket, Key = key }, ct);
            return true;
        }
        catch (AmazonS3Exception e) when (e.StatusCode == HttpStatusCode.NotFound)
        {
            return false;
        }
        catch (Exception e) when (IsStoreFailure(e, ct))
        {
            throw Unavailable(e);
        }
    }

    public async IAsyncEnumerable<string> ListAsync([EnumeratorCancellation] CancellationToken ct)
    {
        await EnsureBucketAsync(ct);
        var request = new ListObjectsV2Request { BucketName = bucket, Prefix = keyPrefix };
        while (true)
        {
            ListObjectsV2Response page;
            try
            {
                page = await client.ListObjectsV2Async(request, ct);
            }
            catch (Exception e) when (IsStoreFailure(e, ct))
            {
                throw Unavailable(e);
            }

            foreach (var entry in page.S3Objects ?? [])
            {
                // Keys look like {prefix}sha256/ab/abcd…; anything else under the prefix is not ours.
                var rest = entry.Key[keyPrefix.Length..];
                var slash = rest.IndexOf('/', StringComparison.Ordinal);
                if (slash == 2 && rest[(slash + 1)..] is var name && Sha256Hex.IsValid(name) && name.StartsWith(rest[..2], StringComparison.Ordinal))
                {
                    yield return name;
                }
            }

            if (page.IsTruncated != true || string.IsNullOrEmpty(page.NextContinuationToken))
            {
                yield break;
            }

            request.ContinuationToken = page.NextContinuationToken;
        }
    }

    /// <summary>The object key for a hash (for tests and messages).</summary>
    public string KeyOf(string sha256) => $"{keyPrefix}{Sha256Hex.Require(sha256)[..2]}/{sha256}";

    public void Dispose() => client.Dispose();

    private async Task UploadAsync(string file, StoredContent stored, CancellationToken ct)
    {
        var key = KeyOf(stored.Sha256);
        try
        {
            if (stored.Size <= PartSize)
            {
                await client.PutObjectAsync(new PutObjectRequest
                {
                    BucketName = bucket,
                    Key = key,
                    FilePath = file,
                    ContentType = "application/octet-stream",
                    UseChunkEncoding = false,
                    // The server checks the bytes it received against the hash computed while staging them.
                    ChecksumSHA256 = Convert.ToBase64String(Convert.FromHexString(stored.Sha256)),
                }, ct);
            }
            else
            {
                await UploadInPartsAsync(file, key, stored.Size, ct);
            }
        }
        catch (Exception e) when (IsStoreFailure(e, ct))
        {
            throw Unavailable(e);
        }
    }

    private async Task UploadInPartsAsync(string file, string key, long size, CancellationToken ct)
    {
        // Each part is read from the staged file by the SDK, so memory stays flat however large the content.
        var upload = await client.InitiateMultipartUploadAsync(
            new InitiateMultipartUploadRequest { BucketName = bucket, Key = key, ContentType = "application/octet-stream" }, ct);
        try
        {
            var parts = new List<PartETag>();
            for (long position = 0, number = 1; position < size; position += PartSize, number++)
            {
                var part = await client.UploadPartAsync(new UploadPartRequest
                {
                    BucketName = bucket,
                    Key = key,
                    UploadId = upload.UploadId,
                    PartNumber = (int)number,
                    FilePath = file,
                    FilePosition = position,
                    PartSize = Math.Min(PartSize, size - position),
                    UseChunkEncoding = false,
                }, ct);
                parts.Add(new PartETag((int)number, part.ETag));
            }

            await client.CompleteMultipartUploadAsync(new CompleteMultipartUploadRequest
            {
                BucketName = bucket,
                Key = key,
                UploadId = upload.UploadId,
                PartETags = parts,
            }, ct);
        }
        catch
        {
            try
            {
                await client.AbortMultipartUploadAsync(
                    new AbortMultipartUploadRequest { BucketName = bucket, Key = key, UploadId = upload.UploadId }, CancellationToken.None);
            }
            catch (Exception e) when (e is AmazonServiceException or AmazonClientException or HttpRequestException or IOException)
            {
                // The parts stay until the bucket's lifecycle rule for incomplete uploads removes them.
            }

            throw;
        }
    }

    /// <summary>
    /// On first use, checks that the endpoint answers and the bucket exists, so that a wrong setting is
    /// reported as such rather than as a missing object.
    /// </summary>
    private async Task EnsureBucketAsync(CancellationToken ct)
    {
        if (bucketChecked)
        {
            return;
        }

        try
        {
            await client.HeadBucketAsync(new HeadBucketRequest { BucketName = bucket }, ct);
            bucketChecked = true;
        }
        catch (Exception e) when (IsStoreFailure(e, ct))
        {
            throw Unavailable(e);
        }
    }

    private static bool IsStoreFailure(Exception e, CancellationToken ct) =>
        e is AmazonServiceException or AmazonClientException or HttpRequestException or IOException
        || (e is OperationCanceledException && !ct.IsCancellationRequested);

    private EvidenceStoreUnavailableException Unavailable(Exception e)
    {
        var reason = e switch
        {
            AmazonS3Exception { ErrorCode: "NoSuchBucket" } => "the bucket does not exist",
            // HEAD answers carry no error document: a 404 on the bucket check is all there is to go on.
            AmazonS3Exception { StatusCode: HttpStatusCode.NotFound, ErrorCode: null or "" or "NotFound" } => "the bucket does not exist",
            AmazonS3Exception { ErrorCode: "InvalidAccessKeyId" or "SignatureDoesNotMatch" } =>
                "the server refused the credentials (check Perennial:Evidence:S3:AccessKey and SecretKey)",
            AmazonS3Exception { StatusCode: HttpStatusCode.Forbidden } =>
                "access denied (check Perennial:Evidence:S3:AccessKey and SecretKey, and the bucket's policy)",
            AmazonServiceException s => $"{s.ErrorCode ?? ((int)s.StatusCode).ToString(System.Globalization.CultureInfo.InvariantCulture)}: {s.Message}",
            OperationCanceledException => "the server did not answer in time",
            _ => Innermost(e).Message,
        };
        return new EvidenceStoreUnavailableException($"The S3 evidence store ({where}) cannot be used: {reason}.", e);
    }

    private static Exception Innermost(Exception e)
    {
        while (e.InnerException is not null)
        {
            e = e.InnerException;
        }

        return e;
    }

    private static string NormalisePrefix(string? prefix)
    {
        var trimmed = (prefix ?? "").Trim().TrimStart('/');
        return trimmed.Length == 0 || trimmed.EndsWith('/') ? trimmed : trimmed + "/";
    }

    /// <summary>An object's body; disposing it releases the HTTP response it comes from.</summary>
    private sealed class ObjectStream(GetObjectResponse response) : Stream
    {
        private readonly Stream inner = response.ResponseStream;

        public override bool CanRead => true;
        public override bool CanSeek => false;
        public override bool CanWrite => false;
        public override long Length => response.ContentLength;

        public override long Position
        {
            get => throw new NotSupportedException();
            set => throw new NotSupportedException();
        }

        public override int Read(byte[] buffer, int offset, int count) => inner.Read(buffer, offset, count);

        public override int Read(Span<byte> buffer) => inner.Read(buffer);

        public override Task<int> ReadAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) =>
            inner.ReadAsync(buffer, offset, count, cancellationToken);

        public override ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default) =>
            inner.ReadAsync(buffer, cancellationToken);

        public override void Flush()
        {
        }

        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

        public override void SetLength(long value) => throw new NotSupportedException();

        public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();

        protected override void Dispose(bool disposing)
        {
            if (disposing)
            {
                response.Dispose();
            }

            base.Dispose(disposing);
        }
    }
}

/// <summary>The evidence store cannot be reached or used (wrong endpoint, missing bucket, refused credentials).</summary>
public sealed class EvidenceStoreUnavailableException(string message, Exception? inner = null) : IOException(message, inner);

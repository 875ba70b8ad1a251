using Microsoft.Extensions.DependencyInjection;
using Perennial.Data;
using Perennial.Evidence.Storage;

namespace Perennial.Evidence;

/// <summary>Settings under <c>Perennial:Evidence</c>.</summary>
public sealed class EvidenceOptions
{
    /// <summary>Default largest accepted file (100 MB).</summary>
    public const long DefaultMaxBytes = 100L * 1024 * 1024;

    /// <summary>Largest evidence file accepted, in bytes.</summary>
    public long MaxUploadBytes { get; set; } = DefaultMaxBytes;

    /// <summary>Where content is kept: <c>filesystem</c> (under the data folder) or <c>s3</c>.</summary>
    public string Store { get; set; } = "filesystem";

    public S3StoreOptions S3 { get; set; } = new();
}

/// <summary>An S3-compatible bucket (AWS S3, MinIO, Ceph, s3rver…).</summary>
public sealed class S3StoreOptions
{
    /// <summary>Service URL, e.g. http://127.0.0.1:9000; empty for AWS itself (then Region decides).</summary>
    public string? Endpoint { get; set; }

    public string Bucket { get; set; } = "";
    public string? AccessKey { get; set; }
    public string? SecretKey { get; set; }
    public string Region { get; set; } = "us-east-1";

    /// <summary>Path-style addressing (bucket in the path), which most self-hosted servers need.</summary>
    public bool ForcePathStyle { get; set; } = true;

    /// <summary>Key prefix inside the bucket, e.g. "perennial/".</summary>
    public string Prefix { get; set; } = "";
}

public static class EvidenceServiceCollectionExtensions
{
    /// <summary>Registers the evidence settings and the configured content store.</summary>
    public static IServiceCollection AddPerennialEvidenceStore(this IServiceCollection services, EvidenceOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        if (options.MaxUploadBytes < 1)
        {
            throw new InvalidOperationException("Setting Perennial:Evidence:MaxUploadBytes must be a positive number of bytes.");
        }

        services.AddSingleton(options);
        switch ((options.Store ?? "").Trim().ToLowerInvariant())
        {
            case "" or "filesystem":
                services.AddSingleton<IEvidenceStore>(sp => new FileSystemEvidenceStore(sp.GetRequiredService<DataPaths>()));
                break;
            case "s3":
                S3EvidenceStore.CheckSettings(options.S3); // a wrong setting stops the start, naming it
                services.AddSingleton<IEvidenceStore>(sp => new S3EvidenceStore(options.S3, sp.GetRequiredService<DataPaths>()));
                break;
            default:
                throw new InvalidOperationException($"Setting Perennial:Evidence:Store must be 'filesystem' or 's3', not '{options.Store}'.");
        }

        return services;
    }
}

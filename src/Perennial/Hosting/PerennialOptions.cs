namespace Perennial.Hosting;

/// <summary>Top-level settings under <c>Perennial</c>; see the settings table in the README.</summary>
public sealed class PerennialOptions
{
    public const string Section = "Perennial";

    /// <summary>Folder for the SQLite database and other local data.</summary>
    public string DataDirectory { get; set; } = "data";

    /// <summary>Seed the demo organisation on start.</summary>
    public bool Demo { get; set; }

    public SchedulerOptions Scheduler { get; set; } = new();

    public EvidenceOptions Evidence { get; set; } = new();
}

public sealed class EvidenceOptions
{
    /// <summary>Largest evidence file accepted, in bytes (default 100 MB).</summary>
    public long MaxUploadBytes { get; set; } = Activities.OccurrenceFileStore.DefaultMaxBytes;
}

public sealed class SchedulerOptions
{
    /// <summary>Run background jobs in this instance. Turn off for web-only instances; the cluster keeps each firing to one instance anyway.</summary>
    public bool Enabled { get; set; } = true;
}

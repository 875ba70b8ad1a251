namespace Perennial.Hosting;

/// <summary>Top-level settings under <c>Perennial</c>; see the settings table in the README.</summary>
public sealed class PerennialOptions
{
    public const string Section = "Perennial";

    /// <summary>Folder for the SQLite database and other local data.</summary>
    public string DataDirectory { get; set; } = "data";

    /// <summary>Seed the demo organisation on start.</summary>
    public bool Demo { get; set; }

    /// <summary>
    /// The address people use to reach this installation (scheme, host, optional path), e.g.
    /// https://isms.example.com. Links in calendar feeds, subscription URLs and e-mails start with it.
    /// </summary>
    public string PublicUrl { get; set; } = "http://localhost:5000";

    public SchedulerOptions Scheduler { get; set; } = new();

    public Evidence.EvidenceOptions Evidence { get; set; } = new();

    /// <summary><see cref="PublicUrl"/> as an absolute http(s) address without a trailing slash.</summary>
    public Uri PublicUri()
    {
        var text = (PublicUrl ?? "").Trim().TrimEnd('/');
        if (!Uri.TryCreate(text, UriKind.Absolute, out var uri) || (uri.Scheme != Uri.UriSchemeHttp && uri.Scheme != Uri.UriSchemeHttps)
            || !string.IsNullOrEmpty(uri.Query) || !string.IsNullOrEmpty(uri.Fragment))
        {
            throw new InvalidOperationException($"Setting {Section}:PublicUrl must be an absolute http(s) address such as https://isms.example.com, not '{PublicUrl}'.");
        }

        return uri;
    }
}

public sealed class SchedulerOptions
{
    /// <summary>Run background jobs in this instance. Turn off for web-only instances; the cluster keeps each firing to one instance anyway.</summary>
    public bool Enabled { get; set; } = true;
}

using Perennial.Tests.Infrastructure;

namespace Perennial.Tests.Frameworks;

/// <summary>
/// The shared test corpus (third-party files kept beside the repository in <c>../shared/corpus</c>),
/// read in place: nothing of it is copied into the repository.
/// </summary>
internal static class Corpus
{
    private static readonly Lazy<string?> Root = new(FindRoot);

    public const string Nist = "usnistgov-oscal-content/SP800-53-rev5";
    public const string HighCatalog = $"{Nist}/NIST_SP-800-53_rev5_HIGH-baseline-resolved-profile_catalog-min.json";
    public const string ModerateCatalog = $"{Nist}/NIST_SP-800-53_rev5_MODERATE-baseline-resolved-profile_catalog.json";
    public const string LowCatalog = $"{Nist}/NIST_SP-800-53_rev5_LOW-baseline-resolved-profile_catalog.json";
    public const string PrivacyCatalog = $"{Nist}/NIST_SP-800-53_rev5_PRIVACY-baseline-resolved-profile_catalog.json";
    public const string HighProfile = $"{Nist}/NIST_SP-800-53_rev5_HIGH-baseline_profile.json";
    public const string ModerateProfile = $"{Nist}/NIST_SP-800-53_rev5_MODERATE-baseline_profile.json";
    public const string LowProfile = $"{Nist}/NIST_SP-800-53_rev5_LOW-baseline_profile.json";
    public const string PrivacyProfile = $"{Nist}/NIST_SP-800-53_rev5_PRIVACY-baseline_profile.json";
    public const string BasicCatalog = "usnistgov-oscal-content/examples/basic-catalog.json";
    public const string SchemaFile = "go-oscal-vendored-oscal-complete-schema/oscal_complete_schema-1-1-2.json";
    public const string Mappings = "intuitem-ciso-assistant-mappings";

    /// <summary>The full path of a corpus file; skips the test (fails on CI) when the corpus is missing.</summary>
    public static string File(string relative)
    {
        if (Root.Value is null)
        {
            Requirements.Missing("test corpus", "../shared/corpus (beside the repository) was not found.");
        }

        var path = Path.GetFullPath(Path.Combine(Root.Value, relative));
        if (!System.IO.File.Exists(path))
        {
            Requirements.Missing("test corpus", $"{relative} is not in {Root.Value}.");
        }

        return path;
    }

    /// <summary>Walks up from the test binary to the repository (the folder with Perennial.sln), then to ../shared/corpus.</summary>
    private static string? FindRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (System.IO.File.Exists(Path.Combine(dir.FullName, "Perennial.sln")))
            {
                var corpus = Path.GetFullPath(Path.Combine(dir.FullName, "..", "shared", "corpus"));
                return Directory.Exists(corpus) ? corpus : null;
            }
        }

        return null;
    }
}

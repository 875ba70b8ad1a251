using System.CommandLine;
using Microsoft.EntityFrameworkCore;
using Perennial.Common;
using Perennial.Data;
using Perennial.Frameworks;

namespace Perennial.Cli;

/// <summary><c>perennial catalog import --org SLUG FILE</c>: frameworks and mappings from files.</summary>
internal static class CatalogCommand
{
    public static Command Create(PerennialCli.CliIo io)
    {
        var data = PerennialCli.DataOption();
        var org = new Option<string>("--org") { Description = "Slug of the organisation to import into.", Required = true };
        var file = new Argument<string>("FILE") { Description = "An OSCAL catalog or profile (.json), or a framework mapping library (.yaml)." };
        var import = new Command("import", "Import an OSCAL catalog or profile (JSON) or a mapping between frameworks (YAML); all or nothing.") { org, file, data };
        import.TreatUnmatchedTokensAsErrors = false;
        import.SetAction(async (parse, ct) =>
        {
            if (PerennialCli.IsSetting(parse.GetValue(file)!))
            {
                // A setting before FILE takes FILE's place; the file then looks like an unknown argument.
                await io.Err.WriteLineAsync("error: name FILE before any setting (--Section:Key=value).");
                return 2;
            }

            return await PerennialCli.WithServicesAsync(parse, data, io, services => ImportAsync(services, parse, org, file, io, ct), ct);
        });
        return new Command("catalog", "Frameworks: OSCAL catalogs and profiles, and mappings between frameworks.") { import };
    }

    private static async Task<int> ImportAsync(IServiceProvider services, ParseResult parse, Option<string> org, Argument<string> file, PerennialCli.CliIo io, CancellationToken ct)
    {
        var path = parse.GetValue(file)!;
        if (!File.Exists(path))
        {
            await io.Err.WriteLineAsync($"error: the file '{path}' does not exist.");
            return 2;
        }

        await PerennialCli.EnsureMigratedAsync(services, ct);
        var slug = parse.GetValue(org)!;
        var organisation = await services.GetRequiredService<PerennialDbContext>().Organisations.AsNoTracking()
            .SingleOrDefaultAsync(o => o.Slug == slug, ct);
        if (organisation is null)
        {
            await io.Err.WriteLineAsync($"error: no organisation has the slug '{slug}'.");
            return 1;
        }

        FrameworkImportResult result;
        try
        {
            await using var stream = File.OpenRead(path);
            result = await services.GetRequiredService<FrameworkImportService>().ImportAsync(organisation.Id, path, stream, ct);
        }
        catch (UseCaseException e)
        {
            // The message names the file and the JSON path (or YAML line) of the problem.
            await io.Err.WriteLineAsync($"error: {e.Message}");
            return 1;
        }

        foreach (var note in result.Notes)
        {
            await io.Err.WriteLineAsync($"note: {note}");
        }

        await io.Out.WriteLineAsync(Summary(result));
        return 0;
    }

    internal static string Summary(FrameworkImportResult result) => result.Kind switch
    {
        ImportedDocumentKind.Catalog =>
            $"Catalog {result.Key} ({result.Name}) {(result.Created ? "imported" : "updated")}: {result.Count} controls.",
        ImportedDocumentKind.Profile =>
            $"Profile {result.Key} ({result.Name}) {(result.Created ? "imported" : "updated")}: {result.Count} controls, resolved against {result.ResolvedFromKey}.",
        _ =>
            $"Mapping {result.Key} ({result.Name}) {(result.Created ? "imported" : "replaced")}: {result.Count} links.",
    };
}

using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Perennial.Data;
using Perennial.Frameworks;
using Perennial.Tests.Infrastructure;

namespace Perennial.Tests.Frameworks;

internal static class FrameworkImportHelpers
{
    public static Task<FrameworkImportResult> ImportAsync(this TestApp app, Guid organisationId, string path) =>
        app.WithScopeAsync(async s =>
        {
            await using var file = File.OpenRead(path);
            return await s.GetRequiredService<FrameworkImportService>().ImportAsync(organisationId, path, file, CancellationToken.None);
        });

    public static Task<FrameworkImportResult> ImportCorpusAsync(this TestApp app, Guid organisationId, string corpusFile) =>
        app.ImportAsync(organisationId, Corpus.File(corpusFile));

    public static Task<Counts> CountAsync(this TestApp app, Guid organisationId) =>
        app.WithScopeAsync(async s =>
        {
            var db = s.GetRequiredService<PerennialDbContext>();
            return new Counts(
                // Imported frameworks only: every organisation also has the built-in ISO/IEC 27001 catalog.
                await db.Frameworks.CountAsync(f => f.OrganisationId == organisationId && f.Source != FrameworkSource.BuiltIn),
                await db.Controls.CountAsync(c => c.OrganisationId == organisationId && c.Framework!.Source != FrameworkSource.BuiltIn),
                await db.ControlMappings.CountAsync(m => m.OrganisationId == organisationId),
                await db.AuditEntries.CountAsync());
        });

    public static Task<List<Control>> ControlsAsync(this TestApp app, Guid frameworkId) =>
        app.WithScopeAsync(s => s.GetRequiredService<PerennialDbContext>().Controls.AsNoTracking()
            .Where(c => c.FrameworkId == frameworkId).OrderBy(c => c.SortOrder).ToListAsync());

    public static Task<Framework> FrameworkAsync(this TestApp app, Guid organisationId, string key) =>
        app.WithScopeAsync(s => s.GetRequiredService<PerennialDbContext>().Frameworks.AsNoTracking()
            .SingleAsync(f => f.OrganisationId == organisationId && f.Key == key));

    /// <summary>A copy of a corpus file with one change, under the corpus file's name, in the app's (temporary) data folder.</summary>
    public static string CorruptedCopy(this TestApp app, string corpusFile, Func<string, string> change)
    {
        var source = Corpus.File(corpusFile);
        var text = File.ReadAllText(source);
        var changed = change(text);
        Assert.NotEqual(text, changed);
        var dir = Directory.CreateDirectory(Path.Combine(app.Database.DataDirectory, "imports", Guid.NewGuid().ToString("N")));
        var path = Path.Combine(dir.FullName, Path.GetFileName(source));
        File.WriteAllText(path, changed);
        return path;
    }

    /// <summary>Replaces the one occurrence of <paramref name="find"/>; fails if it is not there exactly once.</summary>
    public static string ReplaceOnce(this string text, string find, string replacement)
    {
        var at = text.IndexOf(find, StringComparison.Ordinal);
        Assert.True(at >= 0, $"'{find}' not found");
        Assert.Equal(-1, text.IndexOf(find, at + find.Length, StringComparison.Ordinal));
        return string.Concat(text.AsSpan(0, at), replacement, text.AsSpan(at + find.Length));
    }

    /// <summary>The 1-based line on which <paramref name="find"/> starts.</summary>
    public static int LineOf(string corpusFile, string find)
    {
        var text = File.ReadAllText(Corpus.File(corpusFile));
        var at = text.IndexOf(find, StringComparison.Ordinal);
        Assert.True(at >= 0);
        return text.AsSpan(0, at).Count('\n') + 1;
    }
}

internal sealed record Counts(int Frameworks, int Controls, int Mappings, int AuditEntries);

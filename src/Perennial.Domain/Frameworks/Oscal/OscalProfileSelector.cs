using System.Text.RegularExpressions;

namespace Perennial.Frameworks.Oscal;

/// <summary>A control of a catalog already imported, as a profile's selection sees it.</summary>
public sealed record CatalogControlRef(string Identifier, string? ParentIdentifier);

/// <summary>A with-ids entry that the catalog does not hold, with its JSON path in the profile.</summary>
public sealed record MissingControl(string Identifier, string Path);

public sealed record ProfileSelection(IReadOnlySet<string> Selected, IReadOnlyList<MissingControl> Missing);

/// <summary>
/// Which controls of a catalog a profile selects: its imports' include-all or include-controls
/// (with-ids, matching, with-child-controls), less their exclude-controls. Every import is resolved
/// against the same catalog.
/// </summary>
public static class OscalProfileSelector
{
    public static ProfileSelection Select(OscalProfile profile, IReadOnlyCollection<CatalogControlRef> catalog)
    {
        ArgumentNullException.ThrowIfNull(profile);
        ArgumentNullException.ThrowIfNull(catalog);
        var known = catalog.Select(c => c.Identifier).ToHashSet(StringComparer.Ordinal);
        var children = catalog.Where(c => c.ParentIdentifier is not null)
            .ToLookup(c => c.ParentIdentifier!, c => c.Identifier, StringComparer.Ordinal);
        var selected = new HashSet<string>(StringComparer.Ordinal);
        var missing = new List<MissingControl>();
        var importsPath = JsonLocation.Property(JsonLocation.Property(JsonLocation.Root, "profile"), "imports");
        var imports = profile.Imports ?? [];
        for (var i = 0; i < imports.Count; i++)
        {
            var import = imports[i];
            var importPath = JsonLocation.Index(importsPath, i);
            var included = new HashSet<string>(StringComparer.Ordinal);
            if (import.IncludeAll is not null)
            {
                included.UnionWith(known);
            }

            var includes = import.IncludeControls ?? [];
            for (var j = 0; j < includes.Count; j++)
            {
                var at = JsonLocation.Index(JsonLocation.Property(importPath, "include-controls"), j);
                included.UnionWith(Resolve(includes[j], known, children, at, missing));
            }

            foreach (var exclude in import.ExcludeControls ?? [])
            {
                included.ExceptWith(Resolve(exclude, known, children, null, null));
            }

            selected.UnionWith(included);
        }

        return new ProfileSelection(selected, missing);
    }

    private static HashSet<string> Resolve(
        OscalControlSelection selection,
        HashSet<string> known,
        ILookup<string, string> children,
        string? path,
        List<MissingControl>? missing)
    {
        var ids = new HashSet<string>(StringComparer.Ordinal);
        var withIds = selection.WithIds ?? [];
        for (var k = 0; k < withIds.Count; k++)
        {
            if (known.Contains(withIds[k]))
            {
                ids.Add(withIds[k]);
            }
            else if (missing is not null && path is not null)
            {
                missing.Add(new MissingControl(withIds[k], JsonLocation.Index(JsonLocation.Property(path, "with-ids"), k)));
            }
        }

        foreach (var matching in selection.Matching ?? [])
        {
            var pattern = new Regex(
                "^" + Regex.Escape(matching.Pattern ?? "").Replace("\\*", ".*", StringComparison.Ordinal).Replace("\\?", ".", StringComparison.Ordinal) + "$",
                RegexOptions.CultureInvariant,
                TimeSpan.FromSeconds(1));
            ids.UnionWith(known.Where(id => pattern.IsMatch(id)));
        }

        if (selection.WithChildControls == "yes")
        {
            var pending = new Queue<string>(ids);
            while (pending.TryDequeue(out var id))
            {
                foreach (var child in children[id])
                {
                    if (ids.Add(child))
                    {
                        pending.Enqueue(child);
                    }
                }
            }
        }

        return ids;
    }
}

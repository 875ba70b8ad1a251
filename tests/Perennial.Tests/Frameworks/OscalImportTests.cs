using System.Text.Json;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Perennial.Common;
using Perennial.Data;
using Perennial.Frameworks;
using Perennial.Frameworks.Oscal;
using Perennial.Tests.Infrastructure;

namespace Perennial.Tests.Frameworks;

public sealed class SqliteOscalImportTests() : OscalImportTests(DatabaseProvider.Sqlite);

public sealed class PostgresOscalImportTests() : OscalImportTests(DatabaseProvider.Postgres);

/// <summary>Profile resolution and all-or-nothing import, on each database provider.</summary>
public abstract class OscalImportTests(DatabaseProvider provider) : IAsyncLifetime
{
    private TestApp app = null!;
    private Guid orgId;

    public async ValueTask InitializeAsync()
    {
        app = await TestApp.StartAsync(provider);
        var admin = await app.CreateUserAsync("admin@oscal.test");
        orgId = (await app.CreateOrganisationAsync("oscal", admin.Id)).Id;
    }

    public async ValueTask DisposeAsync() => await app.DisposeAsync();

    [Fact]
    public async Task Baseline_profiles_resolve_against_the_catalog_that_holds_every_selected_control()
    {
        var high = await app.ImportCorpusAsync(orgId, Corpus.HighCatalog);
        var privacy = await app.ImportCorpusAsync(orgId, Corpus.PrivacyCatalog);

        var low = await app.ImportCorpusAsync(orgId, Corpus.LowProfile);
        var moderate = await app.ImportCorpusAsync(orgId, Corpus.ModerateProfile);
        var highProfile = await app.ImportCorpusAsync(orgId, Corpus.HighProfile);
        var privacyProfile = await app.ImportCorpusAsync(orgId, Corpus.PrivacyProfile);

        Assert.Equal(
            [("nist-sp-800-53-rev5-low-profile", 149, "nist-sp-800-53-rev5-high"),
             ("nist-sp-800-53-rev5-moderate-profile", 287, "nist-sp-800-53-rev5-high"),
             ("nist-sp-800-53-rev5-high-profile", 370, "nist-sp-800-53-rev5-high"),
             ("nist-sp-800-53-rev5-privacy-profile", 96, "nist-sp-800-53-rev5-privacy")],
            new[] { low, moderate, highProfile, privacyProfile }.Select(r => (r.Key, r.Count, r.ResolvedFromKey!)).ToArray());
        Assert.All(new[] { low, moderate, highProfile, privacyProfile }, r => Assert.Equal(ImportedDocumentKind.Profile, r.Kind));

        var lowFramework = await app.FrameworkAsync(orgId, low.Key);
        Assert.Equal(FrameworkSource.OscalProfile, lowFramework.Source);
        Assert.Equal("nist-sp-800-53-rev5", lowFramework.Family);
        Assert.Equal(high.FrameworkId, lowFramework.ResolvedFromFrameworkId);
        Assert.Equal(149, lowFramework.ControlCount);
        var lowControls = await app.ControlsAsync(lowFramework.Id);
        Assert.Equal(149, lowControls.Count);
        Assert.Equal(18, lowControls.Count(c => c.Kind == ControlKind.Enhancement));
        var highControls = (await app.ControlsAsync(high.FrameworkId!.Value)).ToDictionary(c => c.Identifier);
        foreach (var copy in lowControls)
        {
            var original = highControls[copy.Identifier];
            Assert.Equal((original.Title, original.Description, original.Group, original.ParentIdentifier, original.Kind, original.OscalJson),
                (copy.Title, copy.Description, copy.Group, copy.ParentIdentifier, copy.Kind, copy.OscalJson));
        }

        Assert.Equal(lowControls.Select(c => highControls[c.Identifier].SortOrder).Order(), lowControls.Select(c => highControls[c.Identifier].SortOrder));
        var privacyControls = await app.ControlsAsync(privacyProfile.FrameworkId!.Value);
        Assert.Contains(privacyControls, c => c.Identifier == "ac-3.14" && c.ParentIdentifier == "ac-3" && c.Kind == ControlKind.Enhancement);
        Assert.DoesNotContain(privacyControls, c => c.Identifier == "ac-3");
        Assert.Equal(privacy.FrameworkId, (await app.FrameworkAsync(orgId, privacyProfile.Key)).ResolvedFromFrameworkId);

        // Importing a profile again updates it in place.
        var before = await app.CountAsync(orgId);
        var again = await app.ImportCorpusAsync(orgId, Corpus.LowProfile);
        Assert.False(again.Created);
        Assert.Equal(low.FrameworkId, again.FrameworkId);
        var after = await app.CountAsync(orgId);
        Assert.Equal((before.Frameworks, before.Controls), (after.Frameworks, after.Controls));
        Assert.Equal(6, after.Frameworks);
    }

    [Fact]
    public async Task A_profile_that_no_imported_catalog_satisfies_is_rejected_naming_the_missing_ids()
    {
        var none = await Assert.ThrowsAsync<UseCaseException>(() => app.ImportCorpusAsync(orgId, Corpus.LowProfile));
        Assert.Contains("NIST_SP-800-53_rev5_LOW-baseline_profile.json: $.profile.imports:", none.Message, StringComparison.Ordinal);
        Assert.Contains("imported none", none.Message, StringComparison.Ordinal);

        await app.ImportCorpusAsync(orgId, Corpus.PrivacyCatalog);
        var before = await app.CountAsync(orgId);

        var e = await Assert.ThrowsAsync<UseCaseException>(() => app.ImportCorpusAsync(orgId, Corpus.LowProfile));

        Assert.Equal(UseCaseErrorKind.Validation, e.Kind);
        Assert.StartsWith("NIST_SP-800-53_rev5_LOW-baseline_profile.json: $.profile.imports[0].include-controls[0].with-ids[1]: ", e.Message, StringComparison.Ordinal);
        Assert.Contains("Missing from the closest, nist-sp-800-53-rev5-privacy: ac-2, ac-7, ac-8, ", e.Message, StringComparison.Ordinal);
        Assert.Matches(@"and \d+ more \(\d+ in all\)", e.Message);
        Assert.Contains("Imported catalogs: nist-sp-800-53-rev5-privacy (102 controls).", e.Message, StringComparison.Ordinal);
        Assert.Equal(before, await app.CountAsync(orgId));
    }

    public static TheoryData<string> Corruptions => ["truncated", "id removed", "number for a string"];

    [Theory]
    [MemberData(nameof(Corruptions))]
    public async Task A_corrupted_copy_is_rejected_naming_the_JSON_path_and_changes_nothing(string corruption)
    {
        await app.ImportCorpusAsync(orgId, Corpus.BasicCatalog);
        var before = await app.CountAsync(orgId);
        Assert.True(before.AuditEntries > 0);
        var idLine = FrameworkImportHelpers.LineOf(Corpus.PrivacyCatalog, "\"id\": \"ir-8\",");
        var titleLine = FrameworkImportHelpers.LineOf(Corpus.PrivacyCatalog, "\"title\": \"Measures of Performance\"");
        var (path, expected) = corruption switch
        {
            "truncated" => (app.CorruptedCopy(Corpus.PrivacyCatalog, t => t[..(t.Length / 2)]),
                "NIST_SP-800-53_rev5_PRIVACY-baseline-resolved-profile_catalog.json: $.catalog.groups["),
            "id removed" => (app.CorruptedCopy(Corpus.PrivacyCatalog, t => t.ReplaceOnce("\"id\": \"ir-8\",", "")),
                $"NIST_SP-800-53_rev5_PRIVACY-baseline-resolved-profile_catalog.json: $.catalog.groups[5].controls[7].id: required (line {idLine - 1}, column 11)"),
            _ => (app.CorruptedCopy(Corpus.PrivacyCatalog, t => t.ReplaceOnce("\"title\": \"Measures of Performance\"", "\"title\": 42")),
                $"NIST_SP-800-53_rev5_PRIVACY-baseline-resolved-profile_catalog.json: $.catalog.groups[9].controls[3].title: wrong type: expected a string (line {titleLine}"),
        };

        var e = await Assert.ThrowsAsync<UseCaseException>(() => app.ImportAsync(orgId, path));

        Assert.Equal(UseCaseErrorKind.Validation, e.Kind);
        Assert.StartsWith(expected, e.Message, StringComparison.Ordinal);
        Assert.Contains("(line ", e.Message, StringComparison.Ordinal);
        if (corruption == "truncated")
        {
            Assert.Contains("malformed JSON", e.Message, StringComparison.Ordinal);
        }

        Assert.Equal(before, await app.CountAsync(orgId));
        Assert.True((await app.VerifyAuditTrailAsync()).Intact);
    }
}

/// <summary>The corpus catalogs and mappings, on SQLite (the larger files; PostgreSQL runs the resolution tests above).</summary>
public sealed class OscalCatalogImportTests : IAsyncLifetime
{
    private TestApp app = null!;
    private Guid orgId;

    public async ValueTask InitializeAsync()
    {
        app = await TestApp.StartAsync();
        var admin = await app.CreateUserAsync("admin@acme.test");
        orgId = (await app.CreateOrganisationAsync("acme", admin.Id)).Id;
    }

    public async ValueTask DisposeAsync() => await app.DisposeAsync();

    public static TheoryData<string, string, int, int> Catalogs => new()
    {
        { Corpus.HighCatalog, "nist-sp-800-53-rev5-high", 370, 182 },
        { Corpus.ModerateCatalog, "nist-sp-800-53-rev5-moderate", 287, 110 },
        { Corpus.LowCatalog, "nist-sp-800-53-rev5-low", 149, 18 },
        { Corpus.PrivacyCatalog, "nist-sp-800-53-rev5-privacy", 102, 21 },
    };

    [Theory]
    [MemberData(nameof(Catalogs))]
    public async Task A_corpus_catalog_imports_every_control_and_enhancement(string file, string key, int total, int enhancements)
    {
        var started = System.Diagnostics.Stopwatch.StartNew();
        var result = await app.ImportCorpusAsync(orgId, file);
        started.Stop();

        Assert.Equal((ImportedDocumentKind.Catalog, key, total, true), (result.Kind, result.Key, result.Count, result.Created));
        Assert.True(started.Elapsed < TimeSpan.FromSeconds(20), $"took {started.Elapsed}");
        var framework = await app.FrameworkAsync(orgId, key);
        Assert.Equal((FrameworkSource.OscalCatalog, "nist-sp-800-53-rev5", "5.1.1+u4", total), (framework.Source, framework.Family, framework.Version, framework.ControlCount));
        Assert.StartsWith("NIST Special Publication 800-53 Revision 5.1.1", framework.Name, StringComparison.Ordinal);
        Assert.Equal(app.Time.GetUtcNow().UtcTicks / 10, framework.ImportedAt.UtcTicks / 10);

        var controls = await app.ControlsAsync(framework.Id);
        Assert.Equal(total, controls.Count);
        Assert.Equal(enhancements, controls.Count(c => c.Kind == ControlKind.Enhancement));
        Assert.Equal(Enumerable.Range(0, total), controls.Select(c => c.SortOrder));
        var identifiers = controls.Select(c => c.Identifier).ToHashSet();
        Assert.Equal(total, identifiers.Count);
        Assert.All(controls.Where(c => c.Kind == ControlKind.Enhancement), c => Assert.Contains(c.ParentIdentifier!, identifiers));
        Assert.All(controls.Where(c => c.Kind == ControlKind.Control), c => Assert.Null(c.ParentIdentifier));
        Assert.All(controls, c => Assert.False(string.IsNullOrWhiteSpace(c.Group)));

        var ac1 = controls.Single(c => c.Identifier == "ac-1");
        Assert.Equal(("Policy and Procedures", "Access Control", ControlKind.Control), (ac1.Title, ac1.Group, ac1.Kind));
        Assert.StartsWith("a. Develop, document, and disseminate to [Assignment: organization-defined personnel or roles]:\n"
            + "  1. [Selection (one or more): organization-level; mission/business process-level; system-level] access control policy that:\n"
            + "    (a) Addresses purpose, scope,", ac1.Description, StringComparison.Ordinal);
        using var json = JsonDocument.Parse(ac1.OscalJson!);
        Assert.Equal("ac-1_prm_1", json.RootElement.GetProperty("params")[0].GetProperty("id").GetString());
        Assert.Equal("statement", json.RootElement.GetProperty("parts")[0].GetProperty("name").GetString());
        Assert.True(json.RootElement.TryGetProperty("props", out _));
        Assert.All(controls, c =>
        {
            using var content = JsonDocument.Parse(c.OscalJson!);
            Assert.False(content.RootElement.TryGetProperty("controls", out _));
        });
    }

    [Fact]
    public async Task Importing_a_catalog_twice_updates_it_in_place_and_keeps_what_the_organisation_recorded()
    {
        var first = await app.ImportCorpusAsync(orgId, Corpus.PrivacyCatalog);
        var controls = await app.ControlsAsync(first.FrameworkId!.Value);
        var ac1 = controls.Single(c => c.Identifier == "ac-1");
        await app.WithScopeAsync(async s =>
        {
            var db = s.GetRequiredService<PerennialDbContext>();
            var tracked = await db.Controls.SingleAsync(c => c.Id == ac1.Id);
            tracked.Status = ImplementationStatus.Implemented;
            tracked.ImplementationNotes = "Policy approved by the board.";
            await db.SaveChangesAsync();
        });
        var before = await app.CountAsync(orgId);

        var second = await app.ImportCorpusAsync(orgId, Corpus.PrivacyCatalog);

        Assert.False(second.Created);
        Assert.Equal((first.FrameworkId, first.Key, 102), (second.FrameworkId, second.Key, second.Count));
        var after = await app.CountAsync(orgId);
        Assert.Equal((1, 102), (after.Frameworks, after.Controls));
        Assert.Equal((before.Frameworks, before.Controls), (after.Frameworks, after.Controls));
        var again = (await app.ControlsAsync(first.FrameworkId!.Value)).Single(c => c.Identifier == "ac-1");
        Assert.Equal((ac1.Id, ImplementationStatus.Implemented, "Policy approved by the board."), (again.Id, again.Status, again.ImplementationNotes));
        Assert.Equal(controls.Select(c => c.Id), (await app.ControlsAsync(first.FrameworkId!.Value)).Select(c => c.Id));
    }

    [Fact]
    public async Task A_small_non_NIST_catalog_gets_a_family_and_key_from_its_title()
    {
        var result = await app.ImportCorpusAsync(orgId, Corpus.BasicCatalog);

        Assert.Equal(("sample-security-catalog-for-demonstration-and-testing", 4), (result.Key, result.Count));
        var framework = await app.FrameworkAsync(orgId, result.Key);
        Assert.Equal(result.Key, framework.Family);
        var controls = await app.ControlsAsync(framework.Id);
        Assert.Equal(result.Count, controls.Count);
        var first = controls[0];
        Assert.Equal(("s1.1.1", "Information security roles and responsibilities", "Internal Organization"), (first.Identifier, first.Title, first.Group));
        Assert.Contains("A value has been assigned to [Selection (one or more): initiating a device lock after [Assignment: a duration] of inactivity; "
            + "requiring the user to initiate a device lock before leaving the system unattended].", first.Description, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_withdrawn_control_is_skipped()
    {
        var path = app.CorruptedCopy(Corpus.BasicCatalog, t => t.ReplaceOnce(
            "\"title\": \"Segregation of duties\",\n                \"props\": [",
            "\"title\": \"Segregation of duties\",\n                \"props\": [{ \"name\": \"status\", \"value\": \"withdrawn\" },"));

        var result = await app.ImportAsync(orgId, path);

        Assert.Equal(3, result.Count);
        Assert.Contains("Skipped 1 withdrawn control(s).", result.Notes);
        Assert.DoesNotContain(await app.ControlsAsync(result.FrameworkId!.Value), c => c.Identifier == "s1.1.2");
    }

    public static TheoryData<string, int, int, string?> MappingFiles => new()
    {
        { "mapping-nist-sp-800-53-rev5-to-iso27001-2022.yaml", 1284, 2, null },
        { "mapping-nist-csf-2.0-to-iso27001-2022.yaml", 682, 2, "Skipped 2 duplicate link(s) in mapping-nist-csf-2.0-to-iso27001-2022." },
        { "mapping-soc2-2017-rev-2022-to-iso27001-2022.yaml", 2810, 2, null },
    };

    [Theory]
    [MemberData(nameof(MappingFiles))]
    public async Task A_mapping_library_imports_its_links_by_identifier(string file, int links, int sets, string? note)
    {
        var result = await app.ImportCorpusAsync(orgId, $"{Corpus.Mappings}/{file}");

        Assert.Equal((ImportedDocumentKind.Mapping, links, true), (result.Kind, result.Count, result.Created));
        if (note is not null)
        {
            Assert.Contains(note, result.Notes);
        }

        var stored = await app.WithScopeAsync(s => s.GetRequiredService<PerennialDbContext>().ControlMappings.AsNoTracking()
            .Where(m => m.OrganisationId == orgId).ToListAsync());
        Assert.Equal(links, stored.Count);
        Assert.Equal(sets, stored.Select(m => m.MappingSet).Distinct().Count());
        Assert.All(stored, m => Assert.DoesNotMatch("^a\\.", m.SourceFamily == "iso27001-2022" ? m.SourceIdentifier : m.TargetIdentifier));
        Assert.Contains(stored, m => m.TargetFamily == "iso27001-2022" && m.TargetIdentifier.StartsWith("A.5.", StringComparison.Ordinal));
        Assert.All(stored, m => Assert.Equal("intersect", m.Relationship));
    }

    [Fact]
    public async Task The_800_53_mapping_links_NIST_ids_to_ISO_clauses_and_Annex_A_and_re_importing_replaces_it()
    {
        var file = $"{Corpus.Mappings}/mapping-nist-sp-800-53-rev5-to-iso27001-2022.yaml";
        await app.ImportCorpusAsync(orgId, file);
        var again = await app.ImportCorpusAsync(orgId, file);

        Assert.False(again.Created);
        Assert.Equal("mapping-nist-sp-800-53-rev5-and-iso27001-2022", again.Key);
        // Every organisation has the built-in ISO/IEC 27001 catalog; only the NIST side waits for its import.
        Assert.Contains(again.Notes, n => n.StartsWith("Not imported yet", StringComparison.Ordinal) && n.Contains("nist-sp-800-53-rev5", StringComparison.Ordinal) && !n.Contains("iso27001-2022", StringComparison.Ordinal));
        var stored = await app.WithScopeAsync(s => s.GetRequiredService<PerennialDbContext>().ControlMappings.AsNoTracking()
            .Where(m => m.OrganisationId == orgId).ToListAsync());
        Assert.Equal(1284, stored.Count);
        var forward = stored.Where(m => m.MappingSet == "mapping-nist-sp-800-53-rev5-and-iso27001-2022").ToList();
        Assert.Equal(642, forward.Count);
        Assert.All(forward, m => Assert.Equal(("nist-sp-800-53-rev5", "iso27001-2022"), (m.SourceFamily, m.TargetFamily)));
        Assert.Contains(forward, m => (m.SourceIdentifier, m.TargetIdentifier) == ("ac-1", "5.2"));
        Assert.Contains(forward, m => (m.SourceIdentifier, m.TargetIdentifier) == ("ac-1", "7.5.3"));
        Assert.Contains(forward, m => (m.SourceIdentifier, m.TargetIdentifier) == ("ac-1", "A.5.1"));
        // The file writes enhancements as ac-17(1); they are kept as OSCAL writes them.
        Assert.Contains(forward, m => m.SourceIdentifier == "ac-17.1");
        Assert.DoesNotContain(stored, m => m.SourceIdentifier.Contains('(', StringComparison.Ordinal) || m.TargetIdentifier.Contains('(', StringComparison.Ordinal));
        Assert.Equal(642, stored.Count(m => m.MappingSet == "mapping-nist-sp-800-53-rev5-and-iso27001-2022-revert" && m.SourceFamily == "iso27001-2022"));
    }

    [Fact]
    public async Task A_broken_mapping_file_is_rejected_naming_the_YAML_line_and_changes_nothing()
    {
        var file = $"{Corpus.Mappings}/mapping-nist-sp-800-53-rev5-to-iso27001-2022.yaml";
        await app.ImportCorpusAsync(orgId, file);
        var before = await app.CountAsync(orgId);
        var path = app.CorruptedCopy(file, t => t.ReplaceOnce(
            "nist-sp-800-53-rev5:ac-1\n      target_requirement_urn: urn:intuitem:risk:req_node:iso27001-2022:5.2\n      relationship: intersect\n",
            "nist-sp-800-53-rev5:ac-1\n      target_requirement_urn: urn:intuitem:risk:req_node:iso27001-2022:5.2\n"));

        var e = await Assert.ThrowsAsync<UseCaseException>(() => app.ImportAsync(orgId, path));

        Assert.Equal("mapping-nist-sp-800-53-rev5-to-iso27001-2022.yaml: objects.requirement_mapping_sets[0].requirement_mappings[0].relationship: required (line 35, column 7)", e.Message);
        Assert.Equal(before, await app.CountAsync(orgId));
    }

    [Fact]
    public async Task The_command_line_imports_catalogs_profiles_and_mappings()
    {
        var catalog = await app.RunCliAsync("", "catalog", "import", "--org", "acme", Corpus.File(Corpus.PrivacyCatalog));
        Assert.Equal(0, catalog.ExitCode);
        Assert.Equal("Catalog nist-sp-800-53-rev5-privacy (NIST Special Publication 800-53 Revision 5.1.1 PRIVACY BASELINE) imported: 102 controls.", catalog.Stdout.Trim());

        var profile = await app.RunCliAsync("", "catalog", "import", "--org", "acme", Corpus.File(Corpus.PrivacyProfile));
        Assert.Equal(0, profile.ExitCode);
        Assert.Equal("Profile nist-sp-800-53-rev5-privacy-profile (NIST Special Publication 800-53 Revision 5.1.1 PRIVACY BASELINE) imported: 96 controls, resolved against nist-sp-800-53-rev5-privacy.", profile.Stdout.Trim());

        var mapping = await app.RunCliAsync("", "catalog", "import", "--org", "acme", Corpus.File($"{Corpus.Mappings}/mapping-nist-sp-800-53-rev5-to-iso27001-2022.yaml"));
        Assert.Equal(0, mapping.ExitCode);
        Assert.Contains("imported: 1284 links.", mapping.Stdout, StringComparison.Ordinal);
        Assert.Equal((2, 198, 1284), await app.WithScopeAsync(async s =>
        {
            var db = s.GetRequiredService<PerennialDbContext>();
            return (await db.Frameworks.CountAsync(f => f.Source != FrameworkSource.BuiltIn),
                await db.Controls.CountAsync(c => c.Framework!.Source != FrameworkSource.BuiltIn),
                await db.ControlMappings.CountAsync());
        }));

        var unknownOrg = await app.RunCliAsync("", "catalog", "import", "--org", "nowhere", Corpus.File(Corpus.PrivacyCatalog));
        Assert.Equal(1, unknownOrg.ExitCode);
        Assert.Contains("'nowhere'", unknownOrg.Stderr, StringComparison.Ordinal);

        var missing = await app.RunCliAsync("", "catalog", "import", "--org", "acme", "/no/such/catalog.json");
        Assert.Equal(2, missing.ExitCode);
        Assert.Contains("/no/such/catalog.json", missing.Stderr, StringComparison.Ordinal);

        var broken = app.CorruptedCopy(Corpus.PrivacyCatalog, t => t.ReplaceOnce("\"title\": \"Measures of Performance\"", "\"title\": 42"));
        var rejected = await app.RunCliAsync("", "catalog", "import", "--org", "acme", broken);
        Assert.Equal(1, rejected.ExitCode);
        Assert.StartsWith("error: NIST_SP-800-53_rev5_PRIVACY-baseline-resolved-profile_catalog.json: $.catalog.groups[9].controls[3].title: wrong type", rejected.Stderr, StringComparison.Ordinal);
        Assert.Equal("", rejected.Stdout);
    }
}

/// <summary>Validation against the official OSCAL 1.1.2 JSON Schema (setting Perennial:Oscal:SchemaFile).</summary>
public sealed class OscalSchemaValidationTests : IAsyncLifetime
{
    private TestApp app = null!;
    private Guid orgId;

    public async ValueTask InitializeAsync()
    {
        app = await TestApp.StartAsync(settings: new Dictionary<string, string?> { ["Perennial:Oscal:SchemaFile"] = Corpus.File(Corpus.SchemaFile) });
        var admin = await app.CreateUserAsync("admin@schema.test");
        orgId = (await app.CreateOrganisationAsync("schema", admin.Id)).Id;
    }

    public async ValueTask DisposeAsync() => await app.DisposeAsync();

    [Fact]
    public void Every_corpus_catalog_and_profile_is_valid_against_the_schema()
    {
        var validator = OscalSchemaValidator.For(Corpus.File(Corpus.SchemaFile));
        foreach (var file in new[]
        {
            Corpus.HighCatalog, Corpus.ModerateCatalog, Corpus.LowCatalog, Corpus.PrivacyCatalog,
            Corpus.HighProfile, Corpus.ModerateProfile, Corpus.LowProfile, Corpus.PrivacyProfile, Corpus.BasicCatalog,
        })
        {
            validator.Validate(File.ReadAllBytes(Corpus.File(file)));
        }
    }

    [Fact]
    public async Task Imports_are_validated_first_and_a_schema_invalid_file_is_rejected_naming_the_path()
    {
        Assert.Equal(102, (await app.ImportCorpusAsync(orgId, Corpus.PrivacyCatalog)).Count);
        Assert.Equal(96, (await app.ImportCorpusAsync(orgId, Corpus.PrivacyProfile)).Count);
        var before = await app.CountAsync(orgId);
        var extraMember = app.CorruptedCopy(Corpus.BasicCatalog, t => t.ReplaceOnce("\"metadata\": {", "\"metadata\": {\n      \"colour\": \"blue\","));
        var badId = app.CorruptedCopy(Corpus.PrivacyCatalog, t => t.ReplaceOnce("\"id\": \"ir-8\",", "\"id\": \"ir 8\","));

        var extra = await Assert.ThrowsAsync<UseCaseException>(() => app.ImportAsync(orgId, extraMember));
        var id = await Assert.ThrowsAsync<UseCaseException>(() => app.ImportAsync(orgId, badId));

        Assert.StartsWith("basic-catalog.json: $.catalog.metadata.colour: not valid against oscal_complete_schema-1-1-2.json: this member is not allowed here", extra.Message, StringComparison.Ordinal);
        Assert.Contains("(line ", extra.Message, StringComparison.Ordinal);
        Assert.StartsWith("NIST_SP-800-53_rev5_PRIVACY-baseline-resolved-profile_catalog.json: $.catalog.groups[5].controls[7].id: not valid against oscal_complete_schema-1-1-2.json: ", id.Message, StringComparison.Ordinal);
        Assert.Contains("pattern", id.Message, StringComparison.Ordinal);
        Assert.Equal(before, await app.CountAsync(orgId));
    }
}

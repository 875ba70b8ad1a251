using System.Net;
using System.Text;
using System.Text.Json.Nodes;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Perennial.Data;
using Perennial.Evidence;
using Perennial.Findings;
using Perennial.Frameworks;
using Perennial.Frameworks.Oscal;
using Perennial.InternalAudits;
using Perennial.Nonconformities;
using Perennial.Organisations;
using Perennial.Scope;
using Perennial.Soa;
using Perennial.Tests.Infrastructure;

namespace Perennial.Tests.Frameworks;

public sealed class SqliteOscalExportTests() : OscalExportTests(DatabaseProvider.Sqlite);

public sealed class PostgresOscalExportTests() : OscalExportTests(DatabaseProvider.Postgres);

/// <summary>
/// The three OSCAL exports of a seeded organisation, validated with a JSON Schema validator against
/// NIST's OSCAL 1.1.2 and 1.2.2 complete schemas from the corpus, read for what they must say, and
/// exported twice to show their UUIDs are stable.
/// </summary>
public abstract class OscalExportTests(DatabaseProvider provider) : IAsyncLifetime
{
    private const string Schema122 = "go-oscal-vendored-oscal-complete-schema/oscal_complete_schema-1-2-2.json";
    private TestApp app = null!;
    private readonly Dictionary<string, Guid> users = [];

    public async ValueTask InitializeAsync()
    {
        app = await TestApp.StartAsync(provider);
        foreach (var name in new[] { "admin", "ana", "audrey" })
        {
            users[name] = (await app.CreateUserAsync($"{name}@acme.test")).Id;
        }
    }

    public async ValueTask DisposeAsync() => await app.DisposeAsync();

    private sealed record World(Guid OrgId, Guid EvidenceId, string EvidenceSha, Guid NonconformityId, Guid FindingId);

    private static DateTimeOffset At(int month, int day) => new(2026, month, day, 10, 0, 0, TimeSpan.Zero);

    private async Task<World> SeedAsync()
    {
        var org = await app.CreateOrganisationAsync("acme", users["admin"]);
        await app.AddMemberAsync(org.Id, "ana@acme.test", OrgRole.Contributor);
        await app.AddMemberAsync(org.Id, "audrey@acme.test", OrgRole.Auditor);
        app.Time.SetUtcNow(At(4, 1));
        var control = await app.WithScopeAsync(s => s.GetRequiredService<PerennialDbContext>().Controls
            .SingleAsync(c => c.OrganisationId == org.Id && c.Identifier == "A.5.1" && c.Framework!.Key == Framework.IsoKey));
        using var bytes = new MemoryStream(Encoding.UTF8.GetBytes("The information security policy, approved 2026-03-20."));
        var evidence = await app.WithScopeAsync(s => s.GetRequiredService<EvidenceService>().AddAsync(org.Id,
            new EvidenceInput { Title = "Approved security policy", ControlId = control.Id, PeriodFrom = new DateOnly(2026, 3, 20), PeriodTo = new DateOnly(2026, 3, 31) },
            new IncomingContent(bytes, "policy.pdf", "application/pdf"), new EvidenceOrigin(EvidenceSource.Upload, users["ana"]), default));

        var ids = await app.WithScopeAsync(async s =>
        {
            var db = s.GetRequiredService<PerennialDbContext>();
            var now = app.Time.GetUtcNow();
            db.ScopeVersions.Add(new ScopeVersion { Id = Guid.NewGuid(), OrganisationId = org.Id, Number = 1, CreatedAt = now, AuthorName = "Admin", Statement = "The  hosted payroll service,\n its people and its offices." });
            var soa = new SoaVersion { Id = Guid.NewGuid(), OrganisationId = org.Id, Number = 1, PublishedAt = now, ApproverName = "Admin" };
            soa.Rows.Add(new SoaRow
            {
                Id = Guid.NewGuid(),
                OrganisationId = org.Id,
                ControlIdentifier = "A.5.1",
                Applicable = true,
                Justification = "Required by the risk assessment ",
                Status = ImplementationStatus.Implemented,
                OwnerUserId = users["ana"],
                OwnerName = "ana",
                LinkedActivities = "ACT-001",
            });
            soa.Rows.Add(new SoaRow { Id = Guid.NewGuid(), OrganisationId = org.Id, ControlIdentifier = "A.8.14", Applicable = false, Justification = "One site, no redundancy needed", SortOrder = 1 });
            db.SoaVersions.Add(soa);

            var nc = new Nonconformity
            {
                Id = Guid.NewGuid(),
                OrganisationId = org.Id,
                Reference = "NC-001",
                Title = "Audit programme not approved",
                Source = NonconformitySource.InternalAudit,
                OwnerUserId = users["ana"],
                RaisedByName = "Admin",
                RaisedAt = now,
                Status = NonconformityStatus.Planned,
                DueOn = new DateOnly(2026, 6, 30),
            };
            db.Nonconformities.Add(nc);
            db.CorrectiveActions.Add(new CorrectiveAction
            {
                Id = Guid.NewGuid(),
                OrganisationId = org.Id,
                NonconformityId = nc.Id,
                Round = 1,
                Title = "Have the programme approved by management",
                OwnerUserId = users["ana"],
                DueOn = new DateOnly(2026, 5, 15),
                CreatedAt = now,
            });
            var audit = new InternalAudit
            {
                Id = Guid.NewGuid(),
                OrganisationId = org.Id,
                Reference = "IA-001",
                Title = "Leadership and policy",
                PlannedStart = new DateOnly(2026, 3, 23),
                PlannedEnd = new DateOnly(2026, 3, 27),
                LeadAuditorUserId = users["admin"],
                Status = InternalAuditStatus.Reported,
                CreatedAt = now,
                StartedAt = At(3, 23),
                SignedOffAt = At(3, 30),
                Criteria = "ISO/IEC 27001:2022 and the security policy",
            };
            db.InternalAudits.Add(audit);
            db.ChecklistItems.Add(new ChecklistItem { Id = Guid.NewGuid(), OrganisationId = org.Id, InternalAuditId = audit.Id, Identifier = "A.5.1", Kind = ScopeItemKind.Control, Result = ChecklistResult.Conforming, Notes = "Policy approved and published.", RecordedAt = At(3, 24) });
            db.ChecklistItems.Add(new ChecklistItem { Id = Guid.NewGuid(), OrganisationId = org.Id, InternalAuditId = audit.Id, Identifier = "9.2", Kind = ScopeItemKind.Clause, SortOrder = 1, Result = ChecklistResult.MinorNonconformity, Notes = "The programme was never approved.", RecordedAt = At(3, 25), NonconformityId = nc.Id });

            var finding = new Finding
            {
                Id = Guid.NewGuid(),
                OrganisationId = org.Id,
                Fingerprint = new string('a', 64),
                Tool = "Trivy",
                Format = "trivy",
                Target = "payroll-api:1.4",
                RuleId = "CVE-2026-1234",
                Title = "openssl: buffer overread",
                Severity = FindingSeverity.High,
                PackageName = "openssl",
                FixedVersion = "3.0.20",
                FirstSeenAt = now,
                LastSeenAt = now,
                DueOn = new DateOnly(2026, 5, 1),
                FirstEvidenceItemId = evidence.Item.Id,
                LastEvidenceItemId = evidence.Item.Id,
            };
            db.Findings.Add(finding);
            await db.SaveChangesAsync();
            return (nc.Id, finding.Id);
        });
        return new World(org.Id, evidence.Item.Id, evidence.Item.Sha256!, ids.Item1, ids.Item2);
    }

    private static void Validate(JsonNode document)
    {
        var utf8 = Encoding.UTF8.GetBytes(document.ToJsonString());
        OscalSchemaValidator.For(Corpus.File(Corpus.SchemaFile)).Validate(utf8);
        OscalSchemaValidator.For(Corpus.File(Schema122)).Validate(utf8);
    }

    private static async Task<JsonNode> GetAsync(HttpClient client, string path)
    {
        using var response = await client.GetAsync(path);
        var text = await response.Content.ReadAsStringAsync();
        Assert.True(response.StatusCode == HttpStatusCode.OK, $"{path}: {(int)response.StatusCode} {text}");
        Assert.Equal("application/json", response.Content.Headers.ContentType?.MediaType);
        return JsonNode.Parse(text)!;
    }

    /// <summary>The document without the instant it was exported.</summary>
    private static string WithoutTimestamp(JsonNode document)
    {
        var copy = document.DeepClone();
        ((JsonObject)copy.AsObject().First().Value!["metadata"]!).Remove("last-modified");
        return copy.ToJsonString();
    }

    [Fact]
    public async Task Each_export_is_valid_against_the_NIST_schemas_says_what_the_records_say_and_keeps_its_uuids_when_exported_again()
    {
        var world = await SeedAsync();
        using var client = app.CreateApiClient(await app.CreateTokenAsync(users["audrey"]));
        var ssp = await GetAsync(client, "/api/v1/orgs/acme/oscal/ssp");
        var results = await GetAsync(client, "/api/v1/orgs/acme/oscal/assessment-results");
        var poam = await GetAsync(client, "/api/v1/orgs/acme/oscal/poam");
        Validate(ssp);
        Validate(results);
        Validate(poam);

        // The plan: the scope as the system's description, each SoA control with its owner, status and evidence.
        var plan = ssp["system-security-plan"]!;
        Assert.Equal("1.1.2", plan["metadata"]!["oscal-version"]!.GetValue<string>());
        Assert.Equal("The hosted payroll service, its people and its offices.", plan["system-characteristics"]!["description"]!.GetValue<string>());
        var requirements = plan["control-implementation"]!["implemented-requirements"]!.AsArray();
        Assert.Equal(["A.5.1", "A.8.14"], requirements.Select(r => r!["control-id"]!.GetValue<string>()));
        var policy = requirements[0]!;
        var byComponent = policy["by-components"]![0]!;
        Assert.Equal("implemented", byComponent["implementation-status"]!["state"]!.GetValue<string>());
        Assert.StartsWith("Applicable: Required by the risk assessment. Operated by: ACT-001.", byComponent["description"]!.GetValue<string>(), StringComparison.Ordinal);
        var owner = policy["responsible-roles"]![0]!["party-uuids"]![0]!.GetValue<string>();
        var party = plan["metadata"]!["parties"]!.AsArray().Single(p => p!["uuid"]!.GetValue<string>() == owner)!;
        Assert.Equal("ana@acme.test", party["email-addresses"]![0]!.GetValue<string>());
        var link = byComponent["links"]![0]!["href"]!.GetValue<string>();
        var resource = plan["back-matter"]!["resources"]!.AsArray().Single(r => $"#{r!["uuid"]!.GetValue<string>()}" == link)!;
        Assert.Equal("Approved security policy", resource["title"]!.GetValue<string>());
        Assert.Equal(world.EvidenceSha, resource["rlinks"]![0]!["hashes"]![0]!["value"]!.GetValue<string>());
        Assert.Equal($"/api/v1/orgs/acme/evidence/{world.EvidenceId:D}/content", resource["rlinks"]![0]!["href"]!.GetValue<string>());
        Assert.Equal("not-applicable", requirements[1]!["by-components"]![0]!["implementation-status"]!["state"]!.GetValue<string>());

        // The results: one per reported audit, a finding per checklist item, the clause's not satisfied and tied to its nonconformity.
        var result = results["assessment-results"]!["results"]!.AsArray().Single()!;
        Assert.Equal("IA-001 Leadership and policy", result["title"]!.GetValue<string>());
        var findings = result["findings"]!.AsArray();
        Assert.Equal([("A.5.1", "satisfied"), ("clause-9.2", "not-satisfied")],
            findings.Select(f => (f!["target"]!["target-id"]!.GetValue<string>(), f["target"]!["status"]!["state"]!.GetValue<string>())));
        Assert.Equal("NC-001", findings[1]!["props"]![0]!["value"]!.GetValue<string>());
        var observation = findings[1]!["related-observations"]![0]!["observation-uuid"]!.GetValue<string>();
        Assert.Contains(result["observations"]!.AsArray(), o => o!["uuid"]!.GetValue<string>() == observation && o["description"]!.GetValue<string>().Contains("never approved", StringComparison.Ordinal));

        // The plan of action: the open nonconformity with its corrective action's due date, the open finding with its deadline.
        var risks = poam["plan-of-action-and-milestones"]!["risks"]!.AsArray();
        Assert.Equal(2, risks.Count);
        var nc = risks.Single(r => r!["props"]![0]!["value"]!.GetValue<string>() == "NC-001")!;
        Assert.Equal("2026-06-30T00:00:00Z", nc["deadline"]!.GetValue<string>());
        Assert.Equal("2026-05-15T00:00:00Z", nc["remediations"]![0]!["tasks"]![0]!["timing"]!["on-date"]!["date"]!.GetValue<string>());
        var scan = risks.Single(r => r!["props"]![0]!["value"]!.GetValue<string>() == world.FindingId.ToString("D"))!;
        Assert.Equal(("2026-05-01T00:00:00Z", "openssl: buffer overread"), (scan["deadline"]!.GetValue<string>(), scan["title"]!.GetValue<string>()));
        Assert.Equal(2, poam["plan-of-action-and-milestones"]!["poam-items"]!.AsArray().Count);

        // Exported again later without changes: the same documents, apart from when they were exported.
        app.Time.Advance(TimeSpan.FromHours(3));
        var again = (await GetAsync(client, "/api/v1/orgs/acme/oscal/ssp"), await GetAsync(client, "/api/v1/orgs/acme/oscal/assessment-results"), await GetAsync(client, "/api/v1/orgs/acme/oscal/poam"));
        Assert.NotEqual(ssp.ToJsonString(), again.Item1.ToJsonString());
        Assert.Equal(WithoutTimestamp(ssp), WithoutTimestamp(again.Item1));
        Assert.Equal(WithoutTimestamp(results), WithoutTimestamp(again.Item2));
        Assert.Equal(WithoutTimestamp(poam), WithoutTimestamp(again.Item3));

        // A change shows where it belongs, under the same UUIDs.
        await app.WithScopeAsync(async s =>
        {
            var db = s.GetRequiredService<PerennialDbContext>();
            var action = await db.CorrectiveActions.SingleAsync(a => a.NonconformityId == world.NonconformityId);
            action.DueOn = new DateOnly(2026, 5, 29);
            await db.SaveChangesAsync();
        });
        var changed = await GetAsync(client, "/api/v1/orgs/acme/oscal/poam");
        Validate(changed);
        var changedRisk = changed["plan-of-action-and-milestones"]!["risks"]!.AsArray().Single(r => r!["uuid"]!.GetValue<string>() == nc["uuid"]!.GetValue<string>())!;
        Assert.Equal("2026-05-29T00:00:00Z", changedRisk["remediations"]![0]!["tasks"]![0]!["timing"]!["on-date"]!["date"]!.GetValue<string>());
    }

    [Fact]
    public async Task A_document_the_schema_does_not_allow_fails_validation_naming_where()
    {
        await SeedAsync();
        using var client = app.CreateApiClient(await app.CreateTokenAsync(users["audrey"]));
        var ssp = await GetAsync(client, "/api/v1/orgs/acme/oscal/ssp");
        Validate(ssp);

        var missing = ssp.DeepClone();
        missing["system-security-plan"]!.AsObject().Remove("import-profile");
        Assert.Throws<ImportFormatException>(() => Validate(missing));

        var badUuid = ssp.DeepClone();
        badUuid["system-security-plan"]!["control-implementation"]!["implemented-requirements"]![0]!["uuid"] = "not-a-uuid";
        var error = Assert.Throws<ImportFormatException>(() => Validate(badUuid));
        Assert.Contains("implemented-requirements", error.Message, StringComparison.Ordinal);

        var padded = ssp.DeepClone();
        padded["system-security-plan"]!["metadata"]!["props"]![0]!["value"] = " Perennial ";
        Assert.Throws<ImportFormatException>(() => Validate(padded));
    }

    [Fact]
    public async Task Without_the_records_an_export_needs_the_api_says_so_and_a_stranger_gets_nothing()
    {
        var org = await app.CreateOrganisationAsync("empty", users["admin"]);
        await app.AddMemberAsync(org.Id, "audrey@acme.test", OrgRole.Auditor);
        using var client = app.CreateApiClient(await app.CreateTokenAsync(users["audrey"]));
        foreach (var (path, word) in new[] { ("ssp", "Statement of Applicability"), ("assessment-results", "internal audit"), ("poam", "Nothing is open") })
        {
            using var response = await client.GetAsync($"/api/v1/orgs/empty/oscal/{path}");
            Assert.Equal(HttpStatusCode.Conflict, response.StatusCode);
            Assert.Contains(word, await response.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        }

        var stranger = await app.CreateUserAsync("stranger@other.test");
        using var strangerClient = app.CreateApiClient(await app.CreateTokenAsync(stranger.Id));
        using var refused = await strangerClient.GetAsync("/api/v1/orgs/empty/oscal/ssp");
        Assert.Equal(HttpStatusCode.NotFound, refused.StatusCode);
    }
}

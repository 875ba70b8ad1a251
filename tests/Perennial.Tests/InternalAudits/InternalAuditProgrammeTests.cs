using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Perennial.Activities;
using Perennial.Data;
using Perennial.Frameworks;
using Perennial.Organisations;
using Perennial.Soa;
using Perennial.Tests.Infrastructure;

namespace Perennial.Tests.InternalAudits;

public sealed class SqliteInternalAuditProgrammeTests() : InternalAuditProgrammeTests(DatabaseProvider.Sqlite);

public sealed class PostgresInternalAuditProgrammeTests() : InternalAuditProgrammeTests(DatabaseProvider.Postgres);

/// <summary>
/// The internal audit programme through the API: the coverage matrix against an independent count
/// over the published SoA and the audits planned, and the impartiality rule with its overrides.
/// </summary>
public abstract class InternalAuditProgrammeTests(DatabaseProvider provider) : IAsyncLifetime
{
    private const string Base = "/api/v1/orgs/acme/internal-audits";

    /// <summary>The management-system clauses a programme must cover, written out independently of the product's catalog.</summary>
    private static readonly string[] Clauses =
    [
        "4.1", "4.2", "4.3", "4.4", "5.1", "5.2", "5.3", "6.1", "6.2", "6.3", "7.1", "7.2", "7.3", "7.4", "7.5",
        "8.1", "8.2", "8.3", "9.1", "9.2", "9.3", "10.1", "10.2",
    ];

    private static readonly string[] OneClause = ["9.2"];

    private TestApp app = null!;
    private Guid orgId;
    private HttpClient manager = null!;
    private HttpClient contributor = null!;
    private HttpClient auditor = null!;

    public async ValueTask InitializeAsync()
    {
        app = await TestApp.StartAsync(provider);
        var admin = await app.CreateUserAsync("admin@acme.test");
        orgId = (await app.CreateOrganisationAsync("acme", admin.Id)).Id;
        manager = await ClientAsync("maya@acme.test", OrgRole.Manager);
        contributor = await ClientAsync("ana@acme.test", OrgRole.Contributor);
        await ClientAsync("bob@acme.test", OrgRole.Contributor);
        auditor = await ClientAsync("carl@acme.test", OrgRole.Auditor);
    }

    private async Task<HttpClient> ClientAsync(string email, OrgRole role)
    {
        var user = await app.CreateUserAsync(email);
        await app.AddMemberAsync(orgId, email, role);
        return app.CreateApiClient(await app.CreateTokenAsync(user.Id));
    }

    public async ValueTask DisposeAsync() => await app.DisposeAsync();

    [Fact]
    public async Task The_matrix_counts_every_clause_and_applicable_control_against_the_programme_and_follows_the_published_soa()
    {
        Assert.Equal(HttpStatusCode.OK, (await manager.PutAsJsonAsync("/api/v1/orgs/acme/cycle", new { certificationBody = "Example Certification Ltd", issueDate = "2026-01-15" })).StatusCode);

        // Before any SoA is published only the clauses are to be covered.
        var bare = await CoverageAsync();
        Assert.Equal(Clauses, Identifiers(bare));
        Assert.True(bare.GetProperty("soaVersion").ValueKind == JsonValueKind.Null);
        Assert.Equal(0, bare.GetProperty("coverage").GetDouble());

        await PublishSoaAsync(notApplicable: ["A.7.4", "A.7.5"]);
        var applicable = await ApplicableAsync(1);
        Assert.Equal(91, applicable.Count);
        var matrix = await CoverageAsync();
        Assert.Equal(Clauses.Concat(applicable), Identifiers(matrix));
        Assert.Equal(1, matrix.GetProperty("soaVersion").GetInt32());
        Assert.All(matrix.GetProperty("items").EnumerateArray(), i => Assert.Empty(i.GetProperty("auditIds").EnumerateArray()));
        Assert.Equal(Clauses.Length, matrix.GetProperty("items").EnumerateArray().Count(i => i.GetProperty("kind").GetString() == "clause"));

        // Year one: every clause and the organisational controls; year two: the rest but A.8.34.
        var first = await PlanAsync("Management system and organisational controls", "2026-03-10", [.. Clauses, .. applicable.Where(c => c.StartsWith("A.5.", StringComparison.Ordinal))]);
        var secondScope = applicable.Where(c => !c.StartsWith("A.5.", StringComparison.Ordinal) && c != "A.8.34").ToList();
        var second = await PlanAsync("People, physical and technological controls", "2027-03-10", secondScope);
        matrix = await CoverageAsync();
        Assert.Equal(["A.8.34"], Gaps(matrix));
        Assert.Equal(Clauses.Length + applicable.Count - 1, matrix.GetProperty("covered").GetInt32());
        Assert.Equal((double)(Clauses.Length + applicable.Count - 1) / (Clauses.Length + applicable.Count), matrix.GetProperty("coverage").GetDouble(), 6);
        Assert.Equal([first], AuditsOf(matrix, "9.2"));
        Assert.Equal([second], AuditsOf(matrix, "A.8.13"));
        var years = matrix.GetProperty("years").EnumerateArray().ToList();
        Assert.Equal(["2026-01-15", "2027-01-15", "2028-01-15"], years.Select(y => y.GetProperty("from").GetString()));
        Assert.Equal("2029-01-14", years[2].GetProperty("to").GetString());
        Assert.Equal([Clauses.Length + 37, secondScope.Count, 0], years.Select(y => y.GetProperty("covered").GetInt32()));

        // A third audit holding the one uncovered control removes exactly that gap.
        var third = await PlanAsync("Secure development follow-up", "2028-02-01", ["A.8.34"]);
        matrix = await CoverageAsync();
        Assert.Empty(Gaps(matrix));
        Assert.Equal([third], AuditsOf(matrix, "A.8.34"));
        Assert.Equal(1.0, matrix.GetProperty("coverage").GetDouble());

        // A control the next published SoA marks not applicable leaves the matrix.
        await PublishSoaAsync(notApplicable: ["A.7.4", "A.7.5", "A.8.34"]);
        matrix = await CoverageAsync();
        Assert.Equal(2, matrix.GetProperty("soaVersion").GetInt32());
        Assert.DoesNotContain("A.8.34", Identifiers(matrix));
        Assert.Equal(Clauses.Length + applicable.Count - 1, matrix.GetProperty("items").GetArrayLength());

        // The programme lists the three audits in order; a cycle the organisation does not have is refused.
        var list = await auditor.GetFromJsonAsync<JsonElement>($"{Base}?cycle=1");
        Assert.Equal(3, list.GetProperty("total").GetInt32());
        Assert.Equal(["IA-001", "IA-002", "IA-003"], list.GetProperty("items").EnumerateArray().Select(a => a.GetProperty("reference").GetString()!));
        var noCycle = await auditor.GetAsync($"{Base}/coverage?cycle=9");
        Assert.Equal(HttpStatusCode.BadRequest, noCycle.StatusCode);
        Assert.Contains("cycle 9", await noCycle.Content.ReadAsStringAsync(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task An_auditor_who_owns_something_in_the_scope_is_refused_unless_a_manager_records_why()
    {
        // Ana owns the SoA row of A.5.15; Bob owns the access review activity for A.5.18.
        Assert.Equal(HttpStatusCode.OK, (await manager.PutAsJsonAsync("/api/v1/orgs/acme/soa/rows/A.5.15", new
        {
            applicable = true,
            justification = "Access rules are needed",
            status = "implemented",
            owner = "ana@acme.test",
        })).StatusCode);
        var activity = await app.WithScopeAsync(async s =>
        {
            var db = s.GetRequiredService<PerennialDbContext>();
            var control = await db.Controls.Where(c => c.OrganisationId == orgId && c.Identifier == "A.5.18" && c.Framework!.Key == Framework.IsoKey).Select(c => c.Id).SingleAsync();
            var bob = await db.Users.Where(u => u.Email == "bob@acme.test").Select(u => u.Id).SingleAsync();
            return await s.GetRequiredService<ActivityService>().CreateAsync(orgId, new ActivityInput(
                "Access rights review", null, bob, null, null, "FREQ=MONTHLY;BYMONTHDAY=1", new DateTime(2026, 4, 1, 9, 0, 0), "UTC", ControlIds: [control]), default);
        });

        object Audit(string lead, string[]? auditors = null, object[]? overrides = null, string[]? scope = null) => new
        {
            title = "Access control",
            plannedStart = "2026-05-04",
            plannedEnd = "2026-05-06",
            leadAuditorEmail = lead,
            auditorEmails = auditors ?? [],
            criteria = "ISO/IEC 27001:2022 and the access control procedure",
            scope = scope ?? ["9.2", "A.5.15", "A.5.18"],
            units = new[] { "IT operations" },
            overrides = overrides ?? [],
        };

        var ownsRow = await manager.PostAsJsonAsync(Base, Audit("ana@acme.test"));
        Assert.Equal(HttpStatusCode.Conflict, ownsRow.StatusCode);
        var message = await ownsRow.Content.ReadAsStringAsync();
        Assert.Contains("ana@acme.test owns what this audit would check (control A.5.15 in the SoA)", message, StringComparison.Ordinal);

        var ownsActivity = await manager.PostAsJsonAsync(Base, Audit("carl@acme.test", ["bob@acme.test"]));
        Assert.Equal(HttpStatusCode.Conflict, ownsActivity.StatusCode);
        Assert.Contains($"activity {activity.Reference} “Access rights review” for A.5.18", await ownsActivity.Content.ReadAsStringAsync(), StringComparison.Ordinal);

        // Out of the scope, no conflict; an override for someone who owns nothing is refused.
        var nothing = await manager.PostAsJsonAsync(Base, Audit("carl@acme.test", overrides: [new { auditorEmail = "carl@acme.test", justification = "Just in case" }]));
        Assert.Equal(HttpStatusCode.BadRequest, nothing.StatusCode);
        Assert.Contains("owns nothing in this scope", await nothing.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        var noReason = await manager.PostAsJsonAsync(Base, Audit("carl@acme.test", ["bob@acme.test"], [new { auditorEmail = "bob@acme.test", justification = "" }]));
        Assert.Equal(HttpStatusCode.BadRequest, noReason.StatusCode);
        Assert.Equal(0, (await manager.GetFromJsonAsync<JsonElement>(Base)).GetProperty("total").GetInt32());

        // A contributor cannot plan at all; a manager's justification lets Bob audit his own activity.
        Assert.Equal(HttpStatusCode.Forbidden, (await contributor.PostAsJsonAsync(Base, Audit("carl@acme.test"))).StatusCode);
        var created = await manager.PostAsJsonAsync(Base, Audit("carl@acme.test", ["bob@acme.test"],
            [new { auditorEmail = "bob@acme.test", justification = "The only person who knows the directory; Carl leads and reviews his part" }]));
        Assert.Equal(HttpStatusCode.Created, created.StatusCode);
        var audit = await created.Content.ReadFromJsonAsync<JsonElement>();
        Assert.Equal("IA-001", audit.GetProperty("reference").GetString());
        Assert.Equal("planned", audit.GetProperty("status").GetString());
        Assert.Equal(["9.2", "A.5.15", "A.5.18"], audit.GetProperty("scope").EnumerateArray().Select(s => s.GetProperty("identifier").GetString()!));
        var auditors = audit.GetProperty("auditors").EnumerateArray().ToList();
        Assert.Equal(["carl@acme.test", "bob@acme.test"], auditors.Select(a => a.GetProperty("person").GetProperty("email").GetString()!));
        Assert.True(auditors[0].GetProperty("lead").GetBoolean());
        Assert.Equal($"activity {activity.Reference} “Access rights review” for A.5.18", auditors[1].GetProperty("conflictOverridden").GetString());
        Assert.StartsWith("The only person", auditors[1].GetProperty("overrideJustification").GetString(), StringComparison.Ordinal);

        var read = await auditor.GetFromJsonAsync<JsonElement>($"{Base}/{audit.GetProperty("id").GetGuid()}");
        Assert.Equal(audit.GetProperty("scope").GetRawText(), read.GetProperty("scope").GetRawText());
        Assert.True(read.GetProperty("cycle").ValueKind == JsonValueKind.Null);
        Assert.Equal(HttpStatusCode.NotFound, (await auditor.GetAsync($"{Base}/{Guid.NewGuid()}")).StatusCode);
    }

    [Fact]
    public async Task The_proposal_spreads_the_gaps_before_the_next_external_audit_weighty_items_first_and_twice_and_the_manager_saves_it()
    {
        Assert.Equal(HttpStatusCode.OK, (await manager.PutAsJsonAsync("/api/v1/orgs/acme/cycle", new { certificationBody = "Example Certification Ltd", issueDate = "2025-09-15" })).StatusCode);
        var cycle = await manager.GetFromJsonAsync<JsonElement>("/api/v1/orgs/acme/cycle");
        var surveillance = cycle.GetProperty("audits").EnumerateArray().First(a => a.GetProperty("kind").GetString() == "surveillance-1").GetProperty("plannedDate").GetString();
        await PublishSoaAsync(notApplicable: [.. (await AllControlsAsync()).Except(["A.5.15", "A.5.18", "A.8.13"])]);

        // Two nonconformities on A.5.18 make it weighty; one on 9.2 makes it a little so.
        foreach (var (title, identifier) in new[] { ("Leaver kept access", "A.5.18"), ("Second leaver kept access", "A.5.18"), ("Audit report late", "9.2") })
        {
            Assert.Equal(HttpStatusCode.Created, (await manager.PostAsJsonAsync("/api/v1/orgs/acme/nonconformities", new { title, severity = "minor", identifier })).StatusCode);
        }

        Assert.Equal(HttpStatusCode.Forbidden, (await auditor.GetAsync($"{Base}/proposal")).StatusCode);
        var proposal = await manager.GetFromJsonAsync<JsonElement>($"{Base}/proposal");
        Assert.Equal(surveillance, proposal.GetProperty("deadline").GetString());
        var gaps = proposal.GetProperty("gaps").EnumerateArray().Select(g => g.GetString()!).ToList();
        Assert.Equal(Clauses.Concat(["A.5.15", "A.5.18", "A.8.13"]), gaps);
        var slots = proposal.GetProperty("audits").EnumerateArray().ToList();
        Assert.Equal(2, slots.Count);
        Assert.All(slots, a => Assert.True(a.GetProperty("auditId").ValueKind == JsonValueKind.Null));
        Assert.True(string.CompareOrdinal(slots[1].GetProperty("plannedStart").GetString(), surveillance) < 0);
        List<string> Added(JsonElement slot) => [.. slot.GetProperty("added").EnumerateArray().Select(i => i.GetProperty("identifier").GetString()!)];
        var first = Added(slots[0]);
        var last = Added(slots[1]);
        Assert.Equal(["A.5.18", "9.2"], first.Take(2));
        Assert.Contains("A.5.18", last);
        Assert.DoesNotContain("9.2", last);
        Assert.Contains("nonconformity NC-001 was raised on it", slots[0].GetProperty("added")[0].GetProperty("reason").GetString(), StringComparison.Ordinal);
        Assert.Equal(gaps.Order(StringComparer.Ordinal), first.Concat(last).Distinct().Order(StringComparer.Ordinal));
        Assert.Equal(gaps.Count + 1, first.Count + last.Count);
        Assert.InRange(Math.Abs(first.Count - last.Count), 0, 3);
        Assert.Equal(0, (await manager.GetFromJsonAsync<JsonElement>(Base)).GetProperty("total").GetInt32());

        // The manager keeps the first audit as proposed but leaves A.8.13 out; the next proposal fills the planned audit.
        var saved = await PlanAsync("Access and audit follow-up", slots[0].GetProperty("plannedStart").GetString()!, [.. first.Where(i => i != "A.8.13")]);
        var again = await manager.GetFromJsonAsync<JsonElement>($"{Base}/proposal");
        var remaining = gaps.Except(first.Where(i => i != "A.8.13")).ToList();
        Assert.Equal(remaining, again.GetProperty("gaps").EnumerateArray().Select(g => g.GetString()!));
        var only = again.GetProperty("audits").EnumerateArray().Single();
        Assert.Equal(saved, only.GetProperty("auditId").GetGuid());
        Assert.Equal(remaining.Order(StringComparer.Ordinal), Added(only).Order(StringComparer.Ordinal));

        var updated = await manager.PutAsJsonAsync($"{Base}/{saved}", new
        {
            title = "Access and audit follow-up",
            plannedStart = only.GetProperty("plannedStart").GetString(),
            plannedEnd = only.GetProperty("plannedEnd").GetString(),
            leadAuditorEmail = "carl@acme.test",
            scope = only.GetProperty("scope").EnumerateArray().Select(i => i.GetString()!).Concat(Added(only)).ToList(),
        });
        Assert.Equal(HttpStatusCode.OK, updated.StatusCode);
        Assert.Equal(1.0, (await CoverageAsync()).GetProperty("coverage").GetDouble());
        Assert.Empty((await manager.GetFromJsonAsync<JsonElement>($"{Base}/proposal")).GetProperty("audits").EnumerateArray());
    }

    [Theory]
    [InlineData("A.9.1", "scope[1]")]
    [InlineData("9.2.1", "scope[1]")]
    [InlineData("11.1", "scope[1]")]
    public async Task A_scope_item_that_is_neither_a_clause_nor_an_annex_a_control_is_refused_naming_it(string item, string field)
    {
        var response = await manager.PostAsJsonAsync(Base, new { title = "Odd", plannedStart = "2026-05-04", leadAuditorEmail = "carl@acme.test", scope = new[] { "9.2", item } });
        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        var body = await response.Content.ReadAsStringAsync();
        Assert.Contains(field, body, StringComparison.Ordinal);
        Assert.Contains($"'{item}'", body, StringComparison.Ordinal);
        Assert.Equal(0, (await manager.GetFromJsonAsync<JsonElement>(Base)).GetProperty("total").GetInt32());

        var backwards = await manager.PostAsJsonAsync(Base, new { title = "Odd", plannedStart = "2026-05-04", plannedEnd = "2026-05-01", leadAuditorEmail = "carl@acme.test", scope = OneClause });
        Assert.Equal(HttpStatusCode.BadRequest, backwards.StatusCode);
        Assert.Contains("plannedEnd", await backwards.Content.ReadAsStringAsync(), StringComparison.Ordinal);
    }

    private async Task<Guid> PlanAsync(string title, string start, IReadOnlyList<string> scope)
    {
        var response = await manager.PostAsJsonAsync(Base, new { title, plannedStart = start, leadAuditorEmail = "carl@acme.test", scope });
        Assert.Equal(HttpStatusCode.Created, response.StatusCode);
        return (await response.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("id").GetGuid();
    }

    private async Task PublishSoaAsync(IReadOnlyCollection<string> notApplicable)
    {
        await app.WithScopeAsync(async s =>
        {
            var draft = await s.GetRequiredService<SoaService>().EnsureDraftAsync(orgId, default);
            foreach (var row in draft.Rows)
            {
                row.Applicable = !notApplicable.Contains(row.ControlIdentifier);
                row.Justification = row.Applicable == true ? "Treats risks in the register" : "Nothing of ours it would protect";
            }

            await s.GetRequiredService<PerennialDbContext>().SaveChangesAsync();
        });
        Assert.Equal(HttpStatusCode.Created, (await manager.PostAsJsonAsync("/api/v1/orgs/acme/soa/publish", new { summary = "Programme test" })).StatusCode);
    }

    /// <summary>The applicable controls of a published version, read from the SoA's own API.</summary>
    private async Task<List<string>> ApplicableAsync(int version)
    {
        var rows = await manager.GetFromJsonAsync<JsonElement>($"/api/v1/orgs/acme/soa/versions/{version}?pageSize=200");
        var items = rows.ValueKind == JsonValueKind.Array ? rows : rows.GetProperty("items");
        return [.. items.EnumerateArray().Where(r => r.GetProperty("applicable").GetBoolean()).Select(r => r.GetProperty("control").GetString()!)];
    }

    private async Task<List<string>> AllControlsAsync()
    {
        var draft = await manager.GetFromJsonAsync<JsonElement>("/api/v1/orgs/acme/soa?pageSize=200");
        return [.. draft.GetProperty("items").EnumerateArray().Select(r => r.GetProperty("control").GetString()!)];
    }

    private Task<JsonElement> CoverageAsync() => auditor.GetFromJsonAsync<JsonElement>($"{Base}/coverage");

    private static List<string> Identifiers(JsonElement matrix) =>
        [.. matrix.GetProperty("items").EnumerateArray().Select(i => i.GetProperty("identifier").GetString()!)];

    private static List<string> Gaps(JsonElement matrix) =>
        [.. matrix.GetProperty("items").EnumerateArray().Where(i => i.GetProperty("auditIds").GetArrayLength() == 0).Select(i => i.GetProperty("identifier").GetString()!)];

    private static List<Guid> AuditsOf(JsonElement matrix, string identifier) =>
        [.. matrix.GetProperty("items").EnumerateArray().Single(i => i.GetProperty("identifier").GetString() == identifier).GetProperty("auditIds").EnumerateArray().Select(a => a.GetGuid())];
}

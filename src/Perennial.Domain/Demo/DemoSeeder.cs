using Microsoft.EntityFrameworkCore;
using Perennial.Accounts;
using Perennial.AuditTrail;
using Perennial.Certification;
using Perennial.Data;
using Perennial.Frameworks;
using Perennial.Organisations;
using Perennial.Scope;
using Perennial.Soa;

namespace Perennial.Demo;

public sealed record DemoSignIn(string Email, string Password);

/// <summary>
/// Creates the demo organisation (slug <c>demo</c>) with a handful of people so a newcomer sees a
/// working system at once. Later features add their demo data here.
/// </summary>
public sealed class DemoSeeder(
    PerennialDbContext db,
    AccountService accounts,
    OrganisationService organisations,
    ScopeService scopes,
    CycleService cycles,
    SoaService soa,
    TimeProvider time,
    IAuditActorAccessor actor,
    Evidence.Storage.IEvidenceStore files,
    Evidence.EvidenceService evidence)
{
    public const string Slug = "demo";
    public const string Name = "Demo: Northwind Analytics";
    public const string AdminEmail = "demo.admin@perennial.example";

    private static readonly (string Email, string Name, OrgRole Role)[] People =
    [
        ("isms.manager@perennial.example", "Maya Okafor (ISMS manager)", OrgRole.Manager),
        ("it.admin@perennial.example", "Jonas Berg (IT administrator)", OrgRole.Contributor),
        ("hr.lead@perennial.example", "Priya Raman (HR lead)", OrgRole.Contributor),
        ("eng.lead@perennial.example", "Tomás Silva (Engineering lead)", OrgRole.Contributor),
        ("internal.auditor@perennial.example", "Lena Fischer (internal auditor)", OrgRole.Auditor),
    ];

    /// <summary>Seeds once. Returns the demo sign-in when it seeded now, null when the demo already existed.</summary>
    public async Task<DemoSignIn?> SeedAsync(CancellationToken ct)
    {
        if (await db.Organisations.AnyAsync(o => o.Slug == Slug, ct))
        {
            return null;
        }

        var admin = await accounts.FindByEmailAsync(AdminEmail, ct);
        string password;
        if (admin is null)
        {
            password = AccountService.GeneratePassword();
            admin = (await accounts.CreateAsync(AdminEmail, "Demo administrator", password, installationAdmin: false, ct)).User;
        }
        else
        {
            password = "(unchanged: the demo administrator already existed)";
        }

        var organisation = await organisations.CreateAsync(Slug, Name, admin.Id, isDemo: true, ct);
        foreach (var (email, name, role) in People)
        {
            if (await accounts.FindByEmailAsync(email, ct) is null)
            {
                // Demo colleagues get unusable random passwords; sign in as the demo administrator.
                await accounts.CreateAsync(email, name, AccountService.GeneratePassword(), installationAdmin: false, ct);
            }

            await organisations.AddMemberAsync(organisation.Id, email, role, null, ct);
        }

        await SeedScopeAsync(organisation.Id, ct);
        await SeedCertificateAsync(organisation.Id, ct);
        await SeedSoaAsync(organisation.Id, ct);
        await new DemoRiskRegister(db, time, actor).SeedAsync(organisation.Id, ct);
        await new DemoRoutine(db, time, files).SeedAsync(organisation.Id, ct);
        await new DemoProgramme(db, time, files).SeedAsync(organisation.Id, ct);
        await new DemoReview(db, time, evidence).SeedAsync(organisation.Id, ct);
        return new DemoSignIn(AdminEmail, password);
    }

    private async Task SeedScopeAsync(Guid organisationId, CancellationToken ct)
    {
        var lists = new ScopeLists(
            [
                new Boundary(BoundaryKind.Site, "Lisbon office", "the only office; staff also work from home"),
                new Boundary(BoundaryKind.Product, "Northwind Insights (analytics SaaS)", null),
                new Boundary(BoundaryKind.Team, "Engineering, Operations, Customer Success, People", null),
                new Boundary(BoundaryKind.System, "Production platform on a public cloud (EU region)", "with its CI/CD pipeline"),
                new Boundary(BoundaryKind.System, "Company identity provider and laptops", null),
            ],
            [new Exclusion("Marketing website", "Run by an agency on its own hosting; holds no customer data.")],
            [
                new InterestedParty("Customers", "Confidentiality of their data, availability of the service, breach notification within 48 hours."),
                new InterestedParty("Data protection authority", "Lawful processing of personal data under the GDPR."),
                new InterestedParty("Investors", "Certification kept; no material incidents."),
            ],
            [
                new ContextIssue(IssueKind.Internal, "Fast hiring: the team doubled in a year."),
                new ContextIssue(IssueKind.External, "Large customers ask for certification in tenders."),
                new ContextIssue(IssueKind.External, "New EU rules on cloud resilience for suppliers of financial firms."),
            ]);
        await scopes.SaveAsync(organisationId, new ScopeInput(
            "The information security management system of Northwind Analytics covers the development, operation and support of the Northwind Insights analytics service, and the people, offices and systems that provide it.",
            lists, "Scope as certified"), ct);
    }

    /// <summary>A certificate in its first surveillance year: issued seven months ago.</summary>
    private async Task SeedCertificateAsync(Guid organisationId, CancellationToken ct)
    {
        var today = DateOnly.FromDateTime(time.GetUtcNow().UtcDateTime);
        var issued = today.AddMonths(-7);
        await cycles.SaveCertificateAsync(organisationId, new CertificateInput(
            "Example Certification Ltd", "ISMS-2026-0417", "ISO/IEC 27001:2022", issued.AddDays(-24), issued, null, null), ct);
    }

    /// <summary>A published Statement of Applicability: every control decided, one excluded, a few still partial.</summary>
    private async Task SeedSoaAsync(Guid organisationId, CancellationToken ct)
    {
        await soa.EnsureDraftAsync(organisationId, ct);
        var partial = new HashSet<string>(StringComparer.Ordinal) { "A.5.7", "A.5.30", "A.8.11", "A.8.12", "A.8.16" };
        var owners = new Dictionary<string, string>(StringComparer.Ordinal)
        {
            ["Organisational"] = "isms.manager@perennial.example",
            ["People"] = "hr.lead@perennial.example",
            ["Physical"] = "it.admin@perennial.example",
            ["Technological"] = "eng.lead@perennial.example",
        };
        var rows = new List<(string, SoaRowInput)>();
        foreach (var entry in Iso27001Catalog.Entries.Where(e => e.Kind == ControlKind.Control))
        {
            var excluded = entry.Identifier == "A.8.30";
            rows.Add((entry.Identifier, SoaService.Validate(new SoaRowInput(
                Applicable: !excluded,
                Justification: excluded
                    ? "Excluded: all software is developed in house; no development is outsourced."
                    : $"Included to treat risks in the risk register ({entry.Theme?.ToLowerInvariant()} controls) and to meet customer contracts.",
                Status: excluded ? ImplementationStatus.NotApplicable : partial.Contains(entry.Identifier) ? ImplementationStatus.Partial : ImplementationStatus.Implemented,
                OwnerName: excluded ? null : owners[entry.Theme!],
                LinkedRisks: null,
                LinkedActivities: null,
                Notes: null,
                ChangeReason: "Initial Statement of Applicability"), "")));
        }

        await soa.ApplyDraftChangesAsync(organisationId, rows, ct);

        await soa.PublishAsync(organisationId, "Statement of Applicability as certified", ct);
    }
}

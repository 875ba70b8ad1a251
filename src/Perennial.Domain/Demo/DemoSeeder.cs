using Microsoft.EntityFrameworkCore;
using Perennial.Accounts;
using Perennial.Data;
using Perennial.Organisations;

namespace Perennial.Demo;

public sealed record DemoSignIn(string Email, string Password);

/// <summary>
/// Creates the demo organisation (slug <c>demo</c>) with a handful of people so a newcomer sees a
/// working system at once. Later features add their demo data here.
/// </summary>
public sealed class DemoSeeder(PerennialDbContext db, AccountService accounts, OrganisationService organisations)
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

        return new DemoSignIn(AdminEmail, password);
    }
}

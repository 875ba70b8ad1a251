using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Perennial.Assets;
using Perennial.Data;
using Perennial.Frameworks;
using Perennial.Organisations;
using Perennial.Risks;
using Perennial.Tests.Infrastructure;

namespace Perennial.Tests.Changes;

/// <summary>
/// An organisation with a small register: assets, risks linked to them or to a control, and
/// unrelated or closed risks that a change must leave alone.
/// </summary>
public sealed class ChangeFixture
{
    public const string Slug = "acme";
    public static readonly DateOnly Today = new(2026, 3, 2);
    public static readonly DateOnly NormalReview = Today.AddMonths(12);

    private static readonly string[] ControlIdentifiers = ["A.5.19", "A.8.20", "A.5.1"];

    public required TestApp App { get; init; }
    public required Guid OrganisationId { get; init; }
    public required Guid AdminId { get; init; }
    public required Guid ContributorId { get; init; }
    public required HttpClient Admin { get; init; }
    public required HttpClient Manager { get; init; }
    public required HttpClient Contributor { get; init; }
    public required HttpClient Auditor { get; init; }

    public Dictionary<string, Guid> Assets { get; } = new(StringComparer.Ordinal);
    public Dictionary<string, Guid> Controls { get; } = new(StringComparer.Ordinal);

    /// <summary>Risks by their role in the tests: payroll, hr, supplier-control, wifi, closed-payroll, unlinked.</summary>
    public Dictionary<string, Guid> Risks { get; } = new(StringComparer.Ordinal);

    public static async Task<ChangeFixture> CreateAsync(DatabaseProvider provider)
    {
        var app = await TestApp.StartAsync(provider);
        var admin = await app.CreateUserAsync("admin@acme.test");
        var org = await app.CreateOrganisationAsync(Slug, admin.Id);
        // Members join after the admin, so "the first manager or admin" is the admin.
        app.Time.Advance(TimeSpan.FromMinutes(5));
        var manager = await app.CreateUserAsync("manager@acme.test");
        await app.AddMemberAsync(org.Id, "manager@acme.test", OrgRole.Manager);
        var contributor = await app.CreateUserAsync("ana@acme.test");
        await app.AddMemberAsync(org.Id, "ana@acme.test", OrgRole.Contributor);
        var auditor = await app.CreateUserAsync("auditor@acme.test");
        await app.AddMemberAsync(org.Id, "auditor@acme.test", OrgRole.Auditor);
        var fixture = new ChangeFixture
        {
            App = app,
            OrganisationId = org.Id,
            AdminId = admin.Id,
            ContributorId = contributor.Id,
            Admin = app.CreateApiClient(await app.CreateTokenAsync(admin.Id)),
            Manager = app.CreateApiClient(await app.CreateTokenAsync(manager.Id)),
            Contributor = app.CreateApiClient(await app.CreateTokenAsync(contributor.Id)),
            Auditor = app.CreateApiClient(await app.CreateTokenAsync(auditor.Id)),
        };
        await fixture.SeedAsync();
        return fixture;
    }

    private async Task SeedAsync()
    {
        await App.WithScopeAsync(async s =>
        {
            var db = s.GetRequiredService<PerennialDbContext>();
            foreach (var (name, kind) in new[] { ("Payroll data", AssetKind.Information), ("HR system", AssetKind.System), ("Office Wi-Fi", AssetKind.System) })
            {
                var asset = new Asset { OrganisationId = OrganisationId, Name = name, Kind = kind, CreatedAt = App.Time.GetUtcNow() };
                db.Assets.Add(asset);
                await db.SaveChangesAsync();
                Assets[name] = asset.Id;
            }

            foreach (var identifier in ControlIdentifiers)
            {
                Controls[identifier] = await db.Controls
                    .Where(c => c.OrganisationId == OrganisationId && c.Framework!.Key == Framework.IsoKey && c.Identifier == identifier)
                    .Select(c => c.Id).SingleAsync();
            }

            var risks = s.GetRequiredService<RiskService>();
            async Task Risk(string key, string title, Guid[] assets, Guid[] controls, RiskStatus status = RiskStatus.Open)
            {
                var risk = await risks.CreateAsync(OrganisationId, new RiskInput(
                    title, null, null, null, null, 3, 3, null, TreatmentOption.Modify, null, 2, 2, 12, assets, controls, status), CancellationToken.None);
                Risks[key] = risk.Id;
            }

            await Risk("payroll", "Payroll data disclosed", [Assets["Payroll data"]], []);
            await Risk("wifi", "Guest Wi-Fi reaches the office network", [Assets["Office Wi-Fi"]], []);
            await Risk("hr", "HR system outage", [Assets["HR system"], Assets["Office Wi-Fi"]], []);
            await Risk("supplier-control", "Supplier loses our data", [], [Controls["A.5.19"]]);
            await Risk("closed-payroll", "Old payroll export left on a share", [Assets["Payroll data"]], [], RiskStatus.Closed);
            await Risk("unlinked", "Key person leaves", [], [Controls["A.5.1"]]);
        });
    }

    public Task<Risk> RiskAsync(string key) =>
        App.WithScopeAsync(s => s.GetRequiredService<PerennialDbContext>().Risks.AsNoTracking().SingleAsync(r => r.Id == Risks[key]));

    public Task<int> CountChangesAsync() =>
        App.WithScopeAsync(s => s.GetRequiredService<PerennialDbContext>().Changes.CountAsync(c => c.OrganisationId == OrganisationId));
}

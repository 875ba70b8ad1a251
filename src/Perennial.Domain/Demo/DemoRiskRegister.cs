using Microsoft.EntityFrameworkCore;
using Perennial.Assets;
using Perennial.AuditTrail;
using Perennial.Data;
using Perennial.Frameworks;
using Perennial.Risks;

namespace Perennial.Demo;

/// <summary>
/// The demo organisation's assets and risk register: assessed seven months ago, revised since, some
/// residual risks accepted by their owners, a treatment plan with open actions, and reviews due.
/// </summary>
internal sealed class DemoRiskRegister(PerennialDbContext db, TimeProvider time, IAuditActorAccessor actor)
{
    private static readonly (string Name, AssetKind Kind, Classification Classification, string Owner)[] Assets =
    [
        ("Customer analytics data", AssetKind.Information, Classification.Restricted, "eng.lead@perennial.example"),
        ("Production platform", AssetKind.System, Classification.Confidential, "eng.lead@perennial.example"),
        ("Source code repositories", AssetKind.Information, Classification.Confidential, "eng.lead@perennial.example"),
        ("Identity provider", AssetKind.Service, Classification.Confidential, "it.admin@perennial.example"),
        ("Staff laptops", AssetKind.System, Classification.Internal, "it.admin@perennial.example"),
        ("Cloud hosting provider", AssetKind.Supplier, Classification.Confidential, "isms.manager@perennial.example"),
        ("Payroll provider", AssetKind.Supplier, Classification.Restricted, "hr.lead@perennial.example"),
        ("Employees and contractors", AssetKind.People, Classification.Internal, "hr.lead@perennial.example"),
        ("Lisbon office", AssetKind.Site, Classification.Internal, "it.admin@perennial.example"),
        ("Backups", AssetKind.Information, Classification.Restricted, "it.admin@perennial.example"),
    ];

    // title, asset, threat, vulnerability, owner, inherent L/I, treatment, residual L/I, controls
    private static readonly (string Title, string Asset, string Threat, string Vulnerability, string Owner, int IL, int II, TreatmentOption T, int RL, int RI, string[] Controls)[] Risks =
    [
        ("Ransomware encrypts production data", "Production platform", "Criminal ransomware", "Flat network between build and production", "eng.lead@perennial.example", 3, 5, TreatmentOption.Modify, 2, 4, ["A.8.7", "A.8.13", "A.8.22"]),
        ("Customer data exposed by a misconfigured storage bucket", "Customer analytics data", "Accidental public exposure", "Manual cloud configuration", "eng.lead@perennial.example", 3, 5, TreatmentOption.Modify, 2, 3, ["A.8.9", "A.5.23"]),
        ("Phishing steals an administrator's session", "Identity provider", "Credential phishing", "Push-based second factor", "it.admin@perennial.example", 4, 4, TreatmentOption.Modify, 2, 4, ["A.5.17", "A.8.5", "A.6.3"]),
        ("Former employee keeps access", "Identity provider", "Misuse of lingering access", "Manual leaver process", "hr.lead@perennial.example", 3, 4, TreatmentOption.Modify, 2, 2, ["A.5.18", "A.6.5"]),
        ("Cloud region outage stops the service", "Cloud hosting provider", "Provider outage", "Single-region deployment", "eng.lead@perennial.example", 2, 5, TreatmentOption.Retain, 2, 5, ["A.5.30", "A.8.14"]),
        ("Backups cannot be restored in time", "Backups", "Failed restore", "Restores not tested regularly", "it.admin@perennial.example", 3, 4, TreatmentOption.Modify, 2, 3, ["A.8.13", "A.5.30"]),
        ("Laptop lost with unencrypted data", "Staff laptops", "Loss or theft", "Encryption not enforced on contractor devices", "it.admin@perennial.example", 4, 3, TreatmentOption.Modify, 2, 2, ["A.8.1", "A.8.24"]),
        ("Vulnerable dependency exploited", "Source code repositories", "Exploitation of known vulnerability", "Dependency updates are irregular", "eng.lead@perennial.example", 4, 4, TreatmentOption.Modify, 3, 4, ["A.8.8", "A.8.28"]),
        ("Secrets leaked in source code", "Source code repositories", "Credential leak", "No secret scanning", "eng.lead@perennial.example", 3, 4, TreatmentOption.Modify, 1, 4, ["A.8.4", "A.8.28"]),
        ("Payroll provider breach exposes staff data", "Payroll provider", "Supplier compromise", "Limited supplier assurance", "hr.lead@perennial.example", 2, 4, TreatmentOption.Share, 2, 3, ["A.5.19", "A.5.20", "A.5.22"]),
        ("Insider exports customer data", "Customer analytics data", "Malicious insider", "Broad read access for support staff", "isms.manager@perennial.example", 2, 5, TreatmentOption.Retain, 2, 5, ["A.5.15", "A.8.3", "A.8.12"]),
        ("Denial of service on the public API", "Production platform", "Volumetric attack", "No rate limiting at the edge", "eng.lead@perennial.example", 3, 3, TreatmentOption.Modify, 2, 3, ["A.8.20", "A.8.6"]),
        ("Logs insufficient to investigate an incident", "Production platform", "Undetected intrusion", "Short log retention", "eng.lead@perennial.example", 3, 3, TreatmentOption.Modify, 2, 2, ["A.8.15", "A.8.16"]),
        ("Unauthorised change reaches production", "Production platform", "Faulty or malicious change", "Emergency changes skip review", "eng.lead@perennial.example", 3, 4, TreatmentOption.Modify, 2, 3, ["A.8.32", "A.8.25"]),
        ("Test data contains real personal data", "Customer analytics data", "Exposure in test systems", "Copies of production used for tests", "eng.lead@perennial.example", 3, 4, TreatmentOption.Modify, 1, 3, ["A.8.33", "A.8.11"]),
        ("Office break-in", "Lisbon office", "Theft", "Shared building entrance", "it.admin@perennial.example", 2, 2, TreatmentOption.Retain, 2, 2, ["A.7.1", "A.7.2"]),
        ("Staff unaware of reporting duties", "Employees and contractors", "Unreported incidents", "Training not refreshed", "hr.lead@perennial.example", 3, 3, TreatmentOption.Modify, 2, 2, ["A.6.3", "A.6.8"]),
        ("New regulation not identified in time", "Customer analytics data", "Non-compliance", "No legal watch", "isms.manager@perennial.example", 2, 4, TreatmentOption.Modify, 2, 2, ["A.5.31"]),
        ("Privileged accounts shared", "Identity provider", "Untraceable actions", "Shared break-glass account", "it.admin@perennial.example", 3, 4, TreatmentOption.Modify, 1, 4, ["A.8.2", "A.5.16"]),
        ("Cloud costs explode after a compromise", "Cloud hosting provider", "Crypto-mining on stolen keys", "Long-lived access keys", "eng.lead@perennial.example", 2, 3, TreatmentOption.Modify, 1, 3, ["A.5.17", "A.8.5"]),
        ("Key supplier goes out of business", "Payroll provider", "Supplier failure", "No exit plan", "hr.lead@perennial.example", 1, 4, TreatmentOption.Retain, 1, 4, ["A.5.19"]),
        ("Web application injection flaw", "Production platform", "Injection attack", "Input handling in legacy reports", "eng.lead@perennial.example", 3, 5, TreatmentOption.Modify, 2, 4, ["A.8.26", "A.8.29"]),
        ("Data kept longer than needed", "Customer analytics data", "Regulatory fine", "No deletion schedule", "isms.manager@perennial.example", 3, 3, TreatmentOption.Modify, 2, 2, ["A.8.10", "A.5.34"]),
        ("Mobile phones with company mail unmanaged", "Employees and contractors", "Data leakage", "No device management", "it.admin@perennial.example", 3, 2, TreatmentOption.Avoid, 1, 2, ["A.8.1"]),
        ("Clock drift breaks log correlation", "Production platform", "Unreliable evidence", "Hosts without time synchronisation", "eng.lead@perennial.example", 2, 2, TreatmentOption.Modify, 1, 2, ["A.8.17"]),
        ("Contractor onboarding without screening", "Employees and contractors", "Untrusted insider", "Agency contractors not screened", "hr.lead@perennial.example", 2, 3, TreatmentOption.Modify, 1, 3, ["A.6.1", "A.6.2"]),
        ("Wi-Fi guest network reaches office printers", "Lisbon office", "Network intrusion", "Flat office network", "it.admin@perennial.example", 2, 2, TreatmentOption.Modify, 1, 2, ["A.8.20", "A.8.22"]),
        ("Capacity runs out during customer peak", "Production platform", "Service degradation", "Manual scaling", "eng.lead@perennial.example", 3, 3, TreatmentOption.Modify, 2, 3, ["A.8.6"]),
        ("Crypto keys managed by hand", "Customer analytics data", "Key compromise", "Keys in configuration files", "eng.lead@perennial.example", 2, 5, TreatmentOption.Modify, 1, 5, ["A.8.24"]),
        ("Threat information ignored", "Production platform", "Missed warning", "No threat intelligence feed", "isms.manager@perennial.example", 3, 3, TreatmentOption.Modify, 3, 3, ["A.5.7"]),
    ];

    public async Task SeedAsync(Guid organisationId, CancellationToken ct)
    {
        var now = time.GetUtcNow();
        var members = await db.Memberships.Where(m => m.OrganisationId == organisationId).Select(m => new { m.UserId, m.User!.Email }).ToListAsync(ct);
        Guid Member(string email) => members.Single(m => m.Email == email).UserId;

        var assets = new Dictionary<string, Guid>(StringComparer.Ordinal);
        foreach (var (name, kind, classification, owner) in Assets)
        {
            var asset = new Asset { OrganisationId = organisationId, Name = name, Kind = kind, Classification = classification, OwnerUserId = Member(owner), CreatedAt = now };
            db.Assets.Add(asset);
            assets[name] = asset.Id;
        }

        await db.SaveChangesAsync(ct);
        var controls = await db.Controls.Where(c => c.OrganisationId == organisationId && c.Framework!.Key == Framework.IsoKey && c.Kind == ControlKind.Control)
            .ToDictionaryAsync(c => c.Identifier, c => c.Id, ct);

        // The register was first assessed seven months ago, at certification.
        var past = new ShiftedTimeProvider(time, TimeSpan.FromDays(-210));
        var assessed = new RiskService(db, past, actor);
        var created = new List<(Risk Risk, RiskInput Input)>();
        foreach (var r in Risks)
        {
            var input = new RiskInput(r.Title, null, r.Threat, r.Vulnerability, Member(r.Owner), r.IL, r.II, "See the controls linked below.", r.T,
                r.T == TreatmentOption.Retain ? "Retained: the cost of further treatment exceeds the expected loss." : $"Strengthen {string.Join(", ", r.Controls)}.",
                r.RL + (r.T == TreatmentOption.Modify && r.RL < 5 ? 1 : 0), r.RI,
                created.Count >= Risks.Length - 3 ? 6 : 12, // a few on a six-month cycle are now overdue
                [assets[r.Asset]], r.Controls.Select(c => controls[c]).ToList());
            created.Add((await assessed.CreateAsync(organisationId, input, ct), input));
        }

        // Three months ago: treatments took effect and residual levels came down.
        var later = new RiskService(db, new ShiftedTimeProvider(time, TimeSpan.FromDays(-90)), actor);
        foreach (var (risk, input) in created.Where(c => c.Input.Treatment == TreatmentOption.Modify).Take(18))
        {
            var treated = Risks.Single(r => r.Title == input.Title);
            await later.UpdateAsync(organisationId, risk.Id, input with { ResidualLikelihood = treated.RL }, "treatment in place", ct);
            await later.ReviewAsync(organisationId, risk.Id, "Reviewed after the treatment was put in place.", null, null, ct);
        }

        db.ChangeTracker.Clear();
        var today = DateOnly.FromDateTime(time.GetUtcNow().UtcDateTime);
        var current = new RiskService(db, time, actor);
        foreach (var (risk, input) in created.Take(5))
        {
            await current.AddActionAsync(organisationId, risk.Id, $"Complete the treatment of {risk.Reference}", input.OwnerUserId, today.AddDays(30), ct);
        }

        await current.AddActionAsync(organisationId, created[7].Risk.Id, "Automate weekly dependency updates", created[7].Input.OwnerUserId, today.AddDays(-5), ct);

        // The single-region risk is retained above the threshold: its owner accepted it formally.
        var (retained, retainedInput) = created.Single(c => c.Input.Title == "Cloud region outage stops the service");
        var ownerEmail = members.Single(m => m.UserId == retainedInput.OwnerUserId).Email ?? "";
        var asOwner = new RiskService(db, time, new FixedAuditActorAccessor { Current = new AuditActor(retainedInput.OwnerUserId, ownerEmail) });
        await asOwner.AcceptAsync(organisationId, retained.Id, today.AddMonths(6),
            "A second region doubles hosting costs; the provider's availability record and our restore plan keep the expected loss lower.", ct);
        var (insider, insiderInput) = created.Single(c => c.Input.Title == "Insider exports customer data");
        var managerEmail = members.Single(m => m.UserId == insiderInput.OwnerUserId).Email ?? "";
        await new RiskService(db, time, new FixedAuditActorAccessor { Current = new AuditActor(insiderInput.OwnerUserId, managerEmail) })
            .AcceptAsync(organisationId, insider.Id, today.AddMonths(4),
                "Support needs read access to answer customers; access is logged and reviewed monthly until the new support tool arrives.", ct);

        await SeedChangesAsync(organisationId, assets, controls, Member, today, ct);
    }

    /// <summary>A few changes: one closed with its follow-up done, one still waiting on its follow-up tasks, one just raised.</summary>
    private async Task SeedChangesAsync(Guid organisationId, Dictionary<string, Guid> assets, Dictionary<string, Guid> controls, Func<string, Guid> member, DateOnly today, CancellationToken ct)
    {
        var changes = new Changes.ChangeService(db, time, new RiskService(db, time, actor));
        var none = new Changes.ImpactAnswers(false, false, false, false, false, false);

        var sso = await changes.CreateAsync(organisationId, new Changes.ChangeInput(
            "Move staff sign-in to the new identity provider", "Replace the legacy directory with the company identity provider for every internal tool.",
            Changes.ChangeType.SystemOrTool, "Jonas Berg", member("it.admin@perennial.example"), today.AddDays(-40), Changes.ChangeStatus.Implemented,
            [assets["Identity provider"]], [controls["A.5.17"], controls["A.8.5"]]), Changes.ChangeSource.Manual,
            none with { AffectsAccess = true, AffectsSoaControl = true }, null, ct);
        foreach (var task in sso.Tasks.ToList())
        {
            await changes.CompleteTaskAsync(organisationId, sso.Id, task.Id, ct);
        }

        await changes.CloseAsync(organisationId, sso.Id, ct);

        await changes.CreateAsync(organisationId, new Changes.ChangeInput(
            "New payroll provider from next quarter", "HR moves payroll to a new provider that will hold salary and bank details.",
            Changes.ChangeType.Supplier, "Priya Raman", member("hr.lead@perennial.example"), today.AddDays(21), Changes.ChangeStatus.Approved,
            [assets["Payroll provider"], assets["Employees and contractors"]], [controls["A.5.19"], controls["A.5.20"]]), Changes.ChangeSource.Manual,
            none with { AffectsSupplier = true, AddsAssetsOrProcessing = true, AffectsLegalRequirements = true }, null, ct);

        await changes.CreateAsync(organisationId, new Changes.ChangeInput(
            "Open a second office in Porto", "Customer success team of six moves into a shared office space.",
            Changes.ChangeType.Site, "Maya Okafor", member("isms.manager@perennial.example"), today.AddDays(60), Changes.ChangeStatus.Proposed,
            [], []), Changes.ChangeSource.Manual, null, null, ct);
    }

    private sealed class ShiftedTimeProvider(TimeProvider inner, TimeSpan offset) : TimeProvider
    {
        public override DateTimeOffset GetUtcNow() => inner.GetUtcNow() + offset;
    }
}

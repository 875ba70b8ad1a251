using Microsoft.EntityFrameworkCore;
using Perennial.Common;
using Perennial.Data;
using Perennial.Frameworks;
using Perennial.Organisations;
using Perennial.Paging;
using Perennial.Risks;

namespace Perennial.Pages.O.Risks;

/// <summary>The risk form's fields, bound from the page.</summary>
public sealed class RiskForm
{
    public string Title { get; set; } = "";
    public string? Description { get; set; }
    public string? Threat { get; set; }
    public string? Vulnerability { get; set; }
    public Guid? OwnerUserId { get; set; }
    public int InherentLikelihood { get; set; } = 3;
    public int InherentImpact { get; set; } = 3;
    public string? ExistingControls { get; set; }
    public string Treatment { get; set; } = "modify";
    public string? TreatmentPlan { get; set; }
    public int ResidualLikelihood { get; set; } = 2;
    public int ResidualImpact { get; set; } = 2;
    public int ReviewIntervalMonths { get; set; } = 12;
    public List<Guid> AssetIds { get; set; } = [];
    public List<Guid> ControlIds { get; set; } = [];
    public string Status { get; set; } = "open";
    public string? Reason { get; set; }

    public RiskInput ToInput() => new(
        Title ?? "", Description, Threat, Vulnerability, OwnerUserId, InherentLikelihood, InherentImpact, ExistingControls,
        RiskNames.ParseTreatment(Treatment, "treatment"), TreatmentPlan, ResidualLikelihood, ResidualImpact, ReviewIntervalMonths,
        AssetIds, ControlIds, Status == "closed" ? RiskStatus.Closed : RiskStatus.Open);

    public static RiskForm From(Risk r) => new()
    {
        Title = r.Title,
        Description = r.Description,
        Threat = r.Threat,
        Vulnerability = r.Vulnerability,
        OwnerUserId = r.OwnerUserId,
        InherentLikelihood = r.InherentLikelihood,
        InherentImpact = r.InherentImpact,
        ExistingControls = r.ExistingControls,
        Treatment = r.Treatment.ToName(),
        TreatmentPlan = r.TreatmentPlan,
        ResidualLikelihood = r.ResidualLikelihood,
        ResidualImpact = r.ResidualImpact,
        ReviewIntervalMonths = r.ReviewIntervalMonths,
        AssetIds = r.Assets.Select(a => a.AssetId).ToList(),
        ControlIds = r.Controls.Select(c => c.ControlId).ToList(),
        Status = r.Status == RiskStatus.Closed ? "closed" : "open",
    };
}

/// <summary>What the risk form offers: the method's scales, the members, assets and Annex A controls.</summary>
public sealed record RiskFormOptions(
    RiskMethod Method,
    IReadOnlyList<MemberSummary> Members,
    IReadOnlyList<(Guid Id, string Name)> Assets,
    IReadOnlyList<(Guid Id, string Identifier, string Title)> Controls,
    RiskForm Form)
{
    public static async Task<RiskFormOptions> LoadAsync(Guid organisationId, RiskForm form, RiskService risks, OrganisationService organisations, PerennialDbContext db, CancellationToken ct)
    {
        var method = await risks.CurrentMethodAsync(organisationId, ct);
        var members = (await organisations.ListMembersAsync(organisationId, new PageRequest(1, PageRequest.MaxPageSize), ct)).Items;
        var assets = (await db.Assets.AsNoTracking().Where(a => a.OrganisationId == organisationId).OrderBy(a => a.Name).Select(a => new { a.Id, a.Name }).ToListAsync(ct))
            .Select(a => (a.Id, a.Name)).ToList();
        var controls = (await db.Controls.AsNoTracking()
                .Where(c => c.OrganisationId == organisationId && c.Framework!.Key == Framework.IsoKey && c.Kind == ControlKind.Control)
                .OrderBy(c => c.SortOrder).Select(c => new { c.Id, c.Identifier, Title = c.LicensedTitle ?? c.Title }).ToListAsync(ct))
            .Select(c => (c.Id, c.Identifier, c.Title)).ToList();
        return new RiskFormOptions(method, members, assets, controls, form);
    }
}

public static class RiskFormErrors
{
    /// <summary>The form field a use-case error names, for the validation summary.</summary>
    public static string Field(UseCaseException e) => e.Field is null ? string.Empty : $"Form.{char.ToUpperInvariant(e.Field[0])}{e.Field[1..]}";
}

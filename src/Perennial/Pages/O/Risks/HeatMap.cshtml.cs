using Microsoft.AspNetCore.Mvc.RazorPages;
using Perennial.Risks;
using Perennial.Security;

namespace Perennial.Pages.O.Risks;

public sealed class HeatMapModel(CurrentOrg org, RiskService risks) : PageModel
{
    public string Slug => org.Slug;
    public string InherentSvg { get; private set; } = "";
    public string ResidualSvg { get; private set; } = "";
    public IReadOnlyList<LevelBand> Bands { get; private set; } = [];
    public int Threshold { get; private set; }

    public async Task OnGetAsync(CancellationToken ct)
    {
        var path = $"/o/{org.Slug}/risks";
        InherentSvg = HeatMapSvg.Render(await risks.HeatMapAsync(org.Id, residual: false, ct), path);
        ResidualSvg = HeatMapSvg.Render(await risks.HeatMapAsync(org.Id, residual: true, ct), path);
        var method = await risks.CurrentMethodAsync(org.Id, ct);
        Bands = method.Bands;
        Threshold = method.AcceptanceThreshold;
    }
}

using Microsoft.AspNetCore.Mvc.RazorPages;
using Perennial.Security;
using Perennial.Soa;

namespace Perennial.Pages.O.Soa;

public sealed class VersionsModel(CurrentOrg org, SoaService soa) : PageModel
{
    public string Slug => org.Slug;
    public IReadOnlyList<SoaVersionSummary> Versions { get; private set; } = [];

    public async Task OnGetAsync(CancellationToken ct) => Versions = await soa.ListVersionsAsync(org.Id, ct);
}

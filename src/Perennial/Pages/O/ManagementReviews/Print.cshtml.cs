using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;
using Perennial.Common;
using Perennial.ManagementReviews;
using Perennial.Security;

namespace Perennial.Pages.O.ManagementReviews;

/// <summary>The pack and the minutes as one printable page: every input with its figures, records and minutes, then the decisions; no forms.</summary>
public sealed class PrintModel(CurrentOrg org, ManagementReviewService reviews) : PageModel
{
    public CurrentOrg Org => org;
    public ReviewDetail Detail { get; private set; } = null!;
    public ReviewPackModel Pack { get; private set; } = null!;
    public IReadOnlyDictionary<string, string> Minutes { get; private set; } = new Dictionary<string, string>();

    public async Task<IActionResult> OnGetAsync(Guid id, CancellationToken ct)
    {
        try
        {
            Detail = await reviews.DetailAsync(org.Id, id, ct);
            Pack = await reviews.PackAsync(org.Id, id, ct);
        }
        catch (UseCaseException e) when (e.Kind == UseCaseErrorKind.NotFound)
        {
            return NotFound();
        }

        Minutes = Detail.Minutes.ToDictionary(m => m.Input, m => m.Text, StringComparer.Ordinal);
        return Page();
    }
}

using Microsoft.AspNetCore.Mvc.RazorPages;
using Perennial.Nonconformities;
using Perennial.Security;

namespace Perennial.Pages.O.Nonconformities;

/// <summary>Clauses and controls with more than one nonconformity in the current certification cycle, shown together.</summary>
public sealed class RecurringModel(CurrentOrg org, NonconformityLog log) : PageModel
{
    public CurrentOrg Org => org;
    public RecurrenceWindow Window { get; private set; } = null!;
    public IReadOnlyList<RecurringGroup> Groups { get; private set; } = [];

    public async Task OnGetAsync(CancellationToken ct) => (Window, Groups) = await log.RecurringAsync(org.Id, ct);
}

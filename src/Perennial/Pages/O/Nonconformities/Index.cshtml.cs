using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;
using Perennial.Common;
using Perennial.Nonconformities;
using Perennial.Organisations;
using Perennial.Pages.Shared;
using Perennial.Paging;
using Perennial.Security;

namespace Perennial.Pages.O.Nonconformities;

public sealed class IndexModel(CurrentOrg org, CurrentUser user, NonconformityLog log, NonconformityWorkflow workflow, OrganisationService organisations, TimeProvider time) : PageModel
{
    private const string Message = "nonconformity-message";

    [FromQuery(Name = "status")] public string? Status { get; set; } = "open";
    [FromQuery(Name = "source")] public string? Source { get; set; }
    [FromQuery(Name = "severity")] public string? Severity { get; set; }
    [FromQuery(Name = "owner")] public Guid? Owner { get; set; }
    [FromQuery(Name = "overdue")] public bool Overdue { get; set; }

    public static readonly IReadOnlyList<(string Value, string Label)> Statuses =
    [
        ("open", "Open"), ("closed", "Closed"), ("all", "All"),
        .. Enum.GetValues<NonconformityStatus>().Where(s => s != NonconformityStatus.Closed).Select(s => (s.Name(), $"Only: {s.Label()}")),
    ];

    // From the query string only: the route value "page" is the Razor page's own path.
    [FromQuery(Name = "page")] public int PageNumber { get; set; } = 1;

    public CurrentOrg Org => org;
    public Paged<NonconformityLogItem> Items { get; private set; } = new([], 1, PageRequest.DefaultPageSize, 0);
    public IReadOnlyList<MemberSummary> Members { get; private set; } = [];
    public bool CanManage => org.Can(OrgRole.Manager);
    public bool CanReport => org.Can(OrgRole.Contributor);
    public string? Notice { get; private set; }
    public bool Filtered => Status != "open" || Source is not null || Severity is not null || Owner is not null || Overdue;

    public PagerModel Pager => new($"/o/{org.Slug}/nonconformities", Items.Page, Items.PageSize, Items.Total, "&" + QueryString());

    /// <summary>The filters as given, with unknown values taken as "any" (and an unknown status as "open").</summary>
    public NonconformityQuery ToQuery()
    {
        Status = Statuses.Any(s => s.Value == Status) ? Status : "open";
        NonconformitySource? source = Enum.GetValues<NonconformitySource>().FirstOrDefault(s => s.Name() == Source) is var s && s != default ? s : null;
        Source = source?.Name();
        NonconformitySeverity? severity = Severity switch { "major" => NonconformitySeverity.Major, "minor" => NonconformitySeverity.Minor, _ => null };
        Severity = severity?.Name();
        NonconformityStatus? status = Status switch
        {
            "open" or "all" => null,
            "closed" => NonconformityStatus.Closed,
            var name => NonconformityNames.ParseStatus(name!, "status"),
        };
        return new NonconformityQuery(status, source, severity, Owner, Overdue, OpenOnly: Status == "open");
    }

    public string QueryString() =>
        $"status={Uri.EscapeDataString(Status ?? "open")}{(Source is null ? "" : $"&source={Source}")}{(Severity is null ? "" : $"&severity={Severity}")}{(Owner is null ? "" : $"&owner={Owner}")}{(Overdue ? "&overdue=true" : "")}";

    private string Describe()
    {
        var parts = new List<string> { Statuses.First(s => s.Value == Status).Label.Replace("Only: ", "", StringComparison.Ordinal).ToLowerInvariant() };
        if (Source is not null)
        {
            parts.Add($"source {Source}");
        }

        if (Severity is not null)
        {
            parts.Add($"severity {Severity}");
        }

        if (Owner is { } owner)
        {
            parts.Add($"owner or action owner {Members.FirstOrDefault(m => m.UserId == owner)?.DisplayName ?? owner.ToString()}");
        }

        if (Overdue)
        {
            parts.Add("overdue only");
        }

        return $"Filtered: {string.Join(", ", parts)}.";
    }

    public async Task OnGetAsync(CancellationToken ct)
    {
        Notice = TempData[Message] as string;
        await LoadAsync(ct);
    }

    /// <summary>The log as filtered, every page of it, as an XLSX workbook.</summary>
    public async Task<IActionResult> OnGetExportAsync(CancellationToken ct)
    {
        var query = ToQuery();
        Members = await MembersAsync(ct);
        var (window, rows) = await log.AllAsync(org.Id, query, ct);
        var now = time.GetUtcNow();
        using var buffer = new MemoryStream();
        NonconformityLog.WriteXlsx(buffer, org.Access.Name, rows, Describe(), window, now);
        return File(buffer.ToArray(), Spreadsheets.XlsxContentType, $"nonconformities-{org.Slug}-{now:yyyy-MM-dd}.xlsx");
    }

    /// <summary>A manager closes one without an effective check, with a justification the log keeps (the page's write rule says managers).</summary>
    public async Task<IActionResult> OnPostCloseAsync(Guid id, string? justification, CancellationToken ct)
    {
        if (string.IsNullOrWhiteSpace(justification))
        {
            ModelState.AddModelError("justification", "Say why it is closed without an effective corrective action.");
            await LoadAsync(ct);
            return Page();
        }

        try
        {
            var nc = await workflow.CloseAsync(org.Id, id, new NonconformityActor(user.RequireId(), user.Email, org.Role), justification, ct);
            TempData[Message] = $"{nc.Reference} closed.";
        }
        catch (UseCaseException e) when (e.Kind == UseCaseErrorKind.NotFound)
        {
            return NotFound();
        }
        catch (UseCaseException e) when (e.Kind is UseCaseErrorKind.Conflict or UseCaseErrorKind.Validation)
        {
            ModelState.AddModelError("justification", e.Message);
            await LoadAsync(ct);
            return Page();
        }

        ToQuery();
        return Redirect($"/o/{org.Slug}/nonconformities?{QueryString()}");
    }

    private async Task LoadAsync(CancellationToken ct)
    {
        var query = ToQuery();
        Members = await MembersAsync(ct);
        Items = await log.ListAsync(org.Id, query, PageRequest.ForUi(PageNumber), ct);
    }

    private async Task<IReadOnlyList<MemberSummary>> MembersAsync(CancellationToken ct) =>
        [.. (await organisations.ListMembersAsync(org.Id, new PageRequest(1, PageRequest.MaxPageSize), ct)).Items.Where(m => m.Active).OrderBy(m => m.DisplayName, StringComparer.CurrentCulture)];
}

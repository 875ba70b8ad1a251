using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;
using Microsoft.EntityFrameworkCore;
using Perennial.AuditorWorkspace;
using Perennial.Common;
using Perennial.Data;
using Perennial.Evidence;
using Perennial.Frameworks;
using Perennial.InternalAudits;
using Perennial.Pages.Shared;
using Perennial.Readiness;
using Perennial.Security;

namespace Perennial.Pages.O.Auditor;

/// <summary>
/// The external auditor's landing page for an audit: the scope, the SoA version in force, the
/// internal audits and their reports, the nonconformity log, each applicable control's evidence
/// timeline over the audit period, and the auditor's samples and requests (paged, filtered), with the
/// forms to draw one and raise one. Owners answer the requests assigned to them here too, citing
/// evidence items or with a comment.
/// </summary>
public sealed class IndexModel(CurrentOrg org, CurrentUser user, PerennialDbContext db, ReadinessService readiness, AuditorWorkspaceService workspace, TimeProvider time) : PageModel
{
    /// <summary>Rows per page of the samples and of the requests.</summary>
    public const int PageSize = 20;

    /// <summary>Evidence items offered to cite in one answer.</summary>
    public const int CandidateLimit = 12;

    private const int MaxPage = int.MaxValue / PageSize;

    public sealed record ControlLine(Guid Id, string Identifier, string Title, int Evidence, ControlTimeline? Timeline);

    public sealed record AuditLine(Guid Id, string Reference, string Title, DateTimeOffset? SignedOffAt);

    public CurrentOrg Org => org;
    public Guid Me => user.RequireId();
    public AuditWindow? Window { get; private set; }
    public string? Scope { get; private set; }
    public int? SoaVersion { get; private set; }
    public IReadOnlyList<ControlLine> Controls { get; private set; } = [];
    public IReadOnlyList<AuditLine> InternalAudits { get; private set; } = [];
    public int OpenNonconformities { get; private set; }
    public IReadOnlyList<AuditSample> Samples { get; private set; } = [];
    public int SampleTotal { get; private set; }

    /// <summary>Every sample, newest first, for the request form's choice (whatever page of the list is shown).</summary>
    public IReadOnlyList<AuditSample> SampleChoices { get; private set; } = [];
    public IReadOnlyList<AuditRequest> Requests { get; private set; } = [];
    public int RequestTotal { get; private set; }
    public IReadOnlyDictionary<AuditRequestStatus, int> RequestCounts { get; private set; } = new Dictionary<AuditRequestStatus, int>();

    /// <summary>For each request the current user may answer, the evidence items the answer would likely cite.</summary>
    public IReadOnlyDictionary<Guid, IReadOnlyList<SampledEvidence>> Candidates { get; private set; } = new Dictionary<Guid, IReadOnlyList<SampledEvidence>>();

    /// <summary>Titles of the evidence items the answers cite.</summary>
    public IReadOnlyDictionary<Guid, string> Cited { get; private set; } = new Dictionary<Guid, string>();
    public IReadOnlyDictionary<Guid, string> Names { get; private set; } = new Dictionary<Guid, string>();
    public string? Message { get; private set; }

    [BindProperty(SupportsGet = true)]
    public string? AuditDate { get; set; }

    /// <summary>Only the controls whose evidence has a gap in the period.</summary>
    [BindProperty(SupportsGet = true)]
    public bool GapsOnly { get; set; }

    [BindProperty(SupportsGet = true)]
    public int SamplePage { get; set; } = 1;

    /// <summary>Only the samples of this control.</summary>
    [BindProperty(SupportsGet = true)]
    public string? SampleControl { get; set; }

    [BindProperty(SupportsGet = true)]
    public int RequestPage { get; set; } = 1;

    /// <summary>open, answered or accepted; empty: every request.</summary>
    [BindProperty(SupportsGet = true)]
    public string? Status { get; set; }

    /// <summary>Only the requests assigned to the current user.</summary>
    [BindProperty(SupportsGet = true)]
    public bool Mine { get; set; }

    public AuditRequestStatus? StatusFilter => Enum.TryParse<AuditRequestStatus>(Status, ignoreCase: true, out var s) && Enum.IsDefined(s) ? s : null;

    [BindProperty]
    public string? Control { get; set; }

    [BindProperty]
    public DateOnly? SampleFrom { get; set; }

    [BindProperty]
    public DateOnly? SampleTo { get; set; }

    [BindProperty]
    public int? Seed { get; set; }

    [BindProperty]
    public string? RequestText { get; set; }

    [BindProperty]
    public string? RequestIdentifier { get; set; }

    [BindProperty]
    public Guid? RequestSample { get; set; }

    [BindProperty]
    public DateOnly? RequestDue { get; set; }

    [BindProperty]
    public Guid? RequestAssignee { get; set; }

    /// <summary>Who a request can go to: current members who are not auditors.</summary>
    public IReadOnlyList<(Guid Id, string Name)> Assignees { get; private set; } = [];

    [BindProperty]
    public Guid? RequestId { get; set; }

    [BindProperty]
    public string? Comment { get; set; }

    [BindProperty]
    public List<Guid> EvidenceIds { get; set; } = [];

    [BindProperty]
    public DateOnly? AgainDue { get; set; }

    /// <summary>The page as shown: the audit and the lists' filters and pages, for links and for the forms to come back to.</summary>
    public Dictionary<string, string> Shown()
    {
        var inv = System.Globalization.CultureInfo.InvariantCulture;
        var parts = new (string Key, string? Value)[]
        {
            ("auditDate", AuditDate), ("gapsOnly", GapsOnly ? "true" : null),
            ("sampleControl", SampleControl), ("samplePage", SamplePage > 1 ? SamplePage.ToString(inv) : null),
            ("status", StatusFilter is { } s ? AuditorWorkspaceApi.Name(s) : null), ("mine", Mine ? "true" : null),
            ("requestPage", RequestPage > 1 ? RequestPage.ToString(inv) : null),
        };
        return parts.Where(p => !string.IsNullOrWhiteSpace(p.Value)).ToDictionary(p => p.Key, p => p.Value!.Trim(), StringComparer.Ordinal);
    }

    /// <summary>The query string of the page as shown, each part led by '&amp;', without <paramref name="except"/>.</summary>
    public string Query(params string[] except) =>
        string.Concat(Shown().Where(p => !except.Contains(p.Key, StringComparer.Ordinal)).Select(p => $"&{p.Key}={Uri.EscapeDataString(p.Value)}"));

    public PagerModel SamplePager => new($"/o/{org.Slug}/auditor", SamplePage, PageSize, SampleTotal, Query("samplePage"))
    {
        Parameter = "samplePage",
        Fragment = "samples-heading",
        Label = "Pages of samples",
    };

    public PagerModel RequestPager => new($"/o/{org.Slug}/auditor", RequestPage, PageSize, RequestTotal, Query("requestPage"))
    {
        Parameter = "requestPage",
        Fragment = "requests-heading",
        Label = "Pages of requests",
    };

    public async Task<IActionResult> OnGetAsync(CancellationToken ct)
    {
        await LoadAsync(ct);
        return Page();
    }

    public Task<IActionResult> OnPostSampleAsync(CancellationToken ct) => ActAsync(async () =>
    {
        var sample = await workspace.DrawSampleAsync(org.Id, Actor, Control, SampleFrom, SampleTo, Seed, Window?.ExternalAuditId, ct);
        return $"Sample of {sample.ControlIdentifier} drawn: {sample.Size} of {sample.Population} occurrences, seed {sample.Seed}.";
    }, ct);

    public Task<IActionResult> OnPostRequestAsync(CancellationToken ct) => ActAsync(async () =>
    {
        var request = await workspace.RaiseAsync(org.Id, Actor, new AuditRequestInput(RequestText, RequestIdentifier, null, RequestSample, RequestDue, RequestAssignee), Window?.ExternalAuditId, ct);
        return $"{request.Reference} raised.";
    }, ct);

    public Task<IActionResult> OnPostAnswerAsync(CancellationToken ct) => ActAsync(async () =>
    {
        var request = await workspace.AnswerAsync(org.Id, RequestId ?? Guid.Empty, Actor, Comment, EvidenceIds, ct);
        return $"{request.Reference} answered.";
    }, ct);

    public Task<IActionResult> OnPostAcceptAsync(CancellationToken ct) => ActAsync(async () =>
    {
        var request = await workspace.AcceptAsync(org.Id, RequestId ?? Guid.Empty, Actor, ct);
        return $"{request.Reference} accepted.";
    }, ct);

    public Task<IActionResult> OnPostAskAgainAsync(CancellationToken ct) => ActAsync(async () =>
    {
        var request = await workspace.AskAgainAsync(org.Id, RequestId ?? Guid.Empty, Actor, Comment, AgainDue, ct);
        return $"{request.Reference} asked again.";
    }, ct);

    private WorkspaceActor Actor => new(user.RequireId(), org.Role);

    /// <summary>Whether the current user may answer the request: its assignee or an ISMS manager, until it is accepted.</summary>
    public bool CanAnswer(AuditRequest request)
    {
        ArgumentNullException.ThrowIfNull(request);
        return request.Status != AuditRequestStatus.Accepted && (request.AssigneeUserId == Me || org.Role >= Organisations.OrgRole.Manager);
    }

    private async Task<IActionResult> ActAsync(Func<Task<string>> act, CancellationToken ct)
    {
        await LoadWindowAsync(ct);
        try
        {
            TempData["Message"] = await act();
            var query = Query();
            return Redirect($"/o/{org.Slug}/auditor{(query.Length == 0 ? "" : "?" + query[1..])}");
        }
        catch (UseCaseException e) when (e.Kind == UseCaseErrorKind.Forbidden)
        {
            return StatusCode(403);
        }
        catch (UseCaseException e) when (e.Kind is UseCaseErrorKind.Validation or UseCaseErrorKind.Conflict or UseCaseErrorKind.NotFound)
        {
            ModelState.AddModelError(e.Field ?? "", e.Message);
            await LoadAsync(ct);
            return Page();
        }
    }

    private async Task LoadWindowAsync(CancellationToken ct)
    {
        DateOnly? day = DateOnly.TryParse(AuditDate, System.Globalization.CultureInfo.InvariantCulture, out var d) ? d : null;
        Window = await readiness.WindowOrNoneAsync(org.Id, new ReadinessQuery(day), DateOnly.FromDateTime(time.GetUtcNow().UtcDateTime), ct);
    }

    private async Task LoadAsync(CancellationToken ct)
    {
        Message = TempData["Message"] as string;
        await LoadWindowAsync(ct);
        var end = Window is { } w ? new DateTimeOffset(w.AuditDate.AddDays(1).ToDateTime(TimeOnly.MinValue), TimeSpan.Zero) : DateTimeOffset.MaxValue;
        Scope = await db.ScopeVersions.AsNoTracking().Where(s => s.OrganisationId == org.Id).OrderByDescending(s => s.Number).Select(s => s.Statement).FirstOrDefaultAsync(ct);
        var version = (await db.SoaVersions.AsNoTracking().Where(v => v.OrganisationId == org.Id && v.Number > 0 && v.PublishedAt != null)
            .Select(v => new { v.Id, v.Number, v.PublishedAt }).ToListAsync(ct)).Where(v => v.PublishedAt < end).MaxBy(v => v.Number);
        SoaVersion = version?.Number;
        if (version is not null)
        {
            var applicable = await db.SoaRows.AsNoTracking().Where(r => r.SoaVersionId == version.Id && r.Applicable == true).Select(r => r.ControlIdentifier).ToListAsync(ct);
            var controls = await db.Controls.AsNoTracking().Where(c => c.OrganisationId == org.Id && c.Framework!.Key == Framework.IsoKey && applicable.Contains(c.Identifier))
                .Select(c => new { c.Id, c.Identifier, c.Title }).ToListAsync(ct);
            var ids = controls.Select(c => c.Id).ToList();
            var counts = await db.EvidenceItemLinks.AsNoTracking().Where(l => l.ControlId != null && ids.Contains(l.ControlId.Value))
                .GroupBy(l => l.ControlId).Select(g => new { g.Key, Count = g.Count() }).ToDictionaryAsync(g => g.Key!.Value, g => g.Count, ct);
            var timelines = Window is { } window
                ? await readiness.TimelinesAsync(org.Id, window, DateOnly.FromDateTime(time.GetUtcNow().UtcDateTime), ct)
                : new Dictionary<Guid, ControlTimeline>();
            Controls = [.. controls.OrderBy(c => c.Identifier, IdentifierOrder.Instance)
                .Select(c => new ControlLine(c.Id, c.Identifier, c.Title, counts.GetValueOrDefault(c.Id), timelines.GetValueOrDefault(c.Id)))
                .Where(c => !GapsOnly || c.Timeline is { Gaps.Count: > 0 })];
        }

        InternalAudits = [.. (await db.InternalAudits.AsNoTracking().Where(a => a.OrganisationId == org.Id && a.Status == InternalAuditStatus.Reported)
            .Select(a => new AuditLine(a.Id, a.Reference, a.Title, a.SignedOffAt)).ToListAsync(ct)).OrderBy(a => a.Reference, StringComparer.Ordinal)];
        OpenNonconformities = await db.Nonconformities.CountAsync(n => n.OrganisationId == org.Id && n.Status != Perennial.Nonconformities.NonconformityStatus.Closed, ct);
        Assignees = await workspace.AssigneesAsync(org.Id, ct);
        // Past the last page shows an empty page; the clamp keeps the offset from overflowing.
        SamplePage = Math.Clamp(SamplePage, 1, MaxPage);
        RequestPage = Math.Clamp(RequestPage, 1, MaxPage);
        (Samples, SampleTotal) = await workspace.SamplesPageAsync(org.Id, SampleControl, (SamplePage - 1) * PageSize, PageSize, ct);
        SampleChoices = await workspace.SamplesAsync(org.Id, ct);
        Guid? assignee = Mine ? Me : null;
        (Requests, RequestTotal) = await workspace.RequestsPageAsync(org.Id, StatusFilter, assignee, (RequestPage - 1) * PageSize, PageSize, ct);
        RequestCounts = await workspace.RequestCountsAsync(org.Id, assignee, ct);
        var answerable = Requests.Where(CanAnswer).ToList();
        Candidates = Window is { } period
            ? await workspace.AnswerCandidatesAsync(org.Id, answerable, period.PeriodFrom, period.AuditDate, CandidateLimit, ct)
            : await workspace.AnswerCandidatesAsync(org.Id, answerable, DateOnly.MinValue, DateOnly.MaxValue, CandidateLimit, ct);
        var cited = Requests.SelectMany(r => r.EvidenceIds).Distinct().ToList();
        Cited = await db.EvidenceItems.AsNoTracking().Where(e => e.OrganisationId == org.Id && cited.Contains(e.Id)).ToDictionaryAsync(e => e.Id, e => e.Title, ct);
        var people = Requests.SelectMany(r => new[] { r.AssigneeUserId, r.RaisedByUserId }).Concat(Samples.Select(s => s.DrawnByUserId)).Distinct().ToList();
        Names = await db.Users.AsNoTracking().Where(u => people.Contains(u.Id)).ToDictionaryAsync(u => u.Id, u => u.DisplayName, ct);
    }
}

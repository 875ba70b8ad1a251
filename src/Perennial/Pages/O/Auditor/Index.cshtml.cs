using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;
using Microsoft.EntityFrameworkCore;
using Perennial.AuditorWorkspace;
using Perennial.Common;
using Perennial.Data;
using Perennial.Frameworks;
using Perennial.InternalAudits;
using Perennial.Readiness;
using Perennial.Security;

namespace Perennial.Pages.O.Auditor;

/// <summary>
/// The external auditor's landing page for an audit: the scope, the SoA version in force, the
/// internal audits and their reports, the nonconformity log, each applicable control's evidence, and
/// the auditor's samples and requests, with the forms to draw one and raise one. Owners answer the
/// requests assigned to them here too.
/// </summary>
public sealed class IndexModel(CurrentOrg org, CurrentUser user, PerennialDbContext db, ReadinessService readiness, AuditorWorkspaceService workspace, TimeProvider time) : PageModel
{
    public sealed record ControlLine(string Identifier, string Title, int Evidence);

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
    public IReadOnlyList<AuditRequest> Requests { get; private set; } = [];
    public IReadOnlyDictionary<Guid, string> Names { get; private set; } = new Dictionary<Guid, string>();
    public string? Message { get; private set; }

    [BindProperty(SupportsGet = true)]
    public string? AuditDate { get; set; }

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
        var request = await workspace.AnswerAsync(org.Id, RequestId ?? Guid.Empty, Actor, Comment, null, ct);
        return $"{request.Reference} answered.";
    }, ct);

    public Task<IActionResult> OnPostAcceptAsync(CancellationToken ct) => ActAsync(async () =>
    {
        var request = await workspace.AcceptAsync(org.Id, RequestId ?? Guid.Empty, Actor, ct);
        return $"{request.Reference} accepted.";
    }, ct);

    public Task<IActionResult> OnPostAskAgainAsync(CancellationToken ct) => ActAsync(async () =>
    {
        var request = await workspace.AskAgainAsync(org.Id, RequestId ?? Guid.Empty, Actor, Comment, null, ct);
        return $"{request.Reference} asked again.";
    }, ct);

    private WorkspaceActor Actor => new(user.RequireId(), org.Role);

    private async Task<IActionResult> ActAsync(Func<Task<string>> act, CancellationToken ct)
    {
        await LoadWindowAsync(ct);
        try
        {
            TempData["Message"] = await act();
            return Redirect($"/o/{org.Slug}/auditor{(AuditDate is { Length: > 0 } d ? $"?auditDate={Uri.EscapeDataString(d)}" : "")}");
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
        try
        {
            Window = await readiness.WindowAsync(org.Id, new ReadinessQuery(day), DateOnly.FromDateTime(time.GetUtcNow().UtcDateTime), ct);
        }
        catch (UseCaseException e) when (e.Kind == UseCaseErrorKind.Validation)
        {
            Window = null;
        }
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
            Controls = [.. controls.OrderBy(c => c.Identifier, IdentifierOrder.Instance).Select(c => new ControlLine(c.Identifier, c.Title, counts.GetValueOrDefault(c.Id)))];
        }

        InternalAudits = [.. (await db.InternalAudits.AsNoTracking().Where(a => a.OrganisationId == org.Id && a.Status == InternalAuditStatus.Reported)
            .Select(a => new AuditLine(a.Id, a.Reference, a.Title, a.SignedOffAt)).ToListAsync(ct)).OrderBy(a => a.Reference, StringComparer.Ordinal)];
        OpenNonconformities = await db.Nonconformities.CountAsync(n => n.OrganisationId == org.Id && n.Status != Perennial.Nonconformities.NonconformityStatus.Closed, ct);
        var today = DateOnly.FromDateTime(time.GetUtcNow().UtcDateTime);
        Assignees = [.. (await db.Memberships.AsNoTracking().Where(m => m.OrganisationId == org.Id && m.Role != Organisations.OrgRole.Auditor && (m.ExpiresOn == null || m.ExpiresOn >= today))
            .Join(db.Users, m => m.UserId, u => u.Id, (m, u) => new { u.Id, u.DisplayName }).ToListAsync(ct))
            .OrderBy(u => u.DisplayName, StringComparer.OrdinalIgnoreCase).Select(u => (u.Id, u.DisplayName))];
        Samples = await workspace.SamplesAsync(org.Id, ct);
        Requests = await workspace.RequestsAsync(org.Id, null, null, ct);
        var people = Requests.SelectMany(r => new[] { r.AssigneeUserId, r.RaisedByUserId }).Concat(Samples.Select(s => s.DrawnByUserId)).Distinct().ToList();
        Names = await db.Users.AsNoTracking().Where(u => people.Contains(u.Id)).ToDictionaryAsync(u => u.Id, u => u.DisplayName, ct);
    }
}

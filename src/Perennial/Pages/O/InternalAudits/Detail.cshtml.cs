using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;
using Microsoft.EntityFrameworkCore;
using Perennial.Activities;
using Perennial.Common;
using Perennial.Data;
using Perennial.Evidence;
using Perennial.InternalAudits;
using Perennial.Organisations;
using Perennial.Security;

namespace Perennial.Pages.O.InternalAudits;

/// <summary>
/// One internal audit: its plan, and once started its checklist, where the auditors draw samples and
/// record results with the evidence they saw or upload, and the lead auditor signs the report off.
/// </summary>
[RequestSizeLimit(EvidenceUpload.MaxRequestBytes)]
[RequestFormLimits(MultipartBodyLengthLimit = EvidenceUpload.MaxRequestBytes)]
public sealed class DetailModel(
    CurrentOrg org, CurrentUser user, InternalAuditService audits, ChecklistService checklist, ChecklistAttachments attachments, PerennialDbContext db) : PageModel
{
    public CurrentOrg Org => org;
    public InternalAudit Audit { get; private set; } = null!;
    public IReadOnlyList<ChecklistItemView> Items { get; private set; } = [];
    public IReadOnlyDictionary<Guid, string> Names { get; private set; } = new Dictionary<Guid, string>();
    public IReadOnlyDictionary<Guid, string> Raised { get; private set; } = new Dictionary<Guid, string>();

    /// <summary>The titles of the evidence items the checklist cites.</summary>
    public IReadOnlyDictionary<Guid, string> Cited { get; private set; } = new Dictionary<Guid, string>();
    public bool IsAuditor => user.Id is { } me && Audit.Auditors.Any(a => a.UserId == me);
    public bool IsLead => user.Id == Audit.LeadAuditorUserId;
    public bool CanManage => org.Can(OrgRole.Manager);

    public static IReadOnlyList<(ChecklistResult Value, string Name)> Results { get; } =
        [.. Enum.GetValues<ChecklistResult>().Select(r => (r, InternalAuditReport.Label(r)))];

    public string Name(Guid id) => Names.TryGetValue(id, out var n) ? n : "someone no longer a member";

    public static string Outcome(OccurrenceOutcome outcome) => outcome switch
    {
        OccurrenceOutcome.OnTime => "on time",
        OccurrenceOutcome.Late => "late",
        OccurrenceOutcome.Missed => "missed",
        OccurrenceOutcome.Skipped => "skipped",
        OccurrenceOutcome.Overdue => "overdue",
        _ => "not due yet",
    };

    public async Task<IActionResult> OnGetAsync(Guid id, CancellationToken ct) => await LoadAsync(id, ct) ? Page() : NotFound();

    public Task<IActionResult> OnPostStartAsync(Guid id, DateOnly? periodFrom, DateOnly? periodTo, CancellationToken ct) =>
        ActAsync(id, "period", () => checklist.StartAsync(org.Id, id, Actor, periodFrom, periodTo, ct), ct);

    public Task<IActionResult> OnPostSampleAsync(Guid id, Guid itemId, Guid activityId, int? seed, CancellationToken ct) =>
        ActAsync(id, "sample", () => checklist.DrawSampleAsync(org.Id, id, itemId, activityId, Actor, seed, ct), ct, $"item-{itemId}");

    public Task<IActionResult> OnPostRecordAsync(Guid id, Guid itemId, string? result, string? notes, List<Guid>? evidenceIds, CancellationToken ct) =>
        ActAsync(id, "result", () => checklist.RecordAsync(org.Id, id, itemId, Actor, ParseResult(result), notes, evidenceIds ?? [], ct), ct, $"item-{itemId}");

    public async Task<IActionResult> OnPostAttachAsync(Guid id, Guid itemId, IFormFile? file, string? title, CancellationToken ct)
    {
        if (file is null || file.Length == 0)
        {
            return await ActAsync<bool>(id, "file", () => throw UseCaseException.Invalid("file", file is null ? "Choose a file to attach." : "The file is empty."), ct, $"item-{itemId}");
        }

        return await ActAsync(id, "file", async () =>
        {
            await using var content = file.OpenReadStream();
            return await attachments.AttachAsync(org.Id, id, itemId, Actor, new IncomingContent(content, file.FileName, file.ContentType), title,
                new EvidenceOrigin(EvidenceSource.Upload, user.RequireId()), ct);
        }, ct, $"item-{itemId}");
    }

    public Task<IActionResult> OnPostSignOffAsync(Guid id, CancellationToken ct) =>
        ActAsync(id, "checklist", () => checklist.SignOffAsync(org.Id, id, Actor, ct), ct);

    public Task<IActionResult> OnPostCancelAsync(Guid id, string? reason, CancellationToken ct) =>
        CanManage
            ? ActAsync(id, "reason", () => audits.CancelAsync(org.Id, id, new InternalAuditActor(user.RequireId(), org.Role), user.DisplayName, reason, ct), ct)
            : Task.FromResult<IActionResult>(StatusCode(StatusCodes.Status403Forbidden));

    private static ChecklistResult ParseResult(string? text) =>
        Enum.TryParse<ChecklistResult>(text, out var r) && Enum.IsDefined(r) ? r : throw UseCaseException.Invalid("result", "Choose a result.");

    private ChecklistActor Actor => new(user.RequireId(), user.Email, org.Role);

    private async Task<IActionResult> ActAsync<T>(Guid id, string field, Func<Task<T>> step, CancellationToken ct, string? anchor = null)
    {
        try
        {
            await step();
            return Redirect($"/o/{org.Slug}/internal-audits/{id}{(anchor is null ? "" : $"#{anchor}")}");
        }
        catch (UseCaseException e) when (e.Kind == UseCaseErrorKind.NotFound)
        {
            return NotFound();
        }
        catch (UseCaseException e)
        {
            db.ChangeTracker.Clear();
            ModelState.AddModelError(field, e.Message);
            return await LoadAsync(id, ct) ? Page() : NotFound();
        }
    }

    private async Task<bool> LoadAsync(Guid id, CancellationToken ct)
    {
        try
        {
            Audit = await audits.GetAsync(org.Id, id, ct);
        }
        catch (UseCaseException e) when (e.Kind == UseCaseErrorKind.NotFound)
        {
            return false;
        }

        Items = await checklist.ChecklistAsync(org.Id, id, ct);
        var people = Audit.Auditors.Select(a => a.UserId).Append(Audit.LeadAuditorUserId).Distinct().ToList();
        Names = await db.Users.AsNoTracking().Where(u => people.Contains(u.Id)).ToDictionaryAsync(u => u.Id, u => u.DisplayName, ct);
        var ncs = Items.Select(i => i.Item.NonconformityId).OfType<Guid>().ToList();
        var ofis = Items.Select(i => i.Item.ImprovementId).OfType<Guid>().ToList();
        var raised = await db.Nonconformities.AsNoTracking().Where(n => ncs.Contains(n.Id)).ToDictionaryAsync(n => n.Id, n => n.Reference, ct);
        foreach (var (k, v) in await db.Improvements.AsNoTracking().Where(i => ofis.Contains(i.Id)).ToDictionaryAsync(i => i.Id, i => i.Reference, ct))
        {
            raised[k] = v;
        }

        Raised = raised;
        var cited = Items.SelectMany(i => i.Item.EvidenceIds).Distinct().ToList();
        Cited = cited.Count == 0 ? new Dictionary<Guid, string>()
            : await db.EvidenceItems.AsNoTracking().Where(e => e.OrganisationId == org.Id && EF.Parameter(cited).Contains(e.Id)).ToDictionaryAsync(e => e.Id, e => e.Title, ct);
        return true;
    }
}

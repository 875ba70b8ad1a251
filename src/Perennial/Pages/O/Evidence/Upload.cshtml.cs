using System.Globalization;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;
using Microsoft.EntityFrameworkCore;
using Perennial.Activities;
using Perennial.Common;
using Perennial.Data;
using Perennial.Evidence;
using Perennial.Evidence.Storage;
using Perennial.Organisations;
using Perennial.Pages.O.Activities;
using Perennial.Security;

namespace Perennial.Pages.O.Evidence;

/// <summary>
/// Uploading a file as evidence, or a new version of an item (which supersedes it). The metadata is
/// checked before the bytes are stored, and the item recorded only once they are; every problem is
/// shown beside its field.
/// </summary>
[RequestSizeLimit(EvidenceUpload.MaxRequestBytes)]
[RequestFormLimits(MultipartBodyLengthLimit = EvidenceUpload.MaxRequestBytes)]
public sealed class UploadModel(
    CurrentOrg org, CurrentUser user, EvidenceService evidence, OrganisationService organisations, PerennialDbContext db, TimeProvider time) : PageModel
{
    /// <summary>The TempData key for the notice the detail page shows after an upload.</summary>
    public const string Message = "evidence-message";

    [BindProperty(Name = "file")]
    public IFormFile? Attachment { get; set; }

    [BindProperty]
    public string? Title { get; set; }

    [BindProperty]
    public string? Description { get; set; }

    [BindProperty]
    public string? PeriodFrom { get; set; }

    [BindProperty]
    public string? PeriodTo { get; set; }

    [BindProperty]
    public string? RetainUntil { get; set; }

    [BindProperty]
    public Guid? ActivityId { get; set; }

    [BindProperty]
    public Guid? ControlId { get; set; }

    [BindProperty(SupportsGet = true, Name = "supersedes")]
    public Guid? Supersedes { get; set; }

    public CurrentOrg Org => org;
    public EvidenceItem? Superseding { get; private set; }
    public ActivityFormOptions Options { get; private set; } = null!;
    public IReadOnlyList<(Guid Id, string Label)> ActivityChoices { get; private set; } = [];
    public string MaxSize => ContentTooLargeException.Describe(evidence.MaxUploadBytes);

    public async Task<IActionResult> OnGetAsync(CancellationToken ct)
    {
        if (!await LoadAsync(ct))
        {
            return NotFound();
        }

        if (Superseding is { } old)
        {
            Title = old.Title;
            ActivityId = old.Links.FirstOrDefault(l => l.ActivityId is not null)?.ActivityId;
            ControlId = old.Links.FirstOrDefault(l => l.ControlId is not null)?.ControlId;
            PeriodFrom = Text(old.PeriodFrom);
            PeriodTo = Text(old.PeriodTo);
            RetainUntil = old.RetainUntil is { } r ? Text(r) : null;
        }
        else
        {
            PeriodTo = Text(DateOnly.FromDateTime(time.GetUtcNow().UtcDateTime));
        }

        return Page();
    }

    public async Task<IActionResult> OnPostAsync(CancellationToken ct)
    {
        ModelState.Clear();
        if (!await LoadAsync(ct))
        {
            return NotFound();
        }

        var from = ReadDate(PeriodFrom, "periodFrom", "The first day the evidence covers");
        var to = ReadDate(PeriodTo, "periodTo", "The last day the evidence covers");
        var retain = ReadDate(RetainUntil, "retainUntil", "Keep until");
        if (Attachment is null || Attachment.Length == 0)
        {
            ModelState.AddModelError("file", Attachment is null ? "Choose a file to upload." : "The file is empty.");
        }
        else if (Attachment.Length > evidence.MaxUploadBytes)
        {
            ModelState.AddModelError("file", $"The file is larger than the {MaxSize} limit.");
        }

        if (!ModelState.IsValid)
        {
            return Page();
        }

        var input = new EvidenceInput
        {
            Title = Title,
            Description = Description,
            Kind = EvidenceKind.File,
            PeriodFrom = from,
            PeriodTo = to,
            RetainUntil = retain,
            ActivityId = ActivityId,
            ControlId = ControlId,
            Supersedes = Supersedes,
        };
        try
        {
            var checkedInput = await evidence.CheckAsync(org.Id, input, hasContent: true, ct);
            StoredContent stored;
            await using (var content = Attachment!.OpenReadStream())
            {
                stored = await evidence.StoreAsync(content, ct);
            }

            var recorded = await evidence.RecordAsync(org.Id, checkedInput, stored, Attachment.FileName, Attachment.ContentType, new EvidenceOrigin(EvidenceSource.Upload, user.RequireId()), ct);
            TempData[Message] = Supersedes is null ? "Recorded. Its SHA-256 is below." : "Recorded as the new version; the old one stays, superseded.";
            return Redirect($"/o/{org.Slug}/evidence/{recorded.Item.Id}");
        }
        catch (UseCaseException e)
        {
            ModelState.AddModelError(e.Field ?? string.Empty, e.Message);
            return Page();
        }
    }

    /// <summary>The errors recorded for a field, as the use case names it (e.g. periodTo).</summary>
    public IReadOnlyList<string> ErrorsFor(string field) =>
        ModelState.TryGetValue(field, out var entry) ? [.. entry.Errors.Select(e => e.ErrorMessage)] : [];

    private async Task<bool> LoadAsync(CancellationToken ct)
    {
        if (Supersedes is { } id)
        {
            try
            {
                Superseding = await evidence.GetAsync(org.Id, id, ct);
            }
            catch (UseCaseException e) when (e.Kind == UseCaseErrorKind.NotFound)
            {
                return false;
            }
        }

        Options = await ActivityFormOptions.LoadAsync(org.Id, organisations, db, ct);
        var activities = await db.Activities.AsNoTracking()
            .Where(a => a.OrganisationId == org.Id && (a.State != ActivityState.Retired || a.Id == ActivityId))
            .OrderBy(a => a.Reference).Select(a => new { a.Id, a.Reference, a.Title }).ToListAsync(ct);
        ActivityChoices = [.. activities.Select(a => (a.Id, $"{a.Reference} {a.Title}"))];
        return true;
    }

    private DateOnly? ReadDate(string? text, string field, string label)
    {
        var value = (text ?? "").Trim();
        if (value.Length == 0)
        {
            return null;
        }

        if (DateOnly.TryParseExact(value, "yyyy-MM-dd", CultureInfo.InvariantCulture, DateTimeStyles.None, out var date))
        {
            return date;
        }

        ModelState.AddModelError(field, $"{label}: '{(value.Length > 40 ? value[..40] + "…" : value)}' is not a date like 2026-03-31.");
        return null;
    }

    private static string Text(DateOnly date) => date.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture);
}

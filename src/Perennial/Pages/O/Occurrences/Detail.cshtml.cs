using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;
using Microsoft.EntityFrameworkCore;
using Perennial.Activities;
using Perennial.Common;
using Perennial.Data;
using Perennial.Hosting;
using Perennial.Nonconformities;
using Perennial.Organisations;
using Perennial.Security;

namespace Perennial.Pages.O.Occurrences;

/// <summary>One required evidence item and what answers it so far.</summary>
public sealed record EvidenceCheck(string Label, IReadOnlyList<OccurrenceEvidence> Items)
{
    public bool Covered => Items.Count > 0;
}

/// <summary>
/// An occurrence: what is due and how, the evidence it has, and the forms to complete, skip or move
/// it. E-mails and calendar feeds link here, so the address must not change.
/// </summary>
[RequestSizeLimit(EvidenceUpload.MaxRequestBytes)]
[RequestFormLimits(MultipartBodyLengthLimit = EvidenceUpload.MaxRequestBytes)]
public sealed class DetailModel(
    CurrentOrg org, CurrentUser user, OccurrenceService occurrences, NonconformityWorkflow nonconformities, PerennialOptions options, PerennialDbContext db) : PageModel
{
    private const string Message = "occurrence-message";

    /// <summary>Form field prefixes: a file or link answering one required evidence item.</summary>
    public const string FilePrefix = "evidence:";
    public const string LinkPrefix = "link:";

    public CurrentOrg Org => org;
    public Occurrence Occurrence { get; private set; } = null!;
    public Activity Activity => Occurrence.Activity!;
    public OccurrenceStatus Status { get; private set; }
    public IReadOnlyList<EvidenceCheck> Checklist { get; private set; } = [];
    public IReadOnlyList<OccurrenceEvidence> Extra { get; private set; } = [];
    public IReadOnlyDictionary<Guid, string> People { get; private set; } = new Dictionary<Guid, string>();
    public Nonconformity? Nonconformity { get; private set; }
    public IReadOnlyList<Perennial.AccessReviews.AccessReview> AccessReviews { get; private set; } = [];
    public bool IsAccessReview => Perennial.AccessReviews.AccessReviewService.IsAccessReview(Activity);
    public string? Notice { get; private set; }

    /// <summary>What the forms keep when a completion is refused, so nothing typed is lost.</summary>
    public string? Notes { get; private set; }
    public string? Links { get; private set; }

    public long MaxUploadBytes => options.Evidence.MaxUploadBytes;
    public bool IsOpen => Occurrence.State == OccurrenceState.Open;

    /// <summary>Owner, deputy, managers and admins act on an occurrence; everyone else reads it.</summary>
    public bool CanAct => org.Can(OrgRole.Manager)
        || (org.Can(OrgRole.Contributor) && user.Id is Guid me && (Activity.OwnerUserId == me || Activity.DeputyUserId == me));

    public bool CanSkip => org.Can(OrgRole.Manager);

    public async Task<IActionResult> OnGetAsync(Guid id, CancellationToken ct)
    {
        if (!await LoadAsync(id, ct))
        {
            return NotFound();
        }

        Notice = TempData[Message] as string;
        return Page();
    }

    public async Task<IActionResult> OnPostCompleteAsync(Guid id, CancellationToken ct)
    {
        if (!await LoadAsync(id, ct))
        {
            return NotFound();
        }

        var form = await EvidenceUpload.ReadFormAsync(Request, ct);
        Notes = form["notes"].FirstOrDefault();
        Links = form["links"].FirstOrDefault();
        var files = new List<EvidenceFile>();
        try
        {
            // A file input left empty still arrives as a part without a file name.
            foreach (var file in form.Files.Where(f => !string.IsNullOrEmpty(f.FileName)))
            {
                files.Add(new EvidenceFile(file.FileName, file.ContentType, file.OpenReadStream(), RequirementOf(file.Name, FilePrefix)));
            }

            var links = new List<EvidenceLink>();
            foreach (var key in form.Keys.Where(k => k.StartsWith(LinkPrefix, StringComparison.Ordinal)))
            {
                var url = form[key].FirstOrDefault();
                if (!string.IsNullOrWhiteSpace(url))
                {
                    links.Add(new EvidenceLink(url, RequirementOf(key, LinkPrefix)));
                }
            }

            links.AddRange((Links ?? "").Split(['\n', '\r'], StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).Select(l => new EvidenceLink(l)));
            var done = await occurrences.CompleteAsync(org.Id, id, Actor(), Notes, files, links, options.Evidence.MaxUploadBytes, ct);
            var count = done.Evidence.Count;
            TempData[Message] = $"Completed, with {count} evidence item{(count == 1 ? "" : "s")}.";
            return Redirect($"/o/{org.Slug}/occurrences/{id}");
        }
        catch (UseCaseException e)
        {
            return await RefusedAsync(id, e, ct);
        }
        finally
        {
            foreach (var file in files)
            {
                await file.Content.DisposeAsync();
            }
        }
    }

    public async Task<IActionResult> OnPostSkipAsync(Guid id, string? reason, CancellationToken ct)
    {
        if (!org.Can(OrgRole.Manager))
        {
            return StatusCode(StatusCodes.Status403Forbidden);
        }

        try
        {
            await occurrences.SkipAsync(org.Id, id, Actor(), reason, ct);
            TempData[Message] = "Skipped, with your approval recorded.";
            return Redirect($"/o/{org.Slug}/occurrences/{id}");
        }
        catch (UseCaseException e)
        {
            return await RefusedAsync(id, e, ct);
        }
    }

    public async Task<IActionResult> OnPostMoveAsync(Guid id, string? due, CancellationToken ct)
    {
        try
        {
            var local = ActivityNames.ParseLocal(due, "due");
            await occurrences.RescheduleAsync(org.Id, id, Actor(), local, ct);
            TempData[Message] = "Moved. Schedule changes will leave this occurrence where it is now.";
            return Redirect($"/o/{org.Slug}/occurrences/{id}");
        }
        catch (UseCaseException e)
        {
            return await RefusedAsync(id, e, ct);
        }
    }

    private OccurrenceActor Actor() => new(user.RequireId(), org.Role);

    /// <summary>The required item a field answers. Browsers may percent-encode unusual characters in field names.</summary>
    private string? RequirementOf(string name, string prefix)
    {
        if (!name.StartsWith(prefix, StringComparison.OrdinalIgnoreCase) || name.Length == prefix.Length)
        {
            return null;
        }

        var label = name[prefix.Length..];
        if (Activity.EvidenceRequired.Contains(label, StringComparer.OrdinalIgnoreCase))
        {
            return label;
        }

        var decoded = Uri.UnescapeDataString(label);
        return Activity.EvidenceRequired.Contains(decoded, StringComparer.OrdinalIgnoreCase) ? decoded : label;
    }

    private async Task<IActionResult> RefusedAsync(Guid id, UseCaseException e, CancellationToken ct)
    {
        switch (e.Kind)
        {
            case UseCaseErrorKind.NotFound:
                return NotFound();
            case UseCaseErrorKind.Forbidden:
                return StatusCode(StatusCodes.Status403Forbidden);
        }

        db.ChangeTracker.Clear();
        ModelState.AddModelError(e.Field ?? string.Empty, e.Message);
        return await LoadAsync(id, ct) ? Page() : NotFound();
    }

    private async Task<bool> LoadAsync(Guid id, CancellationToken ct)
    {
        try
        {
            Occurrence = await occurrences.GetAsync(org.Id, id, ct);
        }
        catch (UseCaseException e) when (e.Kind == UseCaseErrorKind.NotFound)
        {
            return false;
        }

        Status = occurrences.StatusOf(Occurrence);
        var evidence = Occurrence.Evidence.OrderBy(e => e.AddedAt).ThenBy(e => e.FileName ?? e.Url).ToList();
        Checklist = [.. Activity.EvidenceRequired.Select(r => new EvidenceCheck(r,
            [.. evidence.Where(e => string.Equals(e.Requirement, r, StringComparison.OrdinalIgnoreCase))]))];
        Extra = [.. evidence.Where(e => e.Requirement is null || !Activity.EvidenceRequired.Contains(e.Requirement, StringComparer.OrdinalIgnoreCase))];
        var ids = evidence.Select(e => e.AddedByUserId).OfType<Guid>().Distinct().ToList();
        People = await db.Users.AsNoTracking().Where(u => ids.Contains(u.Id)).ToDictionaryAsync(u => u.Id, u => u.DisplayName, ct);
        Nonconformity = Occurrence.NonconformityId is Guid nc ? await nonconformities.GetAsync(org.Id, nc, ct) : null;
        AccessReviews = await db.AccessReviews.AsNoTracking().Where(r => r.OccurrenceId == id && r.OrganisationId == org.Id).OrderBy(r => r.CreatedAt).ToListAsync(ct);
        return true;
    }
}

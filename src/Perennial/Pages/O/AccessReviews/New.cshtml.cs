using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;
using Perennial.AccessReviews;
using Perennial.Activities;
using Perennial.Common;
using Perennial.Evidence;
using Perennial.Security;

namespace Perennial.Pages.O.AccessReviews;

/// <summary>Starts a review: an open access-review occurrence, and either a stored snapshot or a CSV export.</summary>
[RequestSizeLimit(EvidenceUpload.MaxRequestBytes)]
[RequestFormLimits(MultipartBodyLengthLimit = EvidenceUpload.MaxRequestBytes)]
public sealed class NewModel(CurrentOrg org, CurrentUser user, AccessReviewService reviews) : PageModel
{
    public CurrentOrg Org => org;
    public IReadOnlyList<Occurrence> Occurrences { get; private set; } = [];
    public IReadOnlyList<EvidenceItem> Snapshots { get; private set; } = [];

    [BindProperty] public Guid? OccurrenceId { get; set; }
    [BindProperty] public Guid? SnapshotEvidenceId { get; set; }
    [BindProperty(Name = "system")] public string? SystemName { get; set; }

    public async Task OnGetAsync(Guid? occurrence, CancellationToken ct)
    {
        OccurrenceId = occurrence;
        await LoadAsync(ct);
    }

    public async Task<IActionResult> OnPostAsync(IFormFile? file, CancellationToken ct)
    {
        var actor = new OccurrenceActor(user.RequireId(), org.Role);
        try
        {
            var occurrenceId = OccurrenceId ?? throw UseCaseException.Invalid("occurrenceId", "Choose the occurrence the review belongs to.");
            AccessReview review;
            if (file is { Length: > 0 })
            {
                await using var content = file.OpenReadStream();
                review = await reviews.StartFromCsvAsync(org.Id, occurrenceId, SystemName, new IncomingContent(content, file.FileName, file.ContentType),
                    new EvidenceOrigin(EvidenceSource.Upload, actor.UserId), actor, ct);
            }
            else
            {
                var snapshot = SnapshotEvidenceId ?? throw UseCaseException.Invalid("snapshotEvidenceId", "Choose a snapshot, or upload a CSV of the accounts.");
                review = await reviews.StartFromSnapshotAsync(org.Id, occurrenceId, snapshot, actor, ct);
            }

            return Redirect($"/o/{org.Slug}/access-reviews/{review.Id}");
        }
        catch (UseCaseException e) when (e.Kind == UseCaseErrorKind.Forbidden)
        {
            return StatusCode(StatusCodes.Status403Forbidden);
        }
        catch (UseCaseException e)
        {
            ModelState.AddModelError(e.Field ?? string.Empty, e.Message);
            await LoadAsync(ct);
            return Page();
        }
    }

    private async Task LoadAsync(CancellationToken ct)
    {
        Occurrences = await reviews.OpenOccurrencesAsync(org.Id, ct);
        Snapshots = await reviews.SnapshotsAsync(org.Id, ct);
    }
}

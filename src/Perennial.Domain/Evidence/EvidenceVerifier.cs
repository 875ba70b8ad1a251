using Microsoft.EntityFrameworkCore;
using Perennial.Data;
using Perennial.Evidence.Storage;

namespace Perennial.Evidence;

/// <summary>An item whose stored bytes are missing or no longer hash to its recorded SHA-256.</summary>
public sealed record EvidenceProblem(Guid ItemId, string OrganisationSlug, string Title, string Sha256, string Problem);

public sealed record EvidenceVerification(int ItemsChecked, int ContentChecked, IReadOnlyList<EvidenceProblem> Problems)
{
    public bool Intact => Problems.Count == 0;
}

/// <summary>Re-hashes every stored content an item points at and reports items whose bytes no longer match.</summary>
public sealed class EvidenceVerifier(PerennialDbContext db, IEvidenceStore store)
{
    public async Task<EvidenceVerification> VerifyAsync(Guid? organisationId, CancellationToken ct)
    {
        var items = db.EvidenceItems.AsNoTracking().Where(e => e.Sha256 != null);
        if (organisationId is { } org)
        {
            items = items.Where(e => e.OrganisationId == org);
        }

        var rows = await items
            .Join(db.Organisations, e => e.OrganisationId, o => o.Id, (e, o) => new { e.Id, e.Title, e.Sha256, o.Slug })
            .OrderBy(r => r.Sha256).ThenBy(r => r.Id)
            .ToListAsync(ct);

        var problems = new List<EvidenceProblem>();
        var contentChecked = 0;
        foreach (var group in rows.GroupBy(r => r.Sha256!))
        {
            var problem = await CheckAsync(group.Key, ct);
            contentChecked++;
            if (problem is not null)
            {
                problems.AddRange(group.Select(r => new EvidenceProblem(r.Id, r.Slug, r.Title, r.Sha256!, problem)));
            }
        }

        return new EvidenceVerification(rows.Count, contentChecked, problems);
    }

    private async Task<string?> CheckAsync(string sha256, CancellationToken ct)
    {
        Stream? content;
        try
        {
            content = await store.OpenReadAsync(sha256, ct);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return $"content could not be read: {e.Message}";
        }

        if (content is null)
        {
            return "content is missing from the store";
        }

        await using (content)
        {
            var actual = await HashingCopy.HashAsync(content, ct);
            return actual == sha256 ? null : $"content has changed: its bytes now hash to {actual}";
        }
    }
}

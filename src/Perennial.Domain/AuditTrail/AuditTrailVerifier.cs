using Microsoft.EntityFrameworkCore;
using Perennial.Data;

namespace Perennial.AuditTrail;

public sealed record AuditTrailVerification(bool Intact, long EntriesChecked, long? BrokenAtSequence, string Message);

/// <summary>Walks the chain from the first entry and reports the first link that does not hold.</summary>
public sealed class AuditTrailVerifier(PerennialDbContext db)
{
    public async Task<AuditTrailVerification> VerifyAsync(CancellationToken ct)
    {
        // The head is read first: entries appended while the chain is walked lie beyond it and are
        // left for the next check, so a busy system is not reported as broken.
        var head = await db.AuditTrailHeads.AsNoTracking().SingleOrDefaultAsync(ct);
        var headSequence = head?.LastSequence ?? 0;
        var headHash = head?.LastHash ?? AuditEntry.GenesisHash;
        var expectedPrevious = AuditEntry.GenesisHash;
        long expectedSequence = 1;
        long checkedCount = 0;

        await foreach (var entry in db.AuditEntries.AsNoTracking().Where(e => e.Sequence <= headSequence).OrderBy(e => e.Sequence).AsAsyncEnumerable().WithCancellation(ct))
        {
            if (entry.Sequence != expectedSequence)
            {
                return Broken(checkedCount, expectedSequence,
                    $"Audit trail broken at entry {expectedSequence}: it is missing (the next entry present is {entry.Sequence}).");
            }

            if (!string.Equals(entry.PreviousHash, expectedPrevious, StringComparison.Ordinal))
            {
                return Broken(checkedCount, entry.Sequence,
                    $"Audit trail broken at entry {entry.Sequence}: it does not link to entry {entry.Sequence - 1} (previous hash differs).");
            }

            if (!string.Equals(entry.ComputeHash(), entry.Hash, StringComparison.Ordinal))
            {
                return Broken(checkedCount, entry.Sequence,
                    $"Audit trail broken at entry {entry.Sequence} ({entry.EntityType} {entry.EntityId}, {entry.Action} at {entry.At:O}): its content no longer matches its hash.");
            }

            expectedPrevious = entry.Hash;
            expectedSequence++;
            checkedCount++;
        }

        if (headSequence != checkedCount || !string.Equals(headHash, expectedPrevious, StringComparison.Ordinal))
        {
            var first = Math.Min(headSequence, checkedCount) + 1;
            return Broken(checkedCount, first,
                $"Audit trail broken at entry {first}: the trail records {headSequence} entries but {checkedCount} are present (entries were removed from the end, or the head was altered).");
        }

        return new AuditTrailVerification(true, checkedCount, null, $"Audit trail intact: {checkedCount} entries verified; newest hash {expectedPrevious}.");
    }

    private static AuditTrailVerification Broken(long checkedCount, long sequence, string message) =>
        new(false, checkedCount, sequence, message);
}

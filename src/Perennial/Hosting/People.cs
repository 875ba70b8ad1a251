using Microsoft.EntityFrameworkCore;
using Perennial.Data;
using Perennial.Nonconformities;

namespace Perennial.Hosting;

/// <summary>The people an API answer names, looked up once per answer.</summary>
public static class People
{
    public static async Task<Dictionary<Guid, PersonDto>> ByIdAsync(PerennialDbContext db, IEnumerable<Guid> ids, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(db);
        var wanted = ids.Distinct().ToList();
        return wanted.Count == 0 ? [] : await db.Users.AsNoTracking().Where(u => wanted.Contains(u.Id)).ToDictionaryAsync(u => u.Id, u => new PersonDto(u.Id, u.Email, u.DisplayName), ct);
    }
}

using Microsoft.EntityFrameworkCore;

namespace Perennial.Paging;

public static class PagingExtensions
{
    public static async Task<Paged<T>> ToPagedAsync<T>(this IQueryable<T> query, PageRequest request, CancellationToken ct)
    {
        var total = await query.CountAsync(ct);
        var items = await query.Skip(request.Skip).Take(request.PageSize).ToListAsync(ct);
        return new Paged<T>(items, request.Page, request.PageSize, total);
    }
}

using Perennial.Paging;

namespace Perennial.Hosting;

/// <summary>The list envelope every API list returns.</summary>
public sealed record PageDto<T>(IReadOnlyList<T> Items, int Page, int PageSize, int Total);

public static class PagingApi
{
    public static PageDto<TOut> ToDto<TIn, TOut>(this Paged<TIn> paged, Func<TIn, TOut> map)
    {
        ArgumentNullException.ThrowIfNull(paged);
        return new PageDto<TOut>(paged.Items.Select(map).ToList(), paged.Page, paged.PageSize, paged.Total);
    }

    /// <summary>Validates <c>?page=&amp;pageSize=</c>; throws a 400 naming the parameter.</summary>
    public static PageRequest Read(int? page, int? pageSize)
    {
        if (PageRequest.Validate(page, pageSize) is { } error)
        {
            throw Common.UseCaseException.Invalid(error.Field, error.Message);
        }

        return PageRequest.From(page, pageSize);
    }
}

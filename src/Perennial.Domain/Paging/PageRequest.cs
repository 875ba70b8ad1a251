namespace Perennial.Paging;

/// <summary>A page of a list: 1-based page number and a bounded page size.</summary>
public readonly record struct PageRequest(int Page, int PageSize)
{
    public const int DefaultPageSize = 50;
    public const int MaxPageSize = 200;

    /// <summary>Far beyond any real list, and small enough that the offset cannot overflow.</summary>
    public const int MaxPage = 1_000_000;

    public int Skip => (Page - 1) * PageSize;

    /// <summary>Returns the error for a bad page request, or null when it is valid.</summary>
    public static (string Field, string Message)? Validate(int? page, int? pageSize)
    {
        if (page is < 1 or > MaxPage)
        {
            return ("page", $"page must be between 1 and {MaxPage}.");
        }

        if (pageSize is < 1 or > MaxPageSize)
        {
            return ("pageSize", $"pageSize must be between 1 and {MaxPageSize}.");
        }

        return null;
    }

    public static PageRequest From(int? page, int? pageSize) => new(page ?? 1, pageSize ?? DefaultPageSize);

    /// <summary>For pages of the web UI: an out-of-range page number shows the nearest page that exists.</summary>
    public static PageRequest ForUi(int page) => new(Math.Clamp(page, 1, MaxPage), DefaultPageSize);
}

public sealed record Paged<T>(IReadOnlyList<T> Items, int Page, int PageSize, int Total);

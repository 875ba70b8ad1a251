namespace Perennial.Paging;

/// <summary>A page of a list: 1-based page number and a bounded page size.</summary>
public readonly record struct PageRequest(int Page, int PageSize)
{
    public const int DefaultPageSize = 50;
    public const int MaxPageSize = 200;

    public int Skip => (Page - 1) * PageSize;

    /// <summary>Returns the error for a bad page request, or null when it is valid.</summary>
    public static (string Field, string Message)? Validate(int? page, int? pageSize)
    {
        if (page is < 1)
        {
            return ("page", "page must be 1 or more.");
        }

        if (pageSize is < 1 or > MaxPageSize)
        {
            return ("pageSize", $"pageSize must be between 1 and {MaxPageSize}.");
        }

        return null;
    }

    public static PageRequest From(int? page, int? pageSize) => new(page ?? 1, pageSize ?? DefaultPageSize);
}

public sealed record Paged<T>(IReadOnlyList<T> Items, int Page, int PageSize, int Total);

namespace Perennial.Pages.Shared;

public sealed record PagerModel(string Path, int Page, int PageSize, int Total, string Query = "")
{
    public int Pages => Math.Max(1, (Total + PageSize - 1) / PageSize);

    /// <summary>The query parameter that carries the page number, for a page with more than one list.</summary>
    public string Parameter { get; init; } = "page";

    /// <summary>Where on the page the list is (an element id), so the next page opens at the list.</summary>
    public string? Fragment { get; init; }

    /// <summary>What the pager's navigation is called, for a page with more than one.</summary>
    public string Label { get; init; } = "Pages";

    public string Link(int page) => $"{Path}?{Parameter}={page}{Query}{(Fragment is null ? "" : "#" + Fragment)}";
}

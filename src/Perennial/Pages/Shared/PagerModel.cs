namespace Perennial.Pages.Shared;

public sealed record PagerModel(string Path, int Page, int PageSize, int Total, string Query = "")
{
    public int Pages => Math.Max(1, (Total + PageSize - 1) / PageSize);

    public string Link(int page) => $"{Path}?page={page}{Query}";
}

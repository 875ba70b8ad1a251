using System.ComponentModel.DataAnnotations;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;
using Perennial.Assets;
using Perennial.Common;
using Perennial.Organisations;
using Perennial.Pages.Shared;
using Perennial.Paging;
using Perennial.Security;
using Perennial.Soa;

namespace Perennial.Pages.O.Assets;

public sealed class IndexModel(CurrentOrg org, AssetService assets, OrganisationService organisations) : PageModel
{
    private const string DoneMessage = "assets-message";

    public sealed class AssetForm
    {
        [Required, StringLength(AssetService.NameMax)]
        public string Name { get; set; } = "";

        [Required]
        public string Kind { get; set; } = "information";

        [Required]
        public string Classification { get; set; } = "internal";

        public Guid? OwnerUserId { get; set; }

        [StringLength(AssetService.DescriptionMax)]
        public string? Description { get; set; }
    }

    [BindProperty]
    public AssetForm Form { get; set; } = new();

    // From the query string only: the route value "page" is the Razor page's own path.
    [FromQuery(Name = "page")]
    public int PageNumber { get; set; } = 1;

    [FromQuery(Name = "kind")]
    public string? Kind { get; set; }

    [FromQuery(Name = "search")]
    public string? Search { get; set; }

    [FromQuery(Name = "edit")]
    public Guid? Edit { get; set; }

    public CurrentOrg Org => org;
    public Paged<AssetListItem> Assets { get; private set; } = new([], 1, PageRequest.DefaultPageSize, 0);
    public IReadOnlyList<MemberSummary> Members { get; private set; } = [];
    public AssetListItem? Editing { get; private set; }
    public IReadOnlyList<SpreadsheetRowError> ImportErrors { get; private set; } = [];
    public string? Message { get; private set; }

    public string Query =>
        (Kind is { Length: > 0 } ? "&kind=" + Uri.EscapeDataString(Kind) : "") + (Search is { Length: > 0 } ? "&search=" + Uri.EscapeDataString(Search) : "");

    public PagerModel Pager => new($"/o/{org.Slug}/assets", Assets.Page, Assets.PageSize, Assets.Total, Query);

    public static IReadOnlyList<AssetKind> Kinds { get; } = Enum.GetValues<AssetKind>();
    public static IReadOnlyList<Classification> Classifications { get; } = Enum.GetValues<Classification>();

    public async Task OnGetAsync(CancellationToken ct)
    {
        Message = TempData[DoneMessage] as string;
        if (Edit is { } id && org.Can(OrgRole.Contributor) && await assets.GetAsync(org.Id, id, ct) is { } asset)
        {
            Editing = asset;
            Form = new AssetForm
            {
                Name = asset.Name,
                Kind = AssetService.ToName(asset.Kind),
                Classification = AssetService.ToName(asset.Classification),
                OwnerUserId = asset.OwnerUserId,
                Description = asset.Description,
            };
        }

        await LoadAsync(ct);
    }

    public async Task<IActionResult> OnPostSaveAsync(Guid? id, CancellationToken ct)
    {
        if (ModelState.IsValid)
        {
            try
            {
                if (!AssetService.TryParseKind(Form.Kind, out var kind))
                {
                    throw UseCaseException.Invalid("kind", $"The kind is one of {AssetService.KindNames}.");
                }

                if (!AssetService.TryParseClassification(Form.Classification, out var classification))
                {
                    throw UseCaseException.Invalid("classification", $"The classification is one of {AssetService.ClassificationNames}.");
                }

                var input = new AssetInput(Form.Name, kind, Form.Description, Form.OwnerUserId, classification);
                var saved = id is { } existing ? await assets.UpdateAsync(org.Id, existing, input, ct) : await assets.CreateAsync(org.Id, input, ct);
                TempData[DoneMessage] = id is null ? $"Asset '{saved.Name}' added." : $"Asset '{saved.Name}' saved.";
                return Redirect($"/o/{org.Slug}/assets");
            }
            catch (UseCaseException e)
            {
                ModelState.AddModelError(string.Empty, e.Message);
            }
        }

        if (id is { } editing)
        {
            Editing = await assets.GetAsync(org.Id, editing, ct);
        }

        await LoadAsync(ct);
        return Page();
    }

    public async Task<IActionResult> OnPostDeleteAsync(Guid id, CancellationToken ct)
    {
        ModelState.Clear();
        try
        {
            var deleted = await assets.DeleteAsync(org.Id, id, ct);
            var unlinked = new[] { (deleted.Risks, "risk"), (deleted.Changes, "change"), (deleted.Incidents, "incident") }
                .Where(x => x.Item1 > 0).Select(x => $"{x.Item1} {x.Item2}{(x.Item1 == 1 ? "" : "s")}").ToList();
            TempData[DoneMessage] = unlinked.Count == 0
                ? $"Asset '{deleted.Name}' deleted."
                : $"Asset '{deleted.Name}' deleted and unlinked from {string.Join(", ", unlinked)}." + (deleted.Risks > 0 ? " Each risk's history records it." : "");
            return Redirect($"/o/{org.Slug}/assets");
        }
        catch (UseCaseException e)
        {
            ModelState.AddModelError(string.Empty, e.Message);
        }

        await LoadAsync(ct);
        return Page();
    }

    public async Task<IActionResult> OnPostImportAsync(IFormFile? file, CancellationToken ct)
    {
        ModelState.Clear();
        if (file is null || file.Length == 0 || file.Length > AssetService.MaxImportBytes)
        {
            ModelState.AddModelError(string.Empty, $"Choose a CSV or XLSX file of at most {AssetService.MaxImportBytes / (1024 * 1024)} MB.");
        }
        else
        {
            await using var stream = file.OpenReadStream();
            var result = await assets.ImportAsync(org.Id, file.FileName, stream, ct);
            if (result.Succeeded)
            {
                TempData[DoneMessage] = $"{result.Imported} asset(s) imported.";
                return Redirect($"/o/{org.Slug}/assets");
            }

            ImportErrors = result.Errors;
        }

        await LoadAsync(ct);
        return Page();
    }

    private async Task LoadAsync(CancellationToken ct)
    {
        AssetKind? kind = AssetService.TryParseKind(Kind, out var k) ? k : null;
        Kind = kind is { } known ? AssetService.ToName(known) : null;
        Search = Search is { Length: > 100 } ? Search[..100] : Search;
        Assets = await assets.ListAsync(org.Id, new AssetQuery(kind, Search), PageRequest.ForUi(PageNumber), ct);
        if (org.Can(OrgRole.Contributor))
        {
            Members = (await organisations.ListMembersAsync(org.Id, new PageRequest(1, PageRequest.MaxPageSize), ct)).Items;
        }
    }
}

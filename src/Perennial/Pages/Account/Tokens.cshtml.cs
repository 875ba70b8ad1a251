using System.ComponentModel.DataAnnotations;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;
using Perennial.ApiTokens;
using Perennial.Common;
using Perennial.Pages.Shared;
using Perennial.Paging;
using Perennial.Security;

namespace Perennial.Pages.Account;

public sealed class TokensModel(CurrentUser user, ApiTokenService tokens) : PageModel
{
    public sealed class CreateInput
    {
        [Required, StringLength(ApiToken.NameMaxLength)]
        public string Name { get; set; } = "";

        public DateOnly? ExpiresOn { get; set; }
    }

    [BindProperty]
    public CreateInput Input { get; set; } = new();

    // From the query string only: the route value "page" is the Razor page's own path.
    [FromQuery(Name = "page")]
    public int PageNumber { get; set; } = 1;

    public Paged<ApiTokenSummary> Tokens { get; private set; } = new([], 1, PageRequest.DefaultPageSize, 0);
    public PagerModel Pager => new("/account/tokens", Tokens.Page, Tokens.PageSize, Tokens.Total);

    /// <summary>Shown in the response to the create request only; never stored or put in a cookie.</summary>
    public string? NewSecret { get; private set; }

    public async Task OnGetAsync(CancellationToken ct) => await LoadAsync(ct);

    public async Task<IActionResult> OnPostCreateAsync(CancellationToken ct)
    {
        if (!ModelState.IsValid)
        {
            await LoadAsync(ct);
            return Page();
        }

        try
        {
            var created = await tokens.CreateAsync(user.RequireId(), Input.Name, Input.ExpiresOn, ct);
            NewSecret = created.Secret;
            ModelState.Clear();
            Input = new CreateInput();
            await LoadAsync(ct);
            return Page();
        }
        catch (UseCaseException e)
        {
            ModelState.AddModelError(e.Field == "expires" ? "Input.ExpiresOn" : "Input.Name", e.Message);
            await LoadAsync(ct);
            return Page();
        }
    }

    public async Task<IActionResult> OnPostRevokeAsync(Guid id, CancellationToken ct)
    {
        try
        {
            await tokens.RevokeAsync(user.RequireId(), id, ct);
        }
        catch (UseCaseException)
        {
            return NotFound();
        }

        return RedirectToPage();
    }

    private async Task LoadAsync(CancellationToken ct) =>
        Tokens = await tokens.ListAsync(user.RequireId(), PageRequest.ForUi(PageNumber), ct);
}

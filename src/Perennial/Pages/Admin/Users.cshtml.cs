using System.ComponentModel.DataAnnotations;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;
using Perennial.Accounts;
using Perennial.Common;
using Perennial.Pages.Shared;
using Perennial.Paging;

namespace Perennial.Pages.Admin;

public sealed class UsersModel(AccountService accounts) : PageModel
{
    public sealed class CreateInput
    {
        [Required, EmailAddress, StringLength(256)]
        public string Email { get; set; } = "";

        [StringLength(200)]
        public string? DisplayName { get; set; }

        public bool IsInstallationAdmin { get; set; }
    }

    [BindProperty]
    public CreateInput Input { get; set; } = new();

    [FromQuery(Name = "page")]
    public int PageNumber { get; set; } = 1;

    public Paged<AccountSummary> Accounts { get; private set; } = new([], 1, PageRequest.DefaultPageSize, 0);
    public PagerModel Pager => new("/admin/users", Accounts.Page, Accounts.PageSize, Accounts.Total);

    public (string Email, string Password)? Created { get; private set; }

    public async Task OnGetAsync(CancellationToken ct) => await LoadAsync(ct);

    public async Task<IActionResult> OnPostAsync(CancellationToken ct)
    {
        if (ModelState.IsValid)
        {
            try
            {
                var created = await accounts.CreateAsync(Input.Email, Input.DisplayName, null, Input.IsInstallationAdmin, ct);
                Created = (created.User.Email ?? "", created.GeneratedPassword!);
                ModelState.Clear();
                Input = new CreateInput();
            }
            catch (UseCaseException e)
            {
                ModelState.AddModelError("Input.Email", e.Message);
            }
        }

        await LoadAsync(ct);
        return Page();
    }

    private async Task LoadAsync(CancellationToken ct) =>
        Accounts = await accounts.ListAsync(PageRequest.ForUi(PageNumber), ct);
}

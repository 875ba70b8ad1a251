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

    /// <summary>A generated password, shown in this response only.</summary>
    public (string What, string Email, string Password)? NewPassword { get; private set; }

    public string? Message { get; private set; }

    public async Task OnGetAsync(CancellationToken ct) => await LoadAsync(ct);

    public async Task<IActionResult> OnPostCreateAsync(CancellationToken ct)
    {
        if (ModelState.IsValid)
        {
            try
            {
                var created = await accounts.CreateAsync(Input.Email, Input.DisplayName, null, Input.IsInstallationAdmin, ct);
                NewPassword = ("Created account", created.User.Email ?? "", created.GeneratedPassword!);
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

    public async Task<IActionResult> OnPostResetPasswordAsync(Guid userId, CancellationToken ct) =>
        await ActAsync(userId, async email => NewPassword = ("New password for", email, await accounts.ResetPasswordAsync(userId, ct)), ct);

    public async Task<IActionResult> OnPostUnlockAsync(Guid userId, CancellationToken ct) =>
        await ActAsync(userId, async email =>
        {
            await accounts.UnlockAsync(userId, ct);
            Message = $"{email} is unlocked.";
        }, ct);

    public async Task<IActionResult> OnPostAdministratorAsync(Guid userId, bool isAdmin, CancellationToken ct) =>
        await ActAsync(userId, async email =>
        {
            await accounts.SetInstallationAdminAsync(userId, isAdmin, ct);
            Message = isAdmin ? $"{email} is now an installation administrator." : $"{email} is no longer an installation administrator.";
        }, ct);

    private async Task<IActionResult> ActAsync(Guid userId, Func<string, Task> action, CancellationToken ct)
    {
        ModelState.Clear();
        var email = await accounts.EmailOfAsync(userId, ct);
        if (email is null)
        {
            return NotFound();
        }

        try
        {
            await action(email);
        }
        catch (UseCaseException e)
        {
            ModelState.AddModelError(string.Empty, e.Message);
        }

        await LoadAsync(ct);
        return Page();
    }

    private async Task LoadAsync(CancellationToken ct) =>
        Accounts = await accounts.ListAsync(PageRequest.ForUi(PageNumber), ct);
}

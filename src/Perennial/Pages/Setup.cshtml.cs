using System.ComponentModel.DataAnnotations;
using Microsoft.AspNetCore.Identity;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;
using Perennial.Accounts;
using Perennial.Common;
using Perennial.Data;
using Perennial.Organisations;

namespace Perennial.Pages;

/// <summary>The one-time setup page: shown only while no installation administrator exists.</summary>
public sealed class SetupModel(AccountService accounts, OrganisationService organisations, SignInManager<User> signIn, PerennialDbContext db) : PageModel
{
    public sealed class SetupInput
    {
        [Required, EmailAddress, StringLength(256)]
        public string Email { get; set; } = "";

        [StringLength(200)]
        public string? DisplayName { get; set; }

        [Required, StringLength(256, MinimumLength = 12)]
        public string Password { get; set; } = "";

        [Required, StringLength(Organisation.NameMaxLength)]
        public string OrganisationName { get; set; } = "";

        [Required, StringLength(Organisation.SlugMaxLength)]
        public string OrganisationSlug { get; set; } = "";
    }

    [BindProperty]
    public SetupInput Input { get; set; } = new();

    // Closed as soon as any account exists (a demo seed or `perennial user add` included): from then
    // on only an administrator creates accounts.
    public async Task<IActionResult> OnGetAsync(CancellationToken ct) =>
        await accounts.AnyAccountAsync(ct) ? NotFound() : Page();

    public async Task<IActionResult> OnPostAsync(CancellationToken ct)
    {
        if (await accounts.AnyAccountAsync(ct))
        {
            return NotFound();
        }

        if (!ModelState.IsValid)
        {
            return Page();
        }

        await using var transaction = await db.Database.BeginTransactionAsync(ct);
        try
        {
            // Two first-run forms posted at once: only the first creates an administrator.
            await db.LockAsync("setup", ct);
            if (await accounts.AnyAccountAsync(ct))
            {
                await transaction.RollbackAsync(CancellationToken.None);
                return NotFound();
            }

            var created = await accounts.CreateAsync(Input.Email, Input.DisplayName, Input.Password, installationAdmin: true, ct);
            var organisation = await organisations.CreateAsync(Input.OrganisationSlug, Input.OrganisationName, created.User.Id, isDemo: false, ct);
            await transaction.CommitAsync(ct);
            await signIn.SignInAsync(created.User, isPersistent: false);
            return Redirect($"/o/{organisation.Slug}");
        }
        catch (UseCaseException e)
        {
            await transaction.RollbackAsync(CancellationToken.None);
            db.ChangeTracker.Clear();
            ModelState.AddModelError(e.Field switch
            {
                "slug" => "Input.OrganisationSlug",
                "name" => "Input.OrganisationName",
                "password" => "Input.Password",
                _ => "Input.Email",
            }, e.Message);
            return Page();
        }
    }
}

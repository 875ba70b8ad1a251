using System.ComponentModel.DataAnnotations;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;
using Microsoft.AspNetCore.Mvc.Rendering;
using Perennial.Common;
using Perennial.Organisations;
using Perennial.Pages.Shared;
using Perennial.Paging;
using Perennial.Security;

namespace Perennial.Pages.O;

public sealed class MembersModel(CurrentOrg org, OrganisationService organisations) : PageModel
{
    public sealed class AddInput
    {
        [Required, EmailAddress, StringLength(256)]
        public string Email { get; set; } = "";

        [Required]
        public string Role { get; set; } = "contributor";

        public DateOnly? ExpiresOn { get; set; }
    }

    [BindProperty]
    public AddInput Add { get; set; } = new();

    // From the query string only: the route value "page" is the Razor page's own path.
    [FromQuery(Name = "page")]
    public int PageNumber { get; set; } = 1;

    public CurrentOrg Org => org;
    public Paged<MemberSummary> Members { get; private set; } = new([], 1, PageRequest.DefaultPageSize, 0);
    public PagerModel Pager => new($"/o/{org.Slug}/settings/members", Members.Page, Members.PageSize, Members.Total);

    public IEnumerable<SelectListItem> RoleOptions =>
        Enum.GetValues<OrgRole>().Reverse().Select(r => new SelectListItem(r.ToLabel(), r.ToName()));

    public async Task OnGetAsync(CancellationToken ct) => await LoadAsync(ct);

    public async Task<IActionResult> OnPostAddAsync(CancellationToken ct)
    {
        if (ModelState.IsValid)
        {
            await RunAsync(async () =>
            {
                if (!OrgRoles.TryParse(Add.Role, out var role))
                {
                    throw UseCaseException.Invalid("role", $"Role must be one of {OrgRoles.Names}.");
                }

                await organisations.AddMemberAsync(org.Id, Add.Email, role, Add.ExpiresOn, ct);
                ModelState.Clear();
                Add = new AddInput();
            });
        }

        await LoadAsync(ct);
        return Page();
    }

    public async Task<IActionResult> OnPostChangeAsync(Guid userId, string role, DateOnly? expiresOn, CancellationToken ct)
    {
        ModelState.Clear();
        await RunAsync(async () =>
        {
            if (!OrgRoles.TryParse(role, out var parsed))
            {
                throw UseCaseException.Invalid("role", $"Role must be one of {OrgRoles.Names}.");
            }

            await organisations.ChangeMemberAsync(org.Id, userId, parsed, expiresOn, ct);
        });
        await LoadAsync(ct);
        return Page();
    }

    public async Task<IActionResult> OnPostRemoveAsync(Guid userId, CancellationToken ct)
    {
        ModelState.Clear();
        await RunAsync(() => organisations.RemoveMemberAsync(org.Id, userId, ct));
        await LoadAsync(ct);
        return Page();
    }

    private async Task RunAsync(Func<Task> action)
    {
        try
        {
            await action();
        }
        catch (UseCaseException e)
        {
            ModelState.AddModelError(string.Empty, e.Message);
        }
    }

    private async Task LoadAsync(CancellationToken ct) =>
        Members = await organisations.ListMembersAsync(org.Id, PageRequest.ForUi(PageNumber), ct);
}

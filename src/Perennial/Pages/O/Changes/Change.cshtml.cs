using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;
using Perennial.Changes;
using Perennial.Common;
using Perennial.Organisations;
using Perennial.Paging;
using Perennial.Security;

namespace Perennial.Pages.O.Changes;

/// <summary>The impact answers as the form posts them: "yes", "no" or nothing for each question.</summary>
public sealed class ImpactForm
{
    public string? Scope { get; set; }
    public string? Assets { get; set; }
    public string? Supplier { get; set; }
    public string? Access { get; set; }
    public string? Legal { get; set; }
    public string? Soa { get; set; }
    public Guid? TaskOwnerUserId { get; set; }
    public DateOnly? TaskDueOn { get; set; }

    public ImpactAnswers ToAnswers() => new(Answer(Scope), Answer(Assets), Answer(Supplier), Answer(Access), Answer(Legal), Answer(Soa));

    private static bool? Answer(string? value) => value switch
    {
        "yes" => true,
        "no" => false,
        _ => null,
    };
}

public sealed class ChangeModel(CurrentOrg org, ChangeService changes, OrganisationService organisations) : PageModel
{
    private const string Message = "change-message";

    public CurrentOrg Org => org;
    public ChangeDetails Details { get; private set; } = null!;
    public Change Change => Details.Change;
    public ChangeForm Form { get; private set; } = new();
    public IReadOnlyList<AssetOption> Assets { get; private set; } = [];
    public IReadOnlyList<ControlOption> Controls { get; private set; } = [];
    public IReadOnlyList<MemberSummary> Members { get; private set; } = [];
    public string? Notice { get; private set; }

    /// <summary>The edit form: the status can stay, or move as <see cref="ChangeService.NextStatuses"/> allows.</summary>
    public ChangeFormModel FormModel => new(Form, Assets, Controls, "edit", [Change.Status, .. ChangeService.NextStatuses(Change.Status)]);

    public async Task<IActionResult> OnGetAsync(Guid id, CancellationToken ct)
    {
        if (!await LoadAsync(id, ct))
        {
            return NotFound();
        }

        Notice = TempData[Message] as string;
        Form = ChangeForm.From(Details);
        return Page();
    }

    public async Task<IActionResult> OnPostUpdateAsync(Guid id, ChangeForm form, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(form);
        var current = await changes.GetAsync(org.Id, id, ct);
        if (current is null)
        {
            return NotFound();
        }

        return await RunAsync(id, "Saved.", () => changes.UpdateAsync(org.Id, id, form.ToInput(current.Status, current.RequesterUserId), ct), ct, form);
    }

    public Task<IActionResult> OnPostImpactAsync(Guid id, ImpactForm impact, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(impact);
        var defaults = impact.TaskOwnerUserId is null && impact.TaskDueOn is null ? null : new TaskDefaults(impact.TaskOwnerUserId, impact.TaskDueOn);
        return RunAsync(id, "Impact answers saved.", () => changes.AnswerImpactAsync(org.Id, id, impact.ToAnswers(), defaults, ct), ct);
    }

    public Task<IActionResult> OnPostDoneAsync(Guid id, Guid taskId, CancellationToken ct) =>
        RunAsync(id, "Task marked done.", () => changes.CompleteTaskAsync(org.Id, id, taskId, ct), ct);

    public async Task<IActionResult> OnPostWaiveAsync(Guid id, Guid taskId, string? reason, CancellationToken ct)
    {
        if (!org.Can(OrgRole.Manager))
        {
            return StatusCode(StatusCodes.Status403Forbidden);
        }

        return await RunAsync(id, "Task waived.", () => changes.WaiveTaskAsync(org.Id, id, taskId, reason, ct), ct);
    }

    public async Task<IActionResult> OnPostCloseAsync(Guid id, CancellationToken ct)
    {
        if (!org.Can(OrgRole.Manager))
        {
            return StatusCode(StatusCodes.Status403Forbidden);
        }

        return await RunAsync(id, "The change is closed.", () => changes.CloseAsync(org.Id, id, ct), ct);
    }

    private async Task<IActionResult> RunAsync<T>(Guid id, string done, Func<Task<T>> action, CancellationToken ct, ChangeForm? form = null)
    {
        try
        {
            await action();
            TempData[Message] = done;
            return Redirect($"/o/{org.Slug}/changes/{id}");
        }
        catch (UseCaseException e) when (e.Kind != UseCaseErrorKind.NotFound)
        {
            ModelState.AddModelError(string.Empty, e.Message);
        }
        catch (UseCaseException)
        {
            return NotFound();
        }

        if (!await LoadAsync(id, ct))
        {
            return NotFound();
        }

        Form = form ?? ChangeForm.From(Details);
        return Page();
    }

    private async Task<bool> LoadAsync(Guid id, CancellationToken ct)
    {
        var details = await changes.DetailsAsync(org.Id, id, ct);
        if (details is null)
        {
            return false;
        }

        Details = details;
        Assets = await changes.AssetOptionsAsync(org.Id, ct);
        Controls = await changes.ControlOptionsAsync(org.Id, ct);
        Members = (await organisations.ListMembersAsync(org.Id, new PageRequest(1, PageRequest.MaxPageSize), ct)).Items.Where(m => m.Active).ToList();
        return true;
    }
}

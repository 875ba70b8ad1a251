using System.Globalization;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;
using Perennial.Common;
using Perennial.Evidence;
using Perennial.Frameworks;
using Perennial.Organisations;
using Perennial.Paging;
using Perennial.Security;

namespace Perennial.Pages.O.Frameworks;

public sealed class ControlModel(
    CurrentOrg org, FrameworkService frameworks, OrganisationService organisations, Perennial.Risks.RiskService risks, EvidenceTimeline timeline) : PageModel
{
    /// <summary>The evidence timeline's period, when the reader picks one (default: the audit period).</summary>
    [FromQuery(Name = "from")]
    public DateOnly? From { get; set; }

    [FromQuery(Name = "to")]
    public DateOnly? To { get; set; }

    /// <summary>"Evidence across the audit period": slots, gaps and the items behind them.</summary>
    public ControlTimeline Timeline { get; private set; } = null!;

    /// <summary>The newest current evidence against the control's freshness requirement.</summary>
    public LatestEvidence Latest { get; private set; } = null!;

    /// <summary>The open risks whose treatment names this control.</summary>
    public IReadOnlyList<Perennial.Risks.RiskListItem> Risks { get; private set; } = [];

    public string Slug => org.Slug;
    public bool CanEdit => org.Can(OrgRole.Manager);
    public ControlDetail Control { get; private set; } = null!;
    public IReadOnlyList<MemberSummary> Members { get; private set; } = [];
    private FrameworkSummary framework = null!;

    public async Task<IActionResult> OnGetAsync(string key, string identifier, CancellationToken ct) =>
        await LoadAsync(key, identifier, ct) ? Page() : NotFound();

    public Task<IActionResult> OnPostImplementationAsync(string key, string identifier, Guid? ownerUserId, string? status, string? notes, CancellationToken ct) =>
        ActAsync(key, identifier, () => frameworks.UpdateControlAsync(org.Id, framework.Id, Control.Identifier,
            new ControlInput(ownerUserId, ImplementationStatuses.TryParse(status, out var s) ? s : throw UseCaseException.Invalid("status", "Choose a status."), notes), ct), ct);

    public Task<IActionResult> OnPostFreshnessAsync(string key, string identifier, string? evidenceFreshnessDays, CancellationToken ct) =>
        ActAsync(key, identifier, () =>
        {
            var text = (evidenceFreshnessDays ?? "").Trim();
            int? days = text.Length == 0 ? null
                : int.TryParse(text, NumberStyles.Integer, CultureInfo.InvariantCulture, out var d) ? d
                : throw UseCaseException.Invalid("evidenceFreshnessDays", $"How recent evidence must be is a whole number of days, not '{(text.Length > 20 ? text[..20] : text)}'.");
            return timeline.SetControlFreshnessAsync(org.Id, Control.Id, days, ct);
        }, ct);

    public Task<IActionResult> OnPostDocumentAsync(string key, string identifier, string? title, string? link, string? version, DateOnly? reviewDate, CancellationToken ct) =>
        ActAsync(key, identifier, () => frameworks.AddDocumentAsync(org.Id, framework.Id, Control.Identifier, new DocumentInput(title ?? "", link, version, reviewDate), ct), ct);

    public Task<IActionResult> OnPostRemoveDocumentAsync(string key, string identifier, Guid documentId, CancellationToken ct) =>
        ActAsync(key, identifier, () => frameworks.RemoveDocumentAsync(org.Id, documentId, ct), ct);

    private async Task<IActionResult> ActAsync(string key, string identifier, Func<Task> action, CancellationToken ct)
    {
        if (!await LoadAsync(key, identifier, ct))
        {
            return NotFound();
        }

        try
        {
            await action();
            return Redirect($"/o/{org.Slug}/frameworks/{framework.Key}/controls/{Uri.EscapeDataString(Control.Identifier)}");
        }
        catch (UseCaseException e)
        {
            ModelState.AddModelError(string.Empty, e.Message);
            return Page();
        }
    }

    private async Task<bool> LoadAsync(string key, string identifier, CancellationToken ct)
    {
        var found = await frameworks.FindAsync(org.Id, key, ct);
        var control = found is null ? null : await frameworks.GetControlAsync(org.Id, found.Id, identifier, ct);
        if (found is null || control is null)
        {
            return false;
        }

        framework = found;
        Control = control;
        Members = (await organisations.ListMembersAsync(org.Id, new PageRequest(1, PageRequest.MaxPageSize), ct)).Items;
        Risks = (await risks.ListAsync(org.Id, new Perennial.Risks.RiskQuery(ControlId: control.Id), new PageRequest(1, 100), ct)).Items;
        try
        {
            Timeline = await timeline.ForControlAsync(org.Id, control.Id, From, To, ct);
        }
        catch (UseCaseException e) when (e.Kind == UseCaseErrorKind.Validation)
        {
            ModelState.AddModelError(string.Empty, $"Evidence timeline: {e.Message} The audit period is shown instead.");
            (From, To) = (null, null);
            Timeline = await timeline.ForControlAsync(org.Id, control.Id, null, null, ct);
        }

        Latest = await timeline.LatestForControlAsync(org.Id, control.Id, ct);
        return true;
    }
}

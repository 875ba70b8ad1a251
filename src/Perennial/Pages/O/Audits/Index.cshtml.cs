using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;
using Perennial.Certification;
using Perennial.Common;
using Perennial.Pages.Shared;
using Perennial.Security;

namespace Perennial.Pages.O.Audits;

public sealed class CertificateForm
{
    public string CertificationBody { get; set; } = "";
    public string? CertificateNumber { get; set; }
    public string? StandardVersion { get; set; } = "ISO/IEC 27001:2022";
    public DateOnly? Stage2AuditDate { get; set; }
    public DateOnly? IssueDate { get; set; }
    public DateOnly? ExpiryDate { get; set; }
    public int? RecertificationLeadDays { get; set; } = CyclePlanner.DefaultRecertificationLeadDays;

    public CertificateInput ToInput() =>
        new(CertificationBody ?? "", CertificateNumber, StandardVersion, Stage2AuditDate,
            IssueDate ?? throw UseCaseException.Invalid("issueDate", "The issue date is required."), ExpiryDate, RecertificationLeadDays);
}

public sealed class IndexModel(CurrentOrg org, CycleService cycles, TimeProvider time) : PageModel
{
    public CurrentOrg Org => org;
    public CertificationCycle? Cycle { get; private set; }
    public CycleTimelineModel? Timeline { get; private set; }
    public IReadOnlyList<CertificationCycle> PastCycles { get; private set; } = [];
    public CertificateForm Certificate { get; private set; } = new();

    public async Task OnGetAsync(CancellationToken ct) => await LoadAsync(ct);

    public Task<IActionResult> OnPostCertificateAsync(CertificateForm certificate, CancellationToken ct) =>
        RunAsync(() => cycles.SaveCertificateAsync(org.Id, certificate.ToInput(), ct), ct);

    public Task<IActionResult> OnPostNextAsync(CertificateForm certificate, CancellationToken ct) =>
        RunAsync(() => cycles.StartNextCycleAsync(org.Id, certificate.ToInput(), ct), ct);

    public Task<IActionResult> OnPostAuditAsync(string kind, DateOnly? plannedDate, DateOnly? windowStart, DateOnly? windowEnd, DateOnly? heldOn, string? auditors, string? notes, CancellationToken ct) =>
        RunAsync(() => cycles.UpdateAuditAsync(org.Id, Kind(kind),
            new AuditPlanInput(
                plannedDate ?? throw UseCaseException.Invalid("plannedDate", "The planned date is required."),
                windowStart ?? throw UseCaseException.Invalid("windowStart", "The window's first day is required."),
                windowEnd ?? throw UseCaseException.Invalid("windowEnd", "The window's last day is required."),
                heldOn, auditors, notes), ct), ct);

    public Task<IActionResult> OnPostFindingAsync(string kind, string findingKind, string reference, string description, string? controlIdentifier, DateOnly? closureDeadline, CancellationToken ct) =>
        RunAsync(() => cycles.AddFindingAsync(org.Id, Kind(kind),
            new FindingInput(FindingKinds.TryParse(findingKind, out var fk) ? fk : throw UseCaseException.Invalid("kind", "Choose the kind of finding."),
                reference, description, controlIdentifier, closureDeadline, null), ct), ct);

    public async Task<IActionResult> OnPostCloseFindingAsync(Guid findingId, CancellationToken ct)
    {
        var cycle = await cycles.GetCurrentAsync(org.Id, ct);
        var finding = cycle?.Audits.SelectMany(a => a.Findings).SingleOrDefault(f => f.Id == findingId);
        if (finding is null)
        {
            return NotFound();
        }

        var today = DateOnly.FromDateTime(time.GetUtcNow().UtcDateTime);
        return await RunAsync(() => cycles.UpdateFindingAsync(org.Id, findingId,
            new FindingInput(finding.Kind, finding.Reference, finding.Description, finding.ControlIdentifier, finding.ClosureDeadline, today), ct), ct);
    }

    private static ExternalAuditKind Kind(string kind) =>
        ExternalAuditKinds.TryParse(kind, out var parsed) ? parsed : throw UseCaseException.Invalid("kind", "Unknown audit.");

    private async Task<IActionResult> RunAsync<T>(Func<Task<T>> action, CancellationToken ct)
    {
        try
        {
            await action();
            return Redirect($"/o/{org.Slug}/audits");
        }
        catch (UseCaseException e)
        {
            ModelState.AddModelError(string.Empty, e.Message);
            await LoadAsync(ct);
            return Page();
        }
    }

    private async Task LoadAsync(CancellationToken ct)
    {
        var all = await cycles.ListAsync(org.Id, ct);
        Cycle = all.FirstOrDefault(c => c.IsCurrent);
        PastCycles = all.Where(c => !c.IsCurrent).ToList();
        if (Cycle is not null)
        {
            var status = cycles.Status(Cycle);
            Timeline = new CycleTimelineModel(Cycle, DateOnly.FromDateTime(time.GetUtcNow().UtcDateTime), status.NextAudit, status.DaysToNextAudit);
            Certificate = new CertificateForm
            {
                CertificationBody = Cycle.CertificationBody,
                CertificateNumber = Cycle.CertificateNumber,
                StandardVersion = Cycle.StandardVersion,
                Stage2AuditDate = Cycle.Stage2AuditDate,
                IssueDate = Cycle.IssueDate,
                ExpiryDate = Cycle.ExpiryDate,
                RecertificationLeadDays = Cycle.RecertificationLeadDays,
            };
        }
    }
}

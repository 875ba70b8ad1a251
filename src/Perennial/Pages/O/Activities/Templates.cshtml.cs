using System.Globalization;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;
using Microsoft.EntityFrameworkCore;
using Perennial.Activities;
using Perennial.Common;
using Perennial.Data;
using Perennial.Organisations;
using Perennial.Paging;
using Perennial.Security;

namespace Perennial.Pages.O.Activities;

/// <summary>The templates form: which templates, who owns the new activities, from when, in which zone.</summary>
public sealed class TemplatesForm
{
    public List<string> Templates { get; set; } = [];
    public Guid? OwnerUserId { get; set; }
    public string? StartDate { get; set; }
    public string? TimeZone { get; set; } = "UTC";
    public string? TimeZoneOther { get; set; }

    public string EffectiveTimeZone => string.IsNullOrWhiteSpace(TimeZoneOther) ? (TimeZone ?? "").Trim() : TimeZoneOther.Trim();
}

/// <summary>A template as the page lists it, with the activity already made from it, if any.</summary>
public sealed record TemplateRow(ActivityTemplate Template, string Frequency, Guid? ActivityId, string? ActivityReference);

public sealed class TemplatesModel(CurrentOrg org, CurrentUser user, ActivityService activities, OrganisationService organisations, PerennialDbContext db, TimeProvider time) : PageModel
{
    [BindProperty]
    public TemplatesForm Form { get; set; } = new();

    public CurrentOrg Org => org;
    public IReadOnlyList<TemplateRow> Rows { get; private set; } = [];
    public IReadOnlyList<MemberSummary> People { get; private set; } = [];
    public bool CanCreate => org.Can(OrgRole.Manager);

    public async Task OnGetAsync(CancellationToken ct)
    {
        Form.StartDate = Today.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture);
        await LoadAsync(ct);
        Form.OwnerUserId = People.Any(p => p.UserId == user.Id) ? user.Id : null;

        // Ticked by default: the templates not yet in use, so one click sets up the whole routine.
        Form.Templates = [.. Rows.Where(r => r.ActivityId is null).Select(r => r.Template.Key)];
    }

    public async Task<IActionResult> OnPostAsync(CancellationToken ct)
    {
        try
        {
            var start = ParseStart(Form.StartDate);
            var owner = Form.OwnerUserId ?? throw UseCaseException.Invalid("ownerUserId", "Choose who owns the new activities.");
            var created = await activities.CreateFromTemplatesAsync(org.Id, Form.Templates, owner, start, Form.EffectiveTimeZone, ct);
            TempData[DetailModel.Message] = created.Count == 0
                ? "Nothing was created: the templates chosen are in use already."
                : $"Created {created.Count} activit{(created.Count == 1 ? "y" : "ies")}: {string.Join(", ", created.Select(a => $"{a.Reference} {a.Title}"))}.";
            return Redirect($"/o/{org.Slug}/activities");
        }
        catch (UseCaseException e) when (e.Kind != UseCaseErrorKind.NotFound)
        {
            db.ChangeTracker.Clear();
            ModelState.AddModelError(FormErrors.Key(e.Field), e.Message);
        }

        await LoadAsync(ct);
        return Page();
    }

    private DateOnly Today => DateOnly.FromDateTime(time.GetUtcNow().UtcDateTime);

    private static DateOnly ParseStart(string? text)
    {
        var value = (text ?? "").Trim();
        return DateOnly.TryParseExact(value, "yyyy-MM-dd", CultureInfo.InvariantCulture, DateTimeStyles.None, out var date)
            ? date
            : throw UseCaseException.Invalid("startDate", value.Length == 0 ? "Choose the date the routine starts from." : $"'{value}' is not a date like 2026-03-31.");
    }

    private async Task LoadAsync(CancellationToken ct)
    {
        var members = (await organisations.ListMembersAsync(org.Id, new PageRequest(1, PageRequest.MaxPageSize), ct)).Items;
        People = [.. members.Where(m => m.Active && m.Role >= OrgRole.Contributor).OrderBy(m => m.DisplayName, StringComparer.CurrentCultureIgnoreCase)];
        var used = await db.Activities.AsNoTracking()
            .Where(a => a.OrganisationId == org.Id && a.TemplateKey != null && a.State != ActivityState.Retired)
            .OrderBy(a => a.Reference)
            .Select(a => new { Key = a.TemplateKey!, a.Id, a.Reference })
            .ToListAsync(ct);
        var start = DateOnly.TryParseExact(Form.StartDate, "yyyy-MM-dd", CultureInfo.InvariantCulture, DateTimeStyles.None, out var d) ? d : Today;
        Rows = [.. ActivityTemplates.All.Select(t =>
        {
            var activity = used.FirstOrDefault(u => string.Equals(u.Key, t.Key, StringComparison.OrdinalIgnoreCase));
            var frequency = t.Source == ScheduleSource.CertificationCycle
                ? "On the external audit dates of the certification cycle"
                : ScheduleWords.Describe(SchedulePresets.Rule(t.Preset, start), start);
            return new TemplateRow(t, frequency, activity?.Id, activity?.Reference);
        })];
    }
}

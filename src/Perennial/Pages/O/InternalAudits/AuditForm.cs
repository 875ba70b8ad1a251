using Perennial.InternalAudits;
using Perennial.Organisations;

namespace Perennial.Pages.O.InternalAudits;

/// <summary>The fields of the plan-an-audit form, shared by planning and changing one.</summary>
public sealed class AuditForm
{
    public string? Title { get; set; }
    public DateOnly? PlannedStart { get; set; }
    public DateOnly? PlannedEnd { get; set; }
    public Guid? LeadAuditorUserId { get; set; }
    public List<Guid> AuditorUserIds { get; set; } = [];
    public string? Criteria { get; set; }

    /// <summary>Clauses and controls, separated by commas, spaces or new lines.</summary>
    public string? Scope { get; set; }
    public string? Units { get; set; }

    /// <summary>A manager's reason for letting auditors audit what they own; applied to each auditor who does.</summary>
    public string? OverrideJustification { get; set; }

    public static IReadOnlyList<string> Split(string? text) =>
        [.. (text ?? "").Split([',', ';', '\n', '\r', ' ', '\t'], StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)];

    /// <summary>Names separated by commas, semicolons or new lines (a name may hold spaces).</summary>
    public static IReadOnlyList<string> Lines(string? text) =>
        [.. (text ?? "").Split([',', ';', '\n', '\r'], StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)];

    public static AuditForm From(InternalAudit audit) => new()
    {
        Title = audit.Title,
        PlannedStart = audit.PlannedStart,
        PlannedEnd = audit.PlannedEnd,
        LeadAuditorUserId = audit.LeadAuditorUserId,
        AuditorUserIds = [.. audit.Auditors.Where(a => !a.IsLead).Select(a => a.UserId)],
        Criteria = audit.Criteria,
        Scope = string.Join(", ", audit.Scope.OrderBy(s => s.SortOrder).Select(s => s.Identifier)),
        Units = string.Join(", ", audit.Units),
        OverrideJustification = audit.Auditors.Select(a => a.OverrideJustification).FirstOrDefault(j => j is not null),
    };

    /// <summary>The service's input; the justification goes to every auditor who owns something in the scope.</summary>
    public async Task<InternalAuditInput> ToInputAsync(Guid organisationId, InternalAuditService audits, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(audits);
        var scope = Split(Scope);
        var lead = LeadAuditorUserId ?? throw Common.UseCaseException.Invalid("leadAuditorEmail", "Choose the lead auditor.");
        var auditors = AuditorUserIds.Where(a => a != lead).Distinct().ToList();
        var overrides = new List<ImpartialityOverride>();
        if (!string.IsNullOrWhiteSpace(OverrideJustification) && scope.Count > 0)
        {
            var owned = await audits.OwnedInScopeAsync(organisationId, [lead, .. auditors], [.. scope.Select(s => s.StartsWith("a.", StringComparison.Ordinal) ? "A" + s[1..] : s)], ct);
            overrides.AddRange(owned.Where(o => o.Value.Count > 0).Select(o => new ImpartialityOverride(o.Key, OverrideJustification)));
        }

        return new InternalAuditInput(Title, null, PlannedStart, PlannedEnd, lead, auditors, Criteria, scope, Lines(Units), overrides);
    }

    public static IReadOnlyList<MemberSummary> Auditors(IReadOnlyList<MemberSummary> members) => [.. members.Where(m => m.Active)];
}

/// <summary>What the shared form partial shows.</summary>
public sealed record AuditFormView(AuditForm Form, IReadOnlyList<MemberSummary> Members, string Submit);

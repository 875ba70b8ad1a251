using Microsoft.EntityFrameworkCore;
using Perennial.Common;
using Perennial.Data;

namespace Perennial.Certification;

public sealed record CertificateInput(
    string CertificationBody,
    string? CertificateNumber,
    string? StandardVersion,
    DateOnly? Stage2AuditDate,
    DateOnly IssueDate,
    DateOnly? ExpiryDate,
    int? RecertificationLeadDays);

public sealed record AuditPlanInput(DateOnly PlannedDate, DateOnly WindowStart, DateOnly WindowEnd, DateOnly? HeldOn, string? Auditors, string? Notes);

public sealed record FindingInput(FindingKind Kind, string Reference, string Description, string? ControlIdentifier, DateOnly? ClosureDeadline, DateOnly? ClosedOn);

/// <summary>Where the organisation stands in its cycle on a given day.</summary>
public sealed record CycleStatus(CertificationCycle Cycle, ExternalAudit? NextAudit, int? DaysToNextAudit, double ElapsedFraction, IReadOnlyList<AuditFinding> OpenFindings, IReadOnlyList<AuditFinding> OverdueFindings);

/// <summary>The certificate and its external audits, cycle after cycle.</summary>
public sealed class CycleService(PerennialDbContext db, TimeProvider time, Activities.ActivityService activities, Nonconformities.NonconformityService nonconformities)
{
    private DateOnly Today => DateOnly.FromDateTime(time.GetUtcNow().UtcDateTime);

    public async Task<CertificationCycle?> GetCurrentAsync(Guid organisationId, CancellationToken ct) =>
        await Cycles(organisationId).SingleOrDefaultAsync(c => c.IsCurrent, ct);

    public async Task<IReadOnlyList<CertificationCycle>> ListAsync(Guid organisationId, CancellationToken ct) =>
        await Cycles(organisationId).OrderByDescending(c => c.Number).ToListAsync(ct);

    /// <summary>Records the certificate of the current cycle (creating the first cycle) and plans its audits.</summary>
    public async Task<CertificationCycle> SaveCertificateAsync(Guid organisationId, CertificateInput input, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(input);
        var expiry = input.ExpiryDate ?? CyclePlanner.DefaultExpiry(input.IssueDate);
        var lead = input.RecertificationLeadDays ?? CyclePlanner.DefaultRecertificationLeadDays;
        ValidateCertificate(input, expiry, lead);

        var cycle = await GetCurrentAsync(organisationId, ct);
        if (cycle is null)
        {
            var number = await db.CertificationCycles.Where(c => c.OrganisationId == organisationId).MaxAsync(c => (int?)c.Number, ct) ?? 0;
            cycle = new CertificationCycle { OrganisationId = organisationId, Number = number + 1, IsCurrent = true, CreatedAt = time.GetUtcNow() };
            db.CertificationCycles.Add(cycle);
        }

        var datesChanged = cycle.IssueDate != input.IssueDate || cycle.ExpiryDate != expiry || cycle.RecertificationLeadDays != lead;
        cycle.CertificationBody = input.CertificationBody.Trim();
        cycle.CertificateNumber = Clean(input.CertificateNumber);
        cycle.StandardVersion = Clean(input.StandardVersion) ?? "ISO/IEC 27001:2022";
        cycle.Stage2AuditDate = input.Stage2AuditDate;
        cycle.IssueDate = input.IssueDate;
        cycle.ExpiryDate = expiry;
        cycle.RecertificationLeadDays = lead;
        if (datesChanged)
        {
            Replan(cycle);
        }

        await db.SaveChangesAsync(ct);
        await activities.SyncCycleActivitiesAsync(organisationId, ct);
        return cycle;
    }

    /// <summary>Moves an audit's plan or records that it took place.</summary>
    public async Task<ExternalAudit> UpdateAuditAsync(Guid organisationId, ExternalAuditKind kind, AuditPlanInput input, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(input);
        var cycle = await GetCurrentAsync(organisationId, ct) ?? throw NoCycle();
        var audit = cycle.Audits.Single(a => a.Kind == kind);
        if (input.WindowStart > input.WindowEnd)
        {
            throw UseCaseException.Invalid("windowStart", "The window must start on or before its end.");
        }

        if (input.PlannedDate < input.WindowStart || input.PlannedDate > input.WindowEnd)
        {
            throw UseCaseException.Invalid("plannedDate", $"The planned date must fall in the window {input.WindowStart:yyyy-MM-dd} to {input.WindowEnd:yyyy-MM-dd}.");
        }

        if (input.HeldOn is { } held && held > Today)
        {
            throw UseCaseException.Invalid("heldOn", "An audit cannot have been held in the future.");
        }

        audit.PlannedDate = input.PlannedDate;
        audit.WindowStart = input.WindowStart;
        audit.WindowEnd = input.WindowEnd;
        audit.HeldOn = input.HeldOn;
        audit.Auditors = Limit(Clean(input.Auditors), 500, "auditors");
        audit.Notes = Limit(Clean(input.Notes), 4000, "notes");
        await db.SaveChangesAsync(ct);
        await activities.SyncCycleActivitiesAsync(organisationId, ct);
        return audit;
    }

    public async Task<AuditFinding> AddFindingAsync(Guid organisationId, ExternalAuditKind kind, FindingInput input, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(input);
        var cycle = await GetCurrentAsync(organisationId, ct) ?? throw NoCycle();
        var audit = cycle.Audits.Single(a => a.Kind == kind);
        var finding = new AuditFinding { OrganisationId = organisationId, ExternalAuditId = audit.Id };
        Apply(finding, input);
        db.AuditFindings.Add(finding);
        await db.SaveChangesAsync(ct);
        await nonconformities.SyncFindingAsync(finding.Id, time.GetUtcNow(), ct);
        return finding;
    }

    public async Task<AuditFinding> UpdateFindingAsync(Guid organisationId, Guid findingId, FindingInput input, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(input);
        var finding = await db.AuditFindings.SingleOrDefaultAsync(f => f.Id == findingId && f.OrganisationId == organisationId, ct)
            ?? throw UseCaseException.NotFound("No such finding.");
        Apply(finding, input);
        await db.SaveChangesAsync(ct);
        await nonconformities.SyncFindingAsync(finding.Id, time.GetUtcNow(), ct);
        return finding;
    }

    /// <summary>After recertification: the current cycle becomes past and the new certificate starts the next one.</summary>
    public async Task<CertificationCycle> StartNextCycleAsync(Guid organisationId, CertificateInput input, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(input);
        var current = await GetCurrentAsync(organisationId, ct) ?? throw NoCycle();
        var recertification = current.Audits.Single(a => a.Kind == ExternalAuditKind.Recertification);
        if (recertification.HeldOn is null)
        {
            throw UseCaseException.Conflict("recertification", "Record the recertification audit as held before starting the next cycle.");
        }

        if (input.IssueDate <= current.IssueDate)
        {
            throw UseCaseException.Invalid("issueDate", "The new certificate must be issued after the current one.");
        }

        current.IsCurrent = false;
        await db.SaveChangesAsync(ct);
        return await SaveCertificateAsync(organisationId, input with { CertificationBody = string.IsNullOrWhiteSpace(input.CertificationBody) ? current.CertificationBody : input.CertificationBody }, ct);
    }

    public CycleStatus Status(CertificationCycle cycle)
    {
        ArgumentNullException.ThrowIfNull(cycle);
        var today = Today;
        var next = cycle.Audits.Where(a => a.HeldOn is null).OrderBy(a => a.PlannedDate).FirstOrDefault();
        var total = cycle.ExpiryDate.DayNumber - cycle.IssueDate.DayNumber;
        var elapsed = Math.Clamp((double)(today.DayNumber - cycle.IssueDate.DayNumber) / Math.Max(1, total), 0, 1);
        var findings = cycle.Audits.SelectMany(a => a.Findings).ToList();
        var open = findings.Where(f => f.ClosedOn is null).ToList();
        return new CycleStatus(cycle, next, next is null ? null : next.PlannedDate.DayNumber - today.DayNumber, elapsed, open,
            open.Where(f => f.ClosureDeadline is { } d && d < today).ToList());
    }

    private IQueryable<CertificationCycle> Cycles(Guid organisationId) =>
        db.CertificationCycles.Where(c => c.OrganisationId == organisationId)
            .Include(c => c.Audits.OrderBy(a => a.Kind)).ThenInclude(a => a.Findings.OrderBy(f => f.Reference))
            // A chain (audits, then each audit's findings), not siblings: one query returns no cross product.
            .AsSingleQuery();

    private static void Replan(CertificationCycle cycle)
    {
        foreach (var plan in CyclePlanner.Plan(cycle.IssueDate, cycle.ExpiryDate, cycle.RecertificationLeadDays))
        {
            var audit = cycle.Audits.SingleOrDefault(a => a.Kind == plan.Kind);
            if (audit is null)
            {
                cycle.Audits.Add(new ExternalAudit
                {
                    OrganisationId = cycle.OrganisationId,
                    Kind = plan.Kind,
                    PlannedDate = plan.PlannedDate,
                    WindowStart = plan.WindowStart,
                    WindowEnd = plan.WindowEnd,
                });
            }
            else if (audit.HeldOn is null)
            {
                // Audits already held keep their dates; the rest follow the certificate.
                audit.PlannedDate = plan.PlannedDate;
                audit.WindowStart = plan.WindowStart;
                audit.WindowEnd = plan.WindowEnd;
            }
        }
    }

    private static void ValidateCertificate(CertificateInput input, DateOnly expiry, int lead)
    {
        if (string.IsNullOrWhiteSpace(input.CertificationBody) || input.CertificationBody.Trim().Length > 200)
        {
            throw UseCaseException.Invalid("certificationBody", "The certification body is required (at most 200 characters).");
        }

        if (input.CertificateNumber is { Length: > 100 })
        {
            throw UseCaseException.Invalid("certificateNumber", "The certificate number is at most 100 characters.");
        }

        if (input.StandardVersion is { Length: > 100 })
        {
            throw UseCaseException.Invalid("standardVersion", "The standard version is at most 100 characters.");
        }

        if (expiry <= input.IssueDate.AddMonths(24))
        {
            throw UseCaseException.Invalid("expiryDate", "The certificate must expire more than two years after it is issued, after both surveillance audits.");
        }

        if (expiry > input.IssueDate.AddYears(4))
        {
            throw UseCaseException.Invalid("expiryDate", "A certificate runs for three years; the expiry date is more than four years after issue.");
        }

        if (input.Stage2AuditDate is { } stage2 && stage2 > input.IssueDate)
        {
            throw UseCaseException.Invalid("stage2AuditDate", "The stage 2 audit comes before the certificate is issued.");
        }

        if (lead is < 0 or > 365)
        {
            throw UseCaseException.Invalid("recertificationLeadDays", "The recertification lead time is between 0 and 365 days.");
        }
    }

    private static void Apply(AuditFinding finding, FindingInput input)
    {
        finding.Kind = Enum.IsDefined(input.Kind) ? input.Kind : throw UseCaseException.Invalid("kind", "Unknown finding kind.");
        finding.Reference = Limit(Clean(input.Reference), 50, "reference") ?? throw UseCaseException.Invalid("reference", "The finding's reference is required, e.g. NC-1.");
        finding.Description = Limit(Clean(input.Description), 4000, "description") ?? throw UseCaseException.Invalid("description", "Describe the finding.");
        finding.ControlIdentifier = Limit(Clean(input.ControlIdentifier), 64, "controlIdentifier");
        finding.ClosureDeadline = input.ClosureDeadline;
        finding.ClosedOn = input.ClosedOn;
        if (input.Kind is FindingKind.MajorNonconformity or FindingKind.MinorNonconformity && input.ClosureDeadline is null)
        {
            throw UseCaseException.Invalid("closureDeadline", "A nonconformity needs the certification body's closure deadline.");
        }
    }

    private static string? Clean(string? value) => string.IsNullOrWhiteSpace(value) ? null : value.Trim();

    private static string? Limit(string? value, int max, string field) =>
        value is { Length: var n } && n > max ? throw UseCaseException.Invalid(field, $"{field} is at most {max} characters.") : value;

    private static UseCaseException NoCycle() =>
        UseCaseException.NotFound("No certificate has been recorded yet.");
}

public static class FindingKinds
{
    public static string ToName(this FindingKind kind) => kind switch
    {
        FindingKind.MajorNonconformity => "major",
        FindingKind.MinorNonconformity => "minor",
        FindingKind.Observation => "observation",
        FindingKind.OpportunityForImprovement => "improvement",
        _ => throw new ArgumentOutOfRangeException(nameof(kind)),
    };

    public static string ToLabel(this FindingKind kind) => kind switch
    {
        FindingKind.MajorNonconformity => "Major nonconformity",
        FindingKind.MinorNonconformity => "Minor nonconformity",
        FindingKind.Observation => "Observation",
        FindingKind.OpportunityForImprovement => "Opportunity for improvement",
        _ => throw new ArgumentOutOfRangeException(nameof(kind)),
    };

    public static bool TryParse(string? text, out FindingKind kind)
    {
        switch ((text ?? "").Trim().ToLowerInvariant())
        {
            case "major" or "major-nonconformity": kind = FindingKind.MajorNonconformity; return true;
            case "minor" or "minor-nonconformity": kind = FindingKind.MinorNonconformity; return true;
            case "observation": kind = FindingKind.Observation; return true;
            case "improvement" or "ofi" or "opportunity-for-improvement": kind = FindingKind.OpportunityForImprovement; return true;
            default: kind = default; return false;
        }
    }
}

public static class ExternalAuditKinds
{
    public static string ToName(this ExternalAuditKind kind) => kind switch
    {
        ExternalAuditKind.Surveillance1 => "surveillance-1",
        ExternalAuditKind.Surveillance2 => "surveillance-2",
        ExternalAuditKind.Recertification => "recertification",
        _ => throw new ArgumentOutOfRangeException(nameof(kind)),
    };

    public static string ToLabel(this ExternalAuditKind kind) => kind switch
    {
        ExternalAuditKind.Surveillance1 => "Surveillance audit 1",
        ExternalAuditKind.Surveillance2 => "Surveillance audit 2",
        ExternalAuditKind.Recertification => "Recertification audit",
        _ => throw new ArgumentOutOfRangeException(nameof(kind)),
    };

    public static bool TryParse(string? text, out ExternalAuditKind kind)
    {
        foreach (var k in Enum.GetValues<ExternalAuditKind>())
        {
            if (string.Equals(k.ToName(), text, StringComparison.OrdinalIgnoreCase))
            {
                kind = k;
                return true;
            }
        }

        kind = default;
        return false;
    }
}

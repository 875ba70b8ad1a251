using Microsoft.EntityFrameworkCore;
using Perennial.AuditTrail;
using Perennial.Common;
using Perennial.Data;
using Perennial.Frameworks;
using Perennial.Paging;

namespace Perennial.Soa;

/// <summary>One SoA row as shown and exported: the row plus its control's label and theme.</summary>
public sealed record SoaRowView(
    string ControlIdentifier, string Title, string? Theme, bool? Applicable, string? Justification,
    ImplementationStatus Status, string? OwnerName, string? LinkedRisks, string? LinkedActivities, string? Notes, string? ChangeReason);

/// <summary>The editable fields of a draft row.</summary>
public sealed record SoaRowInput(
    bool? Applicable, string? Justification, ImplementationStatus Status, string? OwnerName,
    string? LinkedRisks, string? LinkedActivities, string? Notes, string? ChangeReason);

public sealed record SoaVersionSummary(int Number, DateTimeOffset? PublishedAt, string? ApproverName, string? Summary, int Rows, int Applicable);

public sealed record FieldChange(string Field, string? Before, string? After);

public sealed record RowChange(string ControlIdentifier, IReadOnlyList<FieldChange> Changes, string? Reason);

/// <summary>Row-by-row difference between two SoA versions (0 is the draft).</summary>
public sealed record SoaDiff(int From, int To, IReadOnlyList<SoaRowView> Added, IReadOnlyList<SoaRowView> Removed, IReadOnlyList<RowChange> Changed)
{
    public bool HasChanges => Added.Count + Removed.Count + Changed.Count > 0;
}

/// <summary>
/// The Statement of Applicability: one draft per organisation, edited row by row (or by XLSX round
/// trip), and numbered versions published from it.
/// </summary>
public sealed class SoaService(PerennialDbContext db, TimeProvider time, IAuditActorAccessor actor)
{
    public const int Draft = 0;

    /// <summary>The draft, created on first use with one row per Annex A control of the organisation's ISO/IEC 27001 catalog.</summary>
    public async Task<SoaVersion> EnsureDraftAsync(Guid organisationId, CancellationToken ct)
    {
        var draft = await db.SoaVersions.Include(v => v.Rows)
            .SingleOrDefaultAsync(v => v.OrganisationId == organisationId && v.Number == Draft, ct);
        if (draft is not null)
        {
            return draft;
        }

        var annexA = await AnnexAControls(organisationId).ToListAsync(ct);
        if (annexA.Count == 0)
        {
            throw UseCaseException.Conflict("framework", "The organisation has no ISO/IEC 27001:2022 catalog to build a Statement of Applicability from.");
        }

        draft = new SoaVersion { OrganisationId = organisationId, Number = Draft };
        foreach (var control in annexA)
        {
            draft.Rows.Add(new SoaRow
            {
                OrganisationId = organisationId,
                ControlIdentifier = control.Identifier,
                SortOrder = control.SortOrder,
                Status = control.Status,
            });
        }

        db.SoaVersions.Add(draft);
        await db.SaveChangesAsync(ct);
        return draft;
    }

    public async Task<Paged<SoaRowView>> ListRowsAsync(Guid organisationId, int number, PageRequest page, CancellationToken ct)
    {
        var all = await RowsAsync(organisationId, number, ct);
        return new Paged<SoaRowView>(all.Skip(page.Skip).Take(page.PageSize).ToList(), page.Page, page.PageSize, all.Count);
    }

    /// <summary>Every row of a version (0 = draft) with its control's label, in Annex A order.</summary>
    public async Task<IReadOnlyList<SoaRowView>> RowsAsync(Guid organisationId, int number, CancellationToken ct)
    {
        if (number == Draft)
        {
            await EnsureDraftAsync(organisationId, ct);
        }

        var version = await db.SoaVersions.AsNoTracking().Include(v => v.Rows)
            .SingleOrDefaultAsync(v => v.OrganisationId == organisationId && v.Number == number, ct)
            ?? throw UseCaseException.NotFound($"There is no SoA version {number}.");
        var labels = await AnnexAControls(organisationId)
            .Select(c => new { c.Identifier, Title = c.LicensedTitle ?? c.Title, c.Group })
            .ToDictionaryAsync(c => c.Identifier, ct);
        return version.Rows.OrderBy(r => r.SortOrder).ThenBy(r => r.ControlIdentifier, StringComparer.Ordinal)
            .Select(r => new SoaRowView(r.ControlIdentifier,
                labels.TryGetValue(r.ControlIdentifier, out var l) ? l.Title : "", labels.TryGetValue(r.ControlIdentifier, out var g) ? g.Group : null,
                r.Applicable, r.Justification, r.Status, r.OwnerName, r.LinkedRisks, r.LinkedActivities, r.Notes, r.ChangeReason))
            .ToList();
    }

    public async Task<SoaRowView> UpdateDraftRowAsync(Guid organisationId, string controlIdentifier, SoaRowInput input, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(input);
        var draft = await EnsureDraftAsync(organisationId, ct);
        var row = draft.Rows.SingleOrDefault(r => string.Equals(r.ControlIdentifier, controlIdentifier, StringComparison.OrdinalIgnoreCase))
            ?? throw UseCaseException.NotFound($"The Statement of Applicability has no row for '{controlIdentifier}'.");
        var clean = Validate(input, "");
        Apply(row, clean, await OwnerIdAsync(organisationId, clean.OwnerName, ct));
        await db.SaveChangesAsync(ct);
        return (await RowsAsync(organisationId, Draft, ct)).Single(r => r.ControlIdentifier == row.ControlIdentifier);
    }

    /// <summary>Publishes the draft as the next version. Every row must say whether it applies, and why.</summary>
    public async Task<SoaVersionSummary> PublishAsync(Guid organisationId, string? summary, CancellationToken ct)
    {
        if (summary is { Length: > 2000 })
        {
            throw UseCaseException.Invalid("summary", "The summary is at most 2000 characters.");
        }

        await using var transaction = await db.Database.BeginTransactionAsync(ct);
        await db.LockAsync($"soa:{organisationId}", ct);
        var draft = await EnsureDraftAsync(organisationId, ct);
        var undecided = draft.Rows.Where(r => r.Applicable is null || string.IsNullOrWhiteSpace(r.Justification))
            .OrderBy(r => r.SortOrder).Select(r => r.ControlIdentifier).ToList();
        if (undecided.Count > 0)
        {
            throw UseCaseException.Conflict("rows",
                $"{undecided.Count} row(s) do not yet say whether the control applies and why: {string.Join(", ", undecided.Take(10))}{(undecided.Count > 10 ? ", …" : "")}.");
        }

        var latest = await db.SoaVersions.Where(v => v.OrganisationId == organisationId).MaxAsync(v => (int?)v.Number, ct) ?? 0;
        if (latest > 0 && !Diff(latest, Draft, await RowsAsync(organisationId, latest, ct), await RowsAsync(organisationId, Draft, ct)).HasChanges)
        {
            throw UseCaseException.Conflict("rows", $"The draft is the same as version {latest}; there is nothing new to publish.");
        }

        var number = latest + 1;
        var current = actor.Current;
        var version = new SoaVersion
        {
            OrganisationId = organisationId,
            Number = number,
            PublishedAt = time.GetUtcNow(),
            ApproverUserId = current.UserId,
            ApproverName = current.Name,
            Summary = string.IsNullOrWhiteSpace(summary) ? null : summary.Trim(),
        };
        foreach (var row in draft.Rows)
        {
            version.Rows.Add(new SoaRow
            {
                OrganisationId = organisationId,
                ControlIdentifier = row.ControlIdentifier,
                SortOrder = row.SortOrder,
                Applicable = row.Applicable,
                Justification = row.Justification,
                Status = row.Status,
                OwnerUserId = row.OwnerUserId,
                OwnerName = row.OwnerName,
                LinkedRisks = row.LinkedRisks,
                LinkedActivities = row.LinkedActivities,
                Notes = row.Notes,
                ChangeReason = row.ChangeReason,
            });
        }

        db.SoaVersions.Add(version);
        await db.SaveChangesAsync(ct);
        await transaction.CommitAsync(ct);
        return Summarise(version);
    }

    public async Task<IReadOnlyList<SoaVersionSummary>> ListVersionsAsync(Guid organisationId, CancellationToken ct)
    {
        var versions = await db.SoaVersions.AsNoTracking().Include(v => v.Rows)
            .Where(v => v.OrganisationId == organisationId && v.Number > Draft)
            .OrderByDescending(v => v.Number).ToListAsync(ct);
        return versions.Select(Summarise).ToList();
    }

    public async Task<SoaVersionSummary?> LatestPublishedAsync(Guid organisationId, CancellationToken ct) =>
        (await ListVersionsAsync(organisationId, ct)) is [var latest, ..] ? latest : null;

    public async Task<SoaDiff> CompareAsync(Guid organisationId, int from, int to, CancellationToken ct)
    {
        return Diff(from, to, await RowsAsync(organisationId, from, ct), await RowsAsync(organisationId, to, ct));
    }

    public static SoaDiff Diff(int from, int to, IReadOnlyList<SoaRowView> olderRows, IReadOnlyList<SoaRowView> newer)
    {
        ArgumentNullException.ThrowIfNull(olderRows);
        ArgumentNullException.ThrowIfNull(newer);
        var older = olderRows.ToDictionary(r => r.ControlIdentifier, StringComparer.Ordinal);
        var newerIds = newer.Select(r => r.ControlIdentifier).ToHashSet(StringComparer.Ordinal);
        var changed = new List<RowChange>();
        foreach (var row in newer)
        {
            if (older.TryGetValue(row.ControlIdentifier, out var before))
            {
                var changes = Changes(before, row);
                if (changes.Count > 0)
                {
                    changed.Add(new RowChange(row.ControlIdentifier, changes, row.ChangeReason));
                }
            }
        }

        return new SoaDiff(from, to,
            newer.Where(r => !older.ContainsKey(r.ControlIdentifier)).ToList(),
            older.Values.Where(r => !newerIds.Contains(r.ControlIdentifier)).ToList(),
            changed);
    }

    internal static IReadOnlyList<FieldChange> Changes(SoaRowView before, SoaRowView after)
    {
        var changes = new List<FieldChange>();
        void Check(string field, string? a, string? b)
        {
            if (!string.Equals(a, b, StringComparison.Ordinal))
            {
                changes.Add(new FieldChange(field, a, b));
            }
        }

        Check("Applicable", YesNo(before.Applicable), YesNo(after.Applicable));
        Check("Justification", before.Justification, after.Justification);
        Check("Implementation status", before.Status.ToLabel(), after.Status.ToLabel());
        Check("Owner", before.OwnerName, after.OwnerName);
        Check("Linked risks", before.LinkedRisks, after.LinkedRisks);
        Check("Linked activities", before.LinkedActivities, after.LinkedActivities);
        Check("Notes", before.Notes, after.Notes);
        return changes;
    }

    public static string? YesNo(bool? value) => value switch
    {
        true => "Yes",
        false => "No",
        null => null,
    };

    /// <summary>Applies several rows' changes to the draft at once: all of them or, on any error, none.</summary>
    internal async Task<IReadOnlyList<string>> ApplyDraftChangesAsync(Guid organisationId, IReadOnlyList<(string Identifier, SoaRowInput Input)> changes, CancellationToken ct)
    {
        var draft = await EnsureDraftAsync(organisationId, ct);
        var changed = new List<string>();
        foreach (var (identifier, input) in changes)
        {
            var row = draft.Rows.Single(r => r.ControlIdentifier == identifier);
            Apply(row, input, await OwnerIdAsync(organisationId, input.OwnerName, ct));
            if (db.Entry(row).State == EntityState.Modified)
            {
                changed.Add(identifier);
            }
        }

        await db.SaveChangesAsync(ct);
        return changed;
    }

    internal async Task<IReadOnlyDictionary<string, SoaRowView>> DraftByIdentifierAsync(Guid organisationId, CancellationToken ct) =>
        (await RowsAsync(organisationId, Draft, ct)).ToDictionary(r => r.ControlIdentifier, StringComparer.OrdinalIgnoreCase);

    /// <summary>Checks and trims a row's fields; <paramref name="where"/> prefixes field names in messages (e.g. "row 7: ").</summary>
    internal static SoaRowInput Validate(SoaRowInput input, string where)
    {
        static string? Clean(string? value) => string.IsNullOrWhiteSpace(value) ? null : value.Trim();
        string? Check(string? value, int max, string field) =>
            Clean(value) is { } text && text.Length > max ? throw UseCaseException.Invalid(field, $"{where}{field} is at most {max} characters.") : Clean(value);

        if (!Enum.IsDefined(input.Status))
        {
            throw UseCaseException.Invalid("status", $"{where}status must be one of {ImplementationStatuses.Names}.");
        }

        if (input.Applicable == false && input.Status is ImplementationStatus.Implemented or ImplementationStatus.Partial)
        {
            throw UseCaseException.Invalid("status", $"{where}a control that does not apply cannot be {input.Status.ToLabel().ToLowerInvariant()}.");
        }

        return new SoaRowInput(
            input.Applicable,
            Check(input.Justification, SoaLimits.Justification, "justification"),
            input.Applicable == false ? ImplementationStatus.NotApplicable : input.Status,
            Check(input.OwnerName, 256, "owner"),
            Check(input.LinkedRisks, SoaLimits.Links, "linkedRisks"),
            Check(input.LinkedActivities, SoaLimits.Links, "linkedActivities"),
            Check(input.Notes, SoaLimits.Notes, "notes"),
            Check(input.ChangeReason, SoaLimits.Notes, "changeReason"));
    }

    private static void Apply(SoaRow row, SoaRowInput input, Guid? ownerId)
    {
        var before = (row.Applicable, row.Justification, row.Status, row.OwnerName, row.LinkedRisks, row.LinkedActivities, row.Notes);
        row.Applicable = input.Applicable;
        row.Justification = input.Justification;
        row.Status = input.Status;
        row.OwnerName = input.OwnerName;
        row.OwnerUserId = ownerId;
        row.LinkedRisks = input.LinkedRisks;
        row.LinkedActivities = input.LinkedActivities;
        row.Notes = input.Notes;
        var after = (row.Applicable, row.Justification, row.Status, row.OwnerName, row.LinkedRisks, row.LinkedActivities, row.Notes);
        if (before != after)
        {
            // A reason belongs to the change it explains; a later change without one leaves none.
            row.ChangeReason = input.ChangeReason;
        }
    }

    /// <summary>An owner named by a member's e-mail or name is linked to that member.</summary>
    private async Task<Guid?> OwnerIdAsync(Guid organisationId, string? owner, CancellationToken ct)
    {
        if (owner is null)
        {
            return null;
        }

        var normalized = owner.ToUpperInvariant();
        return await db.Memberships.Where(m => m.OrganisationId == organisationId
                && (m.User!.NormalizedEmail == normalized || m.User.DisplayName == owner))
            .Select(m => (Guid?)m.UserId).FirstOrDefaultAsync(ct);
    }

    private IQueryable<Control> AnnexAControls(Guid organisationId) =>
        db.Controls.AsNoTracking()
            .Where(c => c.OrganisationId == organisationId && c.Framework!.Key == Framework.IsoKey && c.Kind == ControlKind.Control)
            .OrderBy(c => c.SortOrder);

    private static SoaVersionSummary Summarise(SoaVersion v) =>
        new(v.Number, v.PublishedAt, v.ApproverName, v.Summary, v.Rows.Count, v.Rows.Count(r => r.Applicable == true));
}

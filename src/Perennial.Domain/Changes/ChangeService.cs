using System.Globalization;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Storage;
using Perennial.Common;
using Perennial.Data;
using Perennial.Frameworks;
using Perennial.Organisations;
using Perennial.Paging;
using Perennial.Risks;

namespace Perennial.Changes;

/// <summary>The editable fields of a change. Requester is a name (or e-mail) and/or a member.</summary>
public sealed record ChangeInput(
    string Title,
    string? Description,
    ChangeType Type,
    string? RequesterName,
    Guid? RequesterUserId,
    DateOnly? PlannedOn,
    ChangeStatus Status,
    IReadOnlyList<Guid>? AssetIds,
    IReadOnlyList<Guid>? ControlIds,
    string? ExternalId = null);

/// <summary>Answers to the six ISMS impact questions; null means not answered yet.</summary>
public sealed record ImpactAnswers(
    bool? AffectsScope,
    bool? AddsAssetsOrProcessing,
    bool? AffectsSupplier,
    bool? AffectsAccess,
    bool? AffectsLegalRequirements,
    bool? AffectsSoaControl)
{
    public static ImpactAnswers Of(Change change)
    {
        ArgumentNullException.ThrowIfNull(change);
        return new(change.AffectsScope, change.AddsAssetsOrProcessing, change.AffectsSupplier, change.AffectsAccess, change.AffectsLegalRequirements, change.AffectsSoaControl);
    }

    /// <summary>The answers in the order of <see cref="ImpactQuestions.All"/>.</summary>
    public IReadOnlyList<bool?> InOrder => [AffectsScope, AddsAssetsOrProcessing, AffectsSupplier, AffectsAccess, AffectsLegalRequirements, AffectsSoaControl];

    public bool Complete => InOrder.All(a => a is not null);

    /// <summary>The follow-up tasks these answers call for.</summary>
    public IReadOnlyList<ChangeTaskKind> TasksNeeded()
    {
        var kinds = new List<ChangeTaskKind>();
        if (AffectsScope == true || AffectsLegalRequirements == true)
        {
            kinds.Add(ChangeTaskKind.RevisitScope);
        }

        if (AddsAssetsOrProcessing == true || AffectsSupplier == true || AffectsAccess == true)
        {
            kinds.Add(ChangeTaskKind.ReassessRisks);
        }

        if (AffectsSoaControl == true || AffectsLegalRequirements == true)
        {
            kinds.Add(ChangeTaskKind.ReviewSoa);
        }

        return kinds;
    }
}

/// <summary>Owner and due date for tasks a "yes" opens; defaults apply where null.</summary>
public sealed record TaskDefaults(Guid? OwnerUserId = null, DateOnly? DueOn = null);

public sealed record ChangeQuery(ChangeStatus? Status = null, ChangeType? Type = null);

public sealed record ChangeListItem(
    Guid Id, string Reference, string Title, ChangeType Type, ChangeStatus Status, ChangeSource Source,
    DateOnly? PlannedOn, string? Requester, int OpenTasks, bool ImpactAnswered, DateTimeOffset CreatedAt);

/// <summary>A risk or SoA row a follow-up task is about: its id (risk id or control identifier) and a label.</summary>
public sealed record TaskSubject(string Id, string Label);

public sealed record ChangeTaskView(ChangeTask Task, string? Owner, IReadOnlyList<TaskSubject> Subjects);

public sealed record AssetOption(Guid Id, string Name);

public sealed record ControlOption(Guid Id, string Identifier, string Title);

public sealed record ChangeDetails(Change Change, string? Requester, IReadOnlyList<AssetOption> Assets, IReadOnlyList<ControlOption> Controls, IReadOnlyList<ChangeTaskView> Tasks);

/// <summary>
/// Change management: every change answers the ISMS impact questions; each "yes" opens a dated
/// follow-up task with an owner (revisit the scope, reassess the affected risks, review the SoA rows
/// concerned), and the change cannot be closed until each is done or waived with a reason.
/// </summary>
public sealed class ChangeService(PerennialDbContext db, TimeProvider time, RiskService risks)
{
    public const int TitleMax = 300;
    public const int DescriptionMax = 4000;
    public const int RequesterMax = 256;
    public const int ExternalIdMax = 200;
    public const int WaiverMax = 1000;
    public const int DefaultDueDays = 14;

    /// <summary>As many risk ids as the task's subject column holds.</summary>
    public const int MaxSubjects = 500;

    private static readonly Dictionary<ChangeStatus, ChangeStatus[]> Transitions = new()
    {
        [ChangeStatus.Proposed] = [ChangeStatus.Approved, ChangeStatus.InProgress, ChangeStatus.Rejected],
        [ChangeStatus.Approved] = [ChangeStatus.Proposed, ChangeStatus.InProgress, ChangeStatus.Implemented, ChangeStatus.Rejected],
        [ChangeStatus.InProgress] = [ChangeStatus.Approved, ChangeStatus.Implemented],
        [ChangeStatus.Implemented] = [ChangeStatus.InProgress],
        [ChangeStatus.Closed] = [],
        [ChangeStatus.Rejected] = [],
    };

    private DateOnly Today => DateOnly.FromDateTime(time.GetUtcNow().UtcDateTime);

    /// <summary>The statuses an update may move a change to from <paramref name="from"/>; closing is separate.</summary>
    public static IReadOnlyList<ChangeStatus> NextStatuses(ChangeStatus from) => Transitions[from];

    // ---- Changes ------------------------------------------------------------------------------

    /// <summary>Records a change with the next reference (CH-001, …) and, if given, its impact answers.</summary>
    public async Task<Change> CreateAsync(Guid organisationId, ChangeInput input, ChangeSource source, ImpactAnswers? impact, TaskDefaults? defaults, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(input);
        var clean = await ValidateAsync(organisationId, input, ct);
        if (clean.Status.IsFinal())
        {
            throw UseCaseException.Invalid("status", "A new change is proposed, approved, in progress or implemented; it is closed or rejected afterwards.");
        }

        await CheckExternalIdAsync(organisationId, null, clean.ExternalId, "externalId", ct);
        await ValidateDefaultsAsync(organisationId, defaults, ct);
        await using var transaction = await BeginAsync(ct);
        await db.LockAsync($"changes:{organisationId}", ct);
        var number = await db.Changes.CountAsync(c => c.OrganisationId == organisationId, ct) + 1;
        var change = new Change
        {
            OrganisationId = organisationId,
            Reference = Reference(number),
            Source = source,
            CreatedAt = time.GetUtcNow(),
        };
        while (await db.Changes.AnyAsync(c => c.OrganisationId == organisationId && c.Reference == change.Reference, ct))
        {
            change.Reference = Reference(++number);
        }

        Apply(change, clean);
        change.Status = clean.Status;
        db.Changes.Add(change);
        await db.SaveChangesAsync(ct);
        if (impact is not null)
        {
            SetAnswers(change, impact);
            await db.SaveChangesAsync(ct);
            await SyncTasksAsync(change, defaults, ct);
        }

        await CommitAsync(transaction, ct);
        return change;
    }

    /// <summary>
    /// Saves the change's fields. Closed and rejected changes are final; closing goes through
    /// <see cref="CloseAsync"/>. New assets or controls add their risks and SoA rows to open tasks.
    /// </summary>
    public async Task<Change> UpdateAsync(Guid organisationId, Guid changeId, ChangeInput input, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(input);
        var change = await LoadAsync(organisationId, changeId, ct);
        RefuseFinal(change);
        var clean = await ValidateAsync(organisationId, input, ct);
        if (clean.Status == ChangeStatus.Closed)
        {
            throw UseCaseException.Invalid("status", "Close the change with its close action: it checks that every follow-up task is done or waived.");
        }

        if (clean.Status != change.Status && !Transitions[change.Status].Contains(clean.Status))
        {
            throw UseCaseException.Invalid("status",
                $"A change that is {change.Status.ToLabel().ToLowerInvariant()} can become {string.Join(", ", Transitions[change.Status].Select(s => s.ToLabel().ToLowerInvariant()))} or be closed; not {clean.Status.ToLabel().ToLowerInvariant()}.");
        }

        await CheckExternalIdAsync(organisationId, change.Id, clean.ExternalId, "externalId", ct);
        await using var transaction = await BeginAsync(ct);
        Apply(change, clean);
        change.Status = clean.Status;
        await db.SaveChangesAsync(ct);
        await SyncTasksAsync(change, null, ct);
        await CommitAsync(transaction, ct);
        return change;
    }

    /// <summary>
    /// Records the answers to the impact questions. Each "yes" opens its follow-up task once; a later
    /// "yes" calling for the same kind adds its risks or SoA rows to that task instead of a duplicate.
    /// Opening "reassess the affected risks" brings those risks' reviews forward.
    /// </summary>
    public async Task<Change> AnswerImpactAsync(Guid organisationId, Guid changeId, ImpactAnswers answers, TaskDefaults? defaults, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(answers);
        var change = await LoadAsync(organisationId, changeId, ct);
        RefuseFinal(change);
        await ValidateDefaultsAsync(organisationId, defaults, ct);
        await using var transaction = await BeginAsync(ct);
        SetAnswers(change, answers);
        await db.SaveChangesAsync(ct);
        await SyncTasksAsync(change, defaults, ct);
        await CommitAsync(transaction, ct);
        return change;
    }

    /// <summary>Closes the change once every impact question is answered and every follow-up task is done or waived.</summary>
    public async Task<Change> CloseAsync(Guid organisationId, Guid changeId, CancellationToken ct)
    {
        var change = await LoadAsync(organisationId, changeId, ct);
        RefuseFinal(change);
        if (!ImpactAnswers.Of(change).Complete)
        {
            throw UseCaseException.Conflict("impact", $"{change.Reference} cannot be closed before every ISMS impact question is answered.");
        }

        var open = OpenTasks(change);
        if (open.Count > 0)
        {
            throw UseCaseException.Conflict("tasks",
                $"{change.Reference} cannot be closed while {(open.Count == 1 ? "a follow-up task is" : "follow-up tasks are")} open: "
                + string.Join("; ", open.Select(t => $"{t.Title} (due {Date(t.DueOn)})"))
                + ". Mark each one done, or waive it with a reason.");
        }

        change.Status = ChangeStatus.Closed;
        change.ClosedOn = Today;
        await db.SaveChangesAsync(ct);
        return change;
    }

    /// <summary>The follow-up tasks still open, in the order they are listed.</summary>
    public static IReadOnlyList<ChangeTask> OpenTasks(Change change)
    {
        ArgumentNullException.ThrowIfNull(change);
        return change.Tasks.Where(t => t.Status == ChangeTaskStatus.Open).OrderBy(t => t.Kind).ToList();
    }

    // ---- Tasks --------------------------------------------------------------------------------

    public async Task<ChangeTask> CompleteTaskAsync(Guid organisationId, Guid changeId, Guid taskId, CancellationToken ct)
    {
        var task = await LoadOpenTaskAsync(organisationId, changeId, taskId, ct);
        task.Status = ChangeTaskStatus.Done;
        task.CompletedOn = Today;
        await db.SaveChangesAsync(ct);
        return task;
    }

    /// <summary>Waives a task: it no longer holds the change open, and the reason stays on record.</summary>
    public async Task<ChangeTask> WaiveTaskAsync(Guid organisationId, Guid changeId, Guid taskId, string? reason, CancellationToken ct)
    {
        var text = (reason ?? "").Trim();
        if (text.Length == 0)
        {
            throw UseCaseException.Invalid("reason", "Say why the task is waived: a waiver needs a reason.");
        }

        if (text.Length > WaiverMax)
        {
            throw UseCaseException.Invalid("reason", $"The reason is at most {WaiverMax} characters.");
        }

        var task = await LoadOpenTaskAsync(organisationId, changeId, taskId, ct);
        task.Status = ChangeTaskStatus.Waived;
        task.WaiverReason = text;
        task.CompletedOn = Today;
        await db.SaveChangesAsync(ct);
        return task;
    }

    // ---- Reading ------------------------------------------------------------------------------

    public async Task<Paged<ChangeListItem>> ListAsync(Guid organisationId, ChangeQuery query, PageRequest page, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(query);
        var changes = db.Changes.AsNoTracking().Where(c => c.OrganisationId == organisationId);
        if (query.Status is { } status)
        {
            changes = changes.Where(c => c.Status == status);
        }

        if (query.Type is { } type)
        {
            changes = changes.Where(c => c.Type == type);
        }

        var rows = await changes.OrderByDescending(c => c.CreatedAt).ThenByDescending(c => c.Reference)
            .Select(c => new
            {
                c.Id,
                c.Reference,
                c.Title,
                c.Type,
                c.Status,
                c.Source,
                c.PlannedOn,
                c.RequesterName,
                c.RequesterUserId,
                OpenTasks = c.Tasks.Count(t => t.Status == ChangeTaskStatus.Open),
                Answered = c.AffectsScope != null && c.AddsAssetsOrProcessing != null && c.AffectsSupplier != null
                    && c.AffectsAccess != null && c.AffectsLegalRequirements != null && c.AffectsSoaControl != null,
                c.CreatedAt,
            })
            .ToPagedAsync(page, ct);
        var names = await NamesAsync(rows.Items.Where(r => r.RequesterUserId != null).Select(r => r.RequesterUserId!.Value), ct);
        var items = rows.Items.Select(r => new ChangeListItem(r.Id, r.Reference, r.Title, r.Type, r.Status, r.Source, r.PlannedOn,
            r.RequesterName ?? (r.RequesterUserId is { } u && names.TryGetValue(u, out var n) ? n : null), r.OpenTasks, r.Answered, r.CreatedAt)).ToList();
        return new Paged<ChangeListItem>(items, rows.Page, rows.PageSize, rows.Total);
    }

    public async Task<Change?> GetAsync(Guid organisationId, Guid changeId, CancellationToken ct) =>
        await db.Changes.AsNoTracking().Include(c => c.Assets).Include(c => c.Controls).Include(c => c.Tasks).AsSplitQuery()
            .SingleOrDefaultAsync(c => c.OrganisationId == organisationId && c.Id == changeId, ct);

    /// <summary>The change with its assets, controls and tasks named, for reading.</summary>
    public async Task<ChangeDetails?> DetailsAsync(Guid organisationId, Guid changeId, CancellationToken ct)
    {
        var change = await GetAsync(organisationId, changeId, ct);
        if (change is null)
        {
            return null;
        }

        var assetIds = change.Assets.Select(a => a.AssetId).ToList();
        var controlIds = change.Controls.Select(c => c.ControlId).ToList();
        var assets = await db.Assets.AsNoTracking().Where(a => assetIds.Contains(a.Id)).OrderBy(a => a.Name)
            .Select(a => new AssetOption(a.Id, a.Name)).ToListAsync(ct);
        var controls = await db.Controls.AsNoTracking().Where(c => controlIds.Contains(c.Id)).OrderBy(c => c.SortOrder)
            .Select(c => new ControlOption(c.Id, c.Identifier, c.LicensedTitle ?? c.Title)).ToListAsync(ct);
        var riskIds = change.Tasks.Where(t => t.Kind == ChangeTaskKind.ReassessRisks).SelectMany(t => Split(t.SubjectIds))
            .Select(s => Guid.TryParse(s, out var id) ? id : Guid.Empty).Where(id => id != Guid.Empty).ToList();
        var riskLabels = await db.Risks.AsNoTracking().Where(r => r.OrganisationId == organisationId && riskIds.Contains(r.Id))
            .ToDictionaryAsync(r => r.Id.ToString(), r => $"{r.Reference} {r.Title}", ct);
        var soaLabels = await db.Controls.AsNoTracking()
            .Where(c => c.OrganisationId == organisationId && c.Framework!.Key == Framework.IsoKey && c.Kind == ControlKind.Control)
            .Select(c => new { c.Identifier, Title = c.LicensedTitle ?? c.Title }).ToDictionaryAsync(c => c.Identifier, c => c.Title, StringComparer.Ordinal, ct);
        var people = change.Tasks.Where(t => t.OwnerUserId != null).Select(t => t.OwnerUserId!.Value).ToList();
        if (change.RequesterUserId is { } requesterId)
        {
            people.Add(requesterId);
        }

        var names = await NamesAsync(people, ct);
        var tasks = change.Tasks.OrderBy(t => t.Kind).Select(t => new ChangeTaskView(t,
            t.OwnerUserId is { } o && names.TryGetValue(o, out var n) ? n : null,
            Split(t.SubjectIds).Select(s => t.Kind == ChangeTaskKind.ReassessRisks
                ? new TaskSubject(s, riskLabels.TryGetValue(s, out var r) ? r : "a risk no longer in the register")
                : new TaskSubject(s, soaLabels.TryGetValue(s, out var l) ? $"{s} {l}" : s)).ToList())).ToList();
        var requester = change.RequesterName ?? (change.RequesterUserId is { } u && names.TryGetValue(u, out var name) ? name : null);
        return new ChangeDetails(change, requester, assets, controls, tasks);
    }

    /// <summary>The organisation's assets, to pick from.</summary>
    public async Task<IReadOnlyList<AssetOption>> AssetOptionsAsync(Guid organisationId, CancellationToken ct) =>
        await db.Assets.AsNoTracking().Where(a => a.OrganisationId == organisationId).OrderBy(a => a.Name)
            .Select(a => new AssetOption(a.Id, a.Name)).ToListAsync(ct);

    /// <summary>The Annex A controls, to pick from.</summary>
    public async Task<IReadOnlyList<ControlOption>> ControlOptionsAsync(Guid organisationId, CancellationToken ct) =>
        await db.Controls.AsNoTracking()
            .Where(c => c.OrganisationId == organisationId && c.Framework!.Key == Framework.IsoKey && c.Kind == ControlKind.Control)
            .OrderBy(c => c.SortOrder)
            .Select(c => new ControlOption(c.Id, c.Identifier, c.LicensedTitle ?? c.Title)).ToListAsync(ct);

    public async Task<Change?> FindByExternalIdAsync(Guid organisationId, string externalId, CancellationToken ct) =>
        await db.Changes.AsNoTracking().FirstOrDefaultAsync(c => c.OrganisationId == organisationId && c.ExternalId == externalId, ct);

    public static IReadOnlyList<string> Split(string subjects) =>
        string.IsNullOrEmpty(subjects) ? [] : subjects.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);

    // ---- Internals ----------------------------------------------------------------------------

    private static string Reference(int number) => $"CH-{number:000}";

    private static string Date(DateOnly date) => date.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture);

    /// <summary>Joins a use case's transaction when a caller (the webhook) already opened one.</summary>
    private async Task<IDbContextTransaction?> BeginAsync(CancellationToken ct) =>
        db.Database.CurrentTransaction is null ? await db.Database.BeginTransactionAsync(ct) : null;

    private static async Task CommitAsync(IDbContextTransaction? transaction, CancellationToken ct)
    {
        if (transaction is not null)
        {
            await transaction.CommitAsync(ct);
        }
    }

    private async Task<Change> LoadAsync(Guid organisationId, Guid changeId, CancellationToken ct) =>
        await db.Changes.Include(c => c.Assets).Include(c => c.Controls).Include(c => c.Tasks).AsSplitQuery()
            .SingleOrDefaultAsync(c => c.OrganisationId == organisationId && c.Id == changeId, ct)
        ?? throw UseCaseException.NotFound("No such change.");

    private async Task<ChangeTask> LoadOpenTaskAsync(Guid organisationId, Guid changeId, Guid taskId, CancellationToken ct)
    {
        var task = await db.ChangeTasks.SingleOrDefaultAsync(t => t.OrganisationId == organisationId && t.ChangeId == changeId && t.Id == taskId, ct)
            ?? throw UseCaseException.NotFound("No such follow-up task on this change.");
        if (task.Status != ChangeTaskStatus.Open)
        {
            throw UseCaseException.Conflict("status", $"'{task.Title}' is already {task.Status.ToName()}.");
        }

        return task;
    }

    private static void RefuseFinal(Change change)
    {
        if (change.Status.IsFinal())
        {
            throw UseCaseException.Conflict("status", $"{change.Reference} is {change.Status.ToLabel().ToLowerInvariant()}; a closed or rejected change no longer changes.");
        }
    }

    private static void SetAnswers(Change change, ImpactAnswers answers)
    {
        change.AffectsScope = answers.AffectsScope;
        change.AddsAssetsOrProcessing = answers.AddsAssetsOrProcessing;
        change.AffectsSupplier = answers.AffectsSupplier;
        change.AffectsAccess = answers.AffectsAccess;
        change.AffectsLegalRequirements = answers.AffectsLegalRequirements;
        change.AffectsSoaControl = answers.AffectsSoaControl;
    }

    /// <summary>
    /// Opens the tasks the answers call for, one per kind, and adds newly concerned risks and SoA rows
    /// to existing ones (reopening a settled task that gains subjects). Newly selected risks have
    /// their reviews brought forward.
    /// </summary>
    private async Task SyncTasksAsync(Change change, TaskDefaults? defaults, CancellationToken ct)
    {
        var needed = ImpactAnswers.Of(change).TasksNeeded();
        if (needed.Count == 0)
        {
            return;
        }

        var riskIds = needed.Contains(ChangeTaskKind.ReassessRisks) ? await AffectedRisksAsync(change, ct) : [];
        var soaRows = needed.Contains(ChangeTaskKind.ReviewSoa) ? await AnnexAIdentifiersAsync(change, ct) : [];
        Guid? owner = null;
        var ownerResolved = false;
        var triggered = new List<Guid>();
        foreach (var kind in needed)
        {
            IReadOnlyList<string> subjects = kind switch
            {
                ChangeTaskKind.ReassessRisks => riskIds.Select(id => id.ToString()).ToList(),
                ChangeTaskKind.ReviewSoa => soaRows,
                _ => [],
            };
            var task = change.Tasks.SingleOrDefault(t => t.Kind == kind);
            IReadOnlyList<string> added;
            if (task is null)
            {
                if (!ownerResolved)
                {
                    owner = defaults?.OwnerUserId ?? await DefaultOwnerAsync(change, ct);
                    ownerResolved = true;
                }

                change.Tasks.Add(new ChangeTask
                {
                    OrganisationId = change.OrganisationId,
                    ChangeId = change.Id,
                    Kind = kind,
                    Title = kind.ToTitle(),
                    OwnerUserId = owner,
                    DueOn = defaults?.DueOn ?? change.PlannedOn ?? Today.AddDays(DefaultDueDays),
                    SubjectIds = Join(subjects),
                });
                added = subjects;
            }
            else
            {
                var existing = Split(task.SubjectIds);
                added = subjects.Except(existing, StringComparer.Ordinal).ToList();
                if (added.Count > 0)
                {
                    task.SubjectIds = Join(existing.Concat(added));
                    if (task.Status != ChangeTaskStatus.Open)
                    {
                        // New risks or rows to look at: the task is not settled any more.
                        task.Status = ChangeTaskStatus.Open;
                        task.CompletedOn = null;
                        task.WaiverReason = null;
                    }
                }
            }

            if (kind == ChangeTaskKind.ReassessRisks)
            {
                triggered.AddRange(added.Select(Guid.Parse));
            }
        }

        await db.SaveChangesAsync(ct);
        if (triggered.Count > 0)
        {
            await risks.TriggerReviewsAsync(change.OrganisationId, triggered, $"Change {change.Reference}: {change.Title}", ct);
        }
    }

    /// <summary>Open risks linked to the change's assets, or treated by one of its controls.</summary>
    private async Task<IReadOnlyList<Guid>> AffectedRisksAsync(Change change, CancellationToken ct)
    {
        var assetIds = change.Assets.Select(a => a.AssetId).ToList();
        var controlIds = change.Controls.Select(c => c.ControlId).ToList();
        if (assetIds.Count == 0 && controlIds.Count == 0)
        {
            return [];
        }

        return await db.Risks.AsNoTracking()
            .Where(r => r.OrganisationId == change.OrganisationId && r.Status == RiskStatus.Open
                && (r.Assets.Any(a => assetIds.Contains(a.AssetId)) || r.Controls.Any(c => controlIds.Contains(c.ControlId))))
            .OrderBy(r => r.Reference)
            .Select(r => r.Id)
            .Take(MaxSubjects)
            .ToListAsync(ct);
    }

    /// <summary>The change's controls that are Annex A controls, i.e. rows of the SoA.</summary>
    private async Task<IReadOnlyList<string>> AnnexAIdentifiersAsync(Change change, CancellationToken ct)
    {
        var controlIds = change.Controls.Select(c => c.ControlId).ToList();
        if (controlIds.Count == 0)
        {
            return [];
        }

        return await db.Controls.AsNoTracking()
            .Where(c => c.OrganisationId == change.OrganisationId && controlIds.Contains(c.Id) && c.Framework!.Key == Framework.IsoKey && c.Kind == ControlKind.Control)
            .OrderBy(c => c.SortOrder)
            .Select(c => c.Identifier)
            .ToListAsync(ct);
    }

    /// <summary>The requester when they are a member; otherwise the organisation's longest-standing manager or admin.</summary>
    private async Task<Guid?> DefaultOwnerAsync(Change change, CancellationToken ct)
    {
        var today = Today;
        if (change.RequesterUserId is { } requester
            && await db.Memberships.ActiveOn(today).AnyAsync(m => m.OrganisationId == change.OrganisationId && m.UserId == requester, ct))
        {
            return requester;
        }

        return await db.Memberships.AsNoTracking()
            .ActiveOn(today).Where(m => m.OrganisationId == change.OrganisationId && (m.Role == OrgRole.Manager || m.Role == OrgRole.Admin))
            .OrderBy(m => m.CreatedAt).ThenBy(m => m.UserId)
            .Select(m => (Guid?)m.UserId)
            .FirstOrDefaultAsync(ct);
    }

    private static string Join(IEnumerable<string> subjects) => string.Join(',', subjects.Distinct(StringComparer.Ordinal).Take(MaxSubjects));

    private async Task<Dictionary<Guid, string>> NamesAsync(IEnumerable<Guid> userIds, CancellationToken ct)
    {
        var ids = userIds.Distinct().ToList();
        return ids.Count == 0 ? [] : await db.Users.AsNoTracking().Where(u => ids.Contains(u.Id)).ToDictionaryAsync(u => u.Id, u => u.DisplayName, ct);
    }

    private async Task CheckExternalIdAsync(Guid organisationId, Guid? changeId, string? externalId, string field, CancellationToken ct)
    {
        if (externalId is null)
        {
            return;
        }

        var other = await db.Changes.AsNoTracking()
            .Where(c => c.OrganisationId == organisationId && c.ExternalId == externalId && c.Id != changeId)
            .Select(c => c.Reference).FirstOrDefaultAsync(ct);
        if (other is not null)
        {
            throw UseCaseException.Conflict(field, $"{other} already records the ticket '{externalId}'.");
        }
    }

    private async Task ValidateDefaultsAsync(Guid organisationId, TaskDefaults? defaults, CancellationToken ct)
    {
        if (defaults?.OwnerUserId is { } owner && !await IsMemberAsync(organisationId, owner, ct))
        {
            throw UseCaseException.Invalid("taskOwnerUserId", "The tasks' owner must be a member of the organisation.");
        }
    }

    private async Task<bool> IsMemberAsync(Guid organisationId, Guid userId, CancellationToken ct)
    {
        var today = Today;
        return await db.Memberships.ActiveOn(today).AnyAsync(m => m.OrganisationId == organisationId && m.UserId == userId, ct);
    }

    private async Task<ChangeInput> ValidateAsync(Guid organisationId, ChangeInput input, CancellationToken ct)
    {
        static string? Clean(string? value) => string.IsNullOrWhiteSpace(value) ? null : value.Trim();
        static void Length(string? value, int max, string field, string what)
        {
            if (value is { Length: var n } && n > max)
            {
                throw UseCaseException.Invalid(field, $"{what} is at most {max} characters.");
            }
        }

        var title = Clean(input.Title) ?? throw UseCaseException.Invalid("title", "The change needs a title.");
        Length(title, TitleMax, "title", "The title");
        var description = Clean(input.Description);
        Length(description, DescriptionMax, "description", "The description");
        var requesterName = Clean(input.RequesterName);
        Length(requesterName, RequesterMax, "requester", "The requester");
        var externalId = Clean(input.ExternalId);
        Length(externalId, ExternalIdMax, "externalId", "The external id");
        if (!Enum.IsDefined(input.Type))
        {
            throw UseCaseException.Invalid("type", $"type must be one of {ChangeNames.TypeNames}.");
        }

        if (!Enum.IsDefined(input.Status))
        {
            throw UseCaseException.Invalid("status", $"status must be one of {ChangeNames.StatusNames}.");
        }

        var requesterUserId = input.RequesterUserId;
        if (requesterUserId is { } requester && !await IsMemberAsync(organisationId, requester, ct))
        {
            throw UseCaseException.Invalid("requesterUserId", "The requester must be a member of the organisation.");
        }

        if (requesterUserId is null && requesterName is not null && requesterName.Contains('@', StringComparison.Ordinal))
        {
            // A ticket names its requester by e-mail: link the member it names, if any.
            var email = requesterName.ToUpperInvariant();
            var today = Today;
            requesterUserId = await db.Memberships.AsNoTracking()
                .ActiveOn(today).Where(m => m.OrganisationId == organisationId && m.User!.NormalizedEmail == email)
                .Select(m => (Guid?)m.UserId).FirstOrDefaultAsync(ct);
        }

        var assets = (input.AssetIds ?? []).Distinct().ToList();
        if (assets.Count > 0 && await db.Assets.CountAsync(a => a.OrganisationId == organisationId && assets.Contains(a.Id), ct) != assets.Count)
        {
            throw UseCaseException.Invalid("assetIds", "Every asset must be one of this organisation's assets.");
        }

        var controls = (input.ControlIds ?? []).Distinct().ToList();
        if (controls.Count > 0 && await db.Controls.CountAsync(c => c.OrganisationId == organisationId && controls.Contains(c.Id), ct) != controls.Count)
        {
            throw UseCaseException.Invalid("controlIds", "Every control must be one of this organisation's controls.");
        }

        return new ChangeInput(title, description, input.Type, requesterName, requesterUserId, input.PlannedOn, input.Status, assets, controls, externalId);
    }

    private static void Apply(Change change, ChangeInput clean)
    {
        change.Title = clean.Title;
        change.Description = clean.Description;
        change.Type = clean.Type;
        change.RequesterName = clean.RequesterName;
        change.RequesterUserId = clean.RequesterUserId;
        change.PlannedOn = clean.PlannedOn;
        change.ExternalId = clean.ExternalId;
        var assetIds = (clean.AssetIds ?? []).ToHashSet();
        change.Assets.RemoveAll(a => !assetIds.Contains(a.AssetId));
        foreach (var id in assetIds.Where(id => change.Assets.All(a => a.AssetId != id)))
        {
            change.Assets.Add(new ChangeAsset { ChangeId = change.Id, AssetId = id });
        }

        var controlIds = (clean.ControlIds ?? []).ToHashSet();
        change.Controls.RemoveAll(c => !controlIds.Contains(c.ControlId));
        foreach (var id in controlIds.Where(id => change.Controls.All(c => c.ControlId != id)))
        {
            change.Controls.Add(new ChangeControl { ChangeId = change.Id, ControlId = id });
        }
    }
}

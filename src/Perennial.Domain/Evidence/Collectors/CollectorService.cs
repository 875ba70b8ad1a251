using System.Security.Cryptography;
using System.Text.Json;
using Microsoft.AspNetCore.DataProtection;
using Microsoft.EntityFrameworkCore;
using Perennial.Activities;
using Perennial.Common;
using Perennial.Data;
using Perennial.Paging;

namespace Perennial.Evidence.Collectors;

/// <summary>
/// What a caller says about a collector. On update a null field keeps its value; <see cref="Secret"/>
/// null keeps the stored secret and "" removes it.
/// </summary>
public sealed record CollectorInput
{
    public string? Name { get; init; }
    public string? Kind { get; init; }
    public JsonElement? Settings { get; init; }
    public string? Secret { get; init; }
    public string? Rrule { get; init; }
    public string? Cron { get; init; }

    /// <summary>DTSTART of the RRULE, local to the time zone (default: today at 00:00).</summary>
    public DateTime? DtStart { get; init; }
    public string? TimeZone { get; init; }

    /// <summary>Guid.Empty clears the link on update.</summary>
    public Guid? ActivityId { get; init; }

    /// <summary>Guid.Empty clears the link on update.</summary>
    public Guid? ControlId { get; init; }
    public Guid? OwnerUserId { get; init; }
    public bool? Enabled { get; init; }
    public int? TimeoutSeconds { get; init; }
}

/// <summary>
/// Collectors of an organisation: create, change, list, delete; their runs. Secrets are encrypted
/// with Data Protection before they are stored and are never handed back.
/// </summary>
public sealed class CollectorService(
    PerennialDbContext db, TimeProvider time, IDataProtectionProvider protection, IEnumerable<IEvidenceCollector> collectors, ActivityService activities)
{
    public const string ProtectorPurpose = "Perennial.Evidence.Collectors.Secrets";

    private IDataProtector Protector => protection.CreateProtector(ProtectorPurpose);

    /// <summary>Every installed kind, by label.</summary>
    public IReadOnlyList<IEvidenceCollector> Kinds => [.. collectors.OrderBy(c => c.Label, StringComparer.OrdinalIgnoreCase)];

    public IEvidenceCollector? KindOf(string? kind) => collectors.FirstOrDefault(c => string.Equals(c.Kind, kind?.Trim(), StringComparison.OrdinalIgnoreCase));

    public async Task<Paged<Collector>> ListAsync(Guid organisationId, PageRequest page, CancellationToken ct) =>
        await db.Collectors.AsNoTracking().Include(c => c.Owner).Where(c => c.OrganisationId == organisationId)
            .OrderBy(c => c.Name).ToPagedAsync(page, ct);

    public async Task<Collector> GetAsync(Guid organisationId, Guid id, CancellationToken ct) =>
        await db.Collectors.AsNoTracking().Include(c => c.Owner).SingleOrDefaultAsync(c => c.Id == id && c.OrganisationId == organisationId, ct)
        ?? throw UseCaseException.NotFound("No such collector.");

    public async Task<Paged<CollectorRun>> ListRunsAsync(Guid organisationId, Guid collectorId, PageRequest page, CancellationToken ct)
    {
        _ = await GetAsync(organisationId, collectorId, ct);
        return await db.CollectorRuns.AsNoTracking().Where(r => r.CollectorId == collectorId && r.OrganisationId == organisationId)
            .OrderByDescending(r => r.StartedAt).ToPagedAsync(page, ct);
    }

    /// <summary>The evidence items each of <paramref name="runIds"/> produced.</summary>
    public async Task<ILookup<Guid, (Guid Id, string Title)>> ItemsOfRunsAsync(Guid organisationId, IReadOnlyList<Guid> runIds, CancellationToken ct)
    {
        var rows = await db.EvidenceItems.AsNoTracking()
            .Where(e => e.OrganisationId == organisationId && e.CollectorRunId != null && runIds.Contains(e.CollectorRunId.Value))
            .OrderBy(e => e.RecordedAt).Select(e => new { RunId = e.CollectorRunId!.Value, e.Id, e.Title }).ToListAsync(ct);
        return rows.ToLookup(r => r.RunId, r => (r.Id, r.Title));
    }

    public async Task<Collector> CreateAsync(Guid organisationId, Guid createdBy, CollectorInput input, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(input);
        var now = time.GetUtcNow();
        var kind = KindOf(input.Kind) ?? throw UnknownKind(input.Kind);
        var collector = new Collector
        {
            Id = Guid.CreateVersion7(now),
            OrganisationId = organisationId,
            Kind = kind.Kind,
            OwnerUserId = createdBy,
            CreatedAt = now,
        };
        var local = ActivitySchedule.IsKnownTimeZone(input.TimeZone) ? ActivitySchedule.LocalNow(now, input.TimeZone!) : now.UtcDateTime;
        collector.StartDate = DateOnly.FromDateTime(local);
        collector.StartTime = TimeOnly.MinValue;
        await ApplyAsync(collector, input, secret: null, isNew: true, now, ct);
        db.Collectors.Add(collector);
        await SaveAsync(ct);
        return await GetAsync(organisationId, collector.Id, ct);
    }

    public async Task<Collector> UpdateAsync(Guid organisationId, Guid id, CollectorInput input, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(input);
        var collector = await db.Collectors.SingleOrDefaultAsync(c => c.Id == id && c.OrganisationId == organisationId, ct)
            ?? throw UseCaseException.NotFound("No such collector.");
        if (input.Kind is not null && KindOf(input.Kind)?.Kind != collector.Kind)
        {
            throw UseCaseException.Invalid("kind", $"A collector keeps its kind ({collector.Kind}); create a new collector for another kind.");
        }

        await ApplyAsync(collector, input, UnprotectOrNull(collector.SecretProtected), isNew: false, time.GetUtcNow(), ct);
        await SaveAsync(ct);
        return await GetAsync(organisationId, id, ct);
    }

    /// <summary>Deletes a collector that never ran; one with runs is disabled instead, so its history and evidence stay explained.</summary>
    public async Task DeleteAsync(Guid organisationId, Guid id, CancellationToken ct)
    {
        var collector = await db.Collectors.SingleOrDefaultAsync(c => c.Id == id && c.OrganisationId == organisationId, ct)
            ?? throw UseCaseException.NotFound("No such collector.");
        if (await db.CollectorRuns.AnyAsync(r => r.CollectorId == id, ct))
        {
            throw UseCaseException.Conflict("id", $"'{collector.Name}' has run before: disable it instead, so its run history and the evidence it produced stay explained.");
        }

        db.Collectors.Remove(collector);
        await db.SaveChangesAsync(ct);
    }

    /// <summary>The decrypted secret; throws when it can no longer be decrypted (keys lost).</summary>
    public string? SecretOf(Collector collector)
    {
        ArgumentNullException.ThrowIfNull(collector);
        return collector.SecretProtected is null ? null : Protector.Unprotect(collector.SecretProtected);
    }

    private string? UnprotectOrNull(string? stored)
    {
        try
        {
            return stored is null ? null : Protector.Unprotect(stored);
        }
        catch (CryptographicException)
        {
            // The keys that encrypted it are gone: treat as unset, so a new secret can be given.
            return null;
        }
    }

    private async Task ApplyAsync(Collector collector, CollectorInput input, string? secret, bool isNew, DateTimeOffset now, CancellationToken ct)
    {
        var name = (input.Name ?? (isNew ? "" : collector.Name)).Trim();
        if (name.Length == 0)
        {
            throw UseCaseException.Invalid("name", "A collector needs a name, e.g. 'Production image scan'.");
        }

        if (name.Length > Collector.NameMaxLength)
        {
            throw UseCaseException.Invalid("name", $"name is longer than {Collector.NameMaxLength} characters.");
        }

        if (await db.Collectors.AnyAsync(c => c.OrganisationId == collector.OrganisationId && c.Name == name && c.Id != collector.Id, ct))
        {
            throw UseCaseException.Conflict("name", $"There is already a collector named '{name}'.");
        }

        var settingsText = input.Settings is { } given ? given.GetRawText() : isNew ? "{}" : collector.Settings;
        if (settingsText.Length > Collector.SettingsMaxLength)
        {
            throw UseCaseException.Invalid("settings", $"settings are longer than {Collector.SettingsMaxLength} characters.");
        }

        if (input.Secret is not null)
        {
            secret = input.Secret.Length == 0 ? null : input.Secret;
        }

        if (secret is { Length: > 4000 })
        {
            throw UseCaseException.Invalid("secret", "The secret is longer than 4000 characters.");
        }

        using (var settings = JsonDocument.Parse(settingsText))
        {
            (KindOf(collector.Kind) ?? throw UnknownKind(collector.Kind)).Validate(settings.RootElement, secret);
        }

        var timeout = input.TimeoutSeconds ?? collector.TimeoutSeconds;
        if (timeout is < 1 or > Collector.MaxTimeoutSeconds)
        {
            throw UseCaseException.Invalid("timeoutSeconds", $"timeoutSeconds must be between 1 and {Collector.MaxTimeoutSeconds}.");
        }

        var rrule = input.Rrule is null && input.Cron is null ? collector.Rrule : NullIfBlank(input.Rrule);
        var cron = input.Rrule is null && input.Cron is null ? collector.Cron : NullIfBlank(input.Cron);
        var zone = input.TimeZone?.Trim() ?? collector.TimeZone;
        var start = input.DtStart ?? collector.StartDate.ToDateTime(collector.StartTime, DateTimeKind.Unspecified);
        var schedule = new CollectorSchedule(rrule is null ? null : ActivitySchedule.Normalise(rrule), cron?.Trim(), start, zone);
        if (schedule.Validate(now) is [var problem, ..])
        {
            throw UseCaseException.Invalid(problem.Field, problem.Message);
        }

        var activityId = input.ActivityId is null ? collector.ActivityId : input.ActivityId == Guid.Empty ? null : input.ActivityId;
        if (activityId is { } aid && !await db.Activities.AnyAsync(a => a.Id == aid && a.OrganisationId == collector.OrganisationId, ct))
        {
            throw UseCaseException.Invalid("activityId", "No such activity in this organisation.");
        }

        var controlId = input.ControlId is null ? collector.ControlId : input.ControlId == Guid.Empty ? null : input.ControlId;
        if (controlId is { } cid && !await db.Controls.AnyAsync(c => c.Id == cid && c.OrganisationId == collector.OrganisationId, ct))
        {
            throw UseCaseException.Invalid("controlId", "No such control in this organisation.");
        }

        var owner = input.OwnerUserId ?? collector.OwnerUserId;
        if (input.OwnerUserId is not null || isNew)
        {
            owner = await activities.ResolveMemberAsync(collector.OrganisationId, owner.ToString(), "ownerEmail", ct);
        }

        var scheduleChanged = isNew || rrule != collector.Rrule || cron != collector.Cron || zone != collector.TimeZone
            || start != collector.StartDate.ToDateTime(collector.StartTime, DateTimeKind.Unspecified);
        var enabled = input.Enabled ?? collector.Enabled;
        var enabling = enabled && !collector.Enabled;

        collector.Name = name;
        collector.Settings = settingsText;
        collector.SecretProtected = secret is null ? null : input.Secret is null && !isNew ? collector.SecretProtected : Protector.Protect(secret);
        collector.Rrule = schedule.Rrule;
        collector.Cron = schedule.Cron;
        collector.TimeZone = zone;
        collector.StartDate = DateOnly.FromDateTime(start);
        collector.StartTime = TimeOnly.FromDateTime(start);
        collector.ActivityId = activityId;
        collector.ControlId = controlId;
        collector.OwnerUserId = owner;
        collector.TimeoutSeconds = timeout;
        collector.Enabled = enabled;
        if (!enabled)
        {
            collector.NextRunAt = null;
        }
        else if (scheduleChanged || enabling || collector.NextRunAt is null)
        {
            collector.NextRunAt = schedule.NextAfter(now);
        }
    }

    private async Task SaveAsync(CancellationToken ct)
    {
        try
        {
            await db.SaveChangesAsync(ct);
        }
        catch (DbUpdateException)
        {
            // Two saves raced for the same name; the unique index refused the second.
            db.ChangeTracker.Clear();
            throw UseCaseException.Conflict("name", "There is already a collector with this name.");
        }
    }

    private UseCaseException UnknownKind(string? kind) =>
        UseCaseException.Invalid("kind", $"kind must be one of {string.Join(", ", collectors.Select(c => c.Kind).Order(StringComparer.Ordinal))}{(kind is null ? "" : $", not '{kind}'")}.");

    private static string? NullIfBlank(string? text) => string.IsNullOrWhiteSpace(text) ? null : text.Trim();
}

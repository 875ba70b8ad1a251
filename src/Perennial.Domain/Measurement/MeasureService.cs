using System.Globalization;
using Microsoft.EntityFrameworkCore;
using Perennial.Common;
using Perennial.Data;
using Perennial.Organisations;

namespace Perennial.Measurement;

/// <summary>Who acts on measures and objectives: a person, possibly through an API token.</summary>
public sealed record MeasureActor(Guid UserId, OrgRole Role, Guid? TokenId = null)
{
    public bool IsManager => Role >= OrgRole.Manager;
}

/// <summary>A measure as entered. For a built-in measure the key, unit and direction stay as Perennial defines them.</summary>
public sealed record MeasureInput(
    string? Name, string? Description, string? Method, MeasureFrequency? Frequency, Guid? AnalystUserId, string? Unit,
    MeasureDirection? Direction, double? Target, double? Threshold, bool Active = true);

public sealed record ValueInput(DateOnly? On, double? Value, string? Note);

/// <summary>How a value reads against the measure's target and warning threshold.</summary>
public enum MeasureRating
{
    NoData = 0,
    NoTarget = 1,
    Met = 2,
    Warning = 3,
    Missed = 4,
}

/// <summary>A measure with its newest value and how that value reads.</summary>
public sealed record MeasureSummary(Measure Measure, MeasureValue? Latest, MeasureRating Rating, string? AnalystName);

/// <summary>
/// The organisation's measures (ISO/IEC 27001 9.1): the built-in ones, computed every day from
/// Perennial's records and kept as a time series, and measures whose values people enter or scripts
/// push. Managers define measures; values for an entered measure come from its analyst or a manager.
/// </summary>
public sealed class MeasureService(PerennialDbContext db, TimeProvider time, BuiltInMeasures builtIns)
{
    public const int MaxValuesPerRequest = 1000;
    public const int MaxRangeDays = 10 * 366;

    private DateOnly Today => DateOnly.FromDateTime(time.GetUtcNow().UtcDateTime);

    /// <summary>Rates <paramref name="value"/> against a target, a warning threshold and the direction that is good.</summary>
    public static MeasureRating Rate(double? value, double? target, double? threshold, MeasureDirection direction)
    {
        if (value is not { } v)
        {
            return MeasureRating.NoData;
        }

        if (target is not { } t)
        {
            return MeasureRating.NoTarget;
        }

        var sign = direction == MeasureDirection.HigherIsBetter ? 1 : -1;
        if (sign * (v - t) >= 0)
        {
            return MeasureRating.Met;
        }

        return threshold is { } w && sign * (v - w) >= 0 ? MeasureRating.Warning : MeasureRating.Missed;
    }

    public static MeasureRating Rate(Measure measure, double? value)
    {
        ArgumentNullException.ThrowIfNull(measure);
        return Rate(value, measure.Target, measure.Threshold, measure.Direction);
    }

    /// <summary>Adds the built-in measures an organisation does not have yet, with their default targets.</summary>
    public async Task EnsureBuiltInsAsync(Guid organisationId, CancellationToken ct)
    {
        var have = await db.Measures.AsNoTracking().Where(m => m.OrganisationId == organisationId && m.Key != null).Select(m => m.Key!).ToListAsync(ct);
        var missing = BuiltInMeasures.All.Where(b => !have.Contains(b.Key)).ToList();
        if (missing.Count == 0)
        {
            return;
        }

        // Inside an organisation's creation the caller's transaction holds; otherwise take the register's lock.
        var own = db.Database.CurrentTransaction is null ? await db.Database.BeginTransactionAsync(ct) : null;
        await using (own)
        {
            await db.LockAsync($"measures:{organisationId}", ct);
            have = await db.Measures.AsNoTracking().Where(m => m.OrganisationId == organisationId && m.Key != null).Select(m => m.Key!).ToListAsync(ct);
            var next = await NextNumberAsync(organisationId, ct);
            var now = time.GetUtcNow();
            foreach (var b in BuiltInMeasures.All.Where(b => !have.Contains(b.Key)))
            {
                db.Measures.Add(new Measure
                {
                    Id = Guid.NewGuid(),
                    OrganisationId = organisationId,
                    Reference = Reference(next++),
                    Key = b.Key,
                    Name = b.Name,
                    Description = b.Description,
                    Method = b.Method,
                    Unit = b.Unit,
                    Direction = b.Direction,
                    Target = b.Target,
                    Threshold = b.Threshold,
                    CreatedAt = now,
                    UpdatedAt = now,
                });
            }

            await db.SaveChangesAsync(ct);
            if (own is not null)
            {
                await own.CommitAsync(ct);
            }
        }
    }

    public async Task<IReadOnlyList<MeasureSummary>> ListAsync(Guid organisationId, bool includeInactive, CancellationToken ct)
    {
        await EnsureBuiltInsAsync(organisationId, ct);
        var measures = await db.Measures.AsNoTracking().Where(m => m.OrganisationId == organisationId && (includeInactive || m.Active)).ToListAsync(ct);
        var ids = measures.Select(m => m.Id).ToList();
        var latest = await LatestValuesAsync(db, ids, ct);
        var analysts = measures.Select(m => m.AnalystUserId).OfType<Guid>().Distinct().ToList();
        var names = await db.Users.AsNoTracking().Where(u => analysts.Contains(u.Id)).ToDictionaryAsync(u => u.Id, u => u.DisplayName, ct);
        return [.. measures.OrderBy(m => m.Reference, StringComparer.Ordinal).Select(m =>
        {
            var value = latest.GetValueOrDefault(m.Id);
            return new MeasureSummary(m, value, Rate(m, value?.Value), m.AnalystUserId is { } a ? names.GetValueOrDefault(a) : null);
        })];
    }

    /// <summary>The newest value of each of <paramref name="measureIds"/> that has one.</summary>
    internal static Task<Dictionary<Guid, MeasureValue>> LatestValuesAsync(PerennialDbContext db, IReadOnlyList<Guid> measureIds, CancellationToken ct) =>
        db.MeasureValues.AsNoTracking()
            .Where(v => measureIds.Contains(v.MeasureId) && v.On == db.MeasureValues.Where(w => w.MeasureId == v.MeasureId).Max(w => w.On))
            .ToDictionaryAsync(v => v.MeasureId, ct);

    public async Task<Measure> GetAsync(Guid organisationId, Guid id, CancellationToken ct) =>
        await db.Measures.FirstOrDefaultAsync(m => m.OrganisationId == organisationId && m.Id == id, ct)
        ?? throw UseCaseException.NotFound("No such measure in this organisation.");

    public async Task<MeasureSummary> SummaryAsync(Guid organisationId, Guid id, CancellationToken ct)
    {
        var measure = await GetAsync(organisationId, id, ct);
        var latest = await db.MeasureValues.AsNoTracking().Where(v => v.MeasureId == id).OrderByDescending(v => v.On).FirstOrDefaultAsync(ct);
        var analyst = measure.AnalystUserId is { } a ? await db.Users.AsNoTracking().Where(u => u.Id == a).Select(u => u.DisplayName).FirstOrDefaultAsync(ct) : null;
        return new MeasureSummary(measure, latest, Rate(measure, latest?.Value), analyst);
    }

    /// <summary>The values from <paramref name="from"/> to <paramref name="to"/> inclusive, oldest first.</summary>
    public async Task<IReadOnlyList<MeasureValue>> ValuesAsync(Guid organisationId, Guid id, DateOnly from, DateOnly to, CancellationToken ct)
    {
        if (to < from)
        {
            throw UseCaseException.Invalid("to", "'to' must not be before 'from'.");
        }

        if (to.DayNumber - from.DayNumber > MaxRangeDays)
        {
            throw UseCaseException.Invalid("to", $"A range covers at most {MaxRangeDays} days.");
        }

        await GetAsync(organisationId, id, ct);
        return await db.MeasureValues.AsNoTracking().Where(v => v.MeasureId == id && v.On >= from && v.On <= to).OrderBy(v => v.On).ToListAsync(ct);
    }

    public async Task<Measure> CreateAsync(Guid organisationId, MeasureActor actor, MeasureInput input, CancellationToken ct)
    {
        RequireManager(actor, "define a measure");
        var clean = await CleanAsync(organisationId, input, null, ct);
        await using var transaction = await db.Database.BeginTransactionAsync(ct);
        await db.LockAsync($"measures:{organisationId}", ct);
        var now = time.GetUtcNow();
        var measure = new Measure
        {
            Id = Guid.NewGuid(),
            OrganisationId = organisationId,
            Reference = Reference(await NextNumberAsync(organisationId, ct)),
            CreatedAt = now,
        };
        Apply(measure, clean, now);
        db.Measures.Add(measure);
        await db.SaveChangesAsync(ct);
        await transaction.CommitAsync(ct);
        return measure;
    }

    public async Task<Measure> UpdateAsync(Guid organisationId, Guid id, MeasureActor actor, MeasureInput input, CancellationToken ct)
    {
        RequireManager(actor, "change a measure");
        var measure = await GetAsync(organisationId, id, ct);
        var clean = await CleanAsync(organisationId, input, measure, ct);
        Apply(measure, clean, time.GetUtcNow());
        await db.SaveChangesAsync(ct);
        return measure;
    }

    /// <summary>
    /// Records entered or pushed values, all or none: a later value for a day already recorded replaces it.
    /// Built-in measures take no entered values.
    /// </summary>
    public async Task<IReadOnlyList<MeasureValue>> RecordAsync(Guid organisationId, Guid id, MeasureActor actor, IReadOnlyList<ValueInput> values, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(actor);
        ArgumentNullException.ThrowIfNull(values);
        var measure = await GetAsync(organisationId, id, ct);
        if (measure.IsBuiltIn)
        {
            throw UseCaseException.Conflict("measure", $"{measure.Reference} is computed by Perennial from its records; it takes no entered values.");
        }

        if (!actor.IsManager && measure.AnalystUserId != actor.UserId)
        {
            throw UseCaseException.Forbidden($"Only the analyst of {measure.Reference} or an ISMS manager records its values.");
        }

        if (values.Count == 0)
        {
            throw UseCaseException.Invalid("values", "Send at least one value.");
        }

        if (values.Count > MaxValuesPerRequest)
        {
            throw UseCaseException.Invalid("values", $"At most {MaxValuesPerRequest} values per request.");
        }

        var today = Today;
        var clean = new List<(DateOnly On, double Value, string? Note)>();
        for (var i = 0; i < values.Count; i++)
        {
            var field = values.Count == 1 ? "" : $"values[{i}].";
            var v = values[i] ?? throw UseCaseException.Invalid($"values[{i}]", $"values[{i}] is empty.");
            var on = v.On ?? today;
            if (on > today)
            {
                throw UseCaseException.Invalid($"{field}on", $"{field}on is {on:yyyy-MM-dd}: a value is recorded for a day that has come, not a later one.");
            }

            if (v.Value is not { } number || double.IsNaN(number) || double.IsInfinity(number))
            {
                throw UseCaseException.Invalid($"{field}value", $"{field}value must be a number.");
            }

            if (clean.Any(c => c.On == on))
            {
                throw UseCaseException.Invalid($"{field}on", $"{on:yyyy-MM-dd} appears twice in the request.");
            }

            clean.Add((on, number, TextInput.Clean(v.Note, $"{field}note", MeasureValue.NoteMaxLength)));
        }

        var days = clean.Select(c => c.On).ToList();
        var existing = await db.MeasureValues.Where(v => v.MeasureId == id && days.Contains(v.On)).ToDictionaryAsync(v => v.On, ct);
        var now = time.GetUtcNow();
        var source = actor.TokenId is null ? MeasureValueSource.Manual : MeasureValueSource.Api;
        var written = new List<MeasureValue>();
        foreach (var (on, number, note) in clean)
        {
            if (!existing.TryGetValue(on, out var row))
            {
                row = new MeasureValue { Id = Guid.NewGuid(), OrganisationId = organisationId, MeasureId = id, On = on };
                db.MeasureValues.Add(row);
            }

            row.Value = number;
            row.Note = note;
            row.Detail = null;
            row.Source = source;
            row.RecordedAt = now;
            row.RecordedByUserId = actor.UserId;
            row.RecordedByTokenId = actor.TokenId;
            written.Add(row);
        }

        await db.SaveChangesAsync(ct);
        return [.. written.OrderBy(w => w.On)];
    }

    /// <summary>Computes every active built-in measure of an organisation for <paramref name="day"/> and keeps the values, replacing that day's.</summary>
    public async Task<int> RecomputeAsync(Guid organisationId, DateOnly day, CancellationToken ct)
    {
        await EnsureBuiltInsAsync(organisationId, ct);
        var measures = await db.Measures.AsNoTracking().Where(m => m.OrganisationId == organisationId && m.Key != null && m.Active).ToListAsync(ct);
        var ids = measures.Select(m => m.Id).ToList();
        var existing = await db.MeasureValues.Where(v => ids.Contains(v.MeasureId) && v.On == day).ToDictionaryAsync(v => v.MeasureId, ct);
        var now = time.GetUtcNow();
        foreach (var measure in measures)
        {
            var result = await builtIns.ComputeAsync(organisationId, measure.Key!, measure.Frequency, day, ct);
            if (!existing.TryGetValue(measure.Id, out var row))
            {
                row = new MeasureValue { Id = Guid.NewGuid(), OrganisationId = organisationId, MeasureId = measure.Id, On = day };
                db.MeasureValues.Add(row);
            }

            row.Value = result.Value;
            row.Detail = result.Detail.Length > MeasureValue.DetailMaxLength ? result.Detail[..MeasureValue.DetailMaxLength] : result.Detail;
            row.Source = MeasureValueSource.Computed;
            row.RecordedAt = now;
            row.RecordedByUserId = null;
            row.RecordedByTokenId = null;
            row.Note = null;
        }

        await db.SaveChangesAsync(ct);
        return measures.Count;
    }

    /// <summary>Recomputes the built-in measures of every organisation for <paramref name="day"/>.</summary>
    public async Task<int> RecomputeAllAsync(DateOnly day, CancellationToken ct)
    {
        var organisations = await db.Organisations.AsNoTracking().Select(o => o.Id).ToListAsync(ct);
        var total = 0;
        foreach (var organisation in organisations)
        {
            total += await RecomputeAsync(organisation, day, ct);
            db.ChangeTracker.Clear();
        }

        return total;
    }

    private sealed record Clean(
        string Name, string? Description, string? Method, MeasureFrequency Frequency, Guid? Analyst, string Unit, MeasureDirection Direction,
        double? Target, double? Threshold, bool Active);

    private async Task<Clean> CleanAsync(Guid organisationId, MeasureInput input, Measure? existing, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(input);
        var builtIn = existing?.IsBuiltIn == true;
        var name = TextInput.Clean(input.Name, "name", Measure.NameMaxLength, required: true)!;
        var description = TextInput.Clean(input.Description, "description", Measure.TextMaxLength);
        var method = TextInput.Clean(input.Method, "method", Measure.TextMaxLength);
        if (!builtIn && method is null)
        {
            throw UseCaseException.Invalid("method", "Say how the measure is taken: where the figure comes from and how it is counted.");
        }

        var frequency = input.Frequency ?? existing?.Frequency ?? MeasureFrequency.Monthly;
        if (!Enum.IsDefined(frequency))
        {
            throw UseCaseException.Invalid("frequency", "frequency must be weekly, monthly, quarterly or yearly.");
        }

        var unit = builtIn ? existing!.Unit : TextInput.Clean(input.Unit, "unit", Measure.UnitMaxLength, required: true)!;
        var direction = builtIn ? existing!.Direction : input.Direction ?? MeasureDirection.HigherIsBetter;
        if (!Enum.IsDefined(direction))
        {
            throw UseCaseException.Invalid("direction", "direction must be higher-is-better or lower-is-better.");
        }

        foreach (var (field, number) in new[] { ("target", input.Target), ("threshold", input.Threshold) })
        {
            if (number is { } n && (double.IsNaN(n) || double.IsInfinity(n)))
            {
                throw UseCaseException.Invalid(field, $"{field} must be a number.");
            }
        }

        if (input.Threshold is not null && input.Target is null)
        {
            throw UseCaseException.Invalid("threshold", "A warning threshold needs a target to warn about.");
        }

        if (input.Target is { } target && input.Threshold is { } threshold
            && (direction == MeasureDirection.HigherIsBetter ? threshold > target : threshold < target))
        {
            throw UseCaseException.Invalid("threshold", direction == MeasureDirection.HigherIsBetter
                ? "Higher is better here, so the warning threshold must not be above the target."
                : "Lower is better here, so the warning threshold must not be below the target.");
        }

        if (input.AnalystUserId is { } analyst)
        {
            var role = await db.Memberships.ActiveOn(Today).Where(m => m.OrganisationId == organisationId && m.UserId == analyst)
                .Select(m => (OrgRole?)m.Role).FirstOrDefaultAsync(ct);
            if (role is null or < OrgRole.Contributor)
            {
                throw UseCaseException.Invalid("analyst", "The analyst must be a current contributor, manager or admin of this organisation.");
            }
        }

        return new Clean(name, description, builtIn ? existing!.Method : method, frequency, input.AnalystUserId, unit, direction, input.Target, input.Threshold, input.Active);
    }

    private static void Apply(Measure measure, Clean clean, DateTimeOffset now)
    {
        measure.Name = clean.Name;
        measure.Description = clean.Description;
        measure.Method = clean.Method;
        measure.Frequency = clean.Frequency;
        measure.AnalystUserId = clean.Analyst;
        measure.Unit = clean.Unit;
        measure.Direction = clean.Direction;
        measure.Target = clean.Target;
        measure.Threshold = clean.Threshold;
        measure.Active = clean.Active;
        measure.UpdatedAt = now;
    }

    private async Task<int> NextNumberAsync(Guid organisationId, CancellationToken ct) =>
        await db.Measures.CountAsync(m => m.OrganisationId == organisationId, ct) + 1;

    private static string Reference(int number) => string.Create(CultureInfo.InvariantCulture, $"MS-{number:000}");

    private static void RequireManager(MeasureActor actor, string what)
    {
        ArgumentNullException.ThrowIfNull(actor);
        if (!actor.IsManager)
        {
            throw UseCaseException.Forbidden($"Only an ISMS manager may {what}.");
        }
    }
}

/// <summary>The words the API and pages use for measures and objectives.</summary>
public static class MeasureNames
{
    public static string Name(MeasureFrequency f) => f.ToString().ToLowerInvariant();

    public static MeasureFrequency? ParseFrequency(string? text) => (text ?? "").Trim().ToLowerInvariant() switch
    {
        "weekly" => MeasureFrequency.Weekly,
        "monthly" => MeasureFrequency.Monthly,
        "quarterly" => MeasureFrequency.Quarterly,
        "yearly" => MeasureFrequency.Yearly,
        _ => null,
    };

    public static string Name(MeasureDirection d) => d == MeasureDirection.HigherIsBetter ? "higher-is-better" : "lower-is-better";

    public static MeasureDirection? ParseDirection(string? text) => (text ?? "").Trim().ToLowerInvariant() switch
    {
        "higher-is-better" => MeasureDirection.HigherIsBetter,
        "lower-is-better" => MeasureDirection.LowerIsBetter,
        _ => null,
    };

    public static string Name(MeasureRating r) => r switch
    {
        MeasureRating.NoData => "no-data",
        MeasureRating.NoTarget => "no-target",
        MeasureRating.Met => "met",
        MeasureRating.Warning => "warning",
        _ => "missed",
    };

    public static string Label(MeasureRating r) => r switch
    {
        MeasureRating.NoData => "No data",
        MeasureRating.NoTarget => "No target",
        MeasureRating.Met => "On target",
        MeasureRating.Warning => "Warning",
        _ => "Off target",
    };

    public static string Name(MeasureValueSource s) => s.ToString().ToLowerInvariant();

    public static string Name(ObjectiveStatus s) => s switch
    {
        ObjectiveStatus.Active => "active",
        ObjectiveStatus.Achieved => "achieved",
        ObjectiveStatus.NotAchieved => "not-achieved",
        _ => "withdrawn",
    };

    public static ObjectiveStatus? ParseStatus(string? text) => (text ?? "").Trim().ToLowerInvariant() switch
    {
        "active" => ObjectiveStatus.Active,
        "achieved" => ObjectiveStatus.Achieved,
        "not-achieved" => ObjectiveStatus.NotAchieved,
        "withdrawn" => ObjectiveStatus.Withdrawn,
        _ => null,
    };

    public static string Label(ObjectiveStatus s) => s switch
    {
        ObjectiveStatus.Active => "Active",
        ObjectiveStatus.Achieved => "Achieved",
        ObjectiveStatus.NotAchieved => "Not achieved",
        _ => "Withdrawn",
    };

    /// <summary>A value with its unit: "92.5 %", "3 days", "4".</summary>
    public static string Format(double? value, string unit)
    {
        if (value is not { } v)
        {
            return "–";
        }

        var number = v.ToString("0.##", CultureInfo.InvariantCulture);
        return unit switch
        {
            "%" => $"{number} %",
            "count" => number,
            _ => $"{number} {unit}",
        };
    }
}

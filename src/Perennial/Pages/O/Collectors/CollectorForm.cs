using System.Text.Json;
using Microsoft.EntityFrameworkCore;
using Perennial.Activities;
using Perennial.Common;
using Perennial.Data;
using Perennial.Evidence.Collectors;
using Perennial.Organisations;
using Perennial.Paging;

namespace Perennial.Pages.O.Collectors;

/// <summary>The collector form as posted: settings as a JSON text, the schedule as an RRULE or a cron expression.</summary>
public sealed class CollectorForm
{
    public string? Name { get; set; }
    public string? Kind { get; set; }
    public string? Settings { get; set; } = "{}";
    public string? Secret { get; set; }
    public bool RemoveSecret { get; set; }
    public string? Rrule { get; set; }
    public string? Cron { get; set; }
    public string? DtStart { get; set; }
    public string? TimeZone { get; set; } = "UTC";
    public Guid? ActivityId { get; set; }
    public Guid? ControlId { get; set; }
    public Guid? OwnerUserId { get; set; }
    public bool Enabled { get; set; } = true;
    public int TimeoutSeconds { get; set; } = Collector.DefaultTimeoutSeconds;

    public static CollectorForm From(Collector c)
    {
        ArgumentNullException.ThrowIfNull(c);
        return new CollectorForm
        {
            Name = c.Name,
            Kind = c.Kind,
            Settings = JsonSerializer.Serialize(JsonDocument.Parse(c.Settings).RootElement, Indented),
            Rrule = c.Rrule,
            Cron = c.Cron,
            DtStart = c.StartDate.ToDateTime(c.StartTime).ToString("yyyy-MM-dd'T'HH:mm", System.Globalization.CultureInfo.InvariantCulture),
            TimeZone = c.TimeZone,
            ActivityId = c.ActivityId,
            ControlId = c.ControlId,
            OwnerUserId = c.OwnerUserId,
            Enabled = c.Enabled,
            TimeoutSeconds = c.TimeoutSeconds,
        };
    }

    /// <summary>The use case's input; on edit, an empty secret box keeps the stored secret and an empty link removes it.</summary>
    public CollectorInput ToInput(bool isNew)
    {
        JsonElement settings;
        try
        {
            using var document = JsonDocument.Parse(string.IsNullOrWhiteSpace(Settings) ? "{}" : Settings);
            settings = document.RootElement.Clone();
        }
        catch (JsonException e)
        {
            throw UseCaseException.Invalid("settings", $"The settings are not valid JSON (line {(e.LineNumber ?? 0) + 1}): {e.Message.Split(" Path:", 2)[0]}");
        }

        if (settings.ValueKind != JsonValueKind.Object)
        {
            throw UseCaseException.Invalid("settings", "The settings must be a JSON object, e.g. {\"program\": \"/usr/bin/trivy\"}.");
        }

        DateTime? start = null;
        if (!string.IsNullOrWhiteSpace(DtStart))
        {
            start = ActivitySchedule.TryParseLocal(DtStart, out var local) ? local
                : throw UseCaseException.Invalid("dtStart", "The start is not a local date and time like 2026-03-01T02:00.");
        }

        return new CollectorInput
        {
            Name = Name ?? "",
            Kind = Kind,
            Settings = settings,
            Secret = RemoveSecret ? "" : string.IsNullOrEmpty(Secret) ? null : Secret,
            Rrule = Rrule ?? "",
            Cron = Cron ?? "",
            DtStart = start,
            TimeZone = TimeZone,
            ActivityId = ActivityId ?? (isNew ? null : Guid.Empty),
            ControlId = ControlId ?? (isNew ? null : Guid.Empty),
            OwnerUserId = OwnerUserId,
            Enabled = Enabled,
            TimeoutSeconds = TimeoutSeconds,
        };
    }

    private static readonly JsonSerializerOptions Indented = new() { WriteIndented = true };
}

public sealed record CollectorFormOptions(
    IReadOnlyList<(string Kind, string Label)> Kinds,
    IReadOnlyList<(Guid Id, string Label)> Activities,
    IReadOnlyList<(Guid Id, string Label)> Controls,
    IReadOnlyList<MemberSummary> Members)
{
    public static async Task<CollectorFormOptions> LoadAsync(Guid organisationId, CollectorService collectors, OrganisationService organisations, PerennialDbContext db, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(collectors);
        ArgumentNullException.ThrowIfNull(organisations);
        ArgumentNullException.ThrowIfNull(db);
        var activities = await db.Activities.AsNoTracking().Where(a => a.OrganisationId == organisationId && a.State != ActivityState.Retired)
            .OrderBy(a => a.Reference).Select(a => new { a.Id, a.Reference, a.Title }).ToListAsync(ct);
        var controls = await db.Controls.AsNoTracking().Where(c => c.OrganisationId == organisationId && c.Kind == Perennial.Frameworks.ControlKind.Control)
            .OrderBy(c => c.Framework!.Name).ThenBy(c => c.SortOrder).Take(2000)
            .Select(c => new { c.Id, Framework = c.Framework!.Name, c.Identifier, c.Title }).ToListAsync(ct);
        var members = await organisations.ListMembersAsync(organisationId, new PageRequest(1, PageRequest.MaxPageSize), ct);
        return new CollectorFormOptions(
            [.. collectors.Kinds.Select(k => (k.Kind, k.Label))],
            [.. activities.Select(a => (a.Id, $"{a.Reference} {a.Title}"))],
            [.. controls.Select(c => (c.Id, $"{c.Framework} {c.Identifier} {c.Title}"))],
            [.. members.Items.Where(m => m.Active && m.Role >= OrgRole.Contributor)]);
    }
}

/// <summary>What the fields partial shows: the form, its choices, and a schedule preview when asked.</summary>
public sealed record CollectorFormView(CollectorForm Form, CollectorFormOptions Options, bool IsNew, bool SecretSet, string? PreviewWords, IReadOnlyList<DateTimeOffset>? PreviewRuns);

using System.Security.Cryptography;
using Microsoft.EntityFrameworkCore;
using Perennial.Activities;
using Perennial.Common;
using Perennial.Data;
using Perennial.Frameworks;
using Perennial.InternalAudits;
using Perennial.Organisations;

namespace Perennial.AuditorWorkspace;

/// <summary>Who acts in the workspace: the account and its role in the organisation.</summary>
public sealed record WorkspaceActor(Guid UserId, OrgRole Role)
{
    public bool IsManager => Role >= OrgRole.Manager;
}

/// <summary>What the auditor asks for.</summary>
public sealed record AuditRequestInput(string? Text, string? Identifier, Guid? OccurrenceId, Guid? SampleId, DateOnly? DueOn, Guid? AssigneeUserId);

/// <summary>One sampled occurrence as the auditor sees it, with the evidence attached to it.</summary>
public sealed record SampledOccurrence(Guid Id, string Activity, string Title, DateOnly DueDate, OccurrenceState State, DateTimeOffset? CompletedAt, IReadOnlyList<SampledEvidence> Evidence);

public sealed record SampledEvidence(Guid Id, string Title, DateOnly PeriodFrom, DateOnly PeriodTo, string? Sha256);

/// <summary>
/// The external auditor's workspace: samples of a control's occurrences drawn with a recorded seed,
/// and the requests of the "provided by client" list from raised to accepted. Any member may draw a
/// sample or raise a request (a team rehearses the audit the same way); only the one who raised a
/// request accepts it or asks again, only its assignee (or a manager) answers it, so an auditor changes
/// nothing but their own samples and requests.
/// </summary>
public sealed class AuditorWorkspaceService(PerennialDbContext db, TimeProvider time)
{
    /// <summary>The longest period one sample covers.</summary>
    public const int MaxSampleDays = 3 * 366;

    private DateOnly Today => DateOnly.FromDateTime(time.GetUtcNow().UtcDateTime);

    /// <summary>
    /// Draws the occurrences of the control's activities due in the period and settled (done, or past
    /// their date), as many as the sampling table gives for the most frequent of them; a given seed
    /// draws the same sample again, without one a random seed is chosen and recorded.
    /// </summary>
    public async Task<AuditSample> DrawSampleAsync(Guid organisationId, WorkspaceActor actor, string? controlIdentifier, DateOnly? from, DateOnly? to, int? seed, Guid? externalAuditId, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(actor);
        var identifier = controlIdentifier?.Trim();
        if (string.IsNullOrEmpty(identifier))
        {
            throw UseCaseException.Invalid("control", "control is required: the identifier of a control, such as A.8.13.");
        }

        if (from is not { } first || to is not { } last)
        {
            throw UseCaseException.Invalid(from is null ? "periodFrom" : "periodTo", "periodFrom and periodTo (YYYY-MM-DD) are required.");
        }

        if (first > last)
        {
            throw UseCaseException.Invalid("periodFrom", "periodFrom is after periodTo.");
        }

        if (last.DayNumber - first.DayNumber + 1 > MaxSampleDays)
        {
            throw UseCaseException.Invalid("periodTo", $"A sample covers at most {MaxSampleDays} days.");
        }

        if (seed is <= 0)
        {
            throw UseCaseException.Invalid("seed", "seed must be a positive whole number.");
        }

        var control = await db.Controls.AsNoTracking()
            .Where(c => c.OrganisationId == organisationId && c.Kind == ControlKind.Control && c.Identifier == identifier)
            .OrderBy(c => c.Framework!.Key == Framework.IsoKey ? 0 : 1).Select(c => new { c.Id, c.Identifier }).FirstOrDefaultAsync(ct)
            ?? throw UseCaseException.Invalid("control", $"This organisation has no control {identifier}.");
        var activities = await db.ActivityControls.AsNoTracking().Where(l => l.ControlId == control.Id)
            .Join(db.Activities, l => l.ActivityId, a => a.Id, (l, a) => new { a.Id, a.Rrule, a.ScheduleSource })
            .ToListAsync(ct);
        if (activities.Count == 0)
        {
            throw UseCaseException.Conflict("control", $"No activity operates {control.Identifier}, so it has no occurrences to sample.");
        }

        var frequencies = activities.Select(a => a.ScheduleSource == ScheduleSource.CertificationCycle ? "annual" : SamplingTable.FrequencyOf(a.Rrule)).OfType<string>().ToList();
        // The table lists frequencies from the least to the most frequent: the last one present sizes the sample.
        var frequency = SamplingTable.Frequencies.LastOrDefault(frequencies.Contains) ?? "annual";
        var table = SamplingTable.For(await db.InternalAuditSettings.AsNoTracking().FirstOrDefaultAsync(s => s.OrganisationId == organisationId, ct));
        var ids = activities.Select(a => a.Id).ToList();
        var today = Today;
        var population = await db.Occurrences.AsNoTracking()
            .Where(o => ids.Contains(o.ActivityId) && o.DueDate >= first && o.DueDate <= last && (o.State != OccurrenceState.Open || o.DueDate < today))
            .OrderBy(o => o.DueDate).ThenBy(o => o.Id).Select(o => o.Id).ToListAsync(ct);
        if (population.Count == 0)
        {
            throw UseCaseException.Conflict("periodFrom", $"No occurrence of {control.Identifier}'s activities was due and settled between {first:yyyy-MM-dd} and {last:yyyy-MM-dd}.");
        }

        var chosen = seed ?? RandomNumberGenerator.GetInt32(1, int.MaxValue);
        var drawn = SamplingTable.Draw(population, SamplingTable.SizeFor(table[frequency], population.Count, higherRisk: false), chosen);
        var sample = new AuditSample
        {
            Id = Guid.NewGuid(),
            OrganisationId = organisationId,
            ExternalAuditId = externalAuditId,
            ControlId = control.Id,
            ControlIdentifier = control.Identifier,
            PeriodFrom = first,
            PeriodTo = last,
            Frequency = frequency,
            Seed = chosen,
            Population = population.Count,
            Size = drawn.Count,
            OccurrenceIds = [.. drawn],
            DrawnAt = time.GetUtcNow(),
            DrawnByUserId = actor.UserId,
        };
        db.AuditSamples.Add(sample);
        await db.SaveChangesAsync(ct);
        return sample;
    }

    public async Task<IReadOnlyList<AuditSample>> SamplesAsync(Guid organisationId, CancellationToken ct) =>
        await db.AuditSamples.AsNoTracking().Where(s => s.OrganisationId == organisationId).OrderByDescending(s => s.DrawnAt).ToListAsync(ct);

    public async Task<AuditSample> SampleAsync(Guid organisationId, Guid id, CancellationToken ct) =>
        await db.AuditSamples.AsNoTracking().FirstOrDefaultAsync(s => s.OrganisationId == organisationId && s.Id == id, ct)
        ?? throw UseCaseException.NotFound("No such sample in this organisation.");

    /// <summary>The sampled occurrences in due-date order, each with the evidence attached to it.</summary>
    public async Task<IReadOnlyList<SampledOccurrence>> SampledAsync(AuditSample sample, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(sample);
        var ids = sample.OccurrenceIds;
        var occurrences = await db.Occurrences.AsNoTracking().Where(o => ids.Contains(o.Id))
            .Select(o => new { o.Id, o.Activity!.Reference, o.Activity.Title, o.DueDate, o.State, o.CompletedAt }).ToListAsync(ct);
        var evidence = (await db.EvidenceItemLinks.AsNoTracking().Where(l => l.OccurrenceId != null && ids.Contains(l.OccurrenceId.Value))
                .Join(db.EvidenceItems, l => l.EvidenceItemId, e => e.Id, (l, e) => new { OccurrenceId = l.OccurrenceId!.Value, e.Id, e.Title, e.PeriodFrom, e.PeriodTo, e.Sha256 })
                .ToListAsync(ct))
            .ToLookup(e => e.OccurrenceId);
        return [.. occurrences.OrderBy(o => o.DueDate).ThenBy(o => o.Id).Select(o => new SampledOccurrence(o.Id, o.Reference, o.Title, o.DueDate, o.State, o.CompletedAt,
            [.. evidence[o.Id].DistinctBy(e => e.Id).OrderBy(e => e.PeriodFrom).Select(e => new SampledEvidence(e.Id, e.Title, e.PeriodFrom, e.PeriodTo, e.Sha256))]))];
    }

    public async Task<IReadOnlyList<AuditRequest>> RequestsAsync(Guid organisationId, AuditRequestStatus? status, Guid? assignee, CancellationToken ct) =>
        await RequestQuery(organisationId, status, assignee).ToListAsync(ct);

    /// <summary>Who a request can go to, by name: current members who are not auditors (as <see cref="RaiseAsync"/> requires).</summary>
    public async Task<IReadOnlyList<(Guid Id, string Name)>> AssigneesAsync(Guid organisationId, CancellationToken ct)
    {
        var today = Today;
        var people = await db.Memberships.AsNoTracking()
            .Where(m => m.OrganisationId == organisationId && m.Role != OrgRole.Auditor && (m.ExpiresOn == null || m.ExpiresOn >= today))
            .Join(db.Users, m => m.UserId, u => u.Id, (m, u) => new { u.Id, u.DisplayName }).ToListAsync(ct);
        return [.. people.OrderBy(u => u.DisplayName, StringComparer.OrdinalIgnoreCase).Select(u => (u.Id, u.DisplayName))];
    }

    /// <summary>One page of the samples, newest first, optionally of one control only; and how many there are in all.</summary>
    public async Task<(IReadOnlyList<AuditSample> Items, int Total)> SamplesPageAsync(Guid organisationId, string? control, int skip, int take, CancellationToken ct)
    {
        var query = db.AuditSamples.AsNoTracking().Where(s => s.OrganisationId == organisationId);
        if (!string.IsNullOrWhiteSpace(control))
        {
            var identifier = control.Trim();
            query = query.Where(s => s.ControlIdentifier == identifier);
        }

        var total = await query.CountAsync(ct);
        return (await query.OrderByDescending(s => s.DrawnAt).ThenBy(s => s.Id).Skip(skip).Take(take).ToListAsync(ct), total);
    }

    /// <summary>One page of the requests (waiting ones first, by due date), filtered by status and assignee; and how many match in all.</summary>
    public async Task<(IReadOnlyList<AuditRequest> Items, int Total)> RequestsPageAsync(
        Guid organisationId, AuditRequestStatus? status, Guid? assignee, int skip, int take, CancellationToken ct)
    {
        var query = RequestQuery(organisationId, status, assignee);
        return (await query.Skip(skip).Take(take).ToListAsync(ct), await query.CountAsync(ct));
    }

    /// <summary>The requests of each status, for the filter's counts.</summary>
    public async Task<IReadOnlyDictionary<AuditRequestStatus, int>> RequestCountsAsync(Guid organisationId, Guid? assignee, CancellationToken ct) =>
        await RequestQuery(organisationId, null, assignee).GroupBy(r => r.Status).Select(g => new { g.Key, Count = g.Count() })
            .ToDictionaryAsync(g => g.Key, g => g.Count, ct);

    /// <summary>
    /// The evidence items an answer to each request would most likely cite: those attached to its
    /// occurrence, then the newest linked to its control (directly or through an activity operating it)
    /// whose period overlaps [periodFrom, periodTo], at most <paramref name="limit"/> each; the items an answer
    /// already cites are always among them.
    /// </summary>
    public async Task<IReadOnlyDictionary<Guid, IReadOnlyList<SampledEvidence>>> AnswerCandidatesAsync(
        Guid organisationId, IReadOnlyList<AuditRequest> requests, DateOnly periodFrom, DateOnly periodTo, int limit, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(requests);
        var identifiers = requests.Select(r => r.Identifier).OfType<string>().Distinct().ToList();
        var controls = identifiers.Count == 0 ? [] : await db.Controls.AsNoTracking()
            .Where(c => c.OrganisationId == organisationId && identifiers.Contains(c.Identifier)).Select(c => new { c.Id, c.Identifier }).ToListAsync(ct);
        var controlIds = controls.Select(c => c.Id).ToList();
        var operating = controlIds.Count == 0 ? [] : await db.ActivityControls.AsNoTracking().Where(l => controlIds.Contains(l.ControlId))
            .Select(l => new { l.ActivityId, l.ControlId }).ToListAsync(ct);
        var activityIds = operating.Select(o => o.ActivityId).Distinct().ToList();
        var occurrenceIds = requests.Select(r => r.OccurrenceId).OfType<Guid>().Distinct().ToList();
        var cited = requests.SelectMany(r => r.EvidenceIds).Distinct().ToList();
        var links = await (
                from l in db.EvidenceItemLinks.AsNoTracking()
                join e in db.EvidenceItems on l.EvidenceItemId equals e.Id
                where e.OrganisationId == organisationId
                    && ((l.OccurrenceId != null && occurrenceIds.Contains(l.OccurrenceId.Value))
                        || (((l.ControlId != null && controlIds.Contains(l.ControlId.Value)) || (l.ActivityId != null && activityIds.Contains(l.ActivityId.Value)))
                            && e.PeriodTo >= periodFrom && e.PeriodFrom <= periodTo))
                select new { e.Id, l.OccurrenceId, l.ControlId, l.ActivityId, e.Title, e.PeriodFrom, e.PeriodTo, e.Sha256, e.CollectedAt })
            .ToListAsync(ct);
        var citedItems = cited.Count == 0 ? [] : await db.EvidenceItems.AsNoTracking().Where(e => e.OrganisationId == organisationId && cited.Contains(e.Id))
            .Select(e => new SampledEvidence(e.Id, e.Title, e.PeriodFrom, e.PeriodTo, e.Sha256)).ToListAsync(ct);
        var controlsOfActivity = operating.ToLookup(o => o.ActivityId, o => o.ControlId);
        var result = new Dictionary<Guid, IReadOnlyList<SampledEvidence>>();
        foreach (var request in requests)
        {
            var mine = controls.Where(c => c.Identifier == request.Identifier).Select(c => c.Id).ToHashSet();
            var onOccurrence = links.Where(l => request.OccurrenceId is { } o && l.OccurrenceId == o).OrderBy(l => l.PeriodFrom);
            var onControl = links.Where(l => (l.ControlId is { } c && mine.Contains(c)) || (l.ActivityId is { } a && controlsOfActivity[a].Any(mine.Contains)))
                .Where(l => l.PeriodTo >= periodFrom && l.PeriodFrom <= periodTo)
                .OrderByDescending(l => l.PeriodTo).ThenByDescending(l => l.CollectedAt);
            var suggested = onOccurrence.Concat(onControl).Select(l => new SampledEvidence(l.Id, l.Title, l.PeriodFrom, l.PeriodTo, l.Sha256));
            result[request.Id] = [.. citedItems.Where(e => request.EvidenceIds.Contains(e.Id)).Concat(suggested).DistinctBy(e => e.Id)
                .Take(Math.Max(limit, request.EvidenceIds.Count))];
        }

        return result;
    }

    private IQueryable<AuditRequest> RequestQuery(Guid organisationId, AuditRequestStatus? status, Guid? assignee)
    {
        var query = db.AuditRequests.AsNoTracking().Where(r => r.OrganisationId == organisationId);
        if (status is { } s)
        {
            query = query.Where(r => r.Status == s);
        }

        if (assignee is { } a)
        {
            query = query.Where(r => r.AssigneeUserId == a);
        }

        return query.OrderBy(r => r.Status == AuditRequestStatus.Accepted).ThenBy(r => r.DueOn).ThenBy(r => r.Reference);
    }

    public async Task<AuditRequest> RequestAsync(Guid organisationId, Guid id, CancellationToken ct) =>
        await db.AuditRequests.AsNoTracking().FirstOrDefaultAsync(r => r.OrganisationId == organisationId && r.Id == id, ct)
        ?? throw UseCaseException.NotFound("No such request in this organisation.");

    /// <summary>
    /// Raises a request. Without an assignee it goes to the owner of the sampled occurrence's activity,
    /// or of the control in the newest published SoA; failing both, one must be named.
    /// </summary>
    public async Task<AuditRequest> RaiseAsync(Guid organisationId, WorkspaceActor actor, AuditRequestInput input, Guid? externalAuditId, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(actor);
        ArgumentNullException.ThrowIfNull(input);
        var text = Required(input.Text, "text");
        var due = input.DueOn ?? throw UseCaseException.Invalid("dueOn", "dueOn (YYYY-MM-DD) is required: the day the answer is needed by.");
        if (due < Today)
        {
            throw UseCaseException.Invalid("dueOn", "dueOn is in the past.");
        }

        var identifier = string.IsNullOrWhiteSpace(input.Identifier) ? null : input.Identifier.Trim();
        if (identifier is not null && !AuditableItems.ByIdentifier.ContainsKey(identifier)
            && !await db.Controls.AnyAsync(c => c.OrganisationId == organisationId && c.Identifier == identifier, ct))
        {
            throw UseCaseException.Invalid("identifier", $"{identifier} is neither a clause of the standard nor a control of this organisation.");
        }

        Guid? ownerOfOccurrence = null;
        if (input.OccurrenceId is { } occurrenceId)
        {
            ownerOfOccurrence = await db.Occurrences.AsNoTracking().Where(o => o.Id == occurrenceId && o.OrganisationId == organisationId)
                .Select(o => (Guid?)o.Activity!.OwnerUserId).FirstOrDefaultAsync(ct)
                ?? throw UseCaseException.Invalid("occurrenceId", "No such occurrence in this organisation.");
        }

        if (input.SampleId is { } sampleId)
        {
            var sample = await db.AuditSamples.AsNoTracking().FirstOrDefaultAsync(s => s.Id == sampleId && s.OrganisationId == organisationId, ct)
                ?? throw UseCaseException.Invalid("sampleId", "No such sample in this organisation.");
            if (input.OccurrenceId is { } o && !sample.OccurrenceIds.Contains(o))
            {
                throw UseCaseException.Invalid("occurrenceId", "The occurrence is not in that sample.");
            }

            identifier ??= sample.ControlIdentifier;
        }

        var assignee = input.AssigneeUserId ?? ownerOfOccurrence ?? (identifier is null ? null : await SoaOwnerAsync(organisationId, identifier, ct))
            ?? throw UseCaseException.Invalid("assigneeUserId", "Name who answers the request (assigneeUserId): it concerns no occurrence or control with an owner.");
        var member = await db.Memberships.AsNoTracking().FirstOrDefaultAsync(m => m.OrganisationId == organisationId && m.UserId == assignee, ct);
        if (member is null || member.Role == OrgRole.Auditor || member.ExpiresOn < Today)
        {
            throw UseCaseException.Invalid("assigneeUserId", "The request must go to a current member of the organisation who is not an auditor.");
        }

        var references = await db.AuditRequests.Where(r => r.OrganisationId == organisationId).Select(r => r.Reference).ToListAsync(ct);
        var next = references.Select(r => int.TryParse(r.AsSpan(4), out var k) ? k : 0).DefaultIfEmpty(0).Max() + 1;
        var now = time.GetUtcNow();
        var request = new AuditRequest
        {
            Id = Guid.NewGuid(),
            OrganisationId = organisationId,
            ExternalAuditId = externalAuditId,
            Reference = $"REQ-{next:000}",
            Text = text,
            Identifier = identifier,
            OccurrenceId = input.OccurrenceId,
            SampleId = input.SampleId,
            DueOn = due,
            RaisedByUserId = actor.UserId,
            RaisedAt = now,
            AssigneeUserId = assignee,
            UpdatedAt = now,
        };
        db.AuditRequests.Add(request);
        await db.SaveChangesAsync(ct);
        return request;
    }

    /// <summary>The assignee (or a manager) answers with evidence items, a comment, or both.</summary>
    public async Task<AuditRequest> AnswerAsync(Guid organisationId, Guid id, WorkspaceActor actor, string? comment, IReadOnlyList<Guid>? evidenceIds, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(actor);
        var request = await TrackedAsync(organisationId, id, ct);
        if (request.AssigneeUserId != actor.UserId && !actor.IsManager)
        {
            throw UseCaseException.Forbidden($"{request.Reference} is assigned to someone else: only they or an ISMS manager answer it.");
        }

        if (request.Status == AuditRequestStatus.Accepted)
        {
            throw UseCaseException.Conflict("status", $"{request.Reference} is accepted already.");
        }

        var text = string.IsNullOrWhiteSpace(comment) ? null : comment.Trim();
        if (text is { Length: > AuditRequest.TextMaxLength })
        {
            throw UseCaseException.Invalid("comment", $"comment is at most {AuditRequest.TextMaxLength} characters.");
        }

        var ids = (evidenceIds ?? []).Distinct().ToList();
        if (text is null && ids.Count == 0)
        {
            throw UseCaseException.Invalid("comment", "Answer with evidence items (evidenceIds), a comment, or both.");
        }

        var known = await db.EvidenceItems.Where(e => e.OrganisationId == organisationId && ids.Contains(e.Id)).Select(e => e.Id).ToListAsync(ct);
        if (ids.Except(known).ToList() is [var unknown, ..])
        {
            throw UseCaseException.Invalid("evidenceIds", $"No evidence item {unknown:D} in this organisation.");
        }

        request.Answer = text;
        request.EvidenceIds = ids;
        request.Status = AuditRequestStatus.Answered;
        request.AnsweredAt = time.GetUtcNow();
        request.AnsweredByUserId = actor.UserId;
        request.UpdatedAt = request.AnsweredAt.Value;
        await db.SaveChangesAsync(ct);
        return request;
    }

    /// <summary>The auditor who raised the request accepts the answer.</summary>
    public async Task<AuditRequest> AcceptAsync(Guid organisationId, Guid id, WorkspaceActor actor, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(actor);
        var request = await TrackedAsync(organisationId, id, ct);
        RequireRaiser(request, actor, "accept");
        if (request.Status != AuditRequestStatus.Answered)
        {
            throw UseCaseException.Conflict("status", $"{request.Reference} has no answer to accept yet.");
        }

        request.Status = AuditRequestStatus.Accepted;
        request.AcceptedAt = time.GetUtcNow();
        request.UpdatedAt = request.AcceptedAt.Value;
        await db.SaveChangesAsync(ct);
        return request;
    }

    /// <summary>The auditor who raised the request asks again, saying what is missing; it opens for another round.</summary>
    public async Task<AuditRequest> AskAgainAsync(Guid organisationId, Guid id, WorkspaceActor actor, string? note, DateOnly? dueOn, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(actor);
        var request = await TrackedAsync(organisationId, id, ct);
        RequireRaiser(request, actor, "ask again");
        if (request.Status != AuditRequestStatus.Answered)
        {
            throw UseCaseException.Conflict("status", $"{request.Reference} is not answered: there is nothing to ask again about.");
        }

        request.AuditorNote = Required(note, "note");
        if (dueOn is { } due)
        {
            if (due < Today)
            {
                throw UseCaseException.Invalid("dueOn", "dueOn is in the past.");
            }

            request.DueOn = due;
        }

        request.Status = AuditRequestStatus.Open;
        request.Round++;
        request.UpdatedAt = time.GetUtcNow();
        await db.SaveChangesAsync(ct);
        return request;
    }

    private async Task<Guid?> SoaOwnerAsync(Guid organisationId, string identifier, CancellationToken ct) =>
        await db.SoaRows.AsNoTracking()
            .Where(r => r.OrganisationId == organisationId && r.ControlIdentifier == identifier && r.OwnerUserId != null)
            .Join(db.SoaVersions.Where(v => v.Number > 0), r => r.SoaVersionId, v => v.Id, (r, v) => new { r.OwnerUserId, v.Number })
            .OrderByDescending(x => x.Number).Select(x => x.OwnerUserId).FirstOrDefaultAsync(ct);

    private async Task<AuditRequest> TrackedAsync(Guid organisationId, Guid id, CancellationToken ct) =>
        await db.AuditRequests.FirstOrDefaultAsync(r => r.OrganisationId == organisationId && r.Id == id, ct)
        ?? throw UseCaseException.NotFound("No such request in this organisation.");

    private static void RequireRaiser(AuditRequest request, WorkspaceActor actor, string what)
    {
        if (request.RaisedByUserId != actor.UserId)
        {
            throw UseCaseException.Forbidden($"Only the auditor who raised {request.Reference} may {what}.");
        }
    }

    private static string Required(string? text, string field)
    {
        var t = text?.Trim();
        if (string.IsNullOrEmpty(t))
        {
            throw UseCaseException.Invalid(field, $"{field} is required.");
        }

        return t.Length > AuditRequest.TextMaxLength ? throw UseCaseException.Invalid(field, $"{field} is at most {AuditRequest.TextMaxLength} characters.") : t;
    }
}

using System.Globalization;
using Perennial.Activities;
using Perennial.Changes;
using Perennial.Evidence;
using Perennial.InternalAudits;

namespace Perennial.Readiness;

/// <summary>One check readiness ran: what it is about and whether anything is missing.</summary>
internal sealed record ReadinessCheck(string Kind, IReadOnlyList<string> Controls, Guid? OwnerUserId, bool Passed);

/// <summary>
/// The rules of readiness, applied to loaded records as seen on one day (<c>asOf</c>, never after the
/// audit day). The same records read on today's date give today's gaps; read on the audit day they
/// give the forecast, each gap with the day by which doing it keeps the audit day clean.
/// </summary>
internal static class ReadinessEvaluator
{
    public sealed record Result(IReadOnlyList<ReadinessCheck> Checks, IReadOnlyList<ReadinessGap> Gaps);

    public static Result Evaluate(ReadinessData data, DateOnly asOf)
    {
        var run = new Run(data, asOf);
        run.Occurrences();
        run.Evidence();
        run.Ownership();
        run.Reviews();
        run.Actions();
        run.Coverage();
        run.ManagementReview();
        run.Operations();
        var gaps = run.Gaps
            .OrderBy(g => g.Kind, StringComparer.Ordinal)
            .ThenBy(g => g.Subject, StringComparer.Ordinal)
            .ThenBy(g => g.SubjectId)
            .ToList();
        return new Result(run.Checks, gaps);
    }

    public static ReadinessScore Score(IReadOnlyList<ReadinessCheck> checks, ReadinessData data)
    {
        var byKind = GapKinds.All
            .Select(k => Group(k.Kind, k.Label, checks.Where(c => c.Kind == k.Kind)))
            .Where(g => g.Checks > 0)
            .ToList();
        var value = byKind.Count == 0 ? 100 : (int)Math.Floor(byKind.Average(g => 100.0 * g.Passed / g.Checks));
        var byClause = checks.GroupBy(c => GapKinds.ByKind[c.Kind].Clause, StringComparer.Ordinal)
            .Select(g => Group(g.Key, $"Clause {g.Key}", g))
            .OrderBy(g => ClauseOrder(g.Key)).ToList();
        var byOwner = checks.GroupBy(c => c.OwnerUserId)
            .Select(g => Group(g.Key?.ToString() ?? "", data.NameOf(g.Key) ?? "Nobody named", g))
            .OrderBy(g => g.Score).ThenBy(g => g.Label, StringComparer.Ordinal).ToList();
        var byControl = checks.SelectMany(c => c.Controls.Select(id => (Id: id, Check: c)))
            .GroupBy(x => x.Id, StringComparer.Ordinal)
            .Select(g => Group(g.Key, g.Key, g.Select(x => x.Check)))
            .OrderBy(g => ClauseOrder(g.Key)).ToList();
        return new ReadinessScore(value, byKind, byClause, byOwner, byControl);
    }

    private static ScoreGroup Group(string key, string label, IEnumerable<ReadinessCheck> checks)
    {
        var list = checks as IReadOnlyCollection<ReadinessCheck> ?? [.. checks];
        var passed = list.Count(c => c.Passed);
        return new ScoreGroup(key, label, list.Count, passed, list.Count - passed);
    }

    /// <summary>Orders 4.1 &lt; 4.10 &lt; 5.1 and A.5.2 &lt; A.5.10 by their numbers.</summary>
    public static string ClauseOrder(string identifier)
    {
        var parts = identifier.Split('.');
        return string.Join('.', parts.Select(p => int.TryParse(p, NumberStyles.None, CultureInfo.InvariantCulture, out var n) ? n.ToString("D4", CultureInfo.InvariantCulture) : p));
    }

    private sealed class Run(ReadinessData data, DateOnly asOf)
    {
        public List<ReadinessCheck> Checks { get; } = [];
        public List<ReadinessGap> Gaps { get; } = [];

        private DateOnly Today => data.Today;
        private DateOnly Audit => data.AuditDate;

        /// <summary>The day a dated item must be done by for the audit day to be clean: its own date, or today if that has passed.</summary>
        private DateOnly By(DateOnly due) => due < Today ? Today : due;

        private void Add(string kind, bool passed, Guid? owner, IReadOnlyList<string>? controls = null, Func<ReadinessGap>? gap = null)
        {
            Checks.Add(new ReadinessCheck(kind, controls ?? [], owner, passed));
            if (!passed && gap is not null)
            {
                Gaps.Add(gap());
            }
        }

        private ReadinessGap Gap(string kind, Guid? subjectId, string subject, string title, string reason, Guid? owner, string path, DateOnly? doBy, bool fixable = true, IReadOnlyList<string>? controls = null) =>
            new(kind, subjectId, subject, title, reason, owner, data.NameOf(owner), GapKinds.ByKind[kind].Clause, controls ?? [], path, doBy, fixable);

        private static string Day(DateOnly d) => ReadinessReport.Day(d);

        /// <summary>
        /// A dated record is checked once its date has passed: still open, it is late whenever it fell
        /// due; done, it counts (as passing) when it fell due in the audit period.
        /// </summary>
        private bool Counts(bool open, DateOnly due) => due < asOf && (open || due >= data.PeriodFrom);

        public void Occurrences()
        {
            var activities = data.Activities.ToDictionary(a => a.Id);
            foreach (var o in data.Occurrences)
            {
                if (o.DueDate < data.PeriodFrom || o.DueDate >= asOf || !activities.TryGetValue(o.ActivityId, out var a))
                {
                    continue;
                }

                var path = $"occurrences/{o.Id}";
                switch (o.State)
                {
                    case OccurrenceState.Open:
                        // Done late, it still shows as done late: only occurrences still ahead of today can be saved.
                        var ahead = o.DueDate >= Today;
                        Add(GapKinds.OccurrenceMissed, false, a.OwnerUserId, a.Controls, () => Gap(GapKinds.OccurrenceMissed, o.Id, a.Reference, a.Title,
                            ahead ? $"due {Day(o.DueDate)} and not done yet" : $"due {Day(o.DueDate)} and not done",
                            a.OwnerUserId, path, ahead ? o.DueDate : null, ahead, a.Controls));
                        break;
                    case OccurrenceState.Completed when o.CompletedOn is { } done:
                        Add(GapKinds.OccurrenceLate, done <= o.DueDate, a.OwnerUserId, a.Controls, () => Gap(GapKinds.OccurrenceLate, o.Id, a.Reference, a.Title,
                            $"due {Day(o.DueDate)}, done {Day(done)} ({done.DayNumber - o.DueDate.DayNumber} days late)", a.OwnerUserId, path, null, false, a.Controls));
                        Add(GapKinds.OccurrenceMissed, true, a.OwnerUserId, a.Controls);
                        break;
                    default:
                        Add(GapKinds.OccurrenceMissed, true, a.OwnerUserId, a.Controls);
                        break;
                }
            }
        }

        public void Evidence()
        {
            // Evidence is asked for every day before the day looked at: the day itself may still be collecting.
            var through = asOf.AddDays(-1);
            if (data.Soa is not { } soa || through < data.PeriodFrom)
            {
                return;
            }

            foreach (var c in data.Controls.Where(c => soa.Applicable.Contains(c.Identifier)))
            {
                var timeline = EvidenceTimeline.Compute(c.Id, c.Spans, data.PeriodFrom, through, through);
                var gaps = timeline.Gaps;
                var path = $"frameworks/{Uri.EscapeDataString(data.FrameworkKey)}/controls/{Uri.EscapeDataString(c.Identifier)}";
                Add(GapKinds.EvidenceGap, gaps.Count == 0, c.OwnerUserId, [c.Identifier], () =>
                {
                    var days = gaps.Sum(g => g.Days);
                    var words = string.Join("; ", gaps.Take(3).Select(g => g.Words)) + (gaps.Count > 3 ? $"; and {gaps.Count - 3} more gap(s)" : "");
                    var reason = c.Spans.Count == 0 ? "no evidence at all for the audit period" : $"{words} ({days} day(s) without evidence)";
                    // Days already missing want it now; days still ahead can only be evidenced as they pass, by the last of them.
                    var doBy = gaps[0].From < Today ? Today : gaps[^1].To;
                    return Gap(GapKinds.EvidenceGap, c.Id, c.Identifier, c.Title, reason, c.OwnerUserId, path, doBy, controls: [c.Identifier]);
                });
            }
        }

        public void Ownership()
        {
            foreach (var a in data.Activities.Where(a => a.State == ActivityState.Active))
            {
                var path = $"activities/{a.Id}";
                var owner = data.IsMember(a.OwnerUserId, asOf);
                Add(GapKinds.ActivityOwner, owner, a.OwnerUserId, a.Controls, () => Gap(GapKinds.ActivityOwner, a.Id, a.Reference, a.Title,
                    Expiry(a.OwnerUserId, "owner"), a.OwnerUserId, path, DoByForMember(a.OwnerUserId), controls: a.Controls));
                var deputy = data.IsMember(a.DeputyUserId, asOf);
                Add(GapKinds.ActivityDeputy, deputy, a.OwnerUserId, a.Controls, () => Gap(GapKinds.ActivityDeputy, a.Id, a.Reference, a.Title,
                    a.DeputyUserId is null ? "no deputy named" : Expiry(a.DeputyUserId, "deputy"), a.OwnerUserId, path, DoByForMember(a.DeputyUserId), controls: a.Controls));
            }
        }

        private string Expiry(Guid? person, string role) =>
            person is { } id && data.Members.TryGetValue(id, out var m) && m.ExpiresOn is { } end
                ? end < Today ? $"the {role}, {m.Name}, lost access after {Day(end)}" : $"the {role}, {m.Name}, has access until {Day(end)}"
                : $"the {role}{(data.NameOf(person) is { } n ? $", {n}," : "")} is no longer a member";

        /// <summary>Name someone else before the current person's access ends (today if it has).</summary>
        private DateOnly DoByForMember(Guid? person) =>
            person is { } id && data.Members.TryGetValue(id, out var m) && m.ExpiresOn is { } end ? By(end) : Today;

        public void Reviews()
        {
            foreach (var r in data.Risks)
            {
                Add(GapKinds.RiskReview, r.NextReviewOn >= asOf, r.OwnerUserId, null, () => Gap(GapKinds.RiskReview, r.Id, r.Reference, r.Title,
                    $"review due {Day(r.NextReviewOn)}" + (r.Trigger is { } t ? $" ({t})" : ""), r.OwnerUserId, $"risks/{r.Id}", By(r.NextReviewOn)));
            }

            foreach (var e in data.ContextEntries)
            {
                Add(GapKinds.ContextReview, e.Due >= asOf, e.OwnerUserId, null, () => Gap(GapKinds.ContextReview, e.Id, e.Reference, e.Title,
                    $"review due {Day(e.Due)}", e.OwnerUserId, e.Path, By(e.Due)));
            }

            if (data.Soa is { } soa)
            {
                var due = soa.PublishedOn.AddMonths(12);
                Add(GapKinds.SoaReview, due >= asOf, null, null, () => Gap(GapKinds.SoaReview, soa.Id, $"SoA v{soa.Number}", "Statement of Applicability",
                    $"version {soa.Number} was published {Day(soa.PublishedOn)} and not reviewed since; a review was due {Day(due)}", null, "soa/versions", By(due)));
            }
            else
            {
                Add(GapKinds.SoaReview, false, null, null, () => Gap(GapKinds.SoaReview, null, "SoA", "Statement of Applicability",
                    "no SoA version has been published", null, "controls", Today));
            }

            if (data.Scope is { } scope)
            {
                var due = scope.On.AddMonths(12);
                Add(GapKinds.ScopeReview, due >= asOf, null, null, () => Gap(GapKinds.ScopeReview, scope.Id, $"Scope v{scope.Number}", "ISMS scope",
                    $"version {scope.Number} was recorded {Day(scope.On)} and not reviewed since; a review was due {Day(due)}", null, "scope", By(due)));
            }
            else
            {
                Add(GapKinds.ScopeReview, false, null, null, () => Gap(GapKinds.ScopeReview, null, "Scope", "ISMS scope",
                    "no scope statement has been recorded", null, "scope", Today));
            }

            foreach (var t in data.ChangeTasks.Where(t => Counts(t.Open, t.DueOn)))
            {
                var kind = t.Kind switch
                {
                    ChangeTaskKind.ReviewSoa => GapKinds.SoaReview,
                    ChangeTaskKind.RevisitScope => GapKinds.ScopeReview,
                    _ => GapKinds.RiskReview,
                };
                Add(kind, !t.Open, t.OwnerUserId, null, () => Gap(kind, t.Id, t.ChangeReference, t.Title,
                    $"change {t.ChangeReference} asked for this by {Day(t.DueOn)}; still open", t.OwnerUserId, $"changes/{t.ChangeId}", By(t.DueOn)));
            }
        }

        public void Actions()
        {
            foreach (var a in data.CorrectiveActions.Where(a => Counts(a.Open, a.DueOn)))
            {
                Add(GapKinds.CorrectiveAction, !a.Open, a.OwnerUserId, null, () => Gap(GapKinds.CorrectiveAction, a.Id, a.NonconformityReference, a.Title,
                    $"corrective action due {Day(a.DueOn)}, still open", a.OwnerUserId, $"nonconformities/{a.NonconformityId}", By(a.DueOn)));
            }

            foreach (var c in data.EffectivenessChecks.Where(c => Counts(c.Open, c.DueOn)))
            {
                Add(GapKinds.EffectivenessCheck, !c.Open, c.OwnerUserId, null, () => Gap(GapKinds.EffectivenessCheck, c.NonconformityId, c.Reference, $"Effectiveness check: {c.Title}",
                    $"effectiveness check of round {c.Round} due {Day(c.DueOn)}, not recorded", c.OwnerUserId, $"nonconformities/{c.NonconformityId}", By(c.DueOn)));
            }

            foreach (var n in data.Nonconformities.Where(n => Counts(n.Open, n.Due)))
            {
                Add(GapKinds.Nonconformity, !n.Open, n.OwnerUserId, null, () => Gap(GapKinds.Nonconformity, n.Id, n.Reference, n.Title,
                    $"open past its closure deadline of {Day(n.Due)}", n.OwnerUserId, n.Path, By(n.Due)));
            }

            foreach (var f in data.AuditFindings.Where(f => Counts(f.Open, f.Due)))
            {
                Add(GapKinds.AuditFinding, !f.Open, f.OwnerUserId, f.Extra is { } control ? [control] : null, () => Gap(GapKinds.AuditFinding, f.Id, f.Reference, f.Title,
                    $"certification-body finding open past its closure deadline of {Day(f.Due)}", f.OwnerUserId, f.Path, By(f.Due),
                    controls: f.Extra is { } c ? [c] : null));
            }
        }

        public void Coverage()
        {
            var applicable = data.Soa?.Applicable ?? new HashSet<string>(StringComparer.Ordinal);
            var reported = data.Coverage.Audits
                .Where(a => a.Status == InternalAuditStatus.Reported && a.ReportedOn is { } on && on <= asOf)
                .SelectMany(a => a.Scope).ToHashSet(StringComparer.Ordinal);
            var controlIds = data.Controls.ToDictionary(c => c.Identifier, c => c.Id, StringComparer.Ordinal);
            var lastDay = By(Audit.AddDays(-1));
            foreach (var item in AuditableItems.All.Where(i => i.Kind == ScopeItemKind.Clause || applicable.Contains(i.Identifier)))
            {
                var planned = data.Coverage.Audits
                    .Where(a => a.Status is InternalAuditStatus.Planned or InternalAuditStatus.InProgress && a.Scope.Contains(item.Identifier))
                    .OrderBy(a => a.PlannedEnd).FirstOrDefault();
                var controls = item.Kind == ScopeItemKind.Control ? new[] { item.Identifier } : [];
                Add(GapKinds.InternalAuditCoverage, reported.Contains(item.Identifier), planned?.LeadAuditorUserId, controls, () =>
                {
                    var cycle = data.Coverage.CycleNumber is { } n ? $"certification cycle {n}" : "the programme before certification";
                    var reason = planned is null
                        ? $"not covered by any internal audit reported in {cycle}, and no audit is planned for it"
                        : $"not covered by an internal audit reported in {cycle}; {planned.Reference} is planned to end {Day(planned.PlannedEnd)}";
                    var doBy = planned is not null && planned.PlannedEnd < Audit ? By(planned.PlannedEnd) : lastDay;
                    return Gap(GapKinds.InternalAuditCoverage, controlIds.TryGetValue(item.Identifier, out var id) && item.Kind == ScopeItemKind.Control ? id : null,
                        item.Identifier, item.Title, reason, planned?.LeadAuditorUserId, planned is null ? "internal-audits/coverage" : $"internal-audits/{planned.Id}", doBy, controls: controls);
                });
            }
        }

        public void ManagementReview()
        {
            var since = Audit.AddMonths(-12);
            var held = data.ManagementReviews.Any(r => r.HeldOn is { } on && on >= since && on <= asOf);
            var next = data.ManagementReviews
                .Where(r => r.Status == ManagementReviews.ReviewStatus.Scheduled && r.ScheduledOn < Audit)
                .OrderBy(r => r.ScheduledOn).FirstOrDefault();
            Add(GapKinds.ManagementReview, held, next?.ChairUserId, null, () => Gap(GapKinds.ManagementReview, null, "Management review", "Management review",
                next is null ? $"no management review held since {Day(since)} and none planned before the audit"
                    : $"no management review held since {Day(since)}; {next.Reference} is planned for {Day(next.ScheduledOn)}",
                next?.ChairUserId, next is null ? "management-reviews" : $"management-reviews/{next.Id}",
                next is null ? By(Audit.AddDays(-1)) : By(next.ScheduledOn)));

            foreach (var d in data.Decisions.Where(d => Counts(d.Open, d.DueOn)))
            {
                Add(GapKinds.ReviewDecision, !d.Open, d.OwnerUserId, null, () => Gap(GapKinds.ReviewDecision, d.Id, d.Reference, d.Title,
                    $"management review decision due {Day(d.DueOn)}, still open", d.OwnerUserId, $"management-reviews/{d.ReviewId}", By(d.DueOn)));
            }
        }

        public void Operations()
        {
            foreach (var r in data.AccessReviews.Where(r => Counts(r.Open, r.DueDate)))
            {
                Add(GapKinds.AccessReview, !r.Open, r.ReviewerUserId, null, () => Gap(GapKinds.AccessReview, r.Id, "Access review", $"Access review of {r.System}",
                    $"due {Day(r.DueDate)} and not signed off", r.ReviewerUserId, $"access-reviews/{r.Id}", By(r.DueDate)));
            }

            foreach (var f in data.ScannerFindings.Where(f => Counts(f.Open, f.Due)))
            {
                Add(GapKinds.ScannerFinding, !f.Open, f.OwnerUserId, null, () => Gap(GapKinds.ScannerFinding, f.Id, f.Reference, f.Title,
                    $"{f.Extra}, fix was due {Day(f.Due)}", f.OwnerUserId, f.Path, By(f.Due)));
            }

            foreach (var c in data.Collectors)
            {
                Add(GapKinds.CollectorFailing, !c.Failing, c.OwnerUserId, null, () => Gap(GapKinds.CollectorFailing, c.Id, c.Name, $"Collector {c.Name}",
                    $"its last run{(c.LastRunAt is { } at ? $" ({Day(DateOnly.FromDateTime(at.UtcDateTime))})" : "")} failed{(c.Summary is { Length: > 0 } s ? $": {s}" : "")}",
                    c.OwnerUserId, $"collectors/{c.Id}", Today));
            }
        }
    }
}

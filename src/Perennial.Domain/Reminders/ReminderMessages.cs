using System.Globalization;
using System.Net;
using System.Text;

namespace Perennial.Reminders;

/// <summary>What a reminder says about one occurrence.</summary>
public sealed record OccurrenceFacts(
    Guid OccurrenceId,
    string OrganisationSlug,
    string OrganisationName,
    string Reference,
    string Title,
    string? Procedure,
    IReadOnlyList<string> Evidence,
    DateOnly DueDate,
    TimeOnly DueTime,
    string TimeZone,
    string OwnerName,
    string? DeputyName);

/// <summary>The dated obligations reminded like corrective actions.</summary>
public enum ObligationKind
{
    CorrectiveAction = 1,

    /// <summary>The effectiveness check of a nonconformity's round: someone other than the action owners does it.</summary>
    EffectivenessCheck = 2,

    /// <summary>A decision of a management review, carried out by its owner.</summary>
    ReviewDecision = 3,

    /// <summary>A scheduled management review: its chair holds it, its attendees are told beside them.</summary>
    ReviewMeeting = 4,

    /// <summary>The periodic review of a context-register entry by its owner (on the calendar; the dashboard lists it when due).</summary>
    ContextReview = 5,

    /// <summary>An external auditor's request, answered by its assignee on the auditor's workspace.</summary>
    AuditRequest = 6,
}

/// <summary>
/// What a reminder says about a dated obligation: a corrective action, an effectiveness check, or a
/// management review's decision. <see cref="RecordId"/> is the nonconformity or the review it belongs to.
/// </summary>
public sealed record ObligationFacts(
    Guid RecordId,
    string OrganisationSlug,
    string OrganisationName,
    ObligationKind Kind,
    string Title,
    string RecordReference,
    string RecordTitle,
    DateOnly DueDate,
    string OwnerName)
{
    public bool IsCheck => Kind == ObligationKind.EffectivenessCheck;

    /// <summary>The kind prefix of its reminders: action:due, check:overdue-0, decision:lead-7, …</summary>
    public string KindPrefix => Kind switch
    {
        ObligationKind.EffectivenessCheck => "check:",
        ObligationKind.ReviewDecision => "decision:",
        ObligationKind.ReviewMeeting => "review:",
        ObligationKind.AuditRequest => "request:",
        _ => "action:",
    };

    public string What => Kind switch
    {
        ObligationKind.EffectivenessCheck => $"Effectiveness check of {RecordReference} {RecordTitle}",
        ObligationKind.ReviewDecision => $"Management review decision \"{Title}\" ({RecordReference})",
        ObligationKind.ReviewMeeting => $"Management review {RecordReference} \"{Title}\"",
        ObligationKind.AuditRequest => $"Auditor's request {RecordReference} \"{Title}\"",
        _ => $"Corrective action \"{Title}\" for {RecordReference}",
    };

    /// <summary>The page the obligation is done on, relative to the site.</summary>
    public string Page => Kind switch
    {
        ObligationKind.ReviewDecision or ObligationKind.ReviewMeeting => $"o/{Uri.EscapeDataString(OrganisationSlug)}/management-reviews/{RecordId}",
        ObligationKind.AuditRequest => $"o/{Uri.EscapeDataString(OrganisationSlug)}/auditor#request-{Uri.EscapeDataString(RecordReference)}",
        _ => $"o/{Uri.EscapeDataString(OrganisationSlug)}/nonconformities/{RecordId}",
    };

    /// <summary>What the record is called in the message: "nonconformity", "management review" or "auditor's request".</summary>
    public string RecordNoun => Kind switch
    {
        ObligationKind.ReviewDecision or ObligationKind.ReviewMeeting => "management review",
        ObligationKind.AuditRequest => "auditor's request",
        _ => "nonconformity",
    };
}

/// <summary>Why a person receives a reminder; it decides the wording.</summary>
public enum ReminderAudience
{
    Owner = 1,
    Deputy = 2,

    /// <summary>The escalation contact of an overdue occurrence.</summary>
    Escalation = 3,

    /// <summary>The owner's copy of an escalation.</summary>
    OwnerCopy = 4,

    /// <summary>An auditor (lead or not) of the internal audit the occurrence is the calendar entry of.</summary>
    Auditor = 5,
}

public sealed record ComposedEmail(string Subject, string Text, string Html);

/// <summary>A line of the weekly digest.</summary>
public sealed record DigestLine(OccurrenceFacts Occurrence, bool IsDeputy);

/// <summary>
/// The wording of reminder e-mails and chat messages. Every reminder says what is due, by when
/// (local date and time with the zone), the procedure, the evidence expected, and links to the
/// occurrence.
/// </summary>
public sealed class ReminderMessages(ReminderLinks links)
{
    private static readonly CultureInfo Culture = CultureInfo.InvariantCulture;

    public ComposedEmail Email(OccurrenceFacts o, ReminderKind kind, DateOnly today, ReminderAudience audience, string recipientName, string? escalationReason = null, string? escalatedTo = null)
    {
        ArgumentNullException.ThrowIfNull(o);
        var what = $"{o.Reference} {o.Title}";
        var when = When(o);
        var late = today.DayNumber - o.DueDate.DayNumber;
        string subject;
        string opening;
        switch (kind.Stage)
        {
            case ReminderStage.Lead:
                var days = o.DueDate.DayNumber - today.DayNumber;
                subject = $"Reminder: {what} is due in {Days(days)}";
                opening = $"{what} is due in {Days(days)}, on {when}.";
                break;
            case ReminderStage.Due:
                subject = $"Due today: {what}";
                opening = $"{what} is due today, {when}.";
                break;
            default:
                var again = kind.Number == 0 ? "Overdue" : "Still overdue";
                if (audience == ReminderAudience.OwnerCopy)
                {
                    subject = $"{again}: {what} was due on {ShortDate(o.DueDate)}";
                    opening = $"{what} was due on {when} and is still open, {Days(late)} late. "
                        + $"{(escalatedTo is null ? "The escalation contact has" : escalatedTo + (escalatedTo.Contains(',', StringComparison.Ordinal) ? " have" : " has"))} been told.";
                }
                else
                {
                    subject = $"{again}: {what} (owner {o.OwnerName}), due {ShortDate(o.DueDate)}";
                    opening = $"{what}, owned by {o.OwnerName}{(o.DeputyName is null ? "" : $" (deputy {o.DeputyName})")}, was due on {when} and is still open, {Days(late)} late.";
                }

                break;
        }

        var why = audience switch
        {
            ReminderAudience.Owner => $"You receive this because you own this activity in {o.OrganisationName}.",
            ReminderAudience.Deputy => $"You receive this as the deputy of {o.OwnerName}, who owns this activity in {o.OrganisationName}.",
            ReminderAudience.Auditor => $"You receive this as an auditor of this internal audit in {o.OrganisationName}; {o.OwnerName} holds its calendar entry.",
            ReminderAudience.Escalation => $"You are told as {escalationReason ?? "the escalation contact"}. Perennial tells you again every week while it stays open.",
            _ => $"You own this activity in {o.OrganisationName}. Perennial tells you and the escalation contact again every week while it stays open.",
        };
        var mute = audience is ReminderAudience.Owner or ReminderAudience.Deputy or ReminderAudience.Auditor
            ? $"Reminder e-mails can be muted on {links.Page($"o/{o.OrganisationSlug}/settings/my-notifications")}; overdue escalations still arrive."
            : null;

        var link = links.Occurrence(o.OrganisationSlug, o.OccurrenceId);
        var text = new StringBuilder();
        text.Append(Culture, $"Hello {recipientName},\n\n{opening}\n\n");
        text.Append("What to do:\n").Append(Procedure(o)).Append("\n\n");
        text.Append("Evidence to leave:\n").Append(EvidenceText(o)).Append("\n\n");
        text.Append(Culture, $"Open the occurrence to complete it: {link}\n\n");
        text.Append(why).Append('\n');
        if (mute is not null)
        {
            text.Append(mute).Append('\n');
        }

        var html = new StringBuilder();
        html.Append("<!DOCTYPE html><html><body>");
        html.Append(Culture, $"<p>Hello {H(recipientName)},</p><p>{H(opening)}</p>");
        html.Append(Culture, $"<h3>What to do</h3><p>{H(Procedure(o)).Replace("\n", "<br>", StringComparison.Ordinal)}</p>");
        html.Append("<h3>Evidence to leave</h3>");
        html.Append(o.Evidence.Count == 0 ? $"<p>{H(NoEvidence)}</p>" : "<ul>" + string.Concat(o.Evidence.Select(e => $"<li>{H(e)}</li>")) + "</ul>");
        html.Append(Culture, $"<p><a href=\"{H(link)}\">Open the occurrence to complete it</a></p>");
        html.Append(Culture, $"<p><small>{H(why)}{(mute is null ? "" : " " + H(mute))}</small></p>");
        html.Append("</body></html>");
        return new ComposedEmail(Truncate(subject, OutboxMessage.SubjectMaxLength), text.ToString(), html.ToString());
    }

    /// <summary>A reminder of a corrective action or effectiveness check, worded like an occurrence's.</summary>
    public ComposedEmail ObligationEmail(ObligationFacts o, ReminderKind kind, DateOnly today, ReminderAudience audience, string recipientName, string? escalationReason = null, string? escalatedTo = null)
    {
        ArgumentNullException.ThrowIfNull(o);
        var what = o.What;
        var late = today.DayNumber - o.DueDate.DayNumber;
        (string subject, string opening) = kind.Stage switch
        {
            ReminderStage.Lead => ($"Reminder: {what} is due in {Days(o.DueDate.DayNumber - today.DayNumber)}",
                $"{what} is due in {Days(o.DueDate.DayNumber - today.DayNumber)}, on {LongDate(o.DueDate)}."),
            ReminderStage.Due => ($"Due today: {what}", $"{what} is due today, {LongDate(o.DueDate)}."),
            _ when audience == ReminderAudience.OwnerCopy => ($"{(kind.Number == 0 ? "Overdue" : "Still overdue")}: {what} was due on {ShortDate(o.DueDate)}",
                $"{what} was due on {LongDate(o.DueDate)} and is still open, {Days(late)} late. "
                + $"{(escalatedTo is null ? "The escalation contact has" : escalatedTo + (escalatedTo.Contains(',', StringComparison.Ordinal) ? " have" : " has"))} been told."),
            _ => ($"{(kind.Number == 0 ? "Overdue" : "Still overdue")}: {what} ({o.OwnerName}), due {ShortDate(o.DueDate)}",
                $"{what}, for {o.OwnerName}, was due on {LongDate(o.DueDate)} and is still open, {Days(late)} late."),
        };
        var task = o.Kind switch
        {
            ObligationKind.EffectivenessCheck => "Check that the corrective actions removed the cause, and record the result (effective or not effective) with the evidence it rests on. Someone who owned none of the actions does the check.",
            ObligationKind.ReviewDecision => $"Carry out the decision \"{o.Title}\" of management review {o.RecordReference} and mark it done with a note on what was done.",
            ObligationKind.ReviewMeeting => "Read the pack before the meeting: it is built from the records and shows every input the review must consider. The chair records the review as held, with minutes and decisions.",
            ObligationKind.AuditRequest => "Answer it on the auditor's workspace with the evidence items it asks for, a comment, or both. The auditor then accepts the answer or asks again.",
            _ => $"Carry out the action \"{o.Title}\" and mark it done with a note on what was done.",
        };
        var why = audience switch
        {
            ReminderAudience.Escalation => $"You are told as {escalationReason ?? "the escalation contact"}. Perennial tells you again every week while it stays open.",
            ReminderAudience.OwnerCopy => $"It is yours in {o.OrganisationName}. Perennial tells you and the escalation contact again every week while it stays open.",
            _ => o.Kind switch
            {
                ObligationKind.EffectivenessCheck => $"You receive this because the effectiveness check of {o.RecordReference} in {o.OrganisationName} is yours to do.",
                ObligationKind.ReviewDecision => $"You receive this because you own this management review decision in {o.OrganisationName}.",
                ObligationKind.ReviewMeeting => $"You receive this because you chair or attend this management review in {o.OrganisationName}.",
                ObligationKind.AuditRequest => $"You receive this because the auditor's request {o.RecordReference} in {o.OrganisationName} is assigned to you.",
                _ => $"You receive this because you own this corrective action in {o.OrganisationName}.",
            },
        };
        var link = links.Page(o.Page);
        var noun = o.RecordNoun;
        var text = new StringBuilder();
        text.Append(Culture, $"Hello {recipientName},\n\n{opening}\n\n");
        text.Append(Culture, $"{char.ToUpperInvariant(noun[0])}{noun[1..]}: {o.RecordReference} {o.RecordTitle}\n\n");
        text.Append("What to do:\n").Append(task).Append("\n\n");
        text.Append(Culture, $"Open the {noun}: {link}\n\n");
        text.Append(why).Append('\n');

        var html = new StringBuilder();
        html.Append("<!DOCTYPE html><html><body>");
        html.Append(Culture, $"<p>Hello {H(recipientName)},</p><p>{H(opening)}</p>");
        html.Append(Culture, $"<p>{char.ToUpperInvariant(noun[0])}{noun[1..]}: {H(o.RecordReference)} {H(o.RecordTitle)}</p>");
        html.Append(Culture, $"<h3>What to do</h3><p>{H(task)}</p>");
        html.Append(Culture, $"<p><a href=\"{H(link)}\">Open the {noun}</a></p>");
        html.Append(Culture, $"<p><small>{H(why)}</small></p>");
        html.Append("</body></html>");
        return new ComposedEmail(Truncate(subject, OutboxMessage.SubjectMaxLength), text.ToString(), html.ToString());
    }

    /// <summary>One chat message per obligation and kind.</summary>
    public (string Subject, string Text) ObligationChat(ObligationFacts o, ReminderKind kind, DateOnly today, OutboxChannel channel, string? escalatedTo)
    {
        ArgumentNullException.ThrowIfNull(o);
        var headline = kind.Stage switch
        {
            ReminderStage.Lead => $"Reminder: {o.What} ({o.OwnerName}) is due in {Days(o.DueDate.DayNumber - today.DayNumber)}, on {LongDate(o.DueDate)}.",
            ReminderStage.Due => $"Due today: {o.What} ({o.OwnerName}).",
            _ => $"{(kind.Number == 0 ? "Overdue" : "Still overdue")}: {o.What} ({o.OwnerName}) was due on {LongDate(o.DueDate)}, {Days(today.DayNumber - o.DueDate.DayNumber)} late."
                + (escalatedTo is null ? "" : $" Escalated to {escalatedTo}."),
        };
        var link = links.Page(o.Page);
        var open = channel == OutboxChannel.Slack ? $"<{link}|Open the {o.RecordNoun}>" : $"[Open the {o.RecordNoun}]({link})";
        return (Truncate(headline, OutboxMessage.SubjectMaxLength), $"{headline}\n{open}");
    }

    /// <summary>One chat message per occurrence and kind: for the channel, not a person.</summary>
    public (string Subject, string Text) Chat(OccurrenceFacts o, ReminderKind kind, DateOnly today, OutboxChannel channel, string? escalatedTo)
    {
        ArgumentNullException.ThrowIfNull(o);
        var what = $"{o.Reference} {o.Title}";
        var late = today.DayNumber - o.DueDate.DayNumber;
        var headline = kind.Stage switch
        {
            ReminderStage.Lead => $"Reminder: {what} (owner {o.OwnerName}) is due in {Days(o.DueDate.DayNumber - today.DayNumber)}, on {When(o)}.",
            ReminderStage.Due => $"Due today: {what} (owner {o.OwnerName}), {When(o)}.",
            _ => $"{(kind.Number == 0 ? "Overdue" : "Still overdue")}: {what} (owner {o.OwnerName}) was due on {When(o)}, {Days(late)} late."
                + (escalatedTo is null ? "" : $" Escalated to {escalatedTo}."),
        };
        var link = links.Occurrence(o.OrganisationSlug, o.OccurrenceId);
        var evidence = o.Evidence.Count == 0 ? NoEvidence : "Evidence: " + string.Join("; ", o.Evidence) + ".";
        var open = channel == OutboxChannel.Slack ? $"<{link}|Open the occurrence>" : $"[Open the occurrence]({link})";
        var text = $"{headline}\n{evidence}\n{open}";
        return (Truncate(headline, OutboxMessage.SubjectMaxLength), text);
    }

    public ComposedEmail Digest(string organisationName, string organisationSlug, string recipientName, DateOnly today, int days, IReadOnlyList<DigestLine> overdue, IReadOnlyList<DigestLine> coming)
    {
        ArgumentNullException.ThrowIfNull(overdue);
        ArgumentNullException.ThrowIfNull(coming);
        var subject = $"Your week in {organisationName}: {Count(coming.Count, "activity", "activities")} due in the next {days} days"
            + (overdue.Count > 0 ? $", {overdue.Count} overdue" : "");
        var text = new StringBuilder();
        var html = new StringBuilder("<!DOCTYPE html><html><body>");
        text.Append(Culture, $"Hello {recipientName},\n\nWhat you own or deputise for in {organisationName}, as of {LongDate(today)}:\n");
        html.Append(Culture, $"<p>Hello {H(recipientName)},</p><p>What you own or deputise for in {H(organisationName)}, as of {H(LongDate(today))}:</p>");
        foreach (var (title, lines) in new[] { ("Overdue", overdue), ($"Due in the next {days} days", coming) })
        {
            if (lines.Count == 0)
            {
                continue;
            }

            text.Append(Culture, $"\n{title}:\n");
            html.Append(Culture, $"<h3>{H(title)}</h3><ul>");
            foreach (var line in lines)
            {
                var o = line.Occurrence;
                var link = links.Occurrence(o.OrganisationSlug, o.OccurrenceId);
                var role = line.IsDeputy ? $" (deputy for {o.OwnerName})" : "";
                var evidence = o.Evidence.Count == 0 ? "" : $" Evidence: {string.Join("; ", o.Evidence)}.";
                text.Append(Culture, $"- {When(o)}: {o.Reference} {o.Title}{role}.{evidence}\n  {link}\n");
                html.Append(Culture, $"<li>{H(When(o))}: <a href=\"{H(link)}\">{H(o.Reference)} {H(o.Title)}</a>{H(role)}.{H(evidence)}</li>");
            }

            html.Append("</ul>");
        }

        var settings = links.Page($"o/{organisationSlug}/settings/my-notifications");
        text.Append(Culture, $"\nYou asked for this weekly digest; turn it off on {settings}.\n");
        html.Append(Culture, $"<p><small>You asked for this weekly digest; turn it off on <a href=\"{H(settings)}\">your notification settings</a>.</small></p></body></html>");
        return new ComposedEmail(Truncate(subject, OutboxMessage.SubjectMaxLength), text.ToString(), html.ToString());
    }

    /// <summary>The due date and time in the activity's zone, e.g. "Monday 16 March 2026 at 09:00 (Europe/London)".</summary>
    /// <summary>
    /// The audit forecast for one person: what they must do, each by its date, for the audit day to
    /// find nothing missing; managers also get the items nobody owns.
    /// </summary>
    public ComposedEmail ReadinessDigest(
        string organisationName, string organisationSlug, string recipientName, string audit, DateOnly auditDate, DateOnly today,
        IReadOnlyList<Readiness.ReadinessGap> mine, IReadOnlyList<Readiness.ReadinessGap> unowned)
    {
        ArgumentNullException.ThrowIfNull(mine);
        ArgumentNullException.ThrowIfNull(unowned);
        var days = auditDate.DayNumber - today.DayNumber;
        var count = mine.Count + unowned.Count;
        var subject = $"{audit} in {Days(days)}: {Count(count, "item", "items")} to do in {organisationName}";
        var page = links.Page($"o/{Uri.EscapeDataString(organisationSlug)}/readiness");
        var text = new StringBuilder();
        var html = new StringBuilder("<!DOCTYPE html><html><body>");
        text.Append(Culture, $"Hello {recipientName},\n\n{audit} of {organisationName} is on {LongDate(auditDate)}, in {Days(days)}. If nothing changes, the auditor will find the items below missing. Do each by the date shown and the audit day finds it done.\n");
        html.Append(Culture, $"<p>Hello {H(recipientName)},</p><p>{H(audit)} of {H(organisationName)} is on {H(LongDate(auditDate))}, in {H(Days(days))}. If nothing changes, the auditor will find the items below missing. Do each by the date shown and the audit day finds it done.</p>");
        foreach (var (title, items) in new[] { ("Yours", mine), ("Nobody is named for these: as an ISMS manager, assign or do them", unowned) })
        {
            if (items.Count == 0)
            {
                continue;
            }

            text.Append(Culture, $"\n{title}:\n");
            html.Append(Culture, $"<h3>{H(title)}</h3><ul>");
            foreach (var g in items)
            {
                var link = links.Page($"o/{Uri.EscapeDataString(organisationSlug)}/{g.Path}");
                var by = g.DoBy is { } d ? (d <= today ? "now" : $"by {ShortDate(d)}") : "";
                text.Append(Culture, $"- {by}: {g.Name}: {g.Reason}\n  {link}\n");
                html.Append(Culture, $"<li><strong>{H(by)}</strong>: <a href=\"{H(link)}\">{H(g.Name)}</a>: {H(g.Reason)}</li>");
            }

            html.Append("</ul>");
        }

        var settings = links.Page($"o/{organisationSlug}/settings/my-notifications");
        text.Append(Culture, $"\nThe whole forecast: {page}\nTurn this e-mail off on {settings}.\n");
        html.Append(Culture, $"<p><a href=\"{H(page)}\">The whole forecast</a></p><p><small>Turn this e-mail off on <a href=\"{H(settings)}\">your notification settings</a>.</small></p></body></html>");
        return new ComposedEmail(Truncate(subject, OutboxMessage.SubjectMaxLength), text.ToString(), html.ToString());
    }

    public static string When(OccurrenceFacts o)
    {
        ArgumentNullException.ThrowIfNull(o);
        return $"{LongDate(o.DueDate)} at {o.DueTime.ToString("HH:mm", Culture)} ({o.TimeZone})";
    }

    private const string NoEvidence = "No evidence is required; add notes when you complete it.";

    private static string LongDate(DateOnly date) => date.ToString("dddd d MMMM yyyy", Culture);

    private static string ShortDate(DateOnly date) => date.ToString("d MMMM yyyy", Culture);

    private static string Procedure(OccurrenceFacts o) =>
        string.IsNullOrWhiteSpace(o.Procedure) ? "No procedure is written down for this activity yet." : o.Procedure.Trim();

    private static string EvidenceText(OccurrenceFacts o) =>
        o.Evidence.Count == 0 ? NoEvidence : string.Join("\n", o.Evidence.Select(e => "- " + e));

    private static string Days(int n) => Count(n, "day", "days");

    private static string Count(int n, string one, string many) => string.Create(Culture, $"{n} {(n == 1 ? one : many)}");

    private static string H(string text) => WebUtility.HtmlEncode(text);

    private static string Truncate(string text, int length) => text.Length > length ? text[..(length - 1)] + "…" : text;
}

using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using Ical.Net;
using Ical.Net.CalendarComponents;
using Ical.Net.DataTypes;
using Ical.Net.Serialization;
using Perennial.Activities;
using Perennial.Nonconformities;

namespace Perennial.Feeds;

/// <summary>What a feed says about an activity beyond the occurrence row: how to do it, what to leave, when to remind.</summary>
public sealed record FeedActivity(Guid Id, string? Procedure, IReadOnlyList<string> EvidenceRequired, IReadOnlyList<int> ReminderLeadDays);

/// <summary>Everything one iCalendar file is made of.</summary>
/// <param name="Name">The calendar's name in the subscriber's calendar list (X-WR-CALNAME).</param>
/// <param name="OrganisationSlug">The organisation, for the links to occurrence pages.</param>
/// <param name="PublicUrl">Where people reach Perennial (setting Perennial:PublicUrl).</param>
public sealed record CalendarFeedContent(
    string Name,
    string OrganisationSlug,
    Uri PublicUrl,
    IReadOnlyList<OccurrenceRow> Occurrences,
    IReadOnlyDictionary<Guid, FeedActivity> Activities)
{
    /// <summary>Corrective actions and effectiveness checks, as all-day events on their due dates.</summary>
    public IReadOnlyList<CalendarObligation> Obligations { get; init; } = [];
}

/// <summary>
/// Writes occurrences as an RFC 5545 calendar that Outlook, Google Calendar and Thunderbird accept:
/// one VEVENT per occurrence (not a recurring event, so each completion, skip or move shows on its
/// own), times in the activity's zone with a VTIMEZONE for each zone used, reminders as VALARMs.
/// The output depends only on its input (DTSTAMP is the occurrence's last change, not the clock),
/// so <see cref="Version"/>, a hash of the input, tells whether a subscriber's copy is current
/// without writing the file, which takes seconds for an organisation's thousands of occurrences.
/// </summary>
public static class CalendarFeedWriter
{
    public const string ProductId = "-//Perennial//ISMS activities//EN";
    public const string MediaType = "text/calendar";

    /// <summary>How long an occurrence's event lasts in the calendar.</summary>
    public static readonly TimeSpan EventLength = TimeSpan.FromHours(1);

    /// <summary>How often subscribers are asked to poll (REFRESH-INTERVAL, X-PUBLISHED-TTL).</summary>
    public static readonly TimeSpan RefreshInterval = TimeSpan.FromHours(1);

    /// <summary>An occurrence's calendar UID: its id never changes, so moving or completing it updates the same event.</summary>
    public static string Uid(Guid occurrenceId) => $"{occurrenceId:D}@perennial";

    /// <summary>The occurrence's page in the web app.</summary>
    public static Uri OccurrenceUrl(Uri publicUrl, string organisationSlug, Guid occurrenceId)
    {
        ArgumentNullException.ThrowIfNull(publicUrl);
        return PageUrl(publicUrl, organisationSlug, $"occurrences/{occurrenceId:D}");
    }

    private static Uri PageUrl(Uri publicUrl, string organisationSlug, string path) =>
        new($"{publicUrl.AbsoluteUri.TrimEnd('/')}/o/{Uri.EscapeDataString(organisationSlug)}/{path}");

    /// <summary>Bump when the output changes for the same input, so that subscribers' cached copies are replaced.</summary>
    private const int Revision = 1;

    private static readonly JsonSerializerOptions VersionJson = new(JsonSerializerDefaults.General);

    /// <summary>
    /// A hash of everything <see cref="Write"/> reads (and of this writer's revision): equal versions
    /// mean byte-identical files. Suitable as an ETag.
    /// </summary>
    public static string Version(CalendarFeedContent feed)
    {
        ArgumentNullException.ThrowIfNull(feed);
        var input = new
        {
            Revision,
            feed.Name,
            feed.OrganisationSlug,
            PublicUrl = feed.PublicUrl.AbsoluteUri,
            feed.Occurrences,
            Activities = feed.Activities.Values.OrderBy(a => a.Id),
            feed.Obligations,
        };
        return Convert.ToHexStringLower(SHA256.HashData(JsonSerializer.SerializeToUtf8Bytes(input, VersionJson)))[..32];
    }

    public static string Write(CalendarFeedContent feed)
    {
        ArgumentNullException.ThrowIfNull(feed);
        var calendar = new Ical.Net.Calendar
        {
            ProductId = ProductId,
            Version = "2.0",
            Scale = "GREGORIAN",
            Method = "PUBLISH",
        };
        calendar.AddProperty("X-WR-CALNAME", PlainName(feed.Name));
        calendar.AddProperty("X-WR-CALDESC", "ISMS activities from Perennial: each occurrence with its procedure and the evidence expected.");
        calendar.AddProperty("X-PUBLISHED-TTL", Duration(RefreshInterval));
        var refresh = new CalendarProperty("REFRESH-INTERVAL", Duration(RefreshInterval));
        refresh.Parameters.Set("VALUE", "DURATION");
        calendar.Properties.Add(refresh);

        // One VTIMEZONE per zone, with the rules in force from the earliest occurrence on.
        foreach (var zone in feed.Occurrences.Where(o => !IsUtc(o.TimeZone)).GroupBy(o => o.TimeZone, StringComparer.Ordinal).OrderBy(g => g.Key, StringComparer.Ordinal))
        {
            var earliest = zone.Min(o => o.Due).Date.AddDays(-1);
            calendar.AddTimeZone(zone.Key, earliest, includeHistoricalData: false);
        }

        foreach (var row in feed.Occurrences)
        {
            calendar.Events.Add(ToEvent(feed, row));
        }

        foreach (var obligation in feed.Obligations)
        {
            calendar.Events.Add(ToEvent(feed, obligation));
        }

        return new CalendarSerializer().SerializeToString(calendar) ?? throw new InvalidOperationException("Ical.Net wrote no calendar.");
    }

    private static CalendarEvent ToEvent(CalendarFeedContent feed, OccurrenceRow row)
    {
        feed.Activities.TryGetValue(row.ActivityId, out var activity);
        var url = OccurrenceUrl(feed.PublicUrl, feed.OrganisationSlug, row.Id);
        var ev = new CalendarEvent
        {
            Uid = Uid(row.Id),
            Summary = Summary(row),
            Description = Description(row, activity, url),
            Url = url,
            Sequence = row.Sequence,
            DtStamp = Utc(row.UpdatedAt),
            LastModified = Utc(row.UpdatedAt),
            Status = row.State == OccurrenceState.Skipped ? EventStatus.Cancelled : EventStatus.Confirmed,
            Transparency = TransparencyType.Transparent,
        };
        if (IsUtc(row.TimeZone))
        {
            ev.DtStart = Utc(row.DueAt);
            ev.DtEnd = Utc(row.DueAt + EventLength);
        }
        else
        {
            // The end is an hour after the start instant, written in the same zone (an hour later on the wall clock, except across a clock change).
            var zone = TimeZoneInfo.FindSystemTimeZoneById(row.TimeZone);
            var endLocal = TimeZoneInfo.ConvertTime(row.DueAt + EventLength, zone).DateTime;
            ev.DtStart = new CalDateTime(DateTime.SpecifyKind(row.Due, DateTimeKind.Unspecified), row.TimeZone);
            ev.DtEnd = new CalDateTime(DateTime.SpecifyKind(endLocal, DateTimeKind.Unspecified), row.TimeZone);
        }

        if (row.State == OccurrenceState.Open && activity is not null)
        {
            foreach (var days in activity.ReminderLeadDays.Distinct().OrderDescending())
            {
                ev.Alarms.Add(new Alarm
                {
                    Action = AlarmAction.Display,
                    Description = string.Create(CultureInfo.InvariantCulture, $"{row.ActivityReference} {row.ActivityTitle} is due in {days} day{(days == 1 ? "" : "s")}."),
                    Trigger = new Trigger(Ical.Net.DataTypes.Duration.FromDays(-days)),
                });
            }
        }

        return ev;
    }

    /// <summary>An obligation's UID: its own id, in a namespace of its own per kind.</summary>
    public static string Uid(CalendarObligation obligation)
    {
        ArgumentNullException.ThrowIfNull(obligation);
        var space = obligation.Kind switch
        {
            Reminders.ObligationKind.EffectivenessCheck => "check",
            Reminders.ObligationKind.ReviewDecision => "decision",
            Reminders.ObligationKind.ReviewMeeting => "review",
            Reminders.ObligationKind.ContextReview => "context",
            Reminders.ObligationKind.AuditRequest => "request",
            _ => "action",
        };
        return $"{obligation.Id:D}@perennial-{space}";
    }

    private static CalendarEvent ToEvent(CalendarFeedContent feed, CalendarObligation o)
    {
        var url = PageUrl(feed.PublicUrl, feed.OrganisationSlug, o.Path);
        var text = new StringBuilder();
        text.Append(o.Kind switch
        {
            Reminders.ObligationKind.EffectivenessCheck => "Effectiveness check of ",
            Reminders.ObligationKind.ReviewDecision => "Decision of management review ",
            Reminders.ObligationKind.ReviewMeeting => "Management review ",
            Reminders.ObligationKind.ContextReview => "Review of context entry ",
            Reminders.ObligationKind.AuditRequest => "Auditor's request ",
            _ => "Corrective action for ",
        }).Append(o.RecordReference).Append(' ').Append(o.RecordTitle).Append('\n');
        text.Append(o.Kind == Reminders.ObligationKind.ReviewMeeting ? "On: " : "Due: ").Append(o.DueOn.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture)).Append('\n');
        text.Append(o.IsCheck ? "Checked by: " : o.Kind == Reminders.ObligationKind.ReviewMeeting ? "Chair: " : "Owner: ")
            .Append(o.OwnerName is null ? (o.IsCheck ? "an ISMS manager who owns none of its actions" : "unassigned") : Person(o.OwnerName, o.OwnerEmail)).Append('\n');
        text.Append('\n').Append("Open in Perennial: ").Append(url.AbsoluteUri);
        var ev = new CalendarEvent
        {
            Uid = Uid(o),
            Summary = $"[{o.RecordReference}] {o.Title}",
            Description = text.ToString(),
            Url = url,
            DtStamp = Utc(o.Stamp),
            LastModified = Utc(o.Stamp),
            DtStart = new CalDateTime(o.DueOn),
            DtEnd = new CalDateTime(o.DueOn.AddDays(1)),
            Status = EventStatus.Confirmed,
            Transparency = TransparencyType.Transparent,
        };
        ev.Alarms.Add(new Alarm
        {
            Action = AlarmAction.Display,
            Description = $"{o.RecordReference}: {o.Title} is due in a week.",
            Trigger = new Trigger(Ical.Net.DataTypes.Duration.FromDays(-7)),
        });
        return ev;
    }

    /// <summary>"[ACT-001] User access review", with the outcome once there is one, or "overdue".</summary>
    public static string Summary(OccurrenceRow row)
    {
        ArgumentNullException.ThrowIfNull(row);
        var words = row.Status switch
        {
            OccurrenceStatus.CompletedOnTime => " (completed)",
            OccurrenceStatus.CompletedLate => " (completed late)",
            OccurrenceStatus.Skipped => " (skipped)",
            OccurrenceStatus.Overdue => " (overdue)",
            _ => "",
        };
        return $"[{row.ActivityReference}] {row.ActivityTitle}{words}";
    }

    private static string Description(OccurrenceRow row, FeedActivity? activity, Uri url)
    {
        var text = new StringBuilder();
        text.Append("Status: ").Append(ActivityNames.ToLabel(row.Status)).Append('\n');
        text.Append("Owner: ").Append(Person(row.OwnerName, row.OwnerEmail)).Append('\n');
        if (row.DeputyName is { Length: > 0 } deputy)
        {
            text.Append("Deputy: ").Append(deputy).Append('\n');
        }

        text.Append('\n').Append("Procedure:\n");
        text.Append(string.IsNullOrWhiteSpace(activity?.Procedure) ? "(none written)" : activity.Procedure.Trim().ReplaceLineEndings("\n")).Append('\n');
        text.Append('\n').Append("Evidence expected:\n");
        if (activity is null || activity.EvidenceRequired.Count == 0)
        {
            text.Append("(none required)\n");
        }
        else
        {
            foreach (var item in activity.EvidenceRequired)
            {
                text.Append("- ").Append(item).Append('\n');
            }
        }

        text.Append('\n').Append("Open in Perennial: ").Append(url.AbsoluteUri);
        return text.ToString();
    }

    /// <summary>
    /// X-WR-CALNAME is a non-standard property that some clients (ical.js, so Thunderbird) read
    /// without TEXT unescaping: a name without commas, semicolons and backslashes reads the same everywhere.
    /// </summary>
    public static string PlainName(string name)
    {
        ArgumentNullException.ThrowIfNull(name);
        var clean = new string([.. name.Select(c => c is ',' or ';' or '\\' || char.IsControl(c) ? ' ' : c)]);
        return string.Join(' ', clean.Split(' ', StringSplitOptions.RemoveEmptyEntries));
    }

    private static string Person(string name, string? email) =>
        string.IsNullOrWhiteSpace(email) || string.Equals(name, email, StringComparison.OrdinalIgnoreCase) ? name : $"{name} <{email}>";

    private static CalDateTime Utc(DateTimeOffset instant) =>
        new(DateTime.SpecifyKind(TruncateToSeconds(instant.UtcDateTime), DateTimeKind.Utc));

    private static DateTime TruncateToSeconds(DateTime value) => value.AddTicks(-(value.Ticks % TimeSpan.TicksPerSecond));

    private static string Duration(TimeSpan span) => string.Create(CultureInfo.InvariantCulture, $"PT{(int)span.TotalHours}H");

    /// <summary>Zones that are UTC all year are written as UTC times (…Z), which every client reads without a VTIMEZONE.</summary>
    public static bool IsUtc(string timeZone) =>
        TimeZoneInfo.TryFindSystemTimeZoneById(timeZone, out var zone) && zone.BaseUtcOffset == TimeSpan.Zero && !zone.SupportsDaylightSavingTime;
}

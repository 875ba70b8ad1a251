using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Security.Cryptography;
using System.Text.Json;
using System.Text.RegularExpressions;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Perennial.Activities;
using Perennial.Data;
using Perennial.Frameworks;
using Perennial.Nonconformities;
using Perennial.Organisations;
using Perennial.Tests.Infrastructure;

namespace Perennial.Tests.Activities;

public sealed class SqliteActivityPagesTests() : ActivityPagesTests(DatabaseProvider.Sqlite);

public sealed class PostgresActivityPagesTests() : ActivityPagesTests(DatabaseProvider.Postgres);

/// <summary>
/// The activity, occurrence and nonconformity pages as people use them: server-rendered HTML,
/// real forms with their antiforgery tokens, multipart uploads.
/// </summary>
public abstract partial class ActivityPagesTests(DatabaseProvider provider) : IAsyncLifetime
{
    private const string Slug = "acme";
    private const long MaxUpload = 1024 * 1024;
    private TestApp app = null!;
    private Guid orgId;
    private Guid ownerId;
    private Guid managerId;

    public async ValueTask InitializeAsync()
    {
        // A small upload limit, so that the limit itself can be tested with a small file.
        app = await TestApp.StartAsync(provider, settings: new Dictionary<string, string?> { ["Perennial:Evidence:MaxUploadBytes"] = MaxUpload.ToString(System.Globalization.CultureInfo.InvariantCulture) });
        var admin = await app.CreateUserAsync("admin@acme.test");
        orgId = (await app.CreateOrganisationAsync(Slug, admin.Id)).Id;
        managerId = (await app.CreateUserAsync("manager@acme.test")).Id;
        await app.AddMemberAsync(orgId, "manager@acme.test", OrgRole.Manager);
        ownerId = (await app.CreateUserAsync("owner@acme.test")).Id;
        await app.AddMemberAsync(orgId, "owner@acme.test", OrgRole.Contributor);
        await app.CreateUserAsync("other@acme.test");
        await app.AddMemberAsync(orgId, "other@acme.test", OrgRole.Contributor);
        await app.CreateUserAsync("auditor@acme.test");
        await app.AddMemberAsync(orgId, "auditor@acme.test", OrgRole.Auditor);
    }

    public async ValueTask DisposeAsync() => await app.DisposeAsync();

    [Fact]
    public async Task An_organisation_without_activities_is_pointed_to_the_templates_from_its_navigation()
    {
        var manager = await app.SignInAsync("manager@acme.test");
        var dashboard = await manager.GetStringAsync($"/o/{Slug}");
        Assert.Contains($"href=\"/o/{Slug}/activities\"", dashboard, StringComparison.Ordinal);
        Assert.Contains($"href=\"/o/{Slug}/nonconformities\"", dashboard, StringComparison.Ordinal);

        var list = await manager.GetStringAsync($"/o/{Slug}/activities");
        Assert.Contains("No activities yet", list, StringComparison.Ordinal);
        Assert.Contains($"<a href=\"/o/{Slug}/activities/templates\">Set up a year's routine from the templates</a>", list, StringComparison.Ordinal);
        Assert.Contains("aria-current=\"page\">Activities</a>", list, StringComparison.Ordinal);

        var nonconformities = await manager.GetStringAsync($"/o/{Slug}/nonconformities");
        Assert.Contains("No open nonconformities.", nonconformities, StringComparison.Ordinal);
        Assert.Contains("aria-current=\"page\">Nonconformities</a>", nonconformities, StringComparison.Ordinal);
    }

    [Fact]
    public async Task The_templates_page_creates_the_chosen_activities_and_then_shows_them_in_use()
    {
        var manager = await app.SignInAsync("manager@acme.test");
        var templates = await manager.GetStringAsync($"/o/{Slug}/activities/templates");
        Assert.Contains("Backup restore test", templates, StringComparison.Ordinal);
        Assert.Contains("name=\"Form.Templates\" value=\"backup-restore-test\"", templates, StringComparison.Ordinal);

        var response = await PostFormAsync(manager, $"/o/{Slug}/activities/templates", null,
        [
            new("Form.Templates", "backup-restore-test"),
            new("Form.Templates", "user-access-review"),
            new("Form.OwnerUserId", ownerId.ToString()),
            new("Form.StartDate", "2026-03-31"),
            new("Form.TimeZone", ""),
            new("Form.TimeZoneOther", "Europe/London"),
        ]);
        Assert.Equal(HttpStatusCode.Redirect, response.StatusCode);
        Assert.Equal($"/o/{Slug}/activities", response.Headers.Location!.OriginalString);

        var list = await manager.GetStringAsync($"/o/{Slug}/activities");
        Assert.Contains("Created 2 activities: ACT-001 Backup restore test, ACT-002 User access review.", list, StringComparison.Ordinal);
        Assert.Contains("Quarterly on the last day", list, StringComparison.Ordinal);
        Assert.Contains("2026-03-31</a>", list, StringComparison.Ordinal);
        Assert.Contains("<span class=\"tag status-upcoming\">Upcoming</span>", list, StringComparison.Ordinal);

        var api = app.CreateApiClient(await app.CreateTokenAsync(managerId));
        var activities = await api.GetFromJsonAsync<JsonElement>($"/api/v1/orgs/{Slug}/activities");
        Assert.Equal(2, activities.GetProperty("total").GetInt32());
        var backup = activities.GetProperty("items").EnumerateArray().Single(a => a.GetProperty("templateKey").GetString() == "backup-restore-test");
        Assert.Equal("owner@acme.test", backup.GetProperty("ownerEmail").GetString());
        Assert.Equal("Europe/London", backup.GetProperty("timeZone").GetString());
        Assert.Equal("2026-03-31T09:00:00", backup.GetProperty("dtStart").GetString());
        Assert.Equal(["Restore log"], backup.GetProperty("evidenceRequired").EnumerateArray().Select(e => e.GetString()));
        Assert.NotEmpty(backup.GetProperty("controlIds").EnumerateArray());

        templates = await manager.GetStringAsync($"/o/{Slug}/activities/templates");
        Assert.DoesNotContain("value=\"backup-restore-test\"", templates, StringComparison.Ordinal);
        Assert.Contains($"<a href=\"/o/{Slug}/activities/{backup.GetProperty("id").GetString()}\">ACT-001</a>", templates, StringComparison.Ordinal);
        Assert.Contains("name=\"Form.Templates\" value=\"supplier-review\"", templates, StringComparison.Ordinal);

        // Owner filter and search narrow the list.
        var filtered = await manager.GetStringAsync($"/o/{Slug}/activities?search=backup");
        Assert.Contains("ACT-001", filtered, StringComparison.Ordinal);
        Assert.DoesNotContain("ACT-002", filtered, StringComparison.Ordinal);
        var nobody = await manager.GetStringAsync($"/o/{Slug}/activities?owner={managerId}");
        Assert.Contains("No activity matches this filter.", nobody, StringComparison.Ordinal);
    }

    [Fact]
    public async Task The_templates_page_refuses_an_unknown_time_zone_and_creates_nothing()
    {
        var manager = await app.SignInAsync("manager@acme.test");
        var response = await PostFormAsync(manager, $"/o/{Slug}/activities/templates", null,
        [
            new("Form.Templates", "backup-restore-test"),
            new("Form.OwnerUserId", ownerId.ToString()),
            new("Form.StartDate", "2026-03-31"),
            new("Form.TimeZoneOther", "Mars/Olympus_Mons"),
        ]);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var html = await response.Content.ReadAsStringAsync();
        Assert.Contains("'Mars/Olympus_Mons' is not a known IANA time zone", WebUtility.HtmlDecode(html), StringComparison.Ordinal);
        Assert.Contains("id=\"time-zone-error\"", html, StringComparison.Ordinal);
        Assert.Equal(0, await CountActivitiesAsync());
    }

    [Fact]
    public async Task A_bad_custom_rule_is_refused_beside_the_rule_field()
    {
        var manager = await app.SignInAsync("manager@acme.test");
        var response = await PostFormAsync(manager, $"/o/{Slug}/activities/new", "Save", NewActivity("Firewall rule review", "custom", rrule: "FREQ=SOMETIMES;BYDAY=MO"));

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var html = await response.Content.ReadAsStringAsync();
        Assert.Matches(RuleFieldInvalid(), html);
        Assert.Contains("<p id=\"rrule-error\" class=\"error\">The recurrence rule is not valid RFC 5545", html, StringComparison.Ordinal);
        Assert.Contains("value=\"FREQ=SOMETIMES;BYDAY=MO\"", html, StringComparison.Ordinal);
        Assert.Equal(0, await CountActivitiesAsync());

        // Valid RFC 5545 that never produces a date: refused the same way, in the preview and on saving.
        foreach (var handler in new[] { "Preview", "Save" })
        {
            var never = await PostFormAsync(manager, $"/o/{Slug}/activities/new", handler, NewActivity("Leap review", "custom", rrule: "FREQ=YEARLY;BYMONTH=2;BYMONTHDAY=30"));
            Assert.Equal(HttpStatusCode.OK, never.StatusCode);
            html = await never.Content.ReadAsStringAsync();
            Assert.Matches(RuleFieldInvalid(), html);
            Assert.Contains("<p id=\"rrule-error\" class=\"error\">The recurrence rule gives no dates", html, StringComparison.Ordinal);
        }

        Assert.Equal(0, await CountActivitiesAsync());
    }

    [Fact]
    public async Task Preview_shows_the_next_five_dates_without_saving()
    {
        var manager = await app.SignInAsync("manager@acme.test");
        var response = await PostFormAsync(manager, $"/o/{Slug}/activities/new", "Preview", NewActivity("Vulnerability scan", "monthly", start: "2026-03-31", zone: "Europe/London"));

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var html = await response.Content.ReadAsStringAsync();
        var dates = PreviewItem().Matches(PreviewList().Match(html).Value).Select(m => m.Groups[1].Value).ToList();
        Assert.Equal(
        [
            "Tue 31 Mar 2026, 09:00 Europe/London",
            "Thu 30 Apr 2026, 09:00 Europe/London",
            "Sun 31 May 2026, 09:00 Europe/London",
            "Tue 30 Jun 2026, 09:00 Europe/London",
            "Fri 31 Jul 2026, 09:00 Europe/London",
        ], dates);
        Assert.Contains("Monthly on the last day", html, StringComparison.Ordinal);
        Assert.Contains("value=\"Vulnerability scan\"", html, StringComparison.Ordinal);
        Assert.Equal(0, await CountActivitiesAsync());

        // The form's script asks the same handler for JSON.
        var json = await PostFormAsync(manager, $"/o/{Slug}/activities/new", "PreviewJson", NewActivity("Scan", "custom", rrule: "FREQ=WEEKLY;BYDAY=MO", start: "2026-03-02", zone: "UTC"));
        var preview = await json.Content.ReadFromJsonAsync<JsonElement>();
        Assert.Equal(
            ["Mon 2 Mar 2026, 09:00 UTC", "Mon 9 Mar 2026, 09:00 UTC", "Mon 16 Mar 2026, 09:00 UTC", "Mon 23 Mar 2026, 09:00 UTC", "Mon 30 Mar 2026, 09:00 UTC"],
            preview.GetProperty("dates").EnumerateArray().Select(d => d.GetString()));
    }

    [Fact]
    public async Task A_new_activity_is_saved_with_its_controls_and_shown_with_its_occurrences()
    {
        var manager = await app.SignInAsync("manager@acme.test");
        var control = await app.WithScopeAsync(s => s.GetRequiredService<PerennialDbContext>().Controls
            .Where(c => c.OrganisationId == orgId && c.Framework!.Key == Framework.IsoKey && c.Identifier == "A.8.13").Select(c => c.Id).SingleAsync());
        var fields = NewActivity("Restore the payroll database", "quarterly", start: "2026-03-16", zone: "Europe/Paris");
        fields.Add(new("Form.ControlIds", control.ToString()));
        fields.Add(new("Form.EvidenceRequired", "Restore log\nChecksum comparison"));

        var response = await PostFormAsync(manager, $"/o/{Slug}/activities/new", "Save", fields);

        Assert.Equal(HttpStatusCode.Redirect, response.StatusCode);
        var page = response.Headers.Location!.OriginalString;
        var detail = await manager.GetStringAsync(page);
        Assert.Contains("ACT-001 created with its occurrences.", detail, StringComparison.Ordinal);
        Assert.Contains($"href=\"/o/{Slug}/frameworks/{Framework.IsoKey}/controls/A.8.13\">A.8.13</a>", detail, StringComparison.Ordinal);
        Assert.Contains("<li>Checksum comparison</li>", detail, StringComparison.Ordinal);
        Assert.Contains("Mon 16 Mar 2026, 09:00 Europe/Paris</a>", detail, StringComparison.Ordinal);
        Assert.Contains("Tue 16 Jun 2026, 09:00 Europe/Paris</a>", detail, StringComparison.Ordinal);
        Assert.Contains("<span class=\"tag status-due-soon\">Due soon</span>", detail, StringComparison.Ordinal);
        Assert.Contains($"href=\"{page}/edit\"", detail, StringComparison.Ordinal);

        var edit = await PostFormAsync(manager, $"{page}/edit", "Save", NewActivity("Restore the payroll database", "monthly", start: "2026-03-16", zone: "Europe/Paris"));
        Assert.Equal(HttpStatusCode.Redirect, edit.StatusCode);
        detail = await manager.GetStringAsync(page);
        Assert.Contains("Thu 16 Apr 2026, 09:00 Europe/Paris</a>", detail, StringComparison.Ordinal);

        var auditor = await app.SignInAsync("auditor@acme.test");
        var read = await auditor.GetStringAsync(page);
        Assert.Contains("Restore the payroll database", read, StringComparison.Ordinal);
        Assert.DoesNotContain($"href=\"{page}/edit\"", read, StringComparison.Ordinal);
        Assert.Equal(HttpStatusCode.Forbidden, (await auditor.GetAsync($"{page}/edit")).StatusCode);
    }

    [Fact]
    public async Task Completing_with_a_file_on_the_page_stores_the_evidence_and_serves_it_as_an_attachment()
    {
        var occurrence = await CreateOccurrenceAsync(["Restore log"]);
        var owner = await app.SignInAsync("owner@acme.test");
        var path = $"/o/{Slug}/occurrences/{occurrence}";
        var page = await owner.GetStringAsync(path);
        Assert.Contains("enctype=\"multipart/form-data\"", page, StringComparison.Ordinal);
        Assert.Contains("name=\"evidence:Restore log\" type=\"file\"", page, StringComparison.Ordinal);
        Assert.Contains("<strong>Missing:</strong> Restore log", page, StringComparison.Ordinal);

        var refused = await PostMultipartAsync(owner, path, "Complete", form => form.Add(new StringContent("Forgot the log"), "notes"));
        Assert.Equal(HttpStatusCode.OK, refused.StatusCode);
        Assert.Contains("needs evidence before it can be completed: Restore log", await refused.Content.ReadAsStringAsync(), StringComparison.Ordinal);

        var bytes = "restore of payroll-db finished in 14 min; 2,311,004 rows checked\n"u8.ToArray();
        var completed = await PostMultipartAsync(owner, path, "Complete", form =>
        {
            form.Add(new StringContent("Restored to the staging cluster."), "notes");
            var file = new ByteArrayContent(bytes);
            file.Headers.ContentType = new MediaTypeHeaderValue("text/plain");
            form.Add(file, "evidence:Restore log", "restore.log");
            form.Add(new StringContent("https://tickets.example.test/OPS-42"), "links");
        });
        Assert.Equal(HttpStatusCode.Redirect, completed.StatusCode);

        var sha = Convert.ToHexStringLower(SHA256.HashData(bytes));
        var evidence = await app.WithScopeAsync(s => s.GetRequiredService<PerennialDbContext>().OccurrenceEvidence.AsNoTracking()
            .Where(e => e.OccurrenceId == occurrence).OrderBy(e => e.Kind).ToListAsync());
        Assert.Equal(2, evidence.Count);
        Assert.Equal(("Restore log", sha, (long?)bytes.Length, "restore.log"), (evidence[0].Requirement, evidence[0].Sha256, evidence[0].Size, evidence[0].FileName));
        Assert.Equal("https://tickets.example.test/OPS-42", evidence[1].Url);

        page = await owner.GetStringAsync(path);
        Assert.Contains("Completed, with 2 evidence items.", page, StringComparison.Ordinal);
        Assert.Contains("<strong>Covered:</strong> Restore log", page, StringComparison.Ordinal);
        Assert.Contains(sha, page, StringComparison.Ordinal);
        Assert.Contains("status-completed-on-time", page, StringComparison.Ordinal);
        Assert.DoesNotContain("handler=Complete", page, StringComparison.Ordinal);
        var link = EvidenceLink().Match(page);
        Assert.True(link.Success, "The page links the file for download.");

        // The auditor downloads it with the browser session: an attachment, never sniffed.
        var auditor = await app.SignInAsync("auditor@acme.test");
        using var download = await auditor.GetAsync(link.Groups[1].Value);
        Assert.Equal(HttpStatusCode.OK, download.StatusCode);
        Assert.Equal("attachment", download.Content.Headers.ContentDisposition?.DispositionType);
        Assert.Equal("restore.log", download.Content.Headers.ContentDisposition?.FileName?.Trim('"'));
        Assert.Equal("nosniff", download.Headers.GetValues("X-Content-Type-Options").Single());
        Assert.Equal(bytes, await download.Content.ReadAsByteArrayAsync());
    }

    [Fact]
    public async Task A_file_over_the_configured_limit_is_refused_and_the_occurrence_stays_open()
    {
        var occurrence = await CreateOccurrenceAsync(["Restore log"]);
        var owner = await app.SignInAsync("owner@acme.test");
        var path = $"/o/{Slug}/occurrences/{occurrence}";
        Assert.Contains("Each file may be up to 1 MB.", await owner.GetStringAsync(path), StringComparison.Ordinal);

        var response = await PostMultipartAsync(owner, path, "Complete", form =>
            form.Add(new ByteArrayContent(new byte[MaxUpload + 1]), "evidence:Restore log", "restore.log"));

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Contains("The file is larger than the 1 MB limit.", await response.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        Assert.Equal(OccurrenceState.Open, await StateAsync(occurrence));
    }

    [Fact]
    public async Task A_contributor_who_is_not_owner_or_deputy_reads_the_occurrence_but_cannot_complete_it()
    {
        var occurrence = await CreateOccurrenceAsync([]);
        var other = await app.SignInAsync("other@acme.test");
        var path = $"/o/{Slug}/occurrences/{occurrence}";
        var page = await other.GetStringAsync(path);
        Assert.Contains("Only the owner (", page, StringComparison.Ordinal);
        Assert.DoesNotContain("handler=Complete", page, StringComparison.Ordinal);
        Assert.DoesNotContain("handler=Move", page, StringComparison.Ordinal);

        var response = await PostMultipartAsync(other, path, "Complete", form => form.Add(new StringContent("done"), "notes"));
        Assert.Equal(HttpStatusCode.Forbidden, response.StatusCode);
        var moved = await PostFormAsync(other, path, "Move", [new("due", "2026-04-01T09:00")]);
        Assert.Equal(HttpStatusCode.Forbidden, moved.StatusCode);
        Assert.Equal(OccurrenceState.Open, await StateAsync(occurrence));
    }

    [Fact]
    public async Task An_auditor_sees_the_occurrence_read_only()
    {
        var occurrence = await CreateOccurrenceAsync(["Restore log"]);
        var auditor = await app.SignInAsync("auditor@acme.test");
        var path = $"/o/{Slug}/occurrences/{occurrence}";
        var page = await auditor.GetStringAsync(path);
        Assert.Contains("Restore the file server", page, StringComparison.Ordinal);
        Assert.Contains("<strong>Missing:</strong> Restore log", page, StringComparison.Ordinal);
        Assert.DoesNotContain("handler=Complete", page, StringComparison.Ordinal);
        Assert.DoesNotContain("handler=Skip", page, StringComparison.Ordinal);

        var response = await PostMultipartAsync(auditor, path, "Complete", form => form.Add(new StringContent("done"), "notes"));
        Assert.Equal(HttpStatusCode.Forbidden, response.StatusCode);
        Assert.Equal(OccurrenceState.Open, await StateAsync(occurrence));
    }

    [Fact]
    public async Task An_occurrence_of_another_organisation_is_not_found_under_this_one()
    {
        var stranger = await app.CreateUserAsync("admin@globex.test");
        var globex = await app.CreateOrganisationAsync("globex", stranger.Id);
        var theirs = await app.WithScopeAsync(async s =>
        {
            var activity = await s.GetRequiredService<ActivityService>().CreateAsync(globex.Id, new ActivityInput(
                "Globex backup test", null, stranger.Id, null, null, "FREQ=MONTHLY", new DateTime(2026, 3, 10, 9, 0, 0), "UTC"), CancellationToken.None);
            return await s.GetRequiredService<PerennialDbContext>().Occurrences.Where(o => o.ActivityId == activity.Id).Select(o => new { o.Id, o.ActivityId }).FirstAsync();
        });

        var manager = await app.SignInAsync("manager@acme.test");
        Assert.Equal(HttpStatusCode.NotFound, (await manager.GetAsync($"/o/{Slug}/occurrences/{theirs.Id}")).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await manager.GetAsync($"/o/{Slug}/activities/{theirs.ActivityId}")).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await manager.GetAsync($"/o/{Slug}/activities/{theirs.ActivityId}/edit")).StatusCode);
        var response = await PostFormAsync(manager, $"/o/{Slug}/nonconformities", "Close", [new("id", Guid.NewGuid().ToString()), new("justification", "Not ours")]);
        Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);
        var token = await TokenAsync(manager, $"/o/{Slug}/activities");
        using var skipTheirs = new FormUrlEncodedContent([new("reason", "Not ours to skip"), new("__RequestVerificationToken", token)]);
        Assert.Equal(HttpStatusCode.NotFound, (await manager.PostAsync($"/o/{Slug}/occurrences/{theirs.Id}?handler=Skip", skipTheirs)).StatusCode);
        Assert.Equal(OccurrenceState.Open, await StateAsync(theirs.Id));
    }

    [Fact]
    public async Task Skipping_needs_a_manager_and_a_reason()
    {
        var occurrence = await CreateOccurrenceAsync(["Restore log"]);
        var path = $"/o/{Slug}/occurrences/{occurrence}";
        var owner = await app.SignInAsync("owner@acme.test");
        Assert.DoesNotContain("handler=Skip", await owner.GetStringAsync(path), StringComparison.Ordinal);
        Assert.Equal(HttpStatusCode.Forbidden, (await PostFormAsync(owner, path, "Skip", [new("reason", "Busy")])).StatusCode);

        var manager = await app.SignInAsync("manager@acme.test");
        var noReason = await PostFormAsync(manager, path, "Skip", [new("reason", "  ")]);
        Assert.Equal(HttpStatusCode.OK, noReason.StatusCode);
        Assert.Contains("Say why this occurrence is skipped.", await noReason.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        Assert.Equal(OccurrenceState.Open, await StateAsync(occurrence));

        var skipped = await PostFormAsync(manager, path, "Skip", [new("reason", "The file server was decommissioned in February.")]);
        Assert.Equal(HttpStatusCode.Redirect, skipped.StatusCode);
        var page = await manager.GetStringAsync(path);
        Assert.Contains("<span class=\"tag status-skipped\">Skipped</span>", page, StringComparison.Ordinal);
        Assert.Contains("The file server was decommissioned in February.", page, StringComparison.Ordinal);
        Assert.Contains("approved by manager", page, StringComparison.Ordinal);
    }

    [Fact]
    public async Task The_owner_moves_an_occurrence_and_a_bad_date_is_named()
    {
        var occurrence = await CreateOccurrenceAsync([]);
        var path = $"/o/{Slug}/occurrences/{occurrence}";
        var owner = await app.SignInAsync("owner@acme.test");

        var bad = await PostFormAsync(owner, path, "Move", [new("due", "next tuesday")]);
        Assert.Equal(HttpStatusCode.OK, bad.StatusCode);
        Assert.Contains("'next tuesday' is not a local date-time", WebUtility.HtmlDecode(await bad.Content.ReadAsStringAsync()), StringComparison.Ordinal);

        var moved = await PostFormAsync(owner, path, "Move", [new("due", "2026-04-07T10:30")]);
        Assert.Equal(HttpStatusCode.Redirect, moved.StatusCode);
        var page = await owner.GetStringAsync(path);
        Assert.Contains("<strong>Tue 7 Apr 2026, 10:30 UTC</strong> (moved by hand)", page, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Missed_occurrences_are_listed_as_nonconformities_that_only_managers_close_early_and_only_with_a_justification()
    {
        var missed = await app.WithScopeAsync(async s =>
        {
            var activity = await s.GetRequiredService<ActivityService>().CreateAsync(orgId, new ActivityInput(
                "Review firewall rules", null, ownerId, null, null, "FREQ=MONTHLY;BYMONTHDAY=5", new DateTime(2026, 1, 5, 9, 0, 0), "UTC"),
                CancellationToken.None, includePast: true);
            await s.GetRequiredService<NonconformityService>().RaiseForMissedAsync(app.Time.GetUtcNow(), CancellationToken.None);
            return await s.GetRequiredService<PerennialDbContext>().Occurrences.Where(o => o.ActivityId == activity.Id && o.NonconformityId != null)
                .OrderBy(o => o.DueDate).Select(o => new { o.Id, o.NonconformityId }).ToListAsync();
        });
        Assert.Equal(2, missed.Count);

        var manager = await app.SignInAsync("manager@acme.test");
        var list = await manager.GetStringAsync($"/o/{Slug}/nonconformities");
        Assert.Contains("Missed: ACT-001 Review firewall rules due 2026-01-05", list, StringComparison.Ordinal);
        Assert.Contains("Missed activity", list, StringComparison.Ordinal);
        Assert.Contains($"href=\"/o/{Slug}/occurrences/{missed[0].Id}\"", list, StringComparison.Ordinal);
        Assert.Contains("<td>2026-03-02</td>", list, StringComparison.Ordinal);

        var occurrencePage = await manager.GetStringAsync($"/o/{Slug}/occurrences/{missed[0].Id}");
        Assert.Contains($"href=\"/o/{Slug}/nonconformities/{missed[0].NonconformityId}\"", occurrencePage, StringComparison.Ordinal);

        var contributor = await app.SignInAsync("owner@acme.test");
        var refused = await PostFormAsync(contributor, $"/o/{Slug}/nonconformities", "Close", [new("id", missed[0].NonconformityId.ToString()!), new("justification", "Done anyway")]);
        Assert.Equal(HttpStatusCode.Forbidden, refused.StatusCode);

        // Without a justification a manager cannot close it early either: the page says why and nothing changes.
        var bare = await PostFormAsync(manager, $"/o/{Slug}/nonconformities", "Close", [new("id", missed[0].NonconformityId.ToString()!), new("justification", " ")]);
        Assert.Equal(HttpStatusCode.OK, bare.StatusCode);
        Assert.Contains("Say why it is closed without an effective corrective action.", WebUtility.HtmlDecode(await bare.Content.ReadAsStringAsync()), StringComparison.Ordinal);
        Assert.Contains("due 2026-01-05", await manager.GetStringAsync($"/o/{Slug}/nonconformities"), StringComparison.Ordinal);

        var closed = await PostFormAsync(manager, $"/o/{Slug}/nonconformities", "Close", [new("id", missed[0].NonconformityId.ToString()!), new("justification", "Rules reviewed in the February change window")]);
        Assert.Equal(HttpStatusCode.Redirect, closed.StatusCode);
        list = await manager.GetStringAsync($"/o/{Slug}/nonconformities");
        Assert.DoesNotContain("due 2026-01-05", list, StringComparison.Ordinal);
        Assert.Contains("due 2026-02-05", list, StringComparison.Ordinal);
        var closedList = WebUtility.HtmlDecode(await manager.GetStringAsync($"/o/{Slug}/nonconformities?status=closed"));
        Assert.Contains("due 2026-01-05", closedList, StringComparison.Ordinal);
        Assert.Contains("Closed 2026-03-02", closedList, StringComparison.Ordinal);
        Assert.Contains("Closed without an effective check: Rules reviewed in the February change window", closedList, StringComparison.Ordinal);
    }

    private static List<KeyValuePair<string, string>> NewActivity(string title, string schedule, string? rrule = null, string start = "2026-03-16", string zone = "UTC") =>
    [
        new("Form.Title", title),
        new("Form.OwnerUserId", ""),
        new("Form.Schedule", schedule),
        new("Form.Rrule", rrule ?? ""),
        new("Form.StartDate", start),
        new("Form.StartTime", "09:00"),
        new("Form.TimeZone", zone),
        new("Form.GraceDays", "14"),
        new("Form.ReminderLeadDays", "14, 3"),
        new("Form.State", "active"),
    ];

    /// <summary>An activity owned by owner@ whose next occurrence is due on 10 March; returns that occurrence.</summary>
    private Task<Guid> CreateOccurrenceAsync(IReadOnlyList<string> evidence) => app.WithScopeAsync(async s =>
    {
        var activity = await s.GetRequiredService<ActivityService>().CreateAsync(orgId, new ActivityInput(
            "Restore the file server", "Restore last night's backup to the test host and compare checksums.", ownerId, null, null,
            "FREQ=MONTHLY;BYMONTHDAY=10", new DateTime(2026, 3, 10, 9, 0, 0), "UTC", EvidenceRequired: evidence), CancellationToken.None);
        return await s.GetRequiredService<PerennialDbContext>().Occurrences.Where(o => o.ActivityId == activity.Id)
            .OrderBy(o => o.DueDate).Select(o => o.Id).FirstAsync();
    });

    private Task<int> CountActivitiesAsync() =>
        app.WithScopeAsync(s => s.GetRequiredService<PerennialDbContext>().Activities.CountAsync(a => a.OrganisationId == orgId));

    private Task<OccurrenceState> StateAsync(Guid occurrence) =>
        app.WithScopeAsync(s => s.GetRequiredService<PerennialDbContext>().Occurrences.Where(o => o.Id == occurrence).Select(o => o.State).SingleAsync());

    /// <summary>Posts fields (repeatable names) with the antiforgery token of the page; the owner is filled in when left blank.</summary>
    private async Task<HttpResponseMessage> PostFormAsync(HttpClient client, string path, string? handler, List<KeyValuePair<string, string>> fields)
    {
        var token = await TokenAsync(client, path);
        var values = fields.Select(f => f.Key == "Form.OwnerUserId" && f.Value.Length == 0 ? new(f.Key, ownerId.ToString()) : f).ToList();
        values.Add(new("__RequestVerificationToken", token));
        var target = handler is null ? path : path + (path.Contains('?', StringComparison.Ordinal) ? "&" : "?") + "handler=" + handler;
        using var content = new FormUrlEncodedContent(values);
        return await client.PostAsync(target, content);
    }

    private static async Task<HttpResponseMessage> PostMultipartAsync(HttpClient client, string path, string handler, Action<MultipartFormDataContent> fill)
    {
        using var content = new MultipartFormDataContent { { new StringContent(await TokenAsync(client, path)), "__RequestVerificationToken" } };
        fill(content);
        return await client.PostAsync($"{path}?handler={handler}", content);
    }

    /// <summary>Every page carries a token (the sign-out form at least).</summary>
    private static async Task<string> TokenAsync(HttpClient client, string path)
    {
        var page = await client.GetStringAsync(path);
        var token = AntiforgeryField().Match(page);
        return token.Success ? token.Groups[1].Value : throw new InvalidOperationException($"No antiforgery token on {path}");
    }

    [GeneratedRegex("name=\"__RequestVerificationToken\" type=\"hidden\" value=\"([^\"]+)\"")]
    private static partial Regex AntiforgeryField();

    [GeneratedRegex("<ol id=\"preview-dates\">.*?</ol>", RegexOptions.Singleline)]
    private static partial Regex PreviewList();

    [GeneratedRegex("<li>([^<]+)</li>")]
    private static partial Regex PreviewItem();

    [GeneratedRegex("<input id=\"rrule\" name=\"Form.Rrule\"[^>]*aria-invalid=\"true\"[^>]*aria-describedby=\"rrule-hint rrule-error\"")]
    private static partial Regex RuleFieldInvalid();

    [GeneratedRegex("href=\"(/api/v1/orgs/acme/occurrences/[0-9a-f-]+/evidence/[0-9a-f-]+/content)\"")]
    private static partial Regex EvidenceLink();
}

using System.Net;
using System.Net.Http.Json;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Perennial.Data;
using Perennial.Feeds;
using Perennial.Organisations;
using Perennial.Tests.Infrastructure;

namespace Perennial.Tests.Feeds;

public sealed class SqliteFeedTests() : FeedTests(DatabaseProvider.Sqlite);

public sealed class PostgresFeedTests() : FeedTests(DatabaseProvider.Postgres);

/// <summary>
/// Calendar feeds as calendar programs see them: read by Mozilla's ical.js and by Ical.Net, compared
/// with the calendar API, and guarded by their secret token.
/// </summary>
public abstract class FeedTests(DatabaseProvider provider) : IAsyncLifetime
{
    private const string Feeds = "/api/v1/orgs/acme/calendar-feeds";
    private FeedFixture f = null!;

    public async ValueTask InitializeAsync() => f = await FeedFixture.CreateAsync(provider);

    public async ValueTask DisposeAsync() => await f.App.DisposeAsync();

    [Fact]
    public async Task Ical_js_reads_the_organisation_feed_as_exactly_the_occurrences_the_calendar_api_lists_with_their_alarms()
    {
        var (_, path, _) = await FeedFixture.CreateFeedAsync(f.Manager, "organisation");
        var response = await f.FetchAsync(path);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("text/calendar; charset=utf-8", response.Content.Headers.ContentType!.ToString());
        Assert.True(response.Headers.CacheControl is { Private: true, MaxAge.TotalSeconds: 300 }, response.Headers.CacheControl?.ToString());
        Assert.NotNull(response.Headers.ETag);
        Assert.NotNull(response.Content.Headers.LastModified);
        var ics = await response.Content.ReadAsStringAsync();

        var parsed = await IcalJs.ParseAsync(ics);
        var api = await f.ApiCalendarAsync();
        Assert.Equal(CalendarFeedWriter.ProductId, parsed.GetProperty("prodid").GetString());
        Assert.Equal("2.0", parsed.GetProperty("version").GetString());
        Assert.Equal("GREGORIAN", parsed.GetProperty("calscale").GetString());
        Assert.Equal("PUBLISH", parsed.GetProperty("method").GetString());
        Assert.Equal("Organisation acme: all ISMS activities", parsed.GetProperty("name").GetString());
        // A VTIMEZONE for each zone with local times; UTC times need none.
        Assert.Equal(["America/New_York", "Europe/London"], parsed.GetProperty("timezones").EnumerateArray().Select(z => z.GetString()).Order());

        var events = parsed.GetProperty("events").EnumerateArray().ToList();
        Assert.True(api.Count > 30, $"Expected a year's occurrences of three activities, the API lists {api.Count}.");
        Assert.Equal(api.Keys.Select(id => $"{id}@perennial").Order(), events.Select(e => e.GetProperty("uid").GetString()!).Order());

        var leadDays = new Dictionary<string, int[]>(StringComparer.Ordinal) { ["ACT-001"] = [14, 3], ["ACT-002"] = [7], ["ACT-003"] = [30, 7, 1] };
        foreach (var ev in events)
        {
            var id = Guid.Parse(ev.GetProperty("uid").GetString()!.Split('@')[0]);
            var occurrence = api[id];
            var reference = occurrence.GetProperty("activityReference").GetString()!;
            var status = occurrence.GetProperty("status").GetString();
            Assert.False(ev.GetProperty("isRecurring").GetBoolean());
            // The same instant, and the same wall-clock time in the activity's zone.
            Assert.Equal(occurrence.GetProperty("dueUtc").GetDateTimeOffset(), DateTimeOffset.Parse(ev.GetProperty("start").GetString()!, System.Globalization.CultureInfo.InvariantCulture));
            Assert.Equal(occurrence.GetProperty("due").GetString(), ev.GetProperty("startLocal").GetString()!.TrimEnd('Z'));
            Assert.Equal(TimeSpan.FromHours(1), DateTimeOffset.Parse(ev.GetProperty("end").GetString()!, System.Globalization.CultureInfo.InvariantCulture)
                - DateTimeOffset.Parse(ev.GetProperty("start").GetString()!, System.Globalization.CultureInfo.InvariantCulture));
            Assert.Equal($"http://localhost:5000/o/acme/occurrences/{id}", ev.GetProperty("url").GetString());
            Assert.StartsWith($"[{reference}] {occurrence.GetProperty("activityTitle").GetString()}", ev.GetProperty("summary").GetString(), StringComparison.Ordinal);
            Assert.Contains($"Open in Perennial: http://localhost:5000/o/acme/occurrences/{id}", ev.GetProperty("description").GetString(), StringComparison.Ordinal);

            var alarms = ev.GetProperty("alarms").EnumerateArray().ToList();
            if (occurrence.GetProperty("state").GetString() == "open")
            {
                Assert.Equal(leadDays[reference].Select(d => $"-P{d}D"), alarms.Select(a => a.GetProperty("trigger").GetString()));
                Assert.Equal(leadDays[reference].Select(d => -d * 86400), alarms.Select(a => a.GetProperty("triggerSeconds").GetInt32()));
                Assert.All(alarms, a => Assert.Equal("DISPLAY", a.GetProperty("action").GetString()));
                Assert.All(alarms, a => Assert.StartsWith($"{reference} ", a.GetProperty("description").GetString(), StringComparison.Ordinal));
            }
            else
            {
                Assert.Empty(alarms);
            }

            Assert.Equal(status == "skipped" ? "CANCELLED" : "CONFIRMED", ev.GetProperty("status").GetString());
        }

        // Outcomes show in the title: completed late, completed (on time), skipped, overdue.
        string SummaryOf(string reference, string due) => events.Single(e =>
            api[Guid.Parse(e.GetProperty("uid").GetString()!.Split('@')[0])] is var o
            && o.GetProperty("activityReference").GetString() == reference && o.GetProperty("due").GetString()!.StartsWith(due, StringComparison.Ordinal))
            .GetProperty("summary").GetString()!;
        Assert.Equal("[ACT-001] User access review (completed late)", SummaryOf("ACT-001", "2026-03-05"));
        Assert.Equal("[ACT-001] User access review (overdue)", SummaryOf("ACT-001", "2026-04-05"));
        Assert.Equal("[ACT-001] User access review", SummaryOf("ACT-001", "2026-05-05"));
        Assert.Equal("[ACT-002] Backup restore test, \"full\" copy (completed)", SummaryOf("ACT-002", "2026-03-10"));
        Assert.Equal("[ACT-003] Supplier review (skipped)", SummaryOf("ACT-003", "2026-03-20"));

        // The description carries the procedure (folded and escaped on the wire, exact once read), the evidence and the owner.
        var may = events.Single(e => e.GetProperty("summary").GetString() == "[ACT-001] User access review"
            && e.GetProperty("startLocal").GetString() == "2026-05-05T09:00:00").GetProperty("description").GetString()!;
        Assert.Contains(FeedFixture.Procedure, may, StringComparison.Ordinal);
        Assert.Contains("Evidence expected:\n- Signed review export", may, StringComparison.Ordinal);
        Assert.Contains("Owner: ana <ana@acme.test>", may, StringComparison.Ordinal);
    }

    [Fact]
    public async Task The_feed_is_rfc_5545_text_with_crlf_lines_of_at_most_75_octets_that_ical_net_reads_back()
    {
        var (_, path, _) = await FeedFixture.CreateFeedAsync(f.Manager, "organisation");
        var ics = await f.FetchTextAsync(path);

        Assert.StartsWith("BEGIN:VCALENDAR\r\n", ics, StringComparison.Ordinal);
        Assert.EndsWith("END:VCALENDAR\r\n", ics, StringComparison.Ordinal);
        Assert.DoesNotContain('\n', ics.Replace("\r\n", "", StringComparison.Ordinal));
        Assert.DoesNotContain('\r', ics.Replace("\r\n", "", StringComparison.Ordinal));
        var lines = ics.Split("\r\n");
        var longest = lines.Max(l => Encoding.UTF8.GetByteCount(l));
        Assert.True(longest <= 75, $"A line is {longest} octets long.");
        // The long procedure was folded (a continuation line starts with a space) and never split inside a character.
        Assert.Contains(lines, l => l.StartsWith(' '));
        Assert.DoesNotContain('\uFFFD', ics);

        var calendar = Ical.Net.Calendar.Load(ics)!;
        var api = await f.ApiCalendarAsync();
        Assert.Equal(api.Count, calendar.Events.Count);
        Assert.Equal(["America/New_York", "Europe/London"], calendar.TimeZones.Select(z => z.TzId).Order());
        foreach (var ev in calendar.Events)
        {
            var occurrence = api[Guid.Parse(ev.Uid!.Split('@')[0])];
            Assert.Equal(occurrence.GetProperty("dueUtc").GetDateTimeOffset().UtcDateTime, ev.DtStart!.AsUtc);
            Assert.Equal(occurrence.GetProperty("timeZone").GetString(), ev.DtStart.TzId);
        }

        var may = calendar.Events.Single(e => e.Summary == "[ACT-001] User access review" && e.DtStart!.Value == new DateTime(2026, 5, 5, 9, 0, 0));
        Assert.Contains(FeedFixture.Procedure, may.Description, StringComparison.Ordinal);
        Assert.Equal(new Uri($"http://localhost:5000/o/acme/occurrences/{may.Uid!.Split('@')[0]}"), may.Url);
    }

    [Fact]
    public async Task A_personal_feed_holds_exactly_what_its_holder_owns_or_deputises_for()
    {
        var (_, path, _) = await FeedFixture.CreateFeedAsync(f.Ana);
        var parsed = await IcalJs.ParseAsync(await f.FetchTextAsync(path));
        var mine = await f.ApiCalendarAsync("ana@acme.test");
        var all = await f.ApiCalendarAsync();

        var uids = parsed.GetProperty("events").EnumerateArray().Select(e => e.GetProperty("uid").GetString()!).ToList();
        Assert.Equal(mine.Keys.Select(id => $"{id}@perennial").Order(), uids.Order());
        // Ana owns ACT-001 and deputises for ACT-003; Ben's ACT-002 is not in her calendar.
        Assert.Equal(["ACT-001", "ACT-003"], mine.Values.Select(o => o.GetProperty("activityReference").GetString()).Distinct().Order());
        Assert.Contains(all.Values, o => o.GetProperty("activityReference").GetString() == "ACT-002");
        Assert.Equal("Organisation acme: ana's ISMS activities", parsed.GetProperty("name").GetString());
    }

    [Fact]
    public async Task Moving_an_occurrence_keeps_its_uid_increments_its_sequence_and_moves_its_start()
    {
        var (_, path, _) = await FeedFixture.CreateFeedAsync(f.Ana);
        var first = await f.FetchAsync(path);
        var etag = first.Headers.ETag!.ToString();
        var before = await IcalJs.ParseAsync(await first.Content.ReadAsStringAsync());
        var id = await f.OccurrenceIdAsync("ACT-001", "2026-06-05");
        var uid = $"{id}@perennial";
        var old = Event(before, uid);
        Assert.Equal("2026-06-05T09:00:00", old.GetProperty("startLocal").GetString());

        f.App.Time.Advance(TimeSpan.FromHours(2));
        var moved = await f.Ana.PostAsJsonAsync($"/api/v1/orgs/acme/occurrences/{id}/reschedule", new { due = "2026-06-08T14:30:00" });
        Assert.Equal(HttpStatusCode.OK, moved.StatusCode);

        var second = await f.FetchAsync(path, etag);
        Assert.Equal(HttpStatusCode.OK, second.StatusCode);
        Assert.NotEqual(etag, second.Headers.ETag!.ToString());
        var after = await IcalJs.ParseAsync(await second.Content.ReadAsStringAsync());
        var now = Event(after, uid);
        Assert.Equal(old.GetProperty("sequence").GetInt32() + 1, now.GetProperty("sequence").GetInt32());
        Assert.Equal("2026-06-08T14:30:00", now.GetProperty("startLocal").GetString());
        Assert.Equal("2026-06-08T13:30:00.000Z", now.GetProperty("start").GetString());
        Assert.Equal(f.App.Time.GetUtcNow().UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss", System.Globalization.CultureInfo.InvariantCulture),
            now.GetProperty("lastModified").GetString()![..19]);
        Assert.Equal(before.GetProperty("events").GetArrayLength(), after.GetProperty("events").GetArrayLength());
    }

    [Fact]
    public async Task An_unchanged_feed_answers_304_to_its_etag_and_fetches_are_recorded_at_most_hourly()
    {
        var (feedId, path, _) = await FeedFixture.CreateFeedAsync(f.Ana);
        var first = await f.FetchAsync(path);
        var etag = first.Headers.ETag!.ToString();
        var fetchedAt = f.App.Time.GetUtcNow();

        var again = await f.FetchAsync(path, etag);
        Assert.Equal(HttpStatusCode.NotModified, again.StatusCode);
        Assert.Empty(await again.Content.ReadAsByteArrayAsync());
        Assert.Equal(etag, again.Headers.ETag!.ToString());
        Assert.Equal(HttpStatusCode.NotModified, (await f.FetchAsync(path, $"\"other\", W/{etag}")).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await f.FetchAsync(path, "\"something-else\"")).StatusCode);

        async Task<DateTimeOffset?> LastUsedAsync() =>
            await f.WithDbAsync(db => db.CalendarFeedTokens.AsNoTracking().Where(t => t.Id == feedId).Select(t => t.LastUsedAt).SingleAsync());
        Assert.Equal(fetchedAt.UtcDateTime, (await LastUsedAsync())!.Value.UtcDateTime, TimeSpan.FromMilliseconds(1));
        f.App.Time.Advance(TimeSpan.FromMinutes(59));
        await f.FetchAsync(path, etag);
        Assert.Equal(fetchedAt.UtcDateTime, (await LastUsedAsync())!.Value.UtcDateTime, TimeSpan.FromMilliseconds(1));
        f.App.Time.Advance(TimeSpan.FromMinutes(2));
        await f.FetchAsync(path, etag);
        Assert.Equal(f.App.Time.GetUtcNow().UtcDateTime, (await LastUsedAsync())!.Value.UtcDateTime, TimeSpan.FromMilliseconds(1));

        // The date alone turns May's review overdue: nothing was saved, yet the copy is stale.
        f.App.Time.Advance(TimeSpan.FromDays(25));
        var overdue = await f.FetchAsync(path, etag);
        Assert.Equal(HttpStatusCode.OK, overdue.StatusCode);
        var overdueTag = overdue.Headers.ETag!.ToString();
        Assert.NotEqual(etag, overdueTag);
        Assert.Contains("SUMMARY:[ACT-001] User access review (overdue)\r\nTRANSP", await overdue.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        Assert.Equal(HttpStatusCode.NotModified, (await f.FetchAsync(path, overdueTag)).StatusCode);

        // A new procedure changes no occurrence, but every event's description, so the copy is stale again.
        var edited = await f.Manager.PutAsJsonAsync($"/api/v1/orgs/acme/activities/{f.Activities["ACT-001"]}", new
        {
            title = "User access review",
            description = "Export the accounts and sign the export.",
            ownerEmail = "ana@acme.test",
            rrule = "FREQ=MONTHLY;BYMONTHDAY=5",
            dtStart = "2026-03-05T09:00:00",
            timeZone = "Europe/London",
            reminderLeadDays = new List<int> { 14, 3 },
            evidenceRequired = new List<string> { "Signed review export" },
        });
        Assert.Equal(HttpStatusCode.OK, edited.StatusCode);
        var afterEdit = await f.FetchAsync(path, overdueTag);
        Assert.Equal(HttpStatusCode.OK, afterEdit.StatusCode);
        var text = await afterEdit.Content.ReadAsStringAsync();
        Assert.DoesNotContain("HR's leavers", text, StringComparison.Ordinal);
        Assert.Contains("Export the accounts and sign the export.", Ical.Net.Calendar.Load(text)!.Events.First().Description, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Only_the_tokens_hash_is_stored_and_a_revoked_or_replaced_url_answers_404()
    {
        var (firstId, firstPath, firstUrl) = await FeedFixture.CreateFeedAsync(f.Ana);
        var token = firstPath["/feeds/".Length..^".ics".Length];
        Assert.StartsWith("http://localhost:5000/feeds/prnc_", firstUrl, StringComparison.Ordinal);
        Assert.True(token.Length >= 40, token);
        var stored = await f.WithDbAsync(db => db.CalendarFeedTokens.AsNoTracking().SingleAsync(t => t.Id == firstId));
        Assert.Equal(Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(token))), stored.TokenHash);
        Assert.Equal(FeedScope.Personal, stored.Scope);
        Assert.Equal(f.AnaId, stored.UserId);
        // The token appears nowhere in the database, the audit trail included.
        var audit = await f.WithDbAsync(db => db.AuditEntries.AsNoTracking().Where(e => e.EntityId == firstId).Select(e => e.Changes).ToListAsync());
        Assert.NotEmpty(audit);
        Assert.DoesNotContain(audit, c => c.Contains(token, StringComparison.Ordinal) || c.Contains(stored.TokenHash, StringComparison.Ordinal));

        // Listing shows the feed but never its URL.
        var listed = await f.Ana.GetStringAsync(Feeds);
        Assert.Contains(firstId.ToString(), listed, StringComparison.Ordinal);
        Assert.DoesNotContain(token, listed, StringComparison.Ordinal);
        Assert.DoesNotContain("url", listed, StringComparison.OrdinalIgnoreCase);

        // A new personal feed replaces the old one.
        var (secondId, secondPath, _) = await FeedFixture.CreateFeedAsync(f.Ana);
        Assert.Equal(HttpStatusCode.NotFound, (await f.FetchAsync(firstPath)).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await f.FetchAsync(secondPath)).StatusCode);
        var feeds = await f.Ana.GetFromJsonAsync<JsonElement>(Feeds);
        Assert.Equal([secondId], feeds.EnumerateArray().Select(e => e.GetProperty("id").GetGuid()));

        // Someone else cannot revoke it; its holder can, and then it is gone.
        Assert.Equal(HttpStatusCode.NotFound, (await f.Ben.DeleteAsync($"{Feeds}/{secondId}")).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await f.FetchAsync(secondPath)).StatusCode);
        Assert.Equal(HttpStatusCode.NoContent, (await f.Ana.DeleteAsync($"{Feeds}/{secondId}")).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await f.FetchAsync(secondPath)).StatusCode);
        Assert.Empty((await f.Ana.GetFromJsonAsync<JsonElement>(Feeds)).EnumerateArray());

        // Made-up and mangled tokens are simply not found.
        Assert.Equal(HttpStatusCode.NotFound, (await f.FetchAsync("/feeds/prnc_" + new string('A', 43) + ".ics")).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await f.FetchAsync(secondPath.Replace("prnc_", "prn_", StringComparison.Ordinal))).StatusCode);
    }

    [Fact]
    public async Task An_organisation_feed_stops_when_its_holder_is_downgraded_and_any_feed_stops_when_membership_expires()
    {
        var (_, path, _) = await FeedFixture.CreateFeedAsync(f.Manager, "organisation");
        Assert.Equal(HttpStatusCode.OK, (await f.FetchAsync(path)).StatusCode);

        await f.App.WithScopeAsync(s => s.GetRequiredService<OrganisationService>().ChangeMemberAsync(f.OrganisationId, f.ManagerId, OrgRole.Contributor, null, CancellationToken.None));
        Assert.Equal(HttpStatusCode.NotFound, (await f.FetchAsync(path)).StatusCode);
        // The role is checked on every fetch: promoted again, the same URL works again.
        await f.App.WithScopeAsync(s => s.GetRequiredService<OrganisationService>().ChangeMemberAsync(f.OrganisationId, f.ManagerId, OrgRole.Manager, null, CancellationToken.None));
        Assert.Equal(HttpStatusCode.OK, (await f.FetchAsync(path)).StatusCode);

        // An auditor's time-boxed access ends their personal feed with it.
        var (_, auditorPath, _) = await FeedFixture.CreateFeedAsync(f.Auditor);
        var parsed = await IcalJs.ParseAsync(await f.FetchTextAsync(auditorPath));
        Assert.Empty(parsed.GetProperty("events").EnumerateArray());
        await f.App.WithScopeAsync(s => s.GetRequiredService<OrganisationService>().ChangeMemberAsync(f.OrganisationId, f.AuditorId, OrgRole.Auditor, f.Today.AddDays(1), CancellationToken.None));
        Assert.Equal(HttpStatusCode.OK, (await f.FetchAsync(auditorPath)).StatusCode);
        f.App.Time.Advance(TimeSpan.FromDays(2));
        Assert.Equal(HttpStatusCode.NotFound, (await f.FetchAsync(auditorPath)).StatusCode);
    }

    [Fact]
    public async Task Only_managers_and_admins_may_create_the_organisation_feed_and_a_bad_scope_is_named()
    {
        var refused = await f.Ana.PostAsJsonAsync(Feeds, new { scope = "organisation" });
        Assert.Equal(HttpStatusCode.Forbidden, refused.StatusCode);
        Assert.Equal("application/problem+json", refused.Content.Headers.ContentType!.MediaType);
        Assert.Empty(await f.WithDbAsync(db => db.CalendarFeedTokens.AsNoTracking().Where(t => t.UserId == f.AnaId).ToListAsync()));

        var bad = await f.Ana.PostAsJsonAsync(Feeds, new { scope = "everyone" });
        Assert.Equal(HttpStatusCode.BadRequest, bad.StatusCode);
        var problem = await bad.Content.ReadFromJsonAsync<JsonElement>();
        Assert.True(problem.GetProperty("errors").TryGetProperty("scope", out _), problem.ToString());

        // No body means the personal feed; the admin may hold both, and each has its own URL.
        var personal = await f.Admin.PostAsync(Feeds, null);
        Assert.Equal(HttpStatusCode.Created, personal.StatusCode);
        var created = await personal.Content.ReadFromJsonAsync<JsonElement>();
        Assert.Equal("personal", created.GetProperty("scope").GetString());
        Assert.StartsWith("webcal://localhost:5000/feeds/prnc_", created.GetProperty("webcalUrl").GetString(), StringComparison.Ordinal);
        await FeedFixture.CreateFeedAsync(f.Admin, "organisation");
        var scopes = (await f.Admin.GetFromJsonAsync<JsonElement>(Feeds)).EnumerateArray().Select(e => e.GetProperty("scope").GetString());
        Assert.Equal(["organisation", "personal"], scopes);
    }

    [Fact]
    public async Task The_subscription_url_follows_the_public_url_setting()
    {
        await using var app = await TestApp.StartAsync(provider, settings: new Dictionary<string, string?> { ["Perennial:PublicUrl"] = "https://isms.example.com/perennial/" });
        var admin = await app.CreateUserAsync("admin@acme.test");
        await app.CreateOrganisationAsync("acme", admin.Id);
        var client = app.CreateApiClient(await app.CreateTokenAsync(admin.Id));
        var created = await (await client.PostAsJsonAsync(Feeds, new { scope = "personal" })).Content.ReadFromJsonAsync<JsonElement>();
        var url = created.GetProperty("url").GetString()!;
        Assert.Matches("^https://isms\\.example\\.com/perennial/feeds/prnc_[A-Za-z0-9_-]{43}\\.ics$", url);
        Assert.Equal(url.Replace("https://", "webcal://", StringComparison.Ordinal), created.GetProperty("webcalUrl").GetString());
    }

    [Fact]
    public async Task The_feeds_page_shows_a_new_subscription_url_once_with_instructions_and_revokes_it()
    {
        var ana = await f.App.SignInAsync("ana@acme.test");
        var page = await ana.GetStringAsync("/o/acme/feeds");
        Assert.Contains("href=\"/o/acme/feeds\"", page, StringComparison.Ordinal);
        Assert.Contains("My feed", page, StringComparison.Ordinal);
        Assert.DoesNotContain("Organisation-wide feed", page, StringComparison.Ordinal);
        foreach (var program in new[] { "Outlook", "Google Calendar", "Thunderbird" })
        {
            Assert.Contains(program, page, StringComparison.Ordinal);
        }

        var created = await TestApp.PostFormAsync(ana, "/o/acme/feeds", new Dictionary<string, string> { ["scope"] = "personal" }, "Create");
        Assert.Equal(HttpStatusCode.OK, created.StatusCode);
        var html = await created.Content.ReadAsStringAsync();
        var url = System.Text.RegularExpressions.Regex.Match(html, "http://localhost:5000/feeds/prnc_[A-Za-z0-9_-]{43}\\.ics").Value;
        Assert.NotEqual("", url);
        Assert.Contains("webcal://localhost:5000/feeds/", html, StringComparison.Ordinal);
        var path = new Uri(url).AbsolutePath;
        Assert.Equal(HttpStatusCode.OK, (await f.FetchAsync(path)).StatusCode);

        // Shown once: the page never shows it again, but lists the feed with a way to revoke it.
        var later = await ana.GetStringAsync("/o/acme/feeds");
        Assert.DoesNotContain(path, later, StringComparison.Ordinal);
        var feedId = await f.WithDbAsync(db => db.CalendarFeedTokens.AsNoTracking().Where(t => t.UserId == f.AnaId && t.RevokedAt == null).Select(t => t.Id).SingleAsync());
        Assert.Contains(feedId.ToString(), later, StringComparison.Ordinal);
        var revoked = await TestApp.PostFormAsync(ana, "/o/acme/feeds", new Dictionary<string, string> { ["id"] = feedId.ToString() }, "Revoke");
        Assert.Equal(HttpStatusCode.Redirect, revoked.StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await f.FetchAsync(path)).StatusCode);

        // A contributor cannot make an organisation-wide feed from the page either; a manager sees and can.
        var refused = await TestApp.PostFormAsync(ana, "/o/acme/feeds", new Dictionary<string, string> { ["scope"] = "organisation" }, "Create");
        Assert.Contains("Only ISMS managers and admins", await refused.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        var manager = await f.App.SignInAsync("manager@acme.test");
        Assert.Contains("Organisation-wide feed", await manager.GetStringAsync("/o/acme/feeds"), StringComparison.Ordinal);
        var orgFeed = await TestApp.PostFormAsync(manager, "/o/acme/feeds", new Dictionary<string, string> { ["scope"] = "organisation" }, "Create");
        Assert.Contains("Copy your subscription URL now", await orgFeed.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        Assert.Equal(FeedScope.Organisation, await f.WithDbAsync(db => db.CalendarFeedTokens.AsNoTracking().Where(t => t.UserId == f.ManagerId).Select(t => t.Scope).SingleAsync()));
    }

    private static JsonElement Event(JsonElement calendar, string uid) =>
        calendar.GetProperty("events").EnumerateArray().Single(e => e.GetProperty("uid").GetString() == uid);
}

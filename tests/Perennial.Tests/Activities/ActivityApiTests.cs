#pragma warning disable CA1861 // Request bodies are written inline for readability.
using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Perennial.Data;
using Perennial.Nonconformities;
using Perennial.Organisations;
using Perennial.Tests.Infrastructure;

namespace Perennial.Tests.Activities;

public sealed class SqliteActivityApiTests() : ActivityApiTests(DatabaseProvider.Sqlite);

public sealed class PostgresActivityApiTests() : ActivityApiTests(DatabaseProvider.Postgres);

/// <summary>Activities and occurrences through the JSON API: the contract fields, completion with evidence, skipping, schedule edits, missed occurrences.</summary>
public abstract class ActivityApiTests(DatabaseProvider provider) : IAsyncLifetime
{
    private const string Base = "/api/v1/orgs/acme";
    private TestApp app = null!;
    private Guid orgId;
    private HttpClient manager = null!;
    private HttpClient owner = null!;
    private HttpClient other = null!;
    private HttpClient auditor = null!;

    public async ValueTask InitializeAsync()
    {
        app = await TestApp.StartAsync(provider);
        var admin = await app.CreateUserAsync("admin@acme.test");
        orgId = (await app.CreateOrganisationAsync("acme", admin.Id)).Id;
        var m = await app.CreateUserAsync("manager@acme.test");
        await app.AddMemberAsync(orgId, "manager@acme.test", OrgRole.Manager);
        var o = await app.CreateUserAsync("owner@acme.test");
        await app.AddMemberAsync(orgId, "owner@acme.test", OrgRole.Contributor);
        var x = await app.CreateUserAsync("other@acme.test");
        await app.AddMemberAsync(orgId, "other@acme.test", OrgRole.Contributor);
        var a = await app.CreateUserAsync("auditor@acme.test");
        await app.AddMemberAsync(orgId, "auditor@acme.test", OrgRole.Auditor);
        manager = app.CreateApiClient(await app.CreateTokenAsync(m.Id));
        owner = app.CreateApiClient(await app.CreateTokenAsync(o.Id));
        other = app.CreateApiClient(await app.CreateTokenAsync(x.Id));
        auditor = app.CreateApiClient(await app.CreateTokenAsync(a.Id));
    }

    public async ValueTask DisposeAsync() => await app.DisposeAsync();

    [Fact]
    public async Task An_activity_carries_the_contract_fields_and_its_occurrences_follow_the_rule_in_its_time_zone()
    {
        var activity = await CreateAsync(new
        {
            title = "Backup restore test",
            ownerEmail = "owner@acme.test",
            rrule = "RRULE:FREQ=MONTHLY;BYMONTHDAY=-1",
            dtStart = "2026-01-31T09:00:00",
            timeZone = "Europe/London",
            evidenceRequired = new[] { "Restore log" },
        });
        Assert.Equal("FREQ=MONTHLY;BYMONTHDAY=-1", activity.GetProperty("rrule").GetString());
        Assert.Equal("2026-01-31T09:00:00", activity.GetProperty("dtStart").GetString());
        Assert.Equal("Europe/London", activity.GetProperty("timeZone").GetString());
        Assert.Equal("owner@acme.test", activity.GetProperty("ownerEmail").GetString());
        Assert.Equal("ACT-001", activity.GetProperty("reference").GetString());
        Assert.Equal("Monthly on the last day", activity.GetProperty("frequency").GetString());

        var id = activity.GetProperty("id").GetGuid();
        var list = await GetJsonAsync(auditor, $"{Base}/activities/{id}/occurrences?from=2026-03-01&to=2026-05-31");
        var occurrences = list.EnumerateArray().ToList();
        Assert.Equal(["2026-03-31T09:00:00", "2026-04-30T09:00:00", "2026-05-31T09:00:00"], occurrences.Select(o => o.GetProperty("due").GetString()));
        Assert.All(occurrences, o => Assert.Equal(id, o.GetProperty("activityId").GetGuid()));
        // 31 March is after the clocks go forward: 09:00 in London is 08:00 UTC.
        Assert.Equal(new DateTimeOffset(2026, 3, 31, 8, 0, 0, TimeSpan.Zero), occurrences[0].GetProperty("dueUtc").GetDateTimeOffset());
        // Today is 2 March 2026: 31 March is 29 days away (upcoming); nothing before today was generated.
        Assert.Equal("upcoming", occurrences[0].GetProperty("status").GetString());
        var early = await GetJsonAsync(auditor, $"{Base}/activities/{id}/occurrences?from=2026-01-01&to=2026-02-28");
        Assert.Equal(0, early.GetArrayLength());

        var calendar = await GetJsonAsync(auditor, $"{Base}/calendar?from=2026-03-01&to=2026-12-31");
        Assert.Equal(10, calendar.GetArrayLength());
        Assert.All(calendar.EnumerateArray(), o => Assert.Equal("owner@acme.test", o.GetProperty("ownerEmail").GetString()));

        var listed = await GetJsonAsync(auditor, $"{Base}/activities");
        Assert.Equal(id, Assert.Single(listed.GetProperty("items").EnumerateArray()).GetProperty("id").GetGuid());
    }

    [Theory]
    [InlineData("FREQ=MONTHLY;BYMONTHDAY=40", "Europe/London", "owner@acme.test", "rrule")]
    [InlineData("FREQ=SOMETIMES", "Europe/London", "owner@acme.test", "rrule")]
    [InlineData("FREQ=MONTHLY", "Mars/Olympus_Mons", "owner@acme.test", "timeZone")]
    [InlineData("FREQ=MONTHLY", "Europe/London", "stranger@example.test", "ownerEmail")]
    [InlineData("FREQ=MONTHLY", "Europe/London", "auditor@acme.test", "ownerUserId")]
    public async Task Bad_activities_are_refused_naming_the_field_and_nothing_is_created(string rrule, string zone, string ownerEmail, string field)
    {
        var response = await manager.PostAsJsonAsync($"{Base}/activities", new { title = "Scan", ownerEmail, rrule, dtStart = "2026-04-01T09:00", timeZone = zone });
        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        var problem = await response.Content.ReadFromJsonAsync<JsonElement>();
        Assert.Contains(field, problem.GetRawText(), StringComparison.Ordinal);
        var count = await app.WithScopeAsync(s => s.GetRequiredService<PerennialDbContext>().Activities.CountAsync());
        Assert.Equal(0, count);
    }

    [Fact]
    public async Task Only_managers_create_activities_and_a_local_start_with_an_offset_is_refused()
    {
        var body = new { title = "Scan", ownerEmail = "owner@acme.test", rrule = "FREQ=MONTHLY", dtStart = "2026-04-01T09:00:00", timeZone = "UTC" };
        Assert.Equal(HttpStatusCode.Forbidden, (await owner.PostAsJsonAsync($"{Base}/activities", body)).StatusCode);
        Assert.Equal(HttpStatusCode.Forbidden, (await auditor.PostAsJsonAsync($"{Base}/activities", body)).StatusCode);
        var offset = await manager.PostAsJsonAsync($"{Base}/activities", body with { dtStart = "2026-04-01T09:00:00+02:00" });
        Assert.Equal(HttpStatusCode.BadRequest, offset.StatusCode);
        Assert.Contains("dtStart", await offset.Content.ReadAsStringAsync(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task An_occurrence_is_completed_only_with_its_evidence_and_the_file_is_kept_byte_for_byte()
    {
        var activity = await CreateAsync(new
        {
            title = "Vulnerability scan",
            ownerEmail = "owner@acme.test",
            rrule = "FREQ=WEEKLY;BYDAY=MO",
            dtStart = "2026-03-09T10:00:00",
            timeZone = "UTC",
            evidenceRequired = new[] { "Scan report", "Remediation status" },
        });
        var first = await FirstOccurrenceAsync(activity);

        // No evidence: refused, naming both requirements.
        var bare = await owner.PostAsync($"{Base}/occurrences/{first}/complete", new MultipartFormDataContent { { new StringContent("done"), "notes" } });
        Assert.Equal(HttpStatusCode.BadRequest, bare.StatusCode);
        var message = await bare.Content.ReadAsStringAsync();
        Assert.Contains("Scan report", message, StringComparison.Ordinal);
        Assert.Contains("Remediation status", message, StringComparison.Ordinal);

        // A contributor who is neither owner nor deputy may not complete it.
        var bytes = Encoding.UTF8.GetBytes("<html><script>alert(1)</script></html>");
        Assert.Equal(HttpStatusCode.Forbidden, (await other.PostAsync($"{Base}/occurrences/{first}/complete", Upload(bytes))).StatusCode);

        // One file and one link cover the two requirements.
        var form = Upload(bytes);
        form.Add(new StringContent("https://tickets.example.test/SEC-12"), "link");
        var done = await owner.PostAsync($"{Base}/occurrences/{first}/complete", form);
        Assert.Equal(HttpStatusCode.OK, done.StatusCode);
        var detail = await done.Content.ReadFromJsonAsync<JsonElement>();
        Assert.Equal("completed-on-time", detail.GetProperty("occurrence").GetProperty("status").GetString());
        Assert.Equal("All clear", detail.GetProperty("notes").GetString());
        var evidence = detail.GetProperty("evidence").EnumerateArray().ToList();
        Assert.Equal(["Scan report", "Remediation status"], evidence.Select(e => e.GetProperty("requirement").GetString()));
        var file = evidence.Single(e => e.GetProperty("kind").GetString() == "file");
        Assert.Equal(Convert.ToHexStringLower(SHA256.HashData(bytes)), file.GetProperty("sha256").GetString());
        Assert.Equal("report.html", file.GetProperty("fileName").GetString());

        // Downloaded as an attachment that a browser will not render, even by auditors.
        var download = await auditor.GetAsync($"{Base}/occurrences/{first}/evidence/{file.GetProperty("id").GetGuid()}/content");
        Assert.Equal(HttpStatusCode.OK, download.StatusCode);
        Assert.Equal(bytes, await download.Content.ReadAsByteArrayAsync());
        Assert.Equal("attachment", download.Content.Headers.ContentDisposition?.DispositionType);
        Assert.Equal("application/octet-stream", download.Content.Headers.ContentType?.MediaType);
        Assert.Equal("nosniff", download.Headers.GetValues("X-Content-Type-Options").Single());

        // Completing twice is a conflict.
        Assert.Equal(HttpStatusCode.Conflict, (await owner.PostAsync($"{Base}/occurrences/{first}/complete", Upload(bytes))).StatusCode);
        Assert.True((await app.VerifyAuditTrailAsync()).Intact);
    }

    [Fact]
    public async Task A_completion_after_the_due_date_is_late_and_a_named_evidence_part_answers_its_requirement()
    {
        var activity = await CreateAsync(new
        {
            title = "Restore test",
            ownerEmail = "owner@acme.test",
            rrule = "FREQ=MONTHLY;BYMONTHDAY=10",
            dtStart = "2026-03-10T09:00:00",
            timeZone = "UTC",
            evidenceRequired = new[] { "Restore log", "Sign-off" },
        });
        var first = await FirstOccurrenceAsync(activity);
        app.Time.Advance(TimeSpan.FromDays(10));
        var form = new MultipartFormDataContent
        {
            { new ByteArrayContent("signed"u8.ToArray()), "evidence:Sign-off", "signoff.txt" },
            { new ByteArrayContent("log"u8.ToArray()), "file", "restore.log" },
        };
        var response = await owner.PostAsync($"{Base}/occurrences/{first}/complete", form);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var detail = await response.Content.ReadFromJsonAsync<JsonElement>();
        Assert.Equal("completed-late", detail.GetProperty("occurrence").GetProperty("status").GetString());
        var byName = detail.GetProperty("evidence").EnumerateArray().ToDictionary(e => e.GetProperty("fileName").GetString()!, e => e.GetProperty("requirement").GetString());
        Assert.Equal("Sign-off", byName["signoff.txt"]);
        Assert.Equal("Restore log", byName["restore.log"]);
    }

    [Fact]
    public async Task Skipping_needs_a_manager_and_a_reason()
    {
        var activity = await CreateAsync(new { title = "Supplier review", ownerEmail = "owner@acme.test", schedule = "yearly", dtStart = "2026-06-01", timeZone = "UTC" });
        var first = await FirstOccurrenceAsync(activity);
        Assert.Equal(HttpStatusCode.Forbidden, (await owner.PostAsJsonAsync($"{Base}/occurrences/{first}/skip", new { reason = "busy" })).StatusCode);
        var empty = await manager.PostAsJsonAsync($"{Base}/occurrences/{first}/skip", new { reason = " " });
        Assert.Equal(HttpStatusCode.BadRequest, empty.StatusCode);
        Assert.Contains("reason", await empty.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        var skipped = await manager.PostAsync($"{Base}/occurrences/{first}/skip", new FormUrlEncodedContent(new Dictionary<string, string> { ["reason"] = "Supplier contract ended in May" }));
        Assert.Equal(HttpStatusCode.OK, skipped.StatusCode);
        var detail = await skipped.Content.ReadFromJsonAsync<JsonElement>();
        Assert.Equal("skipped", detail.GetProperty("occurrence").GetProperty("status").GetString());
        Assert.Equal("Supplier contract ended in May", detail.GetProperty("skipReason").GetString());
        Assert.Equal("manager", detail.GetProperty("skipApprovedBy").GetString());
    }

    [Fact]
    public async Task Editing_the_schedule_moves_future_open_occurrences_only()
    {
        var activity = await CreateAsync(new
        {
            title = "Access review",
            ownerEmail = "owner@acme.test",
            rrule = "FREQ=MONTHLY;BYMONTHDAY=5",
            dtStart = "2026-03-05T09:00:00",
            timeZone = "UTC",
        });
        var id = activity.GetProperty("id").GetGuid();
        var march = await FirstOccurrenceAsync(activity);
        Assert.Equal(HttpStatusCode.OK, (await owner.PostAsync($"{Base}/occurrences/{march}/complete", new MultipartFormDataContent { { new StringContent("ok"), "notes" } })).StatusCode);
        app.Time.Advance(TimeSpan.FromDays(40)); // 11 April: the April occurrence (5 April) is past and still open.

        var update = await manager.PutAsJsonAsync($"{Base}/activities/{id}", new
        {
            title = "Access review",
            ownerEmail = "owner@acme.test",
            rrule = "FREQ=MONTHLY;BYMONTHDAY=20",
            dtStart = "2026-03-05T09:00:00",
            timeZone = "UTC",
        });
        Assert.Equal(HttpStatusCode.OK, update.StatusCode);
        var rows = (await GetJsonAsync(auditor, $"{Base}/activities/{id}/occurrences?from=2026-03-01&to=2026-06-30")).EnumerateArray()
            .Select(o => (Due: o.GetProperty("due").GetString(), Status: o.GetProperty("status").GetString(), Id: o.GetProperty("id").GetGuid())).ToList();
        Assert.Equal(
            [("2026-03-05T09:00:00", "completed-on-time"), ("2026-04-05T09:00:00", "overdue"), ("2026-04-20T09:00:00", "due-soon"), ("2026-05-20T09:00:00", "upcoming"), ("2026-06-20T09:00:00", "upcoming")],
            rows.Select(r => (r.Due, r.Status)));
        Assert.Equal(march, rows[0].Id);
    }

    [Fact]
    public async Task An_occurrence_still_open_when_its_grace_period_ends_raises_one_nonconformity()
    {
        var activity = await CreateAsync(new
        {
            title = "Policy review",
            ownerEmail = "owner@acme.test",
            rrule = "FREQ=YEARLY",
            dtStart = "2026-03-10T09:00:00",
            timeZone = "UTC",
            graceDays = 7,
        });
        var first = await FirstOccurrenceAsync(activity);
        app.Time.Advance(TimeSpan.FromDays(15)); // 17 March: due + 7 days, the last day of grace.
        Assert.Equal(0, await RaiseAsync());
        app.Time.Advance(TimeSpan.FromDays(1));
        Assert.Equal(1, await RaiseAsync());
        Assert.Equal(0, await RaiseAsync());

        var nc = await app.WithScopeAsync(s => s.GetRequiredService<PerennialDbContext>().Nonconformities.SingleAsync());
        Assert.Equal(first, nc.OccurrenceId);
        Assert.Equal(NonconformitySource.MissedActivity, nc.Source);
        Assert.Equal("NC-001", nc.Reference);
        Assert.Equal(NonconformityStatus.Raised, nc.Status);
        Assert.Equal(NonconformitySeverity.Minor, nc.Severity);
        var detail = await GetJsonAsync(auditor, $"{Base}/occurrences/{first}");
        Assert.Equal(nc.Id, detail.GetProperty("occurrence").GetProperty("nonconformityId").GetGuid());
        Assert.Equal("overdue", detail.GetProperty("occurrence").GetProperty("status").GetString());
    }

    [Fact]
    public async Task Templates_create_a_routine_with_linked_controls_and_are_not_applied_twice()
    {
        var created = await manager.PostAsJsonAsync($"{Base}/activities/from-templates", new { templates = new[] { "user-access-review", "backup-restore-test" }, ownerEmail = "owner@acme.test", startDate = "2026-03-31", timeZone = "Europe/Berlin" });
        Assert.Equal(HttpStatusCode.Created, created.StatusCode);
        var activities = (await created.Content.ReadFromJsonAsync<JsonElement>()).EnumerateArray().ToList();
        Assert.Equal(["User access review", "Backup restore test"], activities.Select(a => a.GetProperty("title").GetString()));
        Assert.All(activities, a => Assert.Equal("FREQ=MONTHLY;INTERVAL=3;BYMONTHDAY=-1", a.GetProperty("rrule").GetString()));
        Assert.Equal(3, activities[0].GetProperty("controlIds").GetArrayLength());
        Assert.Equal(["Restore log"], activities[1].GetProperty("evidenceRequired").EnumerateArray().Select(e => e.GetString()));

        var again = await manager.PostAsJsonAsync($"{Base}/activities/from-templates", new { templates = new[] { "user-access-review" }, ownerEmail = "owner@acme.test" });
        Assert.Equal(0, (await again.Content.ReadFromJsonAsync<JsonElement>()).GetArrayLength());
        var unknown = await manager.PostAsJsonAsync($"{Base}/activities/from-templates", new { templates = new[] { "tea-break" } });
        Assert.Equal(HttpStatusCode.BadRequest, unknown.StatusCode);
    }

    [Fact]
    public async Task The_external_audit_activity_takes_its_dates_from_the_certification_cycle_and_follows_a_moved_audit()
    {
        var certified = await manager.PutAsJsonAsync($"{Base}/cycle", new { certificationBody = "Example Certification Ltd", stage2AuditDate = "2025-05-20", issueDate = "2025-06-15" });
        Assert.Equal(HttpStatusCode.OK, certified.StatusCode);
        var created = await manager.PostAsJsonAsync($"{Base}/activities/from-templates", new { templates = new[] { "external-audit" }, ownerEmail = "owner@acme.test" });
        var activity = Assert.Single((await created.Content.ReadFromJsonAsync<JsonElement>()).EnumerateArray());
        Assert.Equal("certification-cycle", activity.GetProperty("scheduleSource").GetString());
        Assert.Equal(JsonValueKind.Null, activity.GetProperty("rrule").ValueKind);

        var cycle = await GetJsonAsync(auditor, $"{Base}/cycle");
        var planned = cycle.GetProperty("audits").EnumerateArray().Select(a => a.GetProperty("plannedDate").GetString() + "T09:00:00").ToList();
        var id = activity.GetProperty("id").GetGuid();
        var dues = (await GetJsonAsync(auditor, $"{Base}/activities/{id}/occurrences?from=2026-01-01&to=2028-12-31")).EnumerateArray().Select(o => o.GetProperty("due").GetString()!).ToList();
        Assert.Equal(planned, dues);

        var moved = await manager.PutAsJsonAsync($"{Base}/cycle/audits/surveillance-1", new { plannedDate = "2026-06-01", windowStart = "2026-03-15", windowEnd = "2026-06-15" });
        Assert.Equal(HttpStatusCode.OK, moved.StatusCode);
        var after = (await GetJsonAsync(auditor, $"{Base}/activities/{id}/occurrences?from=2026-01-01&to=2028-12-31")).EnumerateArray().Select(o => o.GetProperty("due").GetString()!).ToList();
        Assert.Equal(["2026-06-01T09:00:00", .. planned.Skip(1)], after);
    }

    [Fact]
    public async Task An_activity_without_history_can_be_deleted_but_one_with_history_must_be_retired()
    {
        var fresh = await CreateAsync(new { title = "Typo", ownerEmail = "owner@acme.test", schedule = "monthly", dtStart = "2026-04-01", timeZone = "UTC" });
        Assert.Equal(HttpStatusCode.NoContent, (await manager.DeleteAsync($"{Base}/activities/{fresh.GetProperty("id").GetGuid()}")).StatusCode);
        Assert.Equal(0, (await GetJsonAsync(auditor, $"{Base}/calendar?from=2026-01-01&to=2027-12-31")).GetArrayLength());

        var used = await CreateAsync(new { title = "Scan", ownerEmail = "owner@acme.test", schedule = "monthly", dtStart = "2026-04-01", timeZone = "UTC" });
        var first = await FirstOccurrenceAsync(used);
        Assert.Equal(HttpStatusCode.OK, (await owner.PostAsync($"{Base}/occurrences/{first}/complete", new MultipartFormDataContent { { new StringContent("ok"), "notes" } })).StatusCode);
        var refused = await manager.DeleteAsync($"{Base}/activities/{used.GetProperty("id").GetGuid()}");
        Assert.Equal(HttpStatusCode.Conflict, refused.StatusCode);
        Assert.Contains("retire", await refused.Content.ReadAsStringAsync(), StringComparison.Ordinal);

        // Retiring keeps the completed occurrence and removes the future ones.
        var retired = await manager.PutAsJsonAsync($"{Base}/activities/{used.GetProperty("id").GetGuid()}", new { title = "Scan", ownerEmail = "owner@acme.test", schedule = "monthly", dtStart = "2026-04-01", timeZone = "UTC", state = "retired" });
        Assert.Equal("retired", (await retired.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("state").GetString());
        var left = await GetJsonAsync(auditor, $"{Base}/activities/{used.GetProperty("id").GetGuid()}/occurrences?from=2026-01-01&to=2029-12-31");
        Assert.Equal(first, Assert.Single(left.EnumerateArray()).GetProperty("id").GetGuid());
        Assert.True((await app.VerifyAuditTrailAsync()).Intact);
    }

    [Fact]
    public async Task The_preview_gives_the_next_five_dates_and_the_rule_in_words()
    {
        var response = await owner.PostAsJsonAsync($"{Base}/activities/preview", new { schedule = "last-working-day-of-quarter", dtStart = "2026-03-01T09:00", timeZone = "UTC" });
        var preview = await response.Content.ReadFromJsonAsync<JsonElement>();
        Assert.Equal(["2026-03-31T09:00:00", "2026-06-30T09:00:00", "2026-09-30T09:00:00", "2026-12-31T09:00:00", "2027-03-31T09:00:00"],
            preview.GetProperty("next").EnumerateArray().Select(d => d.GetString()));
        Assert.Equal("Quarterly (Mar, Jun, Sep, Dec) on the last working day", preview.GetProperty("frequency").GetString());
    }

    private async Task<int> RaiseAsync() =>
        await app.WithScopeAsync(s => s.GetRequiredService<NonconformityService>().RaiseForMissedAsync(app.Time.GetUtcNow(), CancellationToken.None));

    private static MultipartFormDataContent Upload(byte[] bytes)
    {
        var file = new ByteArrayContent(bytes);
        file.Headers.ContentType = new MediaTypeHeaderValue("text/html");
        return new MultipartFormDataContent { { new StringContent("All clear"), "notes" }, { file, "file", "../../report.html" } };
    }

    private async Task<JsonElement> CreateAsync(object body)
    {
        var response = await manager.PostAsJsonAsync($"{Base}/activities", body);
        Assert.True(response.StatusCode == HttpStatusCode.Created, await response.Content.ReadAsStringAsync());
        return await response.Content.ReadFromJsonAsync<JsonElement>();
    }

    private async Task<Guid> FirstOccurrenceAsync(JsonElement activity)
    {
        var list = await GetJsonAsync(auditor, $"{Base}/activities/{activity.GetProperty("id").GetGuid()}/occurrences?from=2026-01-01&to=2027-12-31");
        return list.EnumerateArray().First().GetProperty("id").GetGuid();
    }

    private static async Task<JsonElement> GetJsonAsync(HttpClient client, string path)
    {
        var response = await client.GetAsync(path);
        Assert.True(response.IsSuccessStatusCode, $"{path}: {(int)response.StatusCode} {await response.Content.ReadAsStringAsync()}");
        return await response.Content.ReadFromJsonAsync<JsonElement>();
    }
}

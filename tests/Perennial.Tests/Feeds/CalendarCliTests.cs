using System.Net.Http.Json;
using System.Text.Json;
using Perennial.Common;
using Perennial.Data;

namespace Perennial.Tests.Feeds;

public sealed class SqliteCalendarCliTests() : CalendarCliTests(DatabaseProvider.Sqlite);

public sealed class PostgresCalendarCliTests() : CalendarCliTests(DatabaseProvider.Postgres);

/// <summary><c>perennial calendar</c>: the calendar API's occurrences as JSON, CSV or iCalendar on stdout.</summary>
public abstract class CalendarCliTests(DatabaseProvider provider) : IAsyncLifetime
{
    private FeedFixture f = null!;

    public async ValueTask InitializeAsync() => f = await FeedFixture.CreateAsync(provider);

    public async ValueTask DisposeAsync() => await f.App.DisposeAsync();

    private async Task<List<JsonElement>> ApiAsync(string from, string to) =>
        [.. (await f.Manager.GetFromJsonAsync<JsonElement>($"/api/v1/orgs/acme/calendar?from={from}&to={to}")).EnumerateArray()];

    [Fact]
    public async Task Json_is_an_array_of_the_occurrences_the_calendar_api_lists_in_the_same_order_and_fields()
    {
        var result = await f.App.RunCliAsync("", "calendar", "--org", "acme", "--from", "2026-01-01", "--to", "2026-12-31", "--format", "json");

        Assert.True(result.ExitCode == 0, result.Stderr);
        var printed = JsonDocument.Parse(result.Stdout).RootElement.EnumerateArray().ToList();
        var api = await ApiAsync("2026-01-01", "2026-12-31");
        Assert.True(api.Count >= 20, $"The API lists {api.Count} occurrences.");
        Assert.Equal(api.Select(o => o.GetProperty("id").GetGuid()), printed.Select(o => o.GetProperty("id").GetGuid()));
        // The command runs on the real clock, so the date-dependent status may differ from the test's clock; everything else matches.
        string[] fields = ["activityId", "activityReference", "activityTitle", "due", "dueUtc", "timeZone", "state", "ownerEmail", "ownerName", "deputyName", "completedAt", "evidenceCount"];
        foreach (var (expected, actual) in api.Zip(printed))
        {
            foreach (var field in fields)
            {
                Assert.Equal(expected.GetProperty(field).ToString(), actual.GetProperty(field).ToString());
            }

            Assert.True(actual.TryGetProperty("status", out _));
        }

        Assert.Contains(printed, o => o.GetProperty("due").GetString() == "2026-03-05T09:00:00" && o.GetProperty("timeZone").GetString() == "Europe/London");
    }

    [Fact]
    public async Task Csv_has_a_header_row_and_one_quoted_where_needed_record_per_occurrence()
    {
        var result = await f.App.RunCliAsync("", "calendar", "--org", "acme", "--from", "2026-03-01", "--to", "2026-06-30", "--format", "csv");

        Assert.True(result.ExitCode == 0, result.Stderr);
        var records = Csv.Parse(result.Stdout);
        Assert.Equal(["id", "activityId", "activityReference", "activityTitle", "due", "dueUtc", "timeZone", "status", "state",
            "ownerEmail", "ownerName", "deputyName", "completedAt", "evidenceCount"], records[0].Fields);
        var api = await ApiAsync("2026-03-01", "2026-06-30");
        var rows = records.Skip(1).Select(r => r.Fields).ToList();
        Assert.Equal(api.Select(o => o.GetProperty("id").GetString()), rows.Select(r => r[0]));
        Assert.All(rows, r => Assert.Equal(14, r.Count));
        foreach (var (expected, row) in api.Zip(rows))
        {
            Assert.Equal(expected.GetProperty("due").GetString(), row[4]);
            Assert.Equal(expected.GetProperty("activityTitle").GetString(), row[3]);
            Assert.Equal(expected.GetProperty("ownerEmail").GetString(), row[9]);
        }

        // A title with a comma and quotes is one quoted field on the wire.
        Assert.Contains(",\"Backup restore test, \"\"full\"\" copy\",", result.Stdout, StringComparison.Ordinal);
        Assert.Contains(rows, r => r[2] == "ACT-002" && r[8] == "completed" && r[13] == "0");
        Assert.Contains(rows, r => r[2] == "ACT-003" && r[8] == "skipped");
    }

    [Fact]
    public async Task Ics_is_the_feeds_calendar_for_the_range_and_ical_js_reads_it()
    {
        var result = await f.App.RunCliAsync("", "calendar", "--org", "acme", "--from", "2026-03-01", "--to", "2026-09-30", "--format", "ics");

        Assert.True(result.ExitCode == 0, result.Stderr);
        Assert.StartsWith("BEGIN:VCALENDAR\r\n", result.Stdout, StringComparison.Ordinal);
        var parsed = await IcalJs.ParseAsync(result.Stdout);
        var api = await ApiAsync("2026-03-01", "2026-09-30");
        Assert.Equal("Organisation acme: ISMS activities 2026-03-01 to 2026-09-30", parsed.GetProperty("name").GetString());
        var events = parsed.GetProperty("events").EnumerateArray().ToList();
        Assert.Equal(api.Select(o => $"{o.GetProperty("id").GetString()}@perennial").Order(), events.Select(e => e.GetProperty("uid").GetString()).Order());
        foreach (var ev in events)
        {
            var occurrence = api.Single(o => $"{o.GetProperty("id").GetString()}@perennial" == ev.GetProperty("uid").GetString());
            Assert.Equal(occurrence.GetProperty("dueUtc").GetDateTimeOffset(), DateTimeOffset.Parse(ev.GetProperty("start").GetString()!, System.Globalization.CultureInfo.InvariantCulture));
            Assert.Equal(occurrence.GetProperty("state").GetString() == "open" ? occurrence.GetProperty("activityReference").GetString() switch { "ACT-001" => 2, "ACT-002" => 1, _ => 3 } : 0,
                ev.GetProperty("alarms").GetArrayLength());
        }
    }

    [Theory]
    [InlineData(new[] { "--org", "nowhere", "--from", "2026-01-01", "--to", "2026-12-31" }, "--org: no organisation has the slug 'nowhere'")]
    [InlineData(new[] { "--org", "acme", "--from", "2026-02-30", "--to", "2026-12-31" }, "--from: '2026-02-30' is not a date")]
    [InlineData(new[] { "--org", "acme", "--from", "2026-01-01", "--to", "soon" }, "--to: 'soon' is not a date")]
    [InlineData(new[] { "--org", "acme", "--from", "2026-12-31", "--to", "2026-01-01" }, "--to: 'to' must not be before 'from'")]
    [InlineData(new[] { "--org", "acme", "--from", "2020-01-01", "--to", "2030-01-01" }, "--to: A calendar query covers at most six years")]
    [InlineData(new[] { "--org", "acme", "--from", "2026-01-01", "--to", "2026-12-31", "--format", "xml" }, "--format 'xml' is not a format; use json, csv or ics")]
    [InlineData(new[] { "--from", "2026-01-01", "--to", "2026-12-31" }, "--org")]
    public async Task Bad_options_exit_non_zero_naming_the_option(string[] args, string message)
    {
        var result = await f.App.RunCliAsync("", ["calendar", .. args]);

        Assert.NotEqual(0, result.ExitCode);
        Assert.Contains(message, result.Stderr, StringComparison.Ordinal);
        // No occurrences are printed (a missing required option prints the command's help).
        Assert.DoesNotContain("activityId", result.Stdout, StringComparison.Ordinal);
        Assert.DoesNotContain("BEGIN:VCALENDAR", result.Stdout, StringComparison.Ordinal);
    }
}

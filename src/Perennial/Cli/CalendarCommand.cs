using System.CommandLine;
using System.Globalization;
using System.Text.Json;
using Microsoft.EntityFrameworkCore;
using Perennial.Activities;
using Perennial.Common;
using Perennial.Data;
using Perennial.Feeds;
using Perennial.Hosting;

namespace Perennial.Cli;

/// <summary>
/// <c>perennial calendar --org SLUG --from DATE --to DATE --format json|csv|ics</c>: the
/// organisation's occurrences, as the calendar API lists them, for scripts and spreadsheets.
/// </summary>
internal static class CalendarCommand
{
    public const string Formats = "json, csv or ics";

    /// <summary>The CSV columns, in order; the same fields the calendar API returns.</summary>
    public static readonly IReadOnlyList<string> CsvColumns =
    [
        "id", "activityId", "activityReference", "activityTitle", "due", "dueUtc", "timeZone", "status", "state",
        "ownerEmail", "ownerName", "deputyName", "completedAt", "evidenceCount",
    ];

    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web) { WriteIndented = true };

    public static Command Create(PerennialCli.CliIo io)
    {
        var data = PerennialCli.DataOption();
        var org = new Option<string>("--org") { Description = "Slug of the organisation.", Required = true };
        var from = new Option<string?>("--from") { Description = "First due date, YYYY-MM-DD (default: 1 January this year)." };
        var to = new Option<string?>("--to") { Description = "Last due date, YYYY-MM-DD, inclusive (default: 31 December of the --from year)." };
        var format = new Option<string>("--format")
        {
            Description = "json (an array), csv (with a header row) or ics (iCalendar, as the calendar feeds write it).",
            DefaultValueFactory = _ => "json",
        };
        var command = new Command("calendar", "Print the organisation's occurrences due between two dates.") { org, from, to, format, data };
        command.TreatUnmatchedTokensAsErrors = false;
        command.SetAction(async (parse, ct) =>
        {
            var chosen = (parse.GetValue(format) ?? "").Trim().ToLowerInvariant();
            if (chosen is not ("json" or "csv" or "ics"))
            {
                await io.Err.WriteLineAsync($"error: --format '{parse.GetValue(format)}' is not a format; use {Formats}.");
                return 2;
            }

            return await PerennialCli.WithServicesAsync(parse, data, io,
                services => PrintAsync(services, parse.GetValue(org)!, parse.GetValue(from), parse.GetValue(to), chosen, io, ct), ct);
        });
        return command;
    }

    private static async Task<int> PrintAsync(IServiceProvider services, string slug, string? fromText, string? toText, string format, PerennialCli.CliIo io, CancellationToken ct)
    {
        DateOnly from, to;
        try
        {
            (from, to) = ActivityNames.ReadRange(fromText, toText, services.GetRequiredService<TimeProvider>());
        }
        catch (UseCaseException e)
        {
            await io.Err.WriteLineAsync($"error: --{e.Field}: {e.Message}");
            return 2;
        }

        await PerennialCli.EnsureMigratedAsync(services, ct);
        var organisation = await services.GetRequiredService<PerennialDbContext>().Organisations.AsNoTracking()
            .SingleOrDefaultAsync(o => o.Slug == slug, ct);
        if (organisation is null)
        {
            await io.Err.WriteLineAsync($"error: --org: no organisation has the slug '{slug}'.");
            return 1;
        }

        IReadOnlyList<OccurrenceRow> rows;
        try
        {
            rows = await services.GetRequiredService<OccurrenceService>().ListAsync(organisation.Id, new OccurrenceQuery(from, to), ct);
        }
        catch (UseCaseException e) when (e.Field is "from" or "to")
        {
            await io.Err.WriteLineAsync($"error: --{e.Field}: {e.Message}");
            return 2;
        }

        switch (format)
        {
            case "json":
                await io.Out.WriteLineAsync(JsonSerializer.Serialize(rows.Select(ActivitiesApi.ToDto), Json));
                break;
            case "csv":
                await io.Out.WriteAsync(Csv.Write(CsvColumns, rows.Select(CsvRecord)));
                break;
            default:
                var publicUrl = services.GetRequiredService<PerennialOptions>().PublicUri();
                var name = string.Create(CultureInfo.InvariantCulture, $"{organisation.Name}: ISMS activities {from:yyyy-MM-dd} to {to:yyyy-MM-dd}");
                var content = await services.GetRequiredService<CalendarFeedService>().ContentAsync(organisation.Id, organisation.Slug, name, rows, publicUrl, ct);
                await io.Out.WriteAsync(CalendarFeedWriter.Write(content));
                break;
        }

        return 0;
    }

    private static IEnumerable<string?> CsvRecord(OccurrenceRow row)
    {
        var dto = ActivitiesApi.ToDto(row);
        return
        [
            dto.Id.ToString(), dto.ActivityId.ToString(), dto.ActivityReference, dto.ActivityTitle, dto.Due,
            dto.DueUtc.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", CultureInfo.InvariantCulture), dto.TimeZone, dto.Status, dto.State,
            dto.OwnerEmail, dto.OwnerName, dto.DeputyName,
            dto.CompletedAt?.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", CultureInfo.InvariantCulture),
            dto.EvidenceCount.ToString(CultureInfo.InvariantCulture),
        ];
    }
}

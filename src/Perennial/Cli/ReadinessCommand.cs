using System.CommandLine;
using System.Globalization;
using System.Text.Json;
using Microsoft.EntityFrameworkCore;
using Perennial.Common;
using Perennial.Data;
using Perennial.Readiness;

namespace Perennial.Cli;

/// <summary>
/// <c>perennial readiness --org SLUG [--audit-date DATE] [--now DATETIME] [--json]</c>: what an
/// auditor would find missing, and the dated to-do list per owner for the audit day. Exits 0 whatever
/// it finds; 2 for bad options, 1 for an unknown organisation.
/// </summary>
internal static class ReadinessCommand
{
    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web) { WriteIndented = true };

    public static Command Create(PerennialCli.CliIo io)
    {
        var data = PerennialCli.DataOption();
        var org = new Option<string>("--org") { Description = "Slug of the organisation.", Required = true };
        var auditDate = new Option<string?>("--audit-date") { Description = "The audit day, YYYY-MM-DD (default: the next external audit)." };
        var periodFrom = new Option<string?>("--period-from") { Description = "First day of the audit period, YYYY-MM-DD (default: the day after the audit before)." };
        var now = new Option<string?>("--now")
        {
            Description = "Compute as if the present were this instant, ISO 8601 (2026-03-16T09:00:00Z; without an offset it is UTC). Default: the clock.",
        };
        var json = new Option<bool>("--json") { Description = "Print the same JSON document as GET /api/v1/orgs/{slug}/readiness." };
        var command = new Command("readiness", "What an auditor would find missing on the audit day, and what each owner must do by when.") { org, auditDate, periodFrom, now, json, data };
        command.TreatUnmatchedTokensAsErrors = false;
        command.SetAction((parse, ct) => PerennialCli.WithServicesAsync(parse, data, io, async services =>
        {
            var at = services.GetRequiredService<TimeProvider>().GetUtcNow();
            if (parse.GetValue(now) is { } text && !RemindersCommand.TryParseInstant(text, out at))
            {
                await io.Err.WriteLineAsync($"error: --now '{text}' is not an ISO 8601 date-time such as 2026-03-16T09:00:00Z.");
                return 2;
            }

            if (!TryDate(parse.GetValue(auditDate), out var audit) || !TryDate(parse.GetValue(periodFrom), out var from))
            {
                var bad = TryDate(parse.GetValue(auditDate), out _) ? ("--period-from", parse.GetValue(periodFrom)) : ("--audit-date", parse.GetValue(auditDate));
                await io.Err.WriteLineAsync($"error: {bad.Item1} '{bad.Item2}' is not a date such as 2026-09-15 (YYYY-MM-DD).");
                return 2;
            }

            await PerennialCli.EnsureMigratedAsync(services, ct);
            var db = services.GetRequiredService<PerennialDbContext>();
            var slug = parse.GetValue(org)!;
            var organisation = await db.Organisations.AsNoTracking().SingleOrDefaultAsync(o => o.Slug == slug, ct);
            if (organisation is null)
            {
                await io.Err.WriteLineAsync($"error: --org: no organisation has the slug '{slug}'.");
                return 1;
            }

            ReadinessReport report;
            try
            {
                report = await services.GetRequiredService<ReadinessService>().ComputeAsync(organisation.Id, new ReadinessQuery(audit, from), at, ct);
            }
            catch (UseCaseException e) when (e.Field is not null)
            {
                await io.Err.WriteLineAsync($"error: {WindowError(e)}");
                return 2;
            }

            if (parse.GetValue(json))
            {
                await io.Out.WriteLineAsync(JsonSerializer.Serialize(await ReadinessApi.DtoAsync(report, db, ct), Json));
                return 0;
            }

            await io.Out.WriteAsync(Text(organisation.Name, report));
            return 0;
        }, ct));
        return command;
    }

    /// <summary>A YYYY-MM-DD option: true with null for none given, false for text that is not a date.</summary>
    internal static bool TryDate(string? text, out DateOnly? date)
    {
        date = null;
        if (string.IsNullOrWhiteSpace(text))
        {
            return true;
        }

        if (DateOnly.TryParseExact(text.Trim(), "yyyy-MM-dd", CultureInfo.InvariantCulture, DateTimeStyles.None, out var d))
        {
            date = d;
            return true;
        }

        return false;
    }

    /// <summary>A refused audit window in the options' words: "--period-from: --period-from (…) is after …".</summary>
    internal static string WindowError(UseCaseException e)
    {
        ArgumentNullException.ThrowIfNull(e);
        var option = e.Field == "periodFrom" ? "--period-from" : "--audit-date";
        return $"{option}: {e.Message.Replace("auditDate", "--audit-date", StringComparison.Ordinal).Replace("periodFrom", "--period-from", StringComparison.Ordinal)}";
    }

    /// <summary>The report for a person at a terminal: score, gaps by kind, and each owner's dated list.</summary>
    public static string Text(string organisation, ReadinessReport report)
    {
        ArgumentNullException.ThrowIfNull(report);
        var c = CultureInfo.InvariantCulture;
        var w = new StringWriter(c);
        var day = ReadinessReport.Day;
        w.WriteLine($"Readiness of {organisation} for the audit on {day(report.AuditDate)}");
        w.WriteLine($"{report.AuditSource}; audit period {day(report.PeriodFrom)} to {day(report.AuditDate)}; as at {report.Now.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", c)}");
        w.WriteLine();
        w.WriteLine($"Score today: {report.Score.Value}/100, {report.Gaps.Count} gap(s). If nothing changes, on the audit day: {report.ForecastScore.Value}/100, {report.Forecast.Count} gap(s).");
        w.WriteLine();
        if (report.Gaps.Count == 0)
        {
            w.WriteLine("Today an auditor would find nothing missing.");
        }
        else
        {
            w.WriteLine("Gaps today");
            foreach (var kind in report.Gaps.GroupBy(g => g.Kind, StringComparer.Ordinal))
            {
                w.WriteLine($"  {GapKinds.ByKind[kind.Key].Label} ({kind.Count()})");
                foreach (var g in kind)
                {
                    w.WriteLine($"    {g.Name}: {g.Reason}{(g.OwnerName is { } o ? $" [{o}]" : "")}");
                }
            }
        }

        w.WriteLine();
        var todo = report.TodoByOwner();
        if (todo.Count == 0)
        {
            w.WriteLine("To do before the audit: nothing.");
        }
        else
        {
            w.WriteLine("To do before the audit, by owner (do each by the date shown for a clean audit day)");
            foreach (var owner in todo)
            {
                w.WriteLine($"  {owner.OwnerName ?? "Nobody named (the ISMS manager decides)"}");
                foreach (var g in owner.Items)
                {
                    w.WriteLine($"    by {(g.DoBy is { } d ? day(d) : "—")}  {g.Name}: {g.Reason}");
                }
            }
        }

        if (report.Unfixable.Count > 0)
        {
            w.WriteLine();
            w.WriteLine("Already on the record (cannot be undone; be ready to explain them)");
            foreach (var g in report.Unfixable)
            {
                w.WriteLine($"  {g.Name}: {g.Reason}");
            }
        }

        return w.ToString();
    }
}

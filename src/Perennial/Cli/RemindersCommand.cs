using System.CommandLine;
using System.Globalization;
using Perennial.Reminders;

namespace Perennial.Cli;

/// <summary><c>perennial reminders run --now DATETIME</c>: one reminder sweep and one delivery pass, as if it were that instant.</summary>
internal static class RemindersCommand
{
    public static Command Create(PerennialCli.CliIo io)
    {
        var data = PerennialCli.DataOption();
        var now = new Option<string?>("--now")
        {
            Description = "The instant to run as, ISO 8601 (2026-03-16T09:00:00Z, 2026-03-16T10:00+01:00; without an offset it is UTC). Default: the clock.",
        };
        var run = new Command("run", "Raise nonconformities for missed occurrences, queue the reminders due, and deliver the outbox once; exits 1 if any delivery failed.") { now, data };
        run.TreatUnmatchedTokensAsErrors = false;
        run.SetAction((parse, ct) => PerennialCli.WithServicesAsync(parse, data, io, async services =>
        {
            var at = services.GetRequiredService<TimeProvider>().GetUtcNow();
            if (parse.GetValue(now) is { } text)
            {
                if (!TryParseInstant(text, out at))
                {
                    await io.Err.WriteLineAsync($"error: --now '{text}' is not an ISO 8601 date-time such as 2026-03-16T09:00:00Z.");
                    return 2;
                }
            }

            await PerennialCli.EnsureMigratedAsync(services, ct);
            var result = await services.GetRequiredService<ReminderRunner>().RunAsync(at, ct);
            var o = io.Out;
            await o.WriteLineAsync($"Reminders as at {at.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", CultureInfo.InvariantCulture)}");
            await o.WriteLineAsync($"nonconformities raised: {result.NonconformitiesRaised}");
            await o.WriteLineAsync($"queued: {result.Queued}");
            await o.WriteLineAsync($"sent: {result.Sent}");
            await o.WriteLineAsync($"failed: {result.Failed}");
            if (result.Withdrawn > 0)
            {
                await o.WriteLineAsync($"withdrawn: {result.Withdrawn} (their occurrences were closed before delivery)");
            }

            if (result.EmailDisabledReason is { } off)
            {
                await io.Err.WriteLineAsync($"note: e-mail is off ({off}); {result.Held} e-mail(s) wait in the outbox.");
            }

            if (result.Failed > 0)
            {
                await io.Err.WriteLineAsync($"error: {result.Failed} message(s) could not be delivered; they stay queued and are retried with back-off (see the log above and the organisation's notification settings).");
                return 1;
            }

            return 0;
        }, ct));
        return new Command("reminders", "E-mail and chat reminders of activities.") { run };
    }

    /// <summary>ISO 8601 date or date-time; without an offset it is UTC.</summary>
    internal static bool TryParseInstant(string text, out DateTimeOffset instant)
    {
        string[] formats =
        [
            "yyyy-MM-dd'T'HH:mm:ss.FFFFFFFK", "yyyy-MM-dd'T'HH:mm:ssK", "yyyy-MM-dd'T'HH:mmK",
            "yyyy-MM-dd HH:mm:ssK", "yyyy-MM-dd HH:mmK", "yyyy-MM-dd",
        ];
        return DateTimeOffset.TryParseExact(text.Trim(), formats, CultureInfo.InvariantCulture,
            DateTimeStyles.AssumeUniversal | DateTimeStyles.AdjustToUniversal, out instant);
    }
}

using Microsoft.Extensions.Logging.Console;

namespace Perennial.Hosting;

/// <summary>
/// How <c>serve</c> writes its log: ASP.NET Core's plain one-line format on a terminal, where a person
/// reads it, and JSON lines when the output goes to a file, a pipe or a log collector.
/// </summary>
public static class ConsoleLogging
{
    /// <summary>The setting: <c>auto</c> (default), <c>plain</c> or <c>json</c>.</summary>
    public const string FormatSetting = "Perennial:LogFormat";

    public static ILoggingBuilder AddPerennialConsoleFormat(this ILoggingBuilder logging, IConfiguration configuration, bool outputIsTerminal)
    {
        ArgumentNullException.ThrowIfNull(logging);
        ArgumentNullException.ThrowIfNull(configuration);
        // An explicit Logging:Console:FormatterName (ASP.NET Core's own setting) is left as the operator set it.
        var formatter = string.IsNullOrWhiteSpace(configuration["Logging:Console:FormatterName"])
            ? FormatterFor(configuration[FormatSetting], outputIsTerminal)
            : null;
        logging.Services.Configure<ConsoleLoggerOptions>(o =>
        {
            if (formatter is not null)
            {
                o.FormatterName = formatter;
            }
        });
        logging.Services.Configure<SimpleConsoleFormatterOptions>(o =>
        {
            o.SingleLine = true;
            o.TimestampFormat ??= "HH:mm:ss ";
        });
        logging.Services.Configure<JsonConsoleFormatterOptions>(o =>
        {
            o.TimestampFormat ??= "yyyy-MM-ddTHH:mm:ss.fffZ";
            o.UseUtcTimestamp = true;
        });
        return logging;
    }

    /// <summary>The console formatter for a value of <see cref="FormatSetting"/>; a value it does not know is refused by name.</summary>
    public static string FormatterFor(string? setting, bool outputIsTerminal) => (setting ?? "").Trim().ToLowerInvariant() switch
    {
        "" or "auto" => outputIsTerminal ? ConsoleFormatterNames.Simple : ConsoleFormatterNames.Json,
        "plain" => ConsoleFormatterNames.Simple,
        "json" => ConsoleFormatterNames.Json,
        _ => throw new InvalidOperationException($"Setting {FormatSetting} must be auto, plain or json, not '{setting}'."),
    };
}

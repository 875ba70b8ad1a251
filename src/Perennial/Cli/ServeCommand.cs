using System.CommandLine;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.EntityFrameworkCore;
using Perennial.Data;
using Perennial.Demo;
using Perennial.Hosting;

namespace Perennial.Cli;

/// <summary><c>perennial serve</c>: the web app, JSON API and background work.</summary>
internal static class ServeCommand
{
    public static Command Create(PerennialCli.CliIo io)
    {
        var urls = new Option<string?>("--urls") { Description = "Addresses to listen on, e.g. http://127.0.0.1:5000 (default http://localhost:5000)." };
        var data = PerennialCli.DataOption();
        var demo = new Option<bool>("--demo") { Description = "Create the demo organisation (slug 'demo') if it does not exist and print its sign-in." };
        var migrate = new Option<bool>("--migrate") { Description = "Apply pending migrations before serving (always done for the SQLite default)." };
        var logFormat = new Option<string?>("--log-format") { Description = "Console log format: auto (plain on a terminal, JSON lines otherwise), plain or json; sets Perennial:LogFormat." };
        var serve = new Command("serve", "Run the web app, JSON API and scheduler (the default command).") { urls, data, demo, migrate, logFormat };
        serve.TreatUnmatchedTokensAsErrors = false;
        serve.SetAction(async (parse, ct) =>
        {
            if (PerennialCli.UnknownToken(parse) is { } unknown)
            {
                await io.Err.WriteLineAsync($"error: unknown option or argument '{unknown}'. Settings are passed as --Section:Key=value; see --help.");
                return 2;
            }

            var args = new List<string>(parse.UnmatchedTokens);
            if (parse.GetValue(urls) is { } u)
            {
                args.Add($"--urls={u}");
            }

            if (parse.GetValue(data) is { } d)
            {
                args.Add($"--{PerennialOptions.Section}:DataDirectory={d}");
            }

            if (parse.GetValue(demo))
            {
                args.Add($"--{PerennialOptions.Section}:Demo=true");
            }

            if (parse.GetValue(migrate))
            {
                args.Add($"--{DatabaseOptions.Section}:MigrateOnStart=true");
            }

            if (parse.GetValue(logFormat) is { } format)
            {
                args.Add($"--{ConsoleLogging.FormatSetting}={format}");
            }

            return await RunAsync(args.ToArray(), io.Err, ct);
        });
        return serve;
    }

    public static async Task<int> RunAsync(string[] args, TextWriter err, CancellationToken ct)
    {
        var builder = PerennialWebApp.CreateBuilder(args);
        try
        {
            builder.Logging.AddPerennialConsoleFormat(builder.Configuration, outputIsTerminal: !Console.IsOutputRedirected);
        }
        catch (InvalidOperationException e)
        {
            await err.WriteLineAsync($"error: {e.Message}");
            return 2;
        }

        await using var app = builder.Build();
        app.UsePerennial();
        var demoSignIn = await PrepareDatabaseAsync(app.Services, ct);
        await app.StartAsync(ct);
        var addresses = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()?.Addresses ?? [];
        var url = addresses.FirstOrDefault() ?? "http://localhost:5000";
        if (demoSignIn is not null)
        {
            await Console.Out.WriteLineAsync($"""

                Demo organisation ready. Open {url}/ and sign in:
                  e-mail:   {demoSignIn.Email}
                  password: {demoSignIn.Password}   (shown once; it is stored only as a hash)

                """);
        }

        await app.WaitForShutdownAsync(ct);
        return 0;
    }

    /// <summary>Migrates (SQLite by default, PostgreSQL when asked) and seeds the demo when asked.</summary>
    internal static async Task<DemoSignIn?> PrepareDatabaseAsync(IServiceProvider services, CancellationToken ct)
    {
        await using var scope = services.CreateAsyncScope();
        var database = scope.ServiceProvider.GetRequiredService<DatabaseOptions>();
        var db = scope.ServiceProvider.GetRequiredService<PerennialDbContext>();
        if (database.MigrateOnStart ?? database.ParsedProvider == DatabaseProvider.Sqlite)
        {
            await db.Database.MigrateAsync(ct);
            if (db.Database.IsSqlite())
            {
                // Write-ahead logging (kept in the file): readers never block the writer and a commit is one append, not a journal rewrite.
                await db.Database.ExecuteSqlRawAsync("PRAGMA journal_mode=WAL", ct);
            }
        }

        if (scope.ServiceProvider.GetRequiredService<PerennialOptions>().Demo)
        {
            return await scope.ServiceProvider.GetRequiredService<DemoSeeder>().SeedAsync(ct);
        }

        return null;
    }
}

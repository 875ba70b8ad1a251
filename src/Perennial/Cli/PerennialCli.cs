using System.CommandLine;
using Microsoft.EntityFrameworkCore;
using Perennial.Accounts;
using Perennial.ApiTokens;
using Perennial.AuditTrail;
using Perennial.Common;
using Perennial.Data;
using Perennial.Demo;
using Perennial.Hosting;
using Perennial.Organisations;
using Perennial.Security;

namespace Perennial.Cli;

/// <summary>
/// The <c>perennial</c> program: <c>serve</c> (the default) runs the web host; the other commands
/// work on the same database from a shell or a pipeline.
/// </summary>
public static class PerennialCli
{
    public static async Task<int> RunAsync(string[] args, TextWriter? stdout = null, TextWriter? stderr = null, TextReader? stdin = null)
    {
        stdout ??= Console.Out;
        stderr ??= Console.Error;
        stdin ??= Console.In;
        var io = new CliIo(stdout, stderr, stdin);

        // No command, or options only, means serve.
        if (args.Length == 0 || (args[0].StartsWith('-') && args[0] is not ("--help" or "-h" or "-?" or "--version")))
        {
            args = ["serve", .. args];
        }

        var root = new RootCommand("Perennial keeps an ISO/IEC 27001 ISMS alive between audits.");
        root.Subcommands.Add(ServeCommand.Create(io));
        root.Subcommands.Add(DbCommand(io));
        root.Subcommands.Add(UserCommand(io));
        root.Subcommands.Add(TokenCommand(io));
        root.Subcommands.Add(AuditTrailCommand(io));
        root.Subcommands.Add(DemoCommand(io));
        root.Subcommands.Add(CatalogCommand.Create(io));
        root.Subcommands.Add(CalendarCommand.Create(io));
        root.Subcommands.Add(EvidenceCommand.Create(io));
        root.Subcommands.Add(RemindersCommand.Create(io));
        root.Subcommands.Add(ReadinessCommand.Create(io));
        root.Subcommands.Add(AuditPackCommand.Create(io));
        var parsed = root.Parse(args);
        return await parsed.InvokeAsync(new InvocationConfiguration { Output = stdout, Error = stderr });
    }

    internal static Option<string?> DataOption() => new("--data")
    {
        Description = "Folder for the SQLite database (default ./data); sets Perennial:DataDirectory.",
    };

    private static Command DbCommand(CliIo io)
    {
        var data = DataOption();
        var migrate = new Command("migrate", "Apply pending database migrations.") { data };
        migrate.TreatUnmatchedTokensAsErrors = false;
        migrate.SetAction((parse, ct) => WithServicesAsync(parse, data, io, async services =>
        {
            var db = services.GetRequiredService<PerennialDbContext>();
            var pending = (await db.Database.GetPendingMigrationsAsync(ct)).ToList();
            await db.Database.MigrateAsync(ct);
            await io.Out.WriteLineAsync(pending.Count == 0
                ? "The database is up to date."
                : $"Applied {pending.Count} migration(s): {string.Join(", ", pending)}.");
            return 0;
        }, ct));
        return new Command("db", "Database maintenance.") { migrate };
    }

    private static Command UserCommand(CliIo io)
    {
        var data = DataOption();
        var email = new Option<string>("--email") { Description = "The person's e-mail address.", Required = true };
        var role = new Option<string>("--role") { Description = "admin, manager, contributor or auditor.", Required = true };
        var org = new Option<string?>("--org") { Description = "Organisation slug to give the role in. An admin without --org administers the installation." };
        var passwordStdin = new Option<bool>("--password-stdin") { Description = "Read the password from standard input instead of generating one." };
        var add = new Command("add", "Create an account (or give an existing one a role in an organisation).") { email, role, org, passwordStdin, data };
        add.TreatUnmatchedTokensAsErrors = false;
        add.SetAction((parse, ct) => WithServicesAsync(parse, data, io, async services =>
        {
            if (!OrgRoles.TryParse(parse.GetValue(role), out var parsedRole))
            {
                await io.Err.WriteLineAsync($"error: --role must be one of {OrgRoles.Names}.");
                return 2;
            }

            if (parsedRole != OrgRole.Admin && parse.GetValue(org) is null)
            {
                await io.Err.WriteLineAsync($"error: --role {parsedRole.ToName()} is a role in an organisation; name it with --org SLUG.");
                return 2;
            }

            string? password = null;
            if (parse.GetValue(passwordStdin))
            {
                password = (await io.In.ReadLineAsync(ct))?.TrimEnd('\r', '\n');
                if (string.IsNullOrEmpty(password))
                {
                    await io.Err.WriteLineAsync("error: --password-stdin was given but standard input held no password.");
                    return 2;
                }
            }

            await EnsureMigratedAsync(services, ct);
            var accounts = services.GetRequiredService<AccountService>();
            var organisations = services.GetRequiredService<OrganisationService>();
            var created = await accounts.CreateOrAddToOrganisationAsync(parse.GetValue(email)!, parsedRole, parse.GetValue(org), password, organisations, ct);
            var where = parse.GetValue(org) is { } slug ? $"{parsedRole.ToLabel()} in '{slug}'" : parsedRole == OrgRole.Admin ? "installation administrator" : parsedRole.ToLabel();
            await io.Out.WriteLineAsync($"{created.User.Email}: {where}.");
            if (created.GeneratedPassword is { } generated)
            {
                await io.Out.WriteLineAsync($"Password (shown once): {generated}");
            }

            return 0;
        }, ct));
        return new Command("user", "Accounts.") { add };
    }

    private static Command TokenCommand(CliIo io)
    {
        var data = DataOption();
        var user = new Option<string>("--user") { Description = "E-mail of the account the token acts as.", Required = true };
        var name = new Option<string>("--name") { Description = "What the token is for, e.g. 'ci-pipeline'.", Required = true };
        var expires = new Option<string?>("--expires") { Description = "Last day the token works, YYYY-MM-DD (UTC)." };
        var create = new Command("create", "Create a personal API token and print it (only the token) once.") { user, name, expires, data };
        create.TreatUnmatchedTokensAsErrors = false;
        create.SetAction((parse, ct) => WithServicesAsync(parse, data, io, async services =>
        {
            DateOnly? expiresOn = null;
            if (parse.GetValue(expires) is { } text)
            {
                if (!DateOnly.TryParseExact(text, "yyyy-MM-dd", out var date))
                {
                    await io.Err.WriteLineAsync($"error: --expires '{text}' is not a date in the form YYYY-MM-DD.");
                    return 2;
                }

                expiresOn = date;
            }

            await EnsureMigratedAsync(services, ct);
            var account = await services.GetRequiredService<AccountService>().FindByEmailAsync(parse.GetValue(user)!, ct);
            if (account is null)
            {
                await io.Err.WriteLineAsync($"error: no account has the e-mail '{parse.GetValue(user)}'.");
                return 1;
            }

            var created = await services.GetRequiredService<ApiTokenService>().CreateAsync(account.Id, parse.GetValue(name)!, expiresOn, ct);
            await io.Out.WriteLineAsync(created.Secret);
            return 0;
        }, ct));
        return new Command("token", "Personal API tokens.") { create };
    }

    private static Command AuditTrailCommand(CliIo io)
    {
        var data = DataOption();
        var verify = new Command("verify", "Check the audit trail's hash chain; exit 1 naming the first broken entry.") { data };
        verify.TreatUnmatchedTokensAsErrors = false;
        verify.SetAction((parse, ct) => WithServicesAsync(parse, data, io, async services =>
        {
            var result = await services.GetRequiredService<AuditTrailVerifier>().VerifyAsync(ct);
            await (result.Intact ? io.Out : io.Err).WriteLineAsync(result.Message);
            return result.Intact ? 0 : 1;
        }, ct));
        return new Command("audit-trail", "The tamper-evident record of every change.") { verify };
    }

    private static Command DemoCommand(CliIo io)
    {
        var data = DataOption();
        var seed = new Command("seed", "Create the demo organisation (slug 'demo') and print its sign-in.") { data };
        seed.TreatUnmatchedTokensAsErrors = false;
        seed.SetAction((parse, ct) => WithServicesAsync(parse, data, io, async services =>
        {
            await EnsureMigratedAsync(services, ct);
            var signIn = await services.GetRequiredService<DemoSeeder>().SeedAsync(ct);
            await io.Out.WriteLineAsync(signIn is null
                ? "The demo organisation already exists; its sign-in was shown when it was first seeded."
                : $"Demo organisation created. Sign in as {signIn.Email} with password {signIn.Password} (shown once).");
            return 0;
        }, ct));
        return new Command("demo", "The demo organisation.") { seed };
    }

    /// <summary>SQLite is migrated on demand so that a first command on a fresh folder just works.</summary>
    internal static async Task EnsureMigratedAsync(IServiceProvider services, CancellationToken ct)
    {
        var options = services.GetRequiredService<DatabaseOptions>();
        if (options.MigrateOnStart ?? options.ParsedProvider == DatabaseProvider.Sqlite)
        {
            await services.GetRequiredService<PerennialDbContext>().Database.MigrateAsync(ct);
        }
    }

    internal static async Task<int> WithServicesAsync(ParseResult parse, Option<string?> data, CliIo io, Func<IServiceProvider, Task<int>> action, CancellationToken ct)
    {
        ct.ThrowIfCancellationRequested();
        if (UnknownToken(parse) is { } unknown)
        {
            await io.Err.WriteLineAsync($"error: unknown option or argument '{unknown}'. Settings are passed as --Section:Key=value; see --help.");
            return 2;
        }

        return await RunWithServicesAsync(parse, data, io, action);
    }

    /// <summary>
    /// Tokens the command did not recognise may only be settings (<c>--Perennial:Database:Provider=postgres</c>),
    /// so that a mistyped option such as <c>--expirse</c> is an error rather than silently ignored.
    /// </summary>
    internal static string? UnknownToken(ParseResult parse) =>
        parse.UnmatchedTokens.FirstOrDefault(t => !IsSetting(t));

    internal static bool IsSetting(string token)
    {
        if (!token.StartsWith("--", StringComparison.Ordinal))
        {
            return false;
        }

        var equals = token.IndexOf('=', StringComparison.Ordinal);
        if (equals < 3)
        {
            return false;
        }

        var key = token[2..equals];
        return key.Contains(':', StringComparison.Ordinal) || key.Contains("__", StringComparison.Ordinal)
            || key is "urls" or "environment" or "contentRoot";
    }

    private static async Task<int> RunWithServicesAsync(ParseResult parse, Option<string?> data, CliIo io, Func<IServiceProvider, Task<int>> action)
    {
        var builder = Host.CreateApplicationBuilder(new HostApplicationBuilderSettings
        {
            Args = parse.UnmatchedTokens.ToArray(),
            ContentRootPath = AppContext.BaseDirectory,
        });
        if (parse.GetValue(data) is { } dir)
        {
            builder.Configuration[$"{PerennialOptions.Section}:DataDirectory"] = dir;
        }

        builder.Logging.ClearProviders();
        builder.Logging.AddSimpleConsole();
        builder.Logging.AddConsole(o => o.LogToStandardErrorThreshold = LogLevel.Trace);
        builder.Logging.SetMinimumLevel(LogLevel.Warning);
        builder.Services.AddPerennialCore(builder.Configuration);
        builder.Services.AddPerennialIdentity();
        builder.Services.AddSingleton<IAuditActorAccessor>(new FixedAuditActorAccessor { Current = new AuditActor(null, $"command line ({Environment.UserName})") });

        try
        {
            using var host = builder.Build();
            await using var scope = host.Services.CreateAsyncScope();
            return await action(scope.ServiceProvider);
        }
        catch (UseCaseException e)
        {
            await io.Err.WriteLineAsync($"error: {(e.Field is null ? "" : $"{e.Field}: ")}{e.Message}");
            return 1;
        }
        catch (InvalidOperationException e) when (e.Message.StartsWith("Setting ", StringComparison.Ordinal))
        {
            await io.Err.WriteLineAsync($"error: {e.Message}");
            return 2;
        }
        catch (Exception e) when (e is System.Data.Common.DbException or DbUpdateException)
        {
            await io.Err.WriteLineAsync($"error: the database refused the operation: {e.GetBaseException().Message}");
            return 1;
        }
    }

    internal sealed record CliIo(TextWriter Out, TextWriter Err, TextReader In);
}

using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.RegularExpressions;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.TestHost;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Diagnostics;
using Microsoft.Extensions.Caching.Memory;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Time.Testing;
using Perennial.Accounts;
using Perennial.ApiTokens;
using Perennial.AuditTrail;
using Perennial.Cli;
using Perennial.Data;
using Perennial.Hosting;
using Perennial.Organisations;

namespace Perennial.Tests.Infrastructure;

/// <summary>
/// Perennial started for real on a test database: in memory (TestServer) by default, or on a
/// loopback port for browser and single sign-on tests.
/// </summary>
public sealed partial class TestApp : IAsyncDisposable
{
    private readonly bool ownsDatabase;

    /// <summary>
    /// One cache for EF Core's internal services in every test app: each app would otherwise bring its
    /// own (ASP.NET Core registers one), so EF Core would build its model and services again per test. Each provider has its own: its model differs.
    /// </summary>
    private static readonly Dictionary<DatabaseProvider, MemoryCache> EntityFrameworkCaches = new()
    {
        [DatabaseProvider.Sqlite] = new MemoryCache(new MemoryCacheOptions()),
        [DatabaseProvider.Postgres] = new MemoryCache(new MemoryCacheOptions()),
    };

    private TestApp(WebApplication app, TestDatabase database, FakeTimeProvider time, bool kestrel, bool ownsDatabase)
    {
        this.ownsDatabase = ownsDatabase;
        App = app;
        Database = database;
        Time = time;
        if (kestrel)
        {
            BaseAddress = new Uri(app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First());
        }
        else
        {
            BaseAddress = new Uri("http://localhost");
        }
    }

    public WebApplication App { get; }
    public TestDatabase Database { get; }
    public FakeTimeProvider Time { get; }
    public Uri BaseAddress { get; }
    public IServiceProvider Services => App.Services;

    /// <summary>
    /// Starts the app on a fresh database of the given provider. Background jobs are off unless
    /// <paramref name="settings"/> turn them on (<c>Perennial:Scheduler:Enabled</c>), so that moving the
    /// fake clock in a test does not set jobs running beside it; <paramref name="services"/> may add
    /// or replace services (e.g. a test's own scheduled jobs).
    /// </summary>
    public static async Task<TestApp> StartAsync(
        DatabaseProvider provider = DatabaseProvider.Sqlite,
        bool kestrel = false,
        IDictionary<string, string?>? settings = null,
        bool migrate = true,
        Action<IServiceCollection>? services = null)
    {
        var database = migrate ? await TestDatabase.CreateMigratedAsync(provider) : await TestDatabase.CreateAsync(provider);
        return await StartAsync(database, kestrel, settings, migrate, services: services);
    }

    /// <summary>
    /// Starts an app on an existing database. With <paramref name="ownsDatabase"/> false the database
    /// outlives the app, as when a second instance shares it; instances given the same
    /// <paramref name="time"/> share one clock, as real machines share real time.
    /// </summary>
    public static async Task<TestApp> StartAsync(
        TestDatabase database,
        bool kestrel = false,
        IDictionary<string, string?>? settings = null,
        bool migrate = true,
        bool ownsDatabase = true,
        Action<IServiceCollection>? services = null,
        FakeTimeProvider? time = null)
    {
        var args = new List<string>
        {
            $"--Perennial:Database:Provider={database.ProviderName}",
            $"--Perennial:Database:ConnectionString={database.ConnectionString}",
            $"--Perennial:Database:MigrateOnStart={migrate}",
            $"--Perennial:DataDirectory={database.DataDirectory}",
            "--Logging:LogLevel:Default=Warning",
            "--Logging:Console:FormatterName=simple",
            "--Perennial:Scheduler:Enabled=false",
        };
        foreach (var (key, value) in settings ?? new Dictionary<string, string?>())
        {
            args.Add($"--{key}={value}");
        }

        if (kestrel)
        {
            args.Add("--urls=http://127.0.0.1:0");
        }

        var builder = PerennialWebApp.CreateBuilder(args.ToArray());
        if (!kestrel)
        {
            builder.WebHost.UseTestServer();
        }

        time ??= NewClock();
        builder.Services.RemoveAll<TimeProvider>();
        builder.Services.AddSingleton<TimeProvider>(time);
        // A query that loads several collections must say whether it splits (EF Core only warns at run time).
        builder.Services.ConfigureDbContext<PerennialDbContext>(o =>
            o.ConfigureWarnings(w => w.Throw(RelationalEventId.MultipleCollectionIncludeWarning)).UseMemoryCache(EntityFrameworkCaches[database.Provider]));
        services?.Invoke(builder.Services);
        builder.Logging.SetMinimumLevel(LogLevel.Warning);

        var app = builder.Build();
        app.UsePerennial();
        await ServeCommand.PrepareDatabaseAsync(app.Services, CancellationToken.None);
        await app.StartAsync();
        return new TestApp(app, database, time, kestrel, ownsDatabase);
    }

    /// <summary>
    /// Tests move time by hand; apps start on a fixed, ordinary day, at an instant with microseconds
    /// so that storage which rounds instants shows up in the tests.
    /// </summary>
    public static FakeTimeProvider NewClock() => new(new DateTimeOffset(2026, 3, 2, 9, 0, 0, TimeSpan.Zero).AddTicks(1_234_560));

    public async ValueTask DisposeAsync()
    {
        await App.StopAsync();
        await App.DisposeAsync();
        if (ownsDatabase)
        {
            await Database.DisposeAsync();
        }
    }

    /// <summary>An HTTP client that does not follow redirects, so tests see 302s to the sign-in page.</summary>
    public HttpClient CreateClient(bool handleCookies = false)
    {
        if (App.Services.GetService<IServer>() is TestServer server)
        {
            var handler = server.CreateHandler();
            HttpMessageHandler outer = handleCookies ? new CookieHandler(handler) : handler;
            return new HttpClient(outer) { BaseAddress = BaseAddress };
        }

        return new HttpClient(new HttpClientHandler { AllowAutoRedirect = false, UseCookies = handleCookies }) { BaseAddress = BaseAddress };
    }

    public HttpClient CreateApiClient(string token)
    {
        var client = CreateClient();
        client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", token);
        return client;
    }

    public async Task<T> WithScopeAsync<T>(Func<IServiceProvider, Task<T>> action)
    {
        await using var scope = App.Services.CreateAsyncScope();
        return await action(scope.ServiceProvider);
    }

    public async Task WithScopeAsync(Func<IServiceProvider, Task> action)
    {
        await using var scope = App.Services.CreateAsyncScope();
        await action(scope.ServiceProvider);
    }

    public Task<User> CreateUserAsync(string email, bool installationAdmin = false, string password = TestPassword) =>
        WithScopeAsync(async s => (await s.GetRequiredService<AccountService>().CreateAsync(email, null, password, installationAdmin, CancellationToken.None)).User);

    public const string TestPassword = "Correct-horse-battery-9";

    public Task<Organisation> CreateOrganisationAsync(string slug, Guid adminUserId) =>
        WithScopeAsync(s => s.GetRequiredService<OrganisationService>().CreateAsync(slug, $"Organisation {slug}", adminUserId, false, CancellationToken.None));

    public Task AddMemberAsync(Guid organisationId, string email, OrgRole role, DateOnly? expiresOn = null) =>
        WithScopeAsync(s => s.GetRequiredService<OrganisationService>().AddMemberAsync(organisationId, email, role, expiresOn, CancellationToken.None));

    public Task<string> CreateTokenAsync(Guid userId, string name = "test", DateOnly? expiresOn = null) =>
        WithScopeAsync(async s => (await s.GetRequiredService<ApiTokenService>().CreateAsync(userId, name, expiresOn, CancellationToken.None)).Secret);

    public Task<AuditTrailVerification> VerifyAuditTrailAsync() =>
        WithScopeAsync(s => s.GetRequiredService<AuditTrailVerifier>().VerifyAsync(CancellationToken.None));

    /// <summary>Signs in through the real sign-in page and returns a client carrying the session cookie.</summary>
    public async Task<HttpClient> SignInAsync(string email, string password = TestPassword)
    {
        var client = CreateClient(handleCookies: true);
        var response = await PostFormAsync(client, "/account/sign-in", new Dictionary<string, string> { ["Email"] = email, ["Password"] = password });
        if (response.StatusCode != HttpStatusCode.Redirect)
        {
            throw new InvalidOperationException($"Sign-in as {email} failed: {(int)response.StatusCode}");
        }

        return client;
    }

    /// <summary>Loads the form page for its antiforgery token, then posts the fields.</summary>
    public static async Task<HttpResponseMessage> PostFormAsync(HttpClient client, string path, IEnumerable<KeyValuePair<string, string>> fields, string? handler = null)
    {
        var page = await client.GetStringAsync(path);
        var token = AntiforgeryField().Match(page);
        if (!token.Success)
        {
            throw new InvalidOperationException($"No antiforgery token on {path}");
        }

        var form = fields.Append(new("__RequestVerificationToken", token.Groups[1].Value)).ToList();
        var target = handler is null ? path : $"{path}?handler={handler}";
        return await client.PostAsync(target, new FormUrlEncodedContent(form));
    }

    [GeneratedRegex("name=\"__RequestVerificationToken\" type=\"hidden\" value=\"([^\"]+)\"")]
    private static partial Regex AntiforgeryField();

    /// <summary>Runs the <c>perennial</c> command line against this app's database.</summary>
    public async Task<CliResult> RunCliAsync(string stdin, params string[] args)
    {
        var all = args.Concat(
        [
            $"--Perennial:Database:Provider={Database.ProviderName}",
            $"--Perennial:Database:ConnectionString={Database.ConnectionString}",
        ]).ToArray();
        using var stdout = new StringWriter();
        using var stderr = new StringWriter();
        using var input = new StringReader(stdin);
        var exit = await PerennialCli.RunAsync(all, stdout, stderr, input);
        return new CliResult(exit, stdout.ToString(), stderr.ToString());
    }

    /// <summary>Keeps cookies for a TestServer handler, which has no cookie container of its own.</summary>
    private sealed class CookieHandler(HttpMessageHandler inner) : DelegatingHandler(inner)
    {
        private readonly CookieContainer cookies = new();

        protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
        {
            var uri = request.RequestUri!.IsAbsoluteUri ? request.RequestUri : new Uri(new Uri("http://localhost"), request.RequestUri);
            var header = cookies.GetCookieHeader(uri);
            if (!string.IsNullOrEmpty(header))
            {
                request.Headers.Add("Cookie", header);
            }

            var response = await base.SendAsync(request, cancellationToken);
            if (response.Headers.TryGetValues("Set-Cookie", out var setCookies))
            {
                foreach (var c in setCookies)
                {
                    cookies.SetCookies(uri, c);
                }
            }

            return response;
        }
    }
}

public sealed record CliResult(int ExitCode, string Stdout, string Stderr);

public static class HttpExtensions
{
    public static async Task<HttpResponseMessage> PostJsonTextAsync(this HttpClient client, string path, string json) =>
        await client.PostAsync(path, new StringContent(json, System.Text.Encoding.UTF8, "application/json"));

    public static Task<HttpResponseMessage> PostJsonAsync<T>(this HttpClient client, string path, T body) =>
        client.PostAsJsonAsync(path, body);
}

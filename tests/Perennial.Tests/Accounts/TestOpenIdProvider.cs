using System.Collections.Concurrent;
using System.Security.Claims;
using Microsoft.AspNetCore;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.Data.Sqlite;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using OpenIddict.Abstractions;
using OpenIddict.Server.AspNetCore;
using static OpenIddict.Abstractions.OpenIddictConstants;

namespace Perennial.Tests.Accounts;

/// <summary>Someone the test identity provider knows and signs in.</summary>
/// <summary>Whom the provider signs in; <see cref="EmailVerified"/> is sent as <c>email_verified</c> when set.</summary>
public sealed record ProviderPerson(string Subject, string Email, string Name, bool? EmailVerified = null);

/// <summary>
/// A real OpenID Connect provider (OpenIddict) on a loopback port: authorization code flow with PKCE,
/// one confidential client, and an authorization endpoint that signs in <see cref="Person"/> without
/// asking anything. Its store is an in-memory SQLite database that lives as long as the provider.
/// </summary>
public sealed class TestOpenIdProvider : IAsyncDisposable
{
    public const string ClientId = "perennial";
    public const string ClientSecret = "perennial-sso-client-secret";

    private const string AuthorizationPath = "/connect/authorize";
    private const string TokenPath = "/connect/token";
    private const string UserInfoPath = "/connect/userinfo";

    private readonly WebApplication app;
    private readonly SqliteConnection connection;
    private readonly ConcurrentQueue<string> requests;

    private readonly PersonHolder current;

    private TestOpenIdProvider(WebApplication app, SqliteConnection connection, ConcurrentQueue<string> requests, PersonHolder person)
    {
        this.app = app;
        this.connection = connection;
        this.requests = requests;
        current = person;
        var address = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();
        Authority = new Uri(address.TrimEnd('/') + "/");
    }

    /// <summary>The issuer; its discovery document is at <c>.well-known/openid-configuration</c>.</summary>
    public Uri Authority { get; }

    /// <summary>Who the next authorization signs in; a test may change it between journeys.</summary>
    public ProviderPerson Person
    {
        get => current.Person;
        set => current.Person = value;
    }

    /// <summary>The paths the provider has been asked for, in order (front and back channel).</summary>
    public IReadOnlyList<string> RequestPaths => [.. requests];

    /// <summary>The Perennial settings that point single sign-on at this provider.</summary>
    public IDictionary<string, string?> PerennialSettings => new Dictionary<string, string?>
    {
        ["Perennial:Oidc:Authority"] = Authority.ToString(),
        ["Perennial:Oidc:ClientId"] = ClientId,
        ["Perennial:Oidc:ClientSecret"] = ClientSecret,
        ["Perennial:Oidc:RequireHttpsMetadata"] = "false",
    };

    public static async Task<TestOpenIdProvider> StartAsync(ProviderPerson person, CancellationToken ct)
    {
        var holder = new PersonHolder(person);
        // An in-memory SQLite database exists only while a connection to it is open.
        var connection = new SqliteConnection("Data Source=:memory:");
        await connection.OpenAsync(ct);

        var builder = WebApplication.CreateSlimBuilder(new WebApplicationOptions
        {
            Args = ["--Logging:LogLevel:Default=Warning", "--Logging:Console:FormatterName=simple"],
            ContentRootPath = AppContext.BaseDirectory,
        });
        builder.WebHost.UseUrls("http://127.0.0.1:0");

        builder.Services.AddDbContext<ProviderDbContext>(o =>
        {
            o.UseSqlite(connection);
            o.UseOpenIddict();
        });
        builder.Services.AddOpenIddict()
            .AddCore(o => o.UseEntityFrameworkCore().UseDbContext<ProviderDbContext>())
            .AddServer(o =>
            {
                o.SetAuthorizationEndpointUris(AuthorizationPath.TrimStart('/'))
                    .SetTokenEndpointUris(TokenPath.TrimStart('/'))
                    .SetUserInfoEndpointUris(UserInfoPath.TrimStart('/'));
                o.AllowAuthorizationCodeFlow().RequireProofKeyForCodeExchange();
                o.RegisterScopes(Scopes.OpenId, Scopes.Profile, Scopes.Email);
                o.AddEphemeralEncryptionKey().AddEphemeralSigningKey().DisableAccessTokenEncryption();
                o.UseAspNetCore()
                    .EnableAuthorizationEndpointPassthrough()
                    .EnableUserInfoEndpointPassthrough()
                    .DisableTransportSecurityRequirement();
            });

        var app = builder.Build();
        var requests = new ConcurrentQueue<string>();
        app.Use((context, next) =>
        {
            requests.Enqueue(context.Request.Path.Value ?? "");
            return next(context);
        });
        app.UseAuthentication();
        app.MapMethods(AuthorizationPath, [HttpMethods.Get, HttpMethods.Post], (HttpContext context) => Authorize(context, holder.Person));
        app.MapMethods(UserInfoPath, [HttpMethods.Get, HttpMethods.Post], (Delegate)UserInfoAsync);

        await using (var scope = app.Services.CreateAsyncScope())
        {
            await scope.ServiceProvider.GetRequiredService<ProviderDbContext>().Database.EnsureCreatedAsync(ct);
        }

        await app.StartAsync(ct);
        return new TestOpenIdProvider(app, connection, requests, holder);
    }

    /// <summary>
    /// Registers Perennial as a confidential client that may only be sent back to
    /// <c>{perennialBase}/signin-oidc</c>. The provider reads it on each request, so Perennial can be
    /// started first and registered once its address is known.
    /// </summary>
    public async Task RegisterClientAsync(Uri perennialBase, CancellationToken ct)
    {
        await using var scope = app.Services.CreateAsyncScope();
        var applications = scope.ServiceProvider.GetRequiredService<IOpenIddictApplicationManager>();
        await applications.CreateAsync(new OpenIddictApplicationDescriptor
        {
            ClientId = ClientId,
            ClientSecret = ClientSecret,
            ClientType = ClientTypes.Confidential,
            ApplicationType = ApplicationTypes.Web,
            DisplayName = "Perennial",
            RedirectUris = { new Uri(perennialBase, "/signin-oidc") },
            Permissions =
            {
                Permissions.Endpoints.Authorization,
                Permissions.Endpoints.Token,
                Permissions.GrantTypes.AuthorizationCode,
                Permissions.ResponseTypes.Code,
                Permissions.Scopes.Profile,
                Permissions.Scopes.Email,
            },
            Requirements = { Requirements.Features.ProofKeyForCodeExchange },
        }, ct);
    }

    /// <summary>Signs in the fixed person for whatever scopes the client asked for; there is no login page.</summary>
    private static IResult Authorize(HttpContext context, ProviderPerson person)
    {
        var request = context.GetOpenIddictServerRequest()
            ?? throw new InvalidOperationException("The authorization request could not be read.");

        var identity = new ClaimsIdentity(
            authenticationType: "provider",
            nameType: Claims.Name,
            roleType: Claims.Role);
        identity.SetClaim(Claims.Subject, person.Subject)
            .SetClaim(Claims.Email, person.Email)
            .SetClaim(Claims.Name, person.Name);
        if (person.EmailVerified is { } verified)
        {
            identity.AddClaim(new Claim(Claims.EmailVerified, verified ? "true" : "false", ClaimValueTypes.Boolean));
        }

        identity.SetScopes(request.GetScopes());
        identity.SetDestinations(_ => [Destinations.AccessToken, Destinations.IdentityToken]);

        return Results.SignIn(new ClaimsPrincipal(identity), authenticationScheme: OpenIddictServerAspNetCoreDefaults.AuthenticationScheme);
    }

    /// <summary>Answers from the access token OpenIddict has already validated.</summary>
    private static async Task<IResult> UserInfoAsync(HttpContext context)
    {
        var result = await context.AuthenticateAsync(OpenIddictServerAspNetCoreDefaults.AuthenticationScheme);
        if (result.Principal is not { } principal)
        {
            return Results.Challenge(authenticationSchemes: [OpenIddictServerAspNetCoreDefaults.AuthenticationScheme]);
        }

        var claims = new Dictionary<string, string?>
        {
            [Claims.Subject] = principal.GetClaim(Claims.Subject),
            [Claims.Name] = principal.GetClaim(Claims.Name),
        };
        if (principal.HasScope(Scopes.Email))
        {
            claims[Claims.Email] = principal.GetClaim(Claims.Email);
        }

        return Results.Json(claims);
    }

    public async ValueTask DisposeAsync()
    {
        await app.StopAsync();
        await app.DisposeAsync();
        await connection.DisposeAsync();
    }
}

/// <summary>The provider's own store: OpenIddict's applications, authorizations, scopes and tokens.</summary>
public sealed class ProviderDbContext(DbContextOptions<ProviderDbContext> options) : DbContext(options);

/// <summary>The provider's current person, shared with its authorization endpoint.</summary>
internal sealed class PersonHolder(ProviderPerson person)
{
    public ProviderPerson Person { get; set; } = person;
}

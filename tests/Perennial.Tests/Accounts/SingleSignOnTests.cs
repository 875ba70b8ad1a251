using System.Net;
using System.Net.Http.Json;
using Perennial.ApiTokens;
using Perennial.Tests.Infrastructure;

namespace Perennial.Tests.Accounts;

/// <summary>
/// OpenID Connect single sign-on end to end: Perennial and a real provider each on a loopback port,
/// and a client that follows the redirects between them as a browser would.
/// </summary>
public sealed class SingleSignOnTests
{
    /// <summary>Accounts need a password of their own, though single sign-on never uses it.</summary>
    private const string LocalPassword = "Correct-Horse-Battery-9";

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task A_person_whose_email_has_a_Perennial_account_signs_in_through_the_provider_and_lands_signed_in()
    {
        var person = new ProviderPerson("sub-ada-0001", "ada.lovelace@example.org", "Ada Lovelace");
        await using var provider = await TestOpenIdProvider.StartAsync(person, Ct);
        await using var app = await StartPerennialAsync(provider);
        var user = await app.CreateUserAsync(person.Email, password: LocalPassword);
        await app.CreateOrganisationAsync("analytical-engines", user.Id);
        using var browser = new Browser();

        var journey = await browser.FollowAsync(new Uri(app.BaseAddress, "/account/external?returnUrl=/orgs"));

        Assert.True(journey.Passed(provider.Authority, "/connect/authorize"), journey.Describe());
        Assert.True(journey.Passed(app.BaseAddress, "/signin-oidc"), journey.Describe());
        Assert.True(journey.Passed(app.BaseAddress, "/account/external/callback"), journey.Describe());
        Assert.Equal(new Uri(app.BaseAddress, "/orgs"), journey.FinalUri);
        Assert.Equal(HttpStatusCode.OK, journey.FinalStatus);
        var page = WebUtility.HtmlDecode(journey.FinalPage);
        Assert.Contains("Organisation analytical-engines", page);
        Assert.Contains(user.DisplayName, page);

        // The code was redeemed on the back channel, and the provider's user info was read.
        Assert.Contains("/connect/token", provider.RequestPaths);
        Assert.Contains("/connect/userinfo", provider.RequestPaths);

        using var me = await browser.Client.GetAsync(new Uri(app.BaseAddress, "/api/v1/me"), Ct);
        Assert.Equal(HttpStatusCode.OK, me.StatusCode);
        var account = await me.Content.ReadFromJsonAsync<MeDto>(Ct);
        Assert.NotNull(account);
        Assert.Equal(person.Email, account.Email);
        Assert.Equal(user.Id, account.Id);
    }

    [Fact]
    public async Task A_person_the_provider_knows_but_who_has_no_Perennial_account_is_refused_by_email_and_not_signed_in()
    {
        var person = new ProviderPerson("sub-grace-0002", "grace.hopper@example.org", "Grace Hopper");
        await using var provider = await TestOpenIdProvider.StartAsync(person, Ct);
        await using var app = await StartPerennialAsync(provider);
        // Someone else has an account; the provider's person does not.
        await app.CreateUserAsync("ada.lovelace@example.org", password: LocalPassword);
        using var browser = new Browser();

        var journey = await browser.FollowAsync(new Uri(app.BaseAddress, "/account/external?returnUrl=/orgs"));

        Assert.True(journey.Passed(provider.Authority, "/connect/authorize"), journey.Describe());
        Assert.True(journey.Passed(app.BaseAddress, "/signin-oidc"), journey.Describe());
        Assert.Equal("/account/external/callback", journey.FinalUri.AbsolutePath);
        Assert.Equal(HttpStatusCode.OK, journey.FinalStatus);
        var page = WebUtility.HtmlDecode(journey.FinalPage);
        Assert.Contains($"There is no Perennial account for {person.Email}", page);

        using var orgs = await browser.Client.GetAsync(new Uri(app.BaseAddress, "/orgs"), Ct);
        Assert.Equal(HttpStatusCode.Redirect, orgs.StatusCode);
        Assert.NotNull(orgs.Headers.Location);
        Assert.Equal("/account/sign-in", new Uri(app.BaseAddress, orgs.Headers.Location).AbsolutePath);

        using var me = await browser.Client.GetAsync(new Uri(app.BaseAddress, "/api/v1/me"), Ct);
        Assert.Equal(HttpStatusCode.Unauthorized, me.StatusCode);
    }

    [Fact]
    public async Task After_the_first_sign_in_the_account_follows_the_provider_subject_not_the_email()
    {
        var ada = new ProviderPerson("sub-ada-0003", "ada@example.org", "Ada");
        await using var provider = await TestOpenIdProvider.StartAsync(ada, Ct);
        await using var app = await StartPerennialAsync(provider);
        await app.CreateUserAsync(ada.Email, password: LocalPassword);
        using (var first = new Browser())
        {
            var linked = await first.FollowAsync(new Uri(app.BaseAddress, "/account/external?returnUrl=/orgs"));
            Assert.Equal(new Uri(app.BaseAddress, "/orgs"), linked.FinalUri);
        }

        // Someone else at the provider now claims Ada's address.
        provider.Person = new ProviderPerson("sub-mallory-0004", ada.Email, "Mallory");
        using var second = new Browser();
        var refused = await second.FollowAsync(new Uri(app.BaseAddress, "/account/external?returnUrl=/orgs"));

        Assert.Equal("/account/external/callback", refused.FinalUri.AbsolutePath);
        Assert.Contains("linked to a different identity", WebUtility.HtmlDecode(refused.FinalPage), StringComparison.Ordinal);
        using var me = await second.Client.GetAsync(new Uri(app.BaseAddress, "/api/v1/me"), Ct);
        Assert.Equal(HttpStatusCode.Unauthorized, me.StatusCode);
    }

    [Fact]
    public async Task An_email_the_provider_has_not_verified_does_not_sign_anyone_in()
    {
        var person = new ProviderPerson("sub-eve-0005", "ada@example.org", "Eve", EmailVerified: false);
        await using var provider = await TestOpenIdProvider.StartAsync(person, Ct);
        await using var app = await StartPerennialAsync(provider);
        await app.CreateUserAsync("ada@example.org", password: LocalPassword);
        using var browser = new Browser();

        var journey = await browser.FollowAsync(new Uri(app.BaseAddress, "/account/external?returnUrl=/orgs"));

        Assert.Contains("has not verified ada@example.org", WebUtility.HtmlDecode(journey.FinalPage), StringComparison.Ordinal);
        using var me = await browser.Client.GetAsync(new Uri(app.BaseAddress, "/api/v1/me"), Ct);
        Assert.Equal(HttpStatusCode.Unauthorized, me.StatusCode);
    }

    /// <summary>
    /// Starts Perennial pointed at the provider, then registers it as the provider's client at its
    /// real address. Perennial reads the provider's metadata only at the first sign-in.
    /// </summary>
    private static async Task<TestApp> StartPerennialAsync(TestOpenIdProvider provider)
    {
        var settings = provider.PerennialSettings;
        var app = await TestApp.StartAsync(kestrel: true, settings: settings);
        // The provider and the browser keep real time; Perennial's short-lived sign-in cookies must agree with them.
        app.Time.SetUtcNow(TimeProvider.System.GetUtcNow());
        await provider.RegisterClientAsync(app.BaseAddress, Ct);
        return app;
    }

    /// <summary>One cookie jar across both servers; redirects are followed by hand so each hop is seen.</summary>
    private sealed class Browser : IDisposable
    {
        private const int MaxHops = 10;

        public Browser()
        {
            Client = new HttpClient(new LoopbackCookieHandler(new HttpClientHandler { AllowAutoRedirect = false, UseCookies = false }));
        }

        public HttpClient Client { get; }

        public async Task<Journey> FollowAsync(Uri start)
        {
            var visited = new List<(Uri Uri, HttpStatusCode Status)>();
            var uri = start;
            for (var hop = 0; hop < MaxHops; hop++)
            {
                var response = await Client.GetAsync(uri, Ct);
                visited.Add((uri, response.StatusCode));
                using (response)
                {
                    if ((int)response.StatusCode is < 300 or >= 400)
                    {
                        return new Journey(visited, response.StatusCode, await response.Content.ReadAsStringAsync(Ct));
                    }

                    var location = response.Headers.Location
                        ?? throw new InvalidOperationException($"{(int)response.StatusCode} from {uri} without a Location header");
                    uri = location.IsAbsoluteUri ? location : new Uri(uri, location);
                }
            }

            throw new InvalidOperationException($"More than {MaxHops} redirects: {string.Join(" → ", visited.Select(v => v.Uri))}");
        }

        public void Dispose() => Client.Dispose();
    }

    /// <summary>
    /// Keeps cookies as a browser does for a loopback address: browsers treat <c>http://127.0.0.1</c>
    /// as a secure context and keep its <c>Secure</c> cookies (such as the sign-in correlation cookie),
    /// where <see cref="CookieContainer"/> would only send them over HTTPS.
    /// </summary>
    private sealed class LoopbackCookieHandler(HttpMessageHandler inner) : DelegatingHandler(inner)
    {
        private readonly CookieContainer cookies = new();

        protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
        {
            var site = CookieSite(request.RequestUri!);
            var header = cookies.GetCookieHeader(site);
            if (!string.IsNullOrEmpty(header))
            {
                request.Headers.Add("Cookie", header);
            }

            var response = await base.SendAsync(request, cancellationToken);
            if (response.Headers.TryGetValues("Set-Cookie", out var setCookies))
            {
                foreach (var setCookie in setCookies)
                {
                    cookies.SetCookies(site, setCookie);
                }
            }

            return response;
        }

        private static Uri CookieSite(Uri uri) =>
            uri.IsLoopback && uri.Scheme == Uri.UriSchemeHttp ? new UriBuilder(uri) { Scheme = Uri.UriSchemeHttps }.Uri : uri;
    }

    private sealed record Journey(IReadOnlyList<(Uri Uri, HttpStatusCode Status)> Visited, HttpStatusCode FinalStatus, string FinalPage)
    {
        public Uri FinalUri => Visited[^1].Uri;

        public bool Passed(Uri server, string path) =>
            Visited.Any(v => v.Uri.Authority == server.Authority && v.Uri.AbsolutePath == path);

        public string Describe() => string.Join(Environment.NewLine, Visited.Select(v => $"{(int)v.Status} {v.Uri}"));
    }
}

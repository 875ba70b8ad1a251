using System.Text;
using System.Text.Json;
using Microsoft.AspNetCore.Routing;
using Microsoft.AspNetCore.Routing.Patterns;
using Perennial.Data;
using Perennial.Organisations;
using Perennial.Security;
using Perennial.Tests.Infrastructure;

namespace Perennial.Tests.Security;

public sealed class SqliteAccessRuleTests() : AccessRuleTests(DatabaseProvider.Sqlite);

public sealed class PostgresAccessRuleTests() : AccessRuleTests(DatabaseProvider.Postgres);

/// <summary>
/// Every route the app maps, times every kind of caller: generated from the app's own endpoint list,
/// so a new route without an access rule, or with a rule that is not enforced, fails here.
/// </summary>
public abstract class AccessRuleTests(DatabaseProvider provider) : IAsyncLifetime
{
    private TestApp app = null!;
    private readonly Dictionary<string, Caller> callers = new(StringComparer.Ordinal);

    private sealed record Caller(string Name, OrgRole? HomeRole, bool InstallationAdmin, bool Outsider, HttpClient? Api, HttpClient? Browser);

    public async ValueTask InitializeAsync()
    {
        app = await TestApp.StartAsync(provider);
        var homeAdmin = await app.CreateUserAsync("admin@home.test");
        var home = await app.CreateOrganisationAsync("home", homeAdmin.Id);
        var outsider = await app.CreateUserAsync("admin@away.test");
        await app.CreateOrganisationAsync("away", outsider.Id);
        var installAdmin = await app.CreateUserAsync("root@install.test", installationAdmin: true);

        await AddCallerAsync("home admin", homeAdmin.Id, "admin@home.test", OrgRole.Admin, false, false);
        foreach (var role in new[] { OrgRole.Manager, OrgRole.Contributor, OrgRole.Auditor })
        {
            var email = $"{role.ToName()}@home.test";
            var user = await app.CreateUserAsync(email);
            await app.AddMemberAsync(home.Id, email, role);
            await AddCallerAsync($"home {role.ToName()}", user.Id, email, role, false, false);
        }

        await AddCallerAsync("member of another organisation only", outsider.Id, "admin@away.test", null, false, true);
        await AddCallerAsync("installation admin (no membership)", installAdmin.Id, "root@install.test", null, true, false);
        callers["anonymous"] = new Caller("anonymous", null, false, false, app.CreateClient(), app.CreateClient());
    }

    private async Task AddCallerAsync(string name, Guid userId, string email, OrgRole? role, bool installationAdmin, bool outsider)
    {
        var token = await app.CreateTokenAsync(userId, "access-table");
        callers[name] = new Caller(name, role, installationAdmin, outsider, app.CreateApiClient(token), await app.SignInAsync(email));
    }

    public async ValueTask DisposeAsync() => await app.DisposeAsync();

    private IReadOnlyList<RouteEndpoint> Endpoints() =>
        ((IEndpointRouteBuilder)app.App).DataSources.SelectMany(d => d.Endpoints).OfType<RouteEndpoint>().ToList();

    [Fact]
    public void Every_endpoint_declares_an_access_rule()
    {
        var endpoints = Endpoints();
        Assert.Contains(endpoints, e => FillRoute(e.RoutePattern) == "/api/v1/orgs");
        Assert.Contains(endpoints, e => FillRoute(e.RoutePattern) == "/o/home");
        var missing = endpoints.Where(e => e.Metadata.GetMetadata<AccessAttribute>() is null).Select(Describe).ToList();
        Assert.True(missing.Count == 0, "Endpoints without an access rule:\n" + string.Join("\n", missing));
    }

    [Fact]
    public async Task Every_route_answers_each_caller_as_its_rule_says()
    {
        var failures = new List<string>();
        var checkedCount = 0;
        foreach (var endpoint in Endpoints())
        {
            var rule = endpoint.Metadata.GetMetadata<AccessAttribute>();
            if (rule is null || rule.Access == Access.Anonymous)
            {
                continue;
            }

            var path = FillRoute(endpoint.RoutePattern);
            var isApi = path.StartsWith("/api/", StringComparison.Ordinal);
            foreach (var method in Methods(endpoint))
            {
                foreach (var caller in callers.Values)
                {
                    var client = isApi ? caller.Api! : caller.Browser!;
                    using var request = new HttpRequestMessage(new HttpMethod(method), path);
                    if (method is "POST" or "PUT" or "PATCH")
                    {
                        request.Content = !isApi ? new FormUrlEncodedContent(new Dictionary<string, string>())
                            : AcceptsUploads(endpoint) ? Upload()
                            : new StringContent("{}", Encoding.UTF8, "application/json");
                    }

                    using var response = await client.SendAsync(request);
                    var body = await response.Content.ReadAsStringAsync();
                    var expected = Expect(rule.For(method), caller, isApi);
                    var problem = Check(expected, response, body, isApi);
                    checkedCount++;
                    if (problem is not null)
                    {
                        failures.Add($"{method} {path} as {caller.Name}: expected {expected}, got {(int)response.StatusCode} {problem}");
                    }
                }
            }
        }

        Assert.True(checkedCount > 100, $"Only {checkedCount} route × caller combinations were checked.");
        Assert.True(failures.Count == 0, string.Join("\n", failures));
    }

    [Fact]
    public async Task Anonymous_callers_are_asked_to_authenticate_before_any_route_value_or_content_type_is_checked()
    {
        var anonymous = callers["anonymous"].Api!;
        var failures = new List<string>();
        var checkedCount = 0;
        foreach (var endpoint in Endpoints())
        {
            var rule = endpoint.Metadata.GetMetadata<AccessAttribute>();
            var path = FillRoute(endpoint.RoutePattern);
            if (rule is null || !path.StartsWith("/api/", StringComparison.Ordinal))
            {
                continue;
            }

            foreach (var method in Methods(endpoint))
            {
                if (rule.For(method).Access == Access.Anonymous)
                {
                    continue;
                }

                var attempts = new List<(string What, HttpRequestMessage Request)>();
                if (HasTypedParameter(endpoint.RoutePattern))
                {
                    attempts.Add(("a malformed typed route value", new HttpRequestMessage(new HttpMethod(method), FillRoute(endpoint.RoutePattern, malformed: true))));
                }

                if (method is "POST" or "PUT" or "PATCH")
                {
                    attempts.Add(("a body of an unsupported content type", new HttpRequestMessage(new HttpMethod(method), path)
                    {
                        Content = new StringContent("<not-json/>", Encoding.UTF8, "text/xml"),
                    }));
                }

                attempts.Add(("a method the route does not take", new HttpRequestMessage(method == "DELETE" ? HttpMethod.Patch : HttpMethod.Delete, path)));
                foreach (var (what, request) in attempts)
                {
                    using (request)
                    {
                        using var response = await anonymous.SendAsync(request);
                        checkedCount++;
                        if ((int)response.StatusCode != 401 || !IsProblem(response))
                        {
                            failures.Add($"{request.Method} {request.RequestUri} ({what}) as anonymous: expected 401 ProblemDetails, got {(int)response.StatusCode}");
                        }
                    }
                }
            }
        }

        foreach (var unknown in new[] { "/api/v1/no-such-route", "/api/v1/orgs/home/no-such-collection/1" })
        {
            using var response = await anonymous.GetAsync(unknown);
            checkedCount++;
            if ((int)response.StatusCode != 401)
            {
                failures.Add($"GET {unknown} as anonymous: expected 401, got {(int)response.StatusCode}");
            }
        }

        Assert.True(checkedCount > 200, $"Only {checkedCount} requests were checked.");
        Assert.True(failures.Count == 0, string.Join("\n", failures));
    }

    [Fact]
    public async Task A_member_who_sends_a_malformed_typed_route_value_gets_404_and_no_server_error()
    {
        var manager = callers["home manager"].Api!;
        var failures = new List<string>();
        foreach (var endpoint in Endpoints().Where(e => HasTypedParameter(e.RoutePattern)))
        {
            var path = FillRoute(endpoint.RoutePattern, malformed: true);
            if (!path.StartsWith("/api/", StringComparison.Ordinal))
            {
                continue;
            }

            foreach (var method in Methods(endpoint))
            {
                using var request = new HttpRequestMessage(new HttpMethod(method), path);
                using var response = await manager.SendAsync(request);
                if ((int)response.StatusCode != 404)
                {
                    failures.Add($"{method} {path}: expected 404, got {(int)response.StatusCode}");
                }
            }
        }

        Assert.True(failures.Count == 0, string.Join("\n", failures));
    }

    private static bool HasTypedParameter(RoutePattern pattern) =>
        pattern.Parameters.Any(p => p.ParameterPolicies.Any(policy => policy.Content is "guid" or "int" or "long"));

    private enum Outcome
    {
        SignInRequired,
        Forbidden,
        NotFound,
        Allowed,
    }

    private static Outcome Expect(AccessAttribute rule, Caller caller, bool isApi)
    {
        if (caller.Name == "anonymous")
        {
            return Outcome.SignInRequired;
        }

        if (rule.Access == Access.Authenticated)
        {
            return Outcome.Allowed;
        }

        if (rule.Access == Access.InstallationAdmin)
        {
            return caller.InstallationAdmin ? Outcome.Allowed : Outcome.Forbidden;
        }

        var minimum = rule.MinimumOrgRole!.Value;
        if (caller.HomeRole is not { } role)
        {
            return Outcome.NotFound;
        }

        return role >= minimum ? Outcome.Allowed : Outcome.Forbidden;
    }

    private static string? Check(Outcome expected, HttpResponseMessage response, string body, bool isApi)
    {
        var status = (int)response.StatusCode;
        var location = response.Headers.Location?.OriginalString ?? "";
        switch (expected)
        {
            case Outcome.SignInRequired:
                if (isApi)
                {
                    return status == 401 && IsProblem(response) ? null : "(want 401 ProblemDetails)";
                }

                return status == 302 && location.Contains("/account/sign-in", StringComparison.Ordinal) ? null : $"(want redirect to sign-in, Location '{location}')";
            case Outcome.Forbidden:
                return status == 403 && (!isApi || IsProblem(response)) ? null : "(want 403)";
            case Outcome.NotFound:
                return status == 404 && OrganisationNotFound(response) && (!isApi || ProblemTitle(body) == "Organisation not found") ? null : "(want 404 for an organisation the caller is not in)";
            default:
                if (status is 401 or 403 || (status == 302 && location.Contains("/account/sign-in", StringComparison.Ordinal)))
                {
                    return "(want the caller let through)";
                }

                if (status == 404 && OrganisationNotFound(response))
                {
                    return "(want the caller let through, got not found)";
                }

                return status >= 500 ? "(server error)" : null;
        }
    }

    private static bool AcceptsUploads(RouteEndpoint endpoint) =>
        endpoint.Metadata.GetMetadata<Microsoft.AspNetCore.Http.Metadata.IAcceptsMetadata>()?.ContentTypes.Contains("multipart/form-data") == true;

    private static MultipartFormDataContent Upload() =>
        new() { { new ByteArrayContent("not a real file"u8.ToArray()), "file", "upload.xlsx" } };

    private static bool OrganisationNotFound(HttpResponseMessage response) =>
        response.Headers.TryGetValues(AccessMiddleware.DeniedHeader, out var values) && values.Contains("organisation");

    private static bool IsProblem(HttpResponseMessage response) =>
        response.Content.Headers.ContentType?.MediaType == "application/problem+json";

    private static string? ProblemTitle(string body)
    {
        try
        {
            using var doc = JsonDocument.Parse(body);
            return doc.RootElement.TryGetProperty("title", out var title) ? title.GetString() : null;
        }
        catch (JsonException)
        {
            return null;
        }
    }

    private static IEnumerable<string> Methods(RouteEndpoint endpoint) =>
        endpoint.Metadata.GetMetadata<HttpMethodMetadata>()?.HttpMethods is { Count: > 0 } methods ? methods : ["GET", "POST"];

    private static string FillRoute(RoutePattern pattern, bool malformed = false)
    {
        var parts = new List<string>();
        foreach (var segment in pattern.PathSegments)
        {
            var text = new StringBuilder();
            foreach (var part in segment.Parts)
            {
                switch (part)
                {
                    case RoutePatternLiteralPart literal:
                        text.Append(literal.Content);
                        break;
                    case RoutePatternSeparatorPart separator:
                        text.Append(separator.Content);
                        break;
                    case RoutePatternParameterPart parameter:
                        text.Append(malformed && parameter.ParameterPolicies.Any(p => p.Content is "guid" or "int" or "long") ? "not-a-number-or-id" : ValueFor(parameter));
                        break;
                }
            }

            if (text.Length > 0)
            {
                parts.Add(text.ToString());
            }
        }

        return "/" + string.Join('/', parts);
    }

    private static string ValueFor(RoutePatternParameterPart parameter) => parameter.Name switch
    {
        _ when parameter.ParameterPolicies.Any(p => p.Content == "guid") => Guid.NewGuid().ToString(),
        "org" => "home",
        "key" or "id" => "iso27001-2022",
        "identifier" or "control" => "A.5.1",
        "status" => "404",
        "handler" => "",
        _ when parameter.ParameterPolicies.Any(p => p.Content == "guid") => Guid.NewGuid().ToString(),
        _ when parameter.ParameterPolicies.Any(p => p.Content is "int" or "long") => "1",
        _ => parameter.IsOptional ? "" : "x",
    };

    private static string Describe(RouteEndpoint e) =>
        $"{string.Join(",", e.Metadata.GetMetadata<HttpMethodMetadata>()?.HttpMethods ?? ["*"])} {e.RoutePattern.RawText} ({e.DisplayName})";
}

using System.Text;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.Net.Http.Headers;
using Perennial.Common;
using Perennial.Hosting;
using Perennial.Security;

namespace Perennial.Feeds;

/// <summary>Which feed to create: personal (default) or organisation.</summary>
public sealed record CalendarFeedRequest(string? Scope);

public sealed record CalendarFeedDto(Guid Id, string Scope, DateTimeOffset CreatedAt, DateTimeOffset? LastUsedAt);

/// <summary>A new feed with its subscription URL, which is shown this once.</summary>
public sealed record CreatedCalendarFeedDto(Guid Id, string Scope, DateTimeOffset CreatedAt, string Url, string WebcalUrl);

/// <summary>
/// Calendar subscriptions: <c>GET /feeds/{token}.ics</c> for calendar programs (the token is the
/// only credential), and the API where people create, list and revoke their own feeds.
/// </summary>
public static class FeedsApi
{
    public const string ContentType = "text/calendar; charset=utf-8";
    public const string CacheControl = "private, max-age=300";

    public static RouteGroupBuilder MapCalendarFeedsApi(this RouteGroupBuilder api)
    {
        var feeds = api.MapGroup("/orgs/{org}/calendar-feeds").WithTags("Calendar feeds");
        feeds.MapGet("/", List).WithAccess(Access.OrgAuditor)
            .WithSummary("Your calendar feeds in this organisation that still work (never their URLs)");
        feeds.MapPost("/", Create).WithAccess(Access.OrgAuditor)
            .WithSummary("Create your personal feed, or {\"scope\":\"organisation\"} (ISMS managers and admins); returns the subscription URL once and revokes your earlier feed of that scope");
        feeds.MapDelete("/{id:guid}", Revoke).WithAccess(Access.OrgAuditor)
            .WithSummary("Revoke one of your feeds; its URL answers 404 from then on");
        return api;
    }

    /// <summary>The feed itself. No cookie or API token is looked at: the secret in the path decides.</summary>
    public static IEndpointRouteBuilder MapCalendarFeed(this IEndpointRouteBuilder app)
    {
        app.MapMethods("/feeds/{token}.ics", [HttpMethods.Get, HttpMethods.Head], Feed).WithAccess(Access.Anonymous)
            .WithTags("Calendar feeds").ExcludeFromDescription();
        return app;
    }

    public static string SubscriptionUrl(Uri publicUrl, string token)
    {
        ArgumentNullException.ThrowIfNull(publicUrl);
        return $"{publicUrl.AbsoluteUri.TrimEnd('/')}/feeds/{token}.ics";
    }

    /// <summary>The same address with the webcal scheme, which makes a click open the calendar program's subscribe dialogue.</summary>
    public static string WebcalUrl(string subscriptionUrl)
    {
        ArgumentNullException.ThrowIfNull(subscriptionUrl);
        var colon = subscriptionUrl.IndexOf("://", StringComparison.Ordinal);
        return "webcal" + subscriptionUrl[colon..];
    }

    public static string ScopeName(FeedScope scope) => scope == FeedScope.Organisation ? "organisation" : "personal";

    public static FeedScope ParseScope(string? text) => (text ?? "").Trim().ToLowerInvariant() switch
    {
        "" or "personal" => FeedScope.Personal,
        "organisation" or "organization" => FeedScope.Organisation,
        _ => throw UseCaseException.Invalid("scope", "scope must be personal or organisation."),
    };

    private static async Task<IResult> Feed(string token, HttpContext context, CalendarFeedService feeds, PerennialOptions options, CancellationToken ct)
    {
        var response = context.Response;
        // A secret address should stay out of search engines and shared caches.
        response.Headers["X-Robots-Tag"] = "noindex, nofollow";
        var subscriber = await feeds.ResolveAsync(token, ct);
        if (subscriber is null)
        {
            return Results.Text("No such calendar feed. It may have been revoked; create a new subscription URL in Perennial.", "text/plain; charset=utf-8", statusCode: StatusCodes.Status404NotFound);
        }

        var content = await feeds.LoadAsync(subscriber, options.PublicUri(), ct);
        // The version is a hash of everything the file is written from, so a calendar polling with
        // If-None-Match is answered without writing the file at all.
        var etag = new EntityTagHeaderValue($"\"{CalendarFeedWriter.Version(content)}\"");
        var headers = response.GetTypedHeaders();
        headers.ETag = etag;
        response.Headers.CacheControl = CacheControl;
        if (content.Occurrences.Count > 0)
        {
            headers.LastModified = content.Occurrences.Max(o => o.UpdatedAt);
        }

        // Only the ETag decides: a status can turn "overdue" with the date alone, so Last-Modified is informative, never a validator.
        var ifNoneMatch = context.Request.GetTypedHeaders().IfNoneMatch;
        if (ifNoneMatch.Any(t => t.Equals(EntityTagHeaderValue.Any) || t.Compare(etag, useStrongComparison: false)))
        {
            return Results.StatusCode(StatusCodes.Status304NotModified);
        }

        response.Headers.ContentDisposition = $"inline; filename=\"{subscriber.OrganisationSlug}-{ScopeName(subscriber.Scope)}.ics\"";
        return Results.Text(CalendarFeedWriter.Write(content), ContentType, Encoding.UTF8);
    }

    private static async Task<Ok<IReadOnlyList<CalendarFeedDto>>> List(CurrentOrg currentOrg, CurrentUser user, CalendarFeedService feeds, CancellationToken ct)
    {
        var rows = await feeds.ListAsync(currentOrg.Id, user.RequireId(), ct);
        return TypedResults.Ok((IReadOnlyList<CalendarFeedDto>)[.. rows.Select(f => new CalendarFeedDto(f.Id, ScopeName(f.Scope), f.CreatedAt, f.LastUsedAt))]);
    }

    private static async Task<Created<CreatedCalendarFeedDto>> Create(
        CalendarFeedRequest? request, CurrentOrg currentOrg, CurrentUser user, CalendarFeedService feeds, PerennialOptions options, CancellationToken ct)
    {
        var scope = ParseScope(request?.Scope);
        var publicUrl = options.PublicUri();
        var created = await feeds.CreateAsync(currentOrg.Id, user.RequireId(), scope, ct);
        var url = SubscriptionUrl(publicUrl, created.Token);
        return TypedResults.Created($"/api/v1/orgs/{currentOrg.Slug}/calendar-feeds",
            new CreatedCalendarFeedDto(created.Feed.Id, ScopeName(created.Feed.Scope), created.Feed.CreatedAt, url, WebcalUrl(url)));
    }

    private static async Task<NoContent> Revoke(Guid id, CurrentOrg currentOrg, CurrentUser user, CalendarFeedService feeds, CancellationToken ct)
    {
        await feeds.RevokeAsync(currentOrg.Id, user.RequireId(), id, ct);
        return TypedResults.NoContent();
    }
}

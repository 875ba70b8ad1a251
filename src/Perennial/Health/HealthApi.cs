using Perennial.Data;
using Perennial.Security;

namespace Perennial.Health;

public sealed record HealthDto(string Status, string Database);

public static class HealthApi
{
    public static IEndpointRouteBuilder MapHealth(this IEndpointRouteBuilder app)
    {
        app.MapGet("/health", Check).WithAccess(Access.Anonymous).WithTags("Health")
            .WithSummary("200 when the database answers, 503 when it does not");
        return app;
    }

    private static async Task<IResult> Check(PerennialDbContext db, ILoggerFactory logs, CancellationToken ct)
    {
        bool reachable;
        try
        {
            reachable = await db.Database.CanConnectAsync(ct);
        }
#pragma warning disable CA1031 // Any failure to reach the database means unhealthy, not a 500.
        catch (Exception e)
#pragma warning restore CA1031
        {
            logs.CreateLogger("Perennial.Health").LogWarning(e, "Database health check failed");
            reachable = false;
        }

        return reachable
            ? TypedResults.Ok(new HealthDto("healthy", "reachable"))
            : TypedResults.Json(new HealthDto("unhealthy", "unreachable"), statusCode: StatusCodes.Status503ServiceUnavailable);
    }
}

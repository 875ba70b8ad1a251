using Microsoft.AspNetCore.Http.HttpResults;
using Perennial.Hosting;
using Perennial.Security;

namespace Perennial.AuditTrail;

public static class HistoryApi
{
    public static RouteGroupBuilder MapHistoryApi(this RouteGroupBuilder api)
    {
        api.MapGet("/orgs/{org}/history", List).WithAccess(Access.OrgAuditor).WithTags("History")
            .WithSummary("The organisation's audit trail, newest first; narrow it with entityType and entityId");
        return api;
    }

    private static async Task<Ok<PageDto<HistoryItem>>> List(
        string? entityType, Guid? entityId, int? page, int? pageSize,
        CurrentOrg currentOrg, AuditHistory history, CancellationToken ct)
    {
        if (entityType is { Length: > 100 })
        {
            throw Common.UseCaseException.Invalid("entityType", "entityType is at most 100 characters.");
        }

        var list = await history.ForOrganisationAsync(currentOrg.Id, entityType, entityId, PagingApi.Read(page, pageSize), ct);
        return TypedResults.Ok(new PageDto<HistoryItem>(list.Items, list.Page, list.PageSize, list.Total));
    }
}

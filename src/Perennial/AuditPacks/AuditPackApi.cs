using Perennial.Readiness;
using Perennial.Security;

namespace Perennial.AuditPacks;

/// <summary>The audit pack, streamed as it is built.</summary>
public static class AuditPackApi
{
    public static RouteGroupBuilder MapAuditPackApi(this RouteGroupBuilder api)
    {
        var group = api.MapGroup("/orgs/{org}/audit-pack").WithTags("Audit pack");
        group.MapGet("/", Get).WithAccess(Access.OrgAuditor)
            .WithSummary("The audit pack (ZIP) for ?auditDate=YYYY-MM-DD or ?audit={external audit id}, over the period from ?periodFrom= (default: since the audit before); "
                + "streamed as it is written, and recorded as evidence once complete");
        return api;
    }

    private static async Task<IResult> Get(DateOnly? auditDate, DateOnly? periodFrom, Guid? audit, CurrentOrg currentOrg, CurrentUser user, AuditPackBuilder builder, CancellationToken ct)
    {
        if (auditDate is null && audit is null)
        {
            throw Common.UseCaseException.Invalid("auditDate", "Give auditDate (YYYY-MM-DD) or audit (an external audit id).");
        }

        // The audit is settled before the first byte: a wrong date is a 400, not a broken download.
        var window = await builder.WindowAsync(currentOrg.Id, new ReadinessQuery(auditDate, periodFrom, audit), ct);
        var actor = new AuditPackActor(user.Id, user.TokenId is null ? user.Email : $"{user.Email} (API token)");
        return Results.Stream(
            body => builder.WriteAsync(currentOrg.Id, window, body, actor, ct),
            AuditPackBuilder.ContentType, AuditPackBuilder.FileName(currentOrg.Slug, window));
    }
}

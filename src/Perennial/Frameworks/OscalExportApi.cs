using System.Text.Json;
using System.Text.Json.Nodes;
using Perennial.Frameworks.Oscal;
using Perennial.Security;

namespace Perennial.Frameworks;

/// <summary>The management system as OSCAL 1.1.2 JSON documents.</summary>
public static class OscalExportApi
{
    private static readonly JsonSerializerOptions Indented = new() { WriteIndented = true };

    public static RouteGroupBuilder MapOscalExportApi(this RouteGroupBuilder api)
    {
        var group = api.MapGroup("/orgs/{org}/oscal").WithTags("OSCAL export");
        group.MapGet("/ssp", async (CurrentOrg org, OscalExporter oscal, CancellationToken ct) => Json(await oscal.SystemSecurityPlanAsync(org.Id, ct)))
            .WithAccess(Access.OrgAuditor)
            .WithSummary("An OSCAL system security plan: the scope, the newest published SoA's controls with their implementation, owners and evidence (409 before an SoA is published)");
        group.MapGet("/assessment-results", async (CurrentOrg org, OscalExporter oscal, CancellationToken ct) => Json(await oscal.AssessmentResultsAsync(org.Id, ct)))
            .WithAccess(Access.OrgAuditor)
            .WithSummary("OSCAL assessment results: one result per reported internal audit, with an observation and a finding per checklist item (409 before any is reported)");
        group.MapGet("/poam", async (CurrentOrg org, OscalExporter oscal, CancellationToken ct) => Json(await oscal.PlanOfActionAsync(org.Id, ct)))
            .WithAccess(Access.OrgAuditor)
            .WithSummary("An OSCAL plan of action and milestones: open nonconformities with their corrective actions and due dates, and open scanner findings with their deadlines (409 when nothing is open)");
        return api;
    }

    private static IResult Json(JsonObject document) => Results.Text(document.ToJsonString(Indented), "application/json");
}

using Microsoft.Extensions.DependencyInjection;
using Perennial.Accounts;
using Perennial.ApiTokens;
using Perennial.Certification;
using Perennial.Demo;
using Perennial.Evidence.Collectors;
using Perennial.Findings;
using Perennial.Frameworks;
using Perennial.Organisations;
using Perennial.Scheduling;
using Perennial.Scope;
using Perennial.Soa;

namespace Perennial.Data;

public static class DomainServiceCollectionExtensions
{
    /// <summary>Registers the use cases of every feature.</summary>
    public static IServiceCollection AddPerennialUseCases(this IServiceCollection services)
    {
        services.AddScoped<AccountService>();
        services.AddScoped<OrganisationService>();
        services.AddScoped<ApiTokenService>();
        services.AddScoped<DemoSeeder>();
        services.AddScoped<FrameworkService>();
        services.AddScoped<IOrganisationSetup, IsoCatalogSetup>();
        services.AddScoped<ScopeService>();
        services.AddScoped<CycleService>();
        services.AddScoped<SoaService>();
        services.AddScoped<SoaSpreadsheet>();
        services.AddScoped<Risks.RiskService>();
        services.AddScoped<IOrganisationSetup, Risks.RiskMethodSetup>();
        services.AddScoped<Risks.RiskSpreadsheet>();
        services.AddScoped<Assets.AssetService>();
        services.AddScoped<Changes.ChangeService>();
        services.AddScoped<Changes.ChangeWebhook>();
        services.AddScoped<Incidents.IncidentService>();
        services.AddScoped<FrameworkImportService>();
        services.AddScoped<Activities.ActivityService>();
        services.AddScoped<Activities.OccurrenceService>();
        services.AddScoped<Activities.MaintenanceCalendar>();
        services.AddScoped<Evidence.EvidenceService>();
        services.AddSingleton<Evidence.EvidenceRecordWriter>();
        services.AddScoped<Evidence.EvidenceTimeline>();
        services.AddScoped<Evidence.EvidenceVerifier>();
        services.AddPerennialCollectors();
        Evidence.Collectors.DirectoryCollectorsServiceCollectionExtensions.AddPerennialDirectoryCollectors(services);
        services.AddScoped<AccessReviews.AccessReviewService>();
        services.AddPerennialFindings();
        services.AddScoped<Nonconformities.NonconformityService>();
        services.AddScoped<Nonconformities.NonconformityWorkflow>();
        services.AddScoped<Nonconformities.NonconformityRiskReview>();
        services.AddScoped<InternalAudits.InternalAuditService>();
        services.AddScoped<InternalAudits.InternalAuditCoverage>();
        services.AddScoped<InternalAudits.ChecklistService>();
        services.AddScoped<InternalAudits.ChecklistAttachments>();
        services.AddScoped<Nonconformities.ObligationCalendar>();
        services.AddScoped<OrganisationContext.ContextRegister>();
        services.AddScoped<InternalAudits.InternalAuditReport>();
        services.AddScoped<InternalAudits.AuditSignals>();
        services.AddScoped<InternalAudits.ProgrammeProposal>();
        services.AddScoped<Improvements.ImprovementRegister>();
        services.AddScoped<Measurement.BuiltInMeasures>();
        services.AddScoped<Measurement.MeasureService>();
        services.AddScoped<Measurement.ObjectiveService>();
        services.AddScoped<ManagementReviews.ReviewPackBuilder>();
        services.AddScoped<ManagementReviews.ManagementReviewService>();
        services.AddScoped<IOrganisationSetup, Measurement.MeasureSetup>();
        services.AddSingleton<IScheduledJob, Measurement.MeasureJob>();
        services.AddScoped<Nonconformities.NonconformityLog>();
        services.AddScoped<Dashboard.AgendaService>();
        services.AddScoped<Readiness.ReadinessService>();
        services.AddScoped<AuditPacks.AuditPackBuilder>();
        services.AddScoped<Frameworks.Oscal.OscalExporter>();
        services.AddScoped<AuditorWorkspace.AuditorWorkspaceService>();
        services.AddScoped<Readiness.ReadinessSnapshots>();
        services.AddSingleton<IScheduledJob, Readiness.ReadinessSnapshotJob>();
        services.AddScoped<Feeds.CalendarFeedService>();
        services.AddSingleton<IScheduledJob, AuditTrailCheckJob>();
        services.AddSingleton<IScheduledJob, Activities.OccurrenceHorizonJob>();
        return services;
    }
}

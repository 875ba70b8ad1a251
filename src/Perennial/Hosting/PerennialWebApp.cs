using System.Text.Json;
using System.Text.Json.Serialization;
using Microsoft.AspNetCore.DataProtection;
using Microsoft.AspNetCore.Http.Json;
using Perennial.AccessReviews;
using Perennial.Accounts;
using Perennial.Activities;
using Perennial.ApiTokens;
using Perennial.Assets;
using Perennial.AuditorWorkspace;
using Perennial.AuditPacks;
using Perennial.AuditTrail;
using Perennial.Certification;
using Perennial.Changes;
using Perennial.Data;
using Perennial.Evidence;
using Perennial.Feeds;
using Perennial.Findings;
using Perennial.Frameworks;
using Perennial.Frameworks.Oscal;
using Perennial.Health;
using Perennial.Improvements;
using Perennial.InternalAudits;
using Perennial.ManagementReviews;
using Perennial.Measurement;
using Perennial.Nonconformities;
using Perennial.OrganisationContext;
using Perennial.Organisations;
using Perennial.Readiness;
using Perennial.Reminders;
using Perennial.Risks;
using Perennial.Scheduling;
using Perennial.Scope;
using Perennial.Security;
using Perennial.Soa;

namespace Perennial.Hosting;

/// <summary>Builds the web host: UI, JSON API and background work, on the configured database.</summary>
public static class PerennialWebApp
{
    public static WebApplicationBuilder CreateBuilder(string[] args)
    {
        var builder = WebApplication.CreateBuilder(new WebApplicationOptions
        {
            Args = args,
            ContentRootPath = AppContext.BaseDirectory,
            // Pages, views and static-asset manifests belong to this assembly, also when a test host starts it.
            ApplicationName = typeof(PerennialWebApp).Assembly.GetName().Name,
        });
        builder.Services.AddPerennialCore(builder.Configuration);
        builder.Services.AddPerennialWeb(builder.Configuration);
        return builder;
    }

    /// <summary>Services the command line needs as well as the web host.</summary>
    public static IServiceCollection AddPerennialCore(this IServiceCollection services, IConfiguration configuration)
    {
        var perennial = configuration.GetSection(PerennialOptions.Section).Get<PerennialOptions>() ?? new PerennialOptions();
        var database = configuration.GetSection(DatabaseOptions.Section).Get<DatabaseOptions>() ?? new DatabaseOptions();
        services.AddSingleton(perennial);
        services.AddSingleton(database);
        services.AddSingleton(configuration.GetSection(OscalOptions.Section).Get<OscalOptions>() ?? new OscalOptions());
        services.AddSingleton(TimeProvider.System);
        services.AddPerennialData(database, perennial.DataDirectory);
        services.AddPerennialUseCases();
        services.AddPerennialEvidenceStore(perennial.Evidence);
        services.AddPerennialReminders(configuration);
        // Keys live in the database so that every instance (and the command line) shares them.
        services.AddDataProtection().SetApplicationName("Perennial").PersistKeysToDbContext<PerennialDbContext>()
            .ProtectKeysIfConfigured(configuration);
        return services;
    }

    private static IServiceCollection AddPerennialWeb(this IServiceCollection services, IConfiguration configuration)
    {
        services.AddPerennialSecurity(configuration);
        services.AddProblemDetails(o => o.CustomizeProblemDetails = ctx =>
            ctx.ProblemDetails.Extensions.TryAdd("traceId", ctx.HttpContext.TraceIdentifier));
        services.AddExceptionHandler<ApiExceptionHandler>();
        services.Configure<JsonOptions>(o => ConfigureJson(o.SerializerOptions));
        // Binding failures throw so that ApiExceptionHandler can name the field in its ProblemDetails.
        services.Configure<RouteHandlerOptions>(o => o.ThrowOnBadRequest = true);
        services.AddOpenApi(OpenApiDocument.Configure);
        services.AddRazorPages(o =>
        {
        });
        services.AddAntiforgery(o => o.Cookie.Name = "perennial.antiforgery");
        services.AddScoped<Pages.Shared.LayoutData>();
        services.AddPerennialScheduler(configuration);
        return services;
    }

    public static void ConfigureJson(JsonSerializerOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        options.UnmappedMemberHandling = JsonUnmappedMemberHandling.Disallow;
        options.Converters.Add(new JsonStringEnumConverter(JsonNamingPolicy.CamelCase, allowIntegerValues: false));
    }

    public static WebApplication UsePerennial(this WebApplication app)
    {
        ArgumentNullException.ThrowIfNull(app);
        app.UseExceptionHandler("/error/500");
        app.UseWhen(ctx => RequestKinds.IsApi(ctx.Request), api => api.UseStatusCodePages());
        app.UseWhen(ctx => !RequestKinds.IsApi(ctx.Request), ui => ui.UseStatusCodePagesWithReExecute("/error/{0}"));
        app.Use(SecurityHeaders);
        // Public files (the stylesheet) are served before routing: no endpoint, no session needed.
        app.UseStaticFiles();
        app.UseRouting();
        app.UseAuthentication();
        app.UseMiddleware<AccessMiddleware>();
        app.UseAuthorization();
        app.UseAntiforgery();

        app.MapOpenApi().WithAccess(Access.Anonymous);
        app.MapHealth();
        var api = app.MapGroup("/api/v1").AddEndpointFilter<ValidationFilter>();
        api.MapOrganisationsApi();
        api.MapApiTokensApi();
        api.MapHistoryApi();
        api.MapAccountsApi();
        api.MapScopeApi();
        api.MapCycleApi();
        api.MapFrameworksApi();
        api.MapSoaApi();
        api.MapRisksApi();
        api.MapRiskImportApi();
        api.MapAssetsApi();
        api.MapChangesApi();
        api.MapActivitiesApi();
        api.MapEvidenceApi();
        api.MapCollectorsApi();
        api.MapAccessReviewsApi();
        api.MapFindingsApi();
        api.MapEvidenceTimelineApi();
        api.MapNonconformitiesApi();
        api.MapInternalAuditsApi();
        api.MapImprovementsApi();
        api.MapContextApi();
        api.MapMeasuresApi();
        api.MapManagementReviewsApi();
        api.MapReadinessApi();
        api.MapAuditPackApi();
        api.MapOscalExportApi();
        api.MapAuditorWorkspaceApi();
        api.MapCalendarFeedsApi();
        app.MapCalendarFeed();
        api.MapRemindersApi();
        app.MapRazorPages();
        return app;
    }

    private static Task SecurityHeaders(HttpContext context, Func<Task> next)
    {
        var headers = context.Response.Headers;
        headers.XContentTypeOptions = "nosniff";
        headers.XFrameOptions = "DENY";
        headers["Referrer-Policy"] = "same-origin";
        headers.ContentSecurityPolicy = "default-src 'self'; img-src 'self' data:; style-src 'self'; script-src 'self'; frame-ancestors 'none'";
        return next();
    }
}

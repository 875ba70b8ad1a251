using Microsoft.AspNetCore.OpenApi;
using Microsoft.OpenApi;

namespace Perennial.Hosting;

/// <summary>Names the API and declares how to authenticate: a personal token as a bearer header.</summary>
internal static class OpenApiDocument
{
    public const string BearerScheme = "bearer";

    public static void Configure(OpenApiOptions options) =>
        options.AddDocumentTransformer((document, _, _) =>
        {
            document.Info.Title = "Perennial API";
            document.Info.Description = "Keep an ISO/IEC 27001 ISMS alive between audits. Authenticate with a personal API token: "
                + "'Authorization: Bearer prn_…' (create one with `perennial token create` or on the API tokens page). "
                + "Errors are ProblemDetails; lists take page and pageSize and return items with a total.";
            document.Components ??= new OpenApiComponents();
            document.Components.SecuritySchemes ??= new Dictionary<string, IOpenApiSecurityScheme>();
            document.Components.SecuritySchemes[BearerScheme] = new OpenApiSecurityScheme
            {
                Type = SecuritySchemeType.Http,
                Scheme = "bearer",
                Description = "A personal API token.",
            };
            document.Security = [new OpenApiSecurityRequirement { [new OpenApiSecuritySchemeReference(BearerScheme, document)] = [] }];
            return Task.CompletedTask;
        });
}

using System.ComponentModel.DataAnnotations;
using System.Text.Json;
using Microsoft.AspNetCore.Diagnostics;
using Microsoft.AspNetCore.Mvc;
using Perennial.Common;
using Perennial.Security;

namespace Perennial.Hosting;

/// <summary>
/// Turns refused requests into ProblemDetails that name the field at fault: unreadable JSON (with
/// its JSON path), use-case refusals, and anything unexpected (500 without internals).
/// </summary>
internal sealed class ApiExceptionHandler(IProblemDetailsService problems, ILogger<ApiExceptionHandler> logger) : IExceptionHandler
{
    public async ValueTask<bool> TryHandleAsync(HttpContext httpContext, Exception exception, CancellationToken cancellationToken)
    {
        // The exception handler has already pointed Request.Path at the error page; decide by the original path.
        var path = httpContext.Features.Get<IExceptionHandlerPathFeature>()?.Path ?? httpContext.Request.Path;
        if (!RequestKinds.IsApi(path))
        {
            return false;
        }

        ProblemDetails problem;
        switch (exception)
        {
            case BadHttpRequestException bad:
                problem = FromBadRequest(bad);
                break;
            case UseCaseException useCase:
                problem = FromUseCase(useCase);
                break;
            case Evidence.Storage.EvidenceStoreUnavailableException store:
                logger.LogError(exception, "Evidence store unavailable on {Method} {Path}", httpContext.Request.Method, httpContext.Request.Path);
                problem = new ProblemDetails { Status = 503, Title = "Evidence store unavailable", Detail = store.Message };
                break;
            default:
                logger.LogError(exception, "Unhandled error on {Method} {Path}", httpContext.Request.Method, httpContext.Request.Path);
                problem = new ProblemDetails { Status = 500, Title = "Unexpected error", Detail = "The server could not complete the request; it has been logged." };
                break;
        }

        httpContext.Response.StatusCode = problem.Status ?? 500;
        return await problems.TryWriteAsync(new ProblemDetailsContext { HttpContext = httpContext, ProblemDetails = problem, Exception = exception });
    }

    private static ProblemDetails FromBadRequest(BadHttpRequestException bad)
    {
        var json = FindInner<JsonException>(bad);
        if (json is not null)
        {
            var field = FieldFromPath(json.Path);
            var detail = field is null
                ? "The request body is not valid JSON: " + FirstSentence(json.Message)
                : $"Field '{field}' is invalid: " + FirstSentence(json.Message);
            return Validation(field ?? "body", detail);
        }

        if (bad.StatusCode == StatusCodes.Status415UnsupportedMediaType)
        {
            return new ProblemDetails { Status = 415, Title = "Unsupported media type", Detail = "Send the body as application/json." };
        }

        // Query and route values that do not parse, such as page=abc.
        return new ProblemDetails { Status = bad.StatusCode, Title = "Bad request", Detail = bad.Message };
    }

    internal static ProblemDetails FromUseCase(UseCaseException e) => e.Kind switch
    {
        UseCaseErrorKind.Validation => Validation(e.Field ?? "body", e.Message),
        UseCaseErrorKind.NotFound => new ProblemDetails { Status = 404, Title = "Not found", Detail = e.Message },
        UseCaseErrorKind.Conflict => WithField(new ProblemDetails { Status = 409, Title = "Conflict", Detail = e.Message }, e.Field),
        UseCaseErrorKind.Forbidden => new ProblemDetails { Status = 403, Title = "Forbidden", Detail = e.Message },
        _ => new ProblemDetails { Status = 400, Title = "Bad request", Detail = e.Message },
    };

    private static HttpValidationProblemDetails Validation(string field, string message) =>
        new(new Dictionary<string, string[]> { [field] = [message] })
        {
            Status = 400,
            Title = "The request is invalid",
            Detail = message,
        };

    private static ProblemDetails WithField(ProblemDetails problem, string? field)
    {
        if (field is not null)
        {
            problem.Extensions["field"] = field;
        }

        return problem;
    }

    /// <summary>"$.members[0].email" → "members[0].email"; "$" → null.</summary>
    internal static string? FieldFromPath(string? path)
    {
        if (string.IsNullOrEmpty(path) || path == "$")
        {
            return null;
        }

        return path.StartsWith("$.", StringComparison.Ordinal) ? path[2..] : path.TrimStart('$');
    }

    private static string FirstSentence(string message)
    {
        var cut = message.IndexOf(" Path:", StringComparison.Ordinal);
        return cut > 0 ? message[..cut] : message;
    }

    private static T? FindInner<T>(Exception e)
        where T : Exception
    {
        for (var current = e.InnerException; current is not null; current = current.InnerException)
        {
            if (current is T found)
            {
                return found;
            }
        }

        return null;
    }
}

/// <summary>Validates request DTOs by their data annotations; failures are 400 ProblemDetails keyed by field.</summary>
internal sealed class ValidationFilter : IEndpointFilter
{
    public async ValueTask<object?> InvokeAsync(EndpointFilterInvocationContext context, EndpointFilterDelegate next)
    {
        foreach (var argument in context.Arguments)
        {
            if (argument is null || argument.GetType().Namespace?.StartsWith("Perennial", StringComparison.Ordinal) != true
                || argument is CurrentUser or CurrentOrg)
            {
                continue;
            }

            var results = new List<ValidationResult>();
            if (!Validator.TryValidateObject(argument, new ValidationContext(argument), results, validateAllProperties: true))
            {
                var errors = results
                    .SelectMany(r => (r.MemberNames.Any() ? r.MemberNames : ["body"]).Select(m => (Field: JsonNamingPolicy.CamelCase.ConvertName(m), r.ErrorMessage)))
                    .GroupBy(x => x.Field)
                    .ToDictionary(g => g.Key, g => g.Select(x => x.ErrorMessage ?? "is invalid").ToArray());
                return TypedResults.ValidationProblem(errors, detail: string.Join(" ", errors.SelectMany(e => e.Value)), title: "The request is invalid");
            }
        }

        return await next(context);
    }
}

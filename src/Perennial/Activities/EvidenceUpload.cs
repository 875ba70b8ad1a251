using Microsoft.Net.Http.Headers;
using Perennial.Common;

namespace Perennial.Activities;

/// <summary>Reading evidence uploads and serving stored evidence safely.</summary>
public static class EvidenceUpload
{
    /// <summary>The request-size ceiling for completion uploads; the per-file limit is the configured one.</summary>
    public const long MaxRequestBytes = 1L * 1024 * 1024 * 1024;

    public static async Task<IFormCollection> ReadFormAsync(HttpRequest request, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(request);
        try
        {
            return await request.ReadFormAsync(ct);
        }
        catch (InvalidDataException e)
        {
            throw UseCaseException.Invalid("body", $"The form could not be read: {e.Message}");
        }
        catch (IOException e) when (e.Message.Contains("Unexpected end", StringComparison.OrdinalIgnoreCase))
        {
            throw UseCaseException.Invalid("body", "The multipart body ended before its closing boundary.");
        }
    }

    /// <summary>A file part named evidence:&lt;requirement&gt; answers that requirement.</summary>
    public static string? RequirementOf(string? partName) =>
        partName is not null && partName.StartsWith("evidence:", StringComparison.OrdinalIgnoreCase) && partName.Length > 9 ? partName[9..] : null;

    /// <summary>
    /// Serves stored content as a download: always an attachment, never sniffed, and HTML, SVG and
    /// script types are sent as plain bytes so a browser never renders or runs them.
    /// </summary>
    public static IResult Attachment(HttpContext context, Stream content, string fileName, string? contentType)
    {
        ArgumentNullException.ThrowIfNull(context);
        context.Response.Headers.XContentTypeOptions = "nosniff";
        context.Response.Headers.ContentSecurityPolicy = "default-src 'none'; sandbox";
        var type = contentType ?? "application/octet-stream";
        var lowered = type.ToLowerInvariant();
        if (lowered.Contains("html", StringComparison.Ordinal) || lowered.Contains("svg", StringComparison.Ordinal)
            || lowered.Contains("javascript", StringComparison.Ordinal) || lowered.Contains("xml", StringComparison.Ordinal))
        {
            type = "application/octet-stream";
        }

        var disposition = new ContentDispositionHeaderValue("attachment");
        disposition.SetHttpFileName(fileName);
        context.Response.Headers.ContentDisposition = disposition.ToString();
        return Results.Stream(content, type, enableRangeProcessing: true);
    }
}

using System.Text.Json;
using System.Text.Json.Serialization;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.WebUtilities;
using Microsoft.Net.Http.Headers;
using Perennial.Activities;
using Perennial.Common;
using Perennial.Evidence.Storage;
using Perennial.Hosting;
using Perennial.Security;

namespace Perennial.Evidence;

/// <summary>The <c>metadata</c> part of an evidence upload (also the whole JSON body for links and notes).</summary>
public sealed record EvidenceMetadata(
    string? Title,
    string? Description,
    string? Kind,
    DateOnly? PeriodFrom,
    DateOnly? PeriodTo,
    DateTimeOffset? CollectedAt,
    Guid? ActivityId,
    Guid? OccurrenceId,
    Guid? ControlId,
    Guid? FrameworkId,
    DateOnly? RetainUntil,
    string? ClientKey,
    Guid? Supersedes,
    string? Url,
    string? Text,
    string? Report);

public sealed record EvidenceItemDto(
    Guid Id, string Title, string? Description, string Kind, string Status,
    DateOnly PeriodFrom, DateOnly PeriodTo, DateTimeOffset CollectedAt, DateTimeOffset RecordedAt,
    string Source, string? SourceUser, Guid? SourceTokenId, Guid? CollectorRunId,
    string? FileName, string? ContentType, long? Size, string? Sha256, string? Url,
    DateOnly? RetainUntil, Guid? SupersedesId, Guid? SupersededById, string? ClientKey,
    IReadOnlyList<Guid> ActivityIds, IReadOnlyList<Guid> OccurrenceIds, IReadOnlyList<Guid> ControlIds, IReadOnlyList<Guid> FrameworkIds,
    string? ContentUrl);

public static class EvidenceApi
{
    /// <summary>Room for the metadata part and multipart framing on top of the file size limit.</summary>
    private const long EnvelopeBytes = 1024 * 1024;

    private const int MetadataMaxBytes = 64 * 1024;

    private const string KnownFields = "title, description, kind, periodFrom, periodTo, collectedAt, activityId, occurrenceId, controlId, frameworkId, "
        + "retainUntil, clientKey, supersedes, url, text, report";

    private const int MultipartBufferBytes = 64 * 1024;

    private static readonly JsonSerializerOptions MetadataJson = new(JsonSerializerDefaults.Web)
    {
        UnmappedMemberHandling = JsonUnmappedMemberHandling.Disallow,
    };

    public static RouteGroupBuilder MapEvidenceApi(this RouteGroupBuilder api)
    {
        var evidence = api.MapGroup("/orgs/{org}/evidence").WithTags("Evidence");
        evidence.MapPost("/", Upload).WithAccess(Access.OrgContributor).DisableAntiforgery()
            .WithSummary("Record evidence: multipart with a 'file' part and a 'metadata' JSON part, or a JSON body for a link or note")
            .WithDescription("metadata: { title?, description?, kind? (file, link, note, snapshot), periodFrom?, periodTo? (YYYY-MM-DD, the period the evidence covers), "
                + "collectedAt?, activityId?, occurrenceId?, controlId?, frameworkId?, retainUntil?, clientKey?, supersedes?, url? (links), text? (notes), "
                + "report? (trivy, sarif, cyclonedx, auto: also import the file's findings) }. "
                + "The file is streamed into the content-addressed store and hashed; the item is recorded only after its bytes are stored. "
                + "201 with the item; 200 with the earlier item when clientKey was used before for the same bytes; 409 when it was used for different bytes. "
                + "With activityId, the item is attached to the activity's earliest open occurrence.");
        evidence.MapGet("/", List).WithAccess(Access.OrgAuditor)
            .WithSummary("Evidence items, latest period first (?activity=, ?occurrence=, ?control=, ?framework=, ?kind=, ?status=, ?from=, ?to= (period overlaps), ?q=, ?run=)");
        evidence.MapGet("/{id:guid}", Get).WithAccess(Access.OrgAuditor).WithSummary("One evidence item with its SHA-256, size, period and links");
        evidence.MapGet("/{id:guid}/content", Content).WithAccess(Access.OrgAuditor)
            .WithSummary("Download an item's content (always as an attachment, never rendered)");
        return api;
    }

    private static async Task<IResult> Upload(HttpContext context, CurrentOrg currentOrg, CurrentUser user, EvidenceService evidence, CancellationToken ct)
    {
        var request = context.Request;
        var origin = user.TokenId is { } tokenId
            ? new EvidenceOrigin(EvidenceSource.Token, user.Id, tokenId)
            : new EvidenceOrigin(EvidenceSource.Upload, user.Id);

        EvidenceRecorded recorded;
        if (request.HasJsonContentType())
        {
            var metadata = await ReadMetadataAsync(request.Body, ct);
            recorded = await evidence.AddAsync(currentOrg.Id, metadata, null, origin, ct);
        }
        else if (MediaTypeHeaderValue.TryParse(request.ContentType, out var type) && type.MediaType.Equals("multipart/form-data", StringComparison.OrdinalIgnoreCase))
        {
            recorded = await ReadMultipartAsync(context, type, currentOrg.Id, origin, evidence, ct);
        }
        else
        {
            throw UseCaseException.Invalid("body", "Send multipart/form-data with a 'file' part and a 'metadata' JSON part, or application/json for a link or note.");
        }

        var dto = ToDto(recorded.Item, currentOrg.Slug, Today(context));
        return recorded.Created
            ? TypedResults.Created($"/api/v1/orgs/{currentOrg.Slug}/evidence/{recorded.Item.Id}", dto)
            : TypedResults.Ok(dto);
    }

    /// <summary>
    /// Reads the multipart body section by section: the file is streamed straight into the store (never
    /// buffered whole), and the metadata is checked before the file when it comes first.
    /// </summary>
    private static async Task<EvidenceRecorded> ReadMultipartAsync(
        HttpContext context, MediaTypeHeaderValue type, Guid organisationId, EvidenceOrigin origin, EvidenceService evidence, CancellationToken ct)
    {
        var limit = evidence.MaxUploadBytes + EnvelopeBytes;
        if (context.Request.ContentLength > limit)
        {
            throw UseCaseException.Invalid("file", $"The upload is larger than the {ContentTooLargeException.Describe(evidence.MaxUploadBytes)} limit.");
        }

        if (context.Features.Get<IHttpMaxRequestBodySizeFeature>() is { IsReadOnly: false } size)
        {
            size.MaxRequestBodySize = limit;
        }

        var boundary = HeaderUtilities.RemoveQuotes(type.Boundary).Value;
        if (string.IsNullOrEmpty(boundary))
        {
            throw UseCaseException.Invalid("body", "The multipart Content-Type has no boundary.");
        }

        // A 64 KB buffer instead of the reader's 4 KB default: the file section is handed out in larger reads.
        var reader = new MultipartReader(boundary, context.Request.Body, MultipartBufferBytes) { BodyLengthLimit = null };
        EvidenceInput? input = null;
        CheckedEvidence? checkedInput = null;
        StoredContent? stored = null;
        string? fileName = null;
        string? contentType = null;
        try
        {
            MultipartSection? section;
            while ((section = await reader.ReadNextSectionAsync(ct)) is not null)
            {
                if (!ContentDispositionHeaderValue.TryParse(section.ContentDisposition, out var disposition)
                    || !disposition.DispositionType.Equals("form-data", StringComparison.OrdinalIgnoreCase))
                {
                    throw UseCaseException.Invalid("body", "Every multipart part needs a Content-Disposition: form-data header with a name.");
                }

                var name = HeaderUtilities.RemoveQuotes(disposition.Name).Value ?? "";
                switch (name)
                {
                    case "metadata":
                        if (input is not null)
                        {
                            throw UseCaseException.Invalid("metadata", "Send one 'metadata' part.");
                        }

                        input = await ReadMetadataAsync(section.Body, ct);
                        break;
                    case "file":
                        if (stored is not null)
                        {
                            throw UseCaseException.Invalid("file", "Send one 'file' part per upload; push several files as several uploads.");
                        }

                        // Metadata first (as the command line sends it): refuse bad metadata before taking the bytes.
                        if (input is not null)
                        {
                            checkedInput = await evidence.CheckAsync(organisationId, input, hasContent: true, ct);
                        }

                        fileName = disposition.FileNameStar.HasValue ? disposition.FileNameStar.Value : HeaderUtilities.RemoveQuotes(disposition.FileName).Value;
                        contentType = section.ContentType;
                        stored = await evidence.StoreAsync(section.Body, ct);
                        break;
                    default:
                        throw UseCaseException.Invalid(name.Length == 0 ? "body" : name, $"Unknown part '{name}': an upload has a 'file' part and a 'metadata' part.");
                }
            }
        }
        catch (IOException e) when (e.Message.Contains("Unexpected end", StringComparison.OrdinalIgnoreCase))
        {
            throw UseCaseException.Invalid("body", "The multipart body ended before its closing boundary.");
        }
        catch (InvalidDataException e)
        {
            throw UseCaseException.Invalid("body", $"The multipart body could not be read: {e.Message}");
        }

        input ??= new EvidenceInput();
        checkedInput ??= await evidence.CheckAsync(organisationId, input, stored is not null, ct);
        return await evidence.RecordAsync(organisationId, checkedInput, stored, fileName, contentType, origin, ct);
    }

    private static async Task<EvidenceInput> ReadMetadataAsync(Stream body, CancellationToken ct)
    {
        var buffer = new MemoryStream();
        var chunk = new byte[8192];
        int read;
        while ((read = await body.ReadAsync(chunk, ct)) > 0)
        {
            if (buffer.Length + read > MetadataMaxBytes)
            {
                throw UseCaseException.Invalid("metadata", $"The metadata is larger than {MetadataMaxBytes / 1024} KB.");
            }

            buffer.Write(chunk, 0, read);
        }

        EvidenceMetadata? metadata;
        try
        {
            metadata = buffer.Length == 0 ? null : JsonSerializer.Deserialize<EvidenceMetadata>(buffer.ToArray(), MetadataJson);
        }
        catch (JsonException e)
        {
            var path = e.Path is { Length: > 2 } p ? p[2..] : null;
            if (e.Message.Contains("could not be mapped", StringComparison.Ordinal))
            {
                throw UseCaseException.Invalid("metadata", $"The metadata has an unknown field '{path}'. Known fields: {KnownFields}.");
            }

            var message = e.Message.Split(". Path:", 2)[0].Split(" Path:", 2)[0];
            throw UseCaseException.Invalid(path is null ? "metadata" : $"metadata.{path}", $"The metadata is not valid: {message}");
        }

        if (metadata is null)
        {
            throw UseCaseException.Invalid("metadata", "The metadata part is empty; send a JSON object.");
        }

        EvidenceKind? kind = null;
        if (metadata.Kind is not null)
        {
            kind = EvidenceNames.TryParseKind(metadata.Kind, out var parsed) ? parsed
                : throw UseCaseException.Invalid("metadata.kind", $"kind must be one of {EvidenceNames.KindNames}.");
        }

        return new EvidenceInput
        {
            Title = metadata.Title,
            Description = metadata.Description,
            Kind = kind,
            PeriodFrom = metadata.PeriodFrom,
            PeriodTo = metadata.PeriodTo,
            CollectedAt = metadata.CollectedAt,
            ActivityId = metadata.ActivityId,
            OccurrenceId = metadata.OccurrenceId,
            ControlId = metadata.ControlId,
            FrameworkId = metadata.FrameworkId,
            RetainUntil = metadata.RetainUntil,
            ClientKey = metadata.ClientKey,
            Supersedes = metadata.Supersedes,
            Url = metadata.Url,
            Text = metadata.Text,
            Report = metadata.Report,
        };
    }

    private static async Task<Ok<PageDto<EvidenceItemDto>>> List(
        Guid? activity, Guid? occurrence, Guid? control, Guid? framework, string? kind, string? status, DateOnly? from, DateOnly? to, string? q, Guid? run,
        int? page, int? pageSize, HttpContext context, CurrentOrg currentOrg, EvidenceService evidence, CancellationToken ct)
    {
        var query = new EvidenceQuery(
            activity, occurrence, control, framework,
            kind is null ? null : EvidenceNames.TryParseKind(kind, out var k) ? k : throw UseCaseException.Invalid("kind", $"kind must be one of {EvidenceNames.KindNames}."),
            status is null ? null : EvidenceNames.TryParseStatus(status, out var s) ? s : throw UseCaseException.Invalid("status", $"status must be one of {EvidenceNames.StatusNames}."),
            from, to, q, run);
        var items = await evidence.ListAsync(currentOrg.Id, query, PagingApi.Read(page, pageSize), ct);
        var today = Today(context);
        return TypedResults.Ok(items.ToDto(i => ToDto(i, currentOrg.Slug, today)));
    }

    private static async Task<Ok<EvidenceItemDto>> Get(Guid id, HttpContext context, CurrentOrg currentOrg, EvidenceService evidence, CancellationToken ct) =>
        TypedResults.Ok(ToDto(await evidence.GetAsync(currentOrg.Id, id, ct), currentOrg.Slug, Today(context)));

    private static async Task<IResult> Content(Guid id, HttpContext context, CurrentOrg currentOrg, EvidenceService evidence, CancellationToken ct)
    {
        var (item, content) = await evidence.OpenContentAsync(currentOrg.Id, id, ct);
        context.Response.Headers.ETag = $"\"{item.Sha256}\"";
        context.Response.Headers["Digest"] = $"sha-256={Convert.ToBase64String(Convert.FromHexString(item.Sha256!))}";
        return EvidenceUpload.Attachment(context, content, item.FileName ?? "evidence", item.ContentType);
    }

    private static DateOnly Today(HttpContext context) =>
        DateOnly.FromDateTime(context.RequestServices.GetRequiredService<TimeProvider>().GetUtcNow().UtcDateTime);

    public static EvidenceItemDto ToDto(EvidenceItem item, string orgSlug, DateOnly today)
    {
        ArgumentNullException.ThrowIfNull(item);
        return new EvidenceItemDto(
            item.Id, item.Title, item.Description, item.Kind.ToName(), item.StatusOn(today).ToName(),
            item.PeriodFrom, item.PeriodTo, item.CollectedAt, item.RecordedAt,
            item.Source.ToName(), item.SourceUser?.Email, item.SourceTokenId, item.CollectorRunId,
            item.FileName, item.ContentType, item.Size, item.Sha256, item.Url,
            item.RetainUntil, item.SupersedesId, item.SupersededById, item.ClientKey,
            [.. item.Links.Where(l => l.ActivityId is not null).Select(l => l.ActivityId!.Value)],
            [.. item.Links.Where(l => l.OccurrenceId is not null).Select(l => l.OccurrenceId!.Value)],
            [.. item.Links.Where(l => l.ControlId is not null).Select(l => l.ControlId!.Value)],
            [.. item.Links.Where(l => l.FrameworkId is not null).Select(l => l.FrameworkId!.Value)],
            item.Sha256 is null ? null : $"/api/v1/orgs/{orgSlug}/evidence/{item.Id}/content");
    }
}

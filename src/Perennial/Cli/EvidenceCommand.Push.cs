using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Http.Headers;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using Microsoft.AspNetCore.StaticFiles;

namespace Perennial.Cli;

/// <summary>What <c>perennial evidence push</c> was asked to do, as typed.</summary>
internal sealed record EvidencePushRequest(
    string Server, string? Token, string Org, string? Activity, string? Control, string? PeriodFrom, string? PeriodTo,
    string? Title, string? ClientKey, string? Report, int Retries, IReadOnlyList<string> Files);

/// <summary>
/// Uploads files to <c>POST /api/v1/orgs/{org}/evidence</c>: metadata part first, then the file streamed
/// from disk. Each file is hashed locally first; the server's SHA-256 must match. Every upload carries a
/// client key, so retrying after a lost answer (here, or by re-running the CI job) records the item once.
/// </summary>
internal sealed class EvidencePusher(TextWriter stdout, TextWriter stderr, bool interactive)
{
    /// <summary>Files at least this large get a progress display.</summary>
    private const long ProgressThreshold = 1024 * 1024;

    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web)
    {
        DefaultIgnoreCondition = System.Text.Json.Serialization.JsonIgnoreCondition.WhenWritingNull,
    };

    private static readonly FileExtensionContentTypeProvider ContentTypes = new();

    /// <summary>The first back-off; doubled on every retry. Tests shorten it.</summary>
    public TimeSpan RetryDelay { get; init; } = TimeSpan.FromSeconds(1);

    public async Task<int> RunAsync(EvidencePushRequest request, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(request);
        if (Validate(request) is not { } target)
        {
            return 2;
        }

        using var http = new HttpClient(new SocketsHttpHandler { ConnectTimeout = TimeSpan.FromSeconds(30), AutomaticDecompression = DecompressionMethods.None })
        {
            Timeout = Timeout.InfiniteTimeSpan,
        };
        http.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", request.Token);
        http.DefaultRequestHeaders.UserAgent.Add(new ProductInfoHeaderValue("perennial-cli", typeof(EvidencePusher).Assembly.GetName().Version?.ToString(3) ?? "1"));
        http.DefaultRequestHeaders.Accept.Add(new MediaTypeWithQualityHeaderValue("application/json"));

        var failed = 0;
        for (var i = 0; i < request.Files.Count; i++)
        {
            var outcome = await PushFileAsync(http, request, target, request.Files[i], ct);
            if (outcome == Outcome.Pushed)
            {
                continue;
            }

            failed++;
            var left = request.Files.Count - i - 1;
            if (outcome == Outcome.FailedForAll && left > 0)
            {
                await stderr.WriteLineAsync($"error: {left} more file(s) not pushed.");
                failed += left;
                break;
            }
        }

        if (failed > 0 && request.Files.Count > 1)
        {
            await stderr.WriteLineAsync($"error: {failed} of {request.Files.Count} file(s) were not pushed.");
        }

        return failed == 0 ? 0 : 1;
    }

    private enum Outcome
    {
        Pushed,
        Failed,

        /// <summary>A failure every further file would meet too (bad token, server unreachable).</summary>
        FailedForAll,
    }

    /// <summary>The checked target: where to post and the metadata shared by every file.</summary>
    private sealed record Target(Uri Endpoint, Guid? ActivityId, Guid? ControlId, DateOnly? PeriodFrom, DateOnly? PeriodTo);

    private Target? Validate(EvidencePushRequest r)
    {
        string? problem = null;
        if (!Uri.TryCreate(r.Server, UriKind.Absolute, out var server) || (server.Scheme != Uri.UriSchemeHttp && server.Scheme != Uri.UriSchemeHttps))
        {
            problem = $"--server '{r.Server}' is not an http(s) address such as https://isms.example.com.";
        }
        else if (string.IsNullOrWhiteSpace(r.Token))
        {
            problem = $"give an API token with --token or the {EvidenceCommand.TokenVariable} environment variable.";
        }
        else if (string.IsNullOrWhiteSpace(r.Org))
        {
            problem = "--org needs the organisation's slug.";
        }
        else if ((r.Activity is null) == (r.Control is null))
        {
            problem = "name what the evidence is for with exactly one of --activity ID or --control ID.";
        }
        else if (r.Activity is not null && !Guid.TryParse(r.Activity, out _))
        {
            problem = $"--activity '{r.Activity}' is not an id (a GUID, as the API and the activity page show it).";
        }
        else if (r.Control is not null && !Guid.TryParse(r.Control, out _))
        {
            problem = $"--control '{r.Control}' is not an id (a GUID, as the API and the control page show it).";
        }
        else if (r.PeriodFrom is not null && !IsDate(r.PeriodFrom))
        {
            problem = $"--period-from '{r.PeriodFrom}' is not a date in the form YYYY-MM-DD.";
        }
        else if (r.PeriodTo is not null && !IsDate(r.PeriodTo))
        {
            problem = $"--period-to '{r.PeriodTo}' is not a date in the form YYYY-MM-DD.";
        }
        else if (r.PeriodFrom is not null && r.PeriodTo is not null && Date(r.PeriodFrom) > Date(r.PeriodTo))
        {
            problem = $"--period-from ({r.PeriodFrom}) is after --period-to ({r.PeriodTo}).";
        }
        else if (r.ClientKey is not null && r.Files.Count != 1)
        {
            problem = "--client-key names one upload; push one FILE with it, or leave it out to get a key per file.";
        }
        else if (r.Retries is < 0 or > 10)
        {
            problem = "--retries must be between 0 and 10.";
        }
        else if (r.Files.Count == 0)
        {
            problem = "name at least one FILE to push.";
        }
        else if (r.Files.FirstOrDefault(f => !File.Exists(f)) is { } missing)
        {
            problem = Directory.Exists(missing) ? $"'{missing}' is a folder; name the files in it." : $"no file '{missing}'.";
        }

        if (problem is not null)
        {
            stderr.WriteLine($"error: {problem}");
            return null;
        }

        var endpoint = new Uri($"{server!.GetLeftPart(UriPartial.Path).TrimEnd('/')}/api/v1/orgs/{Uri.EscapeDataString(r.Org.Trim())}/evidence");
        return new Target(
            endpoint,
            r.Activity is null ? null : Guid.Parse(r.Activity),
            r.Control is null ? null : Guid.Parse(r.Control),
            r.PeriodFrom is null ? null : Date(r.PeriodFrom),
            r.PeriodTo is null ? null : Date(r.PeriodTo));
    }

    private static bool IsDate(string text) => DateOnly.TryParseExact(text, "yyyy-MM-dd", CultureInfo.InvariantCulture, DateTimeStyles.None, out _);

    private static DateOnly Date(string text) => DateOnly.ParseExact(text, "yyyy-MM-dd", CultureInfo.InvariantCulture);

    private async Task<Outcome> PushFileAsync(HttpClient http, EvidencePushRequest request, Target target, string path, CancellationToken ct)
    {
        string sha256;
        long size;
        try
        {
            await using var local = OpenFile(path);
            size = local.Length;
            sha256 = Convert.ToHexStringLower(await SHA256.HashDataAsync(local, ct));
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            await stderr.WriteLineAsync($"error: {path}: cannot read the file: {e.Message}");
            return Outcome.Failed;
        }

        var metadata = new Dictionary<string, object?>
        {
            ["title"] = request.Title,
            ["activityId"] = target.ActivityId,
            ["controlId"] = target.ControlId,
            ["periodFrom"] = target.PeriodFrom?.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture),
            ["periodTo"] = target.PeriodTo?.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture),
            ["clientKey"] = request.ClientKey ?? DefaultClientKey(request, target, sha256),
            ["report"] = request.Report,
        };
        var metadataJson = JsonSerializer.Serialize(metadata.Where(m => m.Value is not null).ToDictionary(), Json);

        for (var attempt = 0; ; attempt++)
        {
            string? retryable;
            try
            {
                using var response = await SendAsync(http, target.Endpoint, metadataJson, path, size, ct);
                var body = await response.Content.ReadAsStringAsync(ct);
                if (response.IsSuccessStatusCode)
                {
                    return await ReportAsync(path, sha256, size, response.StatusCode, body);
                }

                var status = (int)response.StatusCode;
                if (status < 500 && status is not (408 or 429))
                {
                    await stderr.WriteLineAsync($"error: {path}: {Refusal(response, body, request.Org)}");
                    return status is 401 or 403 ? Outcome.FailedForAll : Outcome.Failed;
                }

                retryable = $"the server answered {status} {response.ReasonPhrase}: {Detail(body) ?? "no detail"}";
            }
            catch (HttpRequestException e)
            {
                retryable = $"cannot reach {target.Endpoint.GetLeftPart(UriPartial.Authority)}: {e.Message}";
            }
            catch (IOException e)
            {
                retryable = $"the connection to {target.Endpoint.GetLeftPart(UriPartial.Authority)} failed: {e.Message}";
            }
            catch (UnauthorizedAccessException e)
            {
                await stderr.WriteLineAsync($"error: {path}: cannot read the file: {e.Message}");
                return Outcome.Failed;
            }

            if (attempt >= request.Retries)
            {
                var tries = attempt + 1;
                await stderr.WriteLineAsync($"error: {path}: {retryable} (gave up after {tries} attempt{(tries == 1 ? "" : "s")}).");
                return Outcome.FailedForAll;
            }

            var delay = RetryDelay * Math.Pow(2, attempt);
            await stderr.WriteLineAsync($"warning: {path}: {retryable}; retrying in {delay.TotalSeconds:0.#} s with the same client key.");
            await Task.Delay(delay, ct);
        }
    }

    private async Task<HttpResponseMessage> SendAsync(HttpClient http, Uri endpoint, string metadataJson, string path, long size, CancellationToken ct)
    {
        await using var file = OpenFile(path);
        var name = Path.GetFileName(path);
        Progress? progress = size >= ProgressThreshold ? new Progress(stderr, interactive, name, size) : null;
        using var multipart = new MultipartFormDataContent();

        // The metadata goes first so that the server refuses a wrong target before it takes the bytes.
        multipart.Add(new StringContent(metadataJson, Encoding.UTF8, "application/json"), "metadata");
        var content = new StreamContent(progress is null ? file : new ProgressStream(file, progress), 256 * 1024);
        content.Headers.ContentType = new MediaTypeHeaderValue(ContentTypes.TryGetContentType(name, out var type) ? type : "application/octet-stream");
        multipart.Add(content, "file", name);
        using var message = new HttpRequestMessage(HttpMethod.Post, endpoint) { Content = multipart };
        try
        {
            return await http.SendAsync(message, HttpCompletionOption.ResponseContentRead, ct);
        }
        finally
        {
            progress?.Finish();
        }
    }

    private static FileStream OpenFile(string path) =>
        new(path, FileMode.Open, FileAccess.Read, FileShare.Read, 256 * 1024, FileOptions.Asynchronous | FileOptions.SequentialScan);

    private async Task<Outcome> ReportAsync(string path, string sha256, long size, HttpStatusCode status, string body)
    {
        string? id = null, serverSha = null;
        long? serverSize = null;
        try
        {
            using var json = JsonDocument.Parse(body);
            var root = json.RootElement;
            id = root.TryGetProperty("id", out var i) ? i.GetString() : null;
            serverSha = root.TryGetProperty("sha256", out var s) ? s.GetString() : null;
            serverSize = root.TryGetProperty("size", out var z) && z.ValueKind == JsonValueKind.Number ? z.GetInt64() : null;
        }
        catch (JsonException)
        {
        }

        if (id is null || serverSha is null)
        {
            await stderr.WriteLineAsync($"error: {path}: the server answered {(int)status} without an evidence item; is --server a Perennial address?");
            return Outcome.Failed;
        }

        if (!string.Equals(serverSha, sha256, StringComparison.OrdinalIgnoreCase) || serverSize != size)
        {
            await stderr.WriteLineAsync(
                $"error: {path}: the server recorded item {id} with sha256 {serverSha} ({serverSize} bytes), but the file has sha256 {sha256} ({size} bytes): "
                + "the file changed while it was pushed, or was altered on the way.");
            return Outcome.Failed;
        }

        if (status == HttpStatusCode.OK)
        {
            await stderr.WriteLineAsync($"{path}: already recorded as item {id} (same client key and content); not stored again.");
        }

        await stdout.WriteLineAsync(string.Create(CultureInfo.InvariantCulture, $"{id} {sha256} {size} {path}"));
        return Outcome.Pushed;
    }

    /// <summary>
    /// One key per file, organisation, target, period and title: re-running the same push records
    /// nothing new, while the same file pushed for another period or control is a new item. Without a
    /// period the server dates the item today, so today is part of the key.
    /// </summary>
    private static string DefaultClientKey(EvidencePushRequest r, Target t, string sha256)
    {
        var period = t.PeriodFrom is null && t.PeriodTo is null
            ? "today " + DateOnly.FromDateTime(TimeProvider.System.GetUtcNow().UtcDateTime).ToString("yyyy-MM-dd", CultureInfo.InvariantCulture)
            : $"{t.PeriodFrom:yyyy-MM-dd}..{t.PeriodTo:yyyy-MM-dd}";
        var identity = string.Join('\n', r.Org.Trim(), t.ActivityId?.ToString() ?? "", t.ControlId?.ToString() ?? "", period, r.Title ?? "", r.Report ?? "", sha256);
        return "cli-" + Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(identity)));
    }

    private static string Refusal(HttpResponseMessage response, string body, string org)
    {
        var status = $"{(int)response.StatusCode} {response.ReasonPhrase}";
        var detail = Detail(body);
        return (int)response.StatusCode switch
        {
            401 => $"the server refused the token ({status}): check --token; it may be mistyped, revoked or expired.",
            403 => $"the token's account may not add evidence to '{org}' ({status}): it needs the contributor role or above there.{(detail is null ? "" : " " + detail)}",
            404 when detail is null => $"not found ({status}): check --server and --org '{org}'.",
            _ => $"the server refused the upload ({status}): {detail ?? "no detail given"}",
        };
    }

    /// <summary>The ProblemDetails' field and detail, e.g. "activityId: No such activity in this organisation."</summary>
    private static string? Detail(string body)
    {
        try
        {
            using var json = JsonDocument.Parse(body);
            var root = json.RootElement;
            if (root.ValueKind != JsonValueKind.Object)
            {
                return null;
            }

            var detail = root.TryGetProperty("detail", out var d) && d.ValueKind == JsonValueKind.String ? d.GetString()
                : root.TryGetProperty("title", out var t) && t.ValueKind == JsonValueKind.String ? t.GetString() : null;
            string? field = null;
            if (root.TryGetProperty("errors", out var errors) && errors.ValueKind == JsonValueKind.Object)
            {
                field = errors.EnumerateObject().Select(p => p.Name).FirstOrDefault();
            }
            else if (root.TryGetProperty("field", out var f) && f.ValueKind == JsonValueKind.String)
            {
                field = f.GetString();
            }

            return field is null ? detail : $"{field}: {detail}";
        }
        catch (JsonException)
        {
            return body.Length == 0 ? null : body[..Math.Min(body.Length, 300)];
        }
    }

    /// <summary>
    /// Upload progress on stderr: a percentage rewritten in place on a terminal, a line at every quarter
    /// otherwise (CI logs keep every line).
    /// </summary>
    private sealed class Progress(TextWriter stderr, bool interactive, string name, long total)
    {
        private readonly long started = Stopwatch.GetTimestamp();
        private long sent;
        private long lastDrawn;
        private int lastQuarter;
        private bool finished;

        public void Advance(int bytes)
        {
            sent += bytes;
            if (interactive)
            {
                var now = Stopwatch.GetTimestamp();
                if (Stopwatch.GetElapsedTime(lastDrawn, now) >= TimeSpan.FromMilliseconds(200) || sent >= total)
                {
                    lastDrawn = now;
                    stderr.Write($"\r{Line()}   ");
                }
            }
            else
            {
                var quarter = (int)Math.Min(4, sent * 4 / Math.Max(1, total));
                if (quarter > lastQuarter)
                {
                    lastQuarter = quarter;
                    stderr.WriteLine(Line());
                }
            }
        }

        public void Finish()
        {
            if (!finished && interactive)
            {
                finished = true;
                stderr.WriteLine();
            }
        }

        private string Line()
        {
            var seconds = Math.Max(0.001, Stopwatch.GetElapsedTime(started).TotalSeconds);
            const double Mb = 1024 * 1024;
            return string.Create(CultureInfo.InvariantCulture,
                $"{name}: {sent * 100 / Math.Max(1, total),3}%  {sent / Mb:N1} of {total / Mb:N1} MB  {sent / Mb / seconds:N1} MB/s");
        }
    }

    /// <summary>Counts the bytes the HTTP client reads from the file.</summary>
    private sealed class ProgressStream(Stream inner, Progress progress) : Stream
    {
        public override bool CanRead => true;
        public override bool CanSeek => inner.CanSeek;
        public override bool CanWrite => false;
        public override long Length => inner.Length;

        public override long Position
        {
            get => inner.Position;
            set => inner.Position = value;
        }

        public override int Read(byte[] buffer, int offset, int count)
        {
            var read = inner.Read(buffer, offset, count);
            progress.Advance(read);
            return read;
        }

        public override async ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default)
        {
            var read = await inner.ReadAsync(buffer, cancellationToken);
            progress.Advance(read);
            return read;
        }

        public override Task<int> ReadAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) =>
            ReadAsync(buffer.AsMemory(offset, count), cancellationToken).AsTask();

        public override void Flush()
        {
        }

        public override long Seek(long offset, SeekOrigin origin) => inner.Seek(offset, origin);

        public override void SetLength(long value) => throw new NotSupportedException();

        public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();
    }
}

using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Security.Cryptography;
using System.Text.Json;
using Amazon.S3.Model;
using Microsoft.Extensions.DependencyInjection;
using Perennial.Data;
using Perennial.Evidence;
using Perennial.Evidence.Storage;
using Perennial.Tests.Infrastructure;

namespace Perennial.Tests.Evidence;

public sealed class SqliteS3EvidenceApiTests(S3rverFixture s3rver) : S3EvidenceApiTests(DatabaseProvider.Sqlite, s3rver);

public sealed class PostgresS3EvidenceApiTests(S3rverFixture s3rver) : S3EvidenceApiTests(DatabaseProvider.Postgres, s3rver);

/// <summary>Perennial configured with Store=s3: evidence uploaded through the API lands in the bucket under its hash and is verified from there.</summary>
public abstract class S3EvidenceApiTests(DatabaseProvider provider, S3rverFixture s3rver) : IClassFixture<S3rverFixture>
{
    [Fact]
    public async Task Uploaded_evidence_is_kept_in_the_bucket_under_its_hash_and_tampering_there_is_reported()
    {
        var server = await s3rver.ServerAsync();
        var bucket = await server.CreateBucketAsync();
        await using var app = await TestApp.StartAsync(provider, settings: server.Settings(bucket, prefix: "perennial/"));
        var admin = await app.CreateUserAsync("admin@acme.test");
        await app.CreateOrganisationAsync("acme", admin.Id);
        using var api = app.CreateApiClient(await app.CreateTokenAsync(admin.Id));
        var bytes = new byte[3 * 1024 * 1024];
        new Random(42).NextBytes(bytes);
        var sha256 = Convert.ToHexStringLower(SHA256.HashData(bytes));

        using var form = new MultipartFormDataContent();
        var file = new ByteArrayContent(bytes);
        file.Headers.ContentType = new MediaTypeHeaderValue("application/octet-stream");
        form.Add(file, "file"); // no file name: this branch's upload endpoint still refuses parts that carry one
        form.Add(JsonContent.Create(new { title = "Restore test log", periodFrom = "2026-02-01", periodTo = "2026-02-28" }), "metadata");
        using var upload = await api.PostAsync("/api/v1/orgs/acme/evidence", form);
        Assert.True(upload.StatusCode == HttpStatusCode.Created, await upload.Content.ReadAsStringAsync());
        var id = (await upload.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("id").GetGuid();

        var item = await api.GetFromJsonAsync<JsonElement>($"/api/v1/orgs/acme/evidence/{id}");
        Assert.Equal(sha256, item.GetProperty("sha256").GetString());
        Assert.Equal(bytes.Length, item.GetProperty("size").GetInt64());
        Assert.Equal("2026-02-01", item.GetProperty("periodFrom").GetString());
        Assert.Equal(bytes, await api.GetByteArrayAsync($"/api/v1/orgs/acme/evidence/{id}/content"));

        var key = $"perennial/sha256/{sha256[..2]}/{sha256}";
        Assert.Equal([key], await server.KeysAsync(bucket));
        Assert.Equal("s3", app.Services.GetRequiredService<IEvidenceStore>().Name);
        Assert.True((await VerifyAsync(app)).Intact);

        using (var client = server.CreateClient())
        {
            await client.PutObjectAsync(new PutObjectRequest { BucketName = bucket, Key = key, ContentBody = "quietly replaced", UseChunkEncoding = false });
        }

        var problem = Assert.Single((await VerifyAsync(app)).Problems);
        Assert.Equal(id, problem.ItemId);
        Assert.Equal("acme", problem.OrganisationSlug);
        Assert.Contains("content has changed", problem.Problem, StringComparison.Ordinal);
    }

    [Fact]
    public async Task An_upload_is_refused_over_the_limit_and_nothing_reaches_the_bucket()
    {
        var server = await s3rver.ServerAsync();
        var bucket = await server.CreateBucketAsync();
        var settings = server.Settings(bucket);
        settings["Perennial:Evidence:MaxUploadBytes"] = "1024";
        await using var app = await TestApp.StartAsync(provider, settings: settings);
        var admin = await app.CreateUserAsync("admin@acme.test");
        await app.CreateOrganisationAsync("acme", admin.Id);
        using var api = app.CreateApiClient(await app.CreateTokenAsync(admin.Id));

        using var form = new MultipartFormDataContent();
        form.Add(new ByteArrayContent(new byte[4096]), "file");
        form.Add(JsonContent.Create(new { title = "Too big" }), "metadata");
        using var upload = await api.PostAsync("/api/v1/orgs/acme/evidence", form);

        var problem = await upload.Content.ReadAsStringAsync();
        Assert.True(upload.StatusCode == HttpStatusCode.BadRequest, problem);
        Assert.Contains("1 KB limit", problem, StringComparison.Ordinal);
        Assert.Empty(await server.KeysAsync(bucket));
        Assert.Empty(Directory.EnumerateFileSystemEntries(Path.Combine(app.Services.GetRequiredService<DataPaths>().Root, "evidence-tmp")));
    }

    private static Task<EvidenceVerification> VerifyAsync(TestApp app) =>
        app.WithScopeAsync(s => s.GetRequiredService<EvidenceVerifier>().VerifyAsync(null, CancellationToken.None));
}

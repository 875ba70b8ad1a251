using Microsoft.Extensions.DependencyInjection;
using Perennial.Data;
using Perennial.Evidence;
using Perennial.Evidence.Collectors;
using Perennial.Tests.Infrastructure;
using static Perennial.Tests.Evidence.Collectors.DirectorySeed;

namespace Perennial.Tests.Evidence.Collectors;

public sealed class SqliteDirectoryCollectorEvidenceTests() : DirectoryCollectorEvidenceTests(DatabaseProvider.Sqlite);

public sealed class PostgresDirectoryCollectorEvidenceTests() : DirectoryCollectorEvidenceTests(DatabaseProvider.Postgres);

/// <summary>
/// The directory collectors' output stored as evidence: the app registers both collectors, and a stored
/// snapshot's SHA-256 is the SHA-256 of the bytes the collector produced.
/// </summary>
public abstract class DirectoryCollectorEvidenceTests(DatabaseProvider provider) : IAsyncLifetime
{
    private TestApp app = null!;
    private Guid orgId;

    public async ValueTask InitializeAsync()
    {
        app = await TestApp.StartAsync(provider);
        var admin = await app.CreateUserAsync("admin@acme.test");
        orgId = (await app.CreateOrganisationAsync("acme", admin.Id)).Id;
    }

    public async ValueTask DisposeAsync() => await app.DisposeAsync();

    [Fact]
    public void The_app_registers_the_ldap_and_postgres_roles_collectors()
    {
        var kinds = app.Services.GetServices<IEvidenceCollector>().Select(c => c.Kind).ToList();
        Assert.Contains("ldap", kinds);
        Assert.Contains("postgres-roles", kinds);
    }

    [Fact]
    public async Task An_ldap_snapshot_stored_as_evidence_keeps_the_collector_bytes_hash_and_reads_back()
    {
        await using var server = await SlapdServer.StartAsync(Ldif);
        var collector = Collector("ldap");
        var bytes = await CollectBytesAsync(collector, Context(Settings(server), ReaderPassword, app.Time.GetUtcNow()));

        var item = await StoreAsync(bytes, "ldap-accounts.json");

        Assert.Equal(Sha256(bytes), item.Sha256);
        Assert.Equal(bytes.Length, item.Size);
        Assert.Equal(EvidenceKind.Snapshot, item.Kind);
        var stored = await ReadBackAsync(item.Id);
        Assert.Equal(bytes, stored);
        var snapshot = AccountSnapshot.TryParse(stored)!;
        Assert.Equal(5, snapshot.Accounts.Count);
        Assert.Equal(4, snapshot.Groups!.Count);
    }

    [Fact]
    public async Task A_postgres_roles_snapshot_stored_as_evidence_keeps_the_collector_bytes_hash()
    {
        var name = "auditor_" + Guid.NewGuid().ToString("N")[..10];
        await using var roles = await TemporaryRoles.CreateAsync(database: null, [name]);
        await roles.AdminAsync($"CREATE ROLE {name} LOGIN PASSWORD 'Audit-42'");
        var settings = System.Text.Json.JsonSerializer.SerializeToElement(new { connectionString = $"Host={roles.Host};Port={roles.Port};Database=postgres;Username={name}" });
        var bytes = await CollectBytesAsync(Collector("postgres-roles"), Context(settings, "Audit-42", app.Time.GetUtcNow()));

        var item = await StoreAsync(bytes, "postgres-roles.json");

        Assert.Equal(Sha256(bytes), item.Sha256);
        Assert.Contains(AccountSnapshot.TryParse(await ReadBackAsync(item.Id))!.Accounts, a => a.Id == name && !a.Disabled);
    }

    private IEvidenceCollector Collector(string kind) => app.Services.GetServices<IEvidenceCollector>().Single(c => c.Kind == kind);

    private Task<EvidenceItem> StoreAsync(byte[] bytes, string fileName) =>
        app.WithScopeAsync(async services =>
        {
            using var content = new MemoryStream(bytes);
            var recorded = await services.GetRequiredService<EvidenceService>().AddAsync(
                orgId,
                new EvidenceInput { Title = "Accounts snapshot", Kind = EvidenceKind.Snapshot, CollectedAt = app.Time.GetUtcNow() },
                new IncomingContent(content, fileName, AccountSnapshot.ContentType),
                new EvidenceOrigin(EvidenceSource.Collector),
                TestContext.Current.CancellationToken);
            return recorded.Item;
        });

    private Task<byte[]> ReadBackAsync(Guid id) =>
        app.WithScopeAsync(async services =>
        {
            var (_, stream) = await services.GetRequiredService<EvidenceService>().OpenContentAsync(orgId, id, TestContext.Current.CancellationToken);
            await using (stream)
            {
                using var buffer = new MemoryStream();
                await stream.CopyToAsync(buffer, TestContext.Current.CancellationToken);
                return buffer.ToArray();
            }
        });
}

#pragma warning disable CA1861 // Settings are written inline for readability.
using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using System.Text.Json;
using Perennial.Common;
using Perennial.Evidence;
using Perennial.Evidence.Collectors;
using Perennial.Tests.Infrastructure;
using static Perennial.Tests.Evidence.Collectors.DirectorySeed;

namespace Perennial.Tests.Evidence.Collectors;

/// <summary>The LDAP collector against a real slapd loaded with <see cref="DirectorySeed"/>.</summary>
public sealed class LdapCollectorTests : IAsyncLifetime
{
    private readonly LdapCollector collector = new();
    private SlapdServer server = null!;

    public async ValueTask InitializeAsync() => server = await SlapdServer.StartAsync(Ldif);

    public async ValueTask DisposeAsync() => await server.DisposeAsync();

    [Fact]
    public async Task A_snapshot_lists_exactly_the_seeded_people_with_their_groups_read_page_by_page()
    {
        var snapshot = await CollectAsync(collector, Context(Settings(server), ReaderPassword));

        Assert.Equal("ldap", snapshot.Source);
        Assert.Equal($"{server.Url}/{SlapdServer.Suffix}", snapshot.System);
        Assert.Equal(new DateTimeOffset(2026, 3, 2, 9, 0, 0, TimeSpan.Zero), snapshot.TakenAt);
        Assert.Equal(
            [
                new("alice", "Alice Archer", "alice@example.test", false, ["admins"]),
                new("bob", "Bob Baker", "bob@example.test", false, ["admins", "developers"]),
                new("carol", "Carol Cooper", "carol@example.test", false, ["developers", "vpn"]),
                new("dave", "Dave Dyer", "dave@example.test", true, ["developers"]),
                new("erin", "Erin Evans", null, false, ["finance", "vpn"]),
            ],
            snapshot.Accounts.Select(a => a with { Access = [.. a.Access] }).ToList(),
            AccountComparer.Instance);

        var groups = snapshot.Groups!;
        Assert.Equal(["admins", "developers", "finance", "vpn"], groups.Select(g => g.Name));
        Assert.Equal(GroupDn("admins"), groups[0].Id);
        Assert.Equal(["bob", "carol", "dave"], groups[1].Members);
        Assert.Equal(["erin", GhostDn], groups[2].Members);
        Assert.Equal(["carol", "erin"], groups[3].Members);
    }

    [Fact]
    public async Task Naming_groups_narrows_the_snapshot_to_those_groups_and_their_members()
    {
        var snapshot = await CollectAsync(collector, Context(Settings(server, new { groups = new[] { "Developers", "vpn" } }), ReaderPassword));

        Assert.Equal(["bob", "carol", "dave", "erin"], snapshot.Accounts.Select(a => a.Id));
        Assert.Equal(["developers"], snapshot.Accounts.Single(a => a.Id == "bob").Access);
        Assert.Equal(["vpn"], snapshot.Accounts.Single(a => a.Id == "erin").Access);
        Assert.Equal(["developers", "vpn"], snapshot.Groups!.Select(g => g.Name));
    }

    [Fact]
    public async Task A_person_deleted_or_taken_out_of_a_group_is_gone_from_the_next_snapshot()
    {
        var before = await CollectAsync(collector, Context(Settings(server), ReaderPassword));
        Assert.Contains("admins", before.Accounts.Single(a => a.Id == "bob").Access);

        server.Delete(Dn("alice"));
        server.RemoveValue(GroupDn("admins"), "member", Dn("bob"));
        server.RemoveValue(GroupDn("vpn"), "memberUid", "carol");

        var after = await CollectAsync(collector, Context(Settings(server), ReaderPassword));
        Assert.Equal(["bob", "carol", "dave", "erin"], after.Accounts.Select(a => a.Id));
        Assert.Equal(["developers"], after.Accounts.Single(a => a.Id == "bob").Access);
        Assert.Equal(["developers"], after.Accounts.Single(a => a.Id == "carol").Access);
        // The group still names alice's DN (groupOfNames keeps no referential integrity), so the snapshot
        // shows the stale member for the reviewer rather than hiding it.
        Assert.Equal([Dn("alice")], after.Groups!.Single(g => g.Name == "admins").Members);
    }

    [Fact]
    public async Task The_same_directory_gives_the_same_bytes_and_a_change_gives_other_bytes()
    {
        var first = await CollectBytesAsync(collector, Context(Settings(server), ReaderPassword));
        var second = await CollectBytesAsync(collector, Context(Settings(server), ReaderPassword));
        Assert.Equal(Sha256(first), Sha256(second));

        server.AddValue(GroupDn("finance"), "member", Dn("alice"));
        var third = await CollectBytesAsync(collector, Context(Settings(server), ReaderPassword));
        Assert.NotEqual(Sha256(first), Sha256(third));
    }

    [Fact]
    public async Task A_wrong_bind_password_fails_the_run_with_a_message_naming_the_bind_dn()
    {
        var e = await Assert.ThrowsAsync<InvalidOperationException>(() => collector.CollectAsync(Context(Settings(server), "wrong"), TestContext.Current.CancellationToken));
        Assert.Contains("invalid credentials", e.Message, StringComparison.Ordinal);
        Assert.Contains(ReaderDn, e.Message, StringComparison.Ordinal);
        Assert.Contains(server.Url, e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_missing_base_dn_fails_the_run_naming_it()
    {
        var e = await Assert.ThrowsAsync<InvalidOperationException>(() =>
            collector.CollectAsync(Context(Settings(server, new { baseDn = "ou=nowhere,dc=example,dc=test" }), ReaderPassword), TestContext.Current.CancellationToken));
        Assert.Contains("baseDn 'ou=nowhere,dc=example,dc=test' does not exist", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_closed_port_fails_the_run_saying_the_server_is_unreachable()
    {
        var port = SlapdServer.FreePort();
        var settings = Settings(server, new { url = $"ldap://127.0.0.1:{port}" });
        var e = await Assert.ThrowsAsync<InvalidOperationException>(() => collector.CollectAsync(Context(settings, ReaderPassword), TestContext.Current.CancellationToken));
        Assert.Contains($"ldap://127.0.0.1:{port} is unreachable", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_server_that_accepts_but_never_answers_fails_the_run_within_the_timeout()
    {
        using var silent = new TcpListener(IPAddress.Loopback, 0);
        silent.Start();
        var port = ((IPEndPoint)silent.LocalEndpoint).Port;
        var settings = Settings(server, new { url = $"ldap://127.0.0.1:{port}", timeoutSeconds = 2 });

        var clock = Stopwatch.StartNew();
        var e = await Assert.ThrowsAsync<TimeoutException>(() => collector.CollectAsync(Context(settings, ReaderPassword), TestContext.Current.CancellationToken));
        Assert.InRange(clock.Elapsed, TimeSpan.FromSeconds(1.5), TimeSpan.FromSeconds(8));
        Assert.Equal($"The LDAP server ldap://127.0.0.1:{port} did not answer within 2 s.", e.Message);
    }

    [Theory]
    [InlineData("""{"baseDn":"dc=example,dc=test"}""", "settings.url")]
    [InlineData("""{"url":"http://ldap.example.test","baseDn":"dc=example,dc=test"}""", "settings.url")]
    [InlineData("""{"url":"ldap://ldap.example.test/dc=example,dc=test","baseDn":"dc=example,dc=test"}""", "settings.url")]
    [InlineData("""{"url":"ldaps://ldap.example.test"}""", "settings.baseDn")]
    [InlineData("""{"url":"ldap://ldap.example.test","baseDn":"example.test"}""", "settings.baseDn")]
    [InlineData("""{"url":"ldap://ldap.example.test","baseDn":"dc=example,dc=test","userFilter":"objectClass=person"}""", "settings.userFilter")]
    [InlineData("""{"url":"ldap://ldap.example.test","baseDn":"dc=example,dc=test","groupFilter":"(|(cn=a)"}""", "settings.groupFilter")]
    [InlineData("""{"url":"ldap://ldap.example.test","baseDn":"dc=example,dc=test","groups":"admins"}""", "settings.groups")]
    [InlineData("""{"url":"ldap://ldap.example.test","baseDn":"dc=example,dc=test","groups":["admins",""]}""", "settings.groups[1]")]
    [InlineData("""{"url":"ldap://ldap.example.test","baseDn":"dc=example,dc=test","timeoutSeconds":0}""", "settings.timeoutSeconds")]
    [InlineData("""{"url":"ldap://ldap.example.test","baseDn":"dc=example,dc=test","emailAttribute":"mail)(x"}""", "settings.emailAttribute")]
    [InlineData("""[]""", "settings")]
    public void Settings_are_checked_before_saving_naming_the_field(string json, string field)
    {
        using var document = JsonDocument.Parse(json);
        var e = Assert.Throws<UseCaseException>(() => collector.Validate(document.RootElement, "secret"));
        Assert.Equal(UseCaseErrorKind.Validation, e.Kind);
        Assert.Equal(field, e.Field);
    }

    [Fact]
    public void Settings_with_defaults_and_an_ldaps_address_are_accepted()
    {
        using var document = JsonDocument.Parse("""{"url":"ldaps://ldap.example.test","baseDn":"dc=example,dc=test","bindDn":"cn=reader,dc=example,dc=test"}""");
        collector.Validate(document.RootElement, "secret");
        Assert.Equal("ldap", collector.Kind);
    }

    private sealed class AccountComparer : IEqualityComparer<SnapshotAccount>
    {
        public static readonly AccountComparer Instance = new();

        public bool Equals(SnapshotAccount? x, SnapshotAccount? y) =>
            x is not null && y is not null && x.Id == y.Id && x.Name == y.Name && x.Email == y.Email && x.Disabled == y.Disabled && x.Access.SequenceEqual(y.Access);

        public int GetHashCode(SnapshotAccount obj) => obj.Id.GetHashCode(StringComparison.Ordinal);
    }
}

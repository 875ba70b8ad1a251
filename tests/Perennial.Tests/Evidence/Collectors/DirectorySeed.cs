using System.Security.Cryptography;
using System.Text.Json;
using Perennial.Evidence;
using Perennial.Evidence.Collectors;
using Perennial.Tests.Infrastructure;

namespace Perennial.Tests.Evidence.Collectors;

/// <summary>
/// The small company directory the LDAP tests run against: five people, one of them with an expired
/// shadow account, two groupOfNames groups, a posixGroup with memberUid, and a group that still names a
/// person who left.
/// </summary>
internal static class DirectorySeed
{
    public const string People = "ou=people," + SlapdServer.Suffix;
    public const string Groups = "ou=groups," + SlapdServer.Suffix;
    public const string ReaderDn = "cn=reader," + SlapdServer.Suffix;
    public const string ReaderPassword = "reader-secret";
    public const string GhostDn = "uid=ghost," + People;

    public static string Dn(string uid) => $"uid={uid},{People}";

    public static string GroupDn(string cn) => $"cn={cn},{Groups}";

    public const string Ldif = """
        dn: dc=example,dc=test
        objectClass: dcObject
        objectClass: organization
        dc: example
        o: Example Test Ltd

        dn: ou=people,dc=example,dc=test
        objectClass: organizationalUnit
        ou: people

        dn: ou=groups,dc=example,dc=test
        objectClass: organizationalUnit
        ou: groups

        dn: cn=reader,dc=example,dc=test
        objectClass: organizationalRole
        objectClass: simpleSecurityObject
        cn: reader
        userPassword: reader-secret

        dn: uid=alice,ou=people,dc=example,dc=test
        objectClass: inetOrgPerson
        uid: alice
        cn: Alice Archer
        sn: Archer
        mail: alice@example.test

        dn: uid=bob,ou=people,dc=example,dc=test
        objectClass: inetOrgPerson
        uid: bob
        cn: Bob Baker
        sn: Baker
        mail: bob@example.test

        dn: uid=carol,ou=people,dc=example,dc=test
        objectClass: inetOrgPerson
        uid: carol
        cn: Carol Cooper
        sn: Cooper
        mail: carol@example.test

        dn: uid=dave,ou=people,dc=example,dc=test
        objectClass: inetOrgPerson
        objectClass: shadowAccount
        uid: dave
        cn: Dave Dyer
        sn: Dyer
        mail: dave@example.test
        shadowExpire: 19000

        dn: uid=erin,ou=people,dc=example,dc=test
        objectClass: inetOrgPerson
        uid: erin
        cn: Erin Evans
        sn: Evans

        dn: cn=admins,ou=groups,dc=example,dc=test
        objectClass: groupOfNames
        cn: admins
        member: uid=alice,ou=people,dc=example,dc=test
        member: uid=bob,ou=people,dc=example,dc=test

        dn: cn=developers,ou=groups,dc=example,dc=test
        objectClass: groupOfNames
        cn: developers
        member: uid=bob,ou=people,dc=example,dc=test
        member: uid=carol,ou=people,dc=example,dc=test
        member: UID=Dave, OU=People, DC=Example, DC=Test

        dn: cn=finance,ou=groups,dc=example,dc=test
        objectClass: groupOfNames
        cn: finance
        member: uid=erin,ou=people,dc=example,dc=test
        member: uid=ghost,ou=people,dc=example,dc=test

        dn: cn=vpn,ou=groups,dc=example,dc=test
        objectClass: posixGroup
        cn: vpn
        gidNumber: 5001
        memberUid: carol
        memberUid: erin

        """;

    /// <summary>Collector settings for the seeded server, bound as the read-only account; <paramref name="extra"/> adds or overrides fields.</summary>
    public static JsonElement Settings(SlapdServer server, object? extra = null)
    {
        var settings = new Dictionary<string, object?>
        {
            ["url"] = server.Url,
            ["bindDn"] = ReaderDn,
            ["baseDn"] = SlapdServer.Suffix,
            ["pageSize"] = 2,
            ["timeoutSeconds"] = 10,
        };
        if (extra is not null)
        {
            foreach (var property in JsonSerializer.SerializeToElement(extra).EnumerateObject())
            {
                settings[property.Name] = property.Value;
            }
        }

        return JsonSerializer.SerializeToElement(settings);
    }

    public static CollectorRunContext Context(JsonElement settings, string? secret, DateTimeOffset? startedAt = null) =>
        new(Guid.NewGuid(), Guid.NewGuid(), Guid.NewGuid(), "directory", settings, secret,
            startedAt ?? new DateTimeOffset(2026, 3, 2, 9, 0, 0, TimeSpan.Zero), TimeSpan.FromMinutes(1));

    /// <summary>Runs a collector and returns its single output's bytes.</summary>
    public static async Task<byte[]> CollectBytesAsync(IEvidenceCollector collector, CollectorRunContext context)
    {
        var results = await collector.CollectAsync(context, TestContext.Current.CancellationToken);
        var result = Assert.Single(results);
        Assert.Equal(EvidenceKind.Snapshot, result.Kind);
        Assert.Equal(AccountSnapshot.ContentType, result.ContentType);
        await using var content = result.Content;
        using var buffer = new MemoryStream();
        await content.CopyToAsync(buffer, TestContext.Current.CancellationToken);
        return buffer.ToArray();
    }

    public static async Task<AccountSnapshot> CollectAsync(IEvidenceCollector collector, CollectorRunContext context) =>
        AccountSnapshot.TryParse(await CollectBytesAsync(collector, context)) ?? throw new InvalidOperationException("not a snapshot");

    public static string Sha256(byte[] bytes) => Convert.ToHexStringLower(SHA256.HashData(bytes));
}

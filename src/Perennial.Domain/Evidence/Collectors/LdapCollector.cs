using System.DirectoryServices.Protocols;
using System.Globalization;
using System.Net;
using System.Text.Json;
using Perennial.Common;

namespace Perennial.Evidence.Collectors;

/// <summary>
/// Snapshots the users of an LDAP directory and the groups they are in, as an <see cref="AccountSnapshot"/>.
/// Each account's id is its id attribute (uid by default) so that a reviewer recognises it and a later
/// snapshot matches it; an entry without that attribute, or sharing its value with another entry, is
/// identified by its DN instead. Settings are described in COLLECTORS-DIRECTORY.md.
/// </summary>
public sealed class LdapCollector : IEvidenceCollector
{
    public const string DefaultUserFilter = "(objectClass=inetOrgPerson)";
    public const string DefaultGroupFilter = "(|(objectClass=groupOfNames)(objectClass=groupOfUniqueNames)(objectClass=posixGroup))";
    private const int DefaultTimeoutSeconds = 30;
    private const int DefaultPageSize = 500;

    // Operational and schema attributes that mark an account that cannot sign in, across OpenLDAP (ppolicy),
    // 389 Directory Server, posix shadow accounts and Active Directory.
    private const string LockedTime = "pwdAccountLockedTime";
    private const string NsAccountLock = "nsAccountLock";
    private const string ShadowExpire = "shadowExpire";
    private const string UserAccountControl = "userAccountControl";
    private const int AccountDisabledFlag = 0x2;
    private const int LdapTimeout = 85;

    public string Kind => "ldap";

    public string Label => "LDAP directory";

    public void Validate(JsonElement settings, string? secret) => _ = Read(settings);

    public async Task<IReadOnlyList<CollectedEvidence>> CollectAsync(CollectorRunContext context, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(context);
        var settings = Read(context.Settings);
        if (settings.BindDn is not null && string.IsNullOrEmpty(context.Secret))
        {
            throw new InvalidOperationException(
                $"The bind password for '{settings.BindDn}' is not set: store it as the collector's secret (or remove bindDn to bind anonymously).");
        }

        var timeout = settings.TimeoutSeconds is { } seconds
            ? TimeSpan.FromSeconds(seconds)
            : context.Timeout > TimeSpan.Zero && context.Timeout < TimeSpan.FromSeconds(DefaultTimeoutSeconds) ? context.Timeout : TimeSpan.FromSeconds(DefaultTimeoutSeconds);

        // The native client blocks, and an unresponsive server would hold the bind for the operating
        // system's TCP timeout; the run gives up at the configured timeout and the blocked thread ends on
        // its own, disposing its connection.
        var work = Task.Run(() => Search(settings, context.Secret, timeout), CancellationToken.None);
        DirectoryContent directory;
        try
        {
            directory = await work.WaitAsync(timeout, ct);
        }
        catch (TimeoutException e) when (!ct.IsCancellationRequested)
        {
            throw new TimeoutException(TimedOut(settings, timeout), e);
        }

        var snapshot = BuildSnapshot(settings, directory, context.StartedAt);
        return
        [
            new CollectedEvidence(
                $"LDAP accounts and groups: {settings.System}",
                "ldap-accounts.json",
                AccountSnapshot.ContentType,
                new MemoryStream(snapshot.ToJson())),
        ];
    }

    private static LdapSettings Read(JsonElement json)
    {
        DirectoryCollectorSettings.RequireObject(json);
        var url = DirectoryCollectorSettings.RequiredString(json, "url", "the directory's address, e.g. ldap://ldap.example.com:389");
        if (!Uri.TryCreate(url, UriKind.Absolute, out var uri) || (uri.Scheme != "ldap" && uri.Scheme != "ldaps") || uri.Host.Length == 0)
        {
            throw UseCaseException.Invalid("settings.url", "settings.url must be an ldap:// or ldaps:// address with a host, e.g. ldap://ldap.example.com:389.");
        }

        if (uri.AbsolutePath is not ("" or "/") || uri.Query.Length > 0 || uri.UserInfo.Length > 0)
        {
            throw UseCaseException.Invalid("settings.url", "settings.url must be only scheme, host and port; set the base DN in settings.baseDn.");
        }

        var secure = uri.Scheme == "ldaps";
        var port = uri.IsDefaultPort || uri.Port < 0 ? (secure ? 636 : 389) : uri.Port;
        var host = uri.HostNameType == UriHostNameType.IPv6 ? uri.Host.Trim('[', ']') : uri.Host;

        var baseDn = DirectoryCollectorSettings.RequiredString(json, "baseDn", "where users are searched, e.g. ou=people,dc=example,dc=com");
        CheckDn("baseDn", baseDn);
        var bindDn = DirectoryCollectorSettings.String(json, "bindDn");
        if (bindDn is not null)
        {
            CheckDn("bindDn", bindDn);
        }

        var groupBaseDn = DirectoryCollectorSettings.String(json, "groupBaseDn");
        if (groupBaseDn is not null)
        {
            CheckDn("groupBaseDn", groupBaseDn);
        }

        var userFilter = DirectoryCollectorSettings.String(json, "userFilter") ?? DefaultUserFilter;
        CheckFilter("userFilter", userFilter);
        var groupFilter = DirectoryCollectorSettings.String(json, "groupFilter") ?? DefaultGroupFilter;
        CheckFilter("groupFilter", groupFilter);

        int? timeoutSeconds = json.TryGetProperty("timeoutSeconds", out var t) && t.ValueKind != JsonValueKind.Null
            ? DirectoryCollectorSettings.Int(json, "timeoutSeconds", DefaultTimeoutSeconds, 1, 3600)
            : null;

        return new LdapSettings(
            url.TrimEnd('/'),
            host,
            port,
            secure,
            bindDn,
            baseDn,
            userFilter,
            groupBaseDn ?? baseDn,
            groupFilter,
            DirectoryCollectorSettings.StringList(json, "groups"),
            Attribute(json, "idAttribute", "uid"),
            Attribute(json, "nameAttribute", "cn"),
            Attribute(json, "emailAttribute", "mail"),
            timeoutSeconds,
            DirectoryCollectorSettings.Int(json, "pageSize", DefaultPageSize, 1, 10_000));
    }

    private static string Attribute(JsonElement json, string name, string fallback)
    {
        var value = DirectoryCollectorSettings.String(json, name) ?? fallback;
        if (!value.All(c => char.IsAsciiLetterOrDigit(c) || c == '-' || c == ';' || c == '.'))
        {
            throw UseCaseException.Invalid($"settings.{name}", $"settings.{name} must be an attribute name such as {fallback}.");
        }

        return value;
    }

    private static void CheckDn(string field, string dn)
    {
        // A DN is a comma-separated list of attribute=value pairs; anything else is a typo worth naming now
        // rather than a "no such object" from the server at 3 a.m.
        if (!dn.Contains('=', StringComparison.Ordinal) || dn.StartsWith('=') || dn.EndsWith(','))
        {
            throw UseCaseException.Invalid($"settings.{field}", $"settings.{field} must be a distinguished name such as dc=example,dc=com.");
        }
    }

    private static void CheckFilter(string field, string filter)
    {
        var depth = 0;
        foreach (var c in filter)
        {
            depth += c switch { '(' => 1, ')' => -1, _ => 0 };
            if (depth < 0)
            {
                break;
            }
        }

        if (!filter.StartsWith('(') || !filter.EndsWith(')') || depth != 0)
        {
            throw UseCaseException.Invalid($"settings.{field}", $"settings.{field} must be an LDAP filter in parentheses, e.g. {DefaultUserFilter}.");
        }
    }

    private static DirectoryContent Search(LdapSettings settings, string? secret, TimeSpan timeout)
    {
        var identifier = new LdapDirectoryIdentifier(settings.Host, settings.Port, fullyQualifiedDnsHostName: false, connectionless: false);
        using var connection = settings.BindDn is null
            ? new LdapConnection(identifier, null, AuthType.Anonymous)
            : new LdapConnection(identifier, new NetworkCredential(settings.BindDn, secret), AuthType.Basic);
        connection.SessionOptions.ProtocolVersion = 3;
        connection.SessionOptions.ReferralChasing = ReferralChasingOptions.None;
        if (settings.Secure)
        {
            connection.SessionOptions.SecureSocketLayer = true;
        }

        connection.Timeout = timeout;
        try
        {
            connection.Bind();
        }
        catch (LdapException e) when (e.ErrorCode == LdapTimeout)
        {
            throw new TimeoutException(TimedOut(settings, timeout), e);
        }
        catch (LdapException e)
        {
            throw new InvalidOperationException(BindFailure(settings, e), e);
        }

        var userAttributes = new[] { settings.IdAttribute, settings.NameAttribute, settings.EmailAttribute, "uid", LockedTime, NsAccountLock, ShadowExpire, UserAccountControl }
            .Distinct(StringComparer.OrdinalIgnoreCase).ToArray();
        var users = PagedSearch(connection, settings, "baseDn", settings.BaseDn, settings.UserFilter, userAttributes, timeout);
        var groups = PagedSearch(connection, settings, "groupBaseDn", settings.GroupBaseDn, settings.GroupFilter, ["cn", "member", "uniqueMember", "memberUid"], timeout);
        return new DirectoryContent(users, groups);
    }

    private static string TimedOut(LdapSettings settings, TimeSpan timeout) =>
        $"The LDAP server {settings.Url} did not answer within {timeout.TotalSeconds:0} s.";

    private static string BindFailure(LdapSettings settings, LdapException e)
    {
        var who = settings.BindDn is null ? "anonymously" : $"as '{settings.BindDn}'";
        return e.ErrorCode switch
        {
            49 => $"The LDAP server {settings.Url} refused the bind {who}: invalid credentials (check bindDn and the password stored as the secret).",
            81 or 91 => $"The LDAP server {settings.Url} is unreachable: {e.Message}",
            _ => $"Binding {who} to the LDAP server {settings.Url} failed ({e.ErrorCode}): {e.Message} {e.ServerErrorMessage}".TrimEnd(),
        };
    }

    private static List<Entry> PagedSearch(
        LdapConnection connection, LdapSettings settings, string field, string baseDn, string filter, string[] attributes, TimeSpan timeout)
    {
        var entries = new List<Entry>();
        var page = new PageResultRequestControl(settings.PageSize);
        var request = new SearchRequest(baseDn, filter, SearchScope.Subtree, attributes);
        request.Controls.Add(page);
        request.TimeLimit = timeout;
        while (true)
        {
            SearchResponse response;
            try
            {
                response = (SearchResponse)connection.SendRequest(request, timeout);
            }
            catch (LdapException e) when (e.ErrorCode == LdapTimeout)
            {
                throw new TimeoutException(TimedOut(settings, timeout), e);
            }
            catch (DirectoryOperationException e) when (e.Response?.ResultCode == ResultCode.NoSuchObject)
            {
                throw new InvalidOperationException($"The {field} '{baseDn}' does not exist on the LDAP server {settings.Url}.", e);
            }
            catch (DirectoryOperationException e)
            {
                throw new InvalidOperationException($"Searching {baseDn} on the LDAP server {settings.Url} failed ({e.Response?.ResultCode}): {e.Message}", e);
            }
            catch (LdapException e) when (e.ErrorCode == 87)
            {
                throw new InvalidOperationException($"The LDAP filter {filter} is not valid: {e.Message}", e);
            }
            catch (LdapException e)
            {
                throw new InvalidOperationException($"Searching {baseDn} on the LDAP server {settings.Url} failed ({e.ErrorCode}): {e.Message}", e);
            }

            foreach (SearchResultEntry entry in response.Entries)
            {
                entries.Add(ReadEntry(entry));
            }

            var cookie = response.Controls.OfType<PageResultResponseControl>().FirstOrDefault()?.Cookie;
            if (cookie is null || cookie.Length == 0)
            {
                return entries;
            }

            page.Cookie = cookie;
        }
    }

    private static Entry ReadEntry(SearchResultEntry entry)
    {
        var attributes = new Dictionary<string, string[]>(StringComparer.OrdinalIgnoreCase);
        foreach (string name in entry.Attributes.AttributeNames)
        {
            var values = entry.Attributes[name].GetValues(typeof(string)).Cast<string>().ToArray();
            attributes[name] = attributes.TryGetValue(name, out var earlier) ? [.. earlier, .. values] : values;
        }

        return new Entry(entry.DistinguishedName, attributes);
    }

    private static AccountSnapshot BuildSnapshot(LdapSettings settings, DirectoryContent directory, DateTimeOffset takenAt)
    {
        var today = DateOnly.FromDateTime(takenAt.UtcDateTime);
        var idCounts = directory.Users
            .Select(u => u.First(settings.IdAttribute))
            .Where(id => id is not null)
            .GroupBy(id => id!, StringComparer.OrdinalIgnoreCase)
            .ToDictionary(g => g.Key, g => g.Count(), StringComparer.OrdinalIgnoreCase);

        var users = new List<UserBuilder>();
        var byDn = new Dictionary<string, UserBuilder>(StringComparer.Ordinal);
        var byUid = new Dictionary<string, UserBuilder>(StringComparer.OrdinalIgnoreCase);
        foreach (var entry in directory.Users)
        {
            var id = entry.First(settings.IdAttribute);
            if (id is null || idCounts[id] > 1)
            {
                id = entry.Dn;
            }

            var user = new UserBuilder(id, entry.First(settings.NameAttribute), entry.First(settings.EmailAttribute), IsDisabled(entry, today));
            users.Add(user);
            byDn.TryAdd(NormaliseDn(entry.Dn), user);
            if (entry.First("uid") is { } uid)
            {
                byUid.TryAdd(uid, user);
            }
        }

        var wanted = settings.Groups is null ? null : new HashSet<string>(settings.Groups, StringComparer.OrdinalIgnoreCase);
        var groups = new List<SnapshotGroup>();
        foreach (var entry in directory.Groups)
        {
            var name = entry.First("cn") ?? FirstRdnValue(entry.Dn);
            if (wanted is not null && !wanted.Contains(name))
            {
                continue;
            }

            var members = new SortedSet<string>(StringComparer.Ordinal);
            foreach (var value in entry.All("member").Concat(entry.All("uniqueMember")))
            {
                // uniqueMember may carry an optional "#'0101'B" unique identifier after the DN.
                var dn = value.Contains("#'", StringComparison.Ordinal) ? value[..value.LastIndexOf("#'", StringComparison.Ordinal)] : value;
                if (byDn.TryGetValue(NormaliseDn(dn), out var user))
                {
                    user.Access.Add(name);
                    members.Add(user.Id);
                }
                else if (dn.Length > 0)
                {
                    members.Add(dn);
                }
            }

            foreach (var uid in entry.All("memberUid"))
            {
                if (byUid.TryGetValue(uid, out var user))
                {
                    user.Access.Add(name);
                    members.Add(user.Id);
                }
                else
                {
                    members.Add(uid);
                }
            }

            groups.Add(new SnapshotGroup(entry.Dn, name, [.. members]));
        }

        var accounts = users
            .Where(u => wanted is null || u.Access.Count > 0)
            .Select(u => new SnapshotAccount(u.Id, u.Name, u.Email, u.Disabled, [.. u.Access]))
            .OrderBy(a => a.Id, StringComparer.Ordinal)
            .ToList();
        return new AccountSnapshot("ldap", settings.System, takenAt, accounts)
        {
            Groups = [.. groups.OrderBy(g => g.Name, StringComparer.Ordinal).ThenBy(g => g.Id, StringComparer.Ordinal)],
        };
    }

    private static bool IsDisabled(Entry entry, DateOnly today)
    {
        if (entry.First(LockedTime) is not null)
        {
            return true;
        }

        if (string.Equals(entry.First(NsAccountLock), "true", StringComparison.OrdinalIgnoreCase))
        {
            return true;
        }

        // shadowExpire counts days since 1970-01-01; -1 means never.
        if (long.TryParse(entry.First(ShadowExpire), NumberStyles.Integer, CultureInfo.InvariantCulture, out var days) && days >= 0
            && DateOnly.FromDayNumber(new DateOnly(1970, 1, 1).DayNumber + (int)Math.Min(days, 2_000_000)) <= today)
        {
            return true;
        }

        return long.TryParse(entry.First(UserAccountControl), NumberStyles.Integer, CultureInfo.InvariantCulture, out var control)
            && (control & AccountDisabledFlag) != 0;
    }

    /// <summary>Lower-cases a DN and drops the spaces around separators, enough to match member values written by hand.</summary>
    private static string NormaliseDn(string dn)
    {
        var parts = dn.Split(',').Select(rdn =>
        {
            var eq = rdn.IndexOf('=', StringComparison.Ordinal);
            return eq < 0 ? rdn.Trim() : rdn[..eq].Trim() + "=" + rdn[(eq + 1)..].Trim();
        });
        return string.Join(',', parts).ToLowerInvariant();
    }

    private static string FirstRdnValue(string dn)
    {
        var first = dn.Split(',')[0];
        var eq = first.IndexOf('=', StringComparison.Ordinal);
        return eq < 0 ? first : first[(eq + 1)..];
    }

    private sealed record LdapSettings(
        string Url,
        string Host,
        int Port,
        bool Secure,
        string? BindDn,
        string BaseDn,
        string UserFilter,
        string GroupBaseDn,
        string GroupFilter,
        IReadOnlyList<string>? Groups,
        string IdAttribute,
        string NameAttribute,
        string EmailAttribute,
        int? TimeoutSeconds,
        int PageSize)
    {
        /// <summary>What the snapshot says it describes: the server and the part of its tree, LDAP-URL style.</summary>
        public string System => $"{Url}/{BaseDn}";
    }

    private sealed record DirectoryContent(List<Entry> Users, List<Entry> Groups);

    private sealed record Entry(string Dn, Dictionary<string, string[]> Attributes)
    {
        public string? First(string attribute) =>
            Attributes.TryGetValue(attribute, out var values) ? values.FirstOrDefault(v => v.Length > 0) : null;

        public string[] All(string attribute) =>
            Attributes.TryGetValue(attribute, out var values) ? values : [];
    }

    private sealed class UserBuilder(string id, string? name, string? email, bool disabled)
    {
        public string Id { get; } = id;
        public string? Name { get; } = name;
        public string? Email { get; } = email;
        public bool Disabled { get; } = disabled;
        public SortedSet<string> Access { get; } = new(StringComparer.Ordinal);
    }
}

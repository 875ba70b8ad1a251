using System.Text.Json;
using Npgsql;
using Perennial.Common;

namespace Perennial.Evidence.Collectors;

/// <summary>
/// Snapshots the roles of a PostgreSQL server as an <see cref="AccountSnapshot"/>: one account per role
/// with its attributes, the roles it is a member of, what it owns, and the privileges granted to it on
/// databases and on the schemas and tables of the connected database. Everything is read from the system
/// catalogs, which every role may read, so the collector needs no special privilege. Settings are described
/// in COLLECTORS-DIRECTORY.md.
/// </summary>
public sealed class PostgresRolesCollector : IEvidenceCollector
{
    /// <summary>The pseudo-account listing what is granted to every role.</summary>
    public const string PublicId = "PUBLIC";

    private const int DefaultTimeoutSeconds = 30;

    private const string RolesSql = """
        SELECT r.oid, r.rolname, r.rolsuper, r.rolcreaterole, r.rolcreatedb, r.rolreplication, r.rolbypassrls, r.rolcanlogin,
               (r.rolvaliduntil IS NOT NULL AND r.rolvaliduntil < @now) AS expired,
               shobj_description(r.oid, 'pg_authid') AS description
        FROM pg_roles r
        """;

    private const string MembershipsSql = """
        SELECT a.member, g.rolname, a.admin_option
        FROM pg_auth_members a JOIN pg_roles g ON g.oid = a.roleid
        """;

    // Owners hold every privilege on what they own, so ownership is listed once ("owner of table x") and
    // the owner's own entries in the ACL are left out; other entries come from the explicit ACLs (a NULL
    // ACL means only the owner's defaults). Schemas named pg_* and information_schema are the system's.
    private const string PrivilegesSql = """
        WITH objects AS (
            SELECT 'database' AS kind, quote_ident(d.datname) AS name, d.datdba AS owner, d.datacl AS acl
            FROM pg_database d
            WHERE NOT d.datistemplate
            UNION ALL
            SELECT 'schema', quote_ident(n.nspname), n.nspowner, n.nspacl
            FROM pg_namespace n
            WHERE n.nspname NOT LIKE 'pg\_%' AND n.nspname <> 'information_schema'
            UNION ALL
            SELECT CASE c.relkind WHEN 'v' THEN 'view' WHEN 'm' THEN 'materialized view' WHEN 'f' THEN 'foreign table' ELSE 'table' END,
                   quote_ident(n.nspname) || '.' || quote_ident(c.relname), c.relowner, c.relacl
            FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
            WHERE c.relkind IN ('r', 'p', 'v', 'm', 'f') AND n.nspname NOT LIKE 'pg\_%' AND n.nspname <> 'information_schema'
        )
        SELECT o.owner AS grantee, 'owner of ' || o.kind || ' ' || o.name AS access, false AS grantable
        FROM objects o
        UNION ALL
        SELECT a.grantee,
               a.privilege_type || ' on ' || CASE WHEN o.kind IN ('database', 'schema') THEN o.kind || ' ' ELSE '' END || o.name,
               a.is_grantable
        FROM objects o, LATERAL aclexplode(o.acl) a
        WHERE a.grantee <> o.owner
        """;

    public string Kind => "postgres-roles";

    public string Label => "PostgreSQL roles";

    public void Validate(JsonElement settings, string? secret) => _ = Read(settings);

    public async Task<IReadOnlyList<CollectedEvidence>> CollectAsync(CollectorRunContext context, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(context);
        var settings = Read(context.Settings);
        var timeoutSeconds = settings.TimeoutSeconds
            ?? (context.Timeout > TimeSpan.Zero && context.Timeout < TimeSpan.FromSeconds(DefaultTimeoutSeconds) ? Math.Max(1, (int)context.Timeout.TotalSeconds) : DefaultTimeoutSeconds);
        var builder = new NpgsqlConnectionStringBuilder(settings.ConnectionString)
        {
            Password = context.Secret,
            Timeout = timeoutSeconds,
            CommandTimeout = timeoutSeconds,
            Pooling = false,
            ApplicationName = "Perennial evidence collector",
        };
        var where = $"{builder.Host}:{builder.Port}/{builder.Database}";

        await using var connection = new NpgsqlConnection(builder.ConnectionString);
        try
        {
            await connection.OpenAsync(ct);
        }
        catch (PostgresException e) when (e.SqlState is PostgresErrorCodes.InvalidPassword or PostgresErrorCodes.InvalidAuthorizationSpecification)
        {
            throw new InvalidOperationException(
                $"PostgreSQL at {where} refused the sign-in as '{builder.Username}': {e.MessageText} (check the user name and the password stored as the secret).", e);
        }
        catch (PostgresException e) when (e.SqlState == PostgresErrorCodes.InvalidCatalogName)
        {
            throw new InvalidOperationException($"PostgreSQL at {builder.Host}:{builder.Port} has no database '{builder.Database}'.", e);
        }
        catch (PostgresException e)
        {
            throw new InvalidOperationException($"PostgreSQL at {where} refused the connection as '{builder.Username}': {e.MessageText}", e);
        }
        catch (NpgsqlException e) when (!ct.IsCancellationRequested)
        {
            var reason = e.InnerException is TimeoutException ? $"no answer within {timeoutSeconds} s" : e.InnerException?.Message ?? e.Message;
            throw new InvalidOperationException($"Could not connect to PostgreSQL at {where}: {reason}.", e);
        }

        var snapshot = await ReadRolesAsync(connection, settings, where, context.StartedAt, ct);
        return
        [
            new CollectedEvidence(
                $"PostgreSQL roles and privileges: {where}",
                "postgres-roles.json",
                AccountSnapshot.ContentType,
                new MemoryStream(snapshot.ToJson())),
        ];
    }

    private static async Task<AccountSnapshot> ReadRolesAsync(
        NpgsqlConnection connection, PostgresSettings settings, string where, DateTimeOffset takenAt, CancellationToken ct)
    {
        var roles = new Dictionary<uint, RoleBuilder>();
        await using (var command = new NpgsqlCommand(RolesSql, connection))
        {
            command.Parameters.AddWithValue("now", takenAt.ToUniversalTime());
            await using var reader = await command.ExecuteReaderAsync(ct);
            while (await reader.ReadAsync(ct))
            {
                var role = new RoleBuilder(reader.GetString(1), reader.IsDBNull(9) ? null : reader.GetString(9), !reader.GetBoolean(7) || reader.GetBoolean(8));
                string[] attributes = ["superuser", "createrole", "createdb", "replication", "bypassrls"];
                for (var i = 0; i < attributes.Length; i++)
                {
                    if (reader.GetBoolean(2 + i))
                    {
                        role.Access.Add(attributes[i]);
                    }
                }

                roles[reader.GetFieldValue<uint>(0)] = role;
            }
        }

        await using (var command = new NpgsqlCommand(MembershipsSql, connection))
        {
            await using var reader = await command.ExecuteReaderAsync(ct);
            while (await reader.ReadAsync(ct))
            {
                if (roles.TryGetValue(reader.GetFieldValue<uint>(0), out var member))
                {
                    member.Access.Add(reader.GetBoolean(2) ? $"member of {reader.GetString(1)} (with admin option)" : $"member of {reader.GetString(1)}");
                }
            }
        }

        var everyone = new RoleBuilder(PublicId, "every role (PUBLIC)", disabled: true);
        await using (var command = new NpgsqlCommand(PrivilegesSql, connection))
        {
            await using var reader = await command.ExecuteReaderAsync(ct);
            while (await reader.ReadAsync(ct))
            {
                var grantee = reader.GetFieldValue<uint>(0);
                var holder = grantee == 0 ? everyone : roles.GetValueOrDefault(grantee);
                holder?.Access.Add(reader.GetBoolean(2) ? $"{reader.GetString(1)} (with grant option)" : reader.GetString(1));
            }
        }

        var accounts = roles.Values
            .Where(r => settings.IncludeSystemRoles || !r.Name.StartsWith("pg_", StringComparison.Ordinal))
            .Append(everyone)
            .Where(r => r != everyone || r.Access.Count > 0)
            .Select(r => new SnapshotAccount(r.Name, r.Description, null, r.Disabled, [.. r.Access]))
            .OrderBy(a => a.Id, StringComparer.Ordinal)
            .ToList();
        return new AccountSnapshot("postgres", where, takenAt, accounts);
    }

    private static PostgresSettings Read(JsonElement json)
    {
        DirectoryCollectorSettings.RequireObject(json);
        var text = DirectoryCollectorSettings.RequiredString(
            json, "connectionString", "host, port, database and username, e.g. Host=db.example.com;Port=5432;Database=app;Username=auditor");
        NpgsqlConnectionStringBuilder builder;
        try
        {
            builder = new NpgsqlConnectionStringBuilder(text);
        }
        catch (Exception e) when (e is ArgumentException or FormatException or InvalidCastException)
        {
            throw UseCaseException.Invalid("settings.connectionString", $"settings.connectionString is not a valid PostgreSQL connection string: {e.Message}");
        }

        if (!string.IsNullOrEmpty(builder.Password))
        {
            throw UseCaseException.Invalid("settings.connectionString", "settings.connectionString must not contain the password: store it as the collector's secret, which is kept encrypted.");
        }

        if (string.IsNullOrWhiteSpace(builder.Host))
        {
            throw UseCaseException.Invalid("settings.connectionString", "settings.connectionString needs Host.");
        }

        if (string.IsNullOrWhiteSpace(builder.Database))
        {
            throw UseCaseException.Invalid("settings.connectionString", "settings.connectionString needs Database: privileges are read from that database.");
        }

        if (string.IsNullOrWhiteSpace(builder.Username))
        {
            throw UseCaseException.Invalid("settings.connectionString", "settings.connectionString needs Username.");
        }

        int? timeoutSeconds = json.TryGetProperty("timeoutSeconds", out var t) && t.ValueKind != JsonValueKind.Null
            ? DirectoryCollectorSettings.Int(json, "timeoutSeconds", DefaultTimeoutSeconds, 1, 1024)
            : null;
        return new PostgresSettings(text, DirectoryCollectorSettings.Bool(json, "includeSystemRoles", false), timeoutSeconds);
    }

    private sealed record PostgresSettings(string ConnectionString, bool IncludeSystemRoles, int? TimeoutSeconds);

    private sealed class RoleBuilder(string name, string? description, bool disabled)
    {
        public string Name { get; } = name;
        public string? Description { get; } = description;
        public bool Disabled { get; } = disabled;
        public SortedSet<string> Access { get; } = new(StringComparer.Ordinal);
    }
}

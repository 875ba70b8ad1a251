using System.Collections.Concurrent;
using Microsoft.Data.Sqlite;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Infrastructure;

namespace Perennial.Data;

/// <summary>
/// SQLite has one writer at a time; writers that meet a held lock back off by sleeping (up to 100 ms a
/// time), which wastes most of the time under many concurrent writes. Busy write paths queue here
/// instead, one per database file in this process, and meet an unlocked database. A no-op on PostgreSQL.
/// </summary>
public static class SqliteWriteGate
{
    private static readonly ConcurrentDictionary<string, SemaphoreSlim> Gates = new(StringComparer.Ordinal);

    public static async Task<IDisposable> EnterAsync(DatabaseFacade database, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(database);
        if (!database.IsSqlite() || database.CurrentTransaction is not null)
        {
            return Released.Instance;
        }

        var file = new SqliteConnectionStringBuilder(database.GetConnectionString()).DataSource;
        var gate = Gates.GetOrAdd(Path.GetFullPath(file), _ => new SemaphoreSlim(1, 1));
        await gate.WaitAsync(ct);
        return new Holder(gate);
    }

    private sealed class Holder(SemaphoreSlim gate) : IDisposable
    {
        private int released;

        public void Dispose()
        {
            if (Interlocked.Exchange(ref released, 1) == 0)
            {
                gate.Release();
            }
        }
    }

    private sealed class Released : IDisposable
    {
        public static readonly Released Instance = new();

        public void Dispose()
        {
        }
    }
}

using System.Data.Common;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Infrastructure;
using Microsoft.EntityFrameworkCore.Metadata;
using Microsoft.EntityFrameworkCore.Storage;
using Perennial.Data;

namespace Perennial.Reminders;

/// <summary>
/// Queues outbox rows with <c>INSERT … ON CONFLICT (DedupKey) DO NOTHING</c> (SQLite and
/// PostgreSQL alike): a row another sweep queued first is skipped on its own, without failing the
/// rest of the batch or the transaction. Values go through EF Core's own type mappings, so they are
/// stored exactly as EF would store them (UTC ticks on SQLite, enums as names, …).
/// </summary>
internal sealed class OutboxWriter(PerennialDbContext db)
{
    private const int RowsPerStatement = 50;

    /// <summary>Inserts the rows whose dedup key is new; returns how many were inserted.</summary>
    public async Task<int> InsertNewAsync(IReadOnlyList<OutboxMessage> messages, CancellationToken ct)
    {
        if (messages.Count == 0)
        {
            return 0;
        }

        var entity = db.Model.FindEntityType(typeof(OutboxMessage)) ?? throw new InvalidOperationException("OutboxMessage is not mapped.");
        var table = StoreObjectIdentifier.Table(entity.GetTableName()!, entity.GetSchema());
        var sql = db.GetService<ISqlGenerationHelper>();
        var properties = entity.GetProperties().Where(p => p.PropertyInfo is not null).ToList();
        var columns = string.Join(", ", properties.Select(p => sql.DelimitIdentifier(p.GetColumnName(table)!)));
        var dedupColumn = sql.DelimitIdentifier(entity.FindProperty(nameof(OutboxMessage.DedupKey))!.GetColumnName(table)!);
        var into = sql.DelimitIdentifier(table.Name, table.Schema);

        var inserted = 0;
        await using var factory = db.Database.GetDbConnection().CreateCommand();
        foreach (var chunk in messages.Chunk(RowsPerStatement))
        {
            var parameters = new List<DbParameter>();
            var rows = new List<string>();
            foreach (var message in chunk)
            {
                var placeholders = new List<string>();
                foreach (var property in properties)
                {
                    var name = sql.GenerateParameterName("p" + parameters.Count);
                    var mapping = (RelationalTypeMapping)property.GetRelationalTypeMapping();
                    parameters.Add(mapping.CreateParameter(factory, name, property.PropertyInfo!.GetValue(message), property.IsNullable));
                    placeholders.Add(sql.GenerateParameterNamePlaceholder("p" + (parameters.Count - 1)));
                }

                rows.Add("(" + string.Join(", ", placeholders) + ")");
            }

            var statement = $"INSERT INTO {into} ({columns}) VALUES {string.Join(", ", rows)} ON CONFLICT ({dedupColumn}) DO NOTHING";
            inserted += await db.Database.ExecuteSqlRawAsync(statement, parameters, ct);
        }

        return inserted;
    }
}

using System.Data.Common;
using System.Text;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Infrastructure;
using Microsoft.EntityFrameworkCore.Metadata;
using Microsoft.EntityFrameworkCore.Storage;
using Perennial.Data;

namespace Perennial.Benchmarks;

/// <summary>
/// Writes many rows of one entity type with multi-row INSERT statements in one transaction. Table
/// names, column names and value conversions (enums as text, instants as ticks on SQLite) come
/// from the app's own EF model, so the rows are exactly what the app would have written; the
/// change tracker and the audit trail are bypassed, which is what makes seeding fast.
/// </summary>
internal sealed class BulkInserter(PerennialDbContext db)
{
    // Well below both databases' limits on parameters per statement; larger statements are no
    // faster on PostgreSQL and slower on SQLite, whose parameter collection grows quadratically.
    private const int ParametersPerStatement = 1_000;

    public async Task<int> InsertAsync<T>(IEnumerable<T> rows, CancellationToken ct)
        where T : class
    {
        var entityType = db.Model.FindEntityType(typeof(T)) ?? throw new InvalidOperationException($"{typeof(T).Name} is not in the model.");
        var table = StoreObjectIdentifier.Table(entityType.GetTableName()!, entityType.GetSchema());
        var columns = entityType.GetProperties()
            .Select(p => new Column(p, p.GetColumnName(table)!, (RelationalTypeMapping)p.GetRelationalTypeMapping()))
            .ToList();
        var sql = db.GetService<ISqlGenerationHelper>();
        var header = $"INSERT INTO {sql.DelimitIdentifier(table.Name, table.Schema)} ({string.Join(", ", columns.Select(c => sql.DelimitIdentifier(c.Name)))}) VALUES ";
        var rowsPerStatement = Math.Max(1, ParametersPerStatement / columns.Count);

        var connection = db.Database.GetDbConnection();
        await db.Database.OpenConnectionAsync(ct);
        try
        {
            await using var transaction = await connection.BeginTransactionAsync(ct);
            var written = 0;
            foreach (var chunk in rows.Chunk(rowsPerStatement))
            {
                written += await InsertChunkAsync(connection, transaction, header, columns, chunk, sql, ct);
            }

            await transaction.CommitAsync(ct);
            return written;
        }
        finally
        {
            await db.Database.CloseConnectionAsync();
        }
    }

    private static async Task<int> InsertChunkAsync<T>(
        DbConnection connection, DbTransaction transaction, string header, List<Column> columns, T[] chunk, ISqlGenerationHelper sql, CancellationToken ct)
        where T : class
    {
        await using var command = connection.CreateCommand();
        command.Transaction = transaction;
        var text = new StringBuilder(header);
        var n = 0;
        for (var r = 0; r < chunk.Length; r++)
        {
            text.Append(r == 0 ? "(" : ", (");
            for (var c = 0; c < columns.Count; c++)
            {
                var column = columns[c];
                var name = "p" + n++;
                text.Append(c == 0 ? "" : ", ").Append(sql.GenerateParameterNamePlaceholder(name));
                // The type mapping applies the model's value converter, as EF does when it saves.
                var value = column.Property.PropertyInfo!.GetValue(chunk[r]);
                command.Parameters.Add(column.Mapping.CreateParameter(command, sql.GenerateParameterName(name), value, column.Property.IsNullable));
            }

            text.Append(')');
        }

        command.CommandText = text.ToString();
        return await command.ExecuteNonQueryAsync(ct);
    }

    private sealed record Column(IProperty Property, string Name, RelationalTypeMapping Mapping);
}

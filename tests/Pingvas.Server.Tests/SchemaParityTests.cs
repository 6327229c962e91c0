using System.Data.Common;

using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Logging.Abstractions;

using Pingvas.Server.Data;
using Pingvas.Server.Tests.Infrastructure;

namespace Pingvas.Server.Tests;

/// <summary>
/// The three descriptions of the schema agree: the EF Core model the code uses, the SQLite schema
/// and the PostgreSQL schema the hand-written migrations build — tables, columns, types,
/// nullability, named indexes (columns, uniqueness, partial or not) and unique keys.
/// </summary>
public sealed class SchemaParityTests : IAsyncLifetime
{
    /// <summary>Column types by CLR type: (SQLite as declared, PostgreSQL's information_schema name).</summary>
    private static readonly Dictionary<Type, (string Sqlite, string Postgres)> Types = new()
    {
        [typeof(Guid)] = ("TEXT", "uuid"),
        [typeof(string)] = ("TEXT", "text"),
        [typeof(int)] = ("INTEGER", "integer"),
        [typeof(long)] = ("INTEGER", "bigint"),
        [typeof(double)] = ("REAL", "double precision"),
        [typeof(decimal)] = ("REAL", "numeric"),
        [typeof(bool)] = ("INTEGER", "boolean"),
        [typeof(DateTime)] = ("TEXT", "timestamp with time zone"),
    };

    private readonly string folder = Path.Combine(Path.GetTempPath(), "pingvas-tests", Guid.NewGuid().ToString("N"));
    private TestDatabase postgres = null!;
    private PingvasDb sqliteDb = null!;
    private PingvasDb postgresDb = null!;

    public async Task InitializeAsync()
    {
        Directory.CreateDirectory(folder);
        postgres = await TestDatabase.CreatePostgresAsync();
        sqliteDb = new PingvasDb(new DbContextOptionsBuilder<PingvasDb>().UseSqlite($"Data Source={Path.Combine(folder, "schema.db")};Pooling=False").Options);
        postgresDb = postgres.Open(folder);
        foreach (var db in new[] { sqliteDb, postgresDb })
        {
            await new MigrationRunner(db, NullLogger<MigrationRunner>.Instance).MigrateAsync(CancellationToken.None);
        }
    }

    public async Task DisposeAsync()
    {
        await sqliteDb.DisposeAsync();
        await postgresDb.DisposeAsync();
        await postgres.DropAsync();
        Directory.Delete(folder, recursive: true);
    }

    [Fact]
    public async Task The_model_and_both_schemas_have_the_same_tables_columns_types_and_nullability()
    {
        var model = sqliteDb.Model.GetEntityTypes().ToDictionary(
            e => e.GetTableName()!,
            e => e.GetProperties().ToDictionary(
                p => p.GetColumnName(),
                p => (Type: StoreType(p), p.IsNullable)));
        var sqlite = await SqliteColumnsAsync();
        var pg = await PostgresColumnsAsync();

        Assert.Equal(model.Keys.Order(), sqlite.Keys.Order());
        Assert.Equal(model.Keys.Order(), pg.Keys.Order());
        foreach (var (table, columns) in model)
        {
            Assert.True(columns.Keys.Order().SequenceEqual(sqlite[table].Keys.Order()), $"{table}: model {string.Join(",", columns.Keys.Order())} vs SQLite {string.Join(",", sqlite[table].Keys.Order())}");
            Assert.True(columns.Keys.Order().SequenceEqual(pg[table].Keys.Order()), $"{table}: model {string.Join(",", columns.Keys.Order())} vs PostgreSQL {string.Join(",", pg[table].Keys.Order())}");
            foreach (var (column, (type, nullable)) in columns)
            {
                var expected = Types[type];
                Assert.True((expected.Sqlite, nullable) == sqlite[table][column], $"{table}.{column}: model {type.Name} {Null(nullable)}, SQLite {sqlite[table][column]}");
                Assert.True((expected.Postgres, nullable) == pg[table][column], $"{table}.{column}: model {type.Name} {Null(nullable)}, PostgreSQL {pg[table][column]}");
            }
        }
    }

    [Fact]
    public async Task Both_schemas_have_the_same_indexes_and_unique_keys()
    {
        var sqlite = await SqliteIndexesAsync();
        var pg = await PostgresIndexesAsync();

        Assert.Equal(sqlite.Named.Order(), pg.Named.Order());
        Assert.Equal(sqlite.Unique.Order(), pg.Unique.Order());
    }

    private static string Null(bool nullable) => nullable ? "NULL" : "NOT NULL";

    /// <summary>The CLR type the column holds: after a value converter (enums as text), without Nullable.</summary>
    private static Type StoreType(Microsoft.EntityFrameworkCore.Metadata.IProperty property)
    {
        var type = property.GetValueConverter()?.ProviderClrType ?? property.ClrType;
        return Nullable.GetUnderlyingType(type) ?? type;
    }

    private async Task<Dictionary<string, Dictionary<string, (string, bool)>>> SqliteColumnsAsync()
    {
        var tables = await ReadAsync(sqliteDb, "SELECT name FROM pragma_table_list WHERE schema = 'main' AND type = 'table' AND name NOT LIKE 'sqlite_%' AND name <> 'schema_migrations'", r => r.GetString(0));
        var result = new Dictionary<string, Dictionary<string, (string, bool)>>();
        foreach (var table in tables)
        {
            var columns = await ReadAsync(sqliteDb, $"SELECT name, type, \"notnull\" FROM pragma_table_info('{table}')", r => (Name: r.GetString(0), Type: r.GetString(1), NotNull: r.GetInt64(2) == 1));
            result[table] = columns.ToDictionary(c => c.Name, c => (c.Type.ToUpperInvariant(), !c.NotNull));
        }

        return result;
    }

    private async Task<Dictionary<string, Dictionary<string, (string, bool)>>> PostgresColumnsAsync()
    {
        var columns = await ReadAsync(postgresDb, """
            SELECT table_name, column_name, data_type, is_nullable = 'YES'
            FROM information_schema.columns
            WHERE table_schema = current_schema() AND table_name NOT IN ('schema_migrations', 'image_search')
            """, r => (Table: r.GetString(0), Name: r.GetString(1), Type: r.GetString(2), Nullable: r.GetBoolean(3)));
        return columns.GroupBy(c => c.Table).ToDictionary(g => g.Key, g => g.ToDictionary(c => c.Name, c => (c.Type, c.Nullable)));
    }

    /// <summary>
    /// Named indexes as "table.name(columns) unique? partial?", and every unique key as "table(columns)".
    /// Virtual tables (the FTS5 search table) and their shadow tables have no PostgreSQL counterpart.
    /// </summary>
    private async Task<(List<string> Named, List<string> Unique)> SqliteIndexesAsync()
    {
        var indexes = await ReadAsync(sqliteDb, """
            SELECT m.name, l.name, l."unique", l.origin, l.partial
            FROM pragma_table_list m, pragma_index_list(m.name) l
            WHERE m.schema = 'main' AND m.type = 'table' AND m.name NOT LIKE 'sqlite_%' AND m.name <> 'schema_migrations'
            """, r => (Table: r.GetString(0), Name: r.GetString(1), Unique: r.GetInt64(2) == 1, Origin: r.GetString(3), Partial: r.GetInt64(4) == 1));
        var named = new List<string>();
        var unique = new List<string>();
        foreach (var index in indexes)
        {
            var columns = string.Join(",", await ReadAsync(sqliteDb, $"SELECT name FROM pragma_index_info('{index.Name}') ORDER BY seqno", r => r.GetString(0)));
            if (index.Origin == "c")
            {
                named.Add($"{index.Table}.{index.Name}({columns}){(index.Unique ? " unique" : "")}{(index.Partial ? " partial" : "")}");
            }

            if (index.Unique && !index.Partial)
            {
                unique.Add($"{index.Table}({columns})");
            }
        }

        return (named, unique);
    }

    /// <summary>
    /// B-tree indexes only: the search's GIN trigram index has no SQLite counterpart (FTS5 there),
    /// nor has the search side table image_search (0025; PostgreSQL's way around row-level security).
    /// </summary>
    private async Task<(List<string> Named, List<string> Unique)> PostgresIndexesAsync()
    {
        var indexes = await ReadAsync(postgresDb, """
            SELECT t.relname, i.relname, x.indisunique, x.indpred IS NOT NULL, x.indisprimary,
                   EXISTS (SELECT FROM pg_constraint c WHERE c.conindid = x.indexrelid),
                   (SELECT string_agg(a.attname, ',' ORDER BY k.ord)
                    FROM unnest(x.indkey) WITH ORDINALITY k(attnum, ord)
                    JOIN pg_attribute a ON a.attrelid = t.oid AND a.attnum = k.attnum)
            FROM pg_index x
            JOIN pg_class i ON i.oid = x.indexrelid
            JOIN pg_class t ON t.oid = x.indrelid
            JOIN pg_am am ON am.oid = i.relam
            WHERE am.amname = 'btree' AND t.relnamespace = to_regnamespace(current_schema()) AND t.relname NOT IN ('schema_migrations', 'image_search')
            """, r => (Table: r.GetString(0), Name: r.GetString(1), Unique: r.GetBoolean(2), Partial: r.GetBoolean(3),
                Primary: r.GetBoolean(4), Constraint: r.GetBoolean(5), Columns: r.GetString(6)));
        var named = indexes.Where(i => !i.Constraint)
            .Select(i => $"{i.Table}.{i.Name}({i.Columns}){(i.Unique ? " unique" : "")}{(i.Partial ? " partial" : "")}").ToList();
        var unique = indexes.Where(i => i.Unique && !i.Partial && !i.Primary).Select(i => $"{i.Table}({i.Columns})").ToList();

        // SQLite lists a primary key on a rowid-less TEXT column as a unique autoindex: count primary keys on both sides alike.
        unique.AddRange(indexes.Where(i => i.Primary).Select(i => $"{i.Table}({i.Columns})"));
        return (named, unique);
    }

    private static async Task<List<T>> ReadAsync<T>(PingvasDb db, string sql, Func<DbDataReader, T> read)
    {
        var connection = db.Database.GetDbConnection();
        if (connection.State != System.Data.ConnectionState.Open)
        {
            await connection.OpenAsync();
        }

        await using var command = connection.CreateCommand();
        command.CommandText = sql;
        await using var reader = await command.ExecuteReaderAsync();
        var rows = new List<T>();
        while (await reader.ReadAsync())
        {
            rows.Add(read(reader));
        }

        return rows;
    }
}

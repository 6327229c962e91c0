
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;

using Npgsql;

using Pingvas.Core.Credits;
using Pingvas.Server.Credits;
using Pingvas.Server.Data;
using Pingvas.Server.Tests.Infrastructure;

namespace Pingvas.Server.Tests;

/// <summary>
/// Row-level security on PostgreSQL (always, whatever PINGVAS_TEST_DATABASE says): a query keyed to
/// one user that forgets its user filter still reads and writes only that user's rows, system
/// context (entered explicitly) sees everyone's, a scope keyed to nobody sees nothing, every table
/// with a user_id column is covered, and the key never outlives the connection's use. Alice and
/// Bob each generate one image through the real server first.
/// </summary>
public sealed class RowLevelSecurityTests(RowLevelSecurityTests.Fixture fixture) : IClassFixture<RowLevelSecurityTests.Fixture>
{
    private readonly PingvasServer server = fixture.Server;
    private readonly TestUser alice = fixture.Alice;
    private readonly TestUser bob = fixture.Bob;

    /// <summary>
    /// A PostgreSQL server on which Alice and Bob have generated one image each, shared by the
    /// tests: they only read, or write what they then check is refused (one renames Alice's prompt).
    /// </summary>
    public sealed class Fixture() : ServerFixture(new TestSettings(), postgres: true)
    {
        public TestUser Alice { get; private set; } = null!;

        public TestUser Bob { get; private set; } = null!;

        public override async Task InitializeAsync()
        {
            await base.InitializeAsync();
            Alice = await Server.RegisterAsync();
            Bob = await Server.RegisterAsync();
            await Alice.GenerateAsync(TestUser.Request(steps: 1, seed: 1));
            await Bob.GenerateAsync(TestUser.Request(steps: 1, seed: 2));
        }
    }

    [Fact]
    public async Task A_query_without_a_user_filter_sees_only_the_signed_in_users_rows()
    {
        await AsAsync(alice.Id, async db =>
        {
            Assert.Equal(1, await db.Jobs.CountAsync());
            Assert.All(await db.Jobs.ToListAsync(), j => Assert.Equal(alice.Id, j.UserId));
            var images = await db.Images.ToListAsync();
            Assert.Single(images);
            Assert.Equal(alice.Id, images[0].UserId);
            var ledger = await db.Ledger.ToListAsync();
            Assert.NotEmpty(ledger);
            Assert.All(ledger, e => Assert.Equal(alice.Id, e.UserId));
            Assert.Equal((await alice.LedgerAsync()).Count, ledger.Count);
            AssertOnly(alice.Id, await db.Lots.Select(l => l.UserId).ToListAsync());
            AssertOnly(alice.Id, await db.LotHolds.Select(h => h.UserId).ToListAsync());
            AssertOnly(alice.Id, await db.RefreshTokens.Select(t => t.UserId).ToListAsync());

            // Raw SQL is filtered the same way: the policy is in the database, not in the query.
            Assert.Equal(1, await db.Database.SqlQueryRaw<int>("SELECT count(*)::int AS \"Value\" FROM jobs").SingleAsync());
            Assert.Equal(1, await db.Database.SqlQueryRaw<int>("SELECT count(*)::int AS \"Value\" FROM images").SingleAsync());

            // Even naming Bob finds nothing.
            Assert.False(await db.Jobs.AnyAsync(j => j.UserId == bob.Id));
            Assert.False(await db.Ledger.AnyAsync(e => e.UserId == bob.Id));
            return 0;
        });

        await AsAsync(bob.Id, async db =>
        {
            AssertOnly(bob.Id, await db.Jobs.Select(j => j.UserId).ToListAsync());
            AssertOnly(bob.Id, await db.Images.Select(i => i.UserId).ToListAsync());
            AssertOnly(bob.Id, await db.Ledger.Select(e => e.UserId).ToListAsync());
            return 0;
        });
    }

    [Fact]
    public async Task A_scope_keyed_to_nobody_sees_and_writes_no_tenant_rows()
    {
        // Fails closed: neither a signed-in user nor system context entered on purpose.
        await using var scope = server.Services.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<PingvasDb>();
        Assert.Equal(0, await db.Jobs.CountAsync());
        Assert.Equal(0, await db.Images.CountAsync());
        Assert.Equal(0, await db.Ledger.CountAsync());
        Assert.Equal(0, await db.Lots.CountAsync());
        Assert.Equal(0, await db.LotHolds.CountAsync());
        Assert.Equal(0, await db.RefreshTokens.CountAsync());
        Assert.Equal(0, await db.Outbox.CountAsync());
        Assert.Equal(0, await db.Database.SqlQueryRaw<int>("SELECT count(*)::int AS \"Value\" FROM jobs").SingleAsync());
        Assert.Equal(0, await db.Jobs.Where(j => j.UserId == alice.Id).ExecuteUpdateAsync(s => s.SetProperty(j => j.Prompt, "written by nobody")));

        db.Lots.Add(ForgedLot(alice.Id));
        AssertPolicyViolation((await Assert.ThrowsAsync<DbUpdateException>(() => db.SaveChangesAsync())).InnerException);

        // Plain tables without tenant rows stay readable: sign-in looks users up before anyone is signed in.
        Assert.True(await db.Users.AnyAsync(u => u.Id == alice.Id));
        Assert.NotEqual("written by nobody", await AsAsync(null, d => d.Jobs.Where(j => j.UserId == alice.Id).Select(j => j.Prompt).SingleAsync()));
    }

    [Fact]
    public async Task System_scopes_draw_connections_that_start_in_system_context_and_others_keyed_to_nobody()
    {
        // Read with raw commands, past the interceptor: what the connection holds before anyone keys it.
        await using (var system = server.Services.CreateSystemScope())
        {
            Assert.Equal("system", await RawSettingAsync(system.ServiceProvider.GetRequiredService<PingvasDb>()));
        }

        await using var plain = server.Services.CreateAsyncScope();
        Assert.True(string.IsNullOrEmpty(await RawSettingAsync(plain.ServiceProvider.GetRequiredService<PingvasDb>())));
    }

    [Fact]
    public async Task Every_table_with_a_user_id_has_a_forced_row_level_security_policy()
    {
        var tables = await AsAsync(null, db => db.Database.SqlQueryRaw<TableSecurity>("""
            SELECT c.table_name AS "Table", t.relrowsecurity AS "Enabled", t.relforcerowsecurity AS "Forced",
                   (SELECT count(*)::int FROM pg_policy p WHERE p.polrelid = t.oid) AS "Policies"
            FROM information_schema.columns c
            JOIN pg_class t ON t.relname = c.table_name AND t.relnamespace = to_regnamespace(c.table_schema)
            WHERE c.column_name = 'user_id' AND c.table_schema = current_schema()
            ORDER BY c.table_name
            """).ToListAsync());

        // The one exception, by design (0025): the search side table holds ids and text only, every
        // query of it names the user, and its ids are read back from images, under the policy; a
        // policy on it would keep its trigram index from being used (Gallery/ImageSearch.Postgres.cs).
        Assert.Contains(tables, t => t.Table == "image_search" && !t.Forced);
        tables = [.. tables.Where(t => t.Table != "image_search")];

        // The tables known today, so a new one cannot slip in unnoticed without its policy.
        Assert.Superset(new HashSet<string> { "credit_lots", "images", "jobs", "ledger_entries", "lot_holds", "outbox", "refresh_tokens" }, tables.Select(t => t.Table).ToHashSet());
        Assert.All(tables, t => Assert.True(t.Enabled && t.Forced && t.Policies >= 1, $"{t.Table}: enabled {t.Enabled}, forced {t.Forced}, {t.Policies} policies"));
    }

    [Fact]
    public async Task System_context_sees_every_users_rows()
    {
        await AsAsync(null, async db =>
        {
            var both = new[] { alice.Id, bob.Id }.Order().ToList();
            Assert.Equal(both, await db.Jobs.Select(j => j.UserId).Distinct().OrderBy(u => u).ToListAsync());
            Assert.Equal(both, await db.Images.Select(i => i.UserId).Distinct().OrderBy(u => u).ToListAsync());
            Assert.Equal(both, await db.Ledger.Select(e => e.UserId).Distinct().OrderBy(u => u).ToListAsync());
            Assert.Equal(both, await db.Lots.Select(l => l.UserId).Distinct().OrderBy(u => u).ToListAsync());
            Assert.Equal(both, await db.LotHolds.Select(h => h.UserId).Distinct().OrderBy(u => u).ToListAsync());
            Assert.Equal(both, await db.RefreshTokens.Select(t => t.UserId).Distinct().OrderBy(u => u).ToListAsync());
            return 0;
        });
    }

    [Fact]
    public async Task Writes_keyed_to_one_user_cannot_touch_or_create_another_users_rows()
    {
        var bobsLot = await AsAsync(null, db => db.Lots.AsNoTracking().FirstAsync(l => l.UserId == bob.Id));
        var bobsRemaining = bobsLot.Remaining;
        var bobsLedger = await AsAsync(null, db => db.Ledger.CountAsync(e => e.UserId == bob.Id));

        await AsAsync(alice.Id, async db =>
        {
            // An update and deletes that forgot the owner touch Alice's rows only, or none.
            Assert.Equal(1, await db.Jobs.ExecuteUpdateAsync(s => s.SetProperty(j => j.Prompt, "rewritten")));
            Assert.Equal(0, await db.Images.Where(i => i.UserId == bob.Id).ExecuteDeleteAsync());
            Assert.Equal(0, await db.Ledger.Where(e => e.UserId == bob.Id).ExecuteDeleteAsync());
            Assert.Equal(0, await db.Jobs.Where(j => j.UserId == bob.Id).ExecuteDeleteAsync());

            // A tracked change to Bob's row finds no row to update.
            db.Lots.Attach(bobsLot);
            bobsLot.Remaining = 0;
            await Assert.ThrowsAsync<DbUpdateConcurrencyException>(() => db.SaveChangesAsync());
            db.ChangeTracker.Clear();

            // WITH CHECK: no new row for Bob, and no moving Alice's rows to him.
            db.Lots.Add(ForgedLot(bob.Id));
            var insert = await Assert.ThrowsAsync<DbUpdateException>(() => db.SaveChangesAsync());
            AssertPolicyViolation(insert.InnerException);
            db.ChangeTracker.Clear();
            var move = await Assert.ThrowsAsync<PostgresException>(() =>
                db.Lots.ExecuteUpdateAsync(s => s.SetProperty(l => l.UserId, bob.Id)));
            AssertPolicyViolation(move);
            return 0;
        });

        await AsAsync(null, async db =>
        {
            Assert.Equal("rewritten", await db.Jobs.Where(j => j.UserId == alice.Id).Select(j => j.Prompt).SingleAsync());
            Assert.NotEqual("rewritten", await db.Jobs.Where(j => j.UserId == bob.Id).Select(j => j.Prompt).SingleAsync());
            Assert.Single(await db.Images.Where(i => i.UserId == bob.Id).ToListAsync());
            Assert.Equal(bobsLedger, await db.Ledger.CountAsync(e => e.UserId == bob.Id));
            Assert.Equal(bobsRemaining, await db.Lots.Where(l => l.Id == bobsLot.Id && l.UserId == bob.Id).Select(l => l.Remaining).SingleAsync());
            Assert.False(await db.Lots.AnyAsync(l => l.Reason == "forged"));
            return 0;
        });

        // Through the API each sees their own generation, Bob's as it was.
        Assert.NotEqual("rewritten", Assert.Single(await AllAsync(bob)).Prompt);
        Assert.Equal("rewritten", Assert.Single(await AllAsync(alice)).Prompt);
    }

    [Fact]
    public async Task A_pooled_connection_keyed_to_a_user_comes_back_keyed_to_nobody()
    {
        // A pool of one: the second context gets the very connection the first one used.
        var connection = new NpgsqlConnectionStringBuilder(server.Database.ConnectionString)
        {
            MaxPoolSize = 1,
            ApplicationName = $"rls-{Guid.NewGuid():N}",
        }.ConnectionString;

        var tenant = new DatabaseTenant();
        tenant.Set(alice.Id);
        int pid;
        await using (var db = Open(connection, tenant))
        {
            pid = await BackendPidAsync(db);
            Assert.Equal(alice.Id.ToString(), await SettingAsync(db));
            Assert.Equal(1, await db.Jobs.CountAsync());
        }

        // No tenant: the interceptor sends nothing and relies on Npgsql's reset of the returned
        // connection, which leaves it keyed to nobody: no tenant rows at all.
        await using (var db = Open(connection, new DatabaseTenant()))
        {
            Assert.Equal(pid, await BackendPidAsync(db));
            Assert.True(string.IsNullOrEmpty(await SettingAsync(db)), "The previous use's user leaked into the pooled connection.");
            Assert.Equal(0, await db.Jobs.CountAsync());
        }

        // The same holds for a plain Npgsql connection from that pool: set, return, take again.
        await using (var raw = new NpgsqlConnection(connection))
        {
            await raw.OpenAsync();
            await using var set = new NpgsqlCommand($"SELECT set_config('pingvas.user_id', '{alice.Id}', false)", raw);
            await set.ExecuteNonQueryAsync();
        }

        await using (var raw = new NpgsqlConnection(connection))
        {
            await raw.OpenAsync();
            await using var read = new NpgsqlCommand("SELECT pg_backend_pid(), coalesce(current_setting('pingvas.user_id', true), '')", raw);
            await using var reader = await read.ExecuteReaderAsync();
            Assert.True(await reader.ReadAsync());
            Assert.Equal(pid, reader.GetInt32(0));
            Assert.Equal("", reader.GetString(1));
        }

        NpgsqlConnection.ClearPool(new NpgsqlConnection(connection));
    }

    [Fact]
    public async Task The_key_follows_the_tenant_through_transactions_savepoints_and_system_reads()
    {
        await using var scope = server.Services.CreateSystemScope();
        var tenant = scope.ServiceProvider.GetRequiredService<DatabaseTenant>();
        var db = scope.ServiceProvider.GetRequiredService<PingvasDb>();
        await db.Database.OpenConnectionAsync();
        Assert.Equal(2, await db.Jobs.CountAsync());

        // Set inside a transaction that rolls back: PostgreSQL undoes the SET with it.
        await using (var tx = await db.Database.BeginTransactionAsync())
        {
            tenant.Set(alice.Id);
            Assert.Equal(1, await db.Jobs.CountAsync());
            using (tenant.AsSystem())
            {
                Assert.Equal(2, await db.Jobs.CountAsync());
            }

            Assert.Equal(1, await db.Jobs.CountAsync());
            await tx.RollbackAsync();
        }

        Assert.Equal(1, await db.Jobs.CountAsync());
        Assert.Equal(alice.Id.ToString(), await SettingAsync(db));

        // Keyed to Alice in a transaction disposed without commit or rollback, so back to system
        // context; then at once another transaction (Npgsql reuses the transaction object).
        using (tenant.AsSystem())
        {
            Assert.Equal(2, await db.Jobs.CountAsync());
        }

        await using (var tx = await db.Database.BeginTransactionAsync())
        {
            Assert.Equal(1, await db.Jobs.CountAsync());
        }

        await using (var tx = await db.Database.BeginTransactionAsync())
        {
            Assert.Equal(1, await db.Jobs.CountAsync());
            Assert.Equal(alice.Id.ToString(), await SettingAsync(db));
            await tx.CommitAsync();
        }

        // Rolling back to a savepoint also undoes a SET made after it.
        await using (var tx = await db.Database.BeginTransactionAsync())
        {
            using (tenant.AsSystem())
            {
                Assert.Equal(2, await db.Jobs.CountAsync());
            }

            await tx.CreateSavepointAsync("before");
            Assert.Equal(1, await db.Jobs.CountAsync());
            await tx.RollbackToSavepointAsync("before");
            Assert.Equal(1, await db.Jobs.CountAsync());
            await tx.CommitAsync();
        }

        Assert.Equal(1, await db.Jobs.CountAsync());
        await db.Database.CloseConnectionAsync();
        Assert.Equal(1, await db.Jobs.CountAsync());
    }

    private static async Task<List<GenerationBody>> AllAsync(TestUser user) =>
        await ApiChecks.AllAsync<GenerationBody>(user.Client, "/api/v1/generations");

    /// <summary>Runs <paramref name="work"/> keyed to <paramref name="userId"/>, or in system context when null.</summary>
    private async Task<T> AsAsync<T>(Guid? userId, Func<PingvasDb, Task<T>> work)
    {
        await using var scope = userId is { } id
            ? server.Services.GetRequiredService<IServiceScopeFactory>().CreateUserScope(id)
            : server.Services.CreateSystemScope();
        return await work(scope.ServiceProvider.GetRequiredService<PingvasDb>());
    }

    private sealed record TableSecurity(string Table, bool Enabled, bool Forced, int Policies);

    private static PingvasDb Open(string connectionString, DatabaseTenant tenant) =>
        new(new DbContextOptionsBuilder<PingvasDb>()
            .UseNpgsql(connectionString)
            .AddInterceptors(new TenantSessionInterceptor(tenant))
            .Options);

    /// <summary>A thousand credits for <paramref name="owner"/> that no grant ever made.</summary>
    private static Lot ForgedLot(Guid owner) => new()
    {
        Id = Ids.New(),
        UserId = owner,
        Source = LotSource.Admin,
        Granted = 1000,
        Remaining = 1000,
        ValidFrom = DateTime.UtcNow,
        Reason = "forged",
        CreatedAt = DateTime.UtcNow,
    };

    private static async Task<string?> RawSettingAsync(PingvasDb db)
    {
        await db.Database.OpenConnectionAsync();
        await using var command = db.Database.GetDbConnection().CreateCommand();
        command.CommandText = "SELECT current_setting('pingvas.user_id', true)";
        return await command.ExecuteScalarAsync() as string;
    }

    private static Task<int> BackendPidAsync(PingvasDb db) =>
        db.Database.SqlQueryRaw<int>("SELECT pg_backend_pid() AS \"Value\"").SingleAsync();

    private static Task<string?> SettingAsync(PingvasDb db) =>
        db.Database.SqlQueryRaw<string?>("SELECT current_setting('pingvas.user_id', true) AS \"Value\"").SingleAsync();

    private static void AssertOnly(Guid userId, List<Guid> owners)
    {
        Assert.NotEmpty(owners);
        Assert.All(owners, owner => Assert.Equal(userId, owner));
    }

    private static void AssertPolicyViolation(Exception? ex)
    {
        var postgres = Assert.IsType<PostgresException>(ex);
        Assert.Equal(PostgresErrorCodes.InsufficientPrivilege, postgres.SqlState);
        Assert.Contains("row-level security", postgres.MessageText, StringComparison.Ordinal);
    }
}

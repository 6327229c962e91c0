using System.Collections.Concurrent;

using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;

using Npgsql;

using Pingvas.Server.Data;
using Pingvas.Server.Outbox;
using Pingvas.Server.Tests.Infrastructure;

namespace Pingvas.Server.Tests;

/// <summary>
/// The outbox on the real server: messages written in a transaction are delivered after it,
/// retried with backoff when delivery fails, given up after the attempt limit, delivered once
/// however many dispatchers compete, woken across processes by NOTIFY, and pruned once delivered.
/// </summary>
public sealed class OutboxTests
{
    private static readonly TestSettings Fast = new TestSettings()
        .With("Outbox:RetryBackoffSeconds", "0.05")
        .With("Outbox:MaxAttempts", "3")
        .With("Outbox:PollMilliseconds", "100");

    [Fact]
    public async Task A_failing_delivery_is_retried_until_it_succeeds_or_the_attempts_run_out()
    {
        var recorder = new DeliveryRecorder();
        await using var server = await StartAsync(Fast, recorder);
        var flaky = await AddAsync(server, "fail-twice");
        var hopeless = await AddAsync(server, "fail-always");
        var fine = await AddAsync(server, "ok");

        await Eventually(server, db => db.Outbox.AllAsync(m => m.DeliveredAt != null || m.FailedAt != null));
        var rows = await server.QueryAsync(db => db.Outbox.AsNoTracking().ToDictionaryAsync(m => m.Id));

        Assert.Equal((3, (string?)null), (rows[flaky].Attempts, rows[flaky].FailedAt?.ToString()));
        Assert.NotNull(rows[flaky].DeliveredAt);
        Assert.Equal(1, rows[fine].Attempts);
        Assert.Null(rows[hopeless].DeliveredAt);
        Assert.NotNull(rows[hopeless].FailedAt);
        Assert.Equal(3, rows[hopeless].Attempts);
        Assert.Contains("fail-always", rows[hopeless].LastError);
        Assert.Equal(3, recorder.Calls(flaky));
        Assert.Equal(3, recorder.Calls(hopeless));
    }

    [Fact]
    public async Task Competing_dispatchers_deliver_every_message_exactly_once()
    {
        var recorder = new DeliveryRecorder();
        await using var server = await StartAsync(Fast, recorder);
        var ids = new List<Guid>();
        await server.QueryAsync(async db =>
        {
            var outbox = new OutboxWriter(db, TimeProvider.System);
            ids.AddRange(Enumerable.Range(0, 300).Select(i => outbox.Add(CountingHandler.TopicName, null, "ok").Id));
            return await db.SaveChangesAsync();
        });

        // Four more dispatchers beside the server's own, as other processes would run them.
        var dispatcher = server.Services.GetRequiredService<OutboxDispatcher>();
        await Task.WhenAll(Enumerable.Range(0, 4).Select(_ => Task.Run(async () =>
        {
            while (await dispatcher.DispatchOnceAsync(CancellationToken.None) > 0)
            {
            }
        })));
        await Eventually(server, db => db.Outbox.AllAsync(m => m.DeliveredAt != null));

        Assert.All(ids, id => Assert.Equal(1, recorder.Calls(id)));
        Assert.Equal(ids.Order(), recorder.Delivered.Order());
    }

    [Fact]
    public async Task A_message_written_by_another_process_is_delivered_on_its_notify_not_the_poll()
    {
        var recorder = new DeliveryRecorder();
        await using var server = await StartAsync(Fast.With("Outbox:PollMilliseconds", "600000"), recorder,
            await TestDatabase.CreatePostgresAsync());
        await Eventually(server, async _ => (await Http(server).GetStringAsync("/health/ready")) == "Healthy");

        // A plain INSERT on another connection, as another process commits it: only the trigger's NOTIFY can wake us.
        var id = Guid.CreateVersion7();
        await using (var other = new NpgsqlConnection(server.Database.ConnectionString))
        {
            await other.OpenAsync();
            await using var insert = new NpgsqlCommand("""
                SELECT set_config('pingvas.user_id', 'system', false);
                INSERT INTO outbox (id, topic, user_id, payload, created_at, available_at, attempts)
                VALUES (@id, @topic, NULL, 'ok', now(), now(), 0)
                """, other);
            insert.Parameters.AddWithValue("id", id);
            insert.Parameters.AddWithValue("topic", CountingHandler.TopicName);
            await insert.ExecuteNonQueryAsync();
        }

        await Eventually(server, db => db.Outbox.AnyAsync(m => m.Id == id && m.DeliveredAt != null));
        Assert.Equal(1, recorder.Calls(id));
    }

    [Fact]
    public async Task Delivered_messages_are_pruned_after_the_retention_and_pending_ones_are_kept()
    {
        var recorder = new DeliveryRecorder();
        await using var server = await StartAsync(Fast.With("Outbox:RetentionMinutes", "60"), recorder);
        var delivered = await AddAsync(server, "ok");
        await Eventually(server, db => db.Outbox.AnyAsync(m => m.Id == delivered && m.DeliveredAt != null));
        var pending = await AddAsync(server, "fail-always", availableIn: TimeSpan.FromDays(1));

        var pruner = server.Services.GetRequiredService<OutboxPruner>();
        Assert.Equal(0, await pruner.RunOnceAsync(CancellationToken.None));
        server.Time.Advance(TimeSpan.FromMinutes(61));
        Assert.Equal(1, await pruner.RunOnceAsync(CancellationToken.None));

        var left = await server.QueryAsync(db => db.Outbox.Select(m => m.Id).ToListAsync());
        Assert.Equal([pending], left);
    }

    private static Task<PingvasServer> StartAsync(TestSettings settings, DeliveryRecorder recorder, TestDatabase? database = null) =>
        PingvasServer.StartAsync(settings, configureServices: services =>
        {
            services.AddSingleton(recorder);
            services.AddScoped<IOutboxHandler, CountingHandler>();
        }, database: database);

    /// <summary>Writes one message as a transition does (same context, then save), and wakes the dispatcher.</summary>
    private static async Task<Guid> AddAsync(PingvasServer server, string payload, TimeSpan? availableIn = null)
    {
        var id = await server.QueryAsync(async db =>
        {
            var message = new OutboxWriter(db, server.Time).Add(CountingHandler.TopicName, null, payload);
            message.AvailableAt += availableIn ?? TimeSpan.Zero;
            await db.SaveChangesAsync();
            return message.Id;
        });
        server.Services.GetRequiredService<OutboxSignal>().Wake();
        return id;
    }

    private static HttpClient Http(PingvasServer server) => server.CreateClient();

    private static Task Eventually(PingvasServer server, Func<PingvasDb, Task<bool>> condition) =>
        Infrastructure.Eventually.UntilAsync(() => server.QueryAsync(condition), TimeSpan.FromSeconds(30), "the outbox to get there");

    public sealed class DeliveryRecorder
    {
        private readonly ConcurrentDictionary<Guid, int> calls = new();
        private readonly ConcurrentQueue<Guid> delivered = new();

        public IReadOnlyList<Guid> Delivered => [.. delivered];

        public int Calls(Guid id) => calls.GetValueOrDefault(id);

        public int Called(Guid id) => calls.AddOrUpdate(id, 1, (_, n) => n + 1);

        public void Succeeded(Guid id) => delivered.Enqueue(id);
    }

    /// <summary>Delivers "ok" at once, "fail-twice" on its third attempt, "fail-always" never.</summary>
    private sealed class CountingHandler(DeliveryRecorder recorder) : IOutboxHandler
    {
        public const string TopicName = "test.counting";

        public string Topic => TopicName;

        public Task DeliverAsync(OutboxMessage message, CancellationToken ct)
        {
            var call = recorder.Called(message.Id);
            if (message.Payload == "fail-always" || (message.Payload == "fail-twice" && call < 3))
            {
                throw new InvalidOperationException($"{message.Payload}: delivery refused on call {call}");
            }

            recorder.Succeeded(message.Id);
            return Task.CompletedTask;
        }
    }
}

using Microsoft.Extensions.Options;

using Npgsql;

using Pingvas.Server.Outbox;
using Pingvas.Server.Queue;

namespace Pingvas.Server.Realtime;

/// <summary>
/// The one dedicated connection that <c>LISTEN</c>s for this process: generation events go to
/// <see cref="EventForwarder"/> (and on to the local SignalR connections), wake-ups to the local
/// workers, cancel requests to the job if it runs here, sign-outs to the user's hub connections here.
/// When the connection drops it reconnects with backoff and listens again; until then readiness
/// reports degraded (<see cref="EventListenerHealthCheck"/>) and clients can still poll.
/// </summary>
public sealed class PostgresListener(
    EventBusSetup setup,
    IOptions<PostgresEventsOptions> options,
    EventForwarder forwarder,
    QueueSignal signal,
    OutboxSignal outbox,
    CancellationRegistry cancellations,
    HubConnections connections,
    GenerationStreams streams,
    Notices.NoticeForwarder notices,
    TimeProvider time,
    ILogger<PostgresListener> logger) : BackgroundService
{
    private volatile bool listening;
    private bool everListened;
    private DateTimeOffset since;

    public bool IsListening => listening;

    /// <summary>When the listener last connected or lost its connection.</summary>
    public DateTimeOffset Since => since;

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        since = time.GetUtcNow();
        var failures = 0;
        while (!stoppingToken.IsCancellationRequested)
        {
            try
            {
                await ListenAsync(() => failures = 0, stoppingToken);
            }
            catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
            {
                return;
            }
            catch (Exception ex)
            {
                SetListening(false);
                failures++;
                logger.LogWarning("The event listening connection failed ({Error}); reconnecting (attempt {Attempt})", ex.Message, failures);
            }

            var settings = options.Value;
            var pause = Math.Min(settings.ReconnectMaxMilliseconds, settings.ReconnectMinMilliseconds * Math.Pow(2, Math.Min(failures - 1, 20)));
            await Task.Delay(TimeSpan.FromMilliseconds(pause * (0.8 + (0.4 * Random.Shared.NextDouble()))), time, stoppingToken)
                .ContinueWith(_ => { }, TaskScheduler.Default);
        }
    }

    private async Task ListenAsync(Action connected, CancellationToken ct)
    {
        var builder = new NpgsqlConnectionStringBuilder(setup.ConnectionString)
        {
            Pooling = false,
            ApplicationName = $"{setup.ProcessName} listen",
        };
        await using var connection = new NpgsqlConnection(builder.ConnectionString);
        connection.Notification += (_, e) => Dispatch(e.Channel, e.Payload);
        await connection.OpenAsync(ct);
        await using (var listen = new NpgsqlCommand(string.Concat(setup.Channels.Select(c => $"LISTEN {c};")), connection))
        {
            await listen.ExecuteNonQueryAsync(ct);
        }

        var missedSince = since;
        var reconnected = everListened;
        everListened = true;
        SetListening(true);
        connected();
        if (reconnected && setup.Channels.Contains(EventChannels.Events))
        {
            // Events sent while we were not listening are lost: resend the state of the jobs of
            // everyone connected here. A silent drop is noticed up to a check interval late.
            forwarder.Resync(missedSince.UtcDateTime.AddSeconds(-(options.Value.CheckSeconds + 1)));
        }

        // Outbox messages written meanwhile wait for a poll: look now.
        outbox.Wake();
        logger.LogInformation("Listening for {Channels}", string.Join(", ", setup.Channels));
        if (setup.Channels.Contains(EventChannels.Queue))
        {
            // Wake-ups sent while we were not listening are lost: look at the queue once now.
            signal.NotifyLocal();
        }

        var check = TimeSpan.FromSeconds(Math.Max(1, options.Value.CheckSeconds));
        while (true)
        {
            if (!await connection.WaitAsync(check, ct))
            {
                // Quiet for a while: make sure the connection is still there (a dead peer sends nothing).
                await using var ping = new NpgsqlCommand("SELECT 1", connection) { CommandTimeout = 5 };
                await ping.ExecuteScalarAsync(ct);
            }
        }
    }

    private void Dispatch(string channel, string payload)
    {
        // Runs on the connection's read: hand work off, never block it.
        switch (channel)
        {
            case EventChannels.Events:
                forwarder.Enqueue(payload);
                break;
            case EventChannels.Queue:
                signal.NotifyLocal();
                break;
            case EventChannels.Outbox:
                outbox.WakeSoon();
                break;
            case EventChannels.Cancel when Guid.TryParse(payload, out var jobId):
                // Cancelling runs the job's callbacks: not on the listening connection's thread.
                ThreadPool.QueueUserWorkItem(id => cancellations.CancelLocal(id), jobId, preferLocal: false);
                break;
            case EventChannels.SignOut when Guid.TryParse(payload, out var userId):
                // A user's tokens were revoked: close their hub connections here, off this thread.
                ThreadPool.QueueUserWorkItem(id => connections.CloseLocal(id), userId, preferLocal: false);
                break;
            case EventChannels.KeyRevoked when Guid.TryParse(payload, out var keyId):
                // Only ends streams (completes their queues): quick enough to do here.
                streams.CloseKey(keyId);
                break;
            case EventChannels.Notices:
                // A new notice for a user: to their hub connections here (sent off this thread).
                notices.Forward(payload);
                break;
            default:
                break;
        }
    }

    private void SetListening(bool value)
    {
        if (listening != value)
        {
            listening = value;
            since = time.GetUtcNow();
        }
    }
}

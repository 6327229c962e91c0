using System.Threading.Channels;

using Npgsql;

using Pingvas.Server.Queue;

namespace Pingvas.Server.Realtime;

/// <summary>
/// Sends queue wake-ups (<see cref="EventChannels.Queue"/>) and cancel requests
/// (<see cref="EventChannels.Cancel"/>) to the other processes, from a background loop on its own
/// short connections, so callers never wait for it. A burst of wake-ups (many submits at once)
/// goes out as one NOTIFY.
/// </summary>
public sealed class PostgresBroadcast : BackgroundService, IQueueBroadcast
{
    private static readonly Guid Wake = Guid.Empty;
    private readonly Channel<Guid> pending = Channel.CreateUnbounded<Guid>(new UnboundedChannelOptions { SingleReader = true });
    private readonly NpgsqlDataSource dataSource;
    private readonly ILogger<PostgresBroadcast> logger;

    public PostgresBroadcast(EventBusSetup setup, ILogger<PostgresBroadcast> logger)
    {
        this.logger = logger;
        var builder = new NpgsqlConnectionStringBuilder(setup.ConnectionString)
        {
            ApplicationName = $"{setup.ProcessName} notify",
            MaxPoolSize = 2,
        };
        dataSource = NpgsqlDataSource.Create(builder.ConnectionString);
    }

    public void WakeWorkers() => pending.Writer.TryWrite(Wake);

    public void CancelJob(Guid jobId) => pending.Writer.TryWrite(jobId);

    public override void Dispose()
    {
        dataSource.Dispose();
        base.Dispose();
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        try
        {
            while (await pending.Reader.WaitToReadAsync(stoppingToken))
            {
                await SendAsync(stoppingToken);
            }
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
            // A job handed back on shutdown wakes the other workers: send what is left, briefly.
            using var last = new CancellationTokenSource(TimeSpan.FromSeconds(2));
            await SendAsync(last.Token);
        }
    }

    private async Task SendAsync(CancellationToken ct)
    {
        var wake = false;
        var cancels = new HashSet<Guid>();
        while (pending.Reader.TryRead(out var item))
        {
            if (item == Wake)
            {
                wake = true;
            }
            else
            {
                cancels.Add(item);
            }
        }

        if (!wake && cancels.Count == 0)
        {
            return;
        }

        try
        {
            await using var command = dataSource.CreateCommand();
            var calls = new List<string>();
            if (wake)
            {
                calls.Add($"pg_notify('{EventChannels.Queue}', '')");
            }

            foreach (var jobId in cancels)
            {
                calls.Add($"pg_notify('{EventChannels.Cancel}', ${command.Parameters.Count + 1})");
                command.Parameters.Add(new NpgsqlParameter { Value = jobId.ToString() });
            }

            command.CommandText = "SELECT " + string.Join(", ", calls);
            await command.ExecuteNonQueryAsync(ct);
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            // Best effort: workers also poll, and a running job's heartbeat reads the cancel flag.
            logger.LogWarning("Could not notify other processes ({Error})", ex.Message);
        }
        catch (OperationCanceledException)
        {
            // Shutting down.
        }
    }
}

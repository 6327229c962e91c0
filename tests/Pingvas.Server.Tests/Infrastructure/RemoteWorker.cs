using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;

using Pingvas.Engines;
using Pingvas.Server.Queue;
using Pingvas.Server.Workers;

namespace Pingvas.Server.Tests.Infrastructure;

/// <summary>
/// For tests that take the in-process workers out so submitted jobs stay queued: a worker of some
/// other process as the registry shows it — fresh, idle, serving the server's engine models — that
/// never claims here. The API then accepts submits (the model is available) and nothing runs them.
/// </summary>
public static class RemoteWorker
{
    public const string Process = "remote-host:1:00000000";

    /// <summary>A claim profile for tests that call <c>JobLifecycle.ClaimAsync</c> themselves: a cpu worker serving the default catalog models.</summary>
    public static WorkerProfile Profile(string workerId, string? loadedModel = null) =>
        new(workerId, "cpu", ["sd-1.5", "sdxl-1.0", "flux-schnell", "flux-dev"], loadedModel);

    /// <summary>Removes the server's <see cref="WorkerPool"/> and advertises one remote worker in its place (heartbeat every second).</summary>
    public static void ReplacePool(IServiceCollection services)
    {
        RemovePool(services);
        Add(services);
    }

    /// <summary>Advertises one remote worker next to the server's own (heartbeat every second).</summary>
    public static void Add(IServiceCollection services) => services.AddHostedService<Advertiser>();

    /// <summary>Takes the server's in-process workers out: it runs the API alone.</summary>
    public static void RemovePool(IServiceCollection services) =>
        services.Remove(services.Single(d => d.ServiceType == typeof(IHostedService) && d.ImplementationType == typeof(WorkerPool)));

    private sealed class Advertiser(WorkerRegistry registry, IEnumerable<IImageEngine> engines, TimeProvider time) : BackgroundService
    {
        public override async Task StartAsync(CancellationToken cancellationToken)
        {
            await registry.SaveAsync([new WorkerRow
            {
                Id = $"{Process}:1",
                Process = Process,
                Role = "worker",
                Engine = "remote",
                Instance = "remote",
                GpuClass = "cpu",
                Models = WorkerModels.Join(engines.SelectMany(e => e.Models).Distinct()),
                State = WorkerStates.Idle,
                StartedAt = time.GetUtcNow().UtcDateTime,
            }], cancellationToken);
            await base.StartAsync(cancellationToken);
        }

        protected override async Task ExecuteAsync(CancellationToken stoppingToken)
        {
            using var timer = new PeriodicTimer(TimeSpan.FromSeconds(1));
            while (await timer.WaitForNextTickAsync(stoppingToken))
            {
                await registry.HeartbeatAsync(Process, stoppingToken);
            }
        }
    }
}

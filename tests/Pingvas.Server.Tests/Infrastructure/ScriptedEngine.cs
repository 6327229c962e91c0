using System.Collections.Concurrent;

using Microsoft.Extensions.DependencyInjection;

using Pingvas.Engines;
using Pingvas.Engines.Procedural;

namespace Pingvas.Server.Tests.Infrastructure;

/// <summary>
/// The real procedural engine, steered by the prompt to fail the ways a real engine does:
/// <c>fail:</c> throws after its first step; <c>retry:</c> throws a retryable failure on every
/// attempt; <c>retry-once:</c> on the first attempt only; <c>hang:</c> reports one step, then
/// waits until it is stopped (cancel, timeout, shutdown, fencing). Anything else renders normally.
/// </summary>
public sealed class ScriptedEngine(ProceduralEngine inner) : IImageEngine
{
    private readonly ConcurrentDictionary<Guid, int> attempts = new();

    public string Name => inner.Name;

    /// <summary>Replaces the server's engine with this one around a procedural engine of the same settings.</summary>
    public static void Install(IServiceCollection services)
    {
        foreach (var engine in services.Where(d => d.ServiceType == typeof(IImageEngine)).ToList())
        {
            services.Remove(engine);
        }

        services.AddSingleton<IImageEngine>(sp => new ScriptedEngine(ActivatorUtilities.CreateInstance<ProceduralEngine>(sp)));
    }

    public IReadOnlyCollection<string> Models => inner.Models;

    /// <summary>The LoRAs the node "holds", as a test sets them (LoRA-aware claims); the procedural engine holds none.</summary>
    public IReadOnlyCollection<Guid> HeldLoras { get; set; } = [];

    public async Task<EngineResult> RunAsync(EngineJob job, Func<EngineProgress, ValueTask> onProgress, CancellationToken cancellationToken)
    {
        var attempt = attempts.AddOrUpdate(job.JobId, 1, (_, n) => n + 1);
        if (job.Prompt.StartsWith("retry:", StringComparison.Ordinal) || (job.Prompt.StartsWith("retry-once:", StringComparison.Ordinal) && attempt == 1))
        {
            throw new RetryableEngineException("engine_retry", "The engine failed; another attempt may succeed.");
        }

        if (job.Prompt.StartsWith("fail:", StringComparison.Ordinal))
        {
            await onProgress(new EngineProgress(1, job.Steps, 0, job.BatchSize, null));
            throw new InvalidOperationException("Scripted engine failure.");
        }

        if (job.Prompt.StartsWith("hang:", StringComparison.Ordinal))
        {
            await onProgress(new EngineProgress(1, job.Steps, 0, job.BatchSize, null));
            await Task.Delay(Timeout.Infinite, cancellationToken);
        }

        return await inner.RunAsync(job, onProgress, cancellationToken);
    }
}

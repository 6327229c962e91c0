using Microsoft.Extensions.DependencyInjection;

using Pingvas.Engines;
using Pingvas.Engines.Procedural;

namespace Pingvas.Server.Tests.Workers;

/// <summary>
/// The real procedural engine behind a node that a test takes down and brings back: while
/// <see cref="Down"/>, <see cref="RefreshAsync"/> throws as an unreachable InvokeAI node's does, and
/// a run fails with <c>node_unavailable</c>. A prompt starting <c>crash:</c> takes the node down
/// during the job's first run (a node that dies mid-job); later runs of that job render normally.
/// </summary>
public sealed class FlakyEngine(ProceduralEngine inner) : IImageEngine
{
    private readonly System.Collections.Concurrent.ConcurrentDictionary<Guid, bool> crashed = new();
    private volatile bool down;

    public bool Down
    {
        get => down;
        set => down = value;
    }

    public string Name => inner.Name;

    public IReadOnlyCollection<string> Models => inner.Models;

    /// <summary>Replaces the server's engines with one flaky engine; the instance is registered for the test to steer.</summary>
    public static void Install(IServiceCollection services)
    {
        foreach (var engine in services.Where(d => d.ServiceType == typeof(IImageEngine)).ToList())
        {
            services.Remove(engine);
        }

        services.AddSingleton(sp => new FlakyEngine(ActivatorUtilities.CreateInstance<ProceduralEngine>(sp)));
        services.AddSingleton<IImageEngine>(sp => sp.GetRequiredService<FlakyEngine>());
    }

    public Task RefreshAsync(CancellationToken cancellationToken)
    {
        return down ? throw new HttpRequestException("Connection refused (127.0.0.1:9090)") : Task.CompletedTask;
    }

    public Task<EngineResult> RunAsync(EngineJob job, Func<EngineProgress, ValueTask> onProgress, CancellationToken cancellationToken)
    {
        if (job.Prompt.StartsWith("crash:", StringComparison.Ordinal) && crashed.TryAdd(job.JobId, true))
        {
            down = true;
        }

        return down
            ? throw new RetryableEngineException("node_unavailable", "The node did not answer.")
            : inner.RunAsync(job, onProgress, cancellationToken);
    }
}

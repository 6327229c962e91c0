using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace Pingvas.Engines.InvokeAi;

/// <summary>
/// Reads every node's installed models at start and periodically, so <see cref="IImageEngine.Models"/>
/// is current even before a worker pool calls RefreshAsync itself. A node that cannot be reached
/// keeps the models it last had; its runs fail retryably until it is back.
/// </summary>
public sealed class InvokeAiRefresher(IEnumerable<IImageEngine> engines, InvokeAiOptions options, TimeProvider time, ILogger<InvokeAiRefresher> logger)
    : BackgroundService
{
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var nodes = engines.OfType<InvokeAiEngine>().ToList();
        while (!stoppingToken.IsCancellationRequested)
        {
            await Task.WhenAll(nodes.Select(n => RefreshAsync(n, stoppingToken)));
            if (options.RefreshSeconds <= 0)
            {
                return;
            }
            try
            {
                await Task.Delay(TimeSpan.FromSeconds(options.RefreshSeconds), time, stoppingToken);
            }
            catch (OperationCanceledException)
            {
                return;
            }
        }
    }

    private async Task RefreshAsync(InvokeAiEngine node, CancellationToken ct)
    {
        try
        {
            await node.RefreshAsync(ct);
            logger.LogInformation("InvokeAI node {Node} serves {Models}", node.Instance, string.Join(", ", node.Models));
        }
        catch (RetryableEngineException ex)
        {
            logger.LogWarning("InvokeAI node {Node} is unavailable: {Reason}", node.Instance, ex.Message);
        }
        catch (InvokeAiRejectedException ex)
        {
            logger.LogError("InvokeAI node {Node} refused the model listing ({Status})", node.Instance, ex.Status);
        }
    }
}

namespace Pingvas.Engines.InvokeAi;

/// <summary>
/// Turns the node's progress (a fraction of the running node's work) into our steps, never going
/// back when a later node (the VAE) starts again from zero, with at most a few previews a second.
/// </summary>
internal sealed class ProgressMapper(EngineJob job, int index, double previewsPerSecond, TimeProvider time)
{
    private readonly int _total = job.Kind == EngineJobKind.Upscale ? 100 : Math.Max(1, job.Steps);
    private readonly TimeSpan _previewGap = TimeSpan.FromSeconds(1 / Math.Max(0.1, previewsPerSecond));
    private int _step;
    private long? _lastPreview;

    public ValueTask ReportAsync(InvokeAiItemProgress progress, Func<EngineProgress, ValueTask> onProgress)
    {
        if (progress.Percentage is { } fraction)
        {
            _step = Math.Max(_step, (int)Math.Round(Math.Clamp(fraction, 0, 1) * _total));
        }
        byte[]? preview = null;
        if (progress.PreviewDataUrl is { } url && (_lastPreview is not { } last || time.GetElapsedTime(last) >= _previewGap))
        {
            preview = InvokeAiImages.PreviewFromDataUrl(url);
            if (preview is not null)
            {
                _lastPreview = time.GetTimestamp();
            }
        }
        return onProgress(new EngineProgress(_step, _total, index, Math.Max(1, job.BatchSize), preview) { Message = progress.Message });
    }
}

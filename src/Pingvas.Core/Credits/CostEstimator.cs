using Pingvas.Core.Plans;

namespace Pingvas.Core.Credits;

/// <summary>Credit arithmetic of PRODUCT.md §3: 1 GPU-second = 1 credit, external calls a flat rate.</summary>
public static class CostEstimator
{
    /// <summary>The credits reserved on submit for a job of this shape.</summary>
    public static int Estimate(ModelProfile model, int width, int height, int steps, int batchSize)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(batchSize, 1);
        if (model.Kind == ModelKind.External)
        {
            return model.CreditsPerImage * batchSize;
        }

        var megapixels = width * (double)height / 1_000_000d;
        var seconds = (model.BaseSeconds + (model.SecondsPerStepMegapixel * steps * megapixels)) * batchSize;

        // Round before the ceiling so 2.0000000001 from floating point noise is not billed as 3.
        return Math.Max(1, (int)Math.Ceiling(Math.Round(seconds, 6)));
    }

    /// <summary>The credits charged for measured compute time: ceil(seconds), at least 1.</summary>
    public static int Charge(TimeSpan computeTime)
    {
        var milliseconds = Math.Max(0L, (long)Math.Ceiling(computeTime.TotalMilliseconds));
        return (int)Math.Max(1L, (milliseconds + 999) / 1000);
    }
}

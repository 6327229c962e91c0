using Pingvas.Core.Credits;
using Pingvas.Core.Plans;

namespace Pingvas.Core.Generation;

/// <summary>
/// The reservation of each job kind, on top of <see cref="CostEstimator.Estimate"/>: img2img and
/// inpaint denoise only the last <c>strength</c> share of the schedule, so they cost
/// ceil(steps × strength) steps (at least one); an upscale costs the model's base seconds plus
/// <see cref="UpscaleSecondsPerMegapixel"/> per output megapixel, whatever the steps.
/// </summary>
public static class KindCosts
{
    /// <summary>Seconds per output megapixel of an upscale (a spandrel pass plus detail on the reference GPU).</summary>
    public const double UpscaleSecondsPerMegapixel = 2.0;

    public static int StepsAfterStrength(int steps, double strength) =>
        Math.Max(1, (int)Math.Ceiling(Math.Round(steps * strength, 6)));

    public static int ImageToImage(ModelProfile model, int width, int height, int steps, double strength, int batchSize) =>
        CostEstimator.Estimate(model, width, height, StepsAfterStrength(steps, strength), batchSize);

    public static int Upscale(ModelProfile model, int outputWidth, int outputHeight)
    {
        if (model.Kind == ModelKind.External)
        {
            return model.CreditsPerImage;
        }

        var seconds = model.BaseSeconds + (UpscaleSecondsPerMegapixel * outputWidth * (double)outputHeight / 1_000_000d);
        return Math.Max(1, (int)Math.Ceiling(Math.Round(seconds, 6)));
    }
}

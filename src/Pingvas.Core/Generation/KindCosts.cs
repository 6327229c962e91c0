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

    /// <summary>Percent a control image adds to a job's reservation (its preprocessor and the ControlNet pass).</summary>
    public const int ControlPercent = 15;

    /// <summary>Percent an IP-Adapter reference adds (its image encoder and the adapter pass).</summary>
    public const int ReferencePercent = 10;

    /// <summary>
    /// A reservation with its add-ons: each control image +15 %, a reference +10 %, rounded up in
    /// whole credits (integer arithmetic: no floating point noise). LoRAs add nothing.
    /// </summary>
    public static int WithAddOns(int credits, int controlImages, bool reference)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(controlImages);
        var percent = 100 + (ControlPercent * controlImages) + (reference ? ReferencePercent : 0);
        return (int)(((long)credits * percent + 99) / 100);
    }
}

using Pingvas.Engines.Imaging;

namespace Pingvas.Engines.Procedural;

/// <summary>
/// Img2img and inpaint on the procedural engine: each step shows the init image moved toward the
/// procedural render by <c>strength × step / steps</c>, so the run starts from the init image and
/// ends <c>strength</c> of the way to the render. Inpaint moves only the pixels the mask repaints;
/// every other pixel is copied from the init image, byte for byte.
/// </summary>
internal sealed class ProceduralBlend(RgbaImage init, bool[]? repaint, double strength)
{
    public RgbaImage Present(RgbaImage rendered, int step, int steps)
    {
        var weight = strength * step / steps;
        var from = init.Pixels;
        var to = rendered.Pixels;
        var result = new byte[from.Length];
        for (var i = 0; i < from.Length; i++)
        {
            if (repaint is not null && !repaint[i / 4])
            {
                result[i] = from[i];
                continue;
            }

            result[i] = (byte)Math.Clamp((int)Math.Round(from[i] + ((to[i] - from[i]) * weight), MidpointRounding.AwayFromZero), 0, 255);
        }

        return new RgbaImage(init.Width, init.Height, result);
    }
}

namespace Pingvas.Server.Jobs;

/// <summary>What a job makes; stored and shown by its lower-case name (<c>txt2img</c>, <c>img2img</c>, <c>inpaint</c>, <c>upscale</c>).</summary>
public enum JobKind
{
    Txt2Img,

    /// <summary>From the owner's upload <see cref="Job.InitImageId"/>, moved away from it by <see cref="Job.Strength"/>.</summary>
    Img2Img,

    /// <summary>Repaints the area <see cref="Job.MaskImageId"/> marks on <see cref="Job.InitImageId"/> (plan feature <c>canvas</c>).</summary>
    Inpaint,

    /// <summary>Enlarges the upload <see cref="Job.InitImageId"/> by <see cref="Job.UpscaleScale"/> (plan feature <c>upscale</c>).</summary>
    Upscale,
}

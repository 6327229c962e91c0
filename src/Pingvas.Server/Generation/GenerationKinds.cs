using Pingvas.Core.Plans;
using Pingvas.Server.Data;
using Pingvas.Server.Jobs;

namespace Pingvas.Server.Generation;

/// <summary>
/// The kind a request asks for, read from its fields. <see cref="InputId"/> is img2img and
/// inpaint's <c>initImageId</c> or upscale's <c>imageId</c>; <see cref="Strength"/> has its default applied.
/// </summary>
public sealed record KindRequest(JobKind Kind, Guid? InputId, Guid? MaskId, double? Strength, int? Scale)
{
    /// <summary>The plan feature the kind needs beyond <c>generate</c>, if any.</summary>
    public string? Feature => Kind switch
    {
        JobKind.Inpaint => PlanFeatures.Canvas,
        JobKind.Upscale => PlanFeatures.Upscale,
        _ => null,
    };

    /// <summary>The request field that names the input image.</summary>
    public string InputField => Kind == JobKind.Upscale ? "imageId" : "initImageId";
}

/// <summary>The owner's images (uploads or gallery images) a job starts from.</summary>
public sealed record KindInputs(InputImage? Input, InputImage? Mask);

/// <summary>Reads and checks the job kind of a submit: its shape (pure), then its input images against the owner's uploads and gallery images.</summary>
public static class GenerationKinds
{
    public const double DefaultImageToImageStrength = 0.75;
    public const double DefaultInpaintStrength = 1.0;

    /// <summary>An upscale's progress steps (its cost does not depend on them).</summary>
    public const int UpscaleSteps = 4;

    private static readonly Dictionary<string, JobKind> Names = new(StringComparer.Ordinal)
    {
        ["txt2img"] = JobKind.Txt2Img,
        ["img2img"] = JobKind.Img2Img,
        ["inpaint"] = JobKind.Inpaint,
        ["upscale"] = JobKind.Upscale,
    };

    /// <summary>The request kind of a workflow run; its job's <see cref="JobKind"/> is what the graph lowers to.</summary>
    public const string Workflow = "workflow";

    public static string NameOf(JobKind kind) => kind.ToString().ToLowerInvariant();

    /// <summary>
    /// The kind (named by <c>kind</c>, or else implied by the inputs given) and the field errors of a
    /// request whose inputs do not fit it. Empty errors mean the shape is right.
    /// </summary>
    public static (KindRequest Kind, Dictionary<string, string[]> Errors) Read(GenerationRequest r)
    {
        var errors = new Dictionary<string, string[]>();
        var kind = r.Kind is null ? Implied(r) : Names.GetValueOrDefault(r.Kind, (JobKind)(-1));
        if (!Enum.IsDefined(kind))
        {
            errors["kind"] = [$"kind must be one of {string.Join(", ", Names.Keys)}, {Workflow}."];
            return (new KindRequest(JobKind.Txt2Img, null, null, null, null), errors);
        }

        var name = NameOf(kind);
        void Needs(string field, object? value)
        {
            if (value is null)
            {
                errors[field] = [$"{name} needs {field}."];
            }
        }

        void Refuses(string field, object? value)
        {
            if (value is not null)
            {
                errors[field] = [$"{field} does not apply to {name}."];
            }
        }

        switch (kind)
        {
            case JobKind.Txt2Img:
                Refuses("initImageId", r.InitImageId);
                Refuses("maskImageId", r.MaskImageId);
                Refuses("strength", r.Strength);
                Refuses("imageId", r.ImageId);
                Refuses("scale", r.Scale);
                break;
            case JobKind.Img2Img:
                Needs("initImageId", r.InitImageId);
                Refuses("maskImageId", r.MaskImageId);
                Refuses("imageId", r.ImageId);
                Refuses("scale", r.Scale);
                break;
            case JobKind.Inpaint:
                Needs("initImageId", r.InitImageId);
                Needs("maskImageId", r.MaskImageId);
                Refuses("imageId", r.ImageId);
                Refuses("scale", r.Scale);
                break;
            case JobKind.Upscale:
                Needs("imageId", r.ImageId);
                Refuses("initImageId", r.InitImageId);
                Refuses("maskImageId", r.MaskImageId);
                Refuses("strength", r.Strength);
                if (r.Scale is not (2 or 4))
                {
                    errors["scale"] = ["upscale needs scale 2 or 4."];
                }

                if (r.BatchSize is not (null or 1))
                {
                    errors["batchSize"] = ["upscale makes one image: batchSize must be 1 or absent."];
                }

                break;
        }

        // A workflow's fields belong to kind "workflow" (GenerationService.Workflow.cs).
        Refuses("workflowId", r.WorkflowId);
        Refuses("workflow", r.Workflow);
        Refuses("graph", r.Graph);
        Refuses("inputs", r.Inputs);

        if (r.Strength is { } s && (double.IsNaN(s) || s is < 0 or > 1))
        {
            errors["strength"] = ["strength must be between 0 and 1."];
        }

        double? strength = kind switch
        {
            JobKind.Img2Img => r.Strength ?? DefaultImageToImageStrength,
            JobKind.Inpaint => r.Strength ?? DefaultInpaintStrength,
            _ => null,
        };
        var input = kind == JobKind.Upscale ? r.ImageId : r.InitImageId;
        return (new KindRequest(kind, input, r.MaskImageId, strength, kind == JobKind.Upscale ? r.Scale : null), errors);
    }

    /// <summary>
    /// The owner's uploads or gallery images the request names, or the field of the first id that is
    /// neither (another user's image and a missing one look the same).
    /// </summary>
    public static async Task<(KindInputs Inputs, string? BadField)> ResolveAsync(PingvasDb db, Guid userId, KindRequest kind, CancellationToken ct)
    {
        var ids = new[] { kind.InputId, kind.MaskId }.OfType<Guid>().Distinct().ToList();
        if (ids.Count == 0)
        {
            return (new KindInputs(null, null), null);
        }

        var found = await InputImages.FindAsync(db, userId, ids, ct);
        var input = kind.InputId is { } i ? found.GetValueOrDefault(i) : null;
        var mask = kind.MaskId is { } m ? found.GetValueOrDefault(m) : null;
        var bad = kind.InputId is not null && input is null ? kind.InputField
            : kind.MaskId is not null && mask is null ? "maskImageId"
            : null;
        return (new KindInputs(input, mask), bad);
    }

    /// <summary>A side of an init image as an output side: down to a multiple of 8 (the models' latent grid).</summary>
    public static int OutputSide(int side) => side - (side % 8);

    private static JobKind Implied(GenerationRequest r) =>
        r.ImageId is not null || r.Scale is not null ? JobKind.Upscale
        : r.MaskImageId is not null ? JobKind.Inpaint
        : r.InitImageId is not null || r.Strength is not null ? JobKind.Img2Img
        : JobKind.Txt2Img;
}

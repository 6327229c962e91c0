namespace Pingvas.Testing.InvokeAi;

/// <summary>
/// An installed model as InvokeAI's <c>GET /api/v2/models/</c> returns it (the fields tests set; the
/// node fills in path, format details, file size and the rest). A <c>spandrel_image_to_image</c>
/// model scales by the <c>xN</c> in its name (RealESRGAN_x4plus: 4), as the real model would.
/// </summary>
public sealed record InvokeAiModelConfig(
    string Key,
    string Hash,
    string Name,
    string Base,
    string Type,
    string Format)
{
    public string? Variant { get; init; }

    public string? Source { get; init; }

    public string? Description { get; init; }
}

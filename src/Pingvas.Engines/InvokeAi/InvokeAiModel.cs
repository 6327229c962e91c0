using System.Text.Json;
using System.Text.Json.Nodes;

namespace Pingvas.Engines.InvokeAi;

/// <summary>One installed model as <c>GET /api/v2/models/</c> lists it: the fields a graph's ModelIdentifierField needs.</summary>
public sealed record InvokeAiModel(string Key, string Hash, string Name, string Base, string Type)
{
    /// <summary>A ModelIdentifierField (key, hash, name, base, type), as every model input in a graph takes it.</summary>
    public JsonObject ToIdentifier() => new()
    {
        ["key"] = Key,
        ["hash"] = Hash,
        ["name"] = Name,
        ["base"] = Base,
        ["type"] = Type,
    };

    public static InvokeAiModel? FromConfig(JsonElement config)
    {
        if (config.ValueKind != JsonValueKind.Object)
        {
            return null;
        }
        var key = Text(config, "key");
        var name = Text(config, "name");
        var baseType = Text(config, "base");
        var type = Text(config, "type");
        if (key is null || name is null || baseType is null || type is null)
        {
            return null;
        }
        return new InvokeAiModel(key, Text(config, "hash") ?? string.Empty, name, baseType, type);
    }

    private static string? Text(JsonElement e, string name) =>
        e.TryGetProperty(name, out var value) && value.ValueKind == JsonValueKind.String ? value.GetString() : null;
}

/// <summary>What one catalog model needs on a node: the main model and, for FLUX, its encoders and VAE.</summary>
public sealed record InvokeAiModelSet(string Base, InvokeAiModel Main, InvokeAiModel? T5Encoder = null, InvokeAiModel? ClipEmbed = null, InvokeAiModel? Vae = null)
{
    public bool IsFlux => Base == "flux";

    public bool IsSdxl => Base == "sdxl";
}

/// <summary>The catalog models and upscalers one node can serve, resolved from its installed models.</summary>
public sealed record InvokeAiNodeModels(IReadOnlyDictionary<string, InvokeAiModelSet> Models, IReadOnlyDictionary<int, InvokeAiModel> Upscalers)
{
    /// <summary>The catalog model ids, as the engine advertises them.</summary>
    public IReadOnlyCollection<string> CatalogIds { get; } = Models.Keys.ToArray();

    public static InvokeAiNodeModels Empty { get; } = new(new Dictionary<string, InvokeAiModelSet>(), new Dictionary<int, InvokeAiModel>());

    /// <summary>
    /// Matches the configured names against what the node has. A FLUX model counts only with a
    /// T5 encoder, a CLIP-L embedder and a FLUX VAE installed too (found by type and base).
    /// </summary>
    public static InvokeAiNodeModels Resolve(IReadOnlyList<InvokeAiModel> installed, InvokeAiOptions options)
    {
        var models = new Dictionary<string, InvokeAiModelSet>(StringComparer.Ordinal);
        foreach (var (id, wanted) in options.EffectiveModels())
        {
            if (wanted.Name is null || wanted.Base is null)
            {
                continue;
            }
            var main = installed.FirstOrDefault(m => m.Type == "main" && m.Base == wanted.Base && SameName(m.Name, wanted.Name));
            if (main is null)
            {
                continue;
            }
            if (wanted.Base != "flux")
            {
                models[id] = new InvokeAiModelSet(wanted.Base, main);
                continue;
            }
            // The encoders are shared across FLUX variants (InvokeAI files them under base "any").
            var t5 = First(installed, "t5_encoder", "flux", "any");
            var clip = First(installed, "clip_embed", "flux", "any");
            var vae = First(installed, "vae", "flux");
            if (t5 is not null && clip is not null && vae is not null)
            {
                models[id] = new InvokeAiModelSet(wanted.Base, main, t5, clip, vae);
            }
        }
        var upscalers = new Dictionary<int, InvokeAiModel>();
        foreach (var (scale, name) in options.EffectiveUpscalers())
        {
            var model = installed.FirstOrDefault(m => m.Type == "spandrel_image_to_image" && SameName(m.Name, name));
            if (model is not null)
            {
                upscalers[scale] = model;
            }
        }
        return new InvokeAiNodeModels(models, upscalers);
    }

    private static InvokeAiModel? First(IReadOnlyList<InvokeAiModel> installed, string type, params string[] bases) =>
        installed.Where(m => m.Type == type && bases.Contains(m.Base)).OrderBy(m => m.Name, StringComparer.Ordinal).FirstOrDefault();

    // Installed from a file, a model may keep its extension in the name ("RealESRGAN_x2plus.pth").
    private static bool SameName(string installed, string wanted) =>
        string.Equals(installed, wanted, StringComparison.OrdinalIgnoreCase)
        || string.Equals(Path.GetFileNameWithoutExtension(installed), wanted, StringComparison.OrdinalIgnoreCase);
}

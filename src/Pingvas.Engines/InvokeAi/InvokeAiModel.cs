using System.Text.Json;
using System.Text.Json.Nodes;

namespace Pingvas.Engines.InvokeAi;

/// <summary>One installed model as <c>GET /api/v2/models/</c> lists it: the fields a graph's ModelIdentifierField needs.</summary>
public sealed record InvokeAiModel(string Key, string Hash, string Name, string Base, string Type)
{
    /// <summary>Bytes on the node's disk (<c>file_size</c>), for the LoRA cache.</summary>
    public long FileSize { get; init; }

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
        var size = config.TryGetProperty("file_size", out var bytes) && bytes.ValueKind == JsonValueKind.Number && bytes.TryGetInt64(out var n) ? n : 0;
        return new InvokeAiModel(key, Text(config, "hash") ?? string.Empty, name, baseType, type) { FileSize = size };
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

    /// <summary>Everything installed (workflows resolve their auxiliary models by name + base + type).</summary>
    public IReadOnlyList<InvokeAiModel> Installed { get; init; } = [];

    /// <summary>(family, type) → the ControlNet this node has for it.</summary>
    public IReadOnlyDictionary<(string Family, string Type), InvokeAiControlModel> Controls { get; init; } = new Dictionary<(string, string), InvokeAiControlModel>();

    /// <summary>family → the IP-Adapter (with its CLIP Vision encoder installed) this node has for it.</summary>
    public IReadOnlyDictionary<string, InvokeAiReferenceModel> References { get; init; } = new Dictionary<string, InvokeAiReferenceModel>();

    /// <summary>What this node adds to its main models: <c>{family}:{canny|depth|pose|lineart|reference}</c>, ordered.</summary>
    public IReadOnlyList<string> AddOnFeatures() =>
        Controls.Keys.Select(k => $"{k.Family}:{k.Type}").Concat(References.Keys.Select(f => $"{f}:reference"))
            .Order(StringComparer.Ordinal).ToList();

    /// <summary>An installed model by name (extension-insensitive), base and type, as a workflow's auxiliary model names it.</summary>
    public InvokeAiModel? FindInstalled(string name, string baseType, string type) =>
        Installed.FirstOrDefault(m => m.Type == type && m.Base == baseType && SameName(m.Name, name));

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
        return new InvokeAiNodeModels(models, upscalers)
        {
            Installed = installed,
            Controls = ResolveControls(installed, options),
            References = ResolveReferences(installed, options),
        };
    }

    private static Dictionary<(string, string), InvokeAiControlModel> ResolveControls(IReadOnlyList<InvokeAiModel> installed, InvokeAiOptions options)
    {
        var controls = new Dictionary<(string, string), InvokeAiControlModel>();
        foreach (var (key, wanted) in options.EffectiveControl())
        {
            var model = wanted.Name is null || wanted.Base is null
                ? null
                : installed.FirstOrDefault(m => m.Type == "controlnet" && m.Base == wanted.Base && SameName(m.Name, wanted.Name));
            if (model is not null)
            {
                controls[key] = new InvokeAiControlModel(model, wanted.Mode);
            }
        }
        return controls;
    }

    private static Dictionary<string, InvokeAiReferenceModel> ResolveReferences(IReadOnlyList<InvokeAiModel> installed, InvokeAiOptions options)
    {
        var references = new Dictionary<string, InvokeAiReferenceModel>(StringComparer.Ordinal);
        foreach (var (family, wanted) in options.EffectiveReference())
        {
            if (wanted.Name is null || wanted.Base is null || wanted.ClipVision is null || wanted.ImageEncoder is null)
            {
                continue;
            }
            var adapter = installed.FirstOrDefault(m => m.Type == "ip_adapter" && m.Base == wanted.Base && SameName(m.Name, wanted.Name));
            var encoder = installed.FirstOrDefault(m => m.Type == "clip_vision" && SameName(m.Name, wanted.ImageEncoder));
            if (adapter is not null && encoder is not null)
            {
                references[family] = new InvokeAiReferenceModel(adapter, wanted.ClipVision, encoder);
            }
        }
        return references;
    }

    private static InvokeAiModel? First(IReadOnlyList<InvokeAiModel> installed, string type, params string[] bases) =>
        installed.Where(m => m.Type == type && bases.Contains(m.Base)).OrderBy(m => m.Name, StringComparer.Ordinal).FirstOrDefault();

    // Installed from a file, a model may keep its extension in the name ("RealESRGAN_x2plus.pth").
    private static bool SameName(string installed, string wanted) =>
        string.Equals(installed, wanted, StringComparison.OrdinalIgnoreCase)
        || string.Equals(Path.GetFileNameWithoutExtension(installed), wanted, StringComparison.OrdinalIgnoreCase);
}

/// <summary>A ControlNet on a node; <paramref name="Mode"/> is the union model's <c>instantx_control_mode</c> (FLUX).</summary>
public sealed record InvokeAiControlModel(InvokeAiModel Model, int? Mode);

/// <summary>An IP-Adapter on a node, the CLIP Vision variant its node takes, and that installed encoder.</summary>
public sealed record InvokeAiReferenceModel(InvokeAiModel Adapter, string ClipVision, InvokeAiModel ImageEncoder);

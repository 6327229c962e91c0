namespace Pingvas.Engines.InvokeAi;

/// <summary>
/// <c>Engines:InvokeAi</c>: the nodes to drive and which InvokeAI model each catalog model maps to.
/// Models and upscalers default to InvokeAI's own starter models; configuration overrides them per id.
/// </summary>
public sealed class InvokeAiOptions
{
    public List<InvokeAiNodeOptions> Nodes { get; set; } = [];

    /// <summary>Catalog model id → InvokeAI main model (name + base).</summary>
    public Dictionary<string, InvokeAiModelOptions> Models { get; set; } = new(StringComparer.Ordinal);

    /// <summary>Upscale factor ("2", "4") → spandrel image-to-image model name.</summary>
    public Dictionary<string, string> Upscalers { get; set; } = new(StringComparer.Ordinal);

    /// <summary><c>Control:{sd1|sdxl|flux}:{canny|depth|pose|lineart}</c> → ControlNet model; laid over <see cref="InvokeAiAddOnDefaults.Control"/>.</summary>
    public Dictionary<string, Dictionary<string, InvokeAiControlOptions>> Control { get; set; } = new(StringComparer.Ordinal);

    /// <summary><c>Reference:{sd1|sdxl|flux}</c> → IP-Adapter model; laid over <see cref="InvokeAiAddOnDefaults.Reference"/>.</summary>
    public Dictionary<string, InvokeAiReferenceOptions> Reference { get; set; } = new(StringComparer.Ordinal);

    /// <summary>Every HTTP request to a node gives up after this long (the node is then unavailable for the job).</summary>
    public double RequestTimeoutSeconds { get; set; } = 30;

    /// <summary>The queue item is polled over REST after this long without a socket event for it.</summary>
    public double SilentPollSeconds { get; set; } = 5;

    /// <summary>Polling interval while the socket is down.</summary>
    public double PollSeconds { get; set; } = 1;

    /// <summary>At most this many previews per second reach our progress events.</summary>
    public double PreviewsPerSecond { get; set; } = 4;

    public static IReadOnlyDictionary<string, InvokeAiModelOptions> DefaultModels { get; } =
        new Dictionary<string, InvokeAiModelOptions>(StringComparer.Ordinal)
        {
            ["sd-1.5"] = new() { Name = "Dreamshaper 8", Base = "sd-1" },
            ["sdxl-1.0"] = new() { Name = "Juggernaut XL v9", Base = "sdxl" },
            ["flux-schnell"] = new() { Name = "FLUX.1 schnell", Base = "flux" },
            ["flux-dev"] = new() { Name = "FLUX.1 dev", Base = "flux" },
        };

    /// <summary>InvokeAI's starter spandrel models (invokeai/backend/model_manager/starter_models.py).</summary>
    public static IReadOnlyDictionary<string, string> DefaultUpscalers { get; } =
        new Dictionary<string, string>(StringComparer.Ordinal)
        {
            ["2"] = "RealESRGAN_x2plus",
            ["4"] = "RealESRGAN_x4plus",
        };

    /// <summary>The defaults with configured entries laid over them (a configured name without a base keeps the default base).</summary>
    public IReadOnlyDictionary<string, InvokeAiModelOptions> EffectiveModels()
    {
        var merged = new Dictionary<string, InvokeAiModelOptions>(StringComparer.Ordinal);
        foreach (var (id, model) in DefaultModels)
        {
            merged[id] = model;
        }
        foreach (var (id, model) in Models)
        {
            var fallback = merged.GetValueOrDefault(id);
            merged[id] = new InvokeAiModelOptions
            {
                Name = string.IsNullOrWhiteSpace(model.Name) ? fallback?.Name : model.Name,
                Base = string.IsNullOrWhiteSpace(model.Base) ? fallback?.Base : model.Base,
            };
        }
        return merged;
    }

    /// <summary>(family, type) → ControlNet: the defaults with configured entries laid over them (a name without a base keeps the default base).</summary>
    public IReadOnlyDictionary<(string Family, string Type), InvokeAiControlOptions> EffectiveControl()
    {
        var merged = new Dictionary<(string, string), InvokeAiControlOptions>();
        foreach (var (family, types) in InvokeAiAddOnDefaults.Control)
        {
            foreach (var (type, model) in types)
            {
                merged[(family, type)] = model;
            }
        }
        foreach (var (family, types) in Control)
        {
            foreach (var (type, model) in types)
            {
                var fallback = merged.GetValueOrDefault((family, type));
                merged[(family, type)] = new InvokeAiControlOptions
                {
                    Name = string.IsNullOrWhiteSpace(model.Name) ? fallback?.Name : model.Name,
                    Base = string.IsNullOrWhiteSpace(model.Base) ? fallback?.Base ?? InvokeAiAddOnDefaults.BaseOf(family) : model.Base,
                    Mode = model.Mode ?? fallback?.Mode,
                };
            }
        }
        return merged;
    }

    /// <summary>family → IP-Adapter: the defaults with configured entries laid over them.</summary>
    public IReadOnlyDictionary<string, InvokeAiReferenceOptions> EffectiveReference()
    {
        var merged = new Dictionary<string, InvokeAiReferenceOptions>(InvokeAiAddOnDefaults.Reference, StringComparer.Ordinal);
        foreach (var (family, model) in Reference)
        {
            var fallback = merged.GetValueOrDefault(family);
            merged[family] = new InvokeAiReferenceOptions
            {
                Name = string.IsNullOrWhiteSpace(model.Name) ? fallback?.Name : model.Name,
                Base = string.IsNullOrWhiteSpace(model.Base) ? fallback?.Base ?? InvokeAiAddOnDefaults.BaseOf(family) : model.Base,
                ClipVision = string.IsNullOrWhiteSpace(model.ClipVision) ? fallback?.ClipVision : model.ClipVision,
                ImageEncoder = string.IsNullOrWhiteSpace(model.ImageEncoder) ? fallback?.ImageEncoder : model.ImageEncoder,
            };
        }
        return merged;
    }

    public IReadOnlyDictionary<int, string> EffectiveUpscalers()
    {
        var merged = new Dictionary<int, string>();
        foreach (var (scale, name) in DefaultUpscalers.Concat(Upscalers))
        {
            if (int.TryParse(scale, out var factor) && !string.IsNullOrWhiteSpace(name))
            {
                merged[factor] = name;
            }
        }
        return merged;
    }
}

/// <summary><c>Engines:InvokeAi:Nodes:N</c>: one InvokeAI process (one GPU).</summary>
public sealed class InvokeAiNodeOptions
{
    public string Url { get; set; } = string.Empty;

    /// <summary><c>a10g</c>, <c>l4</c>, <c>a100</c>, <c>h100</c>.</summary>
    public string GpuClass { get; set; } = "a10g";

    /// <summary>Bearer token for a node in multi-user mode; never logged.</summary>
    public string? Token { get; set; }

    /// <summary>InvokeAI ≤ 6.13 runs one item at a time, so one job per node keeps its queue shallow.</summary>
    public int Concurrency { get; set; } = 1;

    /// <summary>Disk the node may fill with users' LoRAs; the least recently used are deleted before an install would exceed it.</summary>
    public double LoraCacheGigabytes { get; set; } = 20;

    /// <summary>A LoRA install (download + probe) not completed in this time fails the attempt (retryable).</summary>
    public double LoraInstallTimeoutSeconds { get; set; } = 300;
}

/// <summary>An InvokeAI main model, found by name and base (<c>sd-1</c>, <c>sdxl</c>, <c>flux</c>).</summary>
public sealed class InvokeAiModelOptions
{
    public string? Name { get; set; }

    public string? Base { get; set; }
}

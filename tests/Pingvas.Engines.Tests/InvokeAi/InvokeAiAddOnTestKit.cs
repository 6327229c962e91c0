using Pingvas.Engines.InvokeAi;
using Pingvas.Testing.InvokeAi;

namespace Pingvas.Engines.Tests.InvokeAi;

/// <summary>The ControlNet, IP-Adapter, CLIP Vision and LoRA models the add-on tests install on the test node.</summary>
internal static class InvokeAiAddOnTestKit
{
    /// <summary>InvokeAI's starter ControlNets, IP-Adapters and image encoders, as our defaults name them.</summary>
    public static IReadOnlyList<InvokeAiModelConfig> AddOnModels()
    {
        var models = new List<InvokeAiModelConfig>();
        foreach (var (family, types) in InvokeAiAddOnDefaults.Control)
        {
            foreach (var (_, control) in types)
            {
                if (!models.Any(m => m.Name == control.Name && m.Base == control.Base && m.Type == "controlnet"))
                {
                    models.Add(Config(control.Name!, control.Base!, "controlnet", "diffusers"));
                }
            }
        }
        foreach (var (_, reference) in InvokeAiAddOnDefaults.Reference)
        {
            models.Add(Config(reference.Name!, reference.Base!, "ip_adapter", "checkpoint"));
            if (!models.Any(m => m.Name == reference.ImageEncoder && m.Type == "clip_vision"))
            {
                models.Add(Config(reference.ImageEncoder!, "any", "clip_vision", "diffusers"));
            }
        }
        return models;
    }

    /// <summary>A LoRA already in the node's cache, named as the engine names it.</summary>
    public static InvokeAiModelConfig CachedLora(EngineLora lora) =>
        Config(lora.NodeName, lora.Family == "sd1" ? "sd-1" : lora.Family, "lora", "lycoris");

    public static InvokeAiModelConfig Config(string name, string baseType, string type, string format) =>
        new($"test-{type}-{baseType}-{name}".Replace(' ', '-'), $"blake3:{Math.Abs(name.GetHashCode()):x}", name, baseType, type, format);

    /// <summary>
    /// The node's models plus those of <paramref name="extra"/> it lacks (by name, base and type),
    /// without those <paramref name="drop"/> matches.
    /// </summary>
    public static async Task InstallAsync(InvokeAiTestNode node, IEnumerable<InvokeAiModelConfig> extra, Func<InvokeAiModelConfig, bool>? drop = null)
    {
        var models = (await node.GetModelsAsync()).ToList();
        models.AddRange(extra.Where(e => !models.Any(m => (m.Name, m.Base, m.Type) == (e.Name, e.Base, e.Type))).ToList());
        await node.SetModelsAsync(models.Where(m => drop?.Invoke(m) != true).ToList());
    }

    public static EngineLora Lora(string family, double weight, long bytes = 1_000_000, string url = "http://127.0.0.1:9/lora") =>
        new(Guid.NewGuid(), family, weight, bytes, new string('a', 64), url);

    public static string FamilyOf(string model) => model switch
    {
        "sd-1.5" => "sd1",
        "sdxl-1.0" => "sdxl",
        _ => "flux",
    };
}

namespace Pingvas.FleetSim;

/// <summary>A GPU class: how fast it renders and loads relative to an A10G, its price, and the models it can hold.</summary>
public sealed record GpuClass(string Name, double Speed, double LoadFactor, double OnDemandPerHour, IReadOnlySet<string> Models)
{
    public double SpotPerHour => OnDemandPerHour * Fleet.SpotShareOfOnDemand;

    public double ServiceSeconds(string model) => Fleet.ServiceSecondsOnA10g(model) / Speed;

    public double LoadSeconds(string model) => Fleet.LoadSecondsOnA10g(model) * LoadFactor;
}

/// <summary>The simulated fleet: GPU classes, per-model times and the fleet's composition.</summary>
public static class Fleet
{
    public const string Sd15 = "sd-1.5";
    public const string Sdxl = "sdxl-1.0";
    public const string FluxDev = "flux-dev";
    public const double SpotShareOfOnDemand = 0.30;

    public static readonly IReadOnlyList<string> Models = [Sd15, Sdxl, FluxDev];

    private static readonly HashSet<string> AllModels = [Sd15, Sdxl, FluxDev];

    // A T4 has 16 GB and no bf16: FLUX dev does not fit it at a usable speed, so T4s serve SD only.
    private static readonly HashSet<string> SdModels = [Sd15, Sdxl];

    public static readonly GpuClass T4 = new("t4", Speed: 0.5, LoadFactor: 1.5, OnDemandPerHour: 0.526, SdModels);
    public static readonly GpuClass L4 = new("l4", Speed: 0.9, LoadFactor: 1.0, OnDemandPerHour: 0.805, AllModels);
    public static readonly GpuClass A10g = new("a10g", Speed: 1.0, LoadFactor: 1.0, OnDemandPerHour: 1.006, AllModels);

    // p4d.24xlarge is $32.77/h for 8 A100s: $4.10 per GPU-hour.
    public static readonly GpuClass A100 = new("a100", Speed: 2.5, LoadFactor: 0.6, OnDemandPerHour: 4.10, AllModels);

    public static readonly IReadOnlyList<GpuClass> Classes = [A100, A10g, L4, T4];

    // Every 12 workers: 4 A10G, 3 T4, 3 L4, 2 A100 (24 workers: 8, 6, 6, 4).
    private static readonly GpuClass[] Pattern = [A10g, T4, L4, A10g, A100, T4, L4, A10g, T4, L4, A100, A10g];

    /// <summary>Seconds for one 1024-step-equivalent image (one job) on an A10G.</summary>
    public static double ServiceSecondsOnA10g(string model) => model switch
    {
        Sd15 => 2,
        Sdxl => 6,
        FluxDev => 20,
        _ => throw new ArgumentOutOfRangeException(nameof(model), model, "unknown model"),
    };

    /// <summary>Seconds to load a model cold on an A10G (disk to VRAM).</summary>
    public static double LoadSecondsOnA10g(string model) => model switch
    {
        Sd15 => 4,
        Sdxl => 8,
        FluxDev => 20,
        _ => throw new ArgumentOutOfRangeException(nameof(model), model, "unknown model"),
    };

    public static IReadOnlyList<GpuClass> Compose(int workers) =>
        Enumerable.Range(0, workers).Select(i => Pattern[i % Pattern.Length]).ToList();
}

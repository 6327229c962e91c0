using Pingvas.Core.Plans;

namespace Pingvas.Core.Tests;

/// <summary>The default plan catalog of PRODUCT.md §2 and a few model profiles, as the rules see them.</summary>
internal static class TestCatalog
{
    public static readonly PlanEntitlements Free = new("free", 0, 2, 100, 1, 1024, 1);
    public static readonly PlanEntitlements Starter = new("starter", 1, 4, 5000, 1, 1536, 4);
    public static readonly PlanEntitlements Pro = new("pro", 2, 6, 15000, 1, 2048, 8);
    public static readonly PlanEntitlements Studio = new("studio", 3, 8, 30000, 3, 2048, 8);
    public static readonly PlanEntitlements Enterprise = new("enterprise", 4, 10, null, null, 4096, 16);

    public static readonly ModelProfile Sd15 = new("sd15", ModelKind.Local, 0, 0.5, 0.4, 0);
    public static readonly ModelProfile Sdxl = new("sdxl", ModelKind.Local, 1, 1.0, 0.8, 0);
    public static readonly ModelProfile Flux = new("flux-dev", ModelKind.Local, 2, 2.0, 1.5, 0);
    public static readonly ModelProfile NanoBanana = new("nano-banana", ModelKind.External, 2, 0, 0, 20);
}

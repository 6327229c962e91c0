namespace Pingvas.Core.Generation;

/// <summary>
/// Which ControlNet types and whether an IP-Adapter reference each model family supports: the
/// InvokeAI starter models (workers map them in <c>Engines:InvokeAi:Control</c>). A family not
/// listed (external relays) supports none.
/// </summary>
public static class ControlSupport
{
    public const string Canny = "canny";
    public const string Depth = "depth";
    public const string Pose = "pose";
    public const string Lineart = "lineart";

    /// <summary>Every control type a request may name, whatever the family.</summary>
    public static IReadOnlyList<string> Types { get; } = [Canny, Depth, Pose, Lineart];

    private static readonly Dictionary<string, string[]> ControlTypes = new(StringComparer.Ordinal)
    {
        ["sd1"] = [Canny, Depth, Pose, Lineart],
        ["sdxl"] = [Canny, Depth, Pose],
        ["flux"] = [Canny, Depth],
    };

    private static readonly HashSet<string> ReferenceFamilies = new(StringComparer.Ordinal) { "sd1", "sdxl", "flux" };

    public static bool IsKnownType(string type) => Types.Contains(type, StringComparer.Ordinal);

    public static bool SupportsControl(string family, string type) =>
        ControlTypes.TryGetValue(family, out var types) && types.Contains(type, StringComparer.Ordinal);

    public static bool SupportsReference(string family) => ReferenceFamilies.Contains(family);

    /// <summary>The control types of <paramref name="family"/> (empty when it has none), for messages.</summary>
    public static IReadOnlyList<string> ControlTypesOf(string family) => ControlTypes.GetValueOrDefault(family) ?? [];
}

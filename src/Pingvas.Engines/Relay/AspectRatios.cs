using System.Globalization;

namespace Pingvas.Engines.Relay;

/// <summary>The providers take an aspect ratio, not pixel sizes: the listed ratio closest to the job's.</summary>
public static class AspectRatios
{
    public static string Closest(int width, int height, IReadOnlyList<string> supported)
    {
        var wanted = Math.Log(width / (double)height);
        return supported.MinBy(r => Math.Abs(Math.Log(Ratio(r)) - wanted))!;
    }

    private static double Ratio(string ratio)
    {
        var parts = ratio.Split(':');
        return double.Parse(parts[0], CultureInfo.InvariantCulture) / double.Parse(parts[1], CultureInfo.InvariantCulture);
    }
}

namespace Pingvas.Engines.Procedural;

/// <summary>
/// A few colour words (English and Korean) steer the palette so a development render visibly
/// responds to its prompt. Anything else leaves the palette to the seed.
/// </summary>
internal static class PromptHints
{
    // Hue in turns (0..1). Checked in order; the first match wins.
    private static readonly (string Word, float Hue)[] Hues =
    [
        ("sunset", 0.05f), ("노을", 0.05f),
        ("red", 0.0f), ("빨간", 0.0f), ("빨강", 0.0f),
        ("orange", 0.08f), ("주황", 0.08f),
        ("yellow", 0.15f), ("gold", 0.13f), ("노란", 0.15f), ("노랑", 0.15f),
        ("forest", 0.30f), ("green", 0.33f), ("숲", 0.30f), ("초록", 0.33f),
        ("ocean", 0.55f), ("sea", 0.55f), ("바다", 0.55f),
        ("blue", 0.62f), ("sky", 0.58f), ("파란", 0.62f), ("파랑", 0.62f), ("하늘", 0.58f),
        ("purple", 0.78f), ("violet", 0.75f), ("보라", 0.78f),
        ("pink", 0.92f), ("분홍", 0.92f),
    ];

    private static readonly string[] DarkWords = ["night", "dark", "space", "밤", "어둠", "우주"];

    public static float? HueFor(string prompt)
    {
        foreach (var (word, hue) in Hues)
        {
            if (prompt.Contains(word, StringComparison.OrdinalIgnoreCase))
            {
                return hue;
            }
        }

        return null;
    }

    public static bool IsDark(string prompt)
    {
        return DarkWords.Any(word => prompt.Contains(word, StringComparison.OrdinalIgnoreCase));
    }
}

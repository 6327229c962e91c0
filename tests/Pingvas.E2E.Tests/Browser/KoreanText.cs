using System.Net.Http.Json;
using System.Text.RegularExpressions;

using Microsoft.Playwright;

using Pingvas.Server.Tests.Infrastructure;

namespace Pingvas.E2E.Tests.Browser;

/// <summary>
/// "The Korean UI has no English left": every Latin word a Korean page shows — its text and the
/// words a screen reader or a hover shows (labels, alt texts, placeholders, titles) — must be a
/// name, not a sentence: the brand, a model's or plan's own name, an id or a value the user typed.
/// </summary>
public static partial class KoreanText
{
    /// <summary>Names that stay as they are in a Korean product: brand, units, formats, technical ids.</summary>
    private static readonly HashSet<string> Names = new(StringComparer.OrdinalIgnoreCase)
    {
        "Pingvas", "Studio", "English", "px", "GPU", "CFG", "PNG", "WebP", "JPEG", "TOTP", "QR", "ID", "API", "URL",
        "KB", "MB", "GB", "TB", "US", "LoRA", "SLA",
        "euler", "euler_a", "dpmpp_2m", "dpmpp_2m_k", "dpmpp_sde", "ddim", "lms", "heun", "procedural",
        "Free", "Starter", "Pro", "Team", "Enterprise",
        "Google", "Discord",
        // Issue 11: formats, products and model families keep their names.
        "JSON", "safetensors", "InvokeAI", "LoRAs", "ControlNet", "IP", "Adapter", "Canny", "SD", "SDXL", "FLUX",
        // Issue 12: keys are named as printed on the keyboard (the gallery's shortcut help).
        "Enter", "Space", "Shift", "Ctrl", "Esc", "Delete",
    };

    /// <summary>The Latin words on the page that are none of <see cref="Names"/>, the catalog's names or <paramref name="typed"/>.</summary>
    public static async Task<IReadOnlyList<string>> EnglishLeftAsync(IPage page, HttpClient catalog, params string[] typed)
    {
        var known = new HashSet<string>(Names, StringComparer.OrdinalIgnoreCase);
        foreach (var text in typed.Concat(await CatalogNamesAsync(catalog)))
        {
            known.UnionWith(Words(text));
        }

        var shown = await page.EvaluateAsync<string>("""
            () => {
              const parts = [document.body.innerText, document.title];
              for (const e of document.querySelectorAll('[aria-label],[alt],[placeholder],[title]')) {
                for (const a of ['aria-label', 'alt', 'placeholder', 'title']) if (e.getAttribute(a)) parts.push(e.getAttribute(a));
              }
              return parts.join('\n');
            }
            """);
        // Emails, addresses and ids are values, not words.
        shown = Values().Replace(shown, " ");
        return Words(shown).Where(w => !known.Contains(w)).Distinct(StringComparer.OrdinalIgnoreCase).ToList();
    }

    private static async Task<IEnumerable<string>> CatalogNamesAsync(HttpClient api)
    {
        var models = await api.GetFromJsonAsync<List<NamedBody>>("/api/v1/models", Json.Options) ?? [];
        var plans = await api.GetFromJsonAsync<List<NamedBody>>("/api/v1/plans", Json.Options) ?? [];
        return models.Concat(plans).SelectMany(m => new[] { m.Id, m.Name });
    }

    private static IEnumerable<string> Words(string text) => LatinWord().Matches(text).Select(m => m.Value);

    [GeneratedRegex(@"[A-Za-z][A-Za-z0-9_']+")]
    private static partial Regex LatinWord();

    [GeneratedRegex(@"\S+@\S+|https?://\S+|\b[0-9a-f]{8}-[0-9a-f-]{27}\b|\b(?=[0-9a-f]*[0-9])[0-9a-f]{6,}\b|\b[0-9A-Z]{5}-[0-9A-Z]{5}\b|\b[A-Z2-7]{4}( [A-Z2-7]{4})+\b")]
    private static partial Regex Values();

    private sealed record NamedBody(string Id, string Name);
}

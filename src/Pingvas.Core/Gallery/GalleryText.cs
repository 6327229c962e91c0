using System.Text;

namespace Pingvas.Core.Gallery;

/// <summary>
/// How gallery text is normalised, so that what is stored and what is searched compare alike:
/// full-width ASCII folded to ASCII (what Korean and Japanese keyboards type in full-width mode),
/// lower-case (invariant), inner whitespace collapsed to one space, trimmed. Not full NFKC: the app
/// runs with invariant globalization, where string.Normalize leaves non-ASCII text as it is.
/// </summary>
public static class GalleryText
{
    public const int MaxTagLength = 40;
    public const int MaxTagsPerImage = 20;
    public const int MaxSearchTerms = 8;
    public const int MaxTermLength = 100;

    public static string Normalize(string? text)
    {
        if (string.IsNullOrWhiteSpace(text))
        {
            return "";
        }

        var sb = new StringBuilder(text.Length);
        var space = false;
        foreach (var raw in text)
        {
            // U+FF01–FF5E are the full-width forms of U+0021–007E.
            var c = char.ToLowerInvariant(raw is >= '\uFF01' and <= '\uFF5E' ? (char)(raw - 0xFEE0) : raw);
            if (char.IsWhiteSpace(c))
            {
                space = sb.Length > 0;
                continue;
            }

            if (space)
            {
                sb.Append(' ');
                space = false;
            }

            sb.Append(c);
        }

        return sb.ToString();
    }

    /// <summary>A tag as stored, or null with the reason when it cannot be one (empty, too long, a control character).</summary>
    public static string? Tag(string? raw, out string? error)
    {
        var tag = Normalize(raw);
        error = tag.Length == 0 ? "A tag cannot be empty."
            : tag.Length > MaxTagLength ? $"A tag has at most {MaxTagLength} characters."
            : !Text.FreeText.IsAllowed(tag) ? Text.FreeText.Message
            : null;
        return error is null ? tag : null;
    }

    /// <summary>Normalised, de-duplicated and sorted tags, or null with the reason (including more than <see cref="MaxTagsPerImage"/>).</summary>
    public static IReadOnlyList<string>? Tags(IEnumerable<string?>? raw, out string? error)
    {
        error = null;
        var tags = new SortedSet<string>(StringComparer.Ordinal);
        foreach (var r in raw ?? [])
        {
            if (Tag(r, out error) is not { } tag)
            {
                return null;
            }

            tags.Add(tag);
        }

        if (tags.Count > MaxTagsPerImage)
        {
            error = $"An image has at most {MaxTagsPerImage} tags.";
            return null;
        }

        return [.. tags];
    }

    /// <summary>What the search box matches for an image: its prompt, negative prompt and tags, normalised, one per line.</summary>
    public static string SearchText(string prompt, string? negativePrompt, IEnumerable<string> tags) =>
        string.Join('\n', new[] { Normalize(prompt), Normalize(negativePrompt) }.Concat(tags.Select(Normalize)).Where(s => s.Length > 0));

    /// <summary>
    /// The terms of a search query: normalised, split on whitespace, duplicates dropped; null with the
    /// reason when there are more than <see cref="MaxSearchTerms"/> or one is longer than <see cref="MaxTermLength"/>.
    /// An image matches when every term is a substring of its search text or its folder's name.
    /// </summary>
    public static IReadOnlyList<string>? Terms(string? query, out string? error)
    {
        error = null;
        var terms = Normalize(query).Split(' ', StringSplitOptions.RemoveEmptyEntries).Distinct(StringComparer.Ordinal).ToList();
        if (terms.Count > MaxSearchTerms)
        {
            error = $"A search has at most {MaxSearchTerms} words.";
            return null;
        }

        if (terms.Any(t => t.Length > MaxTermLength))
        {
            error = $"A search word has at most {MaxTermLength} characters.";
            return null;
        }

        if (!Text.FreeText.IsAllowed(string.Concat(terms)))
        {
            error = Text.FreeText.Message;
            return null;
        }

        return terms;
    }
}

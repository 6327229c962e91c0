using System.Globalization;

using Pingvas.Core.Gallery;

namespace Pingvas.Server.Gallery;

public enum ImageSort
{
    Newest,
    Oldest,
    MostUsed,

    /// <summary>The trash: newest-trashed first (trash=true; any sort asked for is ignored there).</summary>
    Trashed,
}

/// <summary>
/// The raw query string of <c>GET /images</c>, bound with [AsParameters]. Every value is taken as
/// text so a malformed one answers 400 validation_failed with its field, not the framework's plain 400.
/// </summary>
public sealed record ImageListParameters(
    string? Q, string? Tag, string? Folder, string? Model, string? Starred, string? From, string? To,
    string? Sort, string? Trash, string? Cursor, string? Limit);

/// <summary>A parsed, valid gallery listing: search terms, filters, sort, keyset position and page size.</summary>
public sealed record ImageListQuery(
    IReadOnlyList<string> Terms, string? Tag, bool InRoot, Guid? FolderId, string? Model, bool? Starred,
    DateTime? From, DateTime? To, ImageSort Sort, ImageCursor? After, int Limit)
{
    public const int DefaultLimit = 50;
    public const int MaxLimit = 100;

    public static ImageListQuery? Parse(ImageListParameters p, out Dictionary<string, string[]> errors)
    {
        var found = new Dictionary<string, string[]>();
        void Fail(string field, string message) => found[field] = [message];

        var terms = GalleryText.Terms(p.Q, out var termError);
        if (terms is null)
        {
            Fail("q", termError!);
        }

        string? tag = null;
        if (!string.IsNullOrEmpty(p.Tag) && (tag = GalleryText.Tag(p.Tag, out var tagError)) is null)
        {
            Fail("tag", tagError!);
        }

        var inRoot = false;
        Guid? folderId = null;
        if (p.Folder is "root")
        {
            inRoot = true;
        }
        else if (!string.IsNullOrEmpty(p.Folder))
        {
            if (Guid.TryParse(p.Folder, out var id))
            {
                folderId = id;
            }
            else
            {
                Fail("folder", "folder must be a folder id or root.");
            }
        }

        var (starredOk, starred) = Flag(p.Starred);
        if (!starredOk)
        {
            Fail("starred", "starred must be true or false.");
        }

        var from = Instant(p.From, "from", Fail);
        var to = Instant(p.To, "to", Fail);
        if (from is not null && to is not null && from >= to)
        {
            Fail("to", "to must be later than from.");
        }

        var (trashOk, trash) = Flag(p.Trash);
        if (!trashOk)
        {
            Fail("trash", "trash must be true or false.");
        }

        ImageSort? sort = p.Sort switch
        {
            null or "" or "newest" => ImageSort.Newest,
            "oldest" => ImageSort.Oldest,
            "most_used" => ImageSort.MostUsed,
            _ => null,
        };
        if (sort is null)
        {
            Fail("sort", "sort must be newest, oldest or most_used.");
        }

        if (trash == true)
        {
            sort = ImageSort.Trashed;
        }

        var limit = DefaultLimit;
        if (!string.IsNullOrEmpty(p.Limit) && (!int.TryParse(p.Limit, NumberStyles.None, CultureInfo.InvariantCulture, out limit) || limit is < 1 or > MaxLimit))
        {
            Fail("limit", $"limit must be a number between 1 and {MaxLimit}.");
        }

        ImageCursor? after = null;
        if (!string.IsNullOrEmpty(p.Cursor) && sort is { } s && (after = ImageCursor.Decode(p.Cursor, s)) is null)
        {
            Fail("cursor", "The cursor is not valid; use nextCursor from the previous page of the same listing.");
        }

        errors = found;
        return found.Count > 0
            ? null
            : new ImageListQuery(terms!, tag, inRoot, folderId, string.IsNullOrEmpty(p.Model) ? null : p.Model, starred, from, to, sort!.Value, after, limit);
    }

    /// <summary>true, false or absent (null); anything else is not ok.</summary>
    private static (bool Ok, bool? Value) Flag(string? text) => text switch
    {
        null or "" => (true, null),
        "true" => (true, true),
        "false" => (true, false),
        _ => (false, null),
    };

    /// <summary>An ISO 8601 date-time as UTC (one without an offset is taken as UTC); anything else is refused.</summary>
    private static DateTime? Instant(string? text, string field, Action<string, string> fail)
    {
        if (string.IsNullOrEmpty(text))
        {
            return null;
        }

        if (text.Contains('T', StringComparison.Ordinal)
            && DateTimeOffset.TryParse(text, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal | DateTimeStyles.AdjustToUniversal, out var value))
        {
            return value.UtcDateTime;
        }

        fail(field, $"{field} must be an ISO 8601 instant, such as 2026-01-31T09:00:00Z.");
        return null;
    }
}

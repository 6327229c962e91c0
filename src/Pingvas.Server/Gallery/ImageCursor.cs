using System.Buffers.Text;
using System.Globalization;
using System.Text;

namespace Pingvas.Server.Gallery;

/// <summary>
/// The keyset position after the last image of a page, in the listing's sort: the sort key (none
/// for newest/oldest, whose key is the id; the use count; the trashing time) and the image id as the
/// tie-breaker. Opaque to clients: base64url of "sort:key:id". A cursor of another sort does not decode.
/// </summary>
public sealed record ImageCursor(ImageSort Sort, long Key, Guid Id)
{
    public static ImageCursor After(Image last, ImageSort sort) => sort switch
    {
        ImageSort.MostUsed => new(sort, last.UseCount, last.Id),
        ImageSort.Trashed => new(sort, last.DeletedAt!.Value.Ticks, last.Id),
        _ => new(sort, 0, last.Id),
    };

    /// <summary>The trashing time of a <see cref="ImageSort.Trashed"/> cursor.</summary>
    public DateTime Time => new(Key, DateTimeKind.Utc);

    public string Encode() =>
        Base64Url.EncodeToString(Encoding.ASCII.GetBytes(string.Create(CultureInfo.InvariantCulture, $"{Tag(Sort)}:{Key}:{Id:N}")));

    /// <summary>The cursor, or null when it is malformed or was made for another sort.</summary>
    public static ImageCursor? Decode(string text, ImageSort sort)
    {
        if (text.Length > 100 || !Base64Url.IsValid(text))
        {
            return null;
        }

        var parts = Encoding.ASCII.GetString(Base64Url.DecodeFromChars(text)).Split(':');
        if (parts.Length != 3 || parts[0] != Tag(sort)
            || !long.TryParse(parts[1], NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var key)
            || !Guid.TryParseExact(parts[2], "N", out var id))
        {
            return null;
        }

        var valid = sort switch
        {
            ImageSort.MostUsed => key is >= 0 and <= int.MaxValue,
            ImageSort.Trashed => key is >= 0 && key <= DateTime.MaxValue.Ticks,
            _ => key == 0,
        };
        return valid ? new ImageCursor(sort, key, id) : null;
    }

    private static string Tag(ImageSort sort) => sort switch
    {
        ImageSort.Newest => "n",
        ImageSort.Oldest => "o",
        ImageSort.MostUsed => "u",
        _ => "t",
    };
}

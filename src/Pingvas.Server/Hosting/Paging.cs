namespace Pingvas.Server.Hosting;

public sealed record Page<T>(IReadOnlyList<T> Items, string? NextCursor);

/// <summary>Cursor paging over UUIDv7 ids, newest first: the cursor is the last id of the previous page.</summary>
public static class Paging
{
    public const int DefaultLimit = 20;
    public const int MaxLimit = 100;

    /// <param name="limit">Taken as text so a non-number gets the same field error as an out-of-range one.</param>
    public static bool TryRead(string? cursor, string? limit, out Guid? after, out int take, out Dictionary<string, string[]> errors)
    {
        errors = [];
        after = null;
        take = DefaultLimit;
        if (!string.IsNullOrEmpty(limit) && (!int.TryParse(limit, System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out take) || take is < 1 or > MaxLimit))
        {
            errors["limit"] = [$"limit must be a number between 1 and {MaxLimit}."];
        }

        if (!string.IsNullOrEmpty(cursor))
        {
            if (Guid.TryParseExact(cursor, "N", out var id))
            {
                after = id;
            }
            else
            {
                errors["cursor"] = ["The cursor is not valid; use nextCursor from the previous page."];
            }
        }

        return errors.Count == 0;
    }

    public static Page<TOut> Build<TIn, TOut>(List<TIn> rows, int take, Func<TIn, Guid> id, Func<TIn, TOut> map)
    {
        var more = rows.Count > take;
        var items = rows.Take(take).ToList();
        return new Page<TOut>(items.Select(map).ToList(), more ? id(items[^1]).ToString("N") : null);
    }
}

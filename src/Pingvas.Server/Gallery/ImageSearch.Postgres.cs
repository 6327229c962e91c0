using System.Text;

using Microsoft.EntityFrameworkCore;

using Pingvas.Server.Data;

namespace Pingvas.Server.Gallery;

/// <summary>
/// The search box on PostgreSQL. <c>images</c> has a forced row-level security policy, under which
/// no text index on it can be used, so the text is matched in the side table <c>image_search</c>
/// (0025: id, owner and text, no policy, always queried with the user's id) and the rows are read
/// back from <c>images</c> by id, under the policy, where the filters and every term are checked
/// again. Each step gives the exact page (docs/benchmarks.md "Issue 12: gallery search"):
/// <list type="number">
/// <item>newest or oldest first, the side table is walked in that order on its covering B-tree
/// (user, id, text), a chunk of candidates at a time (four pages' worth, doubling), each chunk read
/// back, first within <see cref="GalleryOptions.SearchWindowRows"/> rows: common and mid-frequency terms end here;</item>
/// <item>then the trigram index gives all the remaining candidates when there are at most
/// <see cref="GalleryOptions.SearchMaxCandidates"/>: rare terms, or no match at all, cost their few matches;</item>
/// <item>otherwise the walk goes on to the end (a term too short for a trigram that is rare, or a
/// filter that matches little).</item>
/// </list>
/// Other orders (most used, trash) take the trigram candidates when few, else walk the user's
/// images; so do terms also found in folder names, which cannot narrow by text.
/// </summary>
public static partial class ImageSearch
{
    /// <summary>The most candidates one chunk of the walk reads back.</summary>
    private const int MaxChunkRows = 4000;

    /// <summary>One search: its user's rows, its query and terms, and the tuning (<see cref="GalleryOptions"/>).</summary>
    private sealed record SearchRun(PingvasDb Db, IQueryable<Image> Owned, Guid UserId, ImageListQuery Query, List<Term> Terms, GalleryOptions Options)
    {
        /// <summary>Terms found in no folder name: only these can narrow by text.</summary>
        public List<Term> Textual { get; } = [.. Terms.Where(t => t.InFolders.Count == 0)];

        public bool HasTrigram => Textual.Any(t => t.Text.Length >= TrigramLength);
    }

    private static async Task<List<Image>> PostgresFindAsync(SearchRun run, CancellationToken ct)
    {
        var (db, owned, userId, query, terms, options) = run;
        if (run.Textual.Count > 0 && query.Sort is ImageSort.Newest or ImageSort.Oldest)
        {
            return await WalkAsync(run, ct);
        }

        if (run.HasTrigram)
        {
            var ids = await CandidatesAsync(run, new Position(Descending: true, After: null), ordered: false, window: null, options.SearchMaxCandidates + 1, ct);
            if (ids.Count <= options.SearchMaxCandidates)
            {
                return await PageAsync(Filtered(db, Matching(owned.Where(i => ids.Contains(i.Id)), terms), userId, query), query, ct);
            }
        }

        return await PageAsync(Filtered(db, Matching(owned, terms), userId, query), query, ct);
    }

    /// <summary>Newest or oldest first: the three steps above.</summary>
    private static async Task<List<Image>> WalkAsync(SearchRun run, CancellationToken ct)
    {
        var (query, options) = (run.Query, run.Options);
        var found = new List<Image>();
        var position = new Position(query.Sort == ImageSort.Newest, query.After?.Id);
        var chunk = 4 * (query.Limit + 1);
        int? window = options.SearchWindowRows;
        while (true)
        {
            var ids = await CandidatesAsync(run, position, ordered: true, window, chunk, ct);
            found.AddRange(await ReadBackAsync(run, ids, query.Limit + 1 - found.Count, ct));
            if (found.Count > query.Limit)
            {
                return found;
            }

            if (ids.Count > 0)
            {
                position = position with { After = ids[^1] };
            }

            if (ids.Count == chunk)
            {
                chunk = Math.Min(2 * chunk, MaxChunkRows);
                continue;
            }

            if (window is null)
            {
                return found;
            }

            // The window ran out before the chunk filled: the terms are rare near the start.
            window = null;
            if (run.HasTrigram)
            {
                var rest = await CandidatesAsync(run, position, ordered: false, window: null, options.SearchMaxCandidates + 1, ct);
                if (rest.Count <= options.SearchMaxCandidates)
                {
                    found.AddRange(await ReadBackAsync(run, rest, query.Limit + 1 - found.Count, ct));
                    return found;
                }
            }
        }
    }

    /// <summary>The candidates' rows, under the policy, with every filter and term checked, in the page's order.</summary>
    private static Task<List<Image>> ReadBackAsync(SearchRun run, List<Guid> ids, int take, CancellationToken ct) =>
        ids.Count == 0
            ? Task.FromResult(new List<Image>())
            : Sorted(Filtered(run.Db, Matching(run.Owned.Where(i => ids.Contains(i.Id)), run.Terms), run.UserId, run.Query), run.Query.Sort, null)
                .Take(take).ToListAsync(ct);

    /// <summary>Where a walk of the side table stands: its direction (newest first: ids descending) and the last id it passed.</summary>
    private sealed record Position(bool Descending, Guid? After);

    /// <summary>
    /// The ids of the user's images past <paramref name="position"/> whose search text holds every
    /// term, at most <paramref name="take"/>. Ordered: walked by id on the covering B-tree, within
    /// the next <paramref name="window"/> rows when given, every term as strpos (which the planner
    /// cannot take to the trigram index, whose matches it would then have to sort). Unordered: the
    /// trigram index, terms of three characters or more as LIKE, shorter ones as strpos (a LIKE
    /// without a whole trigram would make the index read all the user's entries).
    /// image_search has no row-level security, so the user_id condition is what keeps it to the
    /// user; the rows themselves are then read from images, under the policy.
    /// </summary>
    private static Task<List<Guid>> CandidatesAsync(SearchRun run, Position position, bool ordered, int? window, int take, CancellationToken ct)
    {
        var parameters = new List<object> { run.UserId };
        string Next(object value)
        {
            parameters.Add(value);
            return "{" + (parameters.Count - 1) + "}";
        }

        var direction = position.Descending ? "DESC" : "ASC";
        var past = position.After is { } after ? $" AND image_id {(position.Descending ? "<" : ">")} {Next(after)}" : "";
        var sql = new StringBuilder(ordered
            ? $"SELECT image_id AS \"Value\" FROM (SELECT image_id, search_text FROM image_search WHERE user_id = {{0}}{past} ORDER BY image_id {direction}{(window is { } rows ? " LIMIT " + rows : "")}) w WHERE true"
            : $"SELECT image_id AS \"Value\" FROM image_search WHERE user_id = {{0}}{past}");
        foreach (var term in run.Textual)
        {
            sql.Append(!ordered && term.Text.Length >= TrigramLength
                ? $" AND search_text LIKE {Next("%" + EscapeLike(term.Text) + "%")}"
                : $" AND strpos(search_text, {Next(term.Text)}) > 0");
        }

        if (ordered)
        {
            sql.Append(" ORDER BY image_id ").Append(direction);
        }

        sql.Append(" LIMIT ").Append(take);
        return run.Db.Database.SqlQueryRaw<Guid>(sql.ToString(), [.. parameters]).ToListAsync(ct);
    }
}

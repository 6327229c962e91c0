using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.EntityFrameworkCore;

using Pingvas.Core.Gallery;
using Pingvas.Server.Data;
using Pingvas.Server.Hosting;
using Pingvas.Server.Storage;

namespace Pingvas.Server.Gallery;

/// <summary>
/// <c>GET /images</c>: the gallery (or the trash) of one user, searched, filtered, sorted and paged
/// by keyset. A term matches an image when it is a substring of its search text (prompt, negative
/// prompt, tags) or of its folder's name; every term must match (docs/gallery.md "Search and filters").
/// </summary>
public static partial class ImageSearch
{
    /// <summary>Terms this long or longer can use the trigram indexes (pg_trgm, FTS5 trigram); shorter ones scan the user's images.</summary>
    private const int TrigramLength = 3;

    public static async Task<Results<Ok<Page<ImageDto>>, ProblemHttpResult>> ListAsync(
        ImageListParameters parameters, Guid userId, PingvasDb db, IObjectUrls urls, GalleryOptions options, CancellationToken ct)
    {
        if (ImageListQuery.Parse(parameters, out var errors) is not { } query)
        {
            return Problems.Validation(errors);
        }

        if (query.FolderId is { } folderId && !await db.Folders.AnyAsync(f => f.Id == folderId && f.UserId == userId, ct))
        {
            return Problems.Create(StatusCodes.Status404NotFound, "folder_not_found", "Folder not found.", "No such folder.");
        }

        var rows = await FindAsync(db, userId, query, options, ct);
        var page = rows.Take(query.Limit).ToList();
        var ids = page.Select(i => i.Id).ToList();
        var tags = (await db.ImageTags.AsNoTracking()
                .Where(t => t.UserId == userId && ids.Contains(t.ImageId))
                .Select(t => new { t.ImageId, t.Tag })
                .ToListAsync(ct))
            .ToLookup(t => t.ImageId, t => t.Tag);
        var next = rows.Count > query.Limit ? ImageCursor.After(page[^1], query.Sort).Encode() : null;
        return TypedResults.Ok(new Page<ImageDto>(
            [.. page.Select(i => ImageDto.From(i, [.. tags[i.Id].Order(StringComparer.Ordinal)], urls))], next));
    }

    /// <summary>One page of rows and one more (whose presence says there is a next page).</summary>
    public static async Task<List<Image>> FindAsync(PingvasDb db, Guid userId, ImageListQuery query, GalleryOptions options, CancellationToken ct)
    {
        var owned = Owned(db, userId, query);
        if (query.Terms.Count == 0)
        {
            return await PageAsync(Filtered(db, owned, userId, query), query, ct);
        }

        var terms = await TermsAsync(db, userId, query.Terms, ct);
        return db.Database.IsNpgsql()
            ? await PostgresFindAsync(new SearchRun(db, owned, userId, query, terms, options), ct)
            : await PageAsync(Filtered(db, SqliteMatch(db, owned, terms), userId, query), query, ct);
    }

    /// <summary>The user's gallery, or their trash.</summary>
    private static IQueryable<Image> Owned(PingvasDb db, Guid userId, ImageListQuery query)
    {
        var images = query.Sort == ImageSort.Trashed
            ? db.Images.IgnoreQueryFilters().Where(i => i.DeletedAt != null)
            : db.Images;
        return images.AsNoTracking().Where(i => i.UserId == userId);
    }

    private static Task<List<Image>> PageAsync(IQueryable<Image> images, ImageListQuery query, CancellationToken ct) =>
        Sorted(images, query.Sort, query.After).Take(query.Limit + 1).ToListAsync(ct);

    /// <summary>Every filter but the search box.</summary>
    private static IQueryable<Image> Filtered(PingvasDb db, IQueryable<Image> images, Guid userId, ImageListQuery query)
    {
        if (query.Tag is { } tag)
        {
            images = images.Where(i => db.ImageTags.Any(t => t.ImageId == i.Id && t.UserId == userId && t.Tag == tag));
        }

        if (query.InRoot)
        {
            images = images.Where(i => i.FolderId == null);
        }
        else if (query.FolderId is { } folderId)
        {
            images = images.Where(i => i.FolderId == folderId);
        }

        if (query.Model is { } model)
        {
            images = images.Where(i => i.ModelId == model);
        }

        if (query.Starred is { } starred)
        {
            images = images.Where(i => i.Starred == starred);
        }

        if (query.From is { } from)
        {
            images = images.Where(i => i.CreatedAt >= from);
        }

        if (query.To is { } to)
        {
            images = images.Where(i => i.CreatedAt < to);
        }

        return images;
    }

    /// <summary>
    /// A term of the search box and the user's folders whose name holds it. Folder names are
    /// normalised here (GalleryText.Normalize, as the search text was) rather than stored twice: a
    /// user has at most 500 folders, so the ids of those whose name holds a term go into the query as a list.
    /// </summary>
    private sealed record Term(string Text, List<Guid?> InFolders);

    private static async Task<List<Term>> TermsAsync(PingvasDb db, Guid userId, IReadOnlyList<string> terms, CancellationToken ct)
    {
        var folders = await db.Folders.AsNoTracking().Where(f => f.UserId == userId).Select(f => new { f.Id, f.Name }).ToListAsync(ct);
        var names = folders.Select(f => (f.Id, Name: GalleryText.Normalize(f.Name))).ToList();
        return [.. terms.Select(term => new Term(
            term, [.. names.Where(f => f.Name.Contains(term, StringComparison.Ordinal)).Select(f => (Guid?)f.Id)]))];
    }

    /// <summary>Every term must be a substring of the search text or of the folder's name (tested on the rows).</summary>
    private static IQueryable<Image> Matching(IQueryable<Image> images, IEnumerable<Term> terms)
    {
        foreach (var term in terms)
        {
            var pattern = "%" + EscapeLike(term.Text) + "%";
            var inFolders = term.InFolders;
            images = inFolders.Count == 0
                ? images.Where(i => EF.Functions.Like(i.SearchText, pattern, "\\"))
                : images.Where(i => EF.Functions.Like(i.SearchText, pattern, "\\") || inFolders.Contains(i.FolderId));
        }

        return images;
    }

    /// <summary>
    /// SQLite: the FTS5 trigram table for three characters or more (a quoted phrase matches as a
    /// substring), instr for shorter terms.
    /// </summary>
    private static IQueryable<Image> SqliteMatch(PingvasDb db, IQueryable<Image> images, IEnumerable<Term> terms)
    {
        foreach (var (term, inFolders) in terms)
        {
            if (term.Length < TrigramLength)
            {
                images = inFolders.Count == 0
                    ? images.Where(i => i.SearchText.Contains(term))
                    : images.Where(i => i.SearchText.Contains(term) || inFolders.Contains(i.FolderId));
                continue;
            }

            var phrase = "\"" + term.Replace("\"", "\"\"", StringComparison.Ordinal) + "\"";
            var ids = db.Database.SqlQuery<Guid>($"SELECT id AS \"Value\" FROM images WHERE rowid IN (SELECT rowid FROM images_fts WHERE images_fts MATCH {phrase})");
            images = inFolders.Count == 0
                ? images.Where(i => ids.Contains(i.Id))
                : images.Where(i => ids.Contains(i.Id) || inFolders.Contains(i.FolderId));
        }

        return images;
    }

    private static string EscapeLike(string term) =>
        term.Replace("\\", "\\\\", StringComparison.Ordinal).Replace("%", "\\%", StringComparison.Ordinal).Replace("_", "\\_", StringComparison.Ordinal);

    private static IQueryable<Image> Sorted(IQueryable<Image> images, ImageSort sort, ImageCursor? after)
    {
        switch (sort)
        {
            case ImageSort.Oldest:
                if (after is not null)
                {
                    images = images.Where(i => i.Id.CompareTo(after.Id) > 0);
                }

                return images.OrderBy(i => i.Id);
            case ImageSort.MostUsed:
                if (after is not null)
                {
                    var used = (int)after.Key;
                    images = images.Where(i => i.UseCount < used || (i.UseCount == used && i.Id.CompareTo(after.Id) < 0));
                }

                return images.OrderByDescending(i => i.UseCount).ThenByDescending(i => i.Id);
            case ImageSort.Trashed:
                if (after is not null)
                {
                    DateTime? at = after.Time;
                    images = images.Where(i => i.DeletedAt < at || (i.DeletedAt == at && i.Id.CompareTo(after.Id) < 0));
                }

                return images.OrderByDescending(i => i.DeletedAt).ThenByDescending(i => i.Id);
            default:
                if (after is not null)
                {
                    images = images.Where(i => i.Id.CompareTo(after.Id) < 0);
                }

                return images.OrderByDescending(i => i.Id);
        }
    }
}

using Microsoft.EntityFrameworkCore;

using Pingvas.Core.Gallery;
using Pingvas.Server.Data;
using Pingvas.Server.Storage;

namespace Pingvas.Server.Gallery;

/// <summary><c>PATCH /images/{id}</c>: each field optional; <see cref="Tags"/> replace the image's tags.</summary>
public sealed record UpdateImageRequest(bool? Starred, IReadOnlyList<string>? Tags);

/// <summary><c>POST /images/move</c>: a null folder is the root.</summary>
public sealed record MoveImagesRequest(IReadOnlyList<Guid>? ImageIds, Guid? FolderId);

public sealed record MovedResponse(int Moved);

/// <summary>What came of an organising change: the result, or which problem it is.</summary>
public enum OrganizeStatus
{
    Done,
    ImageNotFound,
    FolderNotFound,
    Invalid,
}

public sealed record OrganizeOutcome<T>(OrganizeStatus Status, T? Value = default, string? Field = null, string? Detail = null)
{
    public static OrganizeOutcome<T> Invalid(string field, string detail) => new(OrganizeStatus.Invalid, default, field, detail);
}

/// <summary>
/// Star, tags and folders of the caller's images. Another user's image, a trashed one or a missing
/// one are all "not found". Writes take the owner's lock, as every gallery change does, so a move
/// cannot land in a folder being deleted and tags and search text change together.
/// </summary>
public sealed class ImageOrganizer(PingvasDb db, IObjectUrls urls)
{
    /// <summary>Images one batch call (move, trash) takes at most.</summary>
    public const int MaxBatch = 500;

    public async Task<ImageDto?> GetAsync(Guid userId, Guid id, CancellationToken ct)
    {
        var image = await db.Images.AsNoTracking().SingleOrDefaultAsync(i => i.Id == id && i.UserId == userId, ct);
        return image is null ? null : (await ImageTagSets.DtosAsync(db, userId, [image], urls, ct)).Single();
    }

    public async Task<OrganizeOutcome<ImageDto>> UpdateAsync(Guid userId, Guid id, UpdateImageRequest request, CancellationToken ct)
    {
        IReadOnlyList<string>? tags = null;
        if (request.Tags is not null && (tags = GalleryText.Tags(request.Tags, out var error)) is null)
        {
            return OrganizeOutcome<ImageDto>.Invalid("tags", error!);
        }

        await using var tx = await db.BeginWriteAsync(ct);
        await db.LockUserAsync(userId, ct);
        var image = await db.Images.SingleOrDefaultAsync(i => i.Id == id && i.UserId == userId, ct);
        if (image is null)
        {
            return new(OrganizeStatus.ImageNotFound);
        }

        if (request.Starred is { } starred)
        {
            image.Starred = starred;
        }

        if (tags is not null)
        {
            await db.ImageTags.Where(t => t.ImageId == id && t.UserId == userId).ExecuteDeleteAsync(ct);
            db.ImageTags.AddRange(tags.Select(t => new ImageTag { ImageId = id, UserId = userId, Tag = t }));
            image.SearchText = GalleryText.SearchText(image.Prompt, image.NegativePrompt, tags);
        }

        await db.SaveChangesAsync(ct);
        await tx.CommitAsync(ct);
        return new(OrganizeStatus.Done, (await ImageTagSets.DtosAsync(db, userId, [image], urls, ct)).Single());
    }

    /// <summary>Moves every one of the images or none: each must be the owner's and not trashed, the folder the owner's.</summary>
    public async Task<OrganizeOutcome<MovedResponse>> MoveAsync(Guid userId, MoveImagesRequest request, CancellationToken ct)
    {
        if (ReadIds(request.ImageIds) is not { } ids)
        {
            return OrganizeOutcome<MovedResponse>.Invalid("imageIds", $"imageIds must hold 1 to {MaxBatch} image ids.");
        }

        await using var tx = await db.BeginWriteAsync(ct);
        await db.LockUserAsync(userId, ct);
        if (request.FolderId is { } folderId && !await FolderService.ExistsAsync(db, userId, folderId, ct))
        {
            return new(OrganizeStatus.FolderNotFound);
        }

        if (await db.Images.CountAsync(i => i.UserId == userId && ids.Contains(i.Id), ct) != ids.Count)
        {
            return new(OrganizeStatus.ImageNotFound);
        }

        var moved = await db.Images.Where(i => i.UserId == userId && ids.Contains(i.Id))
            .ExecuteUpdateAsync(s => s.SetProperty(i => i.FolderId, request.FolderId), ct);
        await tx.CommitAsync(ct);
        return new(OrganizeStatus.Done, new MovedResponse(moved));
    }

    /// <summary>The distinct ids of a batch request, or null when there are none or more than <see cref="MaxBatch"/>.</summary>
    public static List<Guid>? ReadIds(IReadOnlyList<Guid>? ids) =>
        ids?.Distinct().ToList() is { Count: > 0 and <= MaxBatch } distinct ? distinct : null;
}

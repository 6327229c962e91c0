using Microsoft.EntityFrameworkCore;

using Pingvas.Server.Data;

namespace Pingvas.Server.Gallery;

/// <summary>A folder as clients see it: <see cref="Images"/> counts the images directly in it (not trashed ones).</summary>
public sealed record FolderDto(Guid Id, Guid? ParentId, string Name, int Images, DateTime CreatedAt);

public sealed record FolderList(IReadOnlyList<FolderDto> Items);

public sealed record CreateFolderRequest(string? Name, Guid? ParentId);

public sealed record RenameFolderRequest(string? Name);

/// <summary>Why a folder change was refused; each maps to one problem code.</summary>
public enum FolderRefusal
{
    NotFound,
    ParentNotFound,
    InvalidName,
    TooDeep,
    NameTaken,
    Limit,
}

/// <summary>A folder, or why not (with a sentence for people).</summary>
public sealed record FolderOutcome(FolderDto? Folder, FolderRefusal? Refusal = null, string? Detail = null)
{
    public static FolderOutcome Refused(FolderRefusal refusal, string detail) => new(null, refusal, detail);
}

/// <summary>
/// A user's folders: one level of nesting, names unique among siblings (case-insensitive), at most
/// <see cref="MaxFolders"/>. Changes run under the owner's lock, so two concurrent creates cannot both
/// take the last slot or the same name. Deleting a folder deletes its sub-folders (the schema cascades)
/// and moves their images, trashed ones too, back to the root (images.folder_id ON DELETE SET NULL).
/// </summary>
public sealed class FolderService(PingvasDb db, TimeProvider time)
{
    public const int MaxFolders = 500;
    public const int MaxNameLength = 80;

    public async Task<FolderList> ListAsync(Guid userId, CancellationToken ct)
    {
        var folders = await db.Folders.AsNoTracking().Where(f => f.UserId == userId).ToListAsync(ct);
        var counts = await db.Images.AsNoTracking().Where(i => i.UserId == userId && i.FolderId != null)
            .GroupBy(i => i.FolderId).Select(g => new { Id = g.Key!.Value, Count = g.Count() }).ToDictionaryAsync(c => c.Id, c => c.Count, ct);
        return new FolderList([.. folders
            .OrderBy(f => f.Name, StringComparer.OrdinalIgnoreCase).ThenBy(f => f.Id)
            .Select(f => Dto(f, counts.GetValueOrDefault(f.Id)))]);
    }

    public async Task<FolderOutcome> CreateAsync(Guid userId, CreateFolderRequest request, CancellationToken ct)
    {
        if (ReadName(request.Name) is not { } name)
        {
            return InvalidName();
        }

        await using var tx = await db.BeginWriteAsync(ct);
        await db.LockUserAsync(userId, ct);
        if (request.ParentId is { } parentId)
        {
            var parent = await db.Folders.AsNoTracking().SingleOrDefaultAsync(f => f.Id == parentId && f.UserId == userId, ct);
            if (parent is null)
            {
                return FolderOutcome.Refused(FolderRefusal.ParentNotFound, "No such parent folder.");
            }

            if (parent.ParentId is not null)
            {
                return FolderOutcome.Refused(FolderRefusal.TooDeep, "Folders nest one level deep: this parent is itself in a folder.");
            }
        }

        if (await db.Folders.CountAsync(f => f.UserId == userId, ct) >= MaxFolders)
        {
            return FolderOutcome.Refused(FolderRefusal.Limit, $"You have {MaxFolders} folders, the most there can be; delete some first.");
        }

        if (await NameTakenAsync(userId, request.ParentId, name, null, ct))
        {
            return NameTaken(name);
        }

        var folder = new Folder { Id = Ids.New(), UserId = userId, ParentId = request.ParentId, Name = name, CreatedAt = Now() };
        db.Folders.Add(folder);
        await db.SaveChangesAsync(ct);
        await tx.CommitAsync(ct);
        return new FolderOutcome(Dto(folder, 0));
    }

    /// <summary>Renames the owner's folder; a move to another parent is not offered.</summary>
    public async Task<FolderOutcome> RenameAsync(Guid userId, Guid id, RenameFolderRequest request, CancellationToken ct)
    {
        var name = ReadName(request.Name);
        await using var tx = await db.BeginWriteAsync(ct);
        await db.LockUserAsync(userId, ct);
        var folder = await db.Folders.SingleOrDefaultAsync(f => f.Id == id && f.UserId == userId, ct);
        if (folder is null)
        {
            return FolderOutcome.Refused(FolderRefusal.NotFound, "No such folder.");
        }

        if (name is null)
        {
            return InvalidName();
        }

        if (await NameTakenAsync(userId, folder.ParentId, name, folder.Id, ct))
        {
            return NameTaken(name);
        }

        folder.Name = name;
        await db.SaveChangesAsync(ct);
        await tx.CommitAsync(ct);
        var images = await db.Images.CountAsync(i => i.UserId == userId && i.FolderId == id, ct);
        return new FolderOutcome(Dto(folder, images));
    }

    /// <summary>Deletes the owner's folder and its sub-folders; their images go to the root. False: no such folder.</summary>
    public async Task<bool> DeleteAsync(Guid userId, Guid id, CancellationToken ct)
    {
        await using var tx = await db.BeginWriteAsync(ct);
        await db.LockUserAsync(userId, ct);
        if (await db.Folders.Where(f => f.Id == id && f.UserId == userId).ExecuteDeleteAsync(ct) == 0)
        {
            return false;
        }

        await tx.CommitAsync(ct);
        return true;
    }

    /// <summary>The owner's folder exists (for moves and shares).</summary>
    public static Task<bool> ExistsAsync(PingvasDb db, Guid userId, Guid id, CancellationToken ct) =>
        db.Folders.AnyAsync(f => f.Id == id && f.UserId == userId, ct);

    private async Task<bool> NameTakenAsync(Guid userId, Guid? parentId, string name, Guid? except, CancellationToken ct)
    {
        // Compared here rather than in SQL: SQLite's lower() folds ASCII only, and the siblings are few.
        var siblings = await db.Folders.AsNoTracking().Where(f => f.UserId == userId && f.ParentId == parentId && f.Id != except)
            .Select(f => f.Name).ToListAsync(ct);
        return siblings.Any(s => string.Equals(s, name, StringComparison.OrdinalIgnoreCase));
    }

    private static string? ReadName(string? raw) =>
        raw?.Trim() is { Length: > 0 and <= MaxNameLength } name ? name : null;

    private static FolderOutcome InvalidName() =>
        FolderOutcome.Refused(FolderRefusal.InvalidName, $"name must have 1 to {MaxNameLength} characters.");

    private static FolderOutcome NameTaken(string name) =>
        FolderOutcome.Refused(FolderRefusal.NameTaken, $"A folder named '{name}' is already there.");

    private static FolderDto Dto(Folder f, int images) => new(f.Id, f.ParentId, f.Name, images, f.CreatedAt);

    private DateTime Now()
    {
        // Microseconds, as PostgreSQL stores them, so the answer equals what a later read gives.
        var now = time.GetUtcNow().UtcDateTime;
        return now.AddTicks(-(now.Ticks % 10));
    }
}

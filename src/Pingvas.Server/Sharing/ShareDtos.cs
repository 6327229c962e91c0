using Pingvas.Server.Hosting;

namespace Pingvas.Server.Sharing;

/// <summary><c>POST /shares</c>: exactly one of <see cref="ImageId"/> and <see cref="FolderId"/>.</summary>
public sealed record CreateShareRequest(Guid? ImageId, Guid? FolderId, [property: AnyText] string? Password, DateTime? ExpiresAt, int? MaxViews);

/// <summary>A share link as its owner sees it; <see cref="Status"/> is active, expired, exhausted or revoked.</summary>
public sealed record ShareDto(
    Guid Id, string Url, Guid? ImageId, Guid? FolderId, bool HasPassword, DateTime? ExpiresAt, int? MaxViews, int Views,
    string Status, DateTime CreatedAt, DateTime? RevokedAt);

public sealed record ShareListResponse(IReadOnlyList<ShareDto> Items);

/// <summary><c>POST /public/shares/{token}/unlock</c>.</summary>
public sealed record UnlockShareRequest([property: AnyText] string? Password);

/// <summary>One image of a public share: only what a visitor needs to see it, through short-lived signed URLs.</summary>
public sealed record PublicShareImageDto(Guid Id, string Url, string ThumbnailUrl, int Width, int Height);

/// <summary>
/// A public share's answer: <see cref="Kind"/> is image or folder (<see cref="Name"/> is the folder's).
/// Nothing of the owner: no prompt, account, tags or other images.
/// </summary>
public sealed record PublicShareDto(string Kind, string? Name, DateTime? ExpiresAt, IReadOnlyList<PublicShareImageDto> Images);

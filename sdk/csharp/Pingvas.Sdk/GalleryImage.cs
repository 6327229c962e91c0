namespace Pingvas.Sdk;

/// <summary>An image of the gallery (<c>GET /images</c>, <c>GET /images/{id}</c>).</summary>
public sealed record GalleryImage
{
    public Guid Id { get; init; }

    public Guid GenerationId { get; init; }

    public int BatchIndex { get; init; }

    public string Url { get; init; } = "";

    public string ThumbnailUrl { get; init; } = "";

    public string Thumbnail512Url { get; init; } = "";

    public int Width { get; init; }

    public int Height { get; init; }

    public long Seed { get; init; }

    public string Model { get; init; } = "";

    public string Prompt { get; init; } = "";

    public string? NegativePrompt { get; init; }

    public long StoredBytes { get; init; }

    /// <summary>The engine and every generation parameter.</summary>
    public IReadOnlyDictionary<string, string> Metadata { get; init; } = new Dictionary<string, string>();

    public DateTimeOffset CreatedAt { get; init; }

    public Guid? FolderId { get; init; }

    public bool Starred { get; init; }

    public IReadOnlyList<string> Tags { get; init; } = [];

    public int UseCount { get; init; }

    /// <summary>Set when the image is in the trash.</summary>
    public DateTimeOffset? DeletedAt { get; init; }

    public DateTimeOffset? PurgeAt { get; init; }
}

/// <summary>The sizes <c>GET /images/{id}/content</c> serves: the PNG original or a WebP thumbnail.</summary>
public enum ImageSize
{
    Original,
    Thumbnail512,
    Thumbnail256,
}

/// <summary>Filters of <c>GET /images</c>; null ones are not sent.</summary>
public sealed record ImageListOptions
{
    public string? Query { get; init; }

    public string? Tag { get; init; }

    /// <summary>A folder id, or <c>root</c>.</summary>
    public string? Folder { get; init; }

    public string? Model { get; init; }

    public bool? Starred { get; init; }

    /// <summary><c>newest</c>, <c>oldest</c> or <c>most_used</c>.</summary>
    public string? Sort { get; init; }

    /// <summary>Page size, 1–100.</summary>
    public int? Limit { get; init; }
}

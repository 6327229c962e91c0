namespace Pingvas.Server.Gallery;

/// <summary>A stored output image: the PNG original and its two WebP thumbnails in the object store.</summary>
public sealed class Image
{
    public Guid Id { get; set; }

    public Guid UserId { get; set; }

    public Guid JobId { get; set; }

    public int BatchIndex { get; set; }

    public long Seed { get; set; }

    public int Width { get; set; }

    public int Height { get; set; }

    public required string ModelId { get; set; }

    public required string Prompt { get; set; }

    public required string OriginalKey { get; set; }

    public required string Thumb256Key { get; set; }

    public required string Thumb512Key { get; set; }

    /// <summary>Bytes of all three stored objects, for the storage quota.</summary>
    public long StoredBytes { get; set; }

    /// <summary>Generation metadata as JSON: engine and every parameter.</summary>
    public required string Metadata { get; set; }

    public DateTime CreatedAt { get; set; }

    public string? NegativePrompt { get; set; }

    /// <summary>The folder it is in; null is the root.</summary>
    public Guid? FolderId { get; set; }

    public bool Starred { get; set; }

    /// <summary>How many generations "use again" submitted from it (the gallery's "most used" sort).</summary>
    public int UseCount { get; set; }

    /// <summary>When it went to the trash; hidden everywhere but the trash (a query filter), purged 30 days later.</summary>
    public DateTime? DeletedAt { get; set; }

    /// <summary>Normalised prompt, negative prompt and tags, which the search box matches (<c>GalleryText.SearchText</c>).</summary>
    public string SearchText { get; set; } = "";
}

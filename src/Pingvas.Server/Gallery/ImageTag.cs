namespace Pingvas.Server.Gallery;

/// <summary>One tag on one image; tags are normalised (full-width ASCII folded, trimmed, lower-case) by <c>GalleryText.Tag</c>.</summary>
public sealed class ImageTag
{
    public Guid ImageId { get; set; }

    public Guid UserId { get; set; }

    public required string Tag { get; set; }
}

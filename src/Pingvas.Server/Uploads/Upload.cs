namespace Pingvas.Server.Uploads;

/// <summary>An image a user uploaded to start jobs from. Its bytes were decoded once on the way in, so they are the image they claim.</summary>
public sealed class Upload
{
    public Guid Id { get; set; }

    public Guid UserId { get; set; }

    /// <summary>Where the bytes are; carries a random part, so knowing the id does not give the key.</summary>
    public required string ObjectKey { get; set; }

    /// <summary><c>png</c>, <c>webp</c> or <c>jpeg</c>, as sniffed from the bytes.</summary>
    public required string Format { get; set; }

    public int Width { get; set; }

    public int Height { get; set; }

    /// <summary>The stored size, counted in the owner's storage.</summary>
    public long Bytes { get; set; }

    public DateTime CreatedAt { get; set; }

    public string ContentType => $"image/{Format}";
}

namespace Pingvas.Server.Uploads;

/// <summary>An upload as its owner sees it.</summary>
public sealed record UploadDto(Guid Id, int Width, int Height, string Format, long Bytes, DateTime CreatedAt)
{
    public static UploadDto From(Upload upload) =>
        new(upload.Id, upload.Width, upload.Height, upload.Format, upload.Bytes, upload.CreatedAt);
}

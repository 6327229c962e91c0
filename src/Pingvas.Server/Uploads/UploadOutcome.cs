namespace Pingvas.Server.Uploads;

/// <summary>What came of an upload; the endpoint maps each case to its HTTP status and problem code.</summary>
public abstract record UploadOutcome
{
    public sealed record Created(UploadDto Upload) : UploadOutcome;

    /// <summary>The declared Content-Type is not image/png, image/webp or image/jpeg (415 <c>unsupported_media_type</c>).</summary>
    public sealed record UnsupportedType(string Detail) : UploadOutcome;

    /// <summary>The bytes are not the complete image they claim to be (400 <c>invalid_image</c>).</summary>
    public sealed record InvalidImage(string Detail) : UploadOutcome;

    /// <summary>A side is longer than the plan allows (400 <c>image_too_large</c>).</summary>
    public sealed record ImageTooLarge(string Detail) : UploadOutcome;

    /// <summary>The owner's storage would exceed the plan's quota (403 <c>storage_quota_exceeded</c>).</summary>
    public sealed record OverQuota(string Detail) : UploadOutcome;
}

/// <summary>What came of deleting an upload.</summary>
public enum UploadDeletion
{
    Deleted,
    NotFound,

    /// <summary>A queued or running job still needs it (409 <c>upload_in_use</c>).</summary>
    InUse,
}

namespace Pingvas.Server.Loras;

/// <summary>
/// A LoRA a user uploaded (table <c>loras</c>): a .safetensors file whose header was parsed and
/// checked before it was kept. Its bytes count in the owner's storage.
/// </summary>
public sealed class Lora
{
    public Guid Id { get; set; }

    public Guid UserId { get; set; }

    /// <summary>The display name (defaults to the file name without extension).</summary>
    public required string Name { get; set; }

    public required string FileName { get; set; }

    /// <summary>Base model family read from the file: <c>sd1</c>, <c>sdxl</c> or <c>flux</c> (the catalog's <c>ImageModel.Family</c>).</summary>
    public required string Family { get; set; }

    public long Bytes { get; set; }

    /// <summary>Hex SHA-256 of the file, computed while it was stored (the API's <c>sha256</c>).</summary>
    public required string FileHash { get; set; }

    /// <summary>Where the bytes are; carries a random part, so knowing the id does not give the key.</summary>
    public required string ObjectKey { get; set; }

    public int TensorCount { get; set; }

    /// <summary>Comma-separated trigger words from the kohya metadata (<c>ss_tag_frequency</c>'s top tags), if any.</summary>
    public string? TriggerWords { get; set; }

    public DateTime CreatedAt { get; set; }
}

namespace Pingvas.Server.Loras;

/// <summary><c>Loras:*</c> settings.</summary>
public sealed class LoraOptions
{
    /// <summary>The largest LoRA file accepted (default 512 MiB: SDXL and Flux LoRAs of high rank run to a few hundred MB).</summary>
    public long MaxBytes { get; set; } = 512L * 1024 * 1024;

    /// <summary>How long a worker's download link of a LoRA stays valid: enough to start the download, short enough not to leak.</summary>
    public TimeSpan DownloadLinkLifetime { get; set; } = TimeSpan.FromMinutes(10);
}

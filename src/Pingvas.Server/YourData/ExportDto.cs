namespace Pingvas.Server.YourData;

/// <param name="Status">queued, running, ready, failed or expired.</param>
/// <param name="Progress">0–100.</param>
/// <param name="DownloadUrl">A signed absolute link while the export is ready; null otherwise.</param>
public sealed record ExportDto(
    Guid Id, string Status, int Progress, long Bytes, Uri? DownloadUrl, DateTime? ExpiresAt, string? Error, DateTime CreatedAt);

public sealed record ExportListDto(IReadOnlyList<ExportDto> Items);

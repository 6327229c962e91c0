namespace Pingvas.Server.YourData;

/// <summary>The states of a <see cref="DataExport"/> (the <c>data_exports.status</c> check).</summary>
public static class ExportStatus
{
    public const string Queued = "queued";
    public const string Running = "running";
    public const string Ready = "ready";
    public const string Failed = "failed";
    public const string Expired = "expired";
}

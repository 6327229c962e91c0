using System.Text.Json;

namespace Pingvas.Testing.InvokeAi;

/// <summary>Everything the test node received since it started (or since <see cref="InvokeAiTestNode.ClearRecordAsync"/>).</summary>
public sealed record InvokeAiTestRecord(
    IReadOnlyList<RecordedEnqueue> Enqueued,
    IReadOnlyList<RecordedUpload> Uploads,
    IReadOnlyList<string> DeletedImages,
    IReadOnlyList<int> Cancels,
    IReadOnlyList<RecordedItem> Items,
    IReadOnlyList<GraphViolation> Violations,
    IReadOnlyList<string> Images,
    int ConnectedSockets,
    int Restarts,
    IReadOnlyList<RecordedInstall> Installs,
    IReadOnlyList<string> DeletedModels);

/// <summary>
/// One <c>POST /api/v2/models/install</c> job: its source, the name it got, its status now, the bytes
/// downloaded and their SHA-256 (hex), and the installed model's key once <c>completed</c>.
/// </summary>
public sealed record RecordedInstall(
    int Id,
    string Source,
    string? Name,
    string Status,
    long Bytes,
    string? Sha256,
    string? Key,
    bool HadAccessToken);

/// <summary>One <c>enqueue_batch</c> call: the batch as sent and what the node answered (<paramref name="Status"/> 200, 401, 409 or 422).</summary>
public sealed record RecordedEnqueue(
    string QueueId,
    bool Prepend,
    JsonElement Batch,
    int Status,
    int Requested,
    int Enqueued,
    IReadOnlyList<int> ItemIds);

/// <summary>One accepted upload (rejected ones are not recorded here).</summary>
public sealed record RecordedUpload(
    string ImageName,
    string ImageCategory,
    bool IsIntermediate,
    int Width,
    int Height,
    string? ContentType,
    long Size);

/// <summary>A queue item as the node holds it now; <paramref name="Raw"/> is the full <c>SessionQueueItem</c> JSON.</summary>
public sealed record RecordedItem(
    int ItemId,
    string Status,
    string QueueId,
    string BatchId,
    string? Destination,
    string? ErrorType,
    IReadOnlyList<string> OutputImages,
    JsonElement Raw);

/// <summary>
/// Why the node rejected a graph. <paramref name="Kind"/> is one of <c>unknown_node_type</c>,
/// <c>missing_required_input</c>, <c>invalid_value</c>, <c>unknown_field</c>, <c>invalid_edge</c>, <c>edge_type_mismatch</c>,
/// <c>unknown_image</c>, <c>unknown_model</c>, <c>model_mismatch</c>, <c>invalid_graph</c>.
/// </summary>
public sealed record GraphViolation(string Kind, string? NodeId, string? Field, string Message);

using Microsoft.AspNetCore.Http.HttpResults;

using Pingvas.Server.Accounts;
using Pingvas.Server.Developer;

namespace Pingvas.Server.Storage;

public sealed record StorageBucket(long Count, long Bytes);

/// <param name="QuotaBytes">The plan's storage; null is unlimited.</param>
/// <param name="OverQuota">Stored bytes are past the quota (after a downgrade): submits and uploads stop until the user deletes enough.</param>
public sealed record StorageDto(
    long UsedBytes, long ReservedBytes, long? QuotaBytes, bool OverQuota,
    StorageBucket Images, StorageBucket Trash, StorageBucket Uploads, StorageBucket Loras);

/// <summary><c>GET /me/storage</c>: the signed-in user's usage against the plan's quota, with its breakdown.</summary>
public static class StorageEndpoints
{
    public static RouteGroupBuilder MapStorage(this RouteGroupBuilder api)
    {
        api.MapGroup("/me/storage").WithTags("Storage").RequireAuthorization().MapGet("/", Get).AllowApiKey(ApiScopes.Read);
        return api;
    }

    private static async Task<Ok<StorageDto>> Get(CurrentUser current, StorageQuota quota, CancellationToken ct)
    {
        var plan = await quota.PlanOfAsync(current.Id, ct);
        var f = await quota.FiguresAsync(current.Id, ct);
        return TypedResults.Ok(new StorageDto(
            f.UsedBytes, f.ReservedBytes, plan.StorageBytes, plan.StorageBytes is { } q && f.UsedBytes > q,
            new StorageBucket(f.ImageCount, f.ImageBytes), new StorageBucket(f.TrashCount, f.TrashBytes),
            new StorageBucket(f.UploadCount, f.UploadBytes), new StorageBucket(f.LoraCount, f.LoraBytes)));
    }
}

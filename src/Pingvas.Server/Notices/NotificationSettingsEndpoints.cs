using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.EntityFrameworkCore;

using Pingvas.Server.Accounts;
using Pingvas.Server.Data;
using Pingvas.Server.Developer;
using Pingvas.Server.Hosting;

namespace Pingvas.Server.Notices;

/// <summary>
/// <c>/me/notifications</c>: the signed-in user's completion-email opt-ins. There are no ids, so
/// nothing of another user's is reachable. Reading is allowed to keys with <c>read</c>; changing
/// them is for a signed-in session only.
/// </summary>
public static class NotificationSettingsEndpoints
{
    public static RouteGroupBuilder MapNotificationSettings(this RouteGroupBuilder api)
    {
        var group = api.MapGroup("/me/notifications").WithTags("Notices").RequireAuthorization();
        group.MapGet("/", Get).AllowApiKey(ApiScopes.Read);
        group.MapPut("/", Put);
        return api;
    }

    private static async Task<Ok<NotificationSettingsDto>> Get(CurrentUser current, PingvasDb db, CancellationToken ct)
    {
        var row = await db.NotificationSettings.AsNoTracking().SingleOrDefaultAsync(s => s.UserId == current.Id, ct);
        return TypedResults.Ok(row?.ToDto() ?? NotificationSettingsDto.Off);
    }

    private static async Task<Results<Ok<NotificationSettingsDto>, ProblemHttpResult>> Put(
        NotificationSettingsRequest request, CurrentUser current, PingvasDb db, TimeProvider time, CancellationToken ct)
    {
        var errors = new Dictionary<string, string[]>();
        if (request.BatchFinishedMin is { } min && (min < NotificationSettings.MinBatch || min > NotificationSettings.MaxBatch))
        {
            errors["batchFinishedMin"] = [$"batchFinishedMin must be null (off) or a whole number between {NotificationSettings.MinBatch} and {NotificationSettings.MaxBatch}."];
        }

        if (request.JobFailed is null)
        {
            errors["jobFailed"] = ["jobFailed is required: true or false."];
        }

        if (errors.Count > 0)
        {
            return Problems.Validation(errors);
        }

        var now = time.GetUtcNow().UtcDateTime;
        var jobFailed = request.JobFailed!.Value;
        var updated = await db.NotificationSettings.Where(s => s.UserId == current.Id).ExecuteUpdateAsync(s => s
            .SetProperty(x => x.BatchFinishedMin, request.BatchFinishedMin)
            .SetProperty(x => x.JobFailed, jobFailed)
            .SetProperty(x => x.UpdatedAt, now), ct);
        if (updated == 0)
        {
            db.NotificationSettings.Add(new NotificationSettings { UserId = current.Id, BatchFinishedMin = request.BatchFinishedMin, JobFailed = jobFailed, UpdatedAt = now });
            try
            {
                await db.SaveChangesAsync(ct);
            }
            catch (DbUpdateException)
            {
                // Two first saves at once: the other one inserted the row; this one's values win.
                db.ChangeTracker.Clear();
                await db.NotificationSettings.Where(s => s.UserId == current.Id).ExecuteUpdateAsync(s => s
                    .SetProperty(x => x.BatchFinishedMin, request.BatchFinishedMin)
                    .SetProperty(x => x.JobFailed, jobFailed)
                    .SetProperty(x => x.UpdatedAt, now), ct);
            }
        }

        return TypedResults.Ok(new NotificationSettingsDto(request.BatchFinishedMin, jobFailed));
    }
}

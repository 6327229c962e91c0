using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.EntityFrameworkCore;

using Pingvas.Server.Accounts;
using Pingvas.Server.Data;
using Pingvas.Server.Hosting;

namespace Pingvas.Server.Notices;

/// <summary>The signed-in user's in-app notices: the undismissed ones, newest first, and dismissing one.</summary>
public static class NoticeEndpoints
{
    /// <summary>At most this many notices are listed (there are a few per billing period).</summary>
    public const int Limit = 50;

    public static RouteGroupBuilder MapNotices(this RouteGroupBuilder api)
    {
        var group = api.MapGroup("/notices").WithTags("Notices").RequireAuthorization();
        group.MapGet("", List);
        group.MapPost("/{id:guid}/dismiss", Dismiss);
        return api;
    }

    private static async Task<Ok<List<NoticeDto>>> List(CurrentUser current, PingvasDb db, CancellationToken ct)
    {
        var rows = await db.Notices.AsNoTracking()
            .Where(n => n.UserId == current.Id && n.DismissedAt == null)
            .OrderByDescending(n => n.CreatedAt).ThenByDescending(n => n.Id)
            .Take(Limit).ToListAsync(ct);
        return TypedResults.Ok(rows.Select(n => n.ToDto()).ToList());
    }

    /// <summary>Dismissing twice is fine (204); another user's notice is not found (404).</summary>
    private static async Task<Results<NoContent, ProblemHttpResult>> Dismiss(Guid id, CurrentUser current, PingvasDb db, TimeProvider time, CancellationToken ct)
    {
        var now = time.GetUtcNow().UtcDateTime;
        var mine = await db.Notices.Where(n => n.Id == id && n.UserId == current.Id).Select(n => (DateTime?)n.CreatedAt).SingleOrDefaultAsync(ct);
        if (mine is null)
        {
            return Problems.NotFound("notice");
        }

        await db.Notices.Where(n => n.Id == id && n.UserId == current.Id && n.DismissedAt == null)
            .ExecuteUpdateAsync(s => s.SetProperty(n => n.DismissedAt, now), ct);
        return TypedResults.NoContent();
    }
}

using System.Globalization;

using Microsoft.EntityFrameworkCore;

using Pingvas.Server.Catalog;
using Pingvas.Server.Data;

namespace Pingvas.Server.Developer;

/// <summary>
/// Counts a generation submitted with a key, inside the submit's transaction: one conditional
/// UPDATE takes a call only while calls &lt; limit, so two API processes never both spend the last
/// one (the owner's row lock serialises submits further); the key's day count is written alongside.
/// </summary>
public sealed class ApiCallMeter(PingvasDb db, IHttpContextAccessor http, TimeProvider time)
{
    /// <summary>What came of taking a call: taken (or not a key request), or refused until <paramref name="ResetAt"/>.</summary>
    public sealed record Refusal(int Limit, DateTime ResetAt);

    /// <summary>
    /// Takes one call for a key request of <paramref name="userId"/> on <paramref name="plan"/>; null when
    /// taken or when the request is not key-authenticated. Call inside the submit's transaction, after its other checks.
    /// </summary>
    public async Task<Refusal?> TakeAsync(Guid userId, Plan plan, CancellationToken ct)
    {
        var context = http.HttpContext;
        if (ApiKeyRequest.Of(context) is not { } key || key.UserId != userId)
        {
            return null;
        }

        var now = time.GetUtcNow().UtcDateTime;
        var period = ApiPeriod.Of(now);
        var limit = plan.ApiCallsPerMonth;
        if (!await db.Set<ApiUsage>().AnyAsync(u => u.UserId == userId && u.Period == period, ct))
        {
            // Under the owner's lock: no other submit of this user can insert the row meanwhile.
            var row = new ApiUsage { UserId = userId, Period = period, Calls = 0 };
            db.Add(row);
            await db.SaveChangesAsync(ct);
            db.Entry(row).State = EntityState.Detached;
        }

        var taken = limit is { } max
            ? await db.Set<ApiUsage>().Where(u => u.UserId == userId && u.Period == period && u.Calls < max)
                .ExecuteUpdateAsync(s => s.SetProperty(u => u.Calls, u => u.Calls + 1), ct)
            : await db.Set<ApiUsage>().Where(u => u.UserId == userId && u.Period == period)
                .ExecuteUpdateAsync(s => s.SetProperty(u => u.Calls, u => u.Calls + 1), ct);
        if (taken == 0)
        {
            var resetAt = ApiPeriod.ResetAt(now);
            key.Used = limit;
            context!.Response.Headers.RetryAfter = ApiPeriod.SecondsToReset(now).ToString(CultureInfo.InvariantCulture);
            return new Refusal(limit ?? 0, resetAt);
        }

        key.Used = await db.Set<ApiUsage>().AsNoTracking().Where(u => u.UserId == userId && u.Period == period).Select(u => u.Calls).SingleAsync(ct);
        var day = ApiPeriod.DayOf(now);
        var counted = await db.Set<ApiKeyDay>().Where(d => d.KeyId == key.KeyId && d.Day == day)
            .ExecuteUpdateAsync(s => s.SetProperty(d => d.Calls, d => d.Calls + 1), ct);
        if (counted == 0)
        {
            var row = new ApiKeyDay { KeyId = key.KeyId, Day = day, UserId = userId, Calls = 1 };
            db.Add(row);
            await db.SaveChangesAsync(ct);
            db.Entry(row).State = EntityState.Detached;
        }

        return null;
    }
}

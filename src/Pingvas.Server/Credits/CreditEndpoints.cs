using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.EntityFrameworkCore;

using Pingvas.Server.Accounts;
using Pingvas.Server.Data;
using Pingvas.Server.Developer;
using Pingvas.Server.Hosting;

namespace Pingvas.Server.Credits;

public sealed record LedgerEntryDto(Guid Id, string Kind, int Amount, int BalanceAfter, string Reason, Guid? JobId, DateTime CreatedAt);

public static class CreditEndpoints
{
    public static RouteGroupBuilder MapCredits(this RouteGroupBuilder api)
    {
        api.MapGet("/credits/ledger", Ledger).WithTags("Credits").RequireAuthorization().AllowApiKey(ApiScopes.Read);
        return api;
    }

    private static async Task<Results<Ok<Page<LedgerEntryDto>>, ProblemHttpResult>> Ledger(string? cursor, string? limit, CurrentUser current, PingvasDb db, CancellationToken ct)
    {
        if (!Paging.TryRead(cursor, limit, out var after, out var take, out var errors))
        {
            return Problems.Validation(errors);
        }

        var query = db.Ledger.AsNoTracking().Where(e => e.UserId == current.Id);
        if (after is { } a)
        {
            query = query.Where(e => e.Id.CompareTo(a) < 0);
        }

        var rows = await query.OrderByDescending(e => e.Id).Take(take + 1).ToListAsync(ct);
        return TypedResults.Ok(Paging.Build(rows, take, e => e.Id,
            e => new LedgerEntryDto(e.Id, e.Kind.ToString().ToLowerInvariant(), e.Amount, e.BalanceAfter, e.Reason, e.JobId, e.CreatedAt)));
    }
}

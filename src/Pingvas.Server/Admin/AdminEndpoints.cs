using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Mvc;
using Microsoft.EntityFrameworkCore;

using Pingvas.Server.Data;
using Pingvas.Server.Hosting;

namespace Pingvas.Server.Admin;

/// <summary>Users, credits, statistics and the audit log under <c>/api/v1/admin</c>, whose policy admits TOTP-signed-in admins only.</summary>
public static class AdminEndpoints
{
    public const int MaxAdjustment = 10_000_000;
    public const int MaxReasonLength = 500;
    public const int MaxIdempotencyKeyLength = 200;

    /// <summary>Admin requests read and change every user's rows: they run in system context (row-level security).</summary>
    public static RouteGroupBuilder InSystemContext(this RouteGroupBuilder admin) =>
        admin.AddEndpointFilter((context, next) =>
        {
            context.HttpContext.RequestServices.GetRequiredService<DatabaseTenant>().EnterSystem();
            return next(context);
        });

    public static RouteGroupBuilder MapAdmin(this RouteGroupBuilder admin)
    {
        admin.MapGet("/users", ListUsers).WithTags("Admin");
        admin.MapGet("/users/{id:guid}", GetUser).WithTags("Admin");
        admin.MapPatch("/users/{id:guid}", UpdateUser).WithTags("Admin");
        admin.MapPost("/users/{id:guid}/credits", AdjustCredits).WithTags("Admin");
        admin.MapGet("/stats", async (AdminStatsService stats, CancellationToken ct) => TypedResults.Ok(await stats.GetAsync(ct))).WithTags("Admin");
        admin.MapGet("/audit", ListAudit).WithTags("Admin");
        return admin;
    }

    private static async Task<Results<Ok<Page<AdminUserDto>>, ProblemHttpResult>> ListUsers(
        string? q, string? plan, string? cursor, string? limit, AdminUserService users, CancellationToken ct)
    {
        if (!Paging.TryRead(cursor, limit, out var after, out var take, out var errors))
        {
            return Problems.Validation(errors);
        }

        var (items, more) = await users.ListAsync(q, plan, after, take, ct);
        var page = items.Take(take).ToList();
        return TypedResults.Ok(new Page<AdminUserDto>(page, more ? page[^1].Id.ToString("N") : null));
    }

    private static async Task<Results<Ok<AdminUserDto>, ProblemHttpResult>> GetUser(Guid id, AdminUserService users, CancellationToken ct) =>
        await users.GetAsync(id, ct) is { } user ? TypedResults.Ok(user) : Problems.NotFound("user");

    private static async Task<Results<Ok<AdminUserDto>, ProblemHttpResult>> UpdateUser(Guid id, AdminUserPatch patch, AdminUserService users, CancellationToken ct)
    {
        if (patch.Plan is null && patch.Suspended is null)
        {
            return Problems.Validation("body", "Send plan and/or suspended.");
        }

        return await users.UpdateAsync(id, patch, ct) switch
        {
            AdminChange.NotFound => Problems.NotFound("user"),
            AdminChange.UnknownPlan => Problems.Validation("plan", "No such plan; use an id from GET /api/v1/plans."),
            _ => TypedResults.Ok((await users.GetAsync(id, ct))!),
        };
    }

    private static async Task<Results<Ok<CreditAdjustmentResponse>, ProblemHttpResult>> AdjustCredits(
        Guid id, CreditAdjustmentRequest request, [FromHeader(Name = "Idempotency-Key")] string? idempotencyKey,
        AdminUserService users, TimeProvider time, CancellationToken ct)
    {
        var errors = new Dictionary<string, string[]>();
        if (request.Amount is not { } amount || amount == 0 || Math.Abs(amount) > MaxAdjustment)
        {
            errors["amount"] = [$"The amount must be a non-zero whole number between -{MaxAdjustment} and {MaxAdjustment}."];
        }

        var reason = request.Reason?.Trim() ?? "";
        if (reason.Length is 0 or > MaxReasonLength)
        {
            errors["reason"] = [$"A reason of 1 to {MaxReasonLength} characters is required."];
        }

        if (request.ExpiresAt is { } expires && (request.Amount is not > 0 || expires <= time.GetUtcNow().UtcDateTime))
        {
            errors["expiresAt"] = ["Only a positive adjustment can expire, and only in the future."];
        }

        if (idempotencyKey is { Length: 0 or > MaxIdempotencyKeyLength })
        {
            errors["Idempotency-Key"] = [$"The Idempotency-Key header must have 1 to {MaxIdempotencyKeyLength} characters."];
        }

        if (errors.Count > 0)
        {
            return Problems.Validation(errors);
        }

        // Without a key the call is still recorded once; with one, a retry returns the first result.
        var key = idempotencyKey ?? Ids.New().ToString("N");
        var (result, entry, replayed) = await users.AdjustCreditsAsync(id, request.Amount!.Value, reason, request.ExpiresAt?.ToUniversalTime(), key, ct);
        return result switch
        {
            AdminChange.NotFound => Problems.NotFound("user"),
            AdminChange.ExceedsBalance => Problems.Conflict("adjustment_exceeds_balance",
                "A negative adjustment can take at most the spendable balance; credits reserved for jobs cannot be taken."),
            AdminChange.KeyReused => Problems.Conflict("idempotency_key_reused", "This Idempotency-Key was used for a different adjustment."),
            _ => TypedResults.Ok(new CreditAdjustmentResponse(entry!.Id, entry.Amount, entry.BalanceAfter, entry.Reason, replayed, (await users.GetAsync(id, ct))!)),
        };
    }

    private static async Task<Results<Ok<Page<AuditEntryDto>>, ProblemHttpResult>> ListAudit(string? cursor, string? limit, PingvasDb db, CancellationToken ct)
    {
        if (!Paging.TryRead(cursor, limit, out var after, out var take, out var errors))
        {
            return Problems.Validation(errors);
        }

        var query = db.AdminAudit.AsNoTracking();
        if (after is { } a)
        {
            query = query.Where(e => e.Id.CompareTo(a) < 0);
        }

        var rows = await query.OrderByDescending(e => e.Id).Take(take + 1).ToListAsync(ct);
        return TypedResults.Ok(Paging.Build(rows, take, e => e.Id, e => new AuditEntryDto(
            e.Id, e.AdminId, e.AdminEmail, e.Action, e.TargetType, e.TargetId, e.BeforeJson, e.AfterJson, e.ClientAddress, e.UserAgent, e.CreatedAt)));
    }
}

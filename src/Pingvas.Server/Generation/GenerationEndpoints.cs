using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Mvc;
using Microsoft.EntityFrameworkCore;

using Pingvas.Server.Accounts;
using Pingvas.Server.Data;
using Pingvas.Server.Hosting;

namespace Pingvas.Server.Generation;

public static class GenerationEndpoints
{
    public static RouteGroupBuilder MapGenerations(this RouteGroupBuilder api)
    {
        var group = api.MapGroup("/generations").WithTags("Generations").RequireAuthorization();
        group.MapPost("/", Submit).RequireRateLimiting(RateLimits.Submit);
        group.MapGet("/", List);
        group.MapGet("/{id:guid}", Get);
        group.MapPost("/{id:guid}/cancel", Cancel);
        return api;
    }

    private static Task<Results<Accepted<GenerationDto>, ProblemHttpResult>> Submit(
        GenerationRequest request, [FromHeader(Name = "Idempotency-Key")] string? idempotencyKey, CurrentUser current, GenerationService generations, CancellationToken ct) =>
        generations.SubmitAsync(current.Id, request, string.IsNullOrWhiteSpace(idempotencyKey) ? null : idempotencyKey.Trim(), ct);

    private static async Task<Results<Ok<GenerationDto>, ProblemHttpResult>> Get(Guid id, CurrentUser current, PingvasDb db, GenerationService generations, CancellationToken ct)
    {
        // The owner is part of the lookup: another user's job is as missing as a deleted one.
        var job = await db.Jobs.AsNoTracking().SingleOrDefaultAsync(j => j.Id == id && j.UserId == current.Id, ct);
        return job is null ? Problems.NotFound("generation") : TypedResults.Ok(await generations.GetDtoAsync(job, ct));
    }

    private static async Task<Results<Ok<Page<GenerationDto>>, ProblemHttpResult>> List(
        string? cursor, string? limit, string? status, CurrentUser current, PingvasDb db, GenerationMapper mapper, Queue.QueueReader queue, CancellationToken ct)
    {
        if (!Paging.TryRead(cursor, limit, out var after, out var take, out var errors))
        {
            return Problems.Validation(errors);
        }

        JobStatus? filter = null;
        if (!string.IsNullOrEmpty(status))
        {
            // Exact names only: Enum.TryParse would also accept numbers and comma lists of flags.
            filter = Enum.GetValues<JobStatus>().Cast<JobStatus?>()
                .FirstOrDefault(s => string.Equals(s.ToString(), status, StringComparison.OrdinalIgnoreCase));
            if (filter is null)
            {
                return Problems.Validation("status", "status must be one of queued, running, succeeded, failed, cancelled.");
            }
        }

        var query = db.Jobs.AsNoTracking().Where(j => j.UserId == current.Id);
        if (filter is not null)
        {
            query = query.Where(j => j.Status == filter);
        }

        if (after is { } a)
        {
            query = query.Where(j => j.Id.CompareTo(a) < 0);
        }

        var rows = await query.OrderByDescending(j => j.Id).Take(take + 1).ToListAsync(ct);
        var ids = rows.Select(r => r.Id).ToList();
        var images = (await db.Images.AsNoTracking().Where(i => ids.Contains(i.JobId)).ToListAsync(ct)).ToLookup(i => i.JobId);
        var positions = rows.Any(r => r.Status == JobStatus.Queued) ? await queue.PositionsAsync(ct) : new Dictionary<Guid, int>();
        return TypedResults.Ok(Paging.Build(rows, take, r => r.Id, r => mapper.ToDto(r, images[r.Id], positions.GetValueOrDefault(r.Id))));
    }

    private static async Task<Results<Ok<GenerationDto>, ProblemHttpResult>> Cancel(Guid id, CurrentUser current, GenerationService generations, CancellationToken ct) =>
        await generations.CancelAsync(current.Id, id, ct) is { } dto ? TypedResults.Ok(dto) : Problems.NotFound("generation");
}

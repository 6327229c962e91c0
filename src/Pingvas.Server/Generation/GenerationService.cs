using System.Security.Cryptography;

using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;

using Pingvas.Core.Credits;
using Pingvas.Core.Generation;
using Pingvas.Server.Catalog;
using Pingvas.Server.Credits;
using Pingvas.Server.Data;
using Pingvas.Server.Gallery;
using Pingvas.Server.Hosting;
using Pingvas.Server.Queue;
using Pingvas.Server.Realtime;

namespace Pingvas.Server.Generation;

/// <summary>Submitting and cancelling generations: the credit hold and the queue entry change together, in one transaction.</summary>
public sealed class GenerationService(
    PingvasDb db,
    Ledger ledger,
    PlanPeriods periods,
    QueueReader queue,
    QueueSignal signal,
    CancellationRegistry cancellations,
    EngineDirectory engines,
    GenerationMapper mapper,
    IGenerationEvents events,
    IOptions<QueueOptions> options,
    TimeProvider time)
{
    public async Task<Results<Accepted<GenerationDto>, ProblemHttpResult>> SubmitAsync(Guid userId, GenerationRequest request, string? idempotencyKey, CancellationToken ct)
    {
        if (idempotencyKey is { Length: > 200 })
        {
            return Problems.Validation("Idempotency-Key", "The Idempotency-Key header may have at most 200 characters.");
        }

        var user = await db.Users.SingleAsync(u => u.Id == userId, ct);
        var plan = await db.Plans.AsNoTracking().SingleAsync(p => p.Id == user.PlanId, ct);
        var model = request.Model is null ? null : await db.Models.AsNoTracking().SingleOrDefaultAsync(m => m.Id == request.Model && m.Enabled, ct);
        var minRank = model is null ? 0 : await db.Plans.Where(p => p.Id == model.MinPlanId).Select(p => p.Rank).SingleAsync(ct);
        var profile = model?.ToProfile(minRank);

        var parameters = new GenerationParameters(
            request.Prompt ?? "",
            string.IsNullOrWhiteSpace(request.NegativePrompt) ? null : request.NegativePrompt,
            request.Model ?? "",
            request.Width ?? model?.DefaultSide ?? 512,
            request.Height ?? model?.DefaultSide ?? 512,
            request.Steps ?? model?.DefaultSteps ?? 25,
            request.CfgScale ?? 7.0,
            request.Scheduler ?? "euler",
            request.BatchSize ?? 1);
        if (request.Seed is < 0 or > uint.MaxValue)
        {
            return Problems.Validation("seed", $"seed must be between 0 and {uint.MaxValue}.");
        }

        var violations = GenerationRequestRules.Check(parameters, profile, plan.ToEntitlements());
        if (violations.Any(v => v.Kind == RuleViolationKind.Invalid))
        {
            return Problems.Validation(violations.Where(v => v.Kind == RuleViolationKind.Invalid)
                .GroupBy(v => v.Field).ToDictionary(g => g.Key, g => g.Select(v => v.Message).ToArray()));
        }

        if (violations.FirstOrDefault(v => v.Kind == RuleViolationKind.ModelForbidden) is { } forbidden)
        {
            return Problems.Forbidden("plan_forbids_model", forbidden.Message);
        }

        if (violations.FirstOrDefault() is { } limit)
        {
            return Problems.Forbidden("plan_limit", limit.Message);
        }

        if (!engines.CanRun(model!.Id))
        {
            return Problems.Create(StatusCodes.Status422UnprocessableEntity, "model_unavailable", "Model unavailable.",
                $"No worker of this deployment can run '{model.Id}' yet.");
        }

        var estimate = CostEstimator.Estimate(profile!, parameters.Width, parameters.Height, parameters.Steps, parameters.BatchSize);
        var unlimited = plan.MonthlyCredits is null;
        var now = time.GetUtcNow().UtcDateTime;
        var job = new Job
        {
            Id = Ids.New(),
            UserId = userId,
            Status = JobStatus.Queued,
            Prompt = parameters.Prompt,
            NegativePrompt = parameters.NegativePrompt,
            ModelId = model.Id,
            Width = parameters.Width,
            Height = parameters.Height,
            Steps = parameters.Steps,
            CfgScale = parameters.CfgScale,
            Scheduler = parameters.Scheduler,
            Seed = request.Seed ?? RandomNumberGenerator.GetInt32(int.MaxValue),
            BatchSize = parameters.BatchSize,
            Priority = plan.QueuePriority,
            ReservedCredits = unlimited ? 0 : estimate,
            ProgressTotal = parameters.Steps * parameters.BatchSize,
            IdempotencyKey = idempotencyKey,
            CreatedAt = now,
        };

        GenerationDto dto;
        await using (var tx = await db.BeginWriteAsync(ct))
        {
            await db.LockUserAsync(userId, ct);
            if (idempotencyKey is not null && await db.Jobs.AsNoTracking().SingleOrDefaultAsync(j => j.UserId == userId && j.IdempotencyKey == idempotencyKey, ct) is { } earlier)
            {
                // A replay of a submit we already took: the same answer, no second job or hold.
                return TypedResults.Accepted($"/api/v1/generations/{earlier.Id}", await GetDtoAsync(earlier, ct));
            }

            var queued = await db.Jobs.CountAsync(j => j.UserId == userId && j.Status == JobStatus.Queued, ct);
            if (queued >= options.Value.MaxQueuedPerUser)
            {
                return Problems.Create(StatusCodes.Status429TooManyRequests, "queue_limit", "Too many queued generations.",
                    $"You have {queued} generations waiting; wait for some to finish (limit {options.Value.MaxQueuedPerUser}).");
            }

            await periods.EnsureCurrentAsync(user, ct);
            db.Jobs.Add(job);
            await db.SaveChangesAsync(ct);
            if (!unlimited && !await ledger.ReserveAsync(userId, job.Id, estimate, ct))
            {
                var balance = await ledger.BalanceAsync(userId, ct);
                await tx.RollbackAsync(ct);
                return Problems.InsufficientCredits(estimate, balance.Balance);
            }

            // Publish "queued" before the commit: once committed, a worker may start the job at
            // once, and its "running" events must not be overtaken by a late "queued".
            dto = await GetDtoAsync(job, ct);
            await events.PublishAsync(userId, dto with { Balance = (await ledger.BalanceAsync(userId, ct)).Balance }, ct);
            await tx.CommitAsync(ct);
        }

        signal.Notify();
        return TypedResults.Accepted($"/api/v1/generations/{job.Id}", dto);
    }

    /// <summary>
    /// Cancels the user's job. A queued job is cancelled at once with a full refund; a running one
    /// is stopped by its worker, which charges the seconds used. Finished jobs are left as they are.
    /// </summary>
    public async Task<GenerationDto?> CancelAsync(Guid userId, Guid jobId, CancellationToken ct)
    {
        int? balance = null;
        await using (var tx = await db.BeginWriteAsync(ct))
        {
            await db.LockUserAsync(userId, ct);
            var job = await db.Jobs.SingleOrDefaultAsync(j => j.Id == jobId && j.UserId == userId, ct);
            if (job is null)
            {
                return null;
            }

            if (job.Status == JobStatus.Queued)
            {
                job.Status = JobStatus.Cancelled;
                job.FinishedAt = time.GetUtcNow().UtcDateTime;
                job.CreditsCharged = 0;
                await db.SaveChangesAsync(ct);
                await ledger.ReleaseAsync(userId, jobId, "Refund: cancelled before it started", ct);
                balance = (await ledger.BalanceAsync(userId, ct)).Balance;
            }
            else if (job.Status == JobStatus.Running && !job.CancelRequested)
            {
                job.CancelRequested = true;
                await db.SaveChangesAsync(ct);
            }

            await tx.CommitAsync(ct);
        }

        cancellations.Cancel(jobId);
        var dto = await GetDtoAsync(await db.Jobs.AsNoTracking().SingleAsync(j => j.Id == jobId, ct), ct);
        if (balance is not null)
        {
            await events.PublishAsync(userId, dto with { Balance = balance }, ct);
        }

        return dto;
    }

    public async Task<GenerationDto> GetDtoAsync(Job job, CancellationToken ct)
    {
        var images = await db.Images.AsNoTracking().Where(i => i.JobId == job.Id).ToListAsync(ct);
        int? position = null;
        if (job.Status == JobStatus.Queued)
        {
            position = (await queue.PositionsAsync(ct)).GetValueOrDefault(job.Id);
        }

        return mapper.ToDto(job, images, position);
    }
}

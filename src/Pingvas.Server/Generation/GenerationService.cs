using System.Security.Cryptography;

using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;

using Pingvas.Core.Credits;
using Pingvas.Core.Generation;
using Pingvas.Core.Scheduling;
using Pingvas.Server.Accounts;
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
    QueueSnapshot snapshot,
    CatalogCache catalogs,
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

        if (request.Seed is < 0 or > uint.MaxValue)
        {
            return Problems.Validation("seed", $"seed must be between 0 and {uint.MaxValue}.");
        }

        var catalog = await catalogs.GetAsync(db, ct);

        // Microseconds, as PostgreSQL stores them, so the job compares equal to its stored self.
        var now = time.GetUtcNow().UtcDateTime;
        now = now.AddTicks(-(now.Ticks % 10));
        Job job;
        GenerationDto dto;

        // One transaction, few round trips: the user row is locked and read together, the
        // catalogue comes from memory, and the job, holds and ledger entry are saved in one batch.
        await using (var tx = await db.BeginWriteAsync(ct))
        {
            var user = await LockAndLoadUserAsync(userId, ct);
            if (!catalog.Plans.ContainsKey(user.PlanId))
            {
                // A plan newer than our copy of the catalogue.
                catalog = await catalogs.GetAsync(db, ct, reload: true);
            }

            var plan = catalog.Plans[user.PlanId];
            var found = request.Model is null ? null : catalog.EnabledModel(request.Model);
            var accepted = Accept(request, found, plan);
            if (accepted.Problem is { } problem)
            {
                return problem;
            }

            var (parameters, model, estimate) = accepted.Value;
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
            var unlimited = plan.MonthlyCredits is null;
            job = NewJob(userId, request, parameters, model, plan.QueuePriority, unlimited ? 0 : estimate, idempotencyKey, now);
            db.Jobs.Add(job);
            int balance;
            if (unlimited)
            {
                await db.SaveChangesAsync(ct);
                balance = (await ledger.BalanceAsync(userId, ct)).Balance;
            }
            else
            {
                (var reserved, balance) = await ledger.ReserveAsync(userId, job.Id, estimate, ct);
                if (!reserved)
                {
                    await tx.RollbackAsync(ct);
                    return Problems.InsufficientCredits(estimate, balance);
                }
            }

            // The job is the last of its owner's queued jobs: its round is how many wait before it.
            var position = await snapshot.PositionOfAsync(
                new QueueCandidate(job.Id, userId, job.Priority, now, user.LastServedAt, queued, 0, plan.ConcurrentJobs), queue, ct);
            dto = mapper.ToDto(job, [], position);

            // Publish "queued" before the commit: once committed, a worker may start the job at
            // once, and its "running" events must not be overtaken by a late "queued".
            await events.PublishAsync(userId, dto with { Balance = balance }, ct);
            await tx.CommitAsync(ct);
        }

        signal.Notify();
        return TypedResults.Accepted($"/api/v1/generations/{job.Id}", dto);
    }

    /// <summary>Checks the request against the model and the plan: the parameters to run with and the estimate, or the problem.</summary>
    private (ProblemHttpResult? Problem, (GenerationParameters Parameters, ImageModel Model, int Estimate) Value) Accept(
        GenerationRequest request, (ImageModel Model, int MinPlanRank)? found, Plan plan)
    {
        var model = found?.Model;
        var profile = found is { } f ? f.Model.ToProfile(f.MinPlanRank) : null;
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

        var violations = GenerationRequestRules.Check(parameters, profile, plan.ToEntitlements());
        if (violations.Any(v => v.Kind == RuleViolationKind.Invalid))
        {
            return (Problems.Validation(violations.Where(v => v.Kind == RuleViolationKind.Invalid)
                .GroupBy(v => v.Field).ToDictionary(g => g.Key, g => g.Select(v => v.Message).ToArray())), default);
        }

        if (violations.FirstOrDefault(v => v.Kind == RuleViolationKind.ModelForbidden) is { } forbidden)
        {
            return (Problems.Forbidden("plan_forbids_model", forbidden.Message), default);
        }

        if (violations.FirstOrDefault() is { } limit)
        {
            return (Problems.Forbidden("plan_limit", limit.Message), default);
        }

        if (!engines.CanRun(model!.Id))
        {
            return (Problems.Create(StatusCodes.Status422UnprocessableEntity, "model_unavailable", "Model unavailable.",
                $"No worker of this deployment can run '{model.Id}' yet."), default);
        }

        return (null, (parameters, model, CostEstimator.Estimate(profile!, parameters.Width, parameters.Height, parameters.Steps, parameters.BatchSize)));
    }

    private static Job NewJob(Guid userId, GenerationRequest request, GenerationParameters parameters, ImageModel model, int priority, int reserved, string? idempotencyKey, DateTime now) => new()
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
        Priority = priority,
        ReservedCredits = reserved,
        ProgressTotal = parameters.Steps * parameters.BatchSize,
        IdempotencyKey = idempotencyKey,
        CreatedAt = now,
    };

    /// <summary>The user's row, locked for this transaction (see <see cref="Transactions.LockUserAsync"/>) and read in the same round trip.</summary>
    private async Task<User> LockAndLoadUserAsync(Guid userId, CancellationToken ct)
    {
        var rows = db.Database.IsNpgsql()
            ? await db.Users.FromSql($"SELECT * FROM users WHERE id = {userId} FOR NO KEY UPDATE").ToListAsync(ct)
            : await db.Users.Where(u => u.Id == userId).ToListAsync(ct);
        return rows.Single();
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
                balance = await ledger.ReleaseAsync(userId, jobId, "Refund: cancelled before it started", ct);
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

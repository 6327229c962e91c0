using System.Security.Cryptography;

using Microsoft.EntityFrameworkCore;

using Pingvas.Server.Data;
using Pingvas.Server.Jobs;
using Pingvas.Server.Queue;
using Pingvas.Server.Workflows;

namespace Pingvas.Server.Generation;

/// <summary>
/// The submit and estimate of <c>kind: "workflow"</c>: the workflow is checked and priced by
/// <see cref="WorkflowPreparer"/> (reads only), then queued through the same lifecycle as every job.
/// The job keeps the checked graph; its plain fields are what the graph lowers to, so an engine
/// that cannot run graphs renders a plain chain.
/// </summary>
public sealed partial class GenerationService
{
    /// <summary>A workflow run: <c>kind: "workflow"</c>, or no kind with a workflow, graph or workflow id.</summary>
    public static bool IsWorkflow(GenerationRequest r) =>
        r.Kind == GenerationKinds.Workflow || (r.Kind is null && (r.WorkflowId is not null || r.Workflow is not null || r.Graph is not null));

    private async Task<SubmitOutcome> SubmitWorkflowAsync(Guid userId, GenerationRequest request, string? idempotencyKey, CancellationToken ct)
    {
        if (WorkflowFieldErrors(request) is { Count: > 0 } errors)
        {
            return new SubmitOutcome.Invalid(errors);
        }

        var catalog = await catalogs.GetAsync(db, ct);
        var available = await availability.GetAsync(db, tenant, ct);
        var requestHash = Hash(request);
        var now = time.GetUtcNow().UtcDateTime;
        now = now.AddTicks(-(now.Ticks % 10));

        await using var tx = await lifecycle.BeginWithOwnerAsync(userId, ct);
        var user = tx.Owner;
        if (idempotencyKey is not null && await db.Jobs.AsNoTracking().SingleOrDefaultAsync(j => j.UserId == userId && j.IdempotencyKey == idempotencyKey, ct) is { } earlier)
        {
            return earlier.RequestHash is { } hash && hash != requestHash
                ? new SubmitOutcome.Refused(SubmitRefusal.IdempotencyKeyReused,
                    "This Idempotency-Key was used for a different request; use a new key for a new generation.")
                : new SubmitOutcome.Accepted(await GetDtoAsync(earlier, ct));
        }

        if (!catalog.Plans.ContainsKey(user.PlanId))
        {
            catalog = await catalogs.GetAsync(db, ct, reload: true);
        }

        var plan = catalog.Plans[user.PlanId];
        // Under the owner's lock, which deleting an upload or gallery image takes too: the inputs stay until the job ends.
        var (prepared, problem) = await workflows.PrepareAsync(userId, plan, request, catalog, available, ct);
        if (problem is not null)
        {
            return problem;
        }

        var workflow = prepared!;
        var queuedByModel = await db.Jobs.Where(j => j.UserId == userId && j.Status == JobStatus.Queued)
            .GroupBy(j => j.ModelId).Select(g => new { Model = g.Key, Count = g.Count() }).ToListAsync(ct);
        var queued = queuedByModel.Sum(m => m.Count);
        if (queued >= options.Value.MaxQueuedPerUser)
        {
            return new SubmitOutcome.Refused(SubmitRefusal.QueueLimit,
                $"You have {queued} generations waiting; wait for some to finish (limit {options.Value.MaxQueuedPerUser}).");
        }

        var outputBytes = WorkflowOutputBytes(workflow, plan);
        if (StorageRefusal(user, plan, outputBytes) is { } full)
        {
            return full;
        }

        await periods.EnsureCurrentAsync(user, ct);
        var unlimited = plan.MonthlyCredits is null;
        var job = WorkflowJob(userId, workflow, plan.QueuePriority, unlimited ? 0 : workflow.Estimate, idempotencyKey, requestHash, now);
        AttachTags(job, request);
        if (request.Webhook is not null)
        {
            job.WebhookUrl = request.Webhook;
            job.WebhookEvents = string.Join(',', (request.WebhookEvents ?? Webhooks.WebhookEvents.Terminal).Distinct());
        }

        if (await UseSourceImageAsync(userId, request, ct) is { } sourceRefused)
        {
            return sourceRefused;
        }

        if (await ApiQuotaRefusalAsync(userId, plan, ct) is { } overQuota)
        {
            return overQuota;
        }

        job.ReservedBytes = outputBytes;
        var queue = new QueuedAhead(queued, queuedByModel.Any(m => m.Model == job.ModelId));
        var (reserved, balance, generation) = await lifecycle.EnqueueAsync(tx, job, workflow.Estimate, unlimited, queue, plan.ConcurrentJobs, workflow.Loras, ct);
        if (!reserved)
        {
            await tx.RollbackAsync(ct);
            return new SubmitOutcome.ShortOfCredits(workflow.Estimate, balance);
        }

        // After the job row: job_inputs references it.
        foreach (var image in workflow.Images.Where(i => i != job.InitImageId && i != job.MaskImageId))
        {
            db.JobInputs.Add(new JobInput { JobId = job.Id, UserId = userId, Kind = JobInputKinds.Image, RefId = image });
        }

        foreach (var lora in workflow.Loras)
        {
            db.JobInputs.Add(new JobInput { JobId = job.Id, UserId = userId, Kind = JobInputKinds.Lora, RefId = lora });
        }

        await db.SaveChangesAsync(ct);
        await tx.CommitAsync(ct);
        return new SubmitOutcome.Accepted(generation);
    }

    private async Task<GenerationEstimate> EstimateWorkflowAsync(Guid userId, GenerationRequest request, CancellationToken ct)
    {
        if (WorkflowFieldErrors(request) is { Count: > 0 } errors)
        {
            return new GenerationEstimate(null, new SubmitOutcome.Invalid(errors));
        }

        var catalog = await catalogs.GetAsync(db, ct);
        var available = await availability.GetAsync(db, tenant, ct);
        var user = await db.Users.AsNoTracking().SingleAsync(u => u.Id == userId, ct);
        if (!catalog.Plans.ContainsKey(user.PlanId))
        {
            catalog = await catalogs.GetAsync(db, ct, reload: true);
        }

        var plan = catalog.Plans[user.PlanId];
        var (prepared, problem) = await workflows.PrepareAsync(userId, plan, request, catalog, available, ct);
        if (problem is not null)
        {
            return new GenerationEstimate(null, problem);
        }

        var workflow = prepared!;
        if (StorageRefusal(user, plan, WorkflowOutputBytes(workflow, plan)) is { } full)
        {
            return new GenerationEstimate(workflow.Estimate, full);
        }

        return await PricedAsync(userId, workflow.Estimate, plan.MonthlyCredits is null, ct);
    }

    /// <summary>The queue limit and the balance against a price, as an estimate reports them.</summary>
    private async Task<GenerationEstimate> PricedAsync(Guid userId, int estimate, bool unlimited, CancellationToken ct)
    {
        var queued = await db.Jobs.CountAsync(j => j.UserId == userId && j.Status == JobStatus.Queued, ct);
        if (queued >= options.Value.MaxQueuedPerUser)
        {
            return new GenerationEstimate(estimate, new SubmitOutcome.Refused(SubmitRefusal.QueueLimit,
                $"You have {queued} generations waiting; wait for some to finish (limit {options.Value.MaxQueuedPerUser})."));
        }

        if (unlimited)
        {
            return new GenerationEstimate(estimate, null);
        }

        var balance = await ledger.BalanceAsync(userId, ct);
        return balance.Balance >= estimate
            ? new GenerationEstimate(estimate, null)
            : new GenerationEstimate(estimate, new SubmitOutcome.ShortOfCredits(estimate, balance.Balance));
    }

    /// <summary>A workflow's body takes the workflow (exactly one of workflowId, workflow, graph) and inputs; the graph says the rest.</summary>
    private static Dictionary<string, string[]> WorkflowFieldErrors(GenerationRequest r)
    {
        var errors = new Dictionary<string, string[]>();
        foreach (var (field, value) in new (string, object?)[]
        {
            ("prompt", r.Prompt), ("negativePrompt", r.NegativePrompt), ("model", r.Model), ("width", r.Width), ("height", r.Height),
            ("steps", r.Steps), ("cfgScale", r.CfgScale), ("scheduler", r.Scheduler), ("seed", r.Seed), ("batchSize", r.BatchSize),
            ("initImageId", r.InitImageId), ("maskImageId", r.MaskImageId), ("strength", r.Strength), ("imageId", r.ImageId), ("scale", r.Scale),
            ("loras", r.Loras), ("control", r.Control), ("reference", r.Reference),
        })
        {
            if (value is not null)
            {
                errors[field] = [$"{field} does not apply to a workflow (the graph says it)."];
            }
        }

        if (new object?[] { r.WorkflowId, r.Workflow, r.Graph }.Count(v => v is not null) != 1)
        {
            errors["workflow"] = ["A workflow run needs exactly one of workflowId, workflow or graph."];
        }

        return errors;
    }

    /// <summary>The job of a workflow: the stored graph, and the plain fields of what it lowers to (a summary when it lowers to nothing).</summary>
    private static Job WorkflowJob(Guid userId, PreparedWorkflow workflow, int priority, int reserved, string? idempotencyKey, string requestHash, DateTime now)
    {
        var lowered = workflow.Lowered;
        var first = workflow.Checked.Denoises.FirstOrDefault();
        return new Job
        {
            Id = Ids.New(),
            UserId = userId,
            Status = JobStatus.Queued,
            Kind = lowered?.Kind switch { "img2img" => JobKind.Img2Img, "inpaint" => JobKind.Inpaint, _ => JobKind.Txt2Img },
            Prompt = lowered?.Prompt ?? "",
            NegativePrompt = lowered?.NegativePrompt,
            ModelId = workflow.Model.Id,
            Width = lowered?.Width ?? (int)(first?.Width ?? workflow.Model.DefaultSide),
            Height = lowered?.Height ?? (int)(first?.Height ?? workflow.Model.DefaultSide),
            Steps = lowered?.Steps ?? workflow.Checked.TotalSteps,
            CfgScale = lowered?.CfgScale ?? 7.0,
            Scheduler = lowered?.Scheduler ?? "euler",
            Seed = lowered?.Seed ?? RandomNumberGenerator.GetInt32(int.MaxValue),
            BatchSize = lowered is null ? workflow.Checked.Outputs.Count : 1,
            InitImageId = lowered?.InitImageId,
            MaskImageId = lowered?.MaskImageId,
            Strength = lowered?.Strength,
            Graph = workflow.StoredGraph,
            WorkflowId = workflow.WorkflowId,
            Priority = priority,
            ReservedCredits = reserved,
            ProgressTotal = Math.Max(1, workflow.Checked.TotalSteps),
            IdempotencyKey = idempotencyKey,
            RequestHash = requestHash,
            CreatedAt = now,
        };
    }
}

using System.Security.Cryptography;
using System.Text.Json;

using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;

using Pingvas.Core.Credits;
using Pingvas.Core.Generation;
using Pingvas.Core.Plans;
using Pingvas.Server.Accounts;
using Pingvas.Server.Catalog;
using Pingvas.Server.Credits;
using Pingvas.Server.Data;
using Pingvas.Server.Jobs;
using Pingvas.Server.Queue;
using Pingvas.Server.Storage;
using Pingvas.Server.Workers;
using Pingvas.Server.Workflows;

namespace Pingvas.Server.Generation;

/// <summary>
/// The generation use cases: submit (checked against the plan, credits held and the job queued in
/// one transaction through <see cref="JobLifecycle"/>), cancel, and the client view of a job.
/// Returns domain outcomes; the endpoints turn them into HTTP.
/// </summary>
public sealed partial class GenerationService(
    PingvasDb db,
    JobLifecycle lifecycle,
    PlanPeriods periods,
    QueueReader queue,
    QueueSnapshot snapshot,
    CatalogCache catalogs,
    DatabaseTenant tenant,
    ModelAvailability availability,
    GenerationMapper mapper,
    Ledger ledger,
    IOptions<QueueOptions> options,
    TimeProvider time,
    WorkflowPreparer workflows,
    Developer.ApiCallMeter apiCalls,
    Webhooks.WebhookTargets webhookTargets)
{
    public const int MaxIdempotencyKeyLength = 200;

    public async Task<SubmitOutcome> SubmitAsync(Guid userId, GenerationRequest request, string? idempotencyKey, CancellationToken ct)
    {
        using var span = Telemetry.JobActivities.StartSubmit();
        if (idempotencyKey is { Length: > MaxIdempotencyKeyLength })
        {
            return Invalid("Idempotency-Key", $"The Idempotency-Key header may have at most {MaxIdempotencyKeyLength} characters.");
        }

        if (GalleryFieldErrors(request) is { } galleryErrors)
        {
            return galleryErrors;
        }

        if (await WebhookErrorAsync(request, ct) is { } webhookError)
        {
            return webhookError;
        }

        if (IsWorkflow(request))
        {
            return await SubmitWorkflowAsync(userId, request, idempotencyKey, ct);
        }

        if (request.Seed is < 0 or > uint.MaxValue)
        {
            return Invalid("seed", $"seed must be between 0 and {uint.MaxValue}.");
        }

        var (kind, kindErrors) = GenerationKinds.Read(request);
        if (kindErrors.Count > 0)
        {
            return new SubmitOutcome.Invalid(kindErrors);
        }

        var catalog = await catalogs.GetAsync(db, ct);
        // Read before the owner's row is locked: at most one registry read per process every couple of seconds.
        var available = await availability.GetAsync(db, tenant, ct);
        var requestHash = Hash(request);

        // Microseconds, as PostgreSQL stores them, so the job compares equal to its stored self.
        var now = time.GetUtcNow().UtcDateTime;
        now = now.AddTicks(-(now.Ticks % 10));

        // One transaction, few round trips: the owner's row is locked and read together, the
        // catalogue comes from memory, and the job, holds and ledger entry are saved in one batch.
        await using var tx = await lifecycle.BeginWithOwnerAsync(userId, ct);
        var user = tx.Owner;
        if (idempotencyKey is not null && await db.Jobs.AsNoTracking().SingleOrDefaultAsync(j => j.UserId == userId && j.IdempotencyKey == idempotencyKey, ct) is { } earlier)
        {
            // A replay of a submit we already took: the same answer, no second job or hold — unless
            // the key now comes with another request, which is a client bug worth telling apart.
            return earlier.RequestHash is { } hash && hash != requestHash
                ? new SubmitOutcome.Refused(SubmitRefusal.IdempotencyKeyReused,
                    "This Idempotency-Key was used for a different request; use a new key for a new generation.")
                : new SubmitOutcome.Accepted(await GetDtoAsync(earlier, ct));
        }

        var (problem, accepted, plan) = await CheckAsync(user, request, kind, catalog, available, ct);
        if (problem is not null)
        {
            return problem;
        }

        var (parameters, model, estimate) = accepted;
        // Per model in one read: the total caps the queue, and the model's count tells the queue
        // heads whether this job's (user, model) pair has a head already.
        var queuedByModel = await db.Jobs.Where(j => j.UserId == userId && j.Status == JobStatus.Queued)
            .GroupBy(j => j.ModelId).Select(g => new { Model = g.Key, Count = g.Count() }).ToListAsync(ct);
        var queued = queuedByModel.Sum(m => m.Count);
        if (queued >= options.Value.MaxQueuedPerUser)
        {
            return new SubmitOutcome.Refused(SubmitRefusal.QueueLimit,
                $"You have {queued} generations waiting; wait for some to finish (limit {options.Value.MaxQueuedPerUser}).");
        }

        var outputBytes = StorageQuota.EstimateBytes(parameters.Width, parameters.Height, parameters.BatchSize);
        if (StorageRefusal(user, plan, outputBytes) is { } full)
        {
            return full;
        }

        await periods.EnsureCurrentAsync(user, ct);
        var unlimited = plan.MonthlyCredits is null;
        var job = NewJob(userId, request, parameters, model, plan.QueuePriority, unlimited ? 0 : estimate, idempotencyKey, requestHash, now);
        job.Kind = kind.Kind;
        job.InitImageId = kind.InputId;
        job.MaskImageId = kind.MaskId;
        job.Strength = kind.Strength;
        job.UpscaleScale = kind.Scale;
        job.ReservedBytes = outputBytes;
        AttachAddOns(job, request);
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

        // Last of the checks, so a refused submit spends no call; a short-of-credits rollback below undoes it.
        if (await ApiQuotaRefusalAsync(userId, plan, ct) is { } overQuota)
        {
            return overQuota;
        }

        var queue = new QueuedAhead(queued, queuedByModel.Any(m => m.Model == job.ModelId));
        var (reserved, balance, generation) = await lifecycle.EnqueueAsync(tx, job, estimate, unlimited, queue, plan.ConcurrentJobs, JobAddOns.Parse(job.AddOns).Loras.Select(l => l.Id), ct);
        if (!reserved)
        {
            await tx.RollbackAsync(ct);
            return new SubmitOutcome.ShortOfCredits(estimate, balance);
        }

        await SaveJobInputsAsync(job, ct);
        await tx.CommitAsync(ct);
        return new SubmitOutcome.Accepted(generation);
    }

    /// <summary>Cancels the owner's job (see <see cref="JobLifecycle.CancelAsync"/>); null when the owner has no such job.</summary>
    public async Task<GenerationDto?> CancelAsync(Guid userId, Guid jobId, CancellationToken ct) =>
        await lifecycle.CancelAsync(userId, jobId, ct) is { } job ? await GetDtoAsync(job, ct) : null;

    /// <summary>Cancels every queued job of the owner with a full refund (see <see cref="JobLifecycle.CancelQueuedAsync"/>); running ones go on.</summary>
    public async Task<CancelQueuedResponse> CancelQueuedAsync(Guid userId, CancellationToken ct)
    {
        var (jobs, refunded) = await lifecycle.CancelQueuedAsync(userId, ct);
        return new CancelQueuedResponse(jobs.Count, [.. jobs.Select(j => j.Id)], refunded);
    }

    /// <summary>The client view of a job; a queued job's position comes from the queue snapshot (an estimate at most a second old).</summary>
    public async Task<GenerationDto> GetDtoAsync(Job job, CancellationToken ct)
    {
        var images = await db.Images.AsNoTracking().Where(i => i.JobId == job.Id).ToListAsync(ct);
        int? position = job.Status == JobStatus.Queued ? await snapshot.PositionOfAsync(job, queue, ct) : null;
        return mapper.ToDto(job, images, position);
    }

    /// <summary>The client view of a page of jobs, their images read in one query.</summary>
    public async Task<List<GenerationDto>> GetDtosAsync(IReadOnlyList<Job> jobs, CancellationToken ct)
    {
        var ids = jobs.Select(j => j.Id).ToList();
        var images = (await db.Images.AsNoTracking().Where(i => ids.Contains(i.JobId)).ToListAsync(ct)).ToLookup(i => i.JobId);
        var dtos = new List<GenerationDto>(jobs.Count);
        foreach (var job in jobs)
        {
            int? position = job.Status == JobStatus.Queued ? await snapshot.PositionOfAsync(job, queue, ct) : null;
            dtos.Add(mapper.ToDto(job, images[job.Id], position));
        }

        return dtos;
    }

    /// <summary>
    /// The checks a submit and an estimate share, in the documented order: plan feature → input ids
    /// → model/size/batch rules. Reads only; the caller decides whether the owner's row is locked.
    /// </summary>
    private async Task<(SubmitOutcome? Problem, (GenerationParameters Parameters, ImageModel Model, int Estimate) Value, Plan Plan)> CheckAsync(
        User user, GenerationRequest request, KindRequest kind, CatalogSnapshot catalog, AvailableModels available, CancellationToken ct)
    {
        if (!catalog.Plans.ContainsKey(user.PlanId))
        {
            // A plan newer than our copy of the catalogue.
            catalog = await catalogs.GetAsync(db, ct, reload: true);
        }

        var plan = catalog.Plans[user.PlanId];
        if (kind.Feature is { } feature && !PlanFeatures.Has(plan.Features, feature))
        {
            var detail = $"{GenerationKinds.NameOf(kind.Kind)} needs the '{feature}' feature, which the {plan.Id} plan does not include.";
            return (new SubmitOutcome.Refused(SubmitRefusal.PlanForbidsFeature, detail) { Subject = feature }, default, plan);
        }

        // Read under the owner's lock on submit, which deleting an upload or a gallery image takes too: the inputs stay until the job ends.
        var (inputs, badField) = await GenerationKinds.ResolveAsync(db, user.Id, kind, ct);
        if (badField is not null)
        {
            return (new SubmitOutcome.Refused(SubmitRefusal.InvalidImageReference, $"'{badField}' is not the id of one of your uploads or gallery images.") { Subject = badField }, default, plan);
        }

        if (inputs is { Input: { } init, Mask: { } mask } && (init.Width != mask.Width || init.Height != mask.Height))
        {
            return (Invalid("maskImageId", $"The mask is {mask.Width}×{mask.Height}; it must be the init image's size, {init.Width}×{init.Height}."), default, plan);
        }

        var found = request.Model is null ? null : catalog.EnabledModel(request.Model);
        var (problem, accepted) = Accept(request, kind, inputs, found, plan, available);
        if (problem is null)
        {
            (problem, accepted) = await CheckAddOnsAsync(user.Id, request, kind, plan, accepted, ct);
        }

        return (problem, accepted, plan);
    }

    /// <summary>Checks the request against the model and the plan: the parameters to run with and the estimate, or why not.</summary>
    /// <remarks>
    /// Img2img and inpaint default to the init image's size (sides down to a multiple of 8); an
    /// upscale's size is its input's times the scale, checked against the plan as image_too_large.
    /// </remarks>
    private (SubmitOutcome? Problem, (GenerationParameters Parameters, ImageModel Model, int Estimate) Value) Accept(
        GenerationRequest request, KindRequest kind, KindInputs inputs, (ImageModel Model, int MinPlanRank)? found, Plan plan, AvailableModels available)
    {
        var model = found?.Model;
        var profile = found is { } f ? f.Model.ToProfile(f.MinPlanRank) : null;
        var input = inputs.Input;
        var upscale = kind.Kind == JobKind.Upscale;
        var (width, height) = (upscale, input) switch
        {
            (true, { } source) => (source.Width * kind.Scale!.Value, source.Height * kind.Scale!.Value),
            (false, { } init) => (request.Width ?? GenerationKinds.OutputSide(init.Width), request.Height ?? GenerationKinds.OutputSide(init.Height)),
            _ => (request.Width ?? model?.DefaultSide ?? 512, request.Height ?? model?.DefaultSide ?? 512),
        };
        var parameters = new GenerationParameters(
            request.Prompt ?? "",
            string.IsNullOrWhiteSpace(request.NegativePrompt) ? null : request.NegativePrompt,
            request.Model ?? "",
            width,
            height,
            upscale ? GenerationKinds.UpscaleSteps : request.Steps ?? model?.DefaultSteps ?? 25,
            request.CfgScale ?? 7.0,
            request.Scheduler ?? "euler",
            request.BatchSize ?? 1);

        var violations = GenerationRequestRules.Check(parameters, profile, plan.ToEntitlements(), sizeFromInput: upscale);
        if (violations.Any(v => v.Kind == RuleViolationKind.Invalid))
        {
            return (new SubmitOutcome.Invalid(violations.Where(v => v.Kind == RuleViolationKind.Invalid)
                .GroupBy(v => v.Field).ToDictionary(g => g.Key, g => g.Select(v => v.Message).ToArray())), default);
        }

        if (violations.FirstOrDefault(v => v.Kind == RuleViolationKind.ModelForbidden) is { } forbidden)
        {
            return (new SubmitOutcome.Refused(SubmitRefusal.PlanForbidsModel, forbidden.Message), default);
        }

        if (violations.FirstOrDefault() is { } limit)
        {
            return (new SubmitOutcome.Refused(SubmitRefusal.PlanLimit, limit.Message), default);
        }

        // Decided by the worker registry, not this process's engines: an api process runs nothing itself.
        if (!available.Contains(model!.Id))
        {
            return (new SubmitOutcome.Refused(SubmitRefusal.ModelUnavailable, $"No live worker of this deployment serves '{model.Id}' now."), default);
        }

        if (upscale && Math.Max(width, height) > plan.MaxSide)
        {
            return (new SubmitOutcome.Refused(SubmitRefusal.ImageTooLarge,
                $"Upscaled ×{kind.Scale}, the image would be {width}×{height}; the {plan.Id} plan allows at most {plan.MaxSide} px on the long side."), default);
        }

        var estimate = kind.Kind switch
        {
            JobKind.Upscale => KindCosts.Upscale(profile!, width, height),
            JobKind.Img2Img or JobKind.Inpaint => KindCosts.ImageToImage(profile!, width, height, parameters.Steps, kind.Strength!.Value, parameters.BatchSize),
            _ => CostEstimator.Estimate(profile!, width, height, parameters.Steps, parameters.BatchSize),
        };
        return (null, (parameters, model, estimate));
    }

    private static Job NewJob(Guid userId, GenerationRequest request, GenerationParameters parameters, ImageModel model, int priority, int reserved,
        string? idempotencyKey, string requestHash, DateTime now) => new()
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
            RequestHash = requestHash,
            CreatedAt = now,
        };

    /// <summary>The request as sent (fields in declaration order), hashed: equal bodies give equal hashes.</summary>
    private static string Hash(GenerationRequest request) =>
        Convert.ToHexStringLower(SHA256.HashData(JsonSerializer.SerializeToUtf8Bytes(request)));

    /// <summary>Takes a call of the monthly API quota when the submit comes with a key; the refusal when none is left.</summary>
    private async Task<SubmitOutcome.Refused?> ApiQuotaRefusalAsync(Guid userId, Plan plan, CancellationToken ct) =>
        await apiCalls.TakeAsync(userId, plan, ct) is { } refusal
            ? new SubmitOutcome.Refused(SubmitRefusal.ApiQuotaExceeded,
                $"Your plan allows {refusal.Limit} generations a month through the API; the quota resets at {refusal.ResetAt:O}.")
            {
                Extensions = new Dictionary<string, object?> { ["limit"] = refusal.Limit, ["resetAt"] = refusal.ResetAt },
            }
            : null;

    /// <summary>The per-generation webhook: a URL that passes the request-forgery guard, and generation events only.</summary>
    private async Task<SubmitOutcome.Invalid?> WebhookErrorAsync(GenerationRequest request, CancellationToken ct)
    {
        if (request.Webhook is null)
        {
            return request.WebhookEvents is null ? null : Invalid("webhookEvents", "webhookEvents needs a webhook URL.");
        }

        if (request.WebhookEvents is { } events && (events.Count == 0 || events.Any(e => !Webhooks.WebhookEvents.Generation.Contains(e))))
        {
            return Invalid("webhookEvents", $"webhookEvents must be a non-empty list of: {string.Join(", ", Webhooks.WebhookEvents.Generation)}.");
        }

        return await webhookTargets.CheckAsync(request.Webhook, ct) is { } refused ? Invalid("webhook", refused) : null;
    }

    private static SubmitOutcome.Invalid Invalid(string field, string message) => new(new Dictionary<string, string[]> { [field] = [message] });
}

namespace Pingvas.Server.Generation;

/// <summary>Why a submit was refused, beyond field validation and credits. The endpoint maps each to its HTTP status and code.</summary>
public enum SubmitRefusal
{
    /// <summary>The plan does not include the model (403 <c>plan_forbids_model</c>).</summary>
    PlanForbidsModel,

    /// <summary>A plan limit: size, batch (403 <c>plan_limit</c>).</summary>
    PlanLimit,

    /// <summary>No worker of this deployment serves the model (422 <c>model_unavailable</c>).</summary>
    ModelUnavailable,

    /// <summary>Too many of the user's jobs wait already (429 <c>queue_limit</c>).</summary>
    QueueLimit,

    /// <summary>The Idempotency-Key was used before with a different request (409 <c>idempotency_key_reused</c>).</summary>
    IdempotencyKeyReused,

    /// <summary>The kind needs a plan feature (canvas, upscale) the plan lacks (403 <c>plan_forbids_feature</c>).</summary>
    PlanForbidsFeature,

    /// <summary>An input image id is not one of the owner's uploads or gallery images (400 <c>invalid_image_reference</c>).</summary>
    InvalidImageReference,

    /// <summary>An upscale's output would be larger than the plan's maximum side (400 <c>image_too_large</c>).</summary>
    ImageTooLarge,

    /// <summary>A workflow refused by its checks (400 with the check's code in <see cref="SubmitOutcome.Refused.Subject"/>: <c>invalid_workflow</c>, <c>workflow_node_forbidden</c>, <c>workflow_too_large</c>, <c>invalid_workflow_input</c>, <c>unknown_workflow_model</c>).</summary>
    WorkflowRejected,

    /// <summary>The saved or shared workflow is not the owner's or not visible to the plan (404 <c>workflow_not_found</c>).</summary>
    WorkflowNotFound,

    /// <summary>The graph is not a plain chain and no InvokeAI worker serves its model (409 <c>workflow_needs_gpu_worker</c>).</summary>
    WorkflowNeedsGpuWorker,

    /// <summary>A LoRA id is not one of the owner's LoRAs (404 <c>lora_not_found</c>).</summary>
    LoraNotFound,

    /// <summary>A LoRA is for another model family than the model's (400 <c>lora_family_mismatch</c>).</summary>
    LoraFamilyMismatch,

    /// <summary>The model's family has no ControlNet of the type, or no IP-Adapter (400 <c>control_unsupported</c>).</summary>
    ControlUnsupported,

    /// <summary><c>sourceImageId</c> is not one of the owner's gallery images (404 <c>image_not_found</c>).</summary>
    ImageNotFound,

    /// <summary>Stored + reserved bytes + this job's outputs would pass the plan's storage quota (403 <c>storage_quota_exceeded</c>).</summary>
    StorageQuotaExceeded,

    /// <summary>A key-submitted generation past the plan's monthly API calls (429 <c>api_quota_exceeded</c>, <c>resetAt</c> in the extensions).</summary>
    ApiQuotaExceeded,
}

/// <summary>What came of a submit: a job in the queue (new, or the original of a replay), or why not.</summary>
public abstract record SubmitOutcome
{
    public sealed record Accepted(GenerationDto Generation) : SubmitOutcome;

    /// <summary>Fields that break the request rules: field → messages.</summary>
    public sealed record Invalid(IDictionary<string, string[]> Errors) : SubmitOutcome;

    public sealed record Refused(SubmitRefusal Reason, string Detail) : SubmitOutcome
    {
        /// <summary>The request field or plan feature the refusal is about, when there is one.</summary>
        public string? Subject { get; init; }

        /// <summary>Extra members of the problem (a forbidden node's <c>nodeType</c> and <c>nodeId</c>).</summary>
        public IReadOnlyDictionary<string, object?>? Extensions { get; init; }
    }

    public sealed record ShortOfCredits(int Needed, int Balance) : SubmitOutcome;
}

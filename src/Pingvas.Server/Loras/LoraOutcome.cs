namespace Pingvas.Server.Loras;

/// <summary>What came of an upload step; the endpoint maps each refusal to its status and problem code.</summary>
public abstract record LoraOutcome
{
    public sealed record Created(LoraDto Lora) : LoraOutcome;

    /// <summary>The plan has no <c>loras</c> feature (403 <c>plan_forbids_feature</c>).</summary>
    public sealed record PlanForbids(string Detail) : LoraOutcome;

    /// <summary>The request is not a multipart form with a <c>file</c>, or the name is unusable (400 <c>validation_failed</c>).</summary>
    public sealed record Invalid(string Field, string Detail) : LoraOutcome;

    /// <summary>The file breaks the safetensors format (400 <c>invalid_safetensors</c>).</summary>
    public sealed record InvalidSafetensors(string Detail) : LoraOutcome;

    /// <summary>A valid file without LoRA weights (400 <c>not_a_lora</c>).</summary>
    public sealed record NotALora(string Detail) : LoraOutcome;

    /// <summary>A LoRA for no family we serve (400 <c>unknown_lora_family</c>).</summary>
    public sealed record UnknownFamily(string Detail) : LoraOutcome;

    /// <summary>Over <c>Loras:MaxBytes</c> (413 <c>file_too_large</c>).</summary>
    public sealed record TooLarge(string Detail) : LoraOutcome;

    /// <summary>The owner's storage would exceed the plan's quota (403 <c>storage_quota_exceeded</c>).</summary>
    public sealed record OverQuota(string Detail) : LoraOutcome;
}

/// <summary>What came of deleting or renaming a LoRA.</summary>
public enum LoraChange
{
    Done,
    NotFound,

    /// <summary>A queued or running job names it (409 <c>lora_in_use</c>).</summary>
    InUse,
}

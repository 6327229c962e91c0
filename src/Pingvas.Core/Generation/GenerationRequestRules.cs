using Pingvas.Core.Plans;

namespace Pingvas.Core.Generation;

/// <summary>A submission's parameters after defaults were applied.</summary>
public sealed record GenerationParameters(
    string Prompt,
    string? NegativePrompt,
    string Model,
    int Width,
    int Height,
    int Steps,
    double CfgScale,
    string Scheduler,
    int BatchSize);

public enum RuleViolationKind
{
    /// <summary>Malformed input: 400 validation_failed.</summary>
    Invalid,

    /// <summary>Well-formed but beyond the plan: 403 plan_limit.</summary>
    PlanLimit,

    /// <summary>The model needs a higher plan: 403 plan_forbids_model.</summary>
    ModelForbidden,
}

public sealed record RuleViolation(RuleViolationKind Kind, string Field, string Message);

/// <summary>The limits of PRODUCT.md §4 and the HTTP contract, checked before anything is reserved.</summary>
public static class GenerationRequestRules
{
    public const int MaxPromptLength = 2_000;
    public const int MinSide = 64;
    public const int MaxSteps = 150;
    public const double MaxCfgScale = 30;

    public static IReadOnlySet<string> Schedulers { get; } = new HashSet<string>(StringComparer.Ordinal)
    {
        "euler", "euler_a", "dpmpp_2m", "dpmpp_2m_k", "dpmpp_sde", "ddim", "lms", "heun",
    };

    /// <summary>
    /// Every violation, malformed input first. A caller answers with the first kind present:
    /// invalid input outranks plan limits, so a user fixes typos before being asked to upgrade.
    /// </summary>
    /// <param name="sizeFromInput">
    /// The output size follows an input image (upscale): the caller checks it, so the side rules
    /// (multiple of 8, plan maximum) are skipped here; a prompt is optional too.
    /// </param>
    public static IReadOnlyList<RuleViolation> Check(GenerationParameters p, ModelProfile? model, PlanEntitlements plan, bool sizeFromInput = false)
    {
        var errors = new List<RuleViolation>();
        void Invalid(string field, string message) => errors.Add(new(RuleViolationKind.Invalid, field, message));

        if (string.IsNullOrWhiteSpace(p.Prompt) && !sizeFromInput)
        {
            Invalid("prompt", "A prompt is required.");
        }
        else if (p.Prompt.Length > MaxPromptLength)
        {
            Invalid("prompt", $"The prompt may have at most {MaxPromptLength} characters.");
        }

        if (p.NegativePrompt is { Length: > MaxPromptLength })
        {
            Invalid("negativePrompt", $"The negative prompt may have at most {MaxPromptLength} characters.");
        }

        if (model is null)
        {
            Invalid("model", $"Unknown model '{p.Model}'.");
        }

        if (!sizeFromInput)
        {
            CheckSide("width", p.Width, errors);
            CheckSide("height", p.Height, errors);
        }

        if (p.Steps is < 1 or > MaxSteps)
        {
            Invalid("steps", $"Steps must be between 1 and {MaxSteps}.");
        }

        if (double.IsNaN(p.CfgScale) || p.CfgScale is < 0 or > MaxCfgScale)
        {
            Invalid("cfgScale", $"cfgScale must be between 0 and {MaxCfgScale}.");
        }

        if (!Schedulers.Contains(p.Scheduler))
        {
            Invalid("scheduler", $"Unknown scheduler '{p.Scheduler}'. Use one of: {string.Join(", ", Schedulers)}.");
        }

        if (p.BatchSize < 1)
        {
            Invalid("batchSize", "batchSize must be at least 1.");
        }

        if (errors.Count > 0)
        {
            return errors;
        }

        if (model!.MinPlanRank > plan.Rank)
        {
            errors.Add(new(RuleViolationKind.ModelForbidden, "model", $"The model '{model.Id}' is not included in the {plan.Id} plan."));
        }

        if (!sizeFromInput && Math.Max(p.Width, p.Height) > plan.MaxSide)
        {
            errors.Add(new(RuleViolationKind.PlanLimit, p.Width >= p.Height ? "width" : "height",
                $"The {plan.Id} plan allows at most {plan.MaxSide} px on the long side."));
        }

        if (p.BatchSize > plan.MaxBatch)
        {
            errors.Add(new(RuleViolationKind.PlanLimit, "batchSize", $"The {plan.Id} plan allows batches of at most {plan.MaxBatch}."));
        }

        return errors;
    }

    private static void CheckSide(string field, int value, List<RuleViolation> errors)
    {
        if (value < MinSide || value % 8 != 0)
        {
            errors.Add(new(RuleViolationKind.Invalid, field, $"{field} must be a multiple of 8 and at least {MinSide}."));
        }
    }
}

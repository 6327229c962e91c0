using System.Text.Json;

using Microsoft.EntityFrameworkCore;

using Pingvas.Core.Generation;
using Pingvas.Core.Plans;
using Pingvas.Server.Catalog;
using Pingvas.Server.Jobs;

namespace Pingvas.Server.Generation;

/// <summary>
/// A job's LoRAs, control images and reference as stored in <c>jobs.add_ons</c>: every default
/// filled in (control weight 1, steps 0…steps; reference weight 0.5), so what ran is what is shown.
/// </summary>
public sealed record JobAddOns(IReadOnlyList<LoraUse> Loras, IReadOnlyList<ControlUse> Control, ReferenceUse? Reference)
{
    public const double DefaultControlWeight = 1.0;
    public const double DefaultReferenceWeight = 0.5;

    public static readonly JobAddOns None = new([], [], null);

    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web);

    public bool IsEmpty => Loras.Count == 0 && Control.Count == 0 && Reference is null;

    /// <summary>The request's add-ons with defaults filled for a job of <paramref name="steps"/> steps.</summary>
    public static JobAddOns From(GenerationRequest request, int steps) => new(
        request.Loras ?? [],
        [.. (request.Control ?? []).Select(c => c with
        {
            Weight = c.Weight ?? DefaultControlWeight,
            BeginStep = c.BeginStep ?? 0,
            EndStep = c.EndStep ?? steps,
        })],
        request.Reference is { } r ? r with { Weight = r.Weight ?? DefaultReferenceWeight } : null);

    /// <summary>The stored form; null when there is nothing to store.</summary>
    public string? ToJson() => IsEmpty ? null : JsonSerializer.Serialize(this, Json);

    public static JobAddOns Parse(string? json) =>
        json is null ? None : JsonSerializer.Deserialize<JobAddOns>(json, Json) ?? None;

    /// <summary>The <c>job_inputs</c> rows of the job: each distinct image and LoRA once.</summary>
    public IEnumerable<JobInput> InputsOf(Job job) =>
        Control.Select(c => c.ImageId).Concat(Reference is { } r ? [r.ImageId] : [])
            .Distinct().Select(id => new JobInput { JobId = job.Id, UserId = job.UserId, Kind = JobInputKinds.Image, RefId = id })
            .Concat(Loras.Select(l => l.Id).Distinct().Select(id => new JobInput { JobId = job.Id, UserId = job.UserId, Kind = JobInputKinds.Lora, RefId = id }));
}

public sealed partial class GenerationService
{
    public const int MaxLoras = 5;
    public const double MaxLoraWeight = 2;
    public const int MaxControlImages = 3;
    public const double MaxControlWeight = 2;

    private static bool HasAddOns(GenerationRequest r) => r.Loras is { Count: > 0 } || r.Control is { Count: > 0 } || r.Reference is not null;

    /// <summary>
    /// The add-on checks, after the model and plan rules passed (they need the model's family and
    /// the steps): shape and limits (400), plan features (403), the owner's LoRAs (404) and their
    /// family, the control and reference images, the family's support; then the estimate with the
    /// add-ons' share. Reads only.
    /// </summary>
    private async Task<(SubmitOutcome? Problem, (GenerationParameters Parameters, ImageModel Model, int Estimate) Value)> CheckAddOnsAsync(
        Guid userId, GenerationRequest request, KindRequest kind, Plan plan, (GenerationParameters Parameters, ImageModel Model, int Estimate) accepted, CancellationToken ct)
    {
        if (!HasAddOns(request))
        {
            return (null, accepted);
        }

        var (parameters, model, estimate) = accepted;
        var errors = AddOnErrors(request, kind, parameters.Steps);
        if (errors.Count > 0)
        {
            return (new SubmitOutcome.Invalid(errors), default);
        }

        var loras = request.Loras ?? [];
        var control = request.Control ?? [];
        foreach (var (used, feature) in new[] { (loras.Count > 0, PlanFeatures.Loras), (control.Count > 0 || request.Reference is not null, PlanFeatures.Control) })
        {
            if (used && !PlanFeatures.Has(plan.Features, feature))
            {
                return (new SubmitOutcome.Refused(SubmitRefusal.PlanForbidsFeature,
                    $"'{feature}' is not included in the {plan.Id} plan.")
                { Subject = feature }, default);
            }
        }

        if (loras.Count > 0)
        {
            // The owner is part of the lookup: another user's LoRA is as unknown as a missing one.
            var ids = loras.Select(l => l.Id).ToList();
            var found = await db.Loras.AsNoTracking().Where(l => l.UserId == userId && ids.Contains(l.Id))
                .Select(l => new { l.Id, l.Name, l.Family }).ToDictionaryAsync(l => l.Id, ct);
            for (var i = 0; i < loras.Count; i++)
            {
                if (!found.TryGetValue(loras[i].Id, out var lora))
                {
                    return (new SubmitOutcome.Refused(SubmitRefusal.LoraNotFound, $"'loras[{i}].id' is not one of your LoRAs.") { Subject = $"loras[{i}].id" }, default);
                }

                if (lora.Family != model.Family)
                {
                    return (new SubmitOutcome.Refused(SubmitRefusal.LoraFamilyMismatch,
                        $"The LoRA '{lora.Name}' is for {lora.Family} models; '{model.Id}' is {model.Family}.")
                    { Subject = $"loras[{i}].id" }, default);
                }
            }
        }

        var imageIds = control.Select(c => c.ImageId).Concat(request.Reference is { } r ? [r.ImageId] : []).Distinct().ToList();
        var images = await InputImages.FindAsync(db, userId, imageIds, ct);
        var badField = Enumerable.Range(0, control.Count).Where(i => !images.ContainsKey(control[i].ImageId)).Select(i => $"control[{i}].imageId").FirstOrDefault()
            ?? (request.Reference is { } reference && !images.ContainsKey(reference.ImageId) ? "reference.imageId" : null);
        if (badField is not null)
        {
            return (new SubmitOutcome.Refused(SubmitRefusal.InvalidImageReference, $"'{badField}' is not the id of one of your uploads or gallery images.") { Subject = badField }, default);
        }

        for (var i = 0; i < control.Count; i++)
        {
            if (!ControlSupport.SupportsControl(model.Family, control[i].Type))
            {
                var types = ControlSupport.ControlTypesOf(model.Family);
                return (new SubmitOutcome.Refused(SubmitRefusal.ControlUnsupported,
                    $"'{model.Id}' has no {control[i].Type} ControlNet; " + (types.Count == 0 ? "it takes no control images." : $"it takes {string.Join(", ", types)}."))
                { Subject = $"control[{i}].type" }, default);
            }
        }

        if (request.Reference is not null && !ControlSupport.SupportsReference(model.Family))
        {
            return (new SubmitOutcome.Refused(SubmitRefusal.ControlUnsupported, $"'{model.Id}' has no IP-Adapter for a reference image.") { Subject = "reference" }, default);
        }

        return (null, (parameters, model, KindCosts.WithAddOns(estimate, control.Count, request.Reference is not null)));
    }

    /// <summary>The field errors of the add-ons' shape: what they apply to, counts, weights and steps.</summary>
    private static Dictionary<string, string[]> AddOnErrors(GenerationRequest request, KindRequest kind, int steps)
    {
        var errors = new Dictionary<string, string[]>();
        var notHere = kind.Kind == JobKind.Upscale ? "upscale"
            : request.WorkflowId is not null || request.Workflow is not null || request.Graph is not null ? "a workflow (its graph has its own)"
            : null;
        if (notHere is not null)
        {
            foreach (var (field, value) in new (string, object?)[] { ("loras", request.Loras), ("control", request.Control), ("reference", request.Reference) })
            {
                if (value is not null)
                {
                    errors[field] = [$"{field} does not apply to {notHere}."];
                }
            }

            return errors;
        }

        var loras = request.Loras ?? [];
        if (loras.Count > MaxLoras)
        {
            errors["loras"] = [$"At most {MaxLoras} LoRAs may be applied."];
        }
        else if (loras.Select(l => l.Id).Distinct().Count() != loras.Count)
        {
            errors["loras"] = ["A LoRA may be applied only once."];
        }

        for (var i = 0; i < loras.Count; i++)
        {
            if (!InRange(loras[i].Weight, -MaxLoraWeight, MaxLoraWeight))
            {
                errors[$"loras[{i}].weight"] = [$"weight must be between {-MaxLoraWeight} and {MaxLoraWeight}."];
            }
        }

        var control = request.Control ?? [];
        if (control.Count > MaxControlImages)
        {
            errors["control"] = [$"At most {MaxControlImages} control images may be used."];
        }

        for (var i = 0; i < control.Count; i++)
        {
            var c = control[i];
            if (c.Type is null || !ControlSupport.IsKnownType(c.Type))
            {
                errors[$"control[{i}].type"] = [$"type must be one of {string.Join(", ", ControlSupport.Types)}."];
            }

            if (c.Weight is { } w && !InRange(w, 0, MaxControlWeight))
            {
                errors[$"control[{i}].weight"] = [$"weight must be between 0 and {MaxControlWeight}."];
            }

            var (begin, end) = (c.BeginStep ?? 0, c.EndStep ?? steps);
            if (begin < 0 || begin >= end || end > steps)
            {
                errors[$"control[{i}].{(c.EndStep is null || begin < 0 ? "beginStep" : "endStep")}"] =
                    [$"beginStep and endStep must satisfy 0 ≤ beginStep < endStep ≤ steps ({steps})."];
            }
        }

        if (request.Reference is { Weight: { } rw } && !InRange(rw, 0, MaxControlWeight))
        {
            errors["reference.weight"] = [$"weight must be between 0 and {MaxControlWeight}."];
        }

        return errors;
    }

    private static bool InRange(double value, double min, double max) => !double.IsNaN(value) && value >= min && value <= max;

    /// <summary>Stores the request's add-ons on the new job, defaults filled in (after its steps are set).</summary>
    private static void AttachAddOns(Job job, GenerationRequest request)
    {
        if (HasAddOns(request))
        {
            job.AddOns = JobAddOns.From(request, job.Steps).ToJson();
        }
    }

    /// <summary>The job's <c>job_inputs</c> rows, saved in the submit's transaction once the job row is in (their foreign key).</summary>
    private async Task SaveJobInputsAsync(Job job, CancellationToken ct)
    {
        if (job.AddOns is null)
        {
            return;
        }

        db.JobInputs.AddRange(JobAddOns.Parse(job.AddOns).InputsOf(job));
        await db.SaveChangesAsync(ct);
    }
}

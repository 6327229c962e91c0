using System.Text.Json;

namespace Pingvas.Engines.InvokeAi;

/// <summary>LoRAs, ControlNet and IP-Adapter inputs of a job, resolved and uploaded on this node.</summary>
public sealed partial class InvokeAiEngine
{
    /// <summary>
    /// Checks the node has the ControlNets and IP-Adapter first (a missing one is <c>node_missing_model</c>,
    /// before anything is uploaded or installed), then uploads their images and installs the LoRAs.
    /// </summary>
    private async Task<InvokeAiGraphRequest> PrepareAddOnsAsync(
        EngineJob job, InvokeAiGraphRequest request, InvokeAiNodeModels models, List<string> uploads,
        Action<InvokeAiLoraLease> onLease, CancellationToken ct)
    {
        if (request.Model is not { } model || (job.Loras.Count == 0 && job.Controls.Count == 0 && job.Reference is null))
        {
            return request;
        }
        var family = InvokeAiAddOnDefaults.FamilyOf(model.Base);
        var controlModels = job.Controls
            .Select(c => models.Controls.GetValueOrDefault((family, c.Type))
                ?? throw new RetryableEngineException("node_missing_model", $"The node at {Instance} has no {c.Type} ControlNet for {family}."))
            .ToList();
        var referenceModel = job.Reference is null
            ? null
            : models.References.GetValueOrDefault(family)
                ?? throw new RetryableEngineException("node_missing_model", $"The node at {Instance} has no IP-Adapter (with its CLIP Vision encoder) for {family}.");

        var controls = new List<InvokeAiControlUse>();
        for (var i = 0; i < job.Controls.Count; i++)
        {
            var control = job.Controls[i];
            var name = await _client.UploadAsync(control.Image.Bytes, control.Image.ContentType, "control", ct);
            uploads.Add(name);
            controls.Add(new InvokeAiControlUse(control.Type, controlModels[i], name, control.Weight, control.BeginPercent, control.EndPercent));
        }
        InvokeAiReferenceUse? reference = null;
        if (job.Reference is { } wanted && referenceModel is not null)
        {
            var name = await _client.UploadAsync(wanted.Image.Bytes, wanted.Image.ContentType, "user", ct);
            uploads.Add(name);
            reference = new InvokeAiReferenceUse(referenceModel, name, wanted.Weight);
        }
        var loras = new List<InvokeAiLoraUse>();
        if (job.Loras.Count > 0)
        {
            var lease = await _loras.AcquireAsync(job.Loras, ct);
            onLease(lease);
            loras.AddRange(job.Loras.Select(l => new InvokeAiLoraUse(lease.Models[l.Id], l.Weight)));
        }
        return request with { Loras = loras, Controls = controls, Reference = reference };
    }

    /// <summary>What the add-ons were, as JSON in the same shape the procedural engine writes (ids and weights only: the files stay private).</summary>
    private static void AddOnMetadata(EngineJob job, Dictionary<string, string> metadata)
    {
        if (job.Loras.Count > 0)
        {
            metadata["loras"] = JsonSerializer.Serialize(job.Loras.Select(l => new { id = l.Id, family = l.Family, weight = l.Weight }));
        }
        if (job.Controls.Count > 0)
        {
            metadata["control"] = JsonSerializer.Serialize(job.Controls.Select(c => new
            {
                type = c.Type,
                weight = c.Weight,
                beginPercent = c.BeginPercent,
                endPercent = c.EndPercent,
            }));
        }
        if (job.Reference is { } reference)
        {
            metadata["reference"] = JsonSerializer.Serialize(new { weight = reference.Weight });
        }
    }
}

using Microsoft.EntityFrameworkCore;

using Pingvas.Core.Plans;
using Pingvas.Core.Workflows;
using Pingvas.Engines;
using Pingvas.Engines.InvokeAi;
using Pingvas.Server.Catalog;
using Pingvas.Server.Data;
using Pingvas.Server.Generation;
using Pingvas.Server.Workers;

namespace Pingvas.Server.Workflows;

/// <summary>A workflow ready to queue: its main model, the graph to store, what it lowers to, its price and what it uses.</summary>
public sealed record PreparedWorkflow(
    ImageModel Model,
    CheckedWorkflow Checked,
    string StoredGraph,
    LoweredJob? Lowered,
    int Estimate,
    IReadOnlyList<Guid> Images,
    IReadOnlyList<Guid> Loras,
    Guid? WorkflowId);

/// <summary>
/// Every check of a workflow run, reads only, in order: plan feature → document → readable →
/// allow-list and limits → inputs → the owner's images → models (main model matched to the
/// catalog and plan-checked, auxiliaries on the allow-list, LoRAs the owner's) → availability → price.
/// </summary>
public sealed class WorkflowPreparer(PingvasDb db, WorkflowEnvironment environment)
{
    public async Task<(PreparedWorkflow? Workflow, SubmitOutcome? Problem)> PrepareAsync(
        Guid userId, Plan plan, GenerationRequest request, CatalogSnapshot catalog, AvailableModels available, CancellationToken ct)
    {
        if (!PlanFeatures.Has(plan.Features, PlanFeatures.Workflows))
        {
            return Refuse(SubmitRefusal.PlanForbidsFeature, $"Workflows need the 'workflows' feature, which the {plan.Id} plan does not include.", PlanFeatures.Workflows);
        }

        var document = request.WorkflowId is { } id
            ? await WorkflowDocuments.FindAsync(db, userId, plan.Id, id, ct)
            : WorkflowDocuments.Inline(request.Workflow, request.Graph);
        if (document is null)
        {
            return Refuse(SubmitRefusal.WorkflowNotFound, "No such workflow.", null);
        }

        var (graph, readError) = WorkflowReader.Read(document.Json, document.Format);
        if (readError is not null)
        {
            return Rejected(readError);
        }

        var (checkedWorkflow, checkError) = WorkflowChecks.Check(graph!, environment.Catalog, environment.Limits, request.Inputs, plan.MaxSide, plan.MaxBatch);
        if (checkError is not null)
        {
            return Rejected(checkError);
        }

        var workflow = checkedWorkflow!;
        var found = await InputImages.FindAsync(db, userId, workflow.Images, ct);
        if (workflow.Images.Where(i => !found.ContainsKey(i)).Cast<Guid?>().FirstOrDefault() is { } missing)
        {
            return Refuse(SubmitRefusal.InvalidImageReference, $"'{missing}' is not the id of one of your uploads or gallery images.", "inputs");
        }

        var features = NodeFeatures(workflow).FirstOrDefault(f => !PlanFeatures.Has(plan.Features, f));
        if (features is not null)
        {
            return Refuse(SubmitRefusal.PlanForbidsFeature, $"This workflow uses nodes that need the '{features}' feature, which the {plan.Id} plan does not include.", features);
        }

        var (model, loras, modelProblem) = await ResolveModelsAsync(userId, workflow, catalog, plan, ct);
        if (modelProblem is not null)
        {
            return (null, modelProblem);
        }

        if (!available.Contains(model!.Id))
        {
            return Refuse(SubmitRefusal.ModelUnavailable, $"No live worker of this deployment serves '{model.Id}' now.", null);
        }

        var lowered = WorkflowLowering.Lower(workflow);
        if (lowered is null && available.EngineFor(model.Id) != InvokeAiEngine.EngineName)
        {
            return Refuse(SubmitRefusal.WorkflowNeedsGpuWorker,
                $"This workflow is more than a plain text-to-image or image-to-image chain, and no InvokeAI worker serves '{model.Id}' now.", null);
        }

        var min = catalog.Plans[model.MinPlanId].Rank;
        var estimate = WorkflowCost.Estimate(workflow, environment.Catalog, model.ToProfile(min), plan.MaxSide);
        var stored = workflow.Graph.ToStoredGraph(workflow.Outputs).ToJsonString();
        return (new PreparedWorkflow(model, workflow, stored, lowered, estimate, workflow.Images, loras, document.WorkflowId), null);
    }

    /// <summary>
    /// Matches every model field and rewrites its key to a <see cref="WorkflowRefs"/> reference:
    /// exactly one catalog main model (plan-checked), allowed auxiliaries, the owner's LoRAs of the model's family.
    /// </summary>
    private async Task<(ImageModel? Model, IReadOnlyList<Guid> Loras, SubmitOutcome? Problem)> ResolveModelsAsync(
        Guid userId, CheckedWorkflow workflow, CatalogSnapshot catalog, Plan plan, CancellationToken ct)
    {
        ImageModel? main = null;
        var loras = new List<Guid>();
        foreach (var use in workflow.Models)
        {
            string key;
            if (use.Type == "main")
            {
                var match = environment.CatalogIdsFor(use.Name, use.Base).Select(catalog.EnabledModel).FirstOrDefault(m => m is not null);
                if (match is not { } m)
                {
                    return (null, [], Unknown(use));
                }

                if (main is not null && main.Id != m.Model.Id)
                {
                    return (null, [], Rejected(new WorkflowError(WorkflowErrorKind.Invalid,
                        $"The workflow names two main models ('{main.Id}' and '{m.Model.Id}'); it may use one.")).Problem);
                }

                if (m.MinPlanRank > plan.Rank)
                {
                    return (null, [], new SubmitOutcome.Refused(SubmitRefusal.PlanForbidsModel,
                        $"The {plan.Id} plan does not include '{m.Model.Id}'; it needs the {m.Model.MinPlanId} plan or higher."));
                }

                main = m.Model;
                key = WorkflowRefs.MainPrefix + m.Model.Id;
            }
            else if (use.Type == "lora")
            {
                var family = WorkflowEnvironment.FamilyOf(use.Base);
                var lora = await db.Loras.AsNoTracking().Where(l => l.UserId == userId && l.Name == use.Name && l.Family == family)
                    .OrderBy(l => l.Id).FirstOrDefaultAsync(ct);
                if (lora is null)
                {
                    return (null, [], Unknown(use));
                }

                if (!loras.Contains(lora.Id))
                {
                    loras.Add(lora.Id);
                }

                key = WorkflowRefs.LoraPrefix + lora.Id.ToString("D");
            }
            else if (environment.Catalog.IsAuxiliary(use.Type, use.Base, use.Name))
            {
                key = WorkflowRefs.Aux;
            }
            else
            {
                return (null, [], Unknown(use));
            }

            workflow.Graph.Node(use.NodeId)!.Fields[use.Field]!["key"] = key;
        }

        if (main is null)
        {
            return (null, [], Rejected(new WorkflowError(WorkflowErrorKind.Invalid, "The workflow names no main model.")).Problem);
        }

        var mainFamily = main.Family;
        if (workflow.Models.FirstOrDefault(u => u.Type == "lora" && WorkflowEnvironment.FamilyOf(u.Base) != mainFamily) is { } mismatch)
        {
            return (null, [], Unknown(mismatch));
        }

        return (main, loras, null);
    }

    /// <summary>The plan features a workflow's nodes need beyond <c>workflows</c>.</summary>
    private IEnumerable<string> NodeFeatures(CheckedWorkflow workflow)
    {
        var categories = workflow.Graph.Nodes.Select(n => environment.Catalog.Nodes[n.Type].Category).ToHashSet();
        if (categories.Contains("lora"))
        {
            yield return PlanFeatures.Loras;
        }

        if (workflow.Graph.Nodes.Any(n => n.Type is "controlnet" or "flux_controlnet" or "ip_adapter" or "flux_ip_adapter"))
        {
            yield return PlanFeatures.Control;
        }

        if (categories.Contains("upscale"))
        {
            yield return PlanFeatures.Upscale;
        }
    }

    private static SubmitOutcome Unknown(ModelUse use) => Rejected(new WorkflowError(WorkflowErrorKind.UnknownModel,
        $"Node '{use.NodeId}' names the {use.Type} model '{use.Name}' ({use.Base}), which is not one this service runs for you.")).Problem!;

    public static (PreparedWorkflow? Workflow, SubmitOutcome? Problem) Rejected(WorkflowError error) =>
        (null, new SubmitOutcome.Refused(SubmitRefusal.WorkflowRejected, error.Detail)
        {
            Subject = error.Code,
            Extensions = error.NodeId is null ? null : new Dictionary<string, object?> { ["nodeType"] = error.NodeType, ["nodeId"] = error.NodeId },
        });

    private static (PreparedWorkflow? Workflow, SubmitOutcome? Problem) Refuse(SubmitRefusal reason, string detail, string? subject) =>
        (null, new SubmitOutcome.Refused(reason, detail) { Subject = subject });
}

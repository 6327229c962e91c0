using System.Text.Json;

using Microsoft.EntityFrameworkCore;

using Pingvas.Core.Workflows;
using Pingvas.Server.Data;

namespace Pingvas.Server.Workflows;

/// <summary>A workflow document to run or save: its format, its JSON text, and the saved or shared workflow it came from.</summary>
public sealed record WorkflowDocument(string Format, string Json, Guid? WorkflowId);

/// <summary>Finds the document a request names: inline (<c>workflow</c> or <c>graph</c>) or a saved/shared workflow by id.</summary>
public static class WorkflowDocuments
{
    /// <summary>The inline document of a body with <c>workflow</c> or <c>graph</c> (exactly one), or null.</summary>
    public static WorkflowDocument? Inline(JsonElement? workflow, JsonElement? graph) =>
        (workflow, graph) switch
        {
            ({ } w, null) => new WorkflowDocument(WorkflowReader.EditorFormat, w.GetRawText(), null),
            (null, { } g) => new WorkflowDocument(WorkflowReader.GraphFormat, g.GetRawText(), null),
            _ => null,
        };

    /// <summary>The owner's saved workflow, else a shared one the plan sees; null for another user's id or an unknown one.</summary>
    public static async Task<WorkflowDocument?> FindAsync(PingvasDb db, Guid userId, string planId, Guid id, CancellationToken ct)
    {
        if (await db.Workflows.AsNoTracking().SingleOrDefaultAsync(w => w.Id == id && w.UserId == userId, ct) is { } saved)
        {
            return new WorkflowDocument(saved.Format, saved.Document, saved.Id);
        }

        var shared = await db.SharedWorkflows.AsNoTracking().SingleOrDefaultAsync(w => w.Id == id, ct);
        return shared is not null && SharedWith(shared, planId) ? new WorkflowDocument(shared.Format, shared.Document, shared.Id) : null;
    }

    public static bool SharedWith(SharedWorkflow shared, string planId) =>
        shared.PlanIds.Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries).Contains(planId, StringComparer.Ordinal);
}

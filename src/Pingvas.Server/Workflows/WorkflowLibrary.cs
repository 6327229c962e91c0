using System.Text.Json;

using Microsoft.EntityFrameworkCore;

using Pingvas.Core.Workflows;
using Pingvas.Server.Data;
using Pingvas.Server.Storage;

namespace Pingvas.Server.Workflows;

/// <summary>Why a save was refused: a field error, a workflow check (its <see cref="WorkflowError"/>), or a thumbnail that is not the caller's image.</summary>
public sealed record SaveProblem(string? Field, string? Message, WorkflowError? Workflow = null);

/// <summary>
/// The workflow library: a user's saved workflows (per user; another user's id is as unknown as a
/// missing one) and the shared ones their plan sees. Saving checks readability, the allow-list and
/// the limits; models and inputs are checked when a workflow runs.
/// </summary>
public sealed class WorkflowLibrary(PingvasDb db, WorkflowEnvironment environment, IObjectUrls urls, TimeProvider time)
{
    public const int MaxNameLength = 200;
    public const int MaxDescriptionLength = 2000;

    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web);

    public async Task<WorkflowList> ListAsync(Guid userId, CancellationToken ct)
    {
        var saved = await db.Workflows.AsNoTracking().Where(w => w.UserId == userId).OrderByDescending(w => w.Id).ToListAsync(ct);
        var plan = await db.Users.AsNoTracking().Where(u => u.Id == userId).Select(u => u.PlanId).SingleAsync(ct);
        var shared = (await db.SharedWorkflows.AsNoTracking().OrderBy(w => w.Name).ToListAsync(ct)).Where(w => WorkflowDocuments.SharedWith(w, plan));
        var thumbs = await ThumbnailsAsync(userId, saved.Select(w => w.ThumbnailImageId), ct);
        return new WorkflowList(
        [
            .. saved.Select(w => Summary(w, thumbs)),
            .. shared.Select(w => Summary(Detail(w))),
        ]);
    }

    /// <summary>The owner's saved workflow, else a shared one of the owner's plan; null otherwise.</summary>
    public async Task<WorkflowDetail?> GetAsync(Guid userId, Guid id, CancellationToken ct)
    {
        if (await db.Workflows.AsNoTracking().SingleOrDefaultAsync(w => w.Id == id && w.UserId == userId, ct) is { } saved)
        {
            return Detail(saved, await ThumbnailsAsync(userId, [saved.ThumbnailImageId], ct));
        }

        var plan = await db.Users.AsNoTracking().Where(u => u.Id == userId).Select(u => u.PlanId).SingleAsync(ct);
        var shared = await db.SharedWorkflows.AsNoTracking().SingleOrDefaultAsync(w => w.Id == id, ct);
        return shared is not null && WorkflowDocuments.SharedWith(shared, plan) ? Detail(shared) : null;
    }

    public async Task<(WorkflowDetail? Detail, SaveProblem? Problem)> CreateAsync(Guid userId, SaveWorkflowRequest request, CancellationToken ct)
    {
        var (checkedDoc, problem) = await CheckAsync(userId, request.Name, request.Description, request.Workflow, request.Graph, request.ThumbnailImageId, required: true, ct);
        if (problem is not null)
        {
            return (null, problem);
        }

        var now = Now();
        var row = new SavedWorkflow
        {
            Id = Ids.New(),
            UserId = userId,
            Name = request.Name!.Trim(),
            Description = Blank(request.Description),
            Format = checkedDoc!.Value.Document.Format,
            Document = checkedDoc.Value.Document.Json,
            ExposedFields = checkedDoc.Value.Exposed,
            NodeCount = checkedDoc.Value.NodeCount,
            ThumbnailImageId = request.ThumbnailImageId,
            CreatedAt = now,
            UpdatedAt = now,
        };
        db.Workflows.Add(row);
        await db.SaveChangesAsync(ct);
        return (Detail(row, await ThumbnailsAsync(userId, [row.ThumbnailImageId], ct)), null);
    }

    /// <summary>Updates the owner's saved workflow; null detail and problem: no such workflow of the owner.</summary>
    public async Task<(WorkflowDetail? Detail, SaveProblem? Problem)> UpdateAsync(Guid userId, Guid id, SaveWorkflowRequest request, CancellationToken ct)
    {
        var row = await db.Workflows.SingleOrDefaultAsync(w => w.Id == id && w.UserId == userId, ct);
        if (row is null)
        {
            return (null, null);
        }

        var (checkedDoc, problem) = await CheckAsync(userId, request.Name, request.Description, request.Workflow, request.Graph, request.ThumbnailImageId, required: false, ct);
        if (problem is not null)
        {
            return (null, problem);
        }

        row.Name = request.Name?.Trim() ?? row.Name;
        row.Description = request.Description is null ? row.Description : Blank(request.Description);
        row.ThumbnailImageId = request.ThumbnailImageId ?? row.ThumbnailImageId;
        if (checkedDoc is { } doc)
        {
            (row.Format, row.Document, row.ExposedFields, row.NodeCount) = (doc.Document.Format, doc.Document.Json, doc.Exposed, doc.NodeCount);
        }

        row.UpdatedAt = Now();
        await db.SaveChangesAsync(ct);
        return (Detail(row, await ThumbnailsAsync(userId, [row.ThumbnailImageId], ct)), null);
    }

    public async Task<bool> DeleteAsync(Guid userId, Guid id, CancellationToken ct) =>
        await db.Workflows.Where(w => w.Id == id && w.UserId == userId).ExecuteDeleteAsync(ct) > 0;

    /// <summary>
    /// The checks of a save: name, description, the document (read, allow-listed, within the limits)
    /// and the thumbnail (one of the caller's gallery images). The document is null when none was sent.
    /// </summary>
    public async Task<((WorkflowDocument Document, string Exposed, int NodeCount)? Document, SaveProblem? Problem)> CheckAsync(
        Guid userId, string? name, string? description, JsonElement? workflow, JsonElement? graph, Guid? thumbnailImageId, bool required, CancellationToken ct)
    {
        if ((required || name is not null) && (string.IsNullOrWhiteSpace(name) || name.Trim().Length > MaxNameLength))
        {
            return (null, new SaveProblem("name", $"name must have 1 to {MaxNameLength} characters."));
        }

        if (description is { Length: > MaxDescriptionLength })
        {
            return (null, new SaveProblem("description", $"description may have at most {MaxDescriptionLength} characters."));
        }

        if (workflow is not null && graph is not null)
        {
            return (null, new SaveProblem("workflow", "Send workflow or graph, not both."));
        }

        var document = WorkflowDocuments.Inline(workflow, graph);
        if (document is null && required)
        {
            return (null, new SaveProblem("workflow", "Send the workflow (InvokeAI editor JSON) or the graph."));
        }

        if (thumbnailImageId is { } thumb && !await db.Images.AnyAsync(i => i.Id == thumb && i.UserId == userId, ct))
        {
            return (null, new SaveProblem("thumbnailImageId", "thumbnailImageId is not one of your gallery images."));
        }

        if (document is null)
        {
            return (null, null);
        }

        var (read, error) = WorkflowReader.Read(document.Json, document.Format);
        error ??= WorkflowChecks.CheckShape(read!, environment.Catalog, environment.Limits);
        if (error is not null)
        {
            return (null, new SaveProblem(null, null, error));
        }

        var exposed = JsonSerializer.Serialize(WorkflowInputs.Describe(read!, environment.Catalog), Json);
        return ((document, exposed, read!.Nodes.Count), null);
    }

    public WorkflowDetail Detail(SharedWorkflow w) =>
        new(w.Id, w.Name, w.Description, true, w.NodeCount, Exposed(w.ExposedFields), w.ThumbnailKey is null ? null : urls.UrlFor(w.ThumbnailKey),
            w.CreatedAt, w.UpdatedAt, w.Format, JsonDocument.Parse(w.Document).RootElement.Clone());

    private static WorkflowDetail Detail(SavedWorkflow w, IReadOnlyDictionary<Guid, string> thumbs) =>
        new(w.Id, w.Name, w.Description, false, w.NodeCount, Exposed(w.ExposedFields),
            w.ThumbnailImageId is { } t ? thumbs.GetValueOrDefault(t) : null, w.CreatedAt, w.UpdatedAt, w.Format, JsonDocument.Parse(w.Document).RootElement.Clone());

    private static WorkflowSummary Summary(SavedWorkflow w, IReadOnlyDictionary<Guid, string> thumbs) => Summary(Detail(w, thumbs));

    private static WorkflowSummary Summary(WorkflowDetail d) =>
        new(d.Id, d.Name, d.Description, d.Shared, d.NodeCount, d.ExposedFields, d.ThumbnailUrl, d.CreatedAt, d.UpdatedAt);

    /// <summary>The 256 px thumbnail URLs of the owner's gallery images among <paramref name="ids"/> (a deleted image has none).</summary>
    private async Task<IReadOnlyDictionary<Guid, string>> ThumbnailsAsync(Guid userId, IEnumerable<Guid?> ids, CancellationToken ct)
    {
        var wanted = ids.OfType<Guid>().Distinct().ToList();
        if (wanted.Count == 0)
        {
            return new Dictionary<Guid, string>();
        }

        var keys = await db.Images.AsNoTracking().Where(i => i.UserId == userId && wanted.Contains(i.Id)).Select(i => new { i.Id, i.Thumb256Key }).ToListAsync(ct);
        return keys.ToDictionary(k => k.Id, k => urls.UrlFor(k.Thumb256Key));
    }

    private static IReadOnlyList<ExposedField> Exposed(string json) => JsonSerializer.Deserialize<List<ExposedField>>(json, Json) ?? [];

    private static string? Blank(string? text) => string.IsNullOrWhiteSpace(text) ? null : text.Trim();

    private DateTime Now()
    {
        var now = time.GetUtcNow().UtcDateTime;
        return now.AddTicks(-(now.Ticks % 10));
    }
}

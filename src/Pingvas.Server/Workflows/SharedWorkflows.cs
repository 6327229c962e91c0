using Microsoft.EntityFrameworkCore;

using Pingvas.Server.Accounts;
using Pingvas.Server.Admin;
using Pingvas.Server.Data;
using Pingvas.Server.Storage;

namespace Pingvas.Server.Workflows;

/// <summary>
/// Admin-managed shared workflows (catalog data): checked like a saved one, shown to the listed
/// plans, audit-logged. A thumbnail is copied from the admin's own gallery image to
/// <c>shared-workflows/&lt;id&gt;/thumb.webp</c>, so it outlives that image and names no user's object.
/// </summary>
public sealed class SharedWorkflows(PingvasDb db, WorkflowLibrary library, AuditLog audit, CurrentUser current, IObjectStore store, TimeProvider time)
{
    public async Task<IReadOnlyList<SharedWorkflowDto>> ListAsync(CancellationToken ct) =>
        [.. (await db.SharedWorkflows.AsNoTracking().OrderBy(w => w.Name).ToListAsync(ct)).Select(Dto)];

    public async Task<(SharedWorkflowDto? Dto, SaveProblem? Problem)> SaveAsync(Guid? id, SharedWorkflowRequest request, CancellationToken ct)
    {
        var row = id is { } existing ? await db.SharedWorkflows.SingleOrDefaultAsync(w => w.Id == existing, ct) : null;
        if (id is not null && row is null)
        {
            return (null, null);
        }

        var adminId = current.Id;
        var (doc, problem) = await library.CheckAsync(adminId, request.Name, request.Description, request.Workflow, request.Graph, request.ThumbnailImageId, required: row is null, ct);
        if (problem is not null)
        {
            return (null, problem);
        }

        var plans = request.Plans?.Select(p => p.Trim()).Where(p => p.Length > 0).Distinct().ToList();
        if (plans is not null)
        {
            var known = await db.Plans.AsNoTracking().Select(p => p.Id).ToListAsync(ct);
            if (plans.FirstOrDefault(p => !known.Contains(p)) is { } unknown)
            {
                return (null, new SaveProblem("plans", $"'{unknown}' is not a plan."));
            }
        }
        else if (row is null)
        {
            return (null, new SaveProblem("plans", "plans lists the plans that see the workflow."));
        }

        var now = time.GetUtcNow().UtcDateTime;
        now = now.AddTicks(-(now.Ticks % 10));
        var before = row is null ? null : AuditView(row);
        if (row is null)
        {
            row = new SharedWorkflow
            {
                Id = Ids.New(),
                Name = "",
                Format = "",
                Document = "",
                ExposedFields = "[]",
                PlanIds = "",
                CreatedBy = adminId,
                CreatedAt = now,
            };
            db.SharedWorkflows.Add(row);
        }

        row.Name = request.Name?.Trim() ?? row.Name;
        row.Description = request.Description is null ? row.Description : (string.IsNullOrWhiteSpace(request.Description) ? null : request.Description.Trim());
        row.PlanIds = plans is null ? row.PlanIds : string.Join(',', plans);
        if (doc is { } d)
        {
            (row.Format, row.Document, row.ExposedFields, row.NodeCount) = (d.Document.Format, d.Document.Json, d.Exposed, d.NodeCount);
        }

        if (request.ThumbnailImageId is { } thumb)
        {
            var image = await db.Images.AsNoTracking().SingleAsync(i => i.Id == thumb && i.UserId == adminId, ct);
            var source = await store.GetAsync(image.Thumb256Key, ct);
            if (source is not null)
            {
                await using var content = source.Content;
                using var buffer = new MemoryStream();
                await content.CopyToAsync(buffer, ct);
                var key = $"shared-workflows/{row.Id:N}/thumb.webp";
                await store.PutAsync(key, buffer.ToArray(), source.ContentType, ct);
                row.ThumbnailKey = key;
            }
        }

        row.UpdatedAt = now;
        var after = AuditView(row);
        await audit.AddAsync(before is null ? "shared_workflow.create" : "shared_workflow.update", "shared_workflow", row.Id.ToString(), before, after, ct);
        await db.SaveChangesAsync(ct);
        return (Dto(row), null);
    }

    public async Task<bool> DeleteAsync(Guid id, CancellationToken ct)
    {
        var row = await db.SharedWorkflows.SingleOrDefaultAsync(w => w.Id == id, ct);
        if (row is null)
        {
            return false;
        }

        db.SharedWorkflows.Remove(row);
        await audit.AddAsync("shared_workflow.delete", "shared_workflow", id.ToString(), AuditView(row), null, ct);
        await db.SaveChangesAsync(ct);
        if (row.ThumbnailKey is { } key)
        {
            await store.DeleteAsync(key, ct);
        }

        return true;
    }

    /// <summary>What the audit log keeps of a shared workflow: what an admin decides, not its document (large) or storage key.</summary>
    private static object AuditView(SharedWorkflow w) => new { w.Name, w.Description, Plans = w.PlanIds, w.NodeCount };

    private SharedWorkflowDto Dto(SharedWorkflow w) =>
        new(library.Detail(w), w.PlanIds.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries));
}

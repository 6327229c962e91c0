using System.Text.Json;

using Pingvas.Core.Workflows;

namespace Pingvas.Server.Workflows;

/// <summary>A workflow in the library: the caller's saved ones and the shared ones of the caller's plan.</summary>
public sealed record WorkflowSummary(
    Guid Id, string Name, string? Description, bool Shared, int NodeCount, IReadOnlyList<ExposedField> ExposedFields,
    string? ThumbnailUrl, DateTime CreatedAt, DateTime UpdatedAt);

/// <summary>A workflow with its document as uploaded.</summary>
public sealed record WorkflowDetail(
    Guid Id, string Name, string? Description, bool Shared, int NodeCount, IReadOnlyList<ExposedField> ExposedFields,
    string? ThumbnailUrl, DateTime CreatedAt, DateTime UpdatedAt, string Format, JsonElement Document);

public sealed record WorkflowList(IReadOnlyList<WorkflowSummary> Items);

/// <summary><c>POST /workflows</c> and <c>PUT /workflows/{id}</c> (on PUT every field is optional).</summary>
public sealed record SaveWorkflowRequest(string? Name, string? Description, JsonElement? Workflow, JsonElement? Graph, Guid? ThumbnailImageId);

/// <summary>The admin's shared workflow: as a saved one, plus the plans that see it.</summary>
public sealed record SharedWorkflowRequest(string? Name, string? Description, JsonElement? Workflow, JsonElement? Graph, IReadOnlyList<string>? Plans, Guid? ThumbnailImageId);

/// <summary>An admin's view of a shared workflow.</summary>
public sealed record SharedWorkflowDto(WorkflowDetail Workflow, IReadOnlyList<string> Plans);

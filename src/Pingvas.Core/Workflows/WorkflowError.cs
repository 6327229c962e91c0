namespace Pingvas.Core.Workflows;

/// <summary>Why a workflow is refused; each maps to one problem code of the API.</summary>
public enum WorkflowErrorKind
{
    /// <summary><c>invalid_workflow</c>: unreadable, unknown edge ends, a cycle, no image output.</summary>
    Invalid,

    /// <summary><c>workflow_node_forbidden</c>: a node type not on the allow-list.</summary>
    NodeForbidden,

    /// <summary><c>workflow_too_large</c>: nodes, edges, steps, outputs or a size beyond the limits.</summary>
    TooLarge,

    /// <summary><c>invalid_workflow_input</c>: an input that is no exposed field, a wrong-typed value, an image nobody set.</summary>
    InvalidInput,

    /// <summary><c>unknown_workflow_model</c>: a model field matching nothing we can run.</summary>
    UnknownModel,
}

/// <summary>A refusal with its detail; <see cref="NodeType"/>/<see cref="NodeId"/> name the node when there is one.</summary>
public sealed record WorkflowError(WorkflowErrorKind Kind, string Detail, string? NodeType = null, string? NodeId = null)
{
    public string Code => Kind switch
    {
        WorkflowErrorKind.Invalid => "invalid_workflow",
        WorkflowErrorKind.NodeForbidden => "workflow_node_forbidden",
        WorkflowErrorKind.TooLarge => "workflow_too_large",
        WorkflowErrorKind.InvalidInput => "invalid_workflow_input",
        _ => "unknown_workflow_model",
    };
}

/// <summary>Thrown inside the reader only, turned into a <see cref="WorkflowError"/> at its boundary.</summary>
internal sealed class WorkflowReadException(string message) : Exception(message);

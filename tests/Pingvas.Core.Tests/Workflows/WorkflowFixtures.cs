using System.Text.Json;

using Pingvas.Core.Workflows;

namespace Pingvas.Core.Tests.Workflows;

/// <summary>The shared fixtures of tests/Shared/Workflows, found from the test binary upwards.</summary>
internal static class WorkflowFixtures
{
    public static string Text(string name)
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            var path = Path.Combine(dir.FullName, "tests", "Shared", "Workflows", name);
            if (File.Exists(path))
            {
                return File.ReadAllText(path);
            }
        }

        throw new FileNotFoundException(name);
    }

    public static WorkflowGraph Read(string name)
    {
        var (graph, error) = WorkflowReader.Read(Text(name), name.EndsWith(".graph.json", StringComparison.Ordinal) ? WorkflowReader.GraphFormat : WorkflowReader.EditorFormat);
        Assert.Null(error);
        return graph!;
    }

    public static Dictionary<string, JsonElement> Inputs(object inputs) =>
        JsonSerializer.Deserialize<Dictionary<string, JsonElement>>(JsonSerializer.Serialize(inputs))!;

    public static CheckedWorkflow Check(WorkflowGraph graph, object? inputs = null, int maxSide = 1024, int maxBatch = 4)
    {
        var (checkedWorkflow, error) = WorkflowChecks.Check(graph, WorkflowNodeCatalog.Default, new WorkflowLimits(), inputs is null ? null : Inputs(inputs), maxSide, maxBatch);
        Assert.Null(error);
        return checkedWorkflow!;
    }
}

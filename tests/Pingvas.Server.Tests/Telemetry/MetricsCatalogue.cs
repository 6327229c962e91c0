namespace Pingvas.Server.Tests.Telemetry;

/// <summary>One entry of deploy/monitoring/metrics.yaml.</summary>
public sealed record CatalogueMetric(string Name, string Type, IReadOnlyList<string> Labels, IReadOnlyList<string> Roles, bool Required, IReadOnlyList<double> Buckets);

/// <summary>
/// Reads deploy/monitoring/metrics.yaml, the metric contract. The file keeps to one shape (a list
/// of flat maps whose lists are in flow style), so a few lines read it without a YAML package;
/// anything else in it fails the read instead of being skipped.
/// </summary>
public static class MetricsCatalogue
{
    public static IReadOnlyList<CatalogueMetric> Load() => Parse(File.ReadAllLines(Path.Combine(RepositoryRoot(), "deploy", "monitoring", "metrics.yaml")));

    public static IReadOnlyList<CatalogueMetric> Parse(IEnumerable<string> lines)
    {
        var entries = new List<Dictionary<string, string>>();
        var inList = false;
        foreach (var raw in lines)
        {
            var line = raw.Split(" #")[0].TrimEnd();
            if (line.TrimStart().StartsWith('#') || line.Trim().Length == 0)
            {
                continue;
            }

            if (line == "metrics:")
            {
                inList = true;
                continue;
            }

            Assert.True(inList, $"metrics.yaml: unexpected line before 'metrics:': {raw}");
            var text = line.TrimStart();
            if (text.StartsWith("- ", StringComparison.Ordinal))
            {
                entries.Add([]);
                text = text[2..];
            }

            var colon = text.IndexOf(':', StringComparison.Ordinal);
            Assert.True(colon > 0 && entries.Count > 0, $"metrics.yaml: cannot read: {raw}");
            entries[^1][text[..colon].Trim()] = text[(colon + 1)..].Trim();
        }

        return entries.Select(e => new CatalogueMetric(
            e["name"],
            e["type"],
            List(e.GetValueOrDefault("labels", "[]")),
            List(e["roles"]),
            e["required"] == "true",
            List(e.GetValueOrDefault("buckets", "[]")).Select(b => double.Parse(b, System.Globalization.CultureInfo.InvariantCulture)).ToList())).ToList();
    }

    private static List<string> List(string flow)
    {
        Assert.True(flow.StartsWith('[') && flow.EndsWith(']'), $"metrics.yaml: expected a [flow] list, got {flow}");
        return flow[1..^1].Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).ToList();
    }

    public static string RepositoryRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "Pingvas.slnx")))
            {
                return dir.FullName;
            }
        }

        throw new InvalidOperationException("Run the tests from a checkout: Pingvas.slnx not found above the test binaries.");
    }
}

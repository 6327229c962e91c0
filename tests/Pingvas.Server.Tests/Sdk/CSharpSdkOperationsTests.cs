using System.Reflection;
using System.Text.Json;
using System.Text.RegularExpressions;

using Pingvas.Sdk;
using Pingvas.Server.Tests.Infrastructure;

namespace Pingvas.Server.Tests.Sdk;

/// <summary>The SDK's one operations table against the server's OpenAPI document, and in the shape the three SDKs share.</summary>
public sealed partial class CSharpSdkOperationsTests(DefaultServer fixture) : IClassFixture<DefaultServer>
{
    private const string TableFile = "sdk/csharp/Pingvas.Sdk/Operations.cs";

    [GeneratedRegex("""^    public static readonly Operation (\w+) = new\("(\w+)", "(GET|POST|PUT|PATCH|DELETE)", "([^"]+)"\);$""", RegexOptions.Multiline)]
    private static partial Regex TableLine();

    [Fact]
    public async Task Every_operation_is_a_route_of_the_OpenAPI_document()
    {
        using var http = fixture.Server.CreateClient();
        var paths = JsonDocument.Parse(await http.GetStringAsync("/openapi/v1.json")).RootElement.GetProperty("paths");
        foreach (var operation in Operations.All)
        {
            Assert.True(paths.TryGetProperty(operation.Path, out var item), $"{operation.Id}: {operation.Path} is not in the document");
            Assert.True(item.TryGetProperty(operation.Method.ToLowerInvariant(), out var documented), $"{operation.Id}: {operation.Method} {operation.Path} is not in the document");

            // The document names its operations (issue 13 item 6); where it does, the names agree.
            if (documented.TryGetProperty("operationId", out var id))
            {
                Assert.Equal(operation.Id, id.GetString());
            }
        }
    }

    [Fact]
    public void The_table_file_has_one_line_per_operation_in_the_shared_shape()
    {
        var source = File.ReadAllText(Locate(TableFile));
        var lines = TableLine().Matches(source)
            .Select(m => (Field: m.Groups[1].Value, Operation: new Operation(m.Groups[2].Value, m.Groups[3].Value, m.Groups[4].Value)))
            .ToList();

        Assert.Equal(Operations.All, lines.Select(l => l.Operation));
        Assert.All(lines, l => Assert.Equal(l.Field, char.ToUpperInvariant(l.Operation.Id[0]) + l.Operation.Id[1..]));

        // Every field of the class is in All, so nothing the clients call escapes the comparison.
        var fields = typeof(Operations).GetFields(BindingFlags.Public | BindingFlags.Static).Select(f => (Operation)f.GetValue(null)!);
        Assert.Equal(fields.OrderBy(o => o.Id), Operations.All.OrderBy(o => o.Id));
        Assert.Equal(17, Operations.All.Select(o => o.Id).Distinct().Count());
    }

    private static string Locate(string relative)
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            var candidate = Path.Combine(dir.FullName, relative);
            if (File.Exists(candidate))
            {
                return candidate;
            }
        }

        throw new FileNotFoundException($"{relative} not found above {AppContext.BaseDirectory}.");
    }
}

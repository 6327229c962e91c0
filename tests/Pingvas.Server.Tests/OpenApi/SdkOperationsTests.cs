using System.Text.RegularExpressions;

using Pingvas.Server.Tests.Infrastructure;

namespace Pingvas.Server.Tests.OpenApi;

/// <summary>
/// The three SDKs' operations tables (common brief of issue 13) against the OpenAPI document: every
/// listed operation exists with the same method and path. The tables arrive with the SDK branches
/// (sdk/python, sdk/typescript, sdk/csharp); until then this test fails with "operations table missing".
/// </summary>
public sealed partial class SdkOperationsTests(DefaultServer fixture) : IClassFixture<DefaultServer>
{
    private static readonly (string Language, string File)[] Tables =
    [
        ("python", "sdk/python/pingvas/_operations.py"),
        ("typescript", "sdk/typescript/src/operations.ts"),
        ("csharp", "sdk/csharp/Pingvas.Sdk/Operations.cs"),
    ];

    // One regex for the three line shapes: "createGeneration": ("POST", "/api/v1/generations"),
    // createGeneration: ["POST", "/api/v1/generations"],  and  new("createGeneration", "POST", "/api/v1/generations");
    [GeneratedRegex(@"[""(\s]""?(?<id>[a-z][A-Za-z0-9]*)""?\s*[:,]\s*[\[(]?\s*""(?<method>GET|POST|PUT|PATCH|DELETE)"",\s*""(?<path>/api/[^""]*)")]
    private static partial Regex Entry();

    public static IReadOnlyList<(string Id, string Method, string Path)> Parse(string text) =>
        [.. Entry().Matches(text).Select(m => (m.Groups["id"].Value, m.Groups["method"].Value, m.Groups["path"].Value))];

    [Theory]
    [InlineData("python")]
    [InlineData("typescript")]
    [InlineData("csharp")]
    public async Task Sdk_operations_match_the_document(string language)
    {
        var file = Tables.Single(t => t.Language == language).File;
        var path = Path.Combine(RepositoryRoot(), file);
        Assert.True(File.Exists(path), $"sdk/{language} operations table missing: {file}");
        var entries = Parse(await File.ReadAllTextAsync(path));
        Assert.NotEmpty(entries);

        using var client = fixture.Server.CreateClient();
        var document = new OpenApiValidator(await client.GetStringAsync("/openapi/v1.json"));
        var problems = new List<string>();
        foreach (var (id, method, template) in entries)
        {
            var operation = document.Operations.FirstOrDefault(o => o.OperationId == id);
            if (operation is null)
            {
                problems.Add($"{id}: not in the OpenAPI document");
            }
            else if (operation.Method != method || operation.Template != template)
            {
                problems.Add($"{id}: the SDK says {method} {template}, the document {operation.Method} {operation.Template}");
            }
        }

        Assert.True(problems.Count == 0, $"{file}:\n{string.Join("\n", problems)}");
    }

    [Fact]
    public void The_entry_pattern_reads_all_three_line_shapes()
    {
        var python = Parse("""    "createGeneration": ("POST", "/api/v1/generations"),""");
        var typescript = Parse("""  createGeneration: ["POST", "/api/v1/generations"],""");
        var csharp = Parse("""    public static readonly Operation CreateGeneration = new("createGeneration", "POST", "/api/v1/generations");""");
        Assert.All(new[] { python, typescript, csharp }, e => Assert.Equal(("createGeneration", "POST", "/api/v1/generations"), Assert.Single(e)));
    }

    private static string RepositoryRoot()
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

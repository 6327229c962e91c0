using System.Net.Http.Json;
using System.Text.Json;
using System.Text.RegularExpressions;

using Pingvas.Server.Tests.Developer;
using Pingvas.Server.Tests.Infrastructure;
using Pingvas.Server.Tests.OpenApi;

using Xunit.Abstractions;

namespace Pingvas.Server.Tests.Sdk;

/// <summary>
/// A server the SDK's end-to-end suite can drive: a 200 ms pause per step (a job stays cancellable),
/// webhooks allowed to reach the suite's loopback receiver, and a quick outbox.
/// </summary>
public sealed class TypeScriptSdkServer() : ServerFixture(new TestSettings { StepDelayMs = 200 }
    .With("Webhooks:AllowPrivateTargets", "true")
    .With("Outbox:PollMilliseconds", "100"));

/// <summary>
/// The TypeScript SDK (<c>sdk/typescript</c>): its whole <c>npm test</c> (build, unit tests, and the
/// end-to-end tests, which run only when PINGVAS_BASE_URL is set) against this real server, and its
/// operations table against the server's OpenAPI document.
/// </summary>
public sealed partial class TypeScriptSdkTests(TypeScriptSdkServer fixture, ITestOutputHelper log) : IClassFixture<TypeScriptSdkServer>
{
    private const string SdkFolder = "sdk/typescript";

    private PingvasServer Server => fixture.Server;

    [Fact]
    public async Task The_sdk_suite_passes_against_the_real_server()
    {
        var folder = SdkProcess.Locate(SdkFolder, "package.json");
        Assert.True(Directory.Exists(Path.Combine(folder, "node_modules", "typescript")),
            $"The SDK's dev packages are not installed: run `npm ci` in {folder} (scripts/test.sh does this).");

        var (user, key, _) = await ApiKeyKit.StarterWithKeyAsync(Server);
        var readOnly = await ApiKeyKit.CreateAsync(user, ["read"], "read only");

        // Every request and answer passes through a proxy that checks them against /openapi/v1.json.
        await using var proxy = await OpenApiCheckingProxy.StartAsync(Server.BaseAddress);
        var environment = new Dictionary<string, string>
        {
            ["PINGVAS_BASE_URL"] = proxy.BaseAddress.ToString().TrimEnd('/'),
            ["PINGVAS_API_KEY"] = key,
            ["PINGVAS_READ_KEY"] = readOnly.GetProperty("key").GetString()!,
            ["PINGVAS_MODEL"] = "sd-1.5",
            ["NO_COLOR"] = "1",
            ["npm_config_update_notifier"] = "false",
        };

        var result = await SdkProcess.RunAsync("npm", ["test"], folder, environment, TimeSpan.FromMinutes(5));
        log.WriteLine(result.Output);

        Assert.False(result.TimedOut, $"npm test did not finish in 5 minutes:\n{result.Output}");
        Assert.True(result.ExitCode == 0, $"npm test failed ({result.ExitCode}):\n{result.Output}");
        // The end-to-end suite must have run and passed, not been skipped for a missing variable
        // (a skipped suite counts no tests, so "skipped 0" alone would not tell).
        Assert.Matches(SummaryLine("fail", "0"), result.Output);
        Assert.DoesNotContain("PINGVAS_BASE_URL is not set", result.Output);
        Assert.Contains("✔ end to end against a Pingvas server", result.Output);
        Assert.Contains("✔ registers an endpoint, receives generation.succeeded and verifies it", result.Output);
        Assert.Empty(proxy.Violations);
        Assert.Contains("createGeneration", proxy.OperationIds.Keys);
        Assert.Contains("streamGenerationEvents", proxy.OperationIds.Keys);
    }

    [Fact]
    public async Task The_operations_table_matches_the_OpenAPI_document()
    {
        var source = await File.ReadAllTextAsync(Path.Combine(SdkProcess.Locate(SdkFolder, "package.json"), "src", "operations.ts"));
        var entries = OperationLine().Matches(source).Select(m => (Id: m.Groups[1].Value, Method: m.Groups[2].Value, Path: m.Groups[3].Value)).ToList();
        Assert.Equal(17, entries.Count);

        using var anonymous = Server.CreateClient();
        var document = await anonymous.GetFromJsonAsync<JsonElement>("/openapi/v1.json");
        var paths = document.GetProperty("paths");
        foreach (var (id, method, path) in entries)
        {
            Assert.True(paths.TryGetProperty(path, out var item), $"{id}: {path} is not in the OpenAPI document");
            Assert.True(item.TryGetProperty(method.ToLowerInvariant(), out var operation), $"{id}: {method} {path} is not in the OpenAPI document");

            // Routes get their operationIds from the OpenAPI work of this issue; where one is set, it must be the SDK's.
            if (operation.TryGetProperty("operationId", out var operationId))
            {
                Assert.Equal(id, operationId.GetString());
            }
        }
    }

    private static Regex SummaryLine(string name, string count) => new($@"(?m)^\S*\s*{name} {count}\s*$");

    [GeneratedRegex("""^  (\w+): \["(GET|POST|DELETE|PATCH|PUT)", "(/api/v1/[^"]*)"\],$""", RegexOptions.Multiline)]
    private static partial Regex OperationLine();
}

using Pingvas.Server.Tests.Developer;
using Pingvas.Server.Tests.Infrastructure;
using Pingvas.Server.Tests.OpenApi;

namespace Pingvas.Server.Tests.Sdk;

/// <summary>
/// A server for the SDK's end-to-end run: steps paced at 200 ms so a job can be cancelled while it
/// runs, webhooks allowed to reach the SDK test's loopback receiver, and a quick outbox.
/// </summary>
public sealed class SdkServerFixture() : ServerFixture(new TestSettings { StepDelayMs = 200 }
    .With("Webhooks:AllowPrivateTargets", "true")
    .With("Outbox:PollMilliseconds", "100"));

/// <summary>
/// The Python SDK's own test suite (sdk/python/tests, unittest), run by python3 against this real
/// server: its unit tests, and its end-to-end tests (submit, wait with progress over SSE, download,
/// list, cancel, a read-only key's typed 403, a signed webhook verified by the SDK's verifier).
/// </summary>
public sealed class PythonSdkTests(SdkServerFixture fixture) : IClassFixture<SdkServerFixture>
{
    private static readonly TimeSpan Limit = TimeSpan.FromMinutes(5);

    [Fact]
    public async Task The_python_sdk_suite_passes_against_the_server()
    {
        var server = fixture.Server;
        var (user, key, _) = await ApiKeyKit.StarterWithKeyAsync(server);
        var readOnly = await ApiKeyKit.CreateAsync(user, ["read"], name: "reader");

        // Every request and answer passes through a proxy that checks them against /openapi/v1.json.
        await using var proxy = await OpenApiCheckingProxy.StartAsync(server.BaseAddress);

        var run = await SdkProcess.RunAsync(
            "python3", ["-m", "unittest", "discover", "-s", "tests", "-v"], SdkProcess.Locate("sdk/python", "pyproject.toml"),
            new Dictionary<string, string>
            {
                ["PINGVAS_BASE_URL"] = proxy.BaseAddress.ToString().TrimEnd('/'),
                ["PINGVAS_API_KEY"] = key,
                ["PINGVAS_READ_KEY"] = readOnly.GetProperty("key").GetString()!,
                ["PINGVAS_MODEL"] = "sd-1.5",
                ["PYTHONDONTWRITEBYTECODE"] = "1",
                ["PYTHONUNBUFFERED"] = "1",
            },
            Limit);

        Assert.False(run.TimedOut, $"The Python SDK suite did not finish within {Limit.TotalMinutes} minutes:\n{run.Output}");
        Assert.True(run.ExitCode == 0, $"The Python SDK suite failed ({run.ExitCode}):\n{run.Output}");
        // The end-to-end tests skip themselves without a server: here they must have run.
        Assert.DoesNotContain("skipped=", run.Output, StringComparison.Ordinal);
        Assert.Contains("test_a_signed_webhook_arrives_and_verifies (test_e2e.EndToEndTests", run.Output, StringComparison.Ordinal);
        Assert.Empty(proxy.Violations);
        Assert.Contains("createGeneration", proxy.OperationIds.Keys);
        Assert.Contains("streamGenerationEvents", proxy.OperationIds.Keys);
    }
}

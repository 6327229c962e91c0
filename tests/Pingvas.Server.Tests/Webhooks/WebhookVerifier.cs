using System.Diagnostics;
using System.Text.Json;

namespace Pingvas.Server.Tests.Webhooks;

/// <summary>
/// Checks a received webhook with the <c>standardwebhooks</c> npm package under Node
/// (<c>webhook-verifier/verify.js</c>): an implementation of the spec that is not ours.
/// </summary>
public static class WebhookVerifier
{
    private const string Folder = "tests/Pingvas.Server.Tests/webhook-verifier";

    /// <summary>True when the message verifies with <paramref name="secret"/> at <paramref name="now"/> (the server's clock).</summary>
    public static async Task<bool> VerifiesAsync(ReceivedWebhook message, string secret, DateTimeOffset now)
    {
        var start = new ProcessStartInfo("node", "verify.js")
        {
            WorkingDirectory = Locate(),
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        using var node = Process.Start(start)!;
        await node.StandardInput.WriteAsync(JsonSerializer.Serialize(new { secret, body = message.Body, headers = message.Headers, now = now.ToUnixTimeSeconds() }));
        node.StandardInput.Close();
        var output = await node.StandardOutput.ReadToEndAsync();
        var error = await node.StandardError.ReadToEndAsync();
        await node.WaitForExitAsync();
        if (output == "ok" && node.ExitCode == 0)
        {
            return true;
        }

        if (!output.StartsWith("invalid:", StringComparison.Ordinal))
        {
            throw new InvalidOperationException($"webhook-verifier failed ({node.ExitCode}): {output} {error}");
        }

        return false;
    }

    private static string Locate()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            var candidate = Path.Combine(dir.FullName, Folder);
            if (File.Exists(Path.Combine(candidate, "package.json")))
            {
                if (!Directory.Exists(Path.Combine(candidate, "node_modules", "standardwebhooks")))
                {
                    throw new InvalidOperationException($"The webhook verifier's packages are not installed: run `npm ci` in {candidate} (scripts/test.sh does this).");
                }

                return candidate;
            }
        }

        throw new InvalidOperationException($"Could not find {Folder}/package.json above {AppContext.BaseDirectory}.");
    }
}

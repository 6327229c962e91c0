using System.Diagnostics;
using System.Text.Json;

namespace Pingvas.Server.Tests.Billing;

/// <summary>
/// Stripe-Signature headers made by Stripe's own code: the <c>stripe</c> npm package's
/// <c>webhooks.generateTestHeaderString</c> under Node (<c>stripe-signer/sign.js</c>).
/// </summary>
public static class StripeSigner
{
    private const string Folder = "tests/Pingvas.Server.Tests/stripe-signer";

    public static async Task<string> HeaderAsync(string payload, string secret, DateTimeOffset at)
    {
        var start = new ProcessStartInfo("node", "sign.js")
        {
            WorkingDirectory = Locate(),
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        using var node = Process.Start(start)!;
        await node.StandardInput.WriteAsync(JsonSerializer.Serialize(new { payload, secret, timestamp = at.ToUnixTimeSeconds() }));
        node.StandardInput.Close();
        var header = await node.StandardOutput.ReadToEndAsync();
        var error = await node.StandardError.ReadToEndAsync();
        await node.WaitForExitAsync();
        if (node.ExitCode != 0 || !header.StartsWith("t=", StringComparison.Ordinal))
        {
            throw new InvalidOperationException($"stripe-signer failed ({node.ExitCode}): {error}");
        }

        return header;
    }

    private static string Locate()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            var candidate = Path.Combine(dir.FullName, Folder);
            if (File.Exists(Path.Combine(candidate, "package.json")))
            {
                if (!Directory.Exists(Path.Combine(candidate, "node_modules", "stripe")))
                {
                    throw new InvalidOperationException($"The Stripe signer's packages are not installed: run `npm ci` in {candidate} (scripts/test.sh does this).");
                }

                return candidate;
            }
        }

        throw new InvalidOperationException($"Could not find {Folder}/package.json above {AppContext.BaseDirectory}.");
    }
}

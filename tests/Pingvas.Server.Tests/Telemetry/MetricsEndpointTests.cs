using System.Diagnostics;
using System.Net;
using System.Text.Json;
using System.Text.RegularExpressions;

using Pingvas.Server.Credits;
using Pingvas.Server.Telemetry;
using Pingvas.Server.Tests.Infrastructure;

namespace Pingvas.Server.Tests.Telemetry;

/// <summary>GET /metrics on a live server: valid for promtool, outside the API document, off by setting, and the ledger audit.</summary>
public sealed partial class MetricsEndpointTests
{
    [Fact]
    public async Task Metrics_of_a_server_that_ran_a_generation_pass_promtool_and_stay_out_of_the_api_document()
    {
        await using var server = await PingvasServer.StartAsync();
        var user = await server.RegisterAsync();
        var job = await user.SubmitAsync(TestUser.Request(seed: 1404));
        Assert.Equal("succeeded", (await user.WaitForAsync(job.Id)).Status);

        using var client = server.CreateClient();
        using var response = await client.GetAsync("/metrics");
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("text/plain; version=0.0.4; charset=utf-8", response.Content.Headers.ContentType?.ToString());
        var text = await response.Content.ReadAsStringAsync();
        Assert.Contains("pingvas_jobs_finished_total{model=\"sd-1.5\",outcome=\"succeeded\",plan=\"free\"} 1\n", text);
        Assert.Contains("pingvas_queue_wait_seconds_bucket{plan=\"free\",le=\"3600\"} 1\n", text);
        Assert.Contains("pingvas_webhook_deliveries_total{outcome=\"delivered\"} 0\n", text);
        Assert.Contains("pingvas_emails_total{outcome=\"sent\",template=\"welcome\"}", text);
        // No user or job id ever becomes a label.
        Assert.DoesNotContain(user.Id.ToString(), text);
        Assert.DoesNotContain(job.Id.ToString(), text);

        var (exit, output) = await PromtoolCheckAsync(text);
        Assert.True(exit == 0, $"promtool check metrics exited {exit}:\n{output}");
        AssertMatchesCatalogue(text);

        var paths = JsonDocument.Parse(await client.GetStringAsync("/openapi/v1.json")).RootElement.GetProperty("paths");
        Assert.False(paths.TryGetProperty("/metrics", out _));

        // Through an ingress or any proxy (it adds its forwarding header) the endpoint is not there.
        foreach (var (header, value) in new[] { ("X-Forwarded-For", "203.0.113.7"), ("Forwarded", "for=203.0.113.7") })
        {
            using var proxied = new HttpRequestMessage(HttpMethod.Get, "/metrics");
            proxied.Headers.Add(header, value);
            using var refused = await client.SendAsync(proxied);
            Assert.Equal(HttpStatusCode.NotFound, refused.StatusCode);
            Assert.DoesNotContain("pingvas_", await refused.Content.ReadAsStringAsync());
        }
    }

    [Fact]
    public async Task Metrics_can_be_switched_off()
    {
        await using var server = await PingvasServer.StartAsync(new TestSettings().With("Metrics:Enabled", "false"));
        using var client = server.CreateClient();
        using var response = await client.GetAsync("/metrics");
        // Whatever answers instead (the web app's fallback, or 404), it is not the exporter.
        Assert.NotEqual("text/plain; version=0.0.4; charset=utf-8", response.Content.Headers.ContentType?.ToString());
        Assert.DoesNotContain("# TYPE", await response.Content.ReadAsStringAsync());
    }

    [Fact]
    public async Task The_ledger_audit_finds_a_double_charge_a_mismatched_balance_and_a_negative_one_on_its_next_round()
    {
        await using var server = await PingvasServer.StartAsync();
        var user = await server.RegisterAsync();
        var victim = await server.RegisterAsync();
        var job = await user.SubmitAsync(TestUser.Request(seed: 1405));
        Assert.Equal("succeeded", (await user.WaitForAsync(job.Id)).Status);
        using var client = server.CreateClient();
        Assert.Contains("pingvas_ledger_anomalies{kind=\"double_charge\"} 0\n", await client.GetStringAsync("/metrics"));

        // What a bug would leave: the job charged a second time, and credits taken without touching the lots.
        await server.QueryAsync(async db =>
        {
            db.Ledger.Add(Entry(user.Id, LedgerKind.Charge, -1, job.Id, $"charge-again:{job.Id}"));
            db.Ledger.Add(Entry(victim.Id, LedgerKind.Adjust, -1000, null, $"bad-adjust:{victim.Id}"));
            return await db.SaveChangesAsync();
        });

        // The audit runs every five minutes, not on every scrape.
        Assert.Contains("pingvas_ledger_anomalies{kind=\"double_charge\"} 0\n", await client.GetStringAsync("/metrics"));
        await server.JumpClockAsync(LedgerAuditGauges.Interval);
        var text = await client.GetStringAsync("/metrics");
        Assert.Contains("pingvas_ledger_anomalies{kind=\"double_charge\"} 1\n", text);
        Assert.Contains("pingvas_ledger_anomalies{kind=\"balance_mismatch\"} 2\n", text);
        Assert.Contains("pingvas_ledger_anomalies{kind=\"negative_balance\"} 1\n", text);
    }

    /// <summary>Every exported family is in metrics.yaml with its type; ours carry exactly its labels and histograms its buckets.</summary>
    private static void AssertMatchesCatalogue(string text)
    {
        var catalogue = MetricsCatalogue.Load().ToDictionary(m => m.Name);
        var lines = text.Split('\n');
        foreach (var type in lines.Where(l => l.StartsWith("# TYPE ", StringComparison.Ordinal)).Select(l => l.Split(' ')))
        {
            var (name, kind) = (type[2], type[3]);
            Assert.True(catalogue.TryGetValue(name, out var entry), $"{name} is exported but not in deploy/monitoring/metrics.yaml");
            Assert.Equal(entry.Type, kind);
            var samples = lines.Where(l => l.StartsWith(kind == "histogram" ? name + "_count" : name, StringComparison.Ordinal)).ToList();
            if (name.StartsWith("pingvas_", StringComparison.Ordinal))
            {
                Assert.All(samples, sample => Assert.Equal(
                    entry.Labels.Order(StringComparer.Ordinal),
                    LabelName().Matches(sample).Select(m => m.Groups[1].Value).Order(StringComparer.Ordinal)));
            }

            if (kind == "histogram" && entry.Buckets.Count > 0)
            {
                var first = lines.First(l => l.StartsWith(name + "_bucket{", StringComparison.Ordinal));
                var series = first[..first.IndexOf(",le=", StringComparison.Ordinal)];
                var bounds = lines.Where(l => l.StartsWith(series + ",le=", StringComparison.Ordinal) || (l.StartsWith(series + "le=", StringComparison.Ordinal)))
                    .Select(l => Regex.Match(l, "le=\"([^\"]+)\"").Groups[1].Value).Where(le => le != "+Inf")
                    .Select(le => double.Parse(le, System.Globalization.CultureInfo.InvariantCulture));
                Assert.Equal(entry.Buckets, bounds);
            }
        }
    }

    [GeneratedRegex("([a-zA-Z_][a-zA-Z0-9_]*)=\"")]
    private static partial Regex LabelName();

    private static LedgerEntry Entry(Guid userId, LedgerKind kind, int amount, Guid? jobId, string key) => new()
    {
        Id = Guid.NewGuid(),
        UserId = userId,
        Kind = kind,
        Amount = amount,
        BalanceAfter = 0,
        Reason = "test: a broken invariant",
        JobId = jobId,
        IdempotencyKey = key,
        CreatedAt = DateTime.UtcNow,
    };

    /// <summary>Runs <c>promtool check metrics</c> (Debian's prometheus package) on the text.</summary>
    internal static async Task<(int Exit, string Output)> PromtoolCheckAsync(string text)
    {
        var start = new ProcessStartInfo(Environment.GetEnvironmentVariable("PINGVAS_PROMTOOL") ?? "promtool")
        {
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        start.ArgumentList.Add("check");
        start.ArgumentList.Add("metrics");
        using var process = Process.Start(start)!;
        var output = process.StandardOutput.ReadToEndAsync();
        var error = process.StandardError.ReadToEndAsync();
        await process.StandardInput.WriteAsync(text);
        process.StandardInput.Close();
        await process.WaitForExitAsync();
        return (process.ExitCode, await output + await error);
    }
}

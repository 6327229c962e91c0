using System.Collections.Concurrent;
using System.Text.Json;
using System.Text.Json.Nodes;

using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;

namespace Pingvas.Relay.Fakes;

/// <summary>
/// Replicate's predictions API: create on an official model with <c>Prefer: wait</c>, get, cancel, and
/// the output file download (served here too, as replicate.delivery would).
/// </summary>
public sealed partial class FakeProviderServer
{
    public const string ReplicateModel = "black-forest-labs/flux-1.1-pro";

    private readonly ConcurrentDictionary<string, ReplicateState> predictions = new();

    /// <summary>Predictions cancelled through <c>urls.cancel</c>.</summary>
    public IEnumerable<string> CancelledPredictions => predictions.Where(p => p.Value.Status == "canceled").Select(p => p.Key);

    private sealed class ReplicateState(string status, int pollsLeft, string? error)
    {
        public string Status { get; set; } = status;

        public int PollsLeft { get; set; } = pollsLeft;

        public string? Error { get; } = error;
    }

    private void MapReplicate(WebApplication app)
    {
        app.MapPost("/v1/models/{owner}/{name}/predictions", async (HttpContext context, string owner, string name) =>
        {
            var violations = new List<string>();
            if ($"{owner}/{name}" != ReplicateModel)
            {
                violations.Add($"replicate: unexpected model {owner}/{name}");
            }

            violations.AddRange(ReplicateAuth(context));
            var prefer = context.Request.Headers["Prefer"].ToString();
            if (prefer.Length > 0 && !(prefer == "wait" || (prefer.StartsWith("wait=", StringComparison.Ordinal) && int.TryParse(prefer[5..], out var wait) && wait is >= 1 and <= 60)))
            {
                violations.Add($"replicate: bad Prefer header '{prefer}'");
            }

            JsonNode? body = null;
            try
            {
                body = await JsonNode.ParseAsync(context.Request.Body);
            }
            catch (JsonException)
            {
                violations.Add("replicate: body is not JSON");
            }

            if (string.IsNullOrWhiteSpace(body?["input"]?["prompt"]?.GetValue<string>()))
            {
                violations.Add("replicate: input.prompt missing");
            }

            Record(context, violations);
            if (violations.Count > 0)
            {
                return Results.Json(new { title = "Invalid input", detail = string.Join("; ", violations), status = 422 }, statusCode: 422);
            }

            switch (Next())
            {
                case Scripted.Throttle:
                    context.Response.Headers.RetryAfter = "1";
                    return Results.Json(new { title = "Request was throttled", detail = "Request was throttled. Expected available in 1 second.", status = 429 }, statusCode: 429);
                case Scripted.ServerError:
                    return Results.Json(new { title = "Internal server error", status = 500 }, statusCode: 500);
                case Scripted.Unavailable:
                    return Results.Json(new { title = "Service unavailable", status = 503 }, statusCode: 503);
                case Scripted.PaymentRequired:
                    return Results.Json(new { title = "Insufficient credit", status = 402 }, statusCode: 402);
                case Scripted.Hang:
                    // Created, but it never finishes: the caller polls until it gives up.
                    return Prediction(Create("processing", int.MaxValue, null), 201);
                case Scripted.Refuse:
                    return Prediction(Create("failed", 0, "NSFW content detected. Try running it again, or try a different prompt."), 201);
                default:
                    var id = Create(ReplicatePolls == 0 ? "succeeded" : "starting", ReplicatePolls, null);
                    return Prediction(id, 201);
            }
        });

        app.MapGet("/v1/predictions/{id}", (HttpContext context, string id) =>
        {
            var violations = ReplicateAuth(context);
            Record(context, violations);
            if (!predictions.TryGetValue(id, out var state))
            {
                return Results.Json(new { title = "Not found", status = 404 }, statusCode: 404);
            }

            if (state.Status is "starting" or "processing")
            {
                state.PollsLeft--;
                state.Status = state.PollsLeft <= 0 ? "succeeded" : "processing";
            }

            return Prediction(id, 200);
        });

        app.MapPost("/v1/predictions/{id}/cancel", (HttpContext context, string id) =>
        {
            Record(context, ReplicateAuth(context));
            if (predictions.TryGetValue(id, out var state) && state.Status is "starting" or "processing")
            {
                state.Status = "canceled";
            }

            return Prediction(id, 200);
        });

        app.MapGet("/files/{id}.png", (HttpContext context, string id) =>
        {
            // replicate.delivery serves output files without our API key.
            var violations = context.Request.Headers.Authorization.Count > 0 ? new List<string> { "replicate: API key sent to the file host" } : [];
            Record(context, violations);
            return Results.Bytes(Png(), "image/png");
        });
    }

    private string Create(string status, int polls, string? error)
    {
        var id = Guid.NewGuid().ToString("N")[..20];
        predictions[id] = new ReplicateState(status, polls, error);
        return id;
    }

    private IResult Prediction(string id, int statusCode)
    {
        var state = predictions[id];
        object? output = state.Status == "succeeded" ? ReplicateOutputUrl ?? new Uri(BaseUrl, $"files/{id}.png").ToString() : null;
        return Results.Json(new
        {
            id,
            model = ReplicateModel,
            version = "hidden",
            status = state.Status,
            output,
            error = state.Error,
            urls = new
            {
                get = new Uri(BaseUrl, $"v1/predictions/{id}").ToString(),
                cancel = new Uri(BaseUrl, $"v1/predictions/{id}/cancel").ToString(),
            },
            metrics = state.Status == "succeeded" ? new { predict_time = 1.2 } : null,
        }, statusCode: statusCode);
    }

    private List<string> ReplicateAuth(HttpContext context) =>
        context.Request.Headers.Authorization == $"Bearer {ApiKey}" ? [] : ["replicate: Authorization Bearer missing or wrong"];
}

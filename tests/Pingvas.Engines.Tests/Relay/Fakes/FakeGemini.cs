using System.Text.Json;
using System.Text.Json.Nodes;

using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;

namespace Pingvas.Relay.Fakes;

/// <summary>Gemini's <c>POST /v1beta/models/{model}:generateContent</c> for image models.</summary>
public sealed partial class FakeProviderServer
{
    public const string GeminiModel = "gemini-2.5-flash-image";

    private static readonly string[] GeminiRatios = ["1:1", "2:3", "3:2", "3:4", "4:3", "4:5", "5:4", "9:16", "16:9", "21:9"];

    private void MapGemini(WebApplication app) =>
        app.MapPost("/v1beta/models/{call}", async (HttpContext context, string call) =>
        {
            var violations = new List<string>();
            if (call != GeminiModel + ":generateContent")
            {
                violations.Add($"gemini: unexpected model call '{call}'");
            }

            if (context.Request.Headers["x-goog-api-key"] != ApiKey)
            {
                violations.Add("gemini: x-goog-api-key missing or wrong");
            }

            if (context.Request.Query.ContainsKey("key"))
            {
                violations.Add("gemini: API key sent in the URL");
            }

            JsonNode? body = null;
            try
            {
                body = await JsonNode.ParseAsync(context.Request.Body);
            }
            catch (JsonException)
            {
                violations.Add("gemini: body is not JSON");
            }

            var text = body?["contents"]?[0]?["parts"]?[0]?["text"]?.GetValue<string>();
            if (string.IsNullOrWhiteSpace(text))
            {
                violations.Add("gemini: contents[0].parts[0].text missing");
            }

            var modalities = body?["generationConfig"]?["responseModalities"]?.AsArray().Select(m => m?.GetValue<string>()).ToList() ?? [];
            if (!modalities.Contains("IMAGE"))
            {
                violations.Add("gemini: generationConfig.responseModalities lacks IMAGE");
            }

            var ratio = body?["generationConfig"]?["imageConfig"]?["aspectRatio"]?.GetValue<string>();
            if (ratio is not null && !GeminiRatios.Contains(ratio))
            {
                violations.Add($"gemini: unsupported aspectRatio {ratio}");
            }

            Record(context, violations);
            if (violations.Count > 0)
            {
                return GeminiError(400, "INVALID_ARGUMENT", string.Join("; ", violations));
            }

            var next = Next();
            switch (next)
            {
                case Scripted.Throttle:
                    context.Response.Headers.RetryAfter = "1";
                    return GeminiError(429, "RESOURCE_EXHAUSTED", "Resource has been exhausted (e.g. check quota).");
                case Scripted.ServerError:
                    return GeminiError(500, "INTERNAL", "An internal error has occurred.");
                case Scripted.Unavailable:
                    return GeminiError(503, "UNAVAILABLE", "The model is overloaded. Please try again later.");
                case Scripted.PaymentRequired:
                    return GeminiError(403, "PERMISSION_DENIED", "Billing is not enabled for this project.");
                case Scripted.Hang:
                    await HangAsync(context);
                    return Results.Empty;
                case Scripted.Refuse:
                    return Results.Json(new
                    {
                        promptFeedback = new { blockReason = "PROHIBITED_CONTENT" },
                        usageMetadata = new { promptTokenCount = 12, totalTokenCount = 12 },
                    });
                default:
                    var data = next == Scripted.Garbage ? "bm90IGFuIGltYWdl" : Convert.ToBase64String(Png());
                    return Results.Json(new
                    {
                        candidates = new[]
                        {
                            new
                            {
                                content = new { role = "model", parts = new object[] { new { inlineData = new { mimeType = "image/png", data } } } },
                                finishReason = "STOP",
                                index = 0,
                            },
                        },
                        usageMetadata = new { promptTokenCount = 10, candidatesTokenCount = 1290, totalTokenCount = 1300 },
                        modelVersion = GeminiModel,
                    });
            }
        });

    private static IResult GeminiError(int code, string status, string message) =>
        Results.Json(new { error = new { code, message, status } }, statusCode: code);
}

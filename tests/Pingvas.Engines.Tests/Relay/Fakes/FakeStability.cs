using System.Globalization;

using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;

namespace Pingvas.Relay.Fakes;

/// <summary>Stability AI's <c>POST /v2beta/stable-image/generate/{core|ultra|sd3}</c> (multipart in, image bytes out).</summary>
public sealed partial class FakeProviderServer
{
    private static readonly string[] StabilityRatios = ["16:9", "1:1", "21:9", "2:3", "3:2", "4:5", "5:4", "9:16", "9:21"];
    private static readonly string[] Sd3Models = ["sd3.5-large", "sd3.5-large-turbo", "sd3.5-medium", "sd3.5-flash"];

    private void MapStability(WebApplication app) =>
        app.MapPost("/v2beta/stable-image/generate/{endpoint}", async (HttpContext context, string endpoint) =>
        {
            var violations = new List<string>();
            if (endpoint is not ("core" or "ultra" or "sd3"))
            {
                violations.Add($"stability: unknown endpoint {endpoint}");
            }

            if (context.Request.Headers.Authorization != $"Bearer {ApiKey}")
            {
                violations.Add("stability: authorization Bearer missing or wrong");
            }

            var accept = context.Request.Headers.Accept.ToString();
            if (accept is not ("image/*" or "application/json"))
            {
                violations.Add($"stability: accept must be image/* or application/json, was '{accept}'");
            }

            if (!context.Request.HasFormContentType || !(context.Request.ContentType ?? "").StartsWith("multipart/form-data", StringComparison.Ordinal))
            {
                violations.Add("stability: body is not multipart/form-data");
                Record(context, violations);
                return StabilityError(400, "bad_request", violations);
            }

            var form = await context.Request.ReadFormAsync();
            if (string.IsNullOrWhiteSpace(form["prompt"]))
            {
                violations.Add("stability: prompt missing");
            }

            if (form["aspect_ratio"].ToString() is { Length: > 0 } ratio && !StabilityRatios.Contains(ratio))
            {
                violations.Add($"stability: bad aspect_ratio {ratio}");
            }

            if (form["output_format"].ToString() is { Length: > 0 } format && format is not ("png" or "jpeg" or "webp"))
            {
                violations.Add($"stability: bad output_format {format}");
            }

            if (form["seed"].ToString() is { Length: > 0 } seed
                && (!long.TryParse(seed, CultureInfo.InvariantCulture, out var s) || s < 0 || s > 4_294_967_294L))
            {
                violations.Add($"stability: seed out of range {seed}");
            }

            if (endpoint == "sd3" && form["model"].ToString() is { Length: > 0 } model && !Sd3Models.Contains(model))
            {
                violations.Add($"stability: unknown sd3 model {model}");
            }

            Record(context, violations);
            if (violations.Count > 0)
            {
                return StabilityError(400, "bad_request", violations);
            }

            switch (Next())
            {
                case Scripted.Throttle:
                    context.Response.Headers.RetryAfter = "1";
                    return StabilityError(429, "rate_limit_exceeded", ["You have exceeded the rate limit of 150 requests within a 10 second period."]);
                case Scripted.ServerError:
                    return StabilityError(500, "internal_error", ["An unexpected server error has occurred."]);
                case Scripted.Unavailable:
                    return StabilityError(503, "service_unavailable", ["Service unavailable."]);
                case Scripted.PaymentRequired:
                    return StabilityError(402, "payment_required", ["You lack sufficient credits to make this request."]);
                case Scripted.Refuse:
                    return StabilityError(403, "content_moderation", ["Your request was flagged by our content moderation system."]);
                case Scripted.Hang:
                    await HangAsync(context);
                    return Results.Empty;
                case Scripted.Garbage:
                    return Results.Bytes("not an image"u8.ToArray(), "image/png");
                default:
                    context.Response.Headers["finish-reason"] = "SUCCESS";
                    context.Response.Headers["seed"] = form["seed"].ToString();
                    return Results.Bytes(Png(), "image/png");
            }
        });

    private static IResult StabilityError(int status, string name, IReadOnlyList<string> errors) =>
        Results.Json(new { id = Guid.NewGuid().ToString("N"), name, errors }, statusCode: status);
}

using System.Globalization;
using System.Net;
using System.Threading.RateLimiting;

using Microsoft.AspNetCore.RateLimiting;

using Pingvas.Server.Accounts;

namespace Pingvas.Server.Hosting;

public sealed class RateLimitOptions
{
    /// <summary>Sign-in, sign-up and refresh calls per client IP per minute.</summary>
    public int AuthPerMinute { get; set; } = 20;

    /// <summary>Burst of generation submits per user, refilled at <see cref="SubmitsPerSecond"/>.</summary>
    public int SubmitBurst { get; set; } = 20;

    public int SubmitsPerSecond { get; set; } = 2;
}

/// <summary>Per-instance limits with the built-in rate limiter; rejections are 429 problems with Retry-After.</summary>
public static class RateLimits
{
    public const string Auth = "auth";
    public const string Submit = "submit";

    public static IServiceCollection AddPingvasRateLimits(this IServiceCollection services, IConfiguration configuration)
    {
        var options = configuration.GetSection("RateLimits").Get<RateLimitOptions>() ?? new RateLimitOptions();
        return services.AddRateLimiter(limiter =>
        {
            limiter.RejectionStatusCode = StatusCodes.Status429TooManyRequests;
            limiter.AddPolicy(Auth, http => RateLimitPartition.GetFixedWindowLimiter(
                http.Connection.RemoteIpAddress ?? IPAddress.None,
                _ => new FixedWindowRateLimiterOptions { PermitLimit = options.AuthPerMinute, Window = TimeSpan.FromMinutes(1) }));
            limiter.AddPolicy(Submit, http => RateLimitPartition.GetTokenBucketLimiter(
                CurrentUser.TryGetId(http.User)?.ToString() ?? http.Connection.RemoteIpAddress?.ToString() ?? "anonymous",
                _ => new TokenBucketRateLimiterOptions
                {
                    TokenLimit = options.SubmitBurst,
                    TokensPerPeriod = options.SubmitsPerSecond,
                    ReplenishmentPeriod = TimeSpan.FromSeconds(1),
                }));
            limiter.OnRejected = async (context, ct) =>
            {
                var retry = context.Lease.TryGetMetadata(MetadataName.RetryAfter, out var after) ? after : TimeSpan.FromSeconds(1);
                context.HttpContext.Response.Headers.RetryAfter = Math.Ceiling(retry.TotalSeconds).ToString(CultureInfo.InvariantCulture);
                await Problems.RateLimited($"Slow down: try again in {Math.Ceiling(retry.TotalSeconds)} s.").ExecuteAsync(context.HttpContext);
            };
        });
    }
}

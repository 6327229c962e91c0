using System.Globalization;
using System.Threading.RateLimiting;

using Microsoft.AspNetCore.RateLimiting;

using Pingvas.Server.Accounts;

namespace Pingvas.Server.Hosting;

public sealed class RateLimitOptions
{
    /// <summary>Sign-in, sign-up and refresh calls per client address (IPv6: per /64) per minute.</summary>
    public int AuthPerMinute { get; set; } = 20;

    /// <summary>Burst of generation submits per user, refilled at <see cref="SubmitsPerSecond"/>.</summary>
    public int SubmitBurst { get; set; } = 20;

    public int SubmitsPerSecond { get; set; } = 2;
}

/// <summary>
/// Per-instance limits with the built-in rate limiter; rejections are 429 problems with Retry-After.
/// The limiter runs after authentication, so the submit bucket is the signed-in user's; per-address
/// limits count by <see cref="ForwardedClients.Key"/> (the client behind trusted proxies, IPv6 by /64).
/// </summary>
public static class RateLimits
{
    public const string Auth = "auth";
    public const string Submit = "submit";

    public static IServiceCollection AddPingvasRateLimits(this IServiceCollection services, IConfiguration configuration)
    {
        var options = configuration.GetSection("RateLimits").Get<RateLimitOptions>() ?? new RateLimitOptions();
        services.AddPingvasForwardedClients(configuration);
        return services.AddRateLimiter(limiter =>
        {
            limiter.RejectionStatusCode = StatusCodes.Status429TooManyRequests;
            limiter.AddPolicy(Auth, http => RateLimitPartition.GetFixedWindowLimiter(
                http.ClientKey(),
                _ => new FixedWindowRateLimiterOptions { PermitLimit = options.AuthPerMinute, Window = TimeSpan.FromMinutes(1) }));
            limiter.AddPolicy(Submit, http => RateLimitPartition.GetTokenBucketLimiter(
                CurrentUser.TryGetId(http.User) is { } user ? $"user:{user}" : $"address:{http.ClientKey()}",
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

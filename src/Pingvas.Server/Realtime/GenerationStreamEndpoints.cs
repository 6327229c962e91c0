using System.Globalization;
using System.Text.Json;

using Microsoft.AspNetCore.SignalR;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;

using Pingvas.Server.Accounts;
using Pingvas.Server.Data;
using Pingvas.Server.Developer;
using Pingvas.Server.Generation;
using Pingvas.Server.Hosting;

namespace Pingvas.Server.Realtime;

/// <summary>
/// Generation events as Server-Sent Events, for clients without SignalR (curl, scripts):
/// <c>GET /generations/{id}/events</c> (one generation, ends after its final state) and
/// <c>GET /generations/events</c> (all of the caller's). Events carry the hub's JSON and a
/// <see cref="StreamCursor"/> id; <c>Last-Event-ID</c> (or <c>?lastEventId=</c>) resumes.
/// </summary>
public static class GenerationStreamEndpoints
{
    public static RouteGroupBuilder MapGenerationStreams(this RouteGroupBuilder api)
    {
        var group = api.MapGroup("/generations").WithTags("Generations").RequireAuthorization();
        group.MapGet("/events", All).AllowApiKey(ApiScopes.Read).WithName("streamAllGenerationEvents").Produces(StatusCodes.Status200OK, contentType: "text/event-stream");
        group.MapGet("/{id:guid}/events", One).AllowApiKey(ApiScopes.Read).WithName("streamGenerationEvents").Produces(StatusCodes.Status200OK, contentType: "text/event-stream");
        return api;
    }

    /// <summary>One generation: its current state first (also on a resume), then live events until the final one.</summary>
    private static async Task<IResult> One(
        Guid id, HttpContext http, CurrentUser current, PingvasDb db, GenerationService generations, GenerationStreams streams,
        IOptions<JsonHubProtocolOptions> json, IOptions<StreamOptions> options, TimeProvider time, CancellationToken ct)
    {
        var userId = current.Id;
        if (!await db.Jobs.AsNoTracking().AnyAsync(j => j.Id == id && j.UserId == userId, ct))
        {
            return Problems.NotFound("generation");
        }

        // Subscribed before the state is read: a change committed in between is in one or the other.
        using var subscription = streams.Subscribe(userId, ApiKeyRequest.Of(http)?.KeyId);
        var job = await db.Jobs.AsNoTracking().SingleAsync(j => j.Id == id && j.UserId == userId, ct);
        var first = StreamEvent.FromJson(Serialize(await generations.GetDtoAsync(job, ct), json.Value));
        var sse = new ServerSentEvents(http.Response, KeepAlive(options.Value), time);
        var cursor = new StreamCursor(time);
        using var lifetime = Lifetime(http, time, ct);
        ct = lifetime.Token;
        try
        {
            await sse.StartAsync(ct);
            await sse.WriteAsync(cursor.After(first), first.Json, ct);
            if (first.IsTerminal)
            {
                return Results.Empty;
            }

            while (await sse.NextAsync(subscription.Events, ct) is { } e)
            {
                if (e.JobId != id)
                {
                    continue;
                }

                await sse.WriteAsync(cursor.After(e), e.Json, ct);
                if (e.IsTerminal)
                {
                    break;
                }
            }
        }
        catch (OperationCanceledException) when (ct.IsCancellationRequested)
        {
            // The client went away, or the token expired: nothing to finish.
        }

        return Results.Empty;
    }

    /// <summary>All of the caller's generations: on a resume, the state of every one that changed since the cursor first; then live events.</summary>
    private static async Task<IResult> All(
        HttpContext http, string? lastEventId, CurrentUser current, JobSnapshots snapshots, GenerationStreams streams,
        IOptions<JsonHubProtocolOptions> json, IOptions<StreamOptions> options, TimeProvider time, CancellationToken ct)
    {
        var userId = current.Id;
        var resumeFrom = StreamCursor.Decode(http.Request.Headers["Last-Event-ID"].FirstOrDefault() ?? lastEventId);
        using var subscription = streams.Subscribe(userId, ApiKeyRequest.Of(http)?.KeyId);
        var sse = new ServerSentEvents(http.Response, KeepAlive(options.Value), time);
        var cursor = new StreamCursor(time);
        using var lifetime = Lifetime(http, time, ct);
        ct = lifetime.Token;

        // A final state is final: anything older heard for that job afterwards is not sent.
        var finished = new HashSet<Guid>();
        try
        {
            await sse.StartAsync(ct);
            if (resumeFrom is { } at)
            {
                var now = time.GetUtcNow().UtcDateTime;
                var since = at.AddSeconds(-options.Value.ResumeMarginSeconds);
                since = since < now - JobSnapshots.MaxWindow ? now - JobSnapshots.MaxWindow : since;
                foreach (var generation in await snapshots.ForUserAsync(userId, since, ct))
                {
                    await SendAsync(StreamEvent.FromJson(Serialize(generation, json.Value)));
                }
            }

            while (await sse.NextAsync(subscription.Events, ct) is { } e)
            {
                if (!finished.Contains(e.JobId))
                {
                    await SendAsync(e);
                }
            }
        }
        catch (OperationCanceledException) when (ct.IsCancellationRequested)
        {
            // The client went away, or the token expired: nothing to finish.
        }

        return Results.Empty;

        async Task SendAsync(StreamEvent e)
        {
            await sse.WriteAsync(cursor.After(e), e.Json, ct);
            if (e.IsTerminal)
            {
                finished.Add(e.JobId);
            }
        }
    }

    /// <summary>
    /// The request's lifetime, ended also when the access token (or the API key) the stream was opened
    /// with expires, as the hub closes its connections then: a stream must not outlive its credentials.
    /// </summary>
    private static CancellationTokenSource Lifetime(HttpContext http, TimeProvider time, CancellationToken ct)
    {
        var lifetime = CancellationTokenSource.CreateLinkedTokenSource(ct);
        if (long.TryParse(http.User.FindFirst("exp")?.Value, NumberStyles.None, CultureInfo.InvariantCulture, out var exp))
        {
            var left = DateTimeOffset.FromUnixTimeSeconds(exp) - time.GetUtcNow();
            lifetime.CancelAfter(left > TimeSpan.Zero ? left : TimeSpan.Zero);
        }

        return lifetime;
    }

    /// <summary>The hub's own JSON of a generation (camelCase, string enums, UTC dates).</summary>
    internal static string Serialize(GenerationDto generation, JsonHubProtocolOptions json) =>
        JsonSerializer.Serialize(generation, json.PayloadSerializerOptions);

    private static TimeSpan KeepAlive(StreamOptions options) => TimeSpan.FromSeconds(Math.Max(0.05, options.KeepAliveSeconds));
}

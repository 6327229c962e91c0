using System.Net.Http.Headers;
using System.Text;

namespace Pingvas.Bench;

public static class Requests
{
    /// <summary>A typical submit: SD 1.5, 512×512, 25 steps (about 4 credits reserved on a paid plan).</summary>
    public static readonly byte[] SubmitBody = Encoding.UTF8.GetBytes(
        """{"prompt":"a lighthouse at dusk, oil painting","model":"sd-1.5","width":512,"height":512,"steps":25,"batchSize":1}""");

    public static HttpRequestMessage Submit(BenchUser user)
    {
        var message = new HttpRequestMessage(HttpMethod.Post, "/api/v1/generations") { Content = new ByteArrayContent(SubmitBody) };
        message.Content.Headers.ContentType = new MediaTypeHeaderValue("application/json");
        message.Headers.Authorization = new AuthenticationHeaderValue("Bearer", user.Token);
        return message;
    }

    /// <summary>An authenticated read of a job that does not exist (404): JWT validation, the account lookup, one query.</summary>
    public static HttpRequestMessage MissingGeneration(BenchUser user)
    {
        var message = new HttpRequestMessage(HttpMethod.Get, $"/api/v1/generations/{Guid.NewGuid()}");
        message.Headers.Authorization = new AuthenticationHeaderValue("Bearer", user.Token);
        return message;
    }

    /// <summary>No authentication, no database: the HTTP stack and pipeline of this process.</summary>
    public static HttpRequestMessage Live() => new(HttpMethod.Get, "/health/live");
}

using System.Net;
using System.Net.Http.Json;

namespace Pingvas.Server.Tests.Infrastructure;

/// <summary>A registered user with a signed-in client, and the calls tests make again and again.</summary>
public sealed class TestUser(PingvasServer server, Guid id, string email, string password, string accessToken, string refreshToken)
{
    public Guid Id { get; } = id;

    public string Email { get; } = email;

    public string Password { get; } = password;

    public string AccessToken { get; } = accessToken;

    public string RefreshToken { get; } = refreshToken;

    public HttpClient Client { get; } = server.CreateClient(accessToken);

    public static object Request(string prompt = "a lighthouse at dusk", string model = "sd-1.5", int width = 64, int height = 64, int steps = 4, long? seed = 7, int batchSize = 1) =>
        new { prompt, model, width, height, steps, seed, batchSize };

    public async Task<GenerationBody> SubmitAsync(object? request = null)
    {
        var response = await Client.PostAsJsonAsync("/api/v1/generations", request ?? Request());
        if (response.StatusCode != HttpStatusCode.Accepted)
        {
            throw new InvalidOperationException($"Submit failed: {(int)response.StatusCode} {await response.Content.ReadAsStringAsync()}");
        }

        return (await response.Content.ReadFromJsonAsync<GenerationBody>(Json.Options))!;
    }

    public async Task<GenerationBody> GetAsync(Guid id) =>
        (await Client.GetFromJsonAsync<GenerationBody>($"/api/v1/generations/{id}", Json.Options))!;

    public async Task<MeBody> MeAsync() => (await Client.GetFromJsonAsync<MeBody>("/api/v1/me", Json.Options))!;

    public async Task<List<LedgerEntryBody>> LedgerAsync()
    {
        var all = new List<LedgerEntryBody>();
        string? cursor = null;
        do
        {
            var page = (await Client.GetFromJsonAsync<PageBody<LedgerEntryBody>>($"/api/v1/credits/ledger?limit=100&cursor={cursor}", Json.Options))!;
            all.AddRange(page.Items);
            cursor = page.NextCursor;
        }
        while (cursor is not null);
        return all;
    }

    /// <summary>Polls until the generation reaches one of <paramref name="statuses"/> (a bounded wait).</summary>
    public async Task<GenerationBody> WaitForAsync(Guid id, params string[] statuses)
    {
        statuses = statuses.Length == 0 ? ["succeeded", "failed", "cancelled"] : statuses;
        var deadline = DateTime.UtcNow.AddSeconds(120);
        while (true)
        {
            var job = await GetAsync(id);
            if (statuses.Contains(job.Status))
            {
                return job;
            }

            if (DateTime.UtcNow > deadline)
            {
                throw new TimeoutException($"Generation {id} is still {job.Status} after 120 s.\n{await server.DescribeJobAsync(id)}");
            }

            await Task.Delay(50);
        }
    }
}

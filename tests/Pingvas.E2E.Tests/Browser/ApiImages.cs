using System.Net.Http.Json;

using Pingvas.Server.Tests.Infrastructure;

namespace Pingvas.E2E.Tests.Browser;

/// <summary>Pictures a test needs before its browser part starts, made through the API (faster than the form).</summary>
public static class ApiImages
{
    public static async Task<ImageRefBody> GenerateAsync(HttpClient api, string prompt = "a lighthouse at dusk", int side = 512)
    {
        var submitted = await api.PostAsJsonAsync("/api/v1/generations", TestUser.Request(prompt: prompt, width: side, height: side));
        submitted.EnsureSuccessStatusCode();
        var job = (await submitted.Content.ReadFromJsonAsync<GenerationBody>(Json.Options))!;
        GenerationBody? done = null;
        await Eventually.UntilAsync(async () =>
        {
            done = await api.GetFromJsonAsync<GenerationBody>($"/api/v1/generations/{job.Id}", Json.Options);
            return done!.Status is "succeeded" or "failed" or "cancelled";
        }, TimeSpan.FromSeconds(60), "The test's image was not generated.");
        Assert.Equal("succeeded", done!.Status);
        return done.Images[0];
    }
}

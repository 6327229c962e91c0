using System.Net.Http.Json;

using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;

using Pingvas.Server.Storage;
using Pingvas.Server.Tests.Infrastructure;

namespace Pingvas.Server.Tests.YourData;

public sealed record ExportBody(Guid Id, string Status, int Progress, long Bytes, string? DownloadUrl, DateTime? ExpiresAt, string? Error, DateTime CreatedAt);

public sealed record ExportListBody(List<ExportBody> Items);

public sealed record TokensBody(string AccessToken, string RefreshToken);

/// <summary>What the export and deletion tests do again and again.</summary>
public static class YourDataKit
{
    /// <summary>Polls the export until it is ready or failed (a bounded wait); returns every progress value seen on the way.</summary>
    public static async Task<(ExportBody Export, List<int> Seen)> WaitForExportAsync(this TestUser user, Guid id)
    {
        var seen = new List<int>();
        var deadline = DateTime.UtcNow.AddSeconds(60);
        while (true)
        {
            var export = (await user.Client.GetFromJsonAsync<ExportBody>($"/api/v1/me/export/{id}", Json.Options))!;
            seen.Add(export.Progress);
            if (export.Status is "ready" or "failed")
            {
                return (export, seen);
            }

            Assert.True(DateTime.UtcNow < deadline, $"Export {id} is still {export.Status} after 60 s.");
            await Task.Delay(50);
        }
    }

    /// <summary>The keys stored under the user's prefix.</summary>
    public static async Task<List<string>> UserObjectsAsync(this PingvasServer server, Guid userId)
    {
        var keys = new List<string>();
        await foreach (var item in server.Services.GetRequiredService<IObjectStore>().ListAsync($"users/{userId:N}/", CancellationToken.None))
        {
            keys.Add(item.Key);
        }

        return keys;
    }

    /// <summary>Reads a signed absolute link through the test server (its host is App:PublicUrl's).</summary>
    public static async Task<HttpResponseMessage> GetLinkAsync(this PingvasServer server, string absolute)
    {
        using var anonymous = server.CreateClient();
        var response = await anonymous.GetAsync(new Uri(absolute).PathAndQuery);
        await response.Content.LoadIntoBufferAsync();
        return response;
    }

    public static Task<int> CountAsync<T>(this PingvasServer server, Func<Data.PingvasDb, IQueryable<T>> rows) =>
        server.QueryAsync(db => rows(db).CountAsync());
}

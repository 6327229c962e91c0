using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;

using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;

using Pingvas.Server.Catalog;
using Pingvas.Server.Storage;
using Pingvas.Server.Tests.Infrastructure;

namespace Pingvas.Server.Tests.Loras;

public sealed record LoraBody(Guid Id, string Name, string FileName, string Family, long Bytes, string Sha256, List<string> TriggerWords, DateTime CreatedAt)
{
    // By value, trigger words included (a record compares the list by reference).
    public bool Equals(LoraBody? other) =>
        other is not null
        && (Id, Name, FileName, Family, Bytes, Sha256, CreatedAt) == (other.Id, other.Name, other.FileName, other.Family, other.Bytes, other.Sha256, other.CreatedAt)
        && TriggerWords.SequenceEqual(other.TriggerWords);

    public override int GetHashCode() => Id.GetHashCode();
}

public sealed record LoraListBody(List<LoraBody> Items, long UsedBytes, long? QuotaBytes);

/// <summary>Uploads LoRAs as a browser's form would, and looks at what the store holds.</summary>
public static class LoraKit
{
    /// <param name="nameFirst">Whether the <c>name</c> part comes before the file (a form may order them either way).</param>
    /// <param name="chunked">Send without a Content-Length, as a client streaming a file of unknown size.</param>
    public static Task<HttpResponseMessage> PostLoraAsync(this TestUser user, byte[] bytes, string fileName = "pingu.safetensors", string? name = null, bool nameFirst = true, bool chunked = false)
    {
        var form = new MultipartFormDataContent();
        var nameContent = name is null ? null : new StringContent(name);
        if (nameContent is not null && nameFirst)
        {
            form.Add(nameContent, "name");
        }

        HttpContent file = chunked ? new StreamContent(new UnknownLengthStream(bytes)) : new ByteArrayContent(bytes);
        file.Headers.ContentType = MediaTypeHeaderValue.Parse("application/octet-stream");
        form.Add(file, "file", fileName);
        if (nameContent is not null && !nameFirst)
        {
            form.Add(nameContent, "name");
        }

        if (chunked)
        {
            // The form asks its parts for their lengths; one without makes the whole body chunked.
            return user.Client.SendAsync(new HttpRequestMessage(HttpMethod.Post, "/api/v1/loras") { Content = form, Headers = { TransferEncodingChunked = true } });
        }

        return user.Client.PostAsync("/api/v1/loras", form);
    }

    public static async Task<LoraBody> UploadLoraAsync(this TestUser user, byte[] bytes, string fileName = "pingu.safetensors", string? name = null)
    {
        var response = await user.PostLoraAsync(bytes, fileName, name);
        Assert.True(response.StatusCode == HttpStatusCode.Created, $"LoRA upload failed: {(int)response.StatusCode} {await response.Content.ReadAsStringAsync()}");
        return (await response.Content.ReadFromJsonAsync<LoraBody>(Json.Options))!;
    }

    public static async Task<LoraListBody> LorasAsync(this TestUser user) =>
        (await user.Client.GetFromJsonAsync<LoraListBody>("/api/v1/loras", Json.Options))!;

    /// <summary>Every object the store holds under the user's LoRA prefix.</summary>
    public static async Task<List<string>> LoraObjectsAsync(this PingvasServer server, Guid userId)
    {
        var store = server.Services.GetRequiredService<IObjectStore>();
        var keys = new List<string>();
        await foreach (var item in store.ListAsync($"users/{userId:N}/loras/", CancellationToken.None))
        {
            keys.Add(item.Key);
        }

        return keys;
    }

    public static async Task<byte[]?> ObjectBytesAsync(this PingvasServer server, string key)
    {
        var found = await server.Services.GetRequiredService<IObjectStore>().GetAsync(key, CancellationToken.None);
        if (found is null)
        {
            return null;
        }

        await using var content = found.Content;
        using var copy = new MemoryStream();
        await content.CopyToAsync(copy);
        return copy.ToArray();
    }

    public static Task<string> LoraKeyAsync(this PingvasServer server, Guid loraId) =>
        server.QueryAsync(db => db.Loras.Where(l => l.Id == loraId).Select(l => l.ObjectKey).SingleAsync());

    /// <summary>A plan of its own with LoRAs and <paramref name="storageBytes"/> of storage.</summary>
    public static async Task<string> AddLoraPlanAsync(this PingvasServer server, long? storageBytes)
    {
        var plan = $"lora-{Guid.NewGuid():N}";
        await server.QueryAsync(async db =>
        {
            db.Plans.Add(new Plan { Id = plan, Name = "LoRA test", Rank = 0, MonthlyCredits = 100, StorageBytes = storageBytes, ConcurrentJobs = 1, QueuePriority = 2, MaxSide = 1024, MaxBatch = 1, Features = "generate,loras" });
            return await db.SaveChangesAsync();
        });
        return plan;
    }

    /// <summary>A readable stream that does not tell its length, so the client sends it chunked.</summary>
    private sealed class UnknownLengthStream(byte[] bytes) : MemoryStream(bytes)
    {
        public override bool CanSeek => false;
    }
}
